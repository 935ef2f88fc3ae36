"""`mock-okta migrate --mode hook-status`: from the System Log, which legacy hashes can go.

Users created with the password import hook sign in against a live mock whose hook answers
from a known set; the report must call safe exactly those the hook verified, refused those it
turned down, and pending those who never signed in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.hooks import HookReport, RequestContext
from mock_okta.testing import LiveServer
from mock_okta.tools import migrate
from mock_okta.tools.hook_status import hook_status
from mock_okta.tools.legacy import make_scrypt

PASSWORD = "Legacy-Horse-42"
SCRYPT = make_scrypt(PASSWORD, "saltsalt", 16)  # a scheme Okta cannot import: the hook's


class Hook:
    def __init__(self, good: set[str]) -> None:
        self.good = good

    def verify(self, username: str, password: str, context: RequestContext) -> HookReport:
        ok = username in self.good and password == PASSWORD
        return HookReport("cal1", "https://legacy/verify", ok, "VERIFIED" if ok else "UNVERIFIED")


@pytest.fixture
def live() -> Iterator[LiveServer]:
    runtime = RuntimeConfig(rate_limits="off", lockout_attempts=0)
    with LiveServer(Settings(port=0, runtime=runtime)) as server:
        yield server


def _record(login: str) -> dict[str, object]:
    return {
        "profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"},
        "updatedAt": "2026-01-01T00:00:00Z",
        "password": {"scheme": "scrypt", "hash": SCRYPT},
    }


def test_hook_status_reports_safe_refused_and_pending(live: LiveServer, tmp_path: Path) -> None:
    logins = ["safe@example.com", "refused@example.com", "pending@example.com"]
    auth = {"Authorization": f"SSWS {live.token}"}
    for login in logins:
        body = {
            "profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"},
            "credentials": {"password": {"hook": {"type": "default"}}},
        }
        assert requests.post(f"{live.url}/api/v1/users", json=body, headers=auth).ok
    live.org.authn.hook = Hook({"safe@example.com"})
    for login in logins[:2]:
        requests.post(f"{live.url}/api/v1/authn", json={"username": login, "password": PASSWORD})
    events = requests.get(
        f"{live.url}/api/v1/logs", params={"filter": 'eventType eq "user.import.password"'},
        headers=auth,
    ).json()  # fmt: skip
    status = hook_status(events, logins)
    assert status.safe == ["safe@example.com"]
    assert status.refused == ["refused@example.com"]
    assert status.failures == {"refused@example.com": ["UNVERIFIED"]}
    assert status.pending == ["pending@example.com"]

    data = tmp_path / "users.jsonl"
    data.write_text("".join(json.dumps(_record(login)) + "\n" for login in logins))
    report = tmp_path / "report.json"
    argv = ["--org", live.url, "--token", live.token, "--input", str(data), "--report", str(report)]
    assert migrate.main([*argv, "--mode", "hook-status"]) == 1  # not every hash can go yet
    assert json.loads(report.read_text()) == {
        "mode": "hook-status",
        "safeToDelete": ["safe@example.com"],
        "refused": ["refused@example.com"],
        "pending": ["pending@example.com"],
        "failureReasons": {"refused@example.com": ["UNVERIFIED"]},
    }
    users_before = requests.get(f"{live.url}/api/v1/users", headers=auth).json()
    assert [u["status"] for u in users_before].count("ACTIVE") == 3  # the report changed nothing
