"""A store made before user types and groups (schema version 2) opens with its users kept, in
the default type, and the directory's tables made: nothing a premigration wrote is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.db import SCHEMA_VERSION
from mock_okta.ids import IdFactory
from mock_okta.org import Org

V2_TABLES = """
CREATE TABLE users (
    id TEXT PRIMARY KEY, login_key TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    created INTEGER NOT NULL, activated INTEGER, status_changed INTEGER, last_login INTEGER,
    last_updated INTEGER NOT NULL, password_changed INTEGER, type_id TEXT NOT NULL,
    profile TEXT NOT NULL, provider TEXT NOT NULL, password TEXT, recovery_question TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, entry TEXT NOT NULL);
INSERT INTO meta VALUES ('default_type_id', 'otyOLDDEFAULTTYPE000');
INSERT INTO users VALUES ('00uOLDUSER0000000000', 'old@example.com', 'STAGED', 1, NULL, NULL,
    NULL, 1, NULL, 'otyOLDDEFAULTTYPE000',
    '{"login":"old@example.com","email":"old@example.com","firstName":"O","lastName":"Ld"}',
    'OKTA', NULL, NULL, 0, 1);
PRAGMA user_version = 2;
"""


def test_a_version_2_store_keeps_its_users_in_the_default_type(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V2_TABLES)
    org = Org(Settings(db=str(path)), clock=ManualClock(), ids=IdFactory(3))
    try:
        user = org.store.get_user("old@example.com")
        assert user.type_id == org.store.default_type_id == "otyOLDDEFAULTTYPE000"
        assert [t.id for t in org.store.list_user_types()] == ["otyOLDDEFAULTTYPE000"]
        groups = org.store.list_user_groups(user.id)
        assert [g.name for g in groups] == ["Everyone"]
        updated = org.store.update_user(user.id, {"nickName": "Oldie"}, None)
        assert updated.profile["nickName"] == "Oldie"
        with org.db.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        org.close()
