"""Every kind of secret, through every endpoint, and none of them anywhere the mock writes:
the journal, the server's logs (access log on), error bodies, `/_mock/stats`."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.testing.client import ControlClient
from mock_okta.testing.served import ServedMock

TOKEN = "ApiTokMarker5wQ"  # the server's own token: a secret too
SECOND_TOKEN = "SecondTokMarker3pL"  # a second --token: journaled and counted by its id only
WRONG_TOKEN = "WrongTokMarker2rK"
PLAIN = "Pw7plainQxMarker"
PLAIN_2 = "Pw8secondQxMarker"
PLAIN_PUT = "Pw9replaceQxMarker"
CONTROL_PLAIN = "Pw3controlQxMarker"
BAD_POLICY = "pwbadmarker1"  # refused by the policy: the error must not echo it
ANSWER = "AnswerMarker9zV"
HOOK_AUTH = "HookAuthMarker7kB"
HOOK_AUTH_2 = "HookAuthMarker8kC"
NEW_PASSWORD = "NewPwMarker8QxZ"
WRONG_PASSWORD = "WrongPwMarker4Tq"
EXPIRED_NEW = "ExpNewPwMarker6Yp"
HOOK_PASSWORD = "HookUserPwMarker1Aa"
CLIENT_SECRET = "ClientSecretMarker-0123456789"
CLIENT_SECRET_2 = "ClientSecretMarker-rotated-9876"
SHORT_SECRET = "ShrtMarker1x"  # refused (under 14 characters): the error must not echo it
APP_PASSWORD = "AppPwMarker5Kp"
APP_PASSWORD_2 = "AppPwMarker6Lq"
GROUP_PLAIN = "Pw5groupQxMarker"
# Secrets under keys no exact list names (issue #20 item 5): redacted by rule.
PASSWD = "PasswdMarker1Hh"
PASS = "PassMarker2Jj"
PWD = "PwdMarker3Kk"
API_TOKEN = "ApiTokenKeyMarker4Ll"
API_KEY = "ApiKeyMarker5Mm"
QUERY_PASSWORD = "QueryPwMarker6Nn"
QUERY_TOKEN = "QueryTokMarker7Pp"
QUERY_SECRET = "QuerySecretMarker8Qq"


def sha512(password: str, salt: bytes) -> dict[str, str]:
    digest = hashlib.sha512(salt + password.encode()).digest()
    return {
        "algorithm": "SHA-512",
        "salt": base64.b64encode(salt).decode(),
        "saltOrder": "PREFIX",
        "value": base64.b64encode(digest).decode(),
    }


def bcrypt_split(password: str) -> dict[str, object]:
    legacy = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    return {"algorithm": "BCRYPT", "workFactor": 4, "salt": legacy[7:29], "value": legacy[29:]}


def pbkdf2(password: str) -> dict[str, object]:
    salt = b"pbkdf2-marker-salt-Zq"
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 4096, 32)
    return {
        "algorithm": "PBKDF2",
        "iterationCount": 4096,
        "keySize": 32,
        "digestAlgorithm": "SHA256_HMAC",
        "salt": base64.b64encode(salt).decode(),
        "value": base64.b64encode(key).decode(),
    }


HASHES = {
    "sha512": sha512(PLAIN, b"salt-marker-Kx"),
    "bcrypt": bcrypt_split(PLAIN),
    "pbkdf2": pbkdf2(PLAIN),
    "staged-sha512": sha512(PLAIN_2, b"salt-marker-Ly"),
    "control-sha512": sha512(PLAIN, b"salt-marker-Mz"),
    "control-bcrypt": bcrypt_split(PLAIN),
    "group-sha512": sha512(PLAIN, b"salt-marker-Nq"),
    "seed-group-sha512": sha512(PLAIN, b"salt-marker-Pr"),
}


def secrets() -> dict[str, str]:
    found = {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and "arker" in value
    }
    for name, hash_object in HASHES.items():
        found[f"{name}.salt"] = str(hash_object["salt"])
        found[f"{name}.value"] = str(hash_object["value"])
    return found


class Hook(BaseHTTPRequestHandler):
    """A password import hook that verifies HOOK_PASSWORD when it is called with HOOK_AUTH."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        good = self.headers.get("Authorization") == HOOK_AUTH
        good = good and body["data"]["context"]["credential"]["password"] == HOOK_PASSWORD
        answer = {"credential": "VERIFIED" if good else "UNVERIFIED"}
        data = json.dumps({"commands": [{"type": "com.okta.action.update", "value": answer}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/import"
    server.shutdown()
    server.server_close()


class Client:
    """Sends requests and keeps every error body it is answered."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.errors: list[str] = []
        self.sent = 0

    def call(
        self, method: str, path: str, body: object = None, token: str | None = TOKEN, **kw: Any
    ) -> requests.Response:
        headers = {"Authorization": f"SSWS {token}"} if token else {}
        headers.update(kw.pop("headers", {}))
        response = self.session.request(
            method, f"{self.url}{path}", json=body, headers=headers, **kw
        )
        if not path.startswith("/_mock/"):
            self.sent += 1
        if response.status_code >= 400:
            self.errors.append(response.text)
        return response


def user(login: str, credentials: dict[str, object] | None = None) -> dict[str, object]:
    profile = {"login": login, "email": login, "firstName": "Sec", "lastName": "Ret"}
    return {"profile": profile, **({"credentials": credentials} if credentials else {})}


def exercise(c: Client, hook_url: str) -> dict[str, str]:
    """Every endpoint that takes a secret, with right and wrong values, and errors around them;
    returns the secrets the mock issued and the client sent back (a state token)."""
    recovery = {"question": "Marker question?", "answer": ANSWER}
    plain = c.call(
        "POST",
        "/api/v1/users",
        user("a@example.com", {"password": {"value": PLAIN}, "recovery_question": recovery}),
    ).json()
    for name in ("sha512", "bcrypt", "pbkdf2"):
        c.call(
            "POST",
            "/api/v1/users",
            user(f"{name}@example.com", {"password": {"hash": HASHES[name]}}),
        )
    staged = c.call("POST", "/api/v1/users?activate=false", user("staged@example.com")).json()
    c.call(
        "POST",
        f"/api/v1/users/{staged['id']}",
        {"credentials": {"password": {"hash": HASHES["staged-sha512"]}}},
    )
    c.call(
        "POST",
        f"/api/v1/users/{plain['id']}",
        {"credentials": {"password": {"hash": HASHES["staged-sha512"]}}},
    )
    c.call("POST", "/api/v1/users", user("bad@example.com", {"password": {"value": BAD_POLICY}}))
    bad_hash = {**HASHES["sha512"], "saltOrder": "SIDEWAYS"}
    c.call("POST", "/api/v1/users", user("badhash@example.com", {"password": {"hash": bad_hash}}))
    c.call(
        "POST", f"/api/v1/users/{plain['id']}", {"credentials": {"password": {"value": PLAIN_2}}}
    )
    c.call(
        "PUT",
        f"/api/v1/users/{plain['id']}",
        {**user("a@example.com"), "credentials": {"password": {"value": PLAIN_PUT}}},
    )
    # change_password: wrong old one, then right
    for old in (WRONG_PASSWORD, PLAIN_PUT):
        c.call(
            "POST",
            f"/api/v1/users/{plain['id']}/credentials/change_password",
            {"oldPassword": {"value": old}, "newPassword": {"value": NEW_PASSWORD}},
        )
    # authn: right and wrong passwords, for a plain user and each hash
    for login in (
        "a@example.com",
        "sha512@example.com",
        "bcrypt@example.com",
        "pbkdf2@example.com",
    ):
        c.call("POST", "/api/v1/authn", {"username": login, "password": WRONG_PASSWORD}, token=None)
    c.call(
        "POST", "/api/v1/authn", {"username": "a@example.com", "password": NEW_PASSWORD}, token=None
    )
    for login in ("sha512@example.com", "bcrypt@example.com", "pbkdf2@example.com"):
        c.call("POST", "/api/v1/authn", {"username": login, "password": PLAIN}, token=None)
    # an expired password changed through the Authn API with its state token
    c.call("POST", f"/api/v1/users/{plain['id']}/lifecycle/expire_password")
    expired = c.call(
        "POST", "/api/v1/authn", {"username": "a@example.com", "password": NEW_PASSWORD}, token=None
    ).json()
    state = expired["stateToken"]
    for old in (WRONG_PASSWORD, NEW_PASSWORD):
        c.call(
            "POST",
            "/api/v1/authn/credentials/change_password",
            {"stateToken": state, "oldPassword": old, "newPassword": EXPIRED_NEW},
            token=None,
        )
    # inline hooks: authScheme values on create, update and replace; a hook user signs in
    channel = {
        "type": "HTTP",
        "version": "1.0.0",
        "config": {
            "uri": hook_url,
            "method": "POST",
            "authScheme": {"type": "HEADER", "key": "Authorization", "value": HOOK_AUTH_2},
        },
    }
    hook = {
        "name": "import",
        "type": "com.okta.user.credential.password.import",
        "version": "1.0.0",
        "channel": channel,
    }
    created = c.call("POST", "/api/v1/inlineHooks", hook).json()
    channel["config"]["authScheme"]["value"] = HOOK_AUTH  # type: ignore[index]
    c.call("PUT", f"/api/v1/inlineHooks/{created['id']}", hook)
    c.call("POST", f"/api/v1/inlineHooks/{created['id']}", {"channel": channel})
    c.call("POST", "/api/v1/inlineHooks", {**hook, "channel": {**channel, "type": "OAUTH"}})
    c.call(
        "POST",
        "/api/v1/users",
        user("hooked@example.com", {"password": {"hook": {"type": "default"}}}),
    )
    c.call(
        "POST",
        "/api/v1/authn",
        {"username": "hooked@example.com", "password": WRONG_PASSWORD},
        token=None,
    )
    signed_in = c.call(
        "POST",
        "/api/v1/authn",
        {"username": "hooked@example.com", "password": HOOK_PASSWORD},
        token=None,
    )
    assert signed_in.json()["status"] == "SUCCESS", signed_in.text
    # wrong API tokens, both header forms, on the Users API and the control plane
    c.call("GET", "/api/v1/users", token=WRONG_TOKEN)
    c.call("GET", "/api/v1/users", token=None, headers={"Authorization": f"SSWS{WRONG_TOKEN}"})
    c.call("POST", f"/api/v1/users/{plain['id']}/lifecycle/suspend", token=WRONG_TOKEN)
    c.call("GET", "/_mock/stats", token=WRONG_TOKEN)
    # the second token: principal rate limits (right and wrong), a sign-in that sends a token
    tokens = c.call("GET", "/_mock/stats").json()["tokens"]
    second = {"principalId": tokens[1]["id"], "principalType": "SSWS_TOKEN"}
    entity = c.call(
        "POST",
        "/api/v1/principal-rate-limits",
        {**second, "defaultPercentage": 80},
        token=SECOND_TOKEN,
    ).json()
    c.call(
        "PUT", f"/api/v1/principal-rate-limits/{entity['id']}", {**second, "defaultPercentage": 200}
    )
    c.call("POST", "/api/v1/principal-rate-limits", second, token=SECOND_TOKEN)
    c.call("GET", "/api/v1/principal-rate-limits", token=SECOND_TOKEN)
    c.call(
        "GET",
        '/api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"',
        token=SECOND_TOKEN,
    )
    c.call(
        "POST",
        "/api/v1/authn",
        {"username": "a@example.com", "password": WRONG_PASSWORD},
        token=SECOND_TOKEN,
    )
    # the control plane: bulk seed with passwords and hashes (one bad item: an error body)
    items = [
        user("c1@example.com", {"password": {"value": CONTROL_PLAIN}}),
        user("c2@example.com", {"password": {"hash": HASHES["control-sha512"]}}),
        user(
            "c3@example.com",
            {"password": {"hash": HASHES["control-bcrypt"]}, "recovery_question": recovery},
        ),
    ]
    c.call(
        "POST",
        "/_mock/users",
        {"users": [*items, user("c4@example.com", {"password": {"value": BAD_POLICY}})]},
    )
    assert c.call("POST", "/_mock/users", {"users": items}).status_code == 201
    # groups: creates in groups with a hash and a password (one refused: a 21st group), and a
    # seed into groups by name; custom properties from the schema beside them
    c.call(
        "POST",
        "/api/v1/meta/schemas/user/default",
        {"definitions": {"custom": {"properties": {"tier": {"title": "Tier", "type": "string"}}}}},
    )
    groups = [
        c.call("POST", "/api/v1/groups", {"profile": {"name": f"G{n}"}}).json()["id"]
        for n in range(21)
    ]
    hashed = user("g1@example.com", {"password": {"hash": HASHES["group-sha512"]}})
    c.call("POST", "/api/v1/users", {**hashed, "groupIds": groups[:20]})
    plain_in_group = user("g2@example.com", {"password": {"value": GROUP_PLAIN}})
    c.call("POST", "/api/v1/users", {**plain_in_group, "groupIds": groups})
    c.call("POST", "/api/v1/users", {**plain_in_group, "groupIds": ["00gNOSUCHGROUP0000000"]})
    seeded = user("g3@example.com", {"password": {"hash": HASHES["seed-group-sha512"]}})
    seeded["profile"]["tier"] = "gold"  # type: ignore[index]
    assert c.call("POST", "/_mock/users", {"users": [{**seeded, "groups": ["G0", "New"]}]}).ok
    exercise_keys(c)
    return {"stateToken": state, **exercise_apps(c, plain["id"])}


def exercise_keys(c: Client) -> None:
    """Secrets under secret-looking keys anywhere in a body, and in query strings."""
    odd = user("odd@example.com", {"password": {"value": PLAIN}})
    odd["passwd"] = PASSWD
    odd["profile"]["pass"] = PASS  # type: ignore[index]
    odd["settings"] = [{"legacy": {"user_pwd": PWD, "apiToken": API_TOKEN}}]
    c.call("POST", "/api/v1/users", odd)
    c.call(
        "POST",
        "/api/v1/authn",
        {"username": "a@example.com", "passwd": PASSWD, "X-Api-Key": API_KEY},
        token=None,
    )
    query = {
        "password": QUERY_PASSWORD,
        "apiToken": QUERY_TOKEN,
        "token": QUERY_TOKEN,
        "client_secret": QUERY_SECRET,
        "passwd": PASSWD,
        "limit": "5",
    }
    c.call("GET", "/api/v1/users", params=query)
    c.call("GET", "/api/v1/users/no.such.user", params=query)
    c.call("POST", "/api/v1/authn", {"username": "a@example.com"}, params=query, token=None)


def exercise_apps(c: Client, uid: str) -> dict[str, str]:
    """OIDC client secrets (given, rotated, refused, generated) and app users' passwords."""
    settings = {"oauthClient": {"redirect_uris": ["https://x/cb"], "grant_types": ["password"]}}

    def oidc(label: str, secret: str | None, method: str = "client_secret_post") -> dict[str, Any]:
        client: dict[str, object] = {"token_endpoint_auth_method": method}
        if secret is not None:
            client["client_secret"] = secret
        return {
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": client},
            "settings": settings,
        }

    app = c.call("POST", "/api/v1/apps", oidc("given", CLIENT_SECRET)).json()
    c.call("PUT", f"/api/v1/apps/{app['id']}", oidc("given", CLIENT_SECRET_2))
    c.call("POST", "/api/v1/apps", oidc("short", SHORT_SECRET))
    c.call("POST", "/api/v1/apps", oidc("jwt", CLIENT_SECRET, "private_key_jwt"))
    generated = c.call("POST", "/api/v1/apps", oidc("generated", None)).json()
    c.call("GET", f"/api/v1/apps/{generated['id']}")
    basic = {
        "name": "template_basic_auth",
        "label": "Basic",
        "signOnMode": "BASIC_AUTH",
        "settings": {"app": {"url": "https://x/login", "authURL": "https://x/auth"}},
    }
    basic_app = c.call("POST", "/api/v1/apps", basic).json()
    creds = {"userName": "sec", "password": {"value": APP_PASSWORD}}
    c.call("POST", f"/api/v1/apps/{basic_app['id']}/users", {"id": uid, "credentials": creds})
    c.call(
        "POST",
        f"/api/v1/apps/{basic_app['id']}/users/{uid}",
        {"credentials": {"password": {"value": APP_PASSWORD_2}}},
    )
    refused = c.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid, "credentials": creds})
    assert refused.status_code == 400, refused.text  # no passwords for an OIDC app
    return {"generated client_secret": generated["credentials"]["oauthClient"]["client_secret"]}


@pytest.mark.parametrize("http_server", ["gunicorn", "granian"])
def test_no_secret_is_written_anywhere(
    tmp_path: Path, hook_url: str, scheme_args: list[str], http_server: str
) -> None:
    args = ["--db", str(tmp_path / "s.db"), "--rate-limits", "off", "--access-log"]
    args += ["--server", http_server]
    server = ServedMock([*args, *scheme_args, "--token", SECOND_TOKEN], TOKEN).start()
    try:
        client = Client(server.url)
        control = ControlClient(server.url, TOKEN, ca_file=server.ca_file)
        control.config(hookTimeoutSeconds=5)
        issued = exercise(client, hook_url)
        stats = control.stats()
        journal = control.requests()
        assert len(journal) == client.sent  # every request was journaled: none was missed
        assert stats["counters"]["requests"] == client.sent
        assert stats["counters"]["hooks.verified"] == 1
        assert [t["requests"] > 0 for t in stats["tokens"]] == [True, True]  # counted by id
    finally:
        server.stop()
    log = server.log()
    assert "POST /api/v1/authn" in log  # the access log was on
    assert "password=[redacted]&apiToken=[redacted]&token=[redacted]" in log  # with queries
    assert "&limit=5" in log
    where = {
        "journal": json.dumps(journal),
        "server log": log,
        "error bodies": "\n".join(client.errors),
        "/_mock/stats": json.dumps(stats),
    }
    assert len(client.errors) >= 15
    assert "[redacted]" in where["journal"]
    keys = {  # over HTTPS: the private keys of the local CA and of the server's certificate
        f"{key.name} line {i}": line
        for key in (tmp_path / "tls").glob("*key.pem")
        for i, line in enumerate(key.read_text().splitlines())
        if "PRIVATE KEY" not in line
    }
    assert bool(keys) == bool(scheme_args)
    leaks = [
        f"{name} in {place}"
        for name, secret in {**secrets(), **issued, **keys}.items()
        for place, text in where.items()
        if secret in text or json.dumps(secret)[1:-1] in text
    ]
    assert not leaks, leaks
