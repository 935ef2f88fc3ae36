"""`/api/v1/inlineHooks` through Flask's test client: Okta's operations, errors and shapes.

Bodies are validated against the SPEC's `InlineHook` schema (read from ../shared/okta).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_okta.hooks import MAX_HOOKS
from mock_okta.org import Org
from tests.conftest import Api
from tests.e2e import test_openapi_schemas as schemas
from tests.helpers import TIMESTAMP, assert_error

# The SPEC's session fixtures, shared rather than reloaded.
spec = schemas.spec
validate = schemas.validate
Validate = schemas.Validate

PASSWORD_IMPORT = "com.okta.user.credential.password.import"
SECRET = "my-shared-secret"
NOW = "2023-11-14T22:13:20.000Z"  # the ManualClock's start
HOOK = {
    "name": "Legacy password check",
    "type": PASSWORD_IMPORT,
    "version": "1.0.0",
    "channel": {
        "type": "HTTP",
        "version": "1.0.0",
        "config": {
            "uri": "https://legacy.example.com/passwordImport",
            "headers": [{"key": "X-Any-Key", "value": "my-header-value"}],
            "method": "POST",
            "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
        },
    },
}


def hook_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(HOOK)
    body.update(changes)
    return body


def create(api: Api, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.call("POST", "/api/v1/inlineHooks", body or HOOK)
    assert response.status_code == 200, response.get_data(as_text=True)
    result: dict[str, Any] = response.get_json()
    return result


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


# ----- create, read


def test_create_answers_an_active_hook_in_oktas_shape(api: Api, validate: Validate) -> None:
    hook = create(api)
    validate("InlineHook", hook)
    assert list(hook) == [
        "id",
        "status",
        "name",
        "type",
        "version",
        "channel",
        "created",
        "lastUpdated",
        "_links",
    ]
    assert hook["id"].startswith("cal")
    assert len(hook["id"]) == 20
    assert hook["status"] == "ACTIVE"
    assert hook["name"] == "Legacy password check"
    assert hook["type"] == PASSWORD_IMPORT
    assert hook["version"] == "1.0.0"
    assert hook["channel"] == {
        "type": "HTTP",
        "version": "1.0.0",
        "config": {
            "uri": "https://legacy.example.com/passwordImport",
            "headers": [{"key": "X-Any-Key", "value": "my-header-value"}],
            "method": "POST",
            "authScheme": {"type": "HEADER", "key": "Authorization"},
        },
    }
    assert hook["created"] == hook["lastUpdated"] == NOW
    assert TIMESTAMP.match(hook["created"])
    href = f"http://localhost/api/v1/inlineHooks/{hook['id']}"
    assert hook["_links"] == {
        "self": {"href": href},
        "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
    }


def test_the_auth_secret_is_never_returned(api: Api) -> None:
    hook = create(api)
    for response in (
        api.call("GET", f"/api/v1/inlineHooks/{hook['id']}"),
        api.call("GET", "/api/v1/inlineHooks"),
        api.call("POST", f"/api/v1/inlineHooks/{hook['id']}", {"name": "renamed"}),
    ):
        assert response.status_code == 200
        assert SECRET not in response.get_data(as_text=True)


def test_get_and_list_return_what_was_created(api: Api, validate: Validate) -> None:
    first = create(api)
    token_hook = create(api, hook_body(name="Tokens", type="com.okta.oauth2.tokens.transform"))
    got = ok(api.call("GET", f"/api/v1/inlineHooks/{first['id']}"))
    validate("InlineHook", got)
    assert got == first
    listed = ok(api.call("GET", "/api/v1/inlineHooks"))
    for item in listed:
        validate("InlineHook", item)
    assert [h["id"] for h in listed] == [first["id"], token_hook["id"]]
    only = ok(api.call("GET", f"/api/v1/inlineHooks?type={PASSWORD_IMPORT}"))
    assert [h["id"] for h in only] == [first["id"]]
    assert ok(api.call("GET", "/api/v1/inlineHooks?type=com.okta.import.transform")) == []


def test_unknown_hook_is_e0000007(api: Api) -> None:
    response = api.call("GET", "/api/v1/inlineHooks/calNoSuchHook0000000")
    assert_error(
        response,
        404,
        "E0000007",
        "Not found: Resource not found: calNoSuchHook0000000 (InlineHook)",
    )
    for method, path in (
        ("POST", "/lifecycle/activate"),
        ("POST", "/lifecycle/deactivate"),
        ("DELETE", ""),
    ):
        response = api.call(method, f"/api/v1/inlineHooks/calNoSuchHook0000000{path}")
        assert response.status_code == 404
        assert response.get_json()["errorCode"] == "E0000007"


def test_inline_hooks_need_the_api_token(api: Api) -> None:
    response = api.client.get("/api/v1/inlineHooks")
    assert_error(response, 401, "E0000011", "Invalid token provided")


# ----- update, replace


def test_update_changes_only_the_fields_given(api: Api, validate: Validate, org: Org) -> None:
    hook = create(api)
    updated = ok(api.call("POST", f"/api/v1/inlineHooks/{hook['id']}", {"name": "Renamed"}))
    validate("InlineHook", updated)
    assert updated["name"] == "Renamed"
    assert updated["channel"] == hook["channel"]
    assert updated["type"] == PASSWORD_IMPORT
    stored = org.inline_hooks.get_inline_hook(hook["id"])
    assert stored.channel.auth_scheme is not None
    assert stored.channel.auth_scheme.value == SECRET


def test_replace_sets_name_version_and_channel(api: Api, validate: Validate, org: Org) -> None:
    hook = create(api)
    channel = copy.deepcopy(HOOK["channel"])
    channel["config"]["uri"] = "https://legacy.example.com/v2"
    channel["config"]["headers"] = []
    channel["config"]["authScheme"] = {"type": "HEADER", "key": "X-Api-Key", "value": "new-one"}
    body = {"name": "Second", "version": "1.0.0", "channel": channel}
    replaced = ok(api.call("PUT", f"/api/v1/inlineHooks/{hook['id']}", body))
    validate("InlineHook", replaced)
    assert replaced["name"] == "Second"
    assert replaced["status"] == "ACTIVE"
    assert replaced["type"] == PASSWORD_IMPORT
    assert replaced["channel"]["config"] == {
        "uri": "https://legacy.example.com/v2",
        "headers": [],
        "method": "POST",
        "authScheme": {"type": "HEADER", "key": "X-Api-Key"},
    }
    stored = org.inline_hooks.get_inline_hook(hook["id"])
    assert stored.channel.auth_scheme is not None
    assert stored.channel.auth_scheme.value == "new-one"


def test_replace_after_a_get_keeps_the_stored_secret(api: Api, org: Org) -> None:
    hook = create(api)
    fetched = ok(api.call("GET", f"/api/v1/inlineHooks/{hook['id']}"))
    body = {"name": "Same", "version": "1.0.0", "channel": fetched["channel"]}
    ok(api.call("PUT", f"/api/v1/inlineHooks/{hook['id']}", body))
    stored = org.inline_hooks.get_inline_hook(hook["id"])
    assert stored.channel.auth_scheme is not None
    assert stored.channel.auth_scheme.value == SECRET


def test_replace_without_a_name_is_refused(api: Api) -> None:
    hook = create(api)
    body = {"version": "1.0.0", "channel": HOOK["channel"]}
    response = api.call("PUT", f"/api/v1/inlineHooks/{hook['id']}", body)
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: name",
        ["name: The field cannot be left blank"],
    )


# ----- lifecycle and delete


def test_method_is_optional_and_defaults_to_post(api: Api, validate: Validate) -> None:
    body = hook_body()
    del body["channel"]["config"]["method"]  # not required (SPEC InlineHookChannelConfigCreate)
    hook = create(api, body)
    validate("InlineHook", hook)
    assert hook["channel"]["config"]["method"] == "POST"
    fetched = ok(api.call("GET", f"/api/v1/inlineHooks/{hook['id']}"))
    assert fetched["channel"]["config"]["method"] == "POST"


def test_deactivate_activate_and_delete(api: Api, validate: Validate, clock: Any) -> None:
    hook = create(api)
    href = f"http://localhost/api/v1/inlineHooks/{hook['id']}"
    clock.advance(60)
    inactive = ok(api.call("POST", f"/api/v1/inlineHooks/{hook['id']}/lifecycle/deactivate"))
    validate("InlineHook", inactive)
    assert inactive["status"] == "INACTIVE"
    assert inactive["lastUpdated"] == "2023-11-14T22:14:20.000Z"
    assert inactive["created"] == NOW
    assert inactive["_links"] == {
        "self": {"href": href},
        "activate": {"href": f"{href}/lifecycle/activate", "hints": {"allow": ["POST"]}},
        "delete": {"href": href, "hints": {"allow": ["DELETE"]}},
    }
    again = ok(api.call("POST", f"/api/v1/inlineHooks/{hook['id']}/lifecycle/deactivate"))
    assert again["status"] == "INACTIVE"
    active = ok(api.call("POST", f"/api/v1/inlineHooks/{hook['id']}/lifecycle/activate"))
    validate("InlineHook", active)
    assert active["status"] == "ACTIVE"
    ok(api.call("POST", f"/api/v1/inlineHooks/{hook['id']}/lifecycle/deactivate"))
    deleted = api.call("DELETE", f"/api/v1/inlineHooks/{hook['id']}")
    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    assert "Content-Type" not in deleted.headers
    assert api.call("GET", f"/api/v1/inlineHooks/{hook['id']}").status_code == 404
    assert ok(api.call("GET", "/api/v1/inlineHooks")) == []


def test_an_active_hook_cannot_be_deleted(api: Api) -> None:
    hook = create(api)
    response = api.call("DELETE", f"/api/v1/inlineHooks/{hook['id']}")
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: status",
        ["status: Only an INACTIVE inline hook can be deleted"],
    )
    assert api.call("GET", f"/api/v1/inlineHooks/{hook['id']}").status_code == 200


ONE_ACTIVE = [f"type: Only one active {PASSWORD_IMPORT} inline hook is allowed per org"]


def test_one_active_password_import_hook_per_org(api: Api) -> None:
    first = create(api)
    second = api.call("POST", "/api/v1/inlineHooks", hook_body(name="Second"))
    assert_error(second, 400, "E0000001", "Api validation failed: type", ONE_ACTIVE)
    # hooks of other types are not limited by it
    create(api, hook_body(name="Tokens", type="com.okta.oauth2.tokens.transform"))
    # after deactivating the first, a second can be created; then the first cannot come back
    ok(api.call("POST", f"/api/v1/inlineHooks/{first['id']}/lifecycle/deactivate"))
    create(api, hook_body(name="Second"))
    back = api.call("POST", f"/api/v1/inlineHooks/{first['id']}/lifecycle/activate")
    assert_error(back, 400, "E0000001", "Api validation failed: type", ONE_ACTIVE)
    statuses = [
        h["status"] for h in ok(api.call("GET", f"/api/v1/inlineHooks?type={PASSWORD_IMPORT}"))
    ]
    assert statuses == ["INACTIVE", "ACTIVE"]


def test_at_most_fifty_hooks(api: Api) -> None:
    for n in range(MAX_HOOKS):
        create(api, hook_body(name=f"hook {n}", type="com.okta.import.transform"))
    response = api.call("POST", "/api/v1/inlineHooks", hook_body(type="com.okta.import.transform"))
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: inlineHook",
        [f"inlineHook: An org can have at most {MAX_HOOKS}"],
    )
    assert len(ok(api.call("GET", "/api/v1/inlineHooks"))) == MAX_HOOKS


# ----- validation


def _config(**changes: Any) -> dict[str, Any]:
    channel = copy.deepcopy(HOOK["channel"])
    channel["config"].update(changes)
    return channel


@pytest.mark.parametrize(
    ("body", "field", "cause"),
    [
        (hook_body(name=""), "name", "The field cannot be left blank"),
        (hook_body(name="x" * 256), "name", "The name must be at most 255 characters"),
        (
            hook_body(type="com.example.custom"),
            "type",
            "The type must be one of com.okta.import.transform, com.okta.oauth2.tokens.transform,"
            " com.okta.saml.tokens.transform, com.okta.telephony.provider,"
            " com.okta.user.credential.password.import, com.okta.user.pre-registration",
        ),
        (hook_body(version="2.0.0"), "version", "The only supported version is 1.0.0"),
        (hook_body(channel=None), "channel", "The value must be an object"),
        (
            hook_body(channel={**HOOK["channel"], "type": "OAUTH"}),
            "channel.type",
            "The mock supports HTTP channels only",
        ),
        (
            hook_body(channel={**HOOK["channel"], "version": None}),
            "channel.version",
            "The field cannot be left blank",
        ),
        (
            hook_body(channel=_config(uri=None)),
            "channel.config.uri",
            "The field cannot be left blank",
        ),
        (
            hook_body(channel=_config(uri="ftp://legacy.example.com/hook")),
            "channel.config.uri",
            "The URI must be an http(s) URL, no spaces",
        ),
        (
            hook_body(channel=_config(uri="https://legacy.example.com/a hook")),
            "channel.config.uri",
            "The URI must be an http(s) URL, no spaces",
        ),
        (
            hook_body(channel=_config(method="GET")),
            "channel.config.method",
            "The only supported method is POST",
        ),
        (
            hook_body(channel=_config(headers={"X-Key": "v"})),
            "channel.config.headers",
            "The value must be a list",
        ),
        (
            hook_body(channel=_config(headers=[{"key": "X-Key", "value": 7}])),
            "channel.config.headers[0].value",
            "The value must be a string",
        ),
        (
            hook_body(channel=_config(authScheme={"type": "BASIC", "key": "A", "value": "b"})),
            "channel.config.authScheme.type",
            "The only supported type is HEADER",
        ),
        (
            hook_body(channel=_config(authScheme={"type": "HEADER", "key": "Authorization"})),
            "channel.config.authScheme.value",
            "The field cannot be left blank",
        ),
    ],
)
def test_invalid_hooks_are_refused_with_e0000001(
    api: Api, org: Org, body: dict[str, Any], field: str, cause: str
) -> None:
    response = api.call("POST", "/api/v1/inlineHooks", body)
    assert_error(
        response, 400, "E0000001", f"Api validation failed: {field}", [f"{field}: {cause}"]
    )
    assert org.inline_hooks.list_inline_hooks() == []


def test_malformed_body_is_e0000003(api: Api) -> None:
    response = api.call(
        "POST", "/api/v1/inlineHooks", b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "E0000003", "The request body was not well-formed.")


def test_hook_without_auth_scheme_is_kept(api: Api, validate: Validate) -> None:
    hook = create(api, hook_body(channel=_config(authScheme=None, headers=None)))
    validate("InlineHook", hook)
    assert hook["channel"]["config"]["authScheme"] is None
    assert hook["channel"]["config"]["headers"] == []


def test_http_uri_is_accepted_for_local_hooks(api: Api) -> None:
    hook = create(api, hook_body(channel=_config(uri="http://127.0.0.1:8081/hook")))
    assert hook["channel"]["config"]["uri"] == "http://127.0.0.1:8081/hook"


def test_inline_hook_requests_count_against_api_default(api: Api) -> None:
    create(api)
    api.call("GET", "/api/v1/inlineHooks")
    counters = ok(api.call("GET", "/_mock/stats"))["counters"]
    assert counters["bucket.api.default"] == 2


def test_reset_removes_every_hook(api: Api, org: Org) -> None:
    create(api)
    ok(api.call("POST", "/_mock/reset"))
    assert org.inline_hooks.list_inline_hooks() == []
