"""The request journal: every request the mock answered, with secrets redacted.

Shared by all workers through the database and capped at `Settings.journal_limit` entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mock_okta.db import Database

REDACTED: Final = "[redacted]"
# Keys whose scalar values are secrets wherever they appear in a body or a query string.
SECRET_KEYS: Final = frozenset(
    {
        "password",
        "value",
        "salt",
        "oldPassword",
        "newPassword",
        "answer",
        "token",
        "stateToken",
        "sessionToken",
        "activationToken",
        "recoveryToken",
        "passCode",
        "tempPassword",
        "authorization",
        "secret",
        "clientSecret",
    }
)
MAX_BODY_CHARS: Final = 8192
PRUNE_EVERY: Final = 500


def redact(data: object, key: str | None = None) -> object:
    """A copy of `data` with every secret scalar replaced; structure and other values kept."""
    if isinstance(data, Mapping):
        return {str(k): redact(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(item, key) for item in data]
    if key is not None and key in SECRET_KEYS and data is not None:
        return REDACTED
    return data


def body_for_journal(data: object) -> object:
    """The redacted body, or a marker when it is too large to keep."""
    clean = redact(data)
    text = json.dumps(clean, ensure_ascii=False)
    if len(text) > MAX_BODY_CHARS:
        return {"_truncated": True, "chars": len(text)}
    return clean


@dataclass(frozen=True, slots=True)
class JournalQuery:
    since: float | None = None
    until: float | None = None
    method: str | None = None
    path: str | None = None  # exact, or a glob with *
    status: int | None = None
    after: int = 0
    limit: int = 100


class Journal:
    def __init__(self, db: Database, limit: int) -> None:
        self.db = db
        self.limit = limit
        self._since_prune = 0

    def record(self, entry: Mapping[str, object], counters: tuple[str, ...] = ()) -> int:
        """Append one entry (already redacted) and bump `counters`; returns its sequence number."""
        with self.db.write() as conn:
            conn.executemany(
                "INSERT INTO counters (name, value) VALUES (?, 1)"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1",
                [(name,) for name in counters],
            )
            cur = conn.execute(
                "INSERT INTO journal (time, method, path, status, entry) VALUES (?, ?, ?, ?, ?)",
                (
                    entry["epoch"],
                    entry["method"],
                    entry["path"],
                    entry["status"],
                    json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                ),
            )
            seq = int(cur.lastrowid or 0)
            self._since_prune += 1
            if self._since_prune >= PRUNE_EVERY:
                self._since_prune = 0
                conn.execute("DELETE FROM journal WHERE seq <= ?", (seq - self.limit,))
        return seq

    def entries(self, query: JournalQuery) -> list[dict[str, object]]:
        clauses = ["seq > ?"]
        params: list[object] = [query.after]
        if query.since is not None:
            clauses.append("time >= ?")
            params.append(query.since)
        if query.until is not None:
            clauses.append("time < ?")
            params.append(query.until)
        if query.method:
            clauses.append("method = ?")
            params.append(query.method.upper())
        if query.path:
            clauses.append("path GLOB ?" if "*" in query.path else "path = ?")
            params.append(query.path)
        if query.status is not None:
            clauses.append("status = ?")
            params.append(query.status)
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT seq, entry FROM journal WHERE {' AND '.join(clauses)}"
                " ORDER BY seq LIMIT ?",
                (*params, query.limit),
            ).fetchall()
        out = []
        for seq, text in rows:
            entry = json.loads(text)
            entry["seq"] = seq
            out.append(entry)
        return out

    def counters(self) -> dict[str, int]:
        """Exact totals since the last reset (the journal itself is capped, these are not)."""
        with self.db.read() as conn:
            return {str(k): int(v) for k, v in conn.execute("SELECT name, value FROM counters")}
