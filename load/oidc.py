"""The go-live login storm as apps sign in: OAuth 2.0 / OIDC against the `default` server.

    locust -f load/locustfile.py OidcLoginUser --headless ... --dataset DIR --seed-org --rounds 2

Even rounds sign in through the authorization code flow with PKCE, as a browser would but without
one (the hosted sign-in form is posted, the code exchanged at /token); odd rounds use the
resource owner password grant. The first round verifies the imported hash; later ones are
repeats. The OIDC app is made by the scenario with a known client id, so every process knows it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

import gevent  # type: ignore[import-untyped]
import requests
from locust import task
from locust.env import Environment

from mock_okta.load.okta import describe, header
from mock_okta.load.options import option
from mock_okta.load.users import ItemUser, LoginUser

CLIENT_ID: Final = "mock-okta-rehearsal"
CLIENT_SECRET: Final = "mock-okta-rehearsal-client-secret-0001"
REDIRECT_URI: Final = "http://127.0.0.1/rehearsal/callback"  # never followed
PREFIX: Final = "/oauth2/default/v1"
HIDDEN: Final = re.compile(r"<input type='hidden' name='([^']*)' value='([^']*)'>")
APP: Final = {
    "name": "oidc_client",
    "label": "mock-okta rehearsal",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {
        "oauthClient": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_endpoint_auth_method": "client_secret_basic",
        }
    },
    "settings": {
        "oauthClient": {
            "redirect_uris": [REDIRECT_URI],
            "response_types": ["code"],
            "grant_types": ["authorization_code", "password"],
            "application_type": "web",
        }
    },
}


def register_app(environment: Environment) -> None:
    """The rehearsal's OIDC app, once: a second run finds it (400 for the taken client_id)."""
    token = str(option(environment, "token")).split(",")[0].strip()
    url = f"{(environment.host or '').rstrip('/')}/api/v1/apps"
    r = requests.post(url, json=APP, headers={"Authorization": f"SSWS {token}"}, timeout=60)
    if r.status_code not in (200, 400):
        raise RuntimeError(f"creating the rehearsal's OIDC app failed: {r.status_code} {r.text}")


def _problem(status: int, text: str) -> str:
    """What went wrong, in Okta's words: an OAuth error, an Okta error, or the page."""
    try:
        body = json.loads(text)
    except ValueError:
        return f"{status}: {text[:200]}"
    if isinstance(body, dict) and "error" in body:
        return f"{status} {body['error']}: {body.get('error_description')}"
    return describe(status, body)


def _basic() -> str:
    return "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()


class OidcLoginUser(ItemUser):
    """Go-live login storm through /oauth2/default: code flow + PKCE, then the password grant."""

    scenario = "oidc-login"
    weight = 10

    load_items = LoginUser.load_items
    rounds = LoginUser.rounds

    @classmethod
    def prepare(cls, environment: Environment, items: Sequence[Any]) -> None:
        LoginUser.prepare(environment, items)
        register_app(environment)

    @task
    def sign_in(self) -> None:
        item, round_ = self.take()
        kind = "first" if round_ == 0 else "repeat"
        password = item.password or ""
        try:
            if round_ % 2 == 0:
                self._code_flow(item.login, password, kind)
            else:
                self._password_grant(item.login, password, kind)
        finally:
            self._done()

    def _code_flow(self, login: str, password: str, kind: str) -> None:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": REDIRECT_URI,
            "state": secrets.token_urlsafe(8),
            "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        self.client.cookiejar.clear()  # a new customer: no session of the last one
        page = self._send(
            "GET", f"{PREFIX}/authorize?{urlencode(params)}", f"{PREFIX}/authorize", None, {}
        )
        if page is None:
            return
        form = {**dict(HIDDEN.findall(page.text or "")), "username": login, "password": password}
        back = self._send("POST", f"{PREFIX}/signin", f"{PREFIX}/signin [{kind}]", form, {}, 302)
        if back is None:
            return
        query = parse_qs(urlsplit(header(back.headers, "Location") or "").query)
        code = (query.get("code") or [""])[0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }
        headers = {"Authorization": _basic()}
        self._send("POST", f"{PREFIX}/token", f"{PREFIX}/token [code]", form, headers)

    def _password_grant(self, login: str, password: str, kind: str) -> None:
        form = {"grant_type": "password", "username": login, "password": password}
        form["scope"] = "openid profile email"
        headers = {"Authorization": _basic()}
        self._send("POST", f"{PREFIX}/token", f"{PREFIX}/token [password {kind}]", form, headers)

    def _send(
        self,
        method: str,
        path: str,
        name: str,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str],
        expect: int = 200,
    ) -> Any:
        """One request, again after each 429 (paced on X-Rate-Limit-Reset); None on failure."""
        bucket = name.split(" ")[0]
        pacer = self.coordinator.pacer
        sent = dict(headers)
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        while True:
            pacer.wait(bucket)
            with self.client.request(
                method,
                path,
                name=name,
                data=body,
                headers=sent,
                allow_redirects=False,
                catch_response=True,
            ) as resp:
                status = resp.status_code
                alone = pacer.observe(
                    bucket,
                    status,
                    header(resp.headers, "X-Rate-Limit-Limit"),
                    header(resp.headers, "X-Rate-Limit-Remaining"),
                    header(resp.headers, "X-Rate-Limit-Reset"),
                )
                if status == 429:
                    resp.success()
                    resp.request_meta["name"] = f"{name} [429]"
                elif status == expect:
                    resp.success()
                    return resp
                else:
                    resp.failure(_problem(status, resp.text or ""))
                    return None
            if alone > 0:
                gevent.sleep(alone)
