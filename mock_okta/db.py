"""The one SQLite database: schema, connections and transactions.

A file in WAL mode by default, so users survive restarts and several gunicorn workers share
users, rate-limit counters, faults and the journal; `:memory:` for throwaway runs (one process).
Every read-modify-write runs in one `BEGIN IMMEDIATE` transaction on the process's one writer
connection. Reads of a file store run on a connection per thread, so they wait neither for each
other nor for the writer (WAL readers see the last commit); a read may carry a time budget.
The profile index (`profile_values`, and `user_text` for `co`) is kept by triggers in the
writing transaction itself, for every profile property, custom ones included.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
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
CREATE INDEX IF NOT EXISTS users_status ON users (status, id);
CREATE INDEX IF NOT EXISTS users_created ON users (created);  -- the dashboard's curve (ui/)

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

-- Groups assigned to apps: an app user with direct = 0 exists while one of these groups holds it.
CREATE TABLE IF NOT EXISTS app_groups (
    app_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    priority INTEGER NOT NULL,
    profile TEXT NOT NULL,
    last_updated INTEGER NOT NULL,
    PRIMARY KEY (app_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS app_groups_group ON app_groups (group_id);

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

# The profile index: one row per (property, folded value, user), whatever the properties are.
# Values are stored as text (a superset for every comparison); queries re-check each candidate.
# `user_text` holds the trigrams of Okta's `co` properties (SQLite's FTS5 trigram tokenizer),
# one row per user whose rowid is `text_key(id)`, a 63-bit hash of the user's id: the four
# folded values in one text (a match in any of them makes a candidate).
CONTAINS_NAMES: Final = ("login", "email", "firstName", "lastName")
TEXT_SEPARATOR: Final = "\x1f"


def fold(expr: str) -> str:
    """SQL for Python's casefold of `expr` as text; ASCII folds in SQLite, without a callback."""
    ascii_only = f"{expr} NOT GLOB '*[^ -~]*'"
    return f"CAST(CASE WHEN {ascii_only} THEN lower({expr}) ELSE casefold({expr}) END AS TEXT)"


def _text(u: str) -> str:
    parts = [fold(f"json_extract({u}.profile, '$.{n}')") for n in CONTAINS_NAMES]
    return " || char(31) || ".join(f"coalesce({p}, '')" for p in parts)


def user_text(profile: dict[str, object]) -> str:
    """What `_text` makes of a profile, in Python (for a bulk seed)."""
    return TEXT_SEPARATOR.join(
        [v.casefold() if isinstance(v := profile.get(n), str) else "" for n in CONTAINS_NAMES]
    )


def _values(u: str) -> str:
    return (
        f"SELECT key, {fold('value')}, {u}.id FROM json_each({u}.profile) WHERE value IS NOT NULL"
    )


_VALUES_NEW = f"INSERT INTO profile_values (name, value, user_id) {_values('NEW')};"
_TEXT_NEW = (
    "INSERT INTO user_text (rowid, user_id, text)"
    f" VALUES (text_key(NEW.id), NEW.id, {_text('NEW')});"
)
_UNINDEX_OLD = (
    f"DELETE FROM profile_values WHERE (name, value, user_id) IN ({_values('OLD')});"
    " DELETE FROM user_text WHERE rowid = text_key(OLD.id);"
)
# A bulk seed indexes all its users at once, after their rows (`INDEX_SEED_VALUES`, then
# `INSERT_TEXT` in rowid order: a set costs a fraction of a trigger per user, and FTS5 flushes
# its pending terms at every rowid lower than the last); this `meta` row, never committed,
# turns the insert trigger off meanwhile.
INDEX_DEFERRED: Final = "index_deferred"
PROFILE_INDEX: Final = (
    "CREATE TABLE IF NOT EXISTS profile_values (name TEXT NOT NULL, value TEXT NOT NULL,"
    " user_id TEXT NOT NULL, PRIMARY KEY (name, value, user_id)) WITHOUT ROWID",
    "CREATE VIRTUAL TABLE IF NOT EXISTS user_text USING fts5(user_id UNINDEXED, text,"
    " tokenize='trigram case_sensitive 1', detail='none', columnsize=0)",
    "CREATE TRIGGER IF NOT EXISTS users_index_add AFTER INSERT ON users WHEN NOT EXISTS"
    f" (SELECT 1 FROM meta WHERE key = '{INDEX_DEFERRED}') BEGIN {_VALUES_NEW} {_TEXT_NEW} END",
    "CREATE TRIGGER IF NOT EXISTS users_index_delete AFTER DELETE ON users"
    f" BEGIN {_UNINDEX_OLD} END",
    "CREATE TRIGGER IF NOT EXISTS users_index_update AFTER UPDATE OF profile ON users"
    f" WHEN OLD.profile IS NOT NEW.profile BEGIN {_UNINDEX_OLD} {_VALUES_NEW} {_TEXT_NEW} END",
)
# The insert triggers of earlier versions, dropped at start-up (users_index_add replaced them).
OLD_TRIGGERS: Final = (
    "DROP TRIGGER IF EXISTS users_index_insert",
    "DROP TRIGGER IF EXISTS users_text_insert",
)
# The profile values of a bulk seed's users (a JSON array of their ids), what the trigger's
# statement makes of each, in the primary key's order.
INDEX_SEED_VALUES: Final = (
    "INSERT INTO profile_values (name, value, user_id)"
    f" SELECT p.key, {fold('p.value')}, users.id FROM json_each(?) AS seeded"
    " JOIN users ON users.id = seeded.value, json_each(users.profile) AS p"
    " WHERE p.value IS NOT NULL ORDER BY 1, 2, 3"
)
# The trigrams of a bulk seed's users, at its end: (text_key, id, user_text) each.
INSERT_TEXT: Final = "INSERT INTO user_text (rowid, user_id, text) VALUES (?, ?, ?)"
DROP_PROFILE_INDEX: Final = (
    *OLD_TRIGGERS,
    "DROP TRIGGER IF EXISTS users_index_add",
    "DROP TRIGGER IF EXISTS users_index_delete",
    "DROP TRIGGER IF EXISTS users_index_update",
    "DROP TABLE IF EXISTS user_text",
    "DROP TABLE IF EXISTS profile_values",
)

# The System Log (issue #18, mock_okta/syslog/): one row per event, its body as Okta sends it.
SYSLOG_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS log_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    published INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    result TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    targets TEXT NOT NULL,  -- ' id1 id2 ': the targets' ids, for `target.id eq`
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_published ON log_events (published);
CREATE INDEX IF NOT EXISTS log_events_type ON log_events (event_type, seq);
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

# Bumped when a table changes shape; tables that only hold counters and windows are rebuilt,
# the profile index is rebuilt from the users.
# 3: user types with their schemas, groups, memberships, unique profile values, apps and app
# users, principal rate limits; the profile index; the System Log; OAuth keys and grants.
SCHEMA_VERSION: Final = 3
REBUILT_ON_UPGRADE: Final = ("rate_windows", "bucket_stats", "counters", "journal", "faults")

# Tables emptied by a reset (and the profile index); `meta` keeps the configuration. The default
# user type, its schema and the Everyone group are made again as at start-up
# (Store.restore_defaults).
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
    "app_groups",
    "user_types",
    "groups",
    "memberships",
    "unique_values",
    "principal_rate_limits",
    "log_events",
    "oauth_grants",
)


# SQLite calls the budget check every this many virtual machine steps (about a millisecond of a
# scan): rarely enough not to keep taking the GIL from the other requests.
PROGRESS_STEPS: Final = 20_000


class QueryBudgetExceeded(Exception):
    """A read ran past its time budget and was interrupted."""


class Database:
    """One writer connection per process, serialised by a lock; processes take turns on a
    lock file beside the store (`<store>-lock`), so a worker waiting to write wakes as soon as
    the other commits: SQLite's own busy handler would sleep 1, 2, 5 … 100 ms between tries.

    A file store reads on a connection per thread (WAL); `:memory:` reads on the writer.
    """

    def __init__(self, path: str | Path = MEMORY) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        # Called after a commit that bumped the generation (the org tells its other workers).
        self.on_generation: Callable[[], None] | None = None
        self._bumped = False
        self._turn: tuple[int, int] | None = None  # (pid, fd) of this process's lock file
        self._conn = self._connect()
        if self.path != MEMORY:
            self._conn.execute("PRAGMA journal_mode = WAL")
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                for table in REBUILT_ON_UPGRADE:  # users, tokens, hooks and settings are kept
                    self._conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._conn.executescript(SCHEMA)
            self._conn.executescript(APPS_SCHEMA)
            with self.write() as conn:
                if version != SCHEMA_VERSION:
                    self._rebuild_profile_index(conn)
                for statement in (*OLD_TRIGGERS, *PROFILE_INDEX):
                    conn.execute(statement)
            self._conn.executescript(SYSLOG_SCHEMA)
            self._conn.executescript(OAUTH_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        conn.create_function("text_key", 1, text_key, deterministic=True)
        conn.execute("PRAGMA busy_timeout = 30000")
        # A killed process loses nothing committed either way (its writes are in the OS); only a
        # power cut could, which a mock need not survive. OFF halves the cost of a commit.
        conn.execute("PRAGMA synchronous = OFF")
        conn.set_progress_handler(self._over_budget, PROGRESS_STEPS)
        return conn

    def _over_budget(self) -> int:
        deadline: float | None = getattr(self._local, "deadline", None)
        return int(deadline is not None and time.monotonic() > deadline)

    @property
    def is_memory(self) -> bool:
        return self.path == MEMORY

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed on success, rolled back on any exception."""
        with self._lock, self._writers_turn():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._bumped = False
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            bumped, self._bumped = self._bumped, False
        if bumped and self.on_generation is not None:
            self.on_generation()

    @contextmanager
    def _writers_turn(self) -> Iterator[None]:
        """This process's turn to write, among every process on the store (the caller holds
        `_lock`). The kernel drops a killed process's lock; a forked child opens its own."""
        if self.is_memory:
            yield
            return
        if self._turn is None or self._turn[0] != os.getpid():
            fd = os.open(self.path + "-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._turn = (os.getpid(), fd)
        fd = self._turn[1]
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits without the GIL
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def bump_generation(self, conn: sqlite3.Connection) -> None:
        """Tell every worker that shared configuration changed (they re-read it on their next
        request); call inside the `write()` transaction that changed it."""
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('generation', '1')"
            " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        self._bumped = True

    def execute_one(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> Any:
        """One statement, atomic on its own (autocommit): returns its first row, if any."""
        with self._lock, self._writers_turn():
            rows = self._conn.execute(sql, params).fetchall()  # run to completion: commits
        return rows[0] if rows else None

    @contextmanager
    def read(self, budget: float | None = None) -> Iterator[sqlite3.Connection]:
        """A connection to read on; past `budget` seconds a statement raises QueryBudgetExceeded.

        Several statements inside one `read()` see one snapshot only within a transaction;
        callers that need one consistent view of several rows read them in one statement.
        """
        if self.is_memory:
            with self._lock:
                yield from self._budgeted(self._conn, budget)
            return
        conn = self._reader()
        if budget is None:  # most reads (a GET by id): no deadline to set or restore
            yield conn
            return
        yield from self._budgeted(conn, budget)

    def _reader(self) -> sqlite3.Connection:
        """This thread's connection to read a file store on."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._readers.append(conn)
        return conn

    def _budgeted(
        self, conn: sqlite3.Connection, budget: float | None
    ) -> Iterator[sqlite3.Connection]:
        outer = getattr(self._local, "deadline", None)
        if budget is not None:
            self._local.deadline = time.monotonic() + budget
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            if budget is not None and "interrupted" in str(exc):
                raise QueryBudgetExceeded(budget) from None
            raise
        finally:
            self._local.deadline = outer

    def clear(self) -> None:
        with self.write() as conn:
            self.clear_tables(conn)

    def clear_tables(self, conn: sqlite3.Connection) -> None:
        """Empty every state table inside the caller's transaction."""
        # The index first, so the users' delete triggers find nothing left to do. No DDL here:
        # other workers' connections would meet a schema changed under their statements.
        for table in ("user_text", "profile_values", *STATE_TABLES):
            conn.execute(f"DELETE FROM {table}")

    def _rebuild_profile_index(self, conn: sqlite3.Connection) -> None:
        """The index of a store made by an older version, built from its users."""
        for statement in DROP_PROFILE_INDEX:
            conn.execute(statement)
        for statement in PROFILE_INDEX:
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO profile_values (name, value, user_id) {_values('users')}".replace(
                "FROM json_each", "FROM users, json_each"
            )
        )
        conn.execute(
            "INSERT INTO user_text (rowid, user_id, text)"
            f" SELECT text_key(users.id), users.id, {_text('users')} FROM users"
        )

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._conn.close()
            if self._turn is not None and self._turn[0] == os.getpid():
                os.close(self._turn[1])
            self._turn = None


def text_key(user_id: str) -> int:
    """A user's row in `user_text`: 63 bits of a hash of its id (at 10⁶ users, a collision,
    which would refuse that one create, has a chance of about 5 in 10⁸)."""
    digest = hashlib.blake2b(str(user_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _casefold(value: object) -> Any:
    return value.casefold() if isinstance(value, str) else value
