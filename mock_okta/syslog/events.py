"""System Log events (SPEC `LogEvent`): built from what the org did, stored with the action.

An event is written in the caller's transaction (`SystemLog.record(conn, ...)`), so an action
and its event commit or roll back together. Who asked and from where comes from the request
the route layer bound (`bind`); the domain never sees Flask. Events never carry a password, a
hash or a token: only ids, logins, display names and Okta's outcome reasons.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from mock_okta.clock import Clock
from mock_okta.db import Database
from mock_okta.ids import IdFactory

SUCCESS: Final = "SUCCESS"
FAILURE: Final = "FAILURE"
PRUNE_EVERY: Final = 500

# Okta's display messages (DEVDOCS data/event-types.json descriptions, as the Admin Console
# shows them). PARITY: the wording of messages Okta does not document is chosen here.
DISPLAY: Final[Mapping[str, str]] = {
    "user.lifecycle.create": "Create Okta user",
    "user.lifecycle.activate": "Activate Okta user",
    "user.lifecycle.reactivate": "Reactivate Okta user",
    "user.lifecycle.deactivate": "Deactivate Okta user",
    "user.lifecycle.suspend": "Suspend Okta user",
    "user.lifecycle.unsuspend": "Unsuspend Okta user",
    "user.lifecycle.delete.initiated": "Delete Okta user",
    "user.account.unlock": "Unlock user account",
    "user.account.reset_password": "Reset user password",
    "user.account.expire_password": "Expire user password",
    "user.account.update_profile": "Update user profile for Okta",
    "user.account.update_password": "User update password for Okta",
    "user.account.lock": "Max sign in attempts exceeded",
    "user.session.start": "User login to Okta",
    "user.import.password": "Password import inline hook",
    "group.user_membership.add": "Add user to group membership",
    "group.user_membership.remove": "Remove user from group membership",
    "application.user_membership.add": "Add user to application membership",
    "application.user_membership.remove": "Remove user from application membership",
    "system.org.rate_limit.warning": "Rate limit warning",
    "system.org.rate_limit.violation": "Rate limit violation",
    "core.concurrency.org.limit.violation": "Concurrency limit violation",
}
WARN_EVENTS: Final = frozenset(
    {
        "user.account.lock",
        "system.org.rate_limit.warning",
        "system.org.rate_limit.violation",
        "core.concurrency.org.limit.violation",
    }
)


INSERT: Final = (
    "INSERT INTO log_events (published, event_type, result, actor_id, targets, body)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Party:
    """An actor or a target: `{id, type, alternateId, displayName, detailEntry}`."""

    id: str
    type: str
    alternate_id: str | None = None
    display_name: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "type": self.type}
        if self.alternate_id is not None:
            out["alternateId"] = self.alternate_id
        if self.display_name is not None:
            out["displayName"] = self.display_name
        return out


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The request an event happened in, as the route layer saw it."""

    request_id: str
    ip: str
    user_agent: str
    uri: str
    actor: Party | None = None  # the API token's admin; None on public paths (authn)
    token_id: str | None = None  # the API token's id (00T...), never the token


_REQUEST: ContextVar[RequestInfo | Callable[[], RequestInfo] | None] = ContextVar(
    "mock_okta_syslog_request", default=None
)


@contextmanager
def bound(info: RequestInfo) -> Iterator[None]:
    token = _REQUEST.set(info)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def bind(info: RequestInfo | Callable[[], RequestInfo] | None) -> None:
    """Set the current request for this thread's (or task's) events; a callable makes it when
    the first event needs it (most requests write none)."""
    _REQUEST.set(info)


def current_request() -> RequestInfo | None:
    info = _REQUEST.get()
    if info is None or isinstance(info, RequestInfo):
        return info
    made = info()
    _REQUEST.set(made)
    return made


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str
    targets: Sequence[Party] = ()
    actor: Party | None = None  # None: the request's actor
    result: str = SUCCESS
    reason: str | None = None
    debug: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None


@lru_cache(maxsize=64)  # events come many to a millisecond (a create's two, a seed's thousands)
def iso_ms(ms: int) -> str:
    """`2024-08-13T15:58:20.353Z`, as `published` reads."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


SYSTEM: Final = Party("system", "SystemPrincipal", "system@okta.com", "Okta System")


# One encoder, built once: json.dumps with options builds a new one a call.
_dumps: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# An event's body as a template (record): the parts of a request that differ from one request
# to the next stand as these marks, each a JSON string of its own ("\u0000p" once encoded).
_PUBLISHED, _REQUEST_ID, _URI, _UUID = "\x00p", "\x00r", "\x00i", "\x00u"
_MARKS: Final = re.compile(r'"\\u0000([priu])"')
MAX_TEMPLATES: Final = 256


class SystemLog:
    """The org's System Log: writes events with their actions and keeps the newest `retention`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdFactory,
        *,
        retention: int = 100_000,
        enabled: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.retention = retention
        self.enabled = enabled
        self._written = 0
        self._templates: dict[tuple[object, ...], list[str] | None] = {}

    def record(self, conn: sqlite3.Connection, event: Event) -> None:
        """Store `event` in `conn`'s transaction; it commits or rolls back with the action."""
        self.record_many(conn, (event,))

    def record_many(self, conn: sqlite3.Connection, events: Sequence[Event]) -> None:
        """Store `events` in `conn`'s transaction in one statement, each as `record` would
        (a create's two or three, a bulk seed's thousands)."""
        if not self.enabled or not events:
            return
        request = current_request()
        rows = []
        # Events in a row that share their targets (the same tuple) share their JSON too.
        last: Sequence[Party] | None = None
        targets = ids = ""
        for event, drawn in zip(events, self.ids.salts(len(events)), strict=True):
            if event.targets is not last:
                last = event.targets
                targets = _dumps([t.to_json() for t in last])
                ids = " ".join(t.id for t in last)
            ms = int(self.clock.now() * 1000)
            actor = _actor(event, request)
            body = self._encoded(event, ms, request, actor, _uuid_text(drawn), targets)
            rows.append((ms, event.event_type, event.result, actor.id, f" {ids} ", body))
        if len(rows) == 1:
            conn.execute(INSERT, rows[0])
        else:
            conn.executemany(INSERT, rows)
        before = self._written
        self._written += len(rows)
        if self._written // PRUNE_EVERY != before // PRUNE_EVERY:
            self.prune(conn)

    def record_now(self, event: Event) -> None:
        """An event with no other write (a refused sign-in, a rate-limit violation)."""
        if not self.enabled:
            return
        with self.db.write() as conn:
            self.record(conn, event)

    def prune(self, conn: sqlite3.Connection) -> None:
        """Keep the newest `retention` events.

        PARITY: Okta keeps 90 days of events whatever their number; a mock that rehearses a
        250k import keeps a bounded number instead (--syslog-retention).
        """
        conn.execute(
            "DELETE FROM log_events WHERE seq <= (SELECT MAX(seq) FROM log_events) - ?",
            (self.retention,),
        )

    def _encoded(
        self,
        event: Event,
        ms: int,
        request: RequestInfo | None,
        actor: Party,
        uuid: str,
        targets: str,
    ) -> str:
        """`_dumps(self._body(…))`, from a template kept per kind of event and client;
        `targets` is the event's targets as JSON."""
        where = None if request is None else (request.ip, request.user_agent, request.token_id)
        key = (event.event_type, event.result, event.reason, event.message, actor, where,
               tuple(event.debug.items()))  # fmt: skip
        parts = self._templates.get(key)
        if parts is None:
            text = _dumps(self._body(event, iso_ms(ms), request, actor, uuid))
            if key not in self._templates:
                if len(self._templates) >= MAX_TEMPLATES:
                    self._templates.clear()
                parts = self._template(event, request, actor)
                # Kept only if it gives this very body (None: this kind is never templated).
                fits = parts is not None and self._fill(parts, ms, request, uuid, targets) == text
                self._templates[key] = parts if fits else None
            return text
        return self._fill(parts, ms, request, uuid, targets)

    def _template(
        self, event: Event, request: RequestInfo | None, actor: Party
    ) -> list[str] | None:
        probe = Event(event.event_type, (), actor, event.result, event.reason, event.debug,
                      event.message)  # fmt: skip
        if request is not None:
            request = RequestInfo(_REQUEST_ID, request.ip, request.user_agent, _URI,
                                  request.actor, request.token_id)  # fmt: skip
        text = _dumps(self._body(probe, _PUBLISHED, request, actor, _UUID))
        if not text.endswith('"target":[]}'):
            return None
        return _MARKS.split(text.removesuffix("[]}"))

    def _fill(
        self, parts: list[str], ms: int, request: RequestInfo | None, uuid: str, targets: str
    ) -> str:
        """A template's body: its fragments with the marks' values between them (JSON strings),
        then the targets."""
        values = {"p": f'"{iso_ms(ms)}"', "u": f'"{uuid}"'}  # digits, hex and punctuation
        if request is not None:
            rid = request.request_id
            values["r"] = f'"{rid}"' if rid.isalnum() else _dumps(rid)
            values["i"] = _dumps(request.uri)
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out.append(values[parts[i]])
            out.append(parts[i + 1])
        out.append(targets)
        out.append("}")
        return "".join(out)

    def _body(
        self,
        event: Event,
        published: str,
        request: RequestInfo | None,
        actor: Party,
        uuid_text: str,
    ) -> dict[str, object]:
        """The event as Okta sends it.

        PARITY: Okta sends `null` for what it does not know (`outcome.reason`, `client.id`,
        geography, the security context...); its SPEC allows few nulls, so the mock leaves
        such members out. Client `os`/`browser`/`device` are "Unknown" (no user-agent parsing).
        """
        outcome = {"result": event.result}
        if event.reason is not None:
            outcome["reason"] = event.reason
        client: dict[str, object] = {
            "userAgent": {"os": "Unknown", "browser": "UNKNOWN"},
            "zone": "null",
            "device": "Unknown",
        }
        debug: dict[str, str] = {}
        transaction: dict[str, object] = {"type": "WEB", "detail": {}}
        ip_chain: list[dict[str, str]] = []
        if request is not None:
            client["userAgent"] = {
                "rawUserAgent": request.user_agent,
                "os": "Unknown",
                "browser": "UNKNOWN",
            }
            if request.ip:
                client["ipAddress"] = request.ip
                ip_chain.append({"ip": request.ip, "version": "V4"})
            debug = {"requestId": request.request_id, "requestUri": request.uri, "url": request.uri}
            transaction["id"] = request.request_id
            if request.token_id:
                # The SPEC's LogTransaction: requestApiTokenId names the API token used.
                transaction["detail"] = {"requestApiTokenId": request.token_id}
        debug.update(event.debug)
        # PARITY: Okta's severity per event type is undocumented: WARN for lockouts, limit
        # events and failures, INFO otherwise.
        warn = event.event_type in WARN_EVENTS or event.result == FAILURE
        return {
            "actor": actor.to_json(),
            "client": client,
            "authenticationContext": {"authenticationStep": 0, "externalSessionId": "unknown"},
            "displayMessage": event.message or DISPLAY.get(event.event_type, event.event_type),
            "eventType": event.event_type,
            "outcome": outcome,
            "published": published,
            "securityContext": {},
            "severity": "WARN" if warn else "INFO",
            "debugContext": {"debugData": debug},
            "transaction": transaction,
            "uuid": uuid_text,
            "version": "0",
            "request": {"ipChain": ip_chain},
            "target": [t.to_json() for t in event.targets],
        }


WARNING_SHARE: Final = 0.6  # Okta's default warning threshold (DEVDOCS rl-system-log-events)


class LimitEvents:
    """system.org.rate_limit.warning / .violation and core.concurrency.org.limit.violation.

    PARITY: Okta writes a warning when a bucket's window passes its threshold and a violation
    when it is exceeded, without saying how often; the mock writes each at most once per
    bucket window (per process), so a 429 storm does not flood the log.
    """

    def __init__(self, syslog: SystemLog) -> None:
        self.syslog = syslog
        self._seen: dict[tuple[str, str], float] = {}

    def _once(self, kind: str, bucket: str, window: float) -> bool:
        key = (kind, bucket)
        if self._seen.get(key) == window:
            return False
        self._seen[key] = window
        return True

    def rate_limit(
        self, bucket: str, limit: int, used: int, allowed: bool, window_start: float
    ) -> None:
        if not self.syslog.enabled or limit <= 0:
            return
        debug = {"bucket": bucket, "limit": str(limit), "used": str(used)}
        target = Party(bucket, "RateLimit", bucket, f"{bucket} rate limit")
        if not allowed:
            if self._once("violation", bucket, window_start):
                self.syslog.record_now(
                    Event("system.org.rate_limit.violation", (target,), SYSTEM, FAILURE,
                          "RATE_LIMIT", debug)
                )  # fmt: skip
        elif used >= limit * WARNING_SHARE and self._once("warning", bucket, window_start):
            self.syslog.record_now(
                Event("system.org.rate_limit.warning", (target,), SYSTEM, SUCCESS, None, debug)
            )

    def concurrency(self, limit: int, window_start: float) -> None:
        if self.syslog.enabled and self._once("concurrency", "org", window_start):
            debug = {"limit": str(limit)}
            target = Party("concurrency", "RateLimit", "concurrency", "Concurrency limit")
            self.syslog.record_now(
                Event("core.concurrency.org.limit.violation", (target,), SYSTEM, FAILURE,
                      "RATE_LIMIT", debug)
            )  # fmt: skip


def _uuid_text(drawn: bytes) -> str:
    """A version 4 UUID from 16 random bytes (as `uuid.UUID(bytes=…, version=4)`)."""
    h = drawn.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _actor(event: Event, request: RequestInfo | None) -> Party:
    """Who did it: the event's own actor, else the request's admin, else Okta itself."""
    return event.actor or (request.actor if request else None) or SYSTEM
