"""`mock-okta hook-server`: a legacy-verifying password import hook, alone and with the mock."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_okta.hashing import NativeHash
from mock_okta.org import Org
from mock_okta.tools.hook_server import HookApp, HookServer, LegacyUsers, parse_auth_header
from tests.conftest import Api

SECRET = "rehearsal-secret"
PASSWORD_IMPORT = "com.okta.user.credential.password.import"


def okta_request(username: str, password: str) -> dict[str, Any]:
    """The body Okta posts (SPEC PasswordImportPayloadExample's shape)."""
    return {
        "eventId": "3o9jBzq1SmOGmmsDsqyyeQ",
        "eventTime": "2020-01-17T21:23:56.000Z",
        "eventType": PASSWORD_IMPORT,
        "eventTypeVersion": "1.0",
        "contentType": "application/json",
        "cloudEventVersion": "0.1",
        "source": "https://dev-123.okta.com/api/v1/inlineHooks/cal0000000000000000",
        "data": {
            "context": {
                "request": {
                    "id": "XiIl6wn7005Rr",
                    "method": "POST",
                    "url": {"value": "/api/v1/authn"},
                    "ipAddress": "127.0.0.1",
                },
                "credential": {"username": username, "password": password},
            },
            "action": {"credential": "UNVERIFIED"},
        },
    }


def answer(credential: str) -> dict[str, Any]:
    return {"commands": [{"type": "com.okta.action.update", "value": {"credential": credential}}]}


@pytest.fixture(scope="module")
def hook(dataset_dir: Path) -> Iterator[HookServer]:
    users = LegacyUsers.from_file(dataset_dir / "users.jsonl")
    server = HookServer(HookApp(users, parse_auth_header(f"Authorization: {SECRET}"))).start()
    yield server
    server.stop()


def ask(hook: HookServer, username: str, password: str, secret: str = SECRET) -> Any:
    return requests.post(
        hook.url,
        json=okta_request(username, password),
        headers={"Authorization": secret},
        timeout=10,
    )


def test_every_legacy_user_verifies_with_its_plaintext(
    dataset_dir: Path, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    legacy = LegacyUsers.from_file(dataset_dir / "users.jsonl")
    assert len(legacy) == len(users)
    for line in users:
        login = line["profile"]["login"]
        plaintext = oracle[login]["password"]
        check = legacy.check(login, plaintext)
        assert check.credential == "VERIFIED", (line["password"]["scheme"], check)
        assert legacy.check(login, plaintext + "x").credential == "UNVERIFIED"


def test_over_http_each_scheme_verifies_and_wrong_passwords_do_not(
    hook: HookServer, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    schemes = {line["password"]["scheme"]: line for line in users}
    assert {"bcrypt", "scrypt", "sha256", "pbkdf2_sha256"} <= set(schemes)
    for scheme, line in sorted(schemes.items()):
        login = line["profile"]["login"]
        right = ask(hook, login, oracle[login]["password"])
        assert right.status_code == 200, scheme
        assert right.json() == answer("VERIFIED"), scheme
        wrong = ask(hook, login, "Not-" + oracle[login]["password"])
        assert wrong.json() == answer("UNVERIFIED"), scheme


def test_username_is_matched_as_the_legacy_login(
    hook: HookServer, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    folded: dict[str, int] = {}
    for line in users:
        key = line["profile"]["login"].casefold()
        folded[key] = folded.get(key, 0) + 1
    line = next(x for x in users if folded[x["profile"]["login"].casefold()] == 1)
    login = line["profile"]["login"]
    assert ask(hook, login.upper(), oracle[login]["password"]).json() == answer("VERIFIED")
    assert ask(hook, "nobody@example.com", "Whatever-1").json() == answer("UNVERIFIED")
    # two legacy logins that differ only in case: each spelling finds its own user
    collision = next(x for x in users if x.get("defect", {}).get("kind") == "login-collision")
    login = collision["profile"]["login"]
    assert ask(hook, login, oracle[login]["password"]).json() == answer("VERIFIED")


def test_requests_without_the_auth_header_are_refused(
    hook: HookServer, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    login = users[0]["profile"]["login"]
    response = ask(hook, login, oracle[login]["password"], secret="wrong")
    assert response.status_code == 401
    bare = requests.post(hook.url, json=okta_request(login, "x"), timeout=10)
    assert bare.status_code == 401


def test_requests_not_shaped_like_oktas_are_400(hook: HookServer) -> None:
    headers = {"Authorization": SECRET}
    response = requests.post(hook.url, json={"data": {}}, headers=headers, timeout=10)
    assert response.status_code == 400
    response = requests.post(hook.url, data=b"{", headers=headers, timeout=10)
    assert response.status_code == 400
    assert requests.get(hook.url, headers=headers, timeout=10).status_code == 405


def test_auth_header_must_be_name_colon_value() -> None:
    assert parse_auth_header("X-Api-Key:  k: v ") == ("X-Api-Key", "k: v")
    assert parse_auth_header(None) is None
    with pytest.raises(ValueError, match="Name: value"):
        parse_auth_header("Authorization")


# ----- with the mock: a scrypt user Okta cannot import signs in through the hook


def test_a_scrypt_user_signs_in_through_the_hook_server(
    mock_api: Api,
    org: Org,
    hook: HookServer,
    users: list[dict[str, Any]],
    oracle: dict[str, dict[str, Any]],
) -> None:
    line = next(x for x in users if x.get("defect", {}).get("kind") == "unsupported-scheme")
    assert line["password"]["scheme"] == "scrypt"
    login = line["profile"]["login"]
    assert oracle[login]["via"] == "hook"
    registered = mock_api.call(
        "POST",
        "/api/v1/inlineHooks",
        {
            "name": "Legacy rehearsal",
            "type": PASSWORD_IMPORT,
            "version": "1.0.0",
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {
                    "uri": hook.url,
                    "method": "POST",
                    "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
                },
            },
        },
    )
    assert registered.status_code == 200, registered.get_json()
    body = {"profile": line["profile"], "credentials": {"password": {"hook": {"type": "default"}}}}
    created = mock_api.call("POST", "/api/v1/users?activate=true", body)
    assert created.status_code == 200, created.get_json()
    wrong = mock_api.authn(login, "Not-" + oracle[login]["password"])
    assert wrong.status_code == 401
    signed_in = mock_api.authn(login, oracle[login]["password"])
    assert signed_in.status_code == 200, signed_in.get_json()
    assert signed_in.get_json()["status"] == "SUCCESS"
    assert isinstance(org.store.get_user(login).password, NativeHash)
    # from now on Okta checks the password itself: the hook could be gone
    hook_id = registered.get_json()["id"]
    mock_api.call("POST", f"/api/v1/inlineHooks/{hook_id}/lifecycle/deactivate")
    assert mock_api.authn(login, oracle[login]["password"]).status_code == 200
    entries = mock_api.call("GET", "/_mock/requests?path=/api/v1/authn").get_json()["entries"]
    assert [e.get("hook", {}).get("result") for e in entries] == ["UNVERIFIED", "VERIFIED", None]


def test_the_command_prints_its_url_and_serves(
    dataset_dir: Path, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    command = [sys.executable, "-m", "mock_okta", "hook-server", "--port", "0"]
    command += ["--dataset", str(dataset_dir / "users.jsonl"), "--auth-header", "X-Key: k1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("hook-server: http://127.0.0.1:"), first
        assert f"verifies {len(users)} legacy users" in first
        url = first.split()[1]
        login = users[0]["profile"]["login"]
        response = requests.post(
            url,
            data=json.dumps(okta_request(login, oracle[login]["password"])),
            headers={"X-Key": "k1", "Content-Type": "application/json"},
            timeout=10,
        )
        assert response.json() == answer("VERIFIED")
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "VERIFIED" in err
    assert oracle[users[0]["profile"]["login"]]["password"] not in err  # never the password
