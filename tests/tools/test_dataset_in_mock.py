"""Converted dataset records, created in the mock and signed in through /api/v1/authn."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from mock_okta.hooks import HookReport, RequestContext
from mock_okta.org import Org
from mock_okta.tools.encoder import NeedsImportHook, to_okta_hash
from tests.conftest import Api


def _create(api: Api, line: dict[str, Any], credentials: dict[str, Any]) -> Any:
    body = {"profile": line["profile"], "credentials": credentials}
    return api.call("POST", "/api/v1/users?activate=true", body)


def _with_hash(api: Api, line: dict[str, Any]) -> Any:
    okta_hash = to_okta_hash(line["password"]).to_okta()
    return _create(api, line, {"password": {"hash": okta_hash}})


def test_every_converted_record_logs_in_with_its_oracle_plaintext(
    mock_api: Api, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    good = [line for line in users if "defect" not in line]
    assert len(good) > 200
    for line in good:
        login = line["profile"]["login"]
        created = _with_hash(mock_api, line)
        assert created.status_code == 200, created.get_json()
        assert created.get_json()["credentials"]["provider"]["type"] == "IMPORT"
        signed_in = mock_api.authn(login, oracle[login]["password"])
        assert signed_in.status_code == 200, (line["password"], signed_in.get_json())
        assert signed_in.get_json()["status"] == "SUCCESS"
    # and a wrong password still fails for each scheme
    for scheme in ("bcrypt", "sha256", "sha512", "sha1", "md5", "pbkdf2_sha256"):
        line = next(x for x in good if x["password"]["scheme"] == scheme)
        wrong = mock_api.authn(
            line["profile"]["login"], "not-" + oracle[line["profile"]["login"]]["password"]
        )
        assert wrong.status_code == 401, scheme


def _defects(users: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    found = [line for line in users if line.get("defect", {}).get("kind") == kind]
    assert found, kind
    return found


@pytest.mark.parametrize("kind", ["login-too-long", "missing-email"])
def test_profile_defects_are_refused_at_create(
    mock_api: Api,
    users: list[dict[str, Any]],
    oracle: dict[str, dict[str, Any]],
    kind: str,
) -> None:
    field = "login" if kind == "login-too-long" else "email"
    for line in _defects(users, kind):
        assert oracle[line["profile"]["login"]]["canLogIn"] is False
        created = _with_hash(mock_api, line)
        assert created.status_code == 400
        body = created.get_json()
        assert body["errorCode"] == "E0000001"
        assert any(field in cause["errorSummary"] for cause in body["errorCauses"]), body


def test_case_collisions_are_refused_and_cannot_log_in(
    mock_api: Api, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    by_key = {line["profile"]["login"].casefold(): line for line in users if "defect" not in line}
    created_originals: set[str] = set()
    for line in _defects(users, "login-collision"):
        login = line["profile"]["login"]
        original = by_key[login.casefold()]
        assert original["profile"]["login"] != login
        if login.casefold() not in created_originals:
            assert _with_hash(mock_api, original).status_code == 200
            created_originals.add(login.casefold())
        created = _with_hash(mock_api, line)
        assert created.status_code == 400
        assert created.get_json()["errorCode"] == "E0000001"
        assert oracle[login]["canLogIn"] is False
        assert mock_api.authn(login, oracle[login]["password"]).status_code == 401


class LegacyScryptHook:
    """A password import inline hook answering from the legacy store (scrypt, checked here)."""

    def __init__(self, users: list[dict[str, Any]]) -> None:
        self.stored = {line["profile"]["login"]: line["password"]["hash"] for line in users}
        self.calls = 0

    def verify(self, username: str, password: str, context: RequestContext) -> HookReport:
        self.calls += 1
        name, n, salt, r, p, b64 = self.stored[username].split("$")
        assert name == "scrypt"
        key = base64.b64decode(b64)
        derived = hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p), dklen=len(key)
        )
        ok = derived == key
        return HookReport(None, None, ok, "VERIFIED" if ok else "UNVERIFIED")


def test_unsupported_schemes_need_the_import_hook_and_then_log_in(
    mock_api: Api, org: Org, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    defects = _defects(users, "unsupported-scheme")
    hook = LegacyScryptHook(defects)
    for line in defects:
        login = line["profile"]["login"]
        with pytest.raises(NeedsImportHook, match="password import inline hook"):
            to_okta_hash(line["password"])
        assert oracle[login] | {"password": ""} == {
            "login": login,
            "password": "",
            "canLogIn": True,
            "via": "hook",
            "defect": "unsupported-scheme",
        }
        created = _create(mock_api, line, {"password": {"hook": {"type": "default"}}})
        assert created.status_code == 200, created.get_json()
        org.authn.hook = None
        assert mock_api.authn(login, oracle[login]["password"]).status_code == 401
        org.authn.hook = hook
        assert mock_api.authn(login, "wrong" + oracle[login]["password"]).status_code == 401
        signed_in = mock_api.authn(login, oracle[login]["password"])
        assert signed_in.status_code == 200, signed_in.get_json()
    assert hook.calls == 2 * len(defects)
