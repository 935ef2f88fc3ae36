"""OAuth 2.0 / OpenID Connect: the org and `default` authorization servers (issue #17).

Through the Flask test client: discovery, keys, the code flow with PKCE through the hosted
sign-in page and with a sessionToken, every grant, and Okta's error for each bad input with
nothing else changed. Tokens are checked with `cryptography` against the published JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask.testing import FlaskClient

from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org
from tests.conftest import AUTH, Api
from tests.helpers import PASSWORD, bcrypt_hash, sha_hash, with_hash, with_password
from tests.http.test_apps import created

BASE = "http://localhost"
ISSUER = f"{BASE}/oauth2/default"
CALLBACK = "https://app.example.com/callback"
LOGIN = "isaac.brock@example.com"
VERIFIER = "a-code-verifier-of-at-least-43-characters-0123456789"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
WEB: dict[str, Any] = {
    "name": "oidc_client",
    "label": "Customer portal",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
    "settings": {
        "oauthClient": {
            "redirect_uris": [CALLBACK],
            "post_logout_redirect_uris": ["https://app.example.com/bye"],
            "response_types": ["code"],
            "grant_types": [
                "authorization_code",
                "refresh_token",
                "password",
                "client_credentials",
            ],
            "application_type": "web",
        }
    },
}


def oidc_app(api: Api, body: dict[str, Any] = WEB) -> tuple[str, str]:
    app = created(api, body)
    creds = app["credentials"]["oauthClient"]
    return creds["client_id"], creds.get("client_secret", "")


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def authorize_params(client_id: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid profile email offline_access",
        "redirect_uri": CALLBACK,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": CHALLENGE.decode(),
        "code_challenge_method": "S256",
        **extra,
    }


def location(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.get_data(as_text=True)
    url = urlsplit(response.headers["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page))


def sign_in(client: FlaskClient, client_id: str, password: str, **extra: str) -> Any:
    """GET authorize (the hosted page), then POST its form as a browser would."""
    page = client.get(
        "/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id, **extra))
    )
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "<label for='username'>Username</label>" in html
    form = {**hidden_fields(html), "username": LOGIN, "password": password}
    return client.post("/oauth2/default/v1/signin", data=form)


def exchange(client: FlaskClient, client_id: str, secret: str, code: str, **extra: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
        **extra,
    }
    return client.post("/oauth2/default/v1/token", data=form, headers=basic(client_id, secret))


def jwks_key(client: FlaskClient, kid: str, prefix: str = "/oauth2/default") -> rsa.RSAPublicKey:
    keys = client.get(f"{prefix}/v1/keys").get_json()["keys"]
    (jwk,) = [k for k in keys if k["kid"] == kid]
    n = int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(jwk["e"] + "=="), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verified(client: FlaskClient, token: str, prefix: str = "/oauth2/default") -> dict[str, Any]:
    """The claims, after checking the RS256 signature against the server's JWKS."""
    head, payload, signature = token.split(".")
    header = json.loads(unb64(head))
    assert header["alg"] == "RS256"
    key = jwks_key(client, header["kid"], prefix)
    key.verify(unb64(signature), f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    claims: dict[str, Any] = json.loads(unb64(payload))
    return claims


def grants(org: Org) -> list[tuple[str, str]]:
    with org.db.read() as conn:
        return conn.execute("SELECT kind, handle FROM oauth_grants ORDER BY handle").fetchall()


# ----- discovery and keys


def test_discovery_follows_the_host_for_both_servers(client: FlaskClient) -> None:
    default = client.get("/oauth2/default/.well-known/openid-configuration").get_json()
    assert default["issuer"] == ISSUER
    assert default["authorization_endpoint"] == f"{ISSUER}/v1/authorize"
    assert default["token_endpoint"] == f"{ISSUER}/v1/token"
    assert default["jwks_uri"] == f"{ISSUER}/v1/keys"
    assert default["code_challenge_methods_supported"] == ["S256"]
    org_doc = client.get("/.well-known/openid-configuration", base_url="http://acme.test:9000")
    assert org_doc.get_json()["issuer"] == "http://acme.test:9000"
    assert org_doc.get_json()["token_endpoint"] == "http://acme.test:9000/oauth2/v1/token"
    oauth = client.get("/oauth2/default/.well-known/oauth-authorization-server").get_json()
    assert oauth["issuer"] == ISSUER
    assert "userinfo_endpoint" not in oauth


def test_keys_survive_a_restart_and_a_rotation_keeps_the_old_key(tmp_path: Any) -> None:
    from mock_okta.app import create_app

    db = str(tmp_path / "okta.db")
    first = Org(Settings(db=db, seed=3), clock=ManualClock(), ids=IdFactory(3))
    token = first.oauth.keys.sign("default", {"sub": "x"})
    kid = json.loads(unb64(token.split(".")[0]))["kid"]
    first.close()
    second = Org(Settings(db=db, seed=3), clock=ManualClock(), ids=IdFactory(3))
    client = create_app(org=second).test_client()
    assert [k["kid"] for k in client.get("/oauth2/default/v1/keys").get_json()["keys"]] == [kid]
    assert verified(client, token)["sub"] == "x"
    rotated = client.post("/_mock/oauth/keys/rotate?server=default", headers=AUTH).get_json()
    new_kid = rotated["keys"]["default"]
    keys = [k["kid"] for k in client.get("/oauth2/default/v1/keys").get_json()["keys"]]
    assert keys == [new_kid, kid]
    assert verified(client, token)["sub"] == "x"  # signed before the rotation: still verifies
    assert json.loads(unb64(second.oauth.keys.sign("default", {}).split(".")[0]))["kid"] == new_kid
    second.close()


# ----- the code flow


@pytest.mark.parametrize(
    "credential",
    [with_hash(sha_hash(PASSWORD)), with_hash(bcrypt_hash(PASSWORD)), with_password()],
    ids=["sha256", "bcrypt", "plain"],
)
def test_code_flow_with_pkce_through_the_hosted_page(
    api: Api, client: FlaskClient, org: Org, credential: dict[str, Any]
) -> None:
    uid = api.created_id(LOGIN, credentials=credential)
    client_id, secret = oidc_app(api)
    back = location(sign_in(client, client_id, PASSWORD))
    assert back["state"] == "st-1"
    response = exchange(client, client_id, secret, back["code"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert list(body) == [
        "token_type",
        "expires_in",
        "access_token",
        "scope",
        "refresh_token",
        "id_token",
    ]
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    now = int(org.clock.now())
    id_claims = verified(client, body["id_token"])
    assert id_claims["sub"] == uid
    assert id_claims["iss"] == ISSUER
    assert id_claims["aud"] == client_id
    assert id_claims["nonce"] == "n-1"
    assert id_claims["amr"] == ["pwd"]
    assert (id_claims["iat"], id_claims["exp"]) == (now, now + 3600)
    assert id_claims["email"] == LOGIN
    assert id_claims["preferred_username"] == LOGIN
    assert id_claims["name"] == "Isaac Brock"
    assert id_claims["ver"] == 1
    assert id_claims["jti"].startswith("ID.")
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    access = verified(client, body["access_token"])
    assert access["aud"] == "api://default"
    assert (access["cid"], access["uid"], access["sub"]) == (client_id, uid, LOGIN)
    assert access["scp"] == ["openid", "profile", "email", "offline_access"]
    # Imported hashes were re-hashed on this first sign-in, as on /api/v1/authn.
    assert type(org.store.get_user(uid).password).__name__ == "NativeHash"

    info = client.get(
        "/oauth2/default/v1/userinfo", headers={"Authorization": "Bearer " + body["access_token"]}
    )
    assert info.status_code == 200
    assert info.get_json()["sub"] == uid
    assert info.get_json()["email"] == LOGIN


def test_a_second_authorize_is_silent_and_prompt_none_without_session_says_login_required(
    api: Api, client: FlaskClient, app: Any
) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, _ = oidc_app(api)
    location(sign_in(client, client_id, PASSWORD))
    again = client.get(
        "/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id, prompt="none"))
    )
    assert "code" in location(again)
    fresh = app.test_client()
    answer = location(
        fresh.get(
            "/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id, prompt="none"))
        )
    )
    assert answer == {
        "error": "login_required",
        "error_description": "The client specified not to prompt, but the user is not logged in.",
        "state": "st-1",
    }


def test_session_token_from_authn_is_exchanged_once_through_authorize(
    api: Api, client: FlaskClient
) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, secret = oidc_app(api)
    session_token = api.authn(LOGIN, PASSWORD).get_json()["sessionToken"]
    query = urlencode(authorize_params(client_id, sessionToken=session_token, prompt="none"))
    back = location(client.get(f"/oauth2/default/v1/authorize?{query}"))
    assert exchange(client, client_id, secret, back["code"]).status_code == 200
    replay = location(FlaskClient(client.application).get(f"/oauth2/default/v1/authorize?{query}"))
    assert replay["error"] == "login_required"  # one-time, and no cookie in a new browser


def test_form_post_response_mode_posts_the_code(api: Api, client: FlaskClient) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, _ = oidc_app(api)
    page = sign_in(client, client_id, PASSWORD, response_mode="form_post")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"action='{CALLBACK}'" in html
    assert hidden_fields(html)["state"] == "st-1"
    assert "code" in hidden_fields(html)


def test_wrong_password_shows_the_error_and_the_journal_says_why(
    api: Api, client: FlaskClient, org: Org
) -> None:
    api.created_id(LOGIN, credentials=with_hash(sha_hash("Another-Password-1")))
    client_id, _ = oidc_app(api)
    page = sign_in(client, client_id, PASSWORD)
    assert page.status_code == 401
    assert "<p role='alert' id='error' class='error'>Unable to sign in</p>" in page.get_data(
        as_text=True
    )
    org.settle()
    entries = client.get("/_mock/requests", headers=AUTH).get_json()
    entry = next(e for e in entries["entries"] if e["path"] == "/oauth2/default/v1/signin")
    assert entry["errorCode"] == "E0000004"
    assert "SHA-256" in entry["detail"]


def test_lockout_shows_on_the_hosted_page(
    api: Api, client: FlaskClient, org: Org, clock: ManualClock
) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, _ = oidc_app(api)
    for _ in range(org.runtime().lockout_attempts):
        sign_in(client, client_id, "Wrong-Password-1")
        clock.advance(1)  # within the per-username 4 a second
    page = sign_in(client, client_id, PASSWORD)
    assert page.status_code == 401
    assert "Your account is locked." in page.get_data(as_text=True)


# ----- the other grants, introspect, revoke, logout


PASSWORD_GRANT = {
    "grant_type": "password",
    "username": LOGIN,
    "password": PASSWORD,
    "scope": "openid offline_access",
}


def password_grant(api: Api, client: FlaskClient) -> tuple[str, str, str, dict[str, Any]]:
    """A user with a password and the web app; their password grant's tokens.
    Returns the user's id, the app's client id and secret, and the token response."""
    uid = api.created_id(LOGIN, credentials=with_password())
    client_id, secret = oidc_app(api)
    tokens = client.post(
        "/oauth2/default/v1/token", data=PASSWORD_GRANT, headers=basic(client_id, secret)
    ).get_json()
    return uid, client_id, secret, tokens


def test_refresh_password_and_client_credentials_grants(api: Api, client: FlaskClient) -> None:
    uid, client_id, secret, tokens = password_grant(api, client)
    assert verified(client, tokens["id_token"])["sub"] == uid
    refreshed = client.post(
        "/oauth2/default/v1/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    assert refreshed.get_json()["refresh_token"] == tokens["refresh_token"]
    machine = client.post(
        "/oauth2/default/v1/token",
        data={"grant_type": "client_credentials", "scope": "reports.read"},
        headers=basic(client_id, secret),
    ).get_json()
    claims = verified(client, machine["access_token"])
    assert (claims["sub"], claims["scp"], "uid" in claims) == (client_id, ["reports.read"], False)
    wrong = client.post(
        "/oauth2/default/v1/token",
        data={**PASSWORD_GRANT, "password": "Wrong-1"},
        headers=basic(client_id, secret),
    )
    assert wrong.status_code == 400
    assert wrong.get_json() == {
        "error": "invalid_grant",
        "error_description": "The credentials provided were invalid.",
    }


def test_introspect_revoke_and_logout(api: Api, client: FlaskClient) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, secret = oidc_app(api)
    tokens = exchange(
        client, client_id, secret, location(sign_in(client, client_id, PASSWORD))["code"]
    ).get_json()
    auth = basic(client_id, secret)
    active = client.post(
        "/oauth2/default/v1/introspect", data={"token": tokens["access_token"]}, headers=auth
    )
    assert active.get_json()["active"] is True
    assert active.get_json()["username"] == LOGIN
    assert (
        client.post(
            "/oauth2/default/v1/revoke", data={"token": tokens["access_token"]}, headers=auth
        ).status_code
        == 200
    )
    gone = client.post(
        "/oauth2/default/v1/introspect", data={"token": tokens["access_token"]}, headers=auth
    )
    assert gone.get_json() == {"active": False}
    info = client.get(
        "/oauth2/default/v1/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]}
    )
    assert info.status_code == 401
    assert 'error="invalid_token"' in info.headers["WWW-Authenticate"]
    out = client.get(
        "/oauth2/default/v1/logout?"
        + urlencode(
            {
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "https://app.example.com/bye",
                "state": "s",
            }
        )
    )
    assert out.headers["Location"] == "https://app.example.com/bye?state=s"
    silent = client.get(
        "/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id, prompt="none"))
    )
    assert location(silent)["error"] == "login_required"


# ----- bad input: Okta's error, and nothing else changes


def test_unknown_client_and_unregistered_redirect_show_oktas_error_page(
    api: Api, client: FlaskClient, org: Org
) -> None:
    client_id, _ = oidc_app(api)
    page = client.get(
        "/oauth2/default/v1/authorize?"
        + urlencode(authorize_params(client_id, redirect_uri="https://evil.example.com/cb"))
    )
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "<code id='error-code'>invalid_request</code>" in html
    assert (
        "The &#x27;redirect_uri&#x27; parameter must be a Login redirect URI in the client app"
        " settings" in html
    )
    assert "Location" not in page.headers
    unknown = client.get(
        "/oauth2/default/v1/authorize?" + urlencode(authorize_params("no-such-client"))
    )
    assert unknown.status_code == 400
    assert "<code id='error-code'>invalid_client</code>" in unknown.get_data(as_text=True)
    assert grants(org) == []


def test_token_errors_are_oktas_and_change_nothing(
    api: Api, client: FlaskClient, org: Org, clock: ManualClock
) -> None:
    uid = api.created_id(LOGIN, credentials=with_password())
    client_id, secret = oidc_app(api)
    code = location(sign_in(client, client_id, PASSWORD))["code"]
    before = (grants(org), org.store.get_user(uid))
    invalid_client = {
        "error": "invalid_client",
        "error_description": "Client authentication failed. Either the client or the client"
        " credentials are invalid.",
    }
    cases = [
        (exchange(client, client_id, secret[:-1] + "x", code), 401, invalid_client),
        (exchange(client, "no-such-client", secret, code), 401, invalid_client),
        (
            exchange(client, client_id, secret, code, code_verifier="x" * 43),
            400,
            {"error": "invalid_grant", "error_description": "PKCE verification failed."},
        ),
        (
            exchange(client, client_id, secret, "not-a-code"),
            400,
            {
                "error": "invalid_grant",
                "error_description": "The authorization code is invalid or has expired.",
            },
        ),
    ]
    for response, status, body in cases:
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.get_json() == body
    assert (grants(org), org.store.get_user(uid)) == before
    assert exchange(client, client_id, secret, code).status_code == 200  # still good once
    reused = exchange(client, client_id, secret, code)
    assert reused.get_json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code is invalid or has expired.",
    }
    late = location(
        client.get("/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id)))
    )["code"]
    clock.advance(61)  # Okta's codes live 60 seconds
    expired = exchange(client, client_id, secret, late)
    assert expired.status_code == 400
    assert (
        expired.get_json()["error_description"]
        == "The authorization code is invalid or has expired."
    )
    token = exchange(
        client,
        client_id,
        secret,
        location(
            client.get("/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id)))
        )["code"],
    ).get_json()["id_token"]
    head, payload, sig = token.split(".")
    with pytest.raises(InvalidSignature):  # the JWKS check itself can fail
        verified(client, f"{head}.{payload}.{sig[:-4]}AAAA")


# ----- rate limits


def test_buckets_and_the_per_username_limit_on_the_password_grant(
    api: Api, client: FlaskClient, org: Org
) -> None:
    api.created_id(LOGIN, credentials=with_password())
    client_id, secret = oidc_app(api)
    limits = org.runtime().rate_limits
    keys = client.get("/oauth2/default/v1/keys")
    assert "X-Rate-Limit-Limit" not in keys.headers  # public metadata: never limited
    page = client.get("/oauth2/default/v1/authorize?" + urlencode(authorize_params(client_id)))
    assert page.headers["X-Rate-Limit-Limit"] == str(org.limit("oauth2.authorize"))
    assert org.limit("oauth2.authorize") == {"workforce": 2000, "customer-identity": 1200}.get(
        limits, org.limit("oauth2.authorize")
    )
    form = {"grant_type": "password", "username": LOGIN, "password": PASSWORD, "scope": "openid"}
    answers = [
        client.post("/oauth2/default/v1/token", data=form, headers=basic(client_id, secret))
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert answers[4].get_json()["errorCode"] == "E0000047"
    assert answers[0].headers["X-Rate-Limit-Limit"] == str(org.limit("oauth2.token"))
    # Another user is not held back by the first one's window.
    other = "kim.deal@example.com"
    api.created_id(other, credentials=with_password(), profile={"email": other})
    assert (
        client.post(
            "/oauth2/default/v1/token",
            data={**form, "username": other},
            headers=basic(client_id, secret),
        ).status_code
        == 200
    )


def test_an_expired_password_shows_its_state_and_issues_no_code(
    api: Api, client: FlaskClient, org: Org
) -> None:
    uid = api.created_id(LOGIN, credentials=with_password())
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/expire_password")
    client_id, _ = oidc_app(api)
    page = sign_in(client, client_id, PASSWORD)
    assert page.status_code == 401
    assert "Your password has expired." in page.get_data(as_text=True)
    assert "Location" not in page.headers
    assert [kind for kind, _ in grants(org)] == []  # no session, no code


def test_token_grants_are_in_the_system_log_without_the_tokens(
    api: Api, client: FlaskClient
) -> None:
    uid, _, secret, tokens = password_grant(api, client)
    found = api.call("GET", "/api/v1/logs?filter=" + quote('eventType sw "app.oauth2.as.token"'))
    events = found.get_json()
    assert sorted(e["eventType"] for e in events) == [
        "app.oauth2.as.token.grant.access_token",
        "app.oauth2.as.token.grant.id_token",
        "app.oauth2.as.token.grant.refresh_token",
    ]
    assert all(e["target"][0]["id"] == uid for e in events)
    assert all(e["actor"]["id"] == uid and e["outcome"]["result"] == "SUCCESS" for e in events)
    text = found.get_data(as_text=True)
    for secret_text in (
        tokens["access_token"],
        tokens["id_token"],
        tokens["refresh_token"],
        secret,
    ):
        assert secret_text not in text
        assert secret_text.split(".")[-1] not in text  # not even a JWT's signature
