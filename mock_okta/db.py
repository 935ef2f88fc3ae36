"""The one SQLite database: schema, connection and transactions.

A file in WAL mode by default, so users survive restarts and several gunicorn workers share
users, rate-limit counters, faults and the journal; `:memory:` for throwaway runs (one process).
Every read-modify-write runs in one `BEGIN IMMEDIATE` transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

MEMORY: Final = ":memory:"

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    login_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    activated INTEGER,
    status_changed INTEGER,
    last_login INTEGER,
    last_updated INTEGER NOT NULL,
    password_changed INTEGER,
    type_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    provider TEXT NOT NULL,
    password TEXT,
    recovery_question TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS users_last_updated ON users (last_updated);

CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    entry TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rate_windows (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    window_start REAL NOT NULL,
    window_end REAL NOT NULL,
    used INTEGER NOT NULL,
    allowed INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
);

CREATE TABLE IF NOT EXISTS bucket_stats (
    bucket TEXT PRIMARY KEY,
    requests INTEGER NOT NULL,
    limited INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    origin REAL NOT NULL,
    last_seen REAL NOT NULL,
    window_start REAL NOT NULL,
    window_end REAL NOT NULL,
    window_seconds REAL NOT NULL,
    window_used INTEGER NOT NULL,
    window_limit INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS faults (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    remaining INTEGER,
    matched INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS inline_hooks (
    id TEXT PRIMARY KEY,
    hook TEXT NOT NULL,
    created REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS user_types (
    id TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    schema TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    profile TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    last_membership_updated INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS memberships (
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_user ON memberships (user_id);

CREATE TABLE IF NOT EXISTS unique_values (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (name, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS unique_values_user ON unique_values (user_id);
"""

# Apps and their users (issue #13). An app user is keyed by (app, user): one per assignment.
APPS_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    sign_on_mode TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    client_id TEXT UNIQUE,
    client_secret TEXT,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS apps_name ON apps (name);

CREATE TABLE IF NOT EXISTS app_users (
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    assignment_id TEXT NOT NULL,
    direct INTEGER NOT NULL,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    status_changed INTEGER NOT NULL,
    password_changed INTEGER,
    user_name TEXT,
    external_id TEXT,
    sync_state TEXT NOT NULL,
    last_sync INTEGER,
    profile TEXT NOT NULL,
    search TEXT NOT NULL,
    PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS app_users_user ON app_users (user_id);

CREATE TABLE IF NOT EXISTS principal_rate_limits (
    id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL UNIQUE,
    principal_type TEXT NOT NULL,
    percentage INTEGER NOT NULL,
    concurrency_percentage INTEGER NOT NULL,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    last_update INTEGER NOT NULL,
    last_updated_by TEXT NOT NULL
);
"""

# OAuth 2.0 / OIDC (issue #17): signing keys survive a reset (tokens keep verifying); codes,
# refresh tokens, sessions and revoked token ids (kind, with the grant's JSON) do not.
OAUTH_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS oauth_keys (
    kid TEXT PRIMARY KEY,
    server TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created REAL NOT NULL,
    active INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS oauth_grants (
    handle TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    expires_at REAL NOT NULL,
    grant_json TEXT NOT NULL
);
"""

# Bumped when a table changes shape; tables that only hold counters and windows are rebuilt.
# 3: user types with their schemas, groups, memberships, unique profile values.
SCHEMA_VERSION: Final = 3
REBUILT_ON_UPGRADE: Final = ("rate_windows", "bucket_stats", "counters", "journal", "faults")

# Tables emptied by a reset; `meta` keeps the runtime configuration. The default user type, its
# schema and the Everyone group are made again as at start-up (Store.restore_defaults).
STATE_TABLES: Final = (
    "users",
    "tokens",
    "journal",
    "counters",
    "rate_windows",
    "bucket_stats",
    "faults",
    "inline_hooks",
    "apps",
    "app_users",
    "user_types",
    "groups",
    "memberships",
    "unique_values",
    "principal_rate_limits",
    "oauth_grants",
)


class Database:
    """One connection per process, serialised by a lock; SQLite serialises across processes."""

    def __init__(self, path: str | Path = MEMORY) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._conn.create_function("casefold", 1, _casefold, deterministic=True)
        self._conn.execute("PRAGMA busy_timeout = 30000")
        if self.path != MEMORY:
            self._conn.execute("PRAGMA journal_mode = WAL")
        # A killed process loses nothing committed either way (its writes are in the OS); only a
        # power cut could, which a mock need not survive. OFF halves the cost of a commit.
        self._conn.execute("PRAGMA synchronous = OFF")
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                for table in REBUILT_ON_UPGRADE:  # users, tokens, hooks and settings are kept
                    self._conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._conn.executescript(SCHEMA)
            self._conn.executescript(APPS_SCHEMA)
            self._conn.executescript(OAUTH_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    def is_memory(self) -> bool:
        return self.path == MEMORY

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed on success, rolled back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def execute_one(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> Any:
        """One statement, atomic on its own (autocommit): returns its first row, if any."""
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()  # run to completion: commits
        return rows[0] if rows else None

    def data_version(self) -> int:
        """Changes whenever another connection has committed (SQLite's `PRAGMA data_version`)."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def clear(self) -> None:
        with self.write() as conn:
            self.clear_tables(conn)

    def clear_tables(self, conn: sqlite3.Connection) -> None:
        """Empty every state table inside the caller's transaction."""
        for table in STATE_TABLES:
            conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def bump_generation(conn: sqlite3.Connection) -> None:
    """Tell every worker that shared configuration changed (they re-read it on their next
    request); call inside the transaction that changed it."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('generation', '1')"
        " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value
