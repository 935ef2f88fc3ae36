"""`/api/v1/apps` through Flask's test client: Okta's Application operations, errors and shapes.

Shapes from the SPEC's examples (BookmarkAppResponseEx, BasicAuthResponseEx, Saml2.0ResponseEx,
OpenidConnectResponseEx); bodies are validated against the SPEC in tests/e2e/test_openapi_apps.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from mock_okta.apps.models import AppStatus
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import assert_error

NOW = "2023-11-14T22:13:20.000Z"  # the ManualClock's start
BASE = "http://localhost"
APP_ID = re.compile(r"^0oa[A-Za-z0-9]{17}$")
LINK_ID = re.compile(r"^aln[A-Za-z0-9]{17}$")
LOGO = f"{BASE}/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png"
SETTINGS_DEFAULTS = {
    "notifications": {
        "vpn": {"network": {"connection": "DISABLED"}, "message": None, "helpUrl": None}
    },
    "manualProvisioning": False,
    "implicitAssignment": False,
    "notes": {"admin": None, "enduser": None},
}

BOOKMARK = {
    "name": "bookmark",
    "label": "Sample Bookmark App",
    "signOnMode": "BOOKMARK",
    "settings": {"app": {"url": "https://example.com/bookmark.html"}},
}
BASIC_AUTH = {
    "name": "template_basic_auth",
    "label": "Sample Basic Auth App",
    "signOnMode": "BASIC_AUTH",
    "settings": {
        "app": {"url": "https://example.com/login.html", "authURL": "https://example.com/auth.html"}
    },
}
SAML = {
    "label": "Example Custom SAML 2.0 App",
    "signOnMode": "SAML_2_0",
    "settings": {
        "signOn": {
            "ssoAcsUrl": "http://testorgone.okta",
            "audience": "asdqwe123",
            "recipient": "http://testorgone.okta",
            "subjectNameIdTemplate": "${user.userName}",
            "responseSigned": True,
            "assertionSigned": True,
        }
    },
}
OIDC = {
    "name": "oidc_client",
    "label": "Sample Client profile",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_post"}},
    "profile": {"label": "oauth2 client app 1"},
    "settings": {
        "oauthClient": {
            "client_uri": "http://localhost:8080",
            "redirect_uris": ["https://example.com/oauth2/callback", "myapp://callback"],
            "response_types": ["token", "id_token", "code"],
            "grant_types": ["authorization_code"],
            "application_type": "native",
        }
    },
}
OFFICE365 = {
    "name": "office365",
    "label": "Microsoft Office 365",
    "signOnMode": "SAML_1_1",
    "settings": {"app": {"domain": "example.onmicrosoft.com", "msftTenant": "example"}},
}
GOOGLE = {
    "name": "google",
    "label": "Google Workspace",
    "signOnMode": "SAML_2_0",
    "settings": {"app": {"domain": "example.com"}},
}
VALIDATION = "E0000001"


def created(api: Api, body: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = api.call("POST", f"/api/v1/apps{query}", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    app: dict[str, Any] = response.get_json()
    return app


def links(app_id: str, status: str, link: str, link_id: str) -> dict[str, Any]:
    href = f"{BASE}/api/v1/apps/{app_id}"
    lifecycle = "deactivate" if status == "ACTIVE" else "activate"
    return {
        "logo": [{"name": "medium", "href": LOGO, "type": "image/png"}],
        "appLinks": [
            {"name": link, "href": f"{BASE}/home/bookmark/{app_id}/{link_id}", "type": "text/html"}
        ],
        "users": {"href": f"{href}/users"},
        "groups": {"href": f"{href}/groups"},
        "self": {"href": href},
        lifecycle: {"href": f"{href}/lifecycle/{lifecycle}"},
    }


# ----- create


def test_create_application_bookmark_answers_oktas_app_object(api: Api) -> None:
    app = created(api, BOOKMARK)
    assert APP_ID.match(app["id"])
    link_id = app["_links"]["appLinks"][0]["href"].rsplit("/", 1)[1]
    assert LINK_ID.match(link_id)
    assert app == {
        "id": app["id"],
        "name": "bookmark",
        "label": "Sample Bookmark App",
        "status": "ACTIVE",
        "lastUpdated": NOW,
        "created": NOW,
        "accessibility": {"selfService": False, "errorRedirectUrl": None, "loginRedirectUrl": None},
        "visibility": {
            "autoLaunch": False,
            "autoSubmitToolbar": False,
            "hide": {"iOS": False, "web": False},
            "appLinks": {"login": True},
        },
        "features": [],
        "signOnMode": "BOOKMARK",
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "signing": {},
        },
        "settings": {"app": {"url": "https://example.com/bookmark.html"}, **SETTINGS_DEFAULTS},
        "_links": links(app["id"], "ACTIVE", "login", link_id),
    }
    assert api.call("GET", f"/api/v1/apps/{app['id']}").get_json() == app


def test_create_application_with_activate_false_is_inactive(api: Api) -> None:
    app = created(api, BOOKMARK, "?activate=false")
    assert app["status"] == "INACTIVE"
    assert "deactivate" not in app["_links"]
    assert app["_links"]["activate"] == {
        "href": f"{BASE}/api/v1/apps/{app['id']}/lifecycle/activate"
    }


def test_create_application_keeps_what_the_request_sets(api: Api) -> None:
    body = {
        **BOOKMARK,
        "accessibility": {"selfService": True},
        "visibility": {"autoSubmitToolbar": True, "hide": {"web": True}},
        "credentials": {"userNameTemplate": {"template": "${source.email}", "type": "BUILT_IN"}},
        "settings": {
            **BOOKMARK["settings"],
            "notes": {"admin": "for the migration", "enduser": None},
        },
    }
    app = created(api, body)
    assert app["accessibility"] == {
        "selfService": True,
        "errorRedirectUrl": None,
        "loginRedirectUrl": None,
    }
    assert app["visibility"]["hide"] == {"iOS": False, "web": True}
    assert app["visibility"]["autoSubmitToolbar"] is True
    assert app["credentials"]["userNameTemplate"]["template"] == "${source.email}"
    assert app["settings"]["notes"] == {"admin": "for the migration", "enduser": None}


def test_create_application_basic_auth_has_a_credentials_scheme(api: Api) -> None:
    app = created(api, BASIC_AUTH)
    assert app["signOnMode"] == "BASIC_AUTH"
    assert app["credentials"] == {
        "scheme": "EDIT_USERNAME_AND_PASSWORD",
        "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
        "signing": {},
        "revealPassword": False,
    }
    assert app["settings"]["app"] == BASIC_AUTH["settings"]["app"]
    account = {
        "scheme": "SHARED_USERNAME_AND_PASSWORD",
        "userName": "team@example.com",
        "password": {"value": "Shared-Secret-5"},
    }
    shared = created(api, {**BASIC_AUTH, "label": "Shared", "credentials": account})
    assert shared["credentials"] == {
        "scheme": "SHARED_USERNAME_AND_PASSWORD",
        "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
        "signing": {},
        "revealPassword": False,
        "userName": "team@example.com",
        "password": {},  # write-only
    }
    fetched = api.call("GET", f"/api/v1/apps/{shared['id']}").get_data(as_text=True)
    assert "Shared-Secret-5" not in fetched


def test_create_application_custom_saml_gets_a_generated_name(api: Api) -> None:
    first = created(api, SAML)
    second = created(api, SAML)
    # Okta's rule: <org>_<label in letters and digits>_<n> (SPEC Saml2.0ResponseEx).
    assert first["name"] == "mockokta_examplecustomsaml20app_1"
    assert second["name"] == "mockokta_examplecustomsaml20app_2"
    assert first["visibility"]["appLinks"] == {"mockokta_examplecustomsaml20app_1_link": True}
    assert first["signOnMode"] == "SAML_2_0"
    assert first["settings"]["signOn"] == {
        "defaultRelayState": None,
        "ssoAcsUrl": "http://testorgone.okta",
        "idpIssuer": "http://www.okta.com/${org.externalKey}",
        "recipient": "http://testorgone.okta",
        "destination": "http://testorgone.okta",  # the ACS URL's, as Okta's wizard does
        "subjectNameIdTemplate": "${user.userName}",
        "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        "responseSigned": True,
        "assertionSigned": True,
        "signatureAlgorithm": "RSA_SHA256",
        "digestAlgorithm": "SHA256",
        "honorForceAuthn": True,
        "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        "requestCompressed": False,
        "allowMultipleAcsEndpoints": False,
        "acsEndpoints": [],
        "samlSignedRequestEnabled": False,
        "attributeStatements": [],
        "inlineHooks": [],
        "audience": "asdqwe123",
    }
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first["credentials"]["signing"]["kid"])
    assert first["credentials"]["signing"]["kid"] != second["credentials"]["signing"]["kid"]


def test_custom_saml_names_start_with_the_orgs_subdomain(clock: ManualClock) -> None:
    org = Org(
        Settings(db=":memory:", org_url="https://testorgone.okta.com"),
        clock=clock,
        ids=IdFactory(3),
    )
    try:
        app = org.apps.create_application(SAML)
        assert app.name == "testorgone_examplecustomsaml20app_1"
    finally:
        org.close()


def test_create_application_for_microsoft_365_and_google_workspace(api: Api) -> None:
    office = created(api, OFFICE365)
    google = created(api, GOOGLE)
    assert (office["name"], office["signOnMode"]) == ("office365", "SAML_1_1")
    assert (google["name"], google["signOnMode"]) == ("google", "SAML_2_0")
    provisioning = ["PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"]
    assert office["features"] == google["features"] == provisioning
    assert office["settings"]["app"] == OFFICE365["settings"]["app"]


# ----- OPENID_CONNECT: the client id and secret the sign-in issue will use


def test_create_application_oidc_generates_client_id_and_secret(api: Api, org: Org) -> None:
    app = created(api, OIDC)
    client = app["credentials"]["oauthClient"]
    assert list(client) == [
        "autoKeyRotation",
        "client_id",
        "client_secret",
        "token_endpoint_auth_method",
        "pkce_required",
    ]
    assert client["client_id"] == app["id"]  # Okta: the app's id unless one is given
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", client["client_secret"])
    assert client["token_endpoint_auth_method"] == "client_secret_post"
    assert client["autoKeyRotation"] is True
    assert client["pkce_required"] is True  # the default for native and browser apps
    assert app["profile"] == {"label": "oauth2 client app 1"}
    assert app["visibility"]["hide"] == {"iOS": True, "web": True}
    assert app["visibility"]["appLinks"] == {"oidc_client_link": True}
    assert app["settings"]["oauthClient"] == {
        "issuer_mode": "ORG_URL",
        "consent_method": "TRUSTED",
        "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
        "wildcard_redirect": "DISABLED",
        **OIDC["settings"]["oauthClient"],
    }
    found = org.apps.find_oauth_client(client["client_id"])
    assert found is not None
    assert found.verify_secret(client["client_secret"])
    assert not found.verify_secret(client["client_secret"][:-1] + "x")
    assert (found.app_id, found.app_status) == (app["id"], AppStatus.ACTIVE)
    assert found.redirect_uris == ("https://example.com/oauth2/callback", "myapp://callback")
    assert found.grant_types == ("authorization_code",)
    assert found.response_types == ("token", "id_token", "code")
    assert found.token_endpoint_auth_method == "client_secret_post"
    assert found.application_type == "native"
    assert found.pkce_required is True
    assert client["client_secret"] not in repr(found)
    assert org.apps.find_oauth_client("no-such-client") is None


def test_client_secret_is_shown_only_on_create_and_replace(api: Api) -> None:
    """SPEC: 'The client_secret is only shown when an OAuth 2.0 client app is created or
    updated.'"""
    app = created(api, OIDC)
    secret = app["credentials"]["oauthClient"]["client_secret"]
    fetched = api.call("GET", f"/api/v1/apps/{app['id']}").get_json()
    listed = api.call("GET", "/api/v1/apps").get_json()[0]
    for body in (fetched, listed):
        assert "client_secret" not in body["credentials"]["oauthClient"]
        assert body["credentials"]["oauthClient"]["client_id"] == app["id"]
    replaced = api.call("PUT", f"/api/v1/apps/{app['id']}", {**OIDC, "label": "Renamed"})
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    assert replaced.get_json()["credentials"]["oauthClient"]["client_secret"] == secret


def test_oidc_client_id_and_secret_may_be_given(api: Api, org: Org) -> None:
    secret = "A-given-secret-of-32-characters!"
    body = {
        **OIDC,
        "credentials": {
            "oauthClient": {
                "client_id": "legacy-portal",
                "client_secret": secret,
                "token_endpoint_auth_method": "client_secret_basic",
            }
        },
    }
    app = created(api, body)
    client = app["credentials"]["oauthClient"]
    assert (client["client_id"], client["client_secret"]) == ("legacy-portal", secret)
    found = org.apps.find_oauth_client("legacy-portal")
    assert found is not None
    assert found.verify_secret(secret)
    duplicate = api.call("POST", "/api/v1/apps", {**body, "label": "Another"})
    assert_error(
        duplicate,
        400,
        VALIDATION,
        "Api validation failed: client_id",
        ["client_id: An object with this field already exists in the current organization"],
    )


def test_public_clients_have_no_secret_and_need_pkce(api: Api, org: Org) -> None:
    spa = {
        **OIDC,
        "credentials": {},
        "settings": {
            "oauthClient": {
                "redirect_uris": ["https://spa.example.com/callback"],
                "grant_types": ["authorization_code"],
                "application_type": "browser",
            }
        },
    }
    app = created(api, spa)
    assert app["credentials"]["oauthClient"] == {
        "autoKeyRotation": True,
        "client_id": app["id"],
        "token_endpoint_auth_method": "none",
        "pkce_required": True,
    }
    found = org.apps.find_oauth_client(app["id"])
    assert found is not None
    assert found.client_secret is None
    assert not found.verify_secret("")
    refused = api.call(
        "POST",
        "/api/v1/apps",
        {
            **spa,
            "credentials": {
                "oauthClient": {"token_endpoint_auth_method": "none", "pkce_required": False}
            },
        },
    )
    assert_error(
        refused,
        400,
        VALIDATION,
        "Api validation failed: pkce_required",
        [
            "pkce_required: 'pkce_required' must be true when 'token_endpoint_auth_method'"
            " is 'none'."
        ],
    )


def test_service_apps_need_no_redirect_uri(api: Api) -> None:
    service = {
        **OIDC,
        "settings": {
            "oauthClient": {"grant_types": ["client_credentials"], "application_type": "service"}
        },
    }
    app = created(api, service)
    assert app["credentials"]["oauthClient"]["pkce_required"] is False
    assert "redirect_uris" not in app["settings"]["oauthClient"]


def oidc_with_secret(secret: object, method: str = "client_secret_post") -> dict[str, Any]:
    return {
        **OIDC,
        "credentials": {
            "oauthClient": {"client_secret": secret, "token_endpoint_auth_method": method}
        },
    }


SECRET_JWT_CAUSE = (
    "client_secret: 'client_secret' must be at least '32' characters long when"
    " 'token_endpoint_auth_method' is 'client_secret_jwt'."
)
SECRET_CASES = [
    # The SPEC's own example errors, cause for cause.
    (
        "short-secret",
        "client_secret_post",
        "client_secret: 'client_secret' must be at least '14' characters long.",
    ),
    (
        "x" * 101,
        "client_secret_post",
        "client_secret: 'client_secret' can't be more than '100' characters long.",
    ),
    (
        "secret-with-é-in-it",
        "client_secret_post",
        "client_secret: ''client_secret'' must only contain printable ASCII: [x20-x7E]+",
    ),
    ("a-secret-of-31-characters-only!", "client_secret_jwt", SECRET_JWT_CAUSE),
    (
        "a-long-enough-secret-value",
        "private_key_jwt",
        "'client_secret' can't be used when 'token_endpoint_auth_method' is 'private_key_jwt'.",
    ),
]


@pytest.mark.parametrize(("secret", "method", "cause"), SECRET_CASES)
def test_client_secret_errors_are_the_specs(api: Api, secret: str, method: str, cause: str) -> None:
    response = api.call("POST", "/api/v1/apps", oidc_with_secret(secret, method))
    assert_error(response, 400, VALIDATION, "Api validation failed: client_secret", [cause])
    assert api.call("GET", "/api/v1/apps").get_json() == []  # nothing created


SETTINGS_CASES = [
    ({"redirect_uris": ["https://x/cb"]}, "grant_types", "'grant_types' is required."),
    (
        {"grant_types": ["authorization_code"]},
        "redirect_uris",
        "'redirect_uris' is required unless 'grant_types' contains 'password' or"
        " 'client_credentials'.",
    ),
    (
        {"grant_types": ["magic"], "redirect_uris": ["https://x/cb"]},
        "grant_types",
        "Unsupported grant types: magic",
    ),
    (
        {"grant_types": ["authorization_code"], "redirect_uris": "https://x/cb"},
        "redirect_uris",
        "'redirect_uris' must be an array of strings.",
    ),
    (
        {"grant_types": ["password"], "application_type": "desktop"},
        "application_type",
        "'application_type' must be one of ('browser', 'native', 'service', 'web')",
    ),
]


@pytest.mark.parametrize(("oauth_client", "field", "cause"), SETTINGS_CASES)
def test_oidc_settings_are_validated(
    api: Api, oauth_client: dict[str, Any], field: str, cause: str
) -> None:
    body = {**OIDC, "settings": {"oauthClient": oauth_client}}
    response = api.call("POST", "/api/v1/apps", body)
    assert_error(
        response, 400, VALIDATION, f"Api validation failed: {field}", [f"{field}: {cause}"]
    )


def test_client_id_must_be_oktas_shape(api: Api) -> None:
    for client_id in ("short", "ALL_CLIENTS", "has space in it", 42):
        body = {**OIDC, "credentials": {"oauthClient": {"client_id": client_id}}}
        response = api.call("POST", "/api/v1/apps", body)
        assert_error(response, 400, VALIDATION, "Api validation failed: client_id", None)


def test_replace_cannot_change_client_id_or_application_type(api: Api) -> None:
    app = created(api, OIDC)
    changed_id = {**OIDC, "credentials": {"oauthClient": {"client_id": "another-client"}}}
    response = api.call("PUT", f"/api/v1/apps/{app['id']}", changed_id)
    assert_error(
        response,
        400,
        VALIDATION,
        "Api validation failed: client_id",
        ["client_id: 'client_id' can't be changed."],
    )
    web = {
        **OIDC,
        "settings": {"oauthClient": {**OIDC["settings"]["oauthClient"], "application_type": "web"}},
    }
    response = api.call("PUT", f"/api/v1/apps/{app['id']}", web)
    assert_error(
        response,
        400,
        VALIDATION,
        "Api validation failed: application_type",
        ["application_type: 'application_type' can't be changed."],
    )


def test_replace_with_a_new_secret_rotates_it(api: Api, org: Org) -> None:
    app = created(api, OIDC)
    old = app["credentials"]["oauthClient"]["client_secret"]
    new = "A-brand-new-secret-value-for-rotation"
    response = api.call("PUT", f"/api/v1/apps/{app['id']}", oidc_with_secret(new))
    assert response.get_json()["credentials"]["oauthClient"]["client_secret"] == new
    found = org.apps.find_oauth_client(app["id"])
    assert found is not None
    assert found.verify_secret(new)
    assert not found.verify_secret(old)


# ----- create: what Okta refuses


BLANK = "The field cannot be left blank"
MODES = "The mock serves BOOKMARK, BASIC_AUTH, SAML_1_1, SAML_2_0, OPENID_CONNECT"
NAMES = "bookmark, template_basic_auth, oidc_client, office365, google"
SCHEMES = (
    "ADMIN_SETS_CREDENTIALS, EDIT_PASSWORD_ONLY, EDIT_USERNAME_AND_PASSWORD,"
    " EXTERNAL_PASSWORD_SYNC, SHARED_USERNAME_AND_PASSWORD"
)
REFUSED = [
    ({**BOOKMARK, "label": None}, "label", BLANK),
    ({**BOOKMARK, "label": "  "}, "label", BLANK),
    ({**BOOKMARK, "label": "L" * 101}, "label", "The field is too long (at most 100 characters)"),
    ({**BOOKMARK, "signOnMode": None}, "signOnMode", BLANK),
    ({**BOOKMARK, "signOnMode": "AUTO_LOGIN"}, "signOnMode", MODES),
    ({**BOOKMARK, "name": None}, "name", BLANK),
    (
        {**BOOKMARK, "name": "salesforce"},
        "name",
        f"No app definition named 'salesforce'; the mock knows {NAMES}",
    ),
    (
        {**BOOKMARK, "signOnMode": "SAML_2_0"},
        "signOnMode",
        "bookmark supports the sign-on modes BOOKMARK",
    ),
    ({**BOOKMARK, "settings": {"app": {}}}, "settings.app.url", BLANK),
    ({**BOOKMARK, "settings": []}, "settings", "The value must be an object"),
    ({**OFFICE365, "settings": {"app": {"domain": "x.com"}}}, "settings.app.msftTenant", BLANK),
    (
        {**BOOKMARK, "profile": {"a": 1}},
        "profile",
        "The profile is only available to OAuth 2.0 client apps",
    ),
    (
        {**BOOKMARK, "credentials": {"scheme": "ADMIN_SETS_CREDENTIALS"}},
        "scheme",
        "This sign-on mode takes no authentication scheme",
    ),
    (
        {**BASIC_AUTH, "credentials": {"scheme": "MAGIC"}},
        "scheme",
        f"The scheme must be one of {SCHEMES}",
    ),
    ({**SAML, "settings": {"signOn": {"audience": "a"}}}, "settings.signOn.ssoAcsUrl", BLANK),
    (
        {**SAML, "settings": {"signOn": {"ssoAcsUrl": "https://a"}}},
        "settings.signOn.audience",
        BLANK,
    ),
    (
        {**BOOKMARK, "visibility": {"appLinks": {"login": "yes"}}},
        "appLinks",
        "The value must be an object of link names: true|false",
    ),
]


@pytest.mark.parametrize(("body", "field", "cause"), REFUSED)
def test_create_application_refuses_what_okta_refuses(
    api: Api, body: dict[str, Any], field: str, cause: str
) -> None:
    response = api.call("POST", "/api/v1/apps", body)
    assert_error(
        response, 400, VALIDATION, f"Api validation failed: {field}", [f"{field}: {cause}"]
    )
    assert api.call("GET", "/api/v1/apps").get_json() == []


def test_saml_app_must_sign_something(api: Api) -> None:
    sign_on = {**SAML["settings"]["signOn"], "responseSigned": False, "assertionSigned": False}
    response = api.call("POST", "/api/v1/apps", {**SAML, "settings": {"signOn": sign_on}})
    assert_error(
        response,
        400,
        VALIDATION,
        "Api validation failed: settings.signOn",
        ["settings.signOn: Either responseSigned or assertionSigned must be true"],
    )


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b""])
def test_create_application_with_a_bad_body_is_malformed(api: Api, raw: bytes) -> None:
    response = api.call("POST", "/api/v1/apps", raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.")


def test_a_second_app_with_the_same_name_and_label_is_refused(api: Api) -> None:
    created(api, BOOKMARK)
    response = api.call("POST", "/api/v1/apps", {**BOOKMARK, "label": "sample BOOKMARK app"})
    summary = "Application label must not be the same as an existing application label."
    assert_error(response, 400, "E0000040", summary, [f"label: {summary}"])
    # Another app definition may use the label.
    created(api, {**BASIC_AUTH, "label": BOOKMARK["label"]})


def test_unicode_labels_round_trip(api: Api) -> None:
    app = created(api, {**BOOKMARK, "label": "Société Générale — 社内ポータル"})
    assert api.call("GET", f"/api/v1/apps/{app['id']}").get_json()["label"] == app["label"]


# ----- get, list


def test_get_application_of_an_unknown_id_is_404(api: Api) -> None:
    response = api.call("GET", "/api/v1/apps/0oaNoSuchApp0000000")
    assert_error(
        response,
        404,
        "E0000007",
        "Not found: Resource not found: 0oaNoSuchApp0000000 (AppInstance)",
    )


def test_list_applications_pages_with_link_headers(api: Api) -> None:
    ids = sorted(created(api, {**BOOKMARK, "label": f"App {i}"})["id"] for i in range(5))
    first = api.call("GET", "/api/v1/apps?limit=2")
    assert [a["id"] for a in first.get_json()] == ids[:2]
    assert first.headers.getlist("Link") == [
        f'<{BASE}/api/v1/apps?limit=2>; rel="self"',
        f'<{BASE}/api/v1/apps?after={ids[1]}&limit=2>; rel="next"',
    ]
    second = api.call("GET", f"/api/v1/apps?limit=2&after={ids[1]}")
    assert [a["id"] for a in second.get_json()] == ids[2:4]
    last = api.call("GET", f"/api/v1/apps?limit=2&after={ids[3]}")
    assert [a["id"] for a in last.get_json()] == ids[4:]
    assert len(last.headers.getlist("Link")) == 1  # no rel="next" at the end


def test_list_applications_default_page_is_20(api: Api) -> None:
    for i in range(21):
        created(api, {**BOOKMARK, "label": f"App {i}"})
    page = api.call("GET", "/api/v1/apps")
    assert len(page.get_json()) == 20
    assert 'rel="next"' in page.headers.getlist("Link")[1]
    assert len(api.call("GET", "/api/v1/apps?limit=1000").get_json()) == 21  # capped at 200


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_list_applications_with_a_bad_limit_is_invalid_paging(api: Api, limit: str) -> None:
    response = api.call("GET", f"/api/v1/apps?limit={limit}")
    assert_error(response, 400, "E0000029", "Invalid paging request.")


def test_list_applications_q_is_a_prefix_of_name_or_label(api: Api) -> None:
    bookmark = created(api, BOOKMARK)
    office = created(api, OFFICE365)
    saml = created(api, SAML)

    def found(q: str) -> list[str]:
        return [a["id"] for a in api.call("GET", f"/api/v1/apps?q={q}").get_json()]

    assert found("sample") == [bookmark["id"]]  # label, any case
    assert found("office") == [office["id"]]  # name
    assert found("Microsoft") == [office["id"]]
    assert found("mockokta_example") == [saml["id"]]
    assert found("Bookmark") == [bookmark["id"]]
    assert found("App") == []  # a prefix, not a substring
    assert found("%25") == []  # LIKE's wildcard is a plain character


def test_list_applications_filters(api: Api) -> None:
    created(api, BOOKMARK)
    inactive = created(api, {**OFFICE365}, "?activate=false")
    kid = created(api, SAML)["credentials"]["signing"]["kid"]

    def found(expression: str) -> list[str]:
        response = api.call("GET", "/api/v1/apps", query_string={"filter": expression})
        assert response.status_code == 200, response.get_data(as_text=True)
        return [a["name"] for a in response.get_json()]

    assert found('status eq "ACTIVE"') == sorted_names(api, "ACTIVE")
    assert found('status eq "INACTIVE"') == ["office365"]
    assert found('name eq "bookmark"') == ["bookmark"]
    assert found(f'id eq "{inactive["id"]}"') == ["office365"]
    assert found(f'credentials.signing.kid eq "{kid}"') == ["mockokta_examplecustomsaml20app_1"]
    assert found('name eq "nothing"') == []


def sorted_names(api: Api, status: str) -> list[str]:
    return [a["name"] for a in api.call("GET", "/api/v1/apps").get_json() if a["status"] == status]


UNSUPPORTED_FILTERS = [
    'status eq "ACTIVE" and name eq "bookmark"',
    'label eq "x"',
    'status sw "A"',
    "status",
    'group.id eq "00g1"',
]


@pytest.mark.parametrize("expression", UNSUPPORTED_FILTERS)
def test_list_applications_refuses_filters_okta_does_not_support(api: Api, expression: str) -> None:
    response = api.call("GET", "/api/v1/apps", query_string={"filter": expression})
    assert_error(response, 400, "E0000031", "Invalid search criteria.")


# ----- replace


def test_replace_application_changes_what_may_change(api: Api, clock: ManualClock) -> None:
    app = created(api, BOOKMARK)
    clock.advance(60)
    body = {
        **BOOKMARK,
        "id": "0oaIgnored0000000000",
        "name": "ignored",
        "status": "INACTIVE",
        "created": "2001-01-01T00:00:00.000Z",
        "label": "Renamed Bookmark",
        "settings": {"app": {"url": "https://example.com/new.html"}},
    }
    response = api.call("PUT", f"/api/v1/apps/{app['id']}", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    replaced = response.get_json()
    assert (replaced["id"], replaced["name"], replaced["status"]) == (
        app["id"],
        "bookmark",
        "ACTIVE",
    )
    assert replaced["created"] == app["created"]
    assert replaced["lastUpdated"] == "2023-11-14T22:14:20.000Z"
    assert replaced["label"] == "Renamed Bookmark"
    assert replaced["settings"]["app"] == {"url": "https://example.com/new.html"}
    assert replaced["_links"] == app["_links"]  # the same link ids
    assert api.call("GET", f"/api/v1/apps/{app['id']}").get_json() == replaced


def test_replace_application_validates_like_create(api: Api) -> None:
    app = created(api, BOOKMARK)
    before = api.call("GET", f"/api/v1/apps/{app['id']}").get_json()
    response = api.call("PUT", f"/api/v1/apps/{app['id']}", {**BOOKMARK, "settings": {}})
    assert_error(
        response,
        400,
        VALIDATION,
        "Api validation failed: settings.app.url",
        ["settings.app.url: The field cannot be left blank"],
    )
    changed = api.call("PUT", f"/api/v1/apps/{app['id']}", {**BASIC_AUTH, "label": "x"})
    assert_error(
        changed,
        400,
        VALIDATION,
        "Api validation failed: signOnMode",
        ["signOnMode: The sign-on mode of an app can't be changed"],
    )
    assert api.call("GET", f"/api/v1/apps/{app['id']}").get_json() == before
    missing = api.call("PUT", "/api/v1/apps/0oaNoSuchApp0000000", BOOKMARK)
    assert missing.status_code == 404


# ----- lifecycle, delete


def test_deactivate_activate_and_delete_application(api: Api) -> None:
    app = created(api, BOOKMARK)
    path = f"/api/v1/apps/{app['id']}"
    refused = api.call("DELETE", path)
    assert_error(
        refused,
        403,
        "E0000056",
        "Delete application forbidden.",
        ["The application must be deactivated before deletion."],
    )
    for _ in range(2):  # a second deactivation changes nothing
        response = api.call("POST", f"{path}/lifecycle/deactivate")
        assert (response.status_code, response.get_json()) == (200, {})
    assert api.call("GET", path).get_json()["status"] == "INACTIVE"
    response = api.call("POST", f"{path}/lifecycle/activate")
    assert (response.status_code, response.get_json()) == (200, {})
    assert api.call("GET", path).get_json()["status"] == "ACTIVE"
    api.call("POST", f"{path}/lifecycle/deactivate")
    deleted = api.call("DELETE", path)
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert "Content-Type" not in deleted.headers
    assert_error(
        api.call("GET", path),
        404,
        "E0000007",
        f"Not found: Resource not found: {app['id']} (AppInstance)",
    )
    assert api.call("DELETE", path).status_code == 404


@pytest.mark.parametrize("op", ["activate", "deactivate"])
def test_lifecycle_of_an_unknown_app_is_404(api: Api, op: str) -> None:
    response = api.call("POST", f"/api/v1/apps/0oaNoSuchApp0000000/lifecycle/{op}")
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == "E0000007"


def test_apps_survive_a_restart_and_go_with_a_reset(tmp_path: Any, clock: ManualClock) -> None:
    path = str(tmp_path / "apps.db")
    org = Org(Settings(db=path, seed=1), clock=clock)
    app = org.apps.create_application(OIDC)
    org.close()
    again = Org(Settings(db=path, seed=1), clock=clock, publish=False)
    try:
        kept = again.apps.get_application(app.id)
        assert (kept.label, kept.client_secret) == (app.label, app.client_secret)
        again.reset()
        assert again.apps.find_oauth_client(app.id) is None
    finally:
        again.close()


# ----- the apps rate-limit bucket (reference.md §5: /api/v1/apps*)


def test_apps_requests_count_against_the_apps_bucket(
    api: Api, org: Org, clock: ManualClock
) -> None:
    org.configure({"tokenShare": 100})  # the bucket's whole limit for the one token
    app = created(api, BOOKMARK)
    uid = api.created_id(credentials={"password": {"value": "Correct-Horse-9"}})
    assigned = api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid})
    assert assigned.headers["X-Rate-Limit-Limit"] == "100"  # workforce: 100 a minute
    assert assigned.headers["X-Rate-Limit-Remaining"] == "98"  # the create counted too
    links = api.call("GET", f"/api/v1/users/{uid}/appLinks")
    assert links.headers["X-Rate-Limit-Limit"] == "1200"  # PARITY: "most other /api/v1"
    org.configure({"limits": {"apps": 3}})
    api.call("GET", f"/api/v1/apps/{app['id']}")
    refused = api.call("GET", "/api/v1/apps")
    assert refused.status_code == 429
    assert refused.get_json()["errorCode"] == "E0000047"
    assert (refused.headers["X-Rate-Limit-Limit"], refused.headers["X-Rate-Limit-Remaining"]) == (
        "3",
        "0",
    )
    assert api.call("GET", "/api/v1/users").status_code == 200  # another bucket
    stats = api.call("GET", "/_mock/stats").get_json()["buckets"]["apps"]
    assert (stats["requests"], stats["rateLimited"], stats["limitPerMinute"]) == (4, 1, 3)
    clock.advance(60)
    assert api.call("GET", "/api/v1/apps").status_code == 200


def test_integrator_free_orgs_get_20_apps_requests_a_minute(api: Api, org: Org) -> None:
    org.configure({"rateLimits": "integrator-free"})
    # 20 for the org; the one token sees its default share, half
    assert api.call("GET", "/api/v1/apps").headers["X-Rate-Limit-Limit"] == "10"
    org.configure({"tokenShare": 100})
    assert api.call("GET", "/api/v1/apps").headers["X-Rate-Limit-Limit"] == "20"
