"""SIGKILL the served mock in the middle of a concurrent create load, restart it on the same
SQLite file: every create answered 200 is there, whole, and nothing is half-written (over HTTP
with one and two workers, and over HTTPS with two; on gunicorn and on granian)."""

from __future__ import annotations

import base64
import gc
import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.models import ProviderType
from mock_okta.profile import login_key
from mock_okta.store.base import COLUMNS, row_to_user
from tests.helpers import as_returned, serve_args
from tests.robustness.serving import AUTH, PASSWORD, control, profile, serve

CLIENTS = 8
KILL_AFTER = 120  # creates answered 200 before the kill


def credentials(n: int) -> dict[str, object]:
    """Every kind of credential, in turn: value, SHA-256 hash, bcrypt hash, hook; + recovery."""
    kind = n % 4
    if kind == 0:
        password: dict[str, object] = {"value": PASSWORD}
    elif kind == 1:
        digest = hashlib.sha256(f"salt{n}".encode() + PASSWORD.encode()).digest()
        password = {
            "hash": {
                "algorithm": "SHA-256",
                "salt": f"salt{n}",
                "saltOrder": "PREFIX",
                "value": base64.b64encode(digest).decode(),
            }
        }
    elif kind == 2:
        legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
        password = {
            "hash": {
                "algorithm": "BCRYPT",
                "workFactor": 4,
                "salt": legacy[7:29],
                "value": legacy[29:],
            }
        }
    else:
        password = {"hook": {"type": "default"}}
    return {
        "password": password,
        "recovery_question": {"question": f"Question {n}?", "answer": f"answer {n}"},
    }


def create_load(
    url: str, answered: dict[str, dict[str, Any]], enough: threading.Event
) -> list[threading.Thread]:
    """CLIENTS threads creating users until the server goes away."""
    lock = threading.Lock()
    counter = iter(range(10**9))

    def client() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    n = next(counter)
                login = f"crash.{n}@example.com"
                body = {"profile": profile(login, nickName=f"n{n}"), "credentials": credentials(n)}
                try:
                    response = session.post(
                        f"{url}/api/v1/users", json=body, headers=AUTH, timeout=10
                    )
                except requests.RequestException:
                    return  # killed
                if response.status_code == 200:
                    with lock:
                        answered[login] = {"n": n, "sent": body, "user": response.json()}
                        if len(answered) >= KILL_AFTER:
                            enough.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    return threads


# A TLS socket cut by the SIGKILL mid-request may be collected unclosed by the client's ssl
# module, whatever the test closes: that warning says nothing about the server.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("http_server", "workers", "scheme"),
    [
        ("gunicorn", 1, "http"),
        ("gunicorn", 2, "http"),
        ("gunicorn", 2, "https"),
        ("granian", 1, "http"),
        ("granian", 2, "https"),
    ],
)
def test_sigkill_under_create_load_loses_no_answered_create(
    tmp_path: Path, http_server: str, workers: int, scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "crash.db"
    args = ("--db", str(db), "--rate-limits", "off", "--workers", str(workers))
    args += ("--server", http_server)
    args += tuple(serve_args(scheme, tmp_path, monkeypatch))
    server = serve(*args)
    assert server.url.startswith(f"{scheme}://")
    answered: dict[str, dict[str, Any]] = {}
    enough = threading.Event()
    threads = create_load(server.url, answered, enough)
    try:
        assert enough.wait(60), f"only {len(answered)} creates answered"
    finally:
        server.kill()  # SIGKILL to master and workers, in the middle of the load
        for thread in threads:
            thread.join(30)
    assert len(answered) >= KILL_AFTER

    # The file itself: consistent, every row whole (a users row holds profile and credentials
    # together; the login index has an entry for every row and nothing else).
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(f"SELECT {COLUMNS} FROM users").fetchall()
        by_index = conn.execute("SELECT count(*) FROM users INDEXED BY sqlite_autoindex_users_2")
        assert by_index.fetchone()[0] == len(rows)
    stored = {}
    for row in rows:
        user = row_to_user(row)
        assert row[1] == login_key(user.login)
        assert user.password is not None, user.login
        assert user.recovery_question is not None, user.login
        stored[user.login] = user
    assert set(answered) <= set(stored)  # every answered create, and maybe a few in flight

    restarted = serve(*args)
    try:
        check_restarted(restarted.url, answered)
        listed = control(restarted).users()
        assert len(listed) == len(stored)
        assert len({login_key(u["profile"]["login"]) for u in listed}) == len(listed)
    finally:
        restarted.stop()
        gc.collect()  # the killed run's sockets are finalised now, under this test's filters
    assert "Traceback" not in restarted.log(), restarted.log()


def check_restarted(url: str, answered: dict[str, dict[str, Any]]) -> None:
    """Every answered create reads back whole, and its password still signs in."""
    with requests.Session() as session:
        for login, record in answered.items():
            got = session.get(f"{url}/api/v1/users/{record['user']['id']}", headers=AUTH)
            assert got.status_code == 200, got.text
            user = got.json()
            assert user["profile"] == as_returned(record["sent"]["profile"])
            assert user["credentials"] == record["user"]["credentials"]
            hook = record["n"] % 4 == 3
            provider = ProviderType.IMPORT if record["n"] % 4 else ProviderType.OKTA
            assert user["credentials"]["provider"]["type"] == provider.value
            if not hook:  # the stored hash or value still verifies the password
                signed_in = session.post(
                    f"{url}/api/v1/authn", json={"username": login, "password": PASSWORD}
                )
                assert signed_in.json().get("status") == "SUCCESS", (login, signed_in.text)
