"""Real OIDC clients against a live mock: the team's app signs its migrated users in.

The app is a small Flask app using Authlib's Flask client, pointed at
`{mock}/oauth2/default` by discovery; Authlib does the code flow with PKCE S256 and validates
the ID token (signature against the mock's JWKS, iss, aud, nonce, exp) itself. It is driven
over HTTP with `requests` (the hosted form posted as a browser would) and, in the browser
test, by headless Chromium.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask, jsonify, url_for
from werkzeug.serving import make_server

from mock_okta.config import Settings
from mock_okta.hashing import NativeHash
from mock_okta.testing import LiveServer
from tests.browser import BrowserPage
from tests.e2e.test_password_import_hook import HOOK_USER, ScriptedHook, register_hook
from tests.helpers import PASSWORD, bcrypt_hash, sha_hash, with_hash

authlib_flask = pytest.importorskip(
    "authlib.integrations.flask_client", reason="Authlib is in the `test` extra"
)

LOGIN = "isaac.brock@example.com"
HIDDEN = re.compile(r"<input type='hidden' name='([^']*)' value='([^']*)'>")


class _Api:
    """The mock's management API over HTTP, as the migration tool reaches it."""

    def __init__(self, live: LiveServer) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"SSWS {live.token}"
        self.url = live.url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.session.request(method, f"{self.url}{path}", json=body)
        response.get_json = response.json  # type: ignore[attr-defined]  # register_hook's API
        response.get_data = lambda as_text=True: response.text  # type: ignore[attr-defined]
        return response


@dataclass
class TeamApp:
    url: str
    client_id: str
    client_secret: str


def start_team_app(mock_url: str, client_id: str, secret: str) -> tuple[Any, TeamApp]:
    """The team's app on a free port: /login starts the code flow, /callback shows the claims."""
    app = Flask("team-app")
    app.secret_key = "team-app-session-key"
    oauth = authlib_flask.OAuth(app)
    oauth.register(
        "okta",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{mock_url}/oauth2/default/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )

    @app.get("/login")
    def login() -> Any:
        return oauth.okta.authorize_redirect(url_for("callback", _external=True))

    @app.get("/callback")
    def callback() -> Any:
        token = oauth.okta.authorize_access_token()  # checks the ID token against the JWKS
        return jsonify({"userinfo": dict(token["userinfo"]), "scope": token["scope"]})

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, TeamApp(f"http://127.0.0.1:{server.server_port}", client_id, secret)


@pytest.fixture
def mock() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as live:
        yield live
        live.check_errors()


@pytest.fixture
def team_app(mock: LiveServer) -> Iterator[TeamApp]:
    api = _Api(mock)
    server, team = None, None
    body = {
        "name": "oidc_client",
        "label": "Team app",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "redirect_uris": ["http://127.0.0.1:0/callback"],  # replaced below
                "response_types": ["code"],
                "grant_types": ["authorization_code", "password"],
                "application_type": "web",
            }
        },
    }
    created = api.call("POST", "/api/v1/apps", body).json()
    creds = created["credentials"]["oauthClient"]
    server, team = start_team_app(mock.url, creds["client_id"], creds["client_secret"])
    body["settings"]["oauthClient"]["redirect_uris"] = [f"{team.url}/callback"]
    body["credentials"]["oauthClient"]["client_secret"] = creds["client_secret"]
    replaced = api.call("PUT", f"/api/v1/apps/{created['id']}", body)
    assert replaced.status_code == 200, replaced.text
    yield team
    server.shutdown()


def create_user(mock: LiveServer, credentials: dict[str, Any]) -> str:
    profile = {"login": LOGIN, "email": LOGIN, "firstName": "Isaac", "lastName": "Brock"}
    response = _Api(mock).call(
        "POST", "/api/v1/users", {"profile": profile, "credentials": credentials}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def sign_in_over_http(team: TeamApp, password: str) -> requests.Response:
    """A browser without JavaScript: follow redirects, post the hosted form."""
    browser = requests.Session()
    page = browser.get(f"{team.url}/login", timeout=10)
    assert page.status_code == 200, page.text
    assert "<h1>Sign In</h1>" in page.text
    action = re.search(r"<form method='post' action='([^']*)'", page.text)
    assert action is not None
    form = {**dict(HIDDEN.findall(page.text)), "username": LOGIN, "password": password}
    base = page.url.split("/oauth2/")[0]
    return browser.post(f"{base}{action.group(1)}", data=form, timeout=10)


@pytest.mark.parametrize(
    "credential",
    [with_hash(sha_hash(PASSWORD)), with_hash(bcrypt_hash(PASSWORD, cost=10))],
    ids=["sha256", "bcrypt10"],
)
def test_authlib_signs_an_imported_user_in_with_code_and_pkce(
    mock: LiveServer, team_app: TeamApp, credential: dict[str, Any]
) -> None:
    uid = create_user(mock, credential)
    done = sign_in_over_http(team_app, PASSWORD)
    assert done.status_code == 200, done.text
    info = done.json()["userinfo"]
    assert info["sub"] == uid
    assert info["iss"] == f"{mock.url}/oauth2/default"
    assert info["aud"] == team_app.client_id
    assert info["email"] == LOGIN
    assert isinstance(mock.org.store.get_user(uid).password, NativeHash)  # re-hashed


def test_authlib_signs_a_hook_user_in_and_the_hook_sees_the_endpoint(
    mock: LiveServer, team_app: TeamApp
) -> None:
    hook = ScriptedHook()
    try:
        register_hook(_Api(mock), hook.url)  # type: ignore[arg-type]
        uid = create_user(mock, HOOK_USER)
        done = sign_in_over_http(team_app, "Legacy-Secret-9931")
        assert done.status_code == 200, done.text
        assert done.json()["userinfo"]["sub"] == uid
        (call,) = hook.received
        context = call.json()["data"]["context"]
        assert context["request"]["url"] == {"value": "/oauth2/default/v1/signin"}
        assert context["credential"] == {"username": LOGIN, "password": "Legacy-Secret-9931"}
        # The password grant asks no hook now: the user was re-hashed on the hosted page.
        token = requests.post(
            f"{mock.url}/oauth2/default/v1/token",
            data={
                "grant_type": "password",
                "username": LOGIN,
                "password": "Legacy-Secret-9931",
                "scope": "openid",
            },
            auth=(team_app.client_id, team_app.client_secret),
            timeout=10,
        )
        assert token.status_code == 200, token.text
        assert len(hook.received) == 1
    finally:
        hook.stop()


def test_the_password_grant_calls_the_hook_with_its_endpoint(
    mock: LiveServer, team_app: TeamApp
) -> None:
    hook = ScriptedHook()
    try:
        register_hook(_Api(mock), hook.url)  # type: ignore[arg-type]
        create_user(mock, HOOK_USER)
        form = {"grant_type": "password", "username": LOGIN, "password": "Legacy-Secret-9931"}
        token = requests.post(
            f"{mock.url}/oauth2/default/v1/token",
            data={**form, "scope": "openid"},
            auth=(team_app.client_id, team_app.client_secret),
            timeout=10,
        )
        assert token.status_code == 200, token.text
        (call,) = hook.received
        url = call.json()["data"]["context"]["request"]["url"]
        assert url == {"value": "/oauth2/default/v1/token"}
    finally:
        hook.stop()


def test_a_real_browser_signs_in_through_the_hosted_page(
    mock: LiveServer, team_app: TeamApp, browser_page: BrowserPage
) -> None:
    uid = create_user(mock, with_hash(sha_hash(PASSWORD)))
    page = browser_page.page
    page.goto(f"{team_app.url}/login")
    assert page.title() == "mock-okta - Sign In"
    page.get_by_label("Username").fill(LOGIN)
    page.get_by_label("Password").fill("Not-The-Password-1")
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_role("alert").inner_text() == "Unable to sign in"
    wrong = browser_page.screenshot("wrong-password")
    assert page.get_by_label("Username").input_value() == LOGIN  # kept, as Okta's page does
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{team_app.url}/callback*")
    signed_in = browser_page.screenshot("signed-in")
    body = page.inner_text("body")
    assert f'"sub":"{uid}"' in body.replace(" ", "")
    assert wrong.stat().st_size > 0
    assert signed_in.stat().st_size > 0
    # Only the favicon and the 401 of the wrong password: no script error anywhere.
    assert all(m.startswith("Failed to load resource") for m in browser_page.console_errors)


def test_a_real_browser_changes_an_expired_password_on_the_hosted_page(
    mock: LiveServer, team_app: TeamApp, browser_page: BrowserPage
) -> None:
    uid = create_user(mock, with_hash(bcrypt_hash(PASSWORD)))
    expired = _Api(mock).call("POST", f"/api/v1/users/{uid}/lifecycle/expire_password")
    assert expired.status_code == 200, expired.text
    page = browser_page.page
    page.goto(f"{team_app.url}/login")
    page.get_by_label("Username").fill(LOGIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_role("alert").inner_text() == "Your password has expired."
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password").fill("Battery-Staple-42")
    page.get_by_label("Repeat password").fill("Battery-Staple-42")
    form = browser_page.screenshot("expired-password-form")
    page.get_by_role("button", name="Change Password").click()
    page.wait_for_url(f"{team_app.url}/callback*")
    assert f'"sub":"{uid}"' in page.inner_text("body").replace(" ", "")
    assert form.stat().st_size > 0
    user = _Api(mock).call("GET", f"/api/v1/users/{uid}").json()
    assert user["status"] == "ACTIVE"
    assert all(m.startswith("Failed to load resource") for m in browser_page.console_errors)
