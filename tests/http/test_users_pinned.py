"""Creates and reads of users, pinned byte for byte: status, headers, body and stored rows.

The expected transcript (`users_pinned.json`) was taken from the code before the hot paths of
issue #15 were rewritten; any change to what a client receives or what the store keeps fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from mock_okta.app import create_app
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org
from tests.conftest import AUTH
from tests.helpers import PASSWORD, profile, sha_hash

PINNED = Path(__file__).with_name("users_pinned.json")
UNPINNED_HEADERS = ("Date",)

ACCENTED = "zoë.ñandú@example.com"
BODIES: list[tuple[str, dict[str, Any]]] = [
    (  # the benchmark's create (benchmarks/bench_pipeline.py): a SHA-256 hash
        "",
        {
            "profile": {
                "login": "pipe@example.com",
                "email": "pipe@example.com",
                "firstName": "Pipe",
                "lastName": "Line",
            },
            "credentials": {"password": {"hash": sha_hash(PASSWORD)}},
        },
    ),
    (  # a password, a recovery question, text beyond ASCII and beyond the BMP
        "?activate=true",
        {
            "profile": {
                "email": ACCENTED,
                "nickName": "Zoë 🦜",
                "login": ACCENTED,
                "lastName": "Ñandú",
                "firstName": "Zoë",
                "mobilePhone": "+1 555 0100",
                "displayName": 'Quote " and \\ backslash',
            },
            "credentials": {
                "password": {"value": PASSWORD},
                "recovery_question": {"question": "Who?", "answer": "Nobody at all"},
            },
        },
    ),
    ("?activate=false", {"profile": profile("staged@example.com", email="s@example.com")}),
    ("?activate=true", {"profile": profile("prov@example.com", title="Dr")}),
    ("", {"profile": {"login": "nameless@example.com", "email": "nameless@example.com"}}),
]


def _answer(response: Any) -> dict[str, Any]:
    headers = [[k, v] for k, v in response.headers.items() if k not in UNPINNED_HEADERS]
    return {
        "status": response.status,
        "headers": headers,
        "body": response.get_data(as_text=True),
    }


def transcript(client: FlaskClient, org: Org) -> dict[str, Any]:
    """What clients received for creates and reads, and what the store kept."""
    answers = []
    ids = []
    for query, body in BODIES:
        created = client.post(f"/api/v1/users{query}", json=body, headers=AUTH)
        answers.append(_answer(created))
        if created.status_code == 200:
            ids.append(created.get_json()["id"])
    for ref in [*ids, "pipe@example.com", "zo%C3%AB.%C3%B1and%C3%BA%40example.com"]:
        answers.append(_answer(client.get(f"/api/v1/users/{ref}", headers=AUTH)))
    org.journal.flush()
    tables = {
        "users": "SELECT * FROM users ORDER BY id",
        "profile_values": "SELECT * FROM profile_values ORDER BY 1, 2, 3",
        "user_text": "SELECT rowid, user_id, text FROM user_text ORDER BY rowid",
        "log_events": "SELECT * FROM log_events ORDER BY seq",
        "unique_values": "SELECT * FROM unique_values ORDER BY 1, 2",
        "memberships": "SELECT * FROM memberships ORDER BY 1, 2",
        "counters": "SELECT * FROM counters ORDER BY 1",
    }
    with org.db.read() as conn:
        stored = {name: [list(r) for r in conn.execute(sql)] for name, sql in tables.items()}
        journal = [json.loads(r[0]) for r in conn.execute("SELECT entry FROM journal ORDER BY seq")]
    for entry in journal:
        entry.pop("latencyMs")  # measured
        entry.pop("worker")  # the process id
    stored["journal"] = journal
    return {"answers": answers, "stored": stored}


def test_creates_and_reads_are_byte_for_byte_as_pinned(client: FlaskClient, org: Org) -> None:
    assert transcript(client, org) == json.loads(PINNED.read_text(encoding="utf-8"))


def test_a_file_store_answers_and_stores_the_same(tmp_path: Path) -> None:
    org = Org(
        Settings(db=str(tmp_path / "pinned.db"), seed=7), clock=ManualClock(), ids=IdFactory(7)
    )
    try:
        client = create_app(org=org).test_client()
        assert transcript(client, org) == json.loads(PINNED.read_text(encoding="utf-8"))
    finally:
        org.close()
