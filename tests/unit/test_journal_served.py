"""The journal entry built by the writer thread from what the pipeline handed it (issue #15):
the same entry and counters the request used to build, secrets redacted before storing."""

from __future__ import annotations

import dataclasses
import json
import string
from pathlib import Path

from mock_okta.db import Database
from mock_okta.ids import IdFactory
from mock_okta.journal import REDACTED, Journal, JournalQuery, Served

SECRET_QUERY = "s3cr3t-Query-Value"
SECRET_BODY = "Pl41n-Passw0rd!"


def served(**changes: object) -> Served:
    base = Served(
        epoch=1_700_000_000.5,
        request_id="req1",
        worker=42,
        method="POST",
        path="/api/v1/users",
        args={"activate": "true", "client_secret": SECRET_QUERY},
        status=200,
        error_code=None,
        detail=None,
        login=None,
        bucket="users.collection",
        token_id="00Ttoken",
        rate={"limit": 600, "remaining": 599, "reset": 1_700_000_060},
        fault_id=None,
        fault_kind=None,
        latency_ms=1.5,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_expand_builds_the_entry_with_the_query_redacted() -> None:
    body = {"profile": {"login": "a@example.com"}, "credentials": {"password": {"value": "x"}}}
    entry, _ = served().expand(body)
    assert entry["query"] == {"activate": "true", "client_secret": REDACTED}
    assert entry["login"] == "a@example.com"  # from the body
    assert entry["token"] == "00Ttoken"
    assert entry["fault"] is None
    assert entry["body"] is None  # the writer adds the redacted body itself
    assert list(entry) == [
        "epoch", "requestId", "worker", "method", "path", "query", "status", "errorCode",
        "detail", "login", "bucket", "token", "rateLimit", "fault", "latencyMs", "body",
    ]  # fmt: skip


def test_expand_counts_what_the_request_counted() -> None:
    _, counters = served(status=429, fault_id="flt1", fault_kind="status").expand(None)
    assert counters == (
        "requests",
        "status.429",
        "bucket.users.collection",
        "bucket.users.collection.429",
        "token.00Ttoken.requests",
        "token.00Ttoken.status.429",
        "token.00Ttoken.bucket.users.collection",
        "token.00Ttoken.limited.users.collection",
        "faults.injected",
    )
    _, anonymous = served(token_id=None, bucket=None, args=None).expand(None)
    assert anonymous == ("requests", "status.200")


def test_the_form_login_stands_in_when_the_body_names_nobody() -> None:
    entry, _ = served(login="form@example.com").expand({"grant_type": "password"})
    assert entry["login"] == "form@example.com"


def test_nothing_secret_reaches_the_database(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "j.db"))
    journal = Journal(db, limit=100)
    body = {"username": "a@example.com", "password": SECRET_BODY}
    journal.record_served(served(path="/api/v1/authn"), None, body)
    assert journal.unwritten() == 1
    journal.flush()
    assert journal.unwritten() == 0
    (entry,) = journal.entries(JournalQuery())
    assert entry["body"] == {"username": "a@example.com", "password": REDACTED}
    assert entry["query"]["client_secret"] == REDACTED  # type: ignore[index]
    assert entry["time"] == "2023-11-14T22:13:20.500+00:00"
    assert journal.counters()["token.00Ttoken.requests"] == 1
    with db.read() as conn:
        stored = json.dumps(conn.execute("SELECT entry FROM journal").fetchall())
    assert SECRET_BODY not in stored
    assert SECRET_QUERY not in stored
    journal.close()
    db.close()


def test_discarded_entries_leave_the_unwritten_count(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "j.db"))
    journal = Journal(db, limit=100, interval=60)
    for _ in range(3):
        journal.record_served(served(), None, None)
    assert journal.unwritten() == 3
    journal.discard()
    assert journal.unwritten() == 0
    journal.close()
    assert journal.entries(JournalQuery()) == []
    db.close()


def test_request_ids_are_27_letters_and_digits_and_follow_the_seed() -> None:
    ids = [IdFactory(seed=7).request_id() for _ in range(2)]
    assert ids[0] == ids[1]
    factory = IdFactory(seed=7)
    many = {factory.request_id() for _ in range(2000)}
    assert len(many) == 2000
    allowed = set(string.ascii_letters + string.digits)
    assert all(len(r) == 27 and set(r) <= allowed for r in many)
