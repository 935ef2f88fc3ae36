"""`mock-okta serve --server granian`: what gunicorn did for the mock, done under granian too
(the request limits, a crashed worker replaced on its slot, drop faults refused with a reason).
The crash, concurrency, rate-limit and secrets tests run on both servers (their own files)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_okta.testing.served import ServedMock
from tests.robustness.serving import AUTH, PASSWORD, assert_okta_error, profile, raw_http, serve
from tests.robustness.test_input_limits import OVER_LIMITS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    db = tmp_path_factory.mktemp("granian") / "g.db"
    server = serve("--server", "granian", "--workers", "2", "--db", str(db))
    try:
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def test_the_banner_names_the_server_and_both_workers_run(server: ServedMock) -> None:
    assert "workers: 2 (granian)" in server.log()
    assert len(server.worker_pids()) == 2


@pytest.mark.parametrize(("what", "request_bytes", "status"), OVER_LIMITS)
def test_gunicorns_limits_hold(
    server: ServedMock, what: str, request_bytes: bytes, status: int
) -> None:
    answered, head, _ = raw_http(server.url, request_bytes)
    assert answered == status, (what, head)
    if status != 400:  # granian's own 400 for a request that is not HTTP
        assert b"connection: close" in head.lower()
    assert requests.get(f"{server.url}/api/v1/users", headers=AUTH).status_code == 200


def test_a_drop_fault_is_refused_with_the_way_out(server: ServedMock) -> None:
    rule = {"method": "POST", "path": "/api/v1/users", "drop": True}
    response = requests.post(f"{server.url}/_mock/faults", json=rule, headers=AUTH, timeout=10)
    body = assert_okta_error(response, 400, "E0000001")
    assert body["errorCauses"] == [
        {
            "errorSummary": "fault: drop needs mock-okta serve --server gunicorn (the default):"
            " granian gives the app no connection to close"
        }
    ]
    listed = requests.get(f"{server.url}/_mock/faults", headers=AUTH, timeout=10).json()
    assert listed["faults"] == []


def test_a_killed_worker_is_replaced_and_nothing_answered_is_lost(tmp_path: Path) -> None:
    server = serve("--server", "granian", "--workers", "2", "--db", str(tmp_path / "k.db"))
    try:
        created = requests.post(
            f"{server.url}/api/v1/users",
            json={
                "profile": profile("kept@example.com"),
                "credentials": {"password": {"value": PASSWORD}},
            },
            headers=AUTH,
            timeout=10,
        )
        assert created.status_code == 200, created.text
        before = set(server.worker_pids())
        os.kill(min(before), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = set(server.worker_pids())
            if len(now) == 2 and now != before:
                break
            time.sleep(0.1)
        assert len(now) == 2, (before, now)
        assert len(now & before) == 1, (before, now)
        for _ in range(20):  # either worker answers, the new one included
            got = requests.get(
                f"{server.url}/api/v1/users/{created.json()['id']}", headers=AUTH, timeout=10
            )
            assert got.status_code == 200
        stats = requests.get(f"{server.url}/_mock/stats", headers=AUTH, timeout=10).json()
        assert stats["users"] == 1
        assert stats["inflight"] == 0  # the replacement zeroed the dead worker's slot
    finally:
        server.stop()
