"""The request journal: every request the mock answered, with secrets redacted.

Requests hand their entry to an in-memory queue; a writer thread per process redacts, encodes
and stores queued entries in one transaction every `interval` seconds (or sooner when the queue
fills), with exact counters and per-bucket totals. `flush()` writes this process's queue now.
The journal is shared by all workers through the database and capped at `limit` entries.
"""

from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import re
import sqlite3
import threading
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Final

from mock_okta.concurrency import raw
from mock_okta.db import Database

log = logging.getLogger("mock_okta.journal")

REDACTED: Final = "[redacted]"
# Keys whose scalar values are secrets wherever they appear in a body or a query string, by
# rule: a key is compared lower-cased without `_`, `-`, `.` and spaces ("client_secret" and
# "X-Api-Key" are "clientsecret" and "xapikey"), and is secret if it is one of SECRET_NAMES
# (hash fields and one-time values that are secrets only as whole names) or contains one of
# SECRET_WORDS (passwd, pass, pwd, apiToken, sessionToken, clientSecret, privateKey, ...).
SECRET_NAMES: Final = frozenset(
    {"value", "salt", "hash", "answer", "code", "codeverifier", "assertion", "otp", "pin"}
)
SECRET_WORDS: Final = (
    "pass",
    "pwd",
    "token",
    "secret",
    "authorization",
    "apikey",
    "privatekey",
    "credential",
    "cookie",
)
_SEPARATORS: Final = re.compile(r"[-_. ]")
MAX_BODY_CHARS: Final = 8192
MAX_DEPTH: Final = 32  # deeper parts of a body are not kept (a parsed body can nest ~900 deep)
TOO_DEEP: Final = "[too deep]"
BATCH: Final = 256
# json.dumps with options builds an encoder a call; these are built once.
_MEASURE: Final = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE: Final = json.JSONEncoder(separators=(",", ":")).encode


# A parsed body is mostly these: their exact types are checked before the (slower) ABCs.
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def redact(data: object, key: str | None = None, depth: int = 0) -> object:
    """A copy of `data` with every secret scalar replaced; structure and other values kept."""
    kind = type(data)
    if kind not in _SCALARS:
        if kind is dict or (kind is not list and isinstance(data, Mapping)):
            if depth >= MAX_DEPTH:
                return TOO_DEEP
            items = data.items()  # type: ignore[attr-defined]
            return {(name := str(k)): redact(v, name, depth + 1) for k, v in items}
        if isinstance(data, list):
            if depth >= MAX_DEPTH:
                return TOO_DEEP
            return [redact(item, key, depth + 1) for item in data]
    if key is not None and data is not None and is_secret_key(key):
        return REDACTED
    return data


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a body or query key holds a secret (see SECRET_WORDS)."""
    name = _SEPARATORS.sub("", key.lower())
    return name in SECRET_NAMES or any(word in name for word in SECRET_WORDS)


def redact_query(query: str) -> str:
    """A raw query string with the value of every secret key replaced; the rest as sent."""
    if not query:
        return query
    pairs = []
    for pair in query.split("&"):
        key, sep, _value = pair.partition("=")
        name = urllib.parse.unquote_plus(key)
        pairs.append(f"{key}={REDACTED}" if sep and is_secret_key(name) else pair)
    return "&".join(pairs)


def redact_uri(uri: str) -> str:
    """A request URI (path?query) with its query string redacted."""
    path, sep, query = uri.partition("?")
    return f"{path}?{redact_query(query)}" if sep else uri


def body_for_journal(data: object) -> object:
    """The redacted body, or a marker when it is too large to keep."""
    clean = redact(data)
    text = _MEASURE(clean)
    if len(text) > MAX_BODY_CHARS:
        return {"_truncated": True, "chars": len(text)}
    return clean


@dataclass(frozen=True, slots=True)
class WindowState:
    """The rate-limit window a request was counted in, for the per-bucket projection."""

    bucket: str
    allowed: bool
    window_start: float
    window_end: float
    window_seconds: float
    used: int
    limit: int
    at: float  # mock-clock time of the request


@dataclass(frozen=True, slots=True)
class Served:
    """One answered request as the pipeline saw it, raw: the writer thread turns it into the
    journal entry and its counters (the request pays for none of the dict, the counters, the
    redaction or the encoding). Nothing here is a secret but `args` and the body, which the
    writer redacts before anything is stored."""

    epoch: float
    request_id: str | None
    worker: int
    method: str
    path: str
    args: Mapping[str, str] | None  # the query as parsed (first value of each key), unredacted
    status: int
    error_code: str | None
    detail: str | None
    login: str | None  # a form's username (OIDC), when the body names nobody
    bucket: str | None
    token_id: str | None  # the token's id (00T...), never the token
    rate: dict[str, int] | None  # as the response's headers said
    fault_id: str | None
    fault_kind: str | None
    latency_ms: float
    hook: dict[str, object] | None = None
    hook_counters: tuple[str, ...] = ()

    def expand(self, body: object) -> tuple[dict[str, object], tuple[str, ...]]:
        """The entry (without its body) and the exact counters it adds to."""
        entry: dict[str, object] = {
            "epoch": self.epoch,
            "requestId": self.request_id,
            "worker": self.worker,
            "method": self.method,
            "path": self.path,
            "query": redact(self.args) if self.args else {},
            "status": self.status,
            "errorCode": self.error_code,
            "detail": self.detail,
            "login": login_of(body) or self.login,
            "bucket": self.bucket,
            "token": self.token_id,
            "rateLimit": self.rate,
            "fault": {"id": self.fault_id, "kind": self.fault_kind} if self.fault_id else None,
            "latencyMs": self.latency_ms,
            "body": None,
        }
        if self.hook is not None:
            entry["hook"] = self.hook
        status, bucket, token = self.status, self.bucket, self.token_id
        counters = ["requests", f"status.{status}"]
        if bucket:
            counters.append(f"bucket.{bucket}")
            if status == 429:
                counters.append(f"bucket.{bucket}.429")
        if token is not None:
            counters += [f"token.{token}.requests", f"token.{token}.status.{status}"]
            if bucket:
                counters.append(f"token.{token}.bucket.{bucket}")
                if status == 429:
                    counters.append(f"token.{token}.limited.{bucket}")
        if self.fault_id:
            counters.append("faults.injected")
        counters.extend(self.hook_counters)
        return entry, tuple(counters)


def login_of(body: object) -> str | None:
    """The login a request is about, for the journal: authn's username or a created profile's."""
    if not isinstance(body, dict):
        return None
    username = body.get("username")
    if isinstance(username, str):
        return username
    profile = body.get("profile")
    login = profile.get("login") if isinstance(profile, dict) else None
    return login if isinstance(login, str) else None


@dataclass(slots=True)
class Pending:
    entry: dict[str, object] | Served  # Served: expanded (with its counters) by the writer
    counters: tuple[str, ...] = ()
    window: WindowState | None = None
    body: object = field(default=None)
    resets: int = 0  # the org's reset count when the request was served


@dataclass(frozen=True, slots=True)
class JournalQuery:
    since: float | None = None
    until: float | None = None
    method: str | None = None
    path: str | None = None  # exact, or a glob with *
    status: int | None = None
    login: str | None = None
    after: int = 0
    limit: int = 100


class Journal:
    def __init__(
        self,
        db: Database,
        limit: int,
        interval: float = 0.02,
        pending: SynchronizedArray[int] | None = None,
        slot: int = 0,
    ) -> None:
        self.db = db
        # Shared with every worker: how many entries each has queued and not yet written.
        self.pending = pending if pending is not None else multiprocessing.Array("i", 1)
        self.slot = slot
        self.limit = limit
        self.interval = interval
        self._queue: list[Pending] = []
        self._lock = threading.Lock()
        self._zero_count()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        # Resets of the org seen by this process (Org.refresh keeps it current); an entry
        # queued before a reset that another worker made is dropped when it is written.
        self.resets = 0

    def record(
        self,
        entry: dict[str, object],
        counters: tuple[str, ...] = (),
        window: WindowState | None = None,
        body: object = None,
    ) -> None:
        """Queue one entry; `body` is redacted by the writer, never stored as sent."""
        self._queue_pending(Pending(entry, counters, window, body))

    def record_served(self, served: Served, window: WindowState | None, body: object) -> None:
        """Queue one answered request; the writer builds its entry and counters."""
        self._queue_pending(Pending(served, (), window, body))

    def _queue_pending(self, pending: Pending) -> None:
        with self._lock:
            pending.resets = self.resets
            self._queue.append(pending)
            full = len(self._queue) >= BATCH
            raw(self.pending)[self.slot] += 1  # this process's slot, under self._lock
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="mock-okta-journal", daemon=True
                )
                self._thread.start()
        if full:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # a journal bug must never stop the journal
                log.exception("mock-okta journal: a batch could not be written")

    def flush(self) -> None:
        """Write every queued entry of this process now."""
        with self._flush_lock:
            with self._lock:
                batch, self._queue = self._queue, []
            try:
                if batch:
                    self._write(batch)
            finally:
                with self._lock:
                    raw(self.pending)[self.slot] -= len(batch)

    def discard(self) -> None:
        """Drop queued entries (a reset is about to empty the journal)."""
        with self._flush_lock, self._lock:
            raw(self.pending)[self.slot] -= len(self._queue)
            self._queue = []

    def _zero_count(self) -> None:
        # Only this process writes its slot, always under self._lock, so with no lock across
        # processes: another worker reading it sees a whole int, before or after a change.
        with self._lock:
            raw(self.pending)[self.slot] = 0

    def unwritten(self) -> int:
        """Entries queued by every worker and not yet written."""
        with self.pending.get_lock():
            return sum(self.pending[:])

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.flush()

    def _write(self, batch: list[Pending]) -> None:
        encoded = []
        for item in batch:
            if isinstance(item.entry, Served):
                item.entry, item.counters = item.entry.expand(item.body)
            entry = item.entry
            epoch = float(entry["epoch"])  # type: ignore[arg-type]
            entry["time"] = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
            try:
                if item.body is not None:
                    entry["body"] = body_for_journal(item.body)
                # ASCII escapes keep even a lone surrogate (which no UTF-8 can hold) storable.
                text = _ENCODE(entry)
            except (ValueError, TypeError, RecursionError):
                # One odd body must never cost the batch (and the exact counters) its entries.
                log.exception("mock-okta journal: a body could not be kept")
                entry["body"] = {"_unreadable": True}
                text = json.dumps(entry, separators=(",", ":"), default=str)
            encoded.append((item, (epoch, entry["method"], entry["path"], entry["status"], text)))
        try:
            self._store(encoded)
        except (sqlite3.Error, OverflowError, ValueError, TypeError):
            if len(encoded) == 1:
                raise
            # A batch is one transaction: one entry that cannot be stored (a value beyond
            # SQLite's integers, say) must not cost the others theirs. Store them one by one.
            log.exception("mock-okta journal: a batch could not be written; writing its entries")
            lost = 0
            for one in encoded:
                try:
                    self._store([one])
                except (sqlite3.Error, OverflowError, ValueError, TypeError):
                    lost += 1
            if lost:
                log.error(
                    "mock-okta journal: %d of %d entries could not be written", lost, len(batch)
                )

    def _store(self, encoded: Sequence[tuple[Pending, tuple[object, ...]]]) -> None:
        """Store encoded entries, their counters and window states in one transaction."""
        with self.db.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'resets'").fetchone()
            resets = int(row[0]) if row else 0
            rows = []
            counters: dict[str, int] = {}
            windows: dict[str, list[WindowState]] = {}
            for item, values in encoded:
                if item.resets < resets:
                    continue  # served before a reset (made by another worker): not counted
                rows.append(values)
                for name in item.counters:
                    counters[name] = counters.get(name, 0) + 1
                if item.window is not None:
                    windows.setdefault(item.window.bucket, []).append(item.window)
            cur = conn.executemany(
                "INSERT INTO journal (time, method, path, status, entry) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO counters (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                list(counters.items()),
            )
            for bucket, states in windows.items():
                last = max(reversed(states), key=lambda s: s.at)  # ties: the latest queued
                first = min(states, key=lambda s: s.at)
                conn.execute(
                    "INSERT INTO bucket_stats (bucket, requests, limited, first_seen, origin,"
                    " last_seen, window_start, window_end, window_seconds, window_used,"
                    " window_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (bucket) DO UPDATE SET"
                    " requests = requests + excluded.requests,"
                    " limited = limited + excluded.limited,"
                    " origin = CASE WHEN excluded.first_seen < first_seen"
                    "   THEN excluded.origin ELSE origin END,"
                    " first_seen = min(first_seen, excluded.first_seen),"
                    " last_seen = max(last_seen, excluded.last_seen),"
                    " window_start = CASE WHEN excluded.last_seen >= last_seen"
                    "   THEN excluded.window_start ELSE window_start END,"
                    " window_end = CASE WHEN excluded.last_seen >= last_seen"
                    "   THEN excluded.window_end ELSE window_end END,"
                    " window_seconds = CASE WHEN excluded.last_seen >= last_seen"
                    "   THEN excluded.window_seconds ELSE window_seconds END,"
                    " window_used = CASE WHEN excluded.last_seen >= last_seen"
                    "   THEN excluded.window_used ELSE window_used END,"
                    " window_limit = CASE WHEN excluded.last_seen >= last_seen"
                    "   THEN excluded.window_limit ELSE window_limit END",
                    (
                        bucket,
                        len(states),
                        sum(not s.allowed for s in states),
                        first.at,
                        # Where the first window nominally began: under time compression its
                        # end sits on a whole second, so it may have begun before or after
                        # its first request; projections count whole windows from here.
                        first.window_end - first.window_seconds,
                        last.at,
                        last.window_start,
                        last.window_end,
                        last.window_seconds,
                        last.used,
                        last.limit,
                    ),
                )
            newest = conn.execute("SELECT max(seq) FROM journal").fetchone()[0]
            if cur.rowcount and newest is not None and newest > self.limit:
                conn.execute("DELETE FROM journal WHERE seq <= ?", (newest - self.limit,))

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
        if query.login:
            clauses.append("json_extract(entry, '$.login') = ?")
            params.append(query.login)
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
