"""Okta's rate limits: buckets, per-minute profiles, and the limiter.

Per-minute defaults are Okta's published ones (reference.md §5, OLD-RL `rl-global-mgmt`).
A window lasts 60 seconds from its first request, not aligned to the clock minute (RL2-monitor),
divided by the time scale; counters live in the database so every worker shares them.
"""

from __future__ import annotations

import math
import multiprocessing
import re
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Final

from mock_okta.clock import Clock
from mock_okta.concurrency import WINDOW_FIELDS
from mock_okta.db import Database

BUCKETS: Final = (
    "users.collection",
    "users.get",
    "users.update",
    "groups.collection",
    "groups.item",
    "authn",
    "api.default",
    "apps",
)
CONCURRENCY: Final = "concurrency"
AUTHN_PER_USER: Final = "authn.user"
WINDOW_SECONDS: Final = 60.0
PRUNE_EVERY: Final = 2000

PROFILES: Final[Mapping[str, Mapping[str, int]]] = {
    "workforce": {
        "users.collection": 600,
        "users.get": 2000,
        "users.update": 600,
        "groups.collection": 500,
        "groups.item": 1000,
        "authn": 500,
        "api.default": 1200,
        "apps": 100,
        CONCURRENCY: 75,
    },
    "customer-identity": {
        "users.collection": 600,
        "users.get": 1000,
        "users.update": 600,
        "groups.collection": 600,
        "groups.item": 600,
        "authn": 600,
        "api.default": 600,
        "apps": 100,
        CONCURRENCY: 75,
    },
    "one-app": {
        "users.collection": 600,
        "users.get": 1000,
        "users.update": 600,
        "groups.collection": 600,
        "groups.item": 600,
        "authn": 600,
        "api.default": 600,
        "apps": 100,
        # PARITY: current docs give 75 or 35 by plan; One App's 35 is from the older docs.
        CONCURRENCY: 35,
    },
    "integrator-free": {
        "users.collection": 100,
        "users.get": 100,
        "users.update": 100,
        "groups.collection": 100,
        "groups.item": 100,
        "authn": 100,
        "api.default": 100,
        "apps": 20,
        CONCURRENCY: 35,
    },
    "off": {},
}

# Okta's rule: the most specific endpoint wins, and the method matters. First match here.
_ID: Final = r"[^/]+"
_RULES: Final = (
    (frozenset({"GET", "POST"}), re.compile(r"/api/v1/users/?"), "users.collection"),
    (frozenset({"GET"}), re.compile(rf"/api/v1/users/{_ID}/?"), "users.get"),
    (frozenset({"POST", "PUT", "DELETE"}), re.compile(rf"/api/v1/users/{_ID}/?"), "users.update"),
    # PARITY: Okta's tables do not list lifecycle/* and credentials/*; they are counted with
    # the user's update bucket, the longest documented prefix for POST /api/v1/users/{id}.
    (
        frozenset({"POST"}),
        re.compile(rf"/api/v1/users/{_ID}/(lifecycle|credentials)/.*"),
        "users.update",
    ),
    (frozenset({"GET", "POST"}), re.compile(r"/api/v1/groups/?"), "groups.collection"),
    # `/api/v1/groups/{id}` and, by longest match, its members and memberships.
    (None, re.compile(rf"/api/v1/groups/{_ID}(/.*)?"), "groups.item"),
    (None, re.compile(r"/api/v1/authn(/.*)?"), "authn"),
    # `/api/v1/apps*` in every method (OLD-RL rl-global-mgmt). PARITY: a user's appLinks
    # (`/api/v1/users/{id}/appLinks`) is listed nowhere; it counts as "most other /api/v1".
    (None, re.compile(r"/api/v1/apps(/.*)?"), "apps"),
    # PARITY: Okta's tables list no bucket for /api/v1/meta/* (schemas, user types) nor for
    # GET /api/v1/users/{id}/groups: they count in "most other /api/v1" (api.default).
    (None, re.compile(r"/api/v1/.*"), "api.default"),
)


def bucket_for(method: str, path: str) -> str | None:
    """The bucket an Okta API request counts against; None for paths Okta does not limit."""
    for methods, pattern, bucket in _RULES:
        if (methods is None or method in methods) and pattern.fullmatch(path):
            return bucket
    return None


def limits_for(profile: str, overrides: Mapping[str, int]) -> dict[str, int]:
    """Per-minute limits by bucket (and `concurrency`): the profile, then the overrides."""
    return {**PROFILES.get(profile, {}), **overrides}


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # mock-clock epoch seconds when the window ends
    window_start: float = 0.0


BUCKET_INDEX: Final = {bucket: i for i, bucket in enumerate(BUCKETS)}


class RateLimiter:
    """Fixed windows per (bucket, key), opened by their first request.

    The org's buckets live in shared memory (every worker counts in the same window, at the
    cost of a lock); per-username windows, unbounded in number, live in SQLite.
    """

    def __init__(
        self, db: Database, clock: Clock, windows: SynchronizedArray[float] | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.windows = (
            windows
            if windows is not None
            else multiprocessing.Array("d", len(BUCKETS) * WINDOW_FIELDS)
        )
        self._checks = 0

    def reset(self) -> None:
        """Every org window closed (they are shared: this resets every worker's view)."""
        with self.windows.get_lock():
            for i in range(len(self.windows)):
                self.windows[i] = 0.0

    def check(
        self, bucket: str, limit: int, window: float, key: str = "org", *, quantize: bool = False
    ) -> Decision:
        """Count one request unless the window is used up.

        `quantize` (under time compression) ends a new window on a whole real second.
        """
        now = self.clock.now()
        if limit <= 0:
            return Decision(False, limit, 0, now + window)
        end = self._window_end(now, window) if quantize else now + window
        index = BUCKET_INDEX.get(bucket) if key == "org" else None
        if index is not None:
            return self._check_shared(index, now, end, limit)
        # SET expressions read the row as it was, so `allowed` sees `used` before the increment.
        start, end, used, allowed = self.db.execute_one(
            "INSERT INTO rate_windows (bucket, key, window_start, window_end, used, allowed)"
            " VALUES (:bucket, :key, :now, :end, 1, 1)"
            " ON CONFLICT (bucket, key) DO UPDATE SET"
            " window_start = CASE WHEN :now >= window_end THEN :now ELSE window_start END,"
            " window_end = CASE WHEN :now >= window_end THEN :end ELSE window_end END,"
            " used = CASE WHEN :now >= window_end THEN 1"
            "   WHEN used < :limit THEN used + 1 ELSE used END,"
            " allowed = CASE WHEN :now >= window_end OR used < :limit THEN 1 ELSE 0 END"
            " RETURNING window_start, window_end, used, allowed",
            {"bucket": bucket, "key": key, "now": now, "end": end, "limit": limit},
        )
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self.db.execute_one("DELETE FROM rate_windows WHERE window_end < ?", (now - 3600,))
        return Decision(bool(allowed), limit, max(limit - int(used), 0), float(end), float(start))

    def _check_shared(self, index: int, now: float, new_end: float, limit: int) -> Decision:
        base = index * WINDOW_FIELDS
        w = self.windows
        with w.get_lock():
            start, end, used = w[base], w[base + 1], int(w[base + 2])
            if now >= end:  # the window ended (or never opened): this request opens one
                start, end, used = now, new_end, 0
            allowed = used < limit
            if allowed:
                used += 1
            w[base], w[base + 1], w[base + 2] = start, end, float(used)
        return Decision(allowed, limit, max(limit - used, 0), end, start)

    def _window_end(self, now: float, window: float) -> float:
        """When a window opened now ends: 60 s (scaled) after its first request.

        Under time compression a window lasts a second or two while X-Rate-Limit-Reset counts
        whole seconds, so the end is moved to the nearest whole real second: a client that
        sleeps until the reset then starts the next window on time, and a rehearsal at a scale
        that divides 60 keeps Okta's rhythm exactly. At scale 1 the end is never moved.
        """
        offset = self.clock.offset
        real_end = round(now - offset + window)
        if real_end <= now - offset:
            real_end = math.ceil(now - offset + window)
        return real_end + offset

    def peek(self, bucket: str, limit: int, window: float) -> Decision:
        """The org window as it stands, counting nothing (for answers that never reach the view)."""
        now = self.clock.now()
        index = BUCKET_INDEX.get(bucket)
        row: tuple[float, float] | None = None
        if index is not None:
            base = index * WINDOW_FIELDS
            with self.windows.get_lock():
                row = (self.windows[base + 1], self.windows[base + 2])
        if row is None or now >= float(row[0]):
            return Decision(limit > 0, limit, limit, now + window)
        return Decision(int(row[1]) < limit, limit, max(limit - int(row[1]), 0), float(row[0]))


def reset_header(reset_at_real: float) -> str:
    """X-Rate-Limit-Reset: UTC epoch seconds, rounded up so a client never wakes too early."""
    return str(math.ceil(reset_at_real))
