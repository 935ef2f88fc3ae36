"""Request bodies that are not UTF-8 JSON (issue #20 item 6): refused before anything runs, per
endpoint family (users, authn, the control plane), as mock_okta/media.py describes."""

from __future__ import annotations

import codecs
import json

import pytest

from mock_okta.org import Org
from mock_okta.server import build_parser, settings_from_args
from tests.conftest import Api
from tests.helpers import PASSWORD, assert_error, profile

MEDIA = "Bad request.  Accept and/or Content-Type headers likely do not match supported values."
USER = {"profile": profile("media@example.com"), "credentials": {"password": {"value": PASSWORD}}}
AUTHN = {"username": "media@example.com", "password": PASSWORD}
FAMILIES = [
    ("POST", "/api/v1/users", USER),
    ("POST", "/api/v1/authn", AUTHN),
    ("PUT", "/_mock/config", {"timeScale": 2}),
]


def send(api: Api, method: str, path: str, data: bytes, content_type: str | None) -> object:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return api.call(method, path, data, headers=headers)


def utf8(body: object) -> bytes:
    return json.dumps(body).encode()


@pytest.mark.parametrize(("method", "path", "body"), FAMILIES)
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        None,  # no Content-Type at all
        "",
        "application/json; charset=utf-16",
        "application/json; charset=ISO-8859-1",
    ],
)
def test_a_body_that_is_not_declared_json_is_refused(
    api: Api, org: Org, method: str, path: str, body: object, content_type: str | None
) -> None:
    before = api.call("GET", "/_mock/config").json
    response = send(api, method, path, utf8(body), content_type)
    assert_error(response, 400, "E0000021", MEDIA)
    assert org.store.count_users() == 0
    assert api.call("GET", "/_mock/config").json == before


@pytest.mark.parametrize(("method", "path", "body"), FAMILIES)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_a_utf16_or_utf32_body_is_not_well_formed(
    api: Api, org: Org, method: str, path: str, body: object, encoding: str
) -> None:
    data = json.dumps(body).encode(encoding)  # "utf-16" and "utf-32" begin with a BOM
    response = send(api, method, path, data, "application/json")
    assert_error(response, 400, "E0000003", "The request body was not well-formed.")
    assert org.store.count_users() == 0


def test_json_with_a_utf8_bom_or_charset_or_a_json_suffix_is_read(api: Api, org: Org) -> None:
    bom = codecs.BOM_UTF8 + utf8(USER)
    assert send(api, "POST", "/api/v1/users", bom, "application/json").status_code == 200
    other = {**USER, "profile": profile("other@example.com")}
    response = send(api, "POST", "/api/v1/users", utf8(other), "Application/JSON; Charset=UTF-8")
    assert response.status_code == 200
    assert send(api, "POST", "/api/v1/authn", utf8(AUTHN), "application/json").status_code == 200
    change = utf8({"timeScale": 2})
    assert send(api, "PUT", "/_mock/config", change, "application/merge-patch+json").status_code
    assert api.call("GET", "/_mock/config").json["timeScale"] == 2.0
    assert org.store.count_users() == 2


def test_a_request_without_a_body_needs_no_content_type(api: Api) -> None:
    uid = api.created_id()
    response = api.client.post(
        f"/api/v1/users/{uid}/lifecycle/deactivate", headers={"Authorization": "SSWS test-token"}
    )
    assert response.status_code == 200
    plain = {"Authorization": "SSWS test-token", "Content-Type": "text/plain"}
    assert api.client.get(f"/api/v1/users/{uid}", headers=plain).status_code == 200
    assert api.client.post("/_mock/reset", headers=plain).status_code == 200


def test_a_refused_body_is_journaled_without_its_secrets(api: Api, org: Org) -> None:
    form = f"username=media%40example.com&password={PASSWORD}".encode()
    response = send(api, "POST", "/api/v1/authn", form, "application/x-www-form-urlencoded")
    assert response.status_code == 400
    org.journal.flush()
    (entry,) = api.call("GET", "/_mock/requests").json["entries"]
    assert (entry["status"], entry["errorCode"]) == (400, "E0000021")
    assert entry["detail"] == "Content-Type application/x-www-form-urlencoded is not JSON"
    assert PASSWORD not in json.dumps(entry)


def test_a_bad_token_is_answered_before_the_media_type(api: Api) -> None:
    response = api.client.post(
        "/api/v1/users", data=b"x=1", headers={"Authorization": "SSWS wrong", "Content-Type": "a/b"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/oauth2/v1/token", "/oauth2/default/v1/token"])
def test_oauth_reads_forms_and_refuses_json_in_the_api_shape(api: Api, path: str) -> None:
    # A JSON POST to /v1/token: 400 E0000021 in the API's shape, not an OAuth error
    # (Kong/volcano-agent-sdk#21, okta-sdk-python#429).
    body = utf8({"grant_type": "client_credentials", "scope": "openid"})
    assert_error(send(api, "POST", path, body, "application/json"), 400, "E0000021", MEDIA)
    form = b"grant_type=client_credentials&scope=openid"
    response = send(api, "POST", path, form, "application/x-www-form-urlencoded")
    assert response.status_code == 401  # read, and refused for want of a client
    assert response.json["error"] == "invalid_client"
    org_entries = api.call("GET", "/_mock/requests").json["entries"]
    assert org_entries[-2]["detail"] == "Content-Type application/json is not a form"


def test_the_check_can_be_turned_off_and_on_at_run_time(api: Api, org: Org) -> None:
    assert api.call("GET", "/_mock/config").json["mediaTypeCheck"] is True
    assert send(api, "POST", "/api/v1/users", utf8(USER), "text/plain").status_code == 400
    change = api.call("PUT", "/_mock/config", {"mediaTypeCheck": False})
    assert change.status_code == 200
    assert send(api, "POST", "/api/v1/users", utf8(USER), "text/plain").status_code == 200
    assert send(api, "POST", "/api/v1/users", utf8(USER), None).status_code == 400  # read: E0000001
    assert org.store.count_users() == 1
    api.call("PUT", "/_mock/config", {"mediaTypeCheck": True})
    other = {**USER, "profile": profile("other@example.com")}
    assert send(api, "POST", "/api/v1/users", utf8(other), "text/plain").status_code == 400
    bad = api.call("PUT", "/_mock/config", {"mediaTypeCheck": "no"})
    assert bad.status_code == 400
    assert org.store.count_users() == 1


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, True),
        (["--no-media-type-check"], {}, False),
        ([], {"MOCK_OKTA_MEDIA_TYPE_CHECK": "false"}, False),
        ([], {"MOCK_OKTA_MEDIA_TYPE_CHECK": "true"}, True),
    ],
)
def test_the_check_is_a_flag_and_a_variable(
    argv: list[str], environ: dict[str, str], expected: bool
) -> None:
    settings = settings_from_args(build_parser().parse_args(argv), environ)
    assert settings.runtime.media_type_check is expected
