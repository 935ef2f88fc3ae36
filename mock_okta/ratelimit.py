"""Okta's rate limits: buckets, per-minute profiles, per-token shares, and the limiter.

Per-minute defaults are Okta's published ones (reference.md §5, OLD-RL `rl-global-mgmt`).
A window lasts 60 seconds from its first request, not aligned to the clock minute (RL2-monitor),
divided by the time scale; counters live in shared memory so every worker sees them.

Each API token may use only a share of every bucket, 50 % by default ("if your org-wide limit
for the /api/v1/logs bucket is 120 requests per minute, a single API token can only make 60",
DEVDOCS rl2-token-oauth): a request counts against its token's window and the org's, and is
allowed only if both allow it. Shares may add up to more or less than 100 %.
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
from mock_okta.concurrency import MAX_BUCKETS, WINDOW_FIELDS, raw
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
    "logs",
    "oauth2.authorize",
    "oauth2.token",
    "oauth2",
    "oauth2.org",
)
CONCURRENCY: Final = "concurrency"
AUTHN_PER_USER: Final = "authn.user"
OAUTH_TOKEN_PER_USER: Final = "oauth2.token.user"  # 4/s per username (DEVDOCS rl2-limits)
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
        "logs": 120,
        "oauth2.authorize": 2000,
        "oauth2.token": 2000,
        "oauth2": 2000,
        "oauth2.org": 2000,
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
        "logs": 50,
        "oauth2.authorize": 1200,
        "oauth2.token": 1200,
        "oauth2": 1200,
        "oauth2.org": 1200,
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
        "logs": 50,
        "oauth2.authorize": 1200,
        "oauth2.token": 1200,
        "oauth2": 1200,
        "oauth2.org": 1200,
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
        "logs": 20,
        "oauth2.authorize": 300,
        "oauth2.token": 300,
        "oauth2": 300,
        "oauth2.org": 300,
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
    # `/api/v1/logs`: its own bucket (OLD-RL; 120/min on Workforce, reference.md §5, §7.7).
    (frozenset({"GET"}), re.compile(r"/api/v1/logs/?"), "logs"),
    # PARITY: Okta's tables list no bucket for /api/v1/meta/* (schemas, user types) nor for
    # GET /api/v1/users/{id}/groups: they count in "most other /api/v1" (api.default).
    (None, re.compile(r"/api/v1/.*"), "api.default"),
    # OAuth 2.0 (OLD-RL rl-global-enduser: custom servers' /authorize, /token and the rest of
    # /oauth2/{id}/v1; keys and discovery are not limited). The org server has a bucket of its
    # own (support.okta.com, how-the-rate-limits-work-for-authorization-servers). PARITY: its
    # numbers, and the custom servers' /token figure, are taken as the /authorize one.
    # PARITY: the hosted page's form counts as /api/v1/authn, which Okta's widget posts to.
    (frozenset({"POST"}), re.compile(r"/oauth2/(v1|[^/]+/v1)/signin"), "authn"),
    (None, re.compile(rf"/oauth2/{_ID}/v1/authorize"), "oauth2.authorize"),
    (None, re.compile(rf"/oauth2/{_ID}/v1/token"), "oauth2.token"),
    (
        None,
        re.compile(r"/oauth2/v1/(authorize|token|userinfo|introspect|revoke|logout)"),
        "oauth2.org",
    ),
    (None, re.compile(rf"/oauth2/{_ID}/v1/(userinfo|introspect|revoke|logout)"), "oauth2"),
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


def share_of(limit: int, percent: int) -> int:
    """A token's part of `limit` at `percent`: rounded down, but never 0 unless the limit is.

    PARITY: Okta does not say how it rounds a share (75 % of 35 in flight); down, at least 1.
    """
    if limit <= 0 or percent <= 0:
        return 0
    return max(1, limit * percent // 100)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int  # X-Rate-Limit-Limit: the token's share when a token is counted, else the org's
    remaining: int  # what is left of the tighter of the two windows
    reset_at: float  # mock-clock epoch seconds when the (binding) window ends
    window_start: float = 0.0
    org_limit: int | None = None  # the org-wide limit, when `limit` is a token's share
    used: int | None = None  # the fuller window, for projections: requests counted in it ...
    capacity: int | None = None  # ... and what it holds

    @property
    def fill(self) -> tuple[int, int]:
        """(used, capacity) of the fuller window."""
        if self.used is not None and self.capacity is not None:
            return self.used, self.capacity
        return self.limit - self.remaining, self.limit


BUCKET_INDEX: Final = {bucket: i for i, bucket in enumerate(BUCKETS)}


class RateLimiter:
    """Fixed windows per (bucket, key), opened by their first request.

    The org's buckets and every API token's live in shared memory (every worker counts in the
    same windows, at the cost of a lock); per-username windows, unbounded in number, in SQLite.
    """

    def __init__(
        self, db: Database, clock: Clock, windows: SynchronizedArray[float] | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.windows = (
            windows
            if windows is not None
            else multiprocessing.Array("d", 2 * MAX_BUCKETS * WINDOW_FIELDS)
        )
        self.tokens = len(self.windows) // (MAX_BUCKETS * WINDOW_FIELDS) - 1
        self._checks = 0

    def reset(self) -> None:
        """Every window closed (they are shared: this resets every worker's view)."""
        with self.windows.get_lock():
            for i in range(len(self.windows)):
                self.windows[i] = 0.0

    def check(
        self,
        bucket: str,
        limit: int,
        window: float,
        key: str = "org",
        *,
        quantize: bool = False,
        token: int | None = None,
        token_limit: int | None = None,
    ) -> Decision:
        """Count one request unless the window is used up.

        With `token` (API token number) and `token_limit`, the request also counts against
        that token's window of the bucket, and needs room in both. `quantize` (under time
        compression) ends a new window on a whole real second.
        """
        now = self.clock.now()
        if limit <= 0:
            return Decision(False, limit, 0, now + window)
        end = self._window_end(now, window) if quantize else now + window
        index = BUCKET_INDEX.get(bucket) if key == "org" else None
        if index is not None:
            if token is not None and token_limit is not None and 0 <= token < self.tokens:
                return self._check_pair(index, token, now, end, limit, token_limit)
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

    def _open(self, base: int, now: float, new_end: float) -> tuple[float, float, int]:
        """The window at `base` as it stands now (a new one if it ended); caller holds the lock."""
        w = raw(self.windows)  # the caller's lock already guards it
        start, end, used = w[base], w[base + 1], int(w[base + 2])
        if now >= end:  # the window ended (or never opened): this request opens one
            return now, new_end, 0
        return start, end, used

    def _store(self, base: int, start: float, end: float, used: int) -> None:
        w = raw(self.windows)
        w[base], w[base + 1], w[base + 2] = start, end, float(used)

    def _check_shared(self, index: int, now: float, new_end: float, limit: int) -> Decision:
        base = index * WINDOW_FIELDS
        with self.windows.get_lock():
            start, end, used = self._open(base, now, new_end)
            allowed = used < limit
            if allowed:
                used += 1
            self._store(base, start, end, used)
        return Decision(allowed, limit, max(limit - used, 0), end, start)

    def _check_pair(
        self, index: int, token: int, now: float, new_end: float, limit: int, token_limit: int
    ) -> Decision:
        """Org window and token window under one lock: both count, or neither."""
        org_base = index * WINDOW_FIELDS
        token_base = ((1 + token) * MAX_BUCKETS + index) * WINDOW_FIELDS
        with self.windows.get_lock():
            org = self._open(org_base, now, new_end)
            mine = self._open(token_base, now, new_end)
            allowed = org[2] < limit and mine[2] < token_limit
            if allowed:
                org, mine = (org[0], org[1], org[2] + 1), (mine[0], mine[1], mine[2] + 1)
            self._store(org_base, *org)
            self._store(token_base, *mine)
        return _pair_decision(allowed, org, limit, mine, token_limit)

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

    def peek(
        self,
        bucket: str,
        limit: int,
        window: float,
        *,
        token: int | None = None,
        token_limit: int | None = None,
    ) -> Decision:
        """The windows as they stand, counting nothing (for answers that never reach the view)."""
        now = self.clock.now()
        index = BUCKET_INDEX.get(bucket)
        if index is None:
            return Decision(limit > 0, limit, limit, now + window)
        new_end = now + window
        with self.windows.get_lock():
            org = self._open(index * WINDOW_FIELDS, now, new_end)
            if token is None or token_limit is None or not 0 <= token < self.tokens:
                return Decision(org[2] < limit, limit, max(limit - org[2], 0), org[1], org[0])
            mine = self._open(((1 + token) * MAX_BUCKETS + index) * WINDOW_FIELDS, now, new_end)
        allowed = org[2] < limit and mine[2] < token_limit
        return _pair_decision(allowed, org, limit, mine, token_limit)


def _pair_decision(
    allowed: bool,
    org: tuple[float, float, int],
    limit: int,
    mine: tuple[float, float, int],
    token_limit: int,
) -> Decision:
    """Headers from the tighter window: the token's share as the limit, the smaller remainder,
    and the reset of the window that binds (the later one when both are used up)."""
    org_left, my_left = max(limit - org[2], 0), max(token_limit - mine[2], 0)
    if org_left == my_left == 0:
        binding = org if org[1] > mine[1] else mine
    else:
        binding = mine if my_left <= org_left else org
    # For projections: the fuller window (the org's on a tie: it holds every token).
    fuller = (org[2], limit) if org[2] * token_limit >= mine[2] * limit else (mine[2], token_limit)
    return Decision(
        allowed,
        token_limit,
        min(org_left, my_left),
        binding[1],
        binding[0],
        org_limit=limit,
        used=fuller[0],
        capacity=fuller[1],
    )


def reset_header(reset_at_real: float) -> str:
    """X-Rate-Limit-Reset: UTC epoch seconds, rounded up so a client never wakes too early."""
    return str(math.ceil(reset_at_real))
