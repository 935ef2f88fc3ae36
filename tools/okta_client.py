"""A small Okta API client for tools: paced by Okta's rate-limit headers, retrying what is safe.

Pacing (reference.md §5): every response's `X-Rate-Limit-Remaining`/`-Reset` is read. When the
allowance of a bucket reaches 0, or on a bucket's 429, every worker waits until `X-Rate-Limit-Reset`
(UTC epoch seconds, compared with the local clock); meanwhile no more requests are in flight to a
bucket than it has requests left. A concurrency 429 (Limit 0) is retried after a short backoff,
not its suggested reset. 500/502/503/504 and lost connections are retried with exponential
backoff and jitter, a bounded number of times.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qs, quote, urlsplit

import requests

RETRY_STATUSES: Final = frozenset({500, 502, 503, 504})
TRANSPORT_ERRORS: Final = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
MAX_RATE_LIMITED: Final = 100  # 429s in a row for one call before giving up
USER_AGENT: Final = "mock-okta-migrate/1"


class Stopped(Exception):
    """The run is stopping (interrupted, or a fatal error elsewhere); no new request starts."""


class Unavailable(Exception):
    """Okta did not answer after every allowed attempt; the message says what happened last."""


@dataclass(slots=True)
class Window:
    limit: int
    remaining: int
    reset: float


def bucket_of(method: str, path: str) -> str:
    """Okta's rate-limit class of a request: one allowance is tracked per class."""
    # Okta's buckets are per endpoint and method (reference.md §5): create/list, get by id or
    # login, and update/delete with the lifecycle calls (longest documented prefix).
    if path.rstrip("/") == "/api/v1/users":
        return "users"
    if path.startswith("/api/v1/users/"):
        rest = path[len("/api/v1/users/") :].strip("/")
        if rest.endswith("/groups"):
            return "api"  # listUserGroups: "most other /api/v1" (the mock's PARITY choice)
        return "user.get" if method == "GET" and "/" not in rest else "user.update"
    if path.rstrip("/") == "/api/v1/groups":
        return "groups"
    if path.startswith("/api/v1/groups/"):
        return "group"  # a group, its members and memberships: /api/v1/groups/{id}
    return "api"


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    text = headers.get(name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


class Pacer:
    """Admits requests so that Okta's allowance is never overrun; shared by every worker."""

    def __init__(
        self,
        workers: int,
        *,
        clock: Callable[[], float] = time.time,
        stop: threading.Event | None = None,
    ) -> None:
        self.workers = max(1, workers)
        self.clock = clock
        self.stop = stop or threading.Event()
        self._cond = threading.Condition()
        self._paused_until = 0.0
        self._in_flight: Counter[str] = Counter()
        self._windows: dict[str, Window] = {}
        self.pauses = 0
        self.paused_seconds = 0.0

    def acquire(self, bucket: str) -> None:
        """Wait until a request to `bucket` may start; raises Stopped when the run stops."""
        with self._cond:
            while True:
                if self.stop.is_set():
                    raise Stopped
                now = self.clock()
                if now < self._paused_until:
                    self._cond.wait(min(self._paused_until - now, 1.0))
                    continue
                allowance = self._allowance(bucket, now)
                if sum(self._in_flight.values()) < self.workers and (
                    self._in_flight[bucket] < allowance
                ):
                    self._in_flight[bucket] += 1
                    return
                window = self._windows.get(bucket)
                wait = window.reset - now if window is not None and now < window.reset else 1.0
                self._cond.wait(min(max(wait, 0.01), 1.0))

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def _allowance(self, bucket: str, now: float) -> int:
        window = self._windows.get(bucket)
        if window is None:
            return self.workers
        if now < window.reset:
            return window.remaining
        return min(self.workers, window.limit) if window.limit > 0 else self.workers

    def release(self, bucket: str, response: requests.Response | None) -> None:
        """A request to `bucket` ended; learn the allowance from its headers."""
        with self._cond:
            self._in_flight[bucket] -= 1
            if response is not None:
                self._observe(bucket, response)
            self._cond.notify_all()

    def _observe(self, bucket: str, response: requests.Response) -> None:
        limit = _header_number(response.headers, "X-Rate-Limit-Limit")
        remaining = _header_number(response.headers, "X-Rate-Limit-Remaining")
        reset = _header_number(response.headers, "X-Rate-Limit-Reset")
        if remaining is None or reset is None:
            return
        if limit == 0:
            # A concurrency violation says Limit 0 and Remaining 0 (RL2-concurrency); its Reset
            # is "only a suggested value", a minute or two ahead in real orgs, while requests in
            # flight end within seconds: the refused call backs off on its own (OktaClient).
            return
        if limit is not None:
            window = self._windows.get(bucket)
            if window is None or reset > window.reset:
                self._windows[bucket] = Window(int(limit), int(remaining), reset)
            elif reset == window.reset:
                window.remaining = min(window.remaining, int(remaining))
        if remaining <= 0 or response.status_code == 429:
            self.pause_until(reset)

    def pause_until(self, when: float) -> None:
        """Hold every worker until `when` (epoch seconds)."""
        with self._cond:
            now = self.clock()
            if when > self._paused_until and when > now:
                self.pauses += 1
                self.paused_seconds += when - max(now, self._paused_until)
                self._paused_until = when
            self._cond.notify_all()

    def interrupt(self) -> None:
        self.stop.set()
        with self._cond:
            self._cond.notify_all()


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between half and all of base * 2**n."""

    base: float = 0.5
    cap: float = 30.0
    max_attempts: int = 8
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * 2**attempt)
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))


@dataclass(frozen=True, slots=True)
class Reply:
    """Okta's answer: status, parsed JSON body (None when not JSON), and whether an earlier
    attempt of the same call ended without an answer (so it may have taken effect)."""

    status: int
    body: object
    uncertain: bool = False
    next_after: str | None = None  # the `after` of the Link rel="next" header, if any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str | None:
        code = self.body.get("errorCode") if isinstance(self.body, dict) else None
        return code if isinstance(code, str) else None

    @property
    def causes(self) -> list[str]:
        causes = self.body.get("errorCauses") if isinstance(self.body, dict) else None
        if not isinstance(causes, list):
            return []
        return [str(c.get("errorSummary")) for c in causes if isinstance(c, dict)]

    def describe(self) -> str:
        """`HTTP 400 E0000001 Api validation failed: login (login: …)` for messages."""
        if not isinstance(self.body, dict):
            return f"HTTP {self.status}"
        text = f"HTTP {self.status} {self.error_code or ''} {self.body.get('errorSummary', '')}"
        causes = "; ".join(self.causes)
        return f"{text.strip()} ({causes})" if causes else text.strip()


@dataclass(slots=True)
class CallStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    transport_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


class OktaClient:
    """`call(method, path, params=, body=)` against one org, paced and retried; thread-safe."""

    def __init__(
        self,
        org_url: str,
        token: str,
        *,
        pacer: Pacer,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.org_url = org_url.rstrip("/")
        self.pacer = pacer
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.headers = {
            "Authorization": f"SSWS {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        self.stats = CallStats()
        self._lock = threading.Lock()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _count(self, **changes: int) -> None:
        with self._lock:
            for name, n in changes.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: object = None,
    ) -> Reply:
        """The first definitive answer (anything but 429, 5xx or a lost connection)."""
        bucket = bucket_of(method, path)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        failures = rate_limited = 0
        uncertain = False
        last = ""
        while True:
            self.pacer.acquire(bucket)
            response: requests.Response | None = None
            try:
                response = self._session().request(
                    method,
                    self.org_url + path,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=(min(10.0, self.timeout), self.timeout),
                )
            except TRANSPORT_ERRORS as exc:
                last = f"{type(exc).__name__}: {exc}"
                self._count(requests=1, transport_errors=1)
            finally:
                self.pacer.release(bucket, response)
            if response is not None:
                status = response.status_code
                with self._lock:
                    self.stats.requests += 1
                    self.stats.statuses[status] += 1
                if status == 429:
                    self._count(rate_limited=1)
                    rate_limited += 1
                    if rate_limited > MAX_RATE_LIMITED:
                        raise Unavailable(f"{method} {path}: still 429 after {rate_limited} tries")
                    self._after_429(response, rate_limited)
                    continue
                if status not in RETRY_STATUSES:
                    return Reply(status, _json(response), uncertain, _next_after(response))
                last = f"HTTP {status}"
            uncertain = True  # the request may have reached Okta and taken effect
            failures += 1
            if failures >= self.backoff.max_attempts:
                raise Unavailable(f"{method} {path}: {last} (after {failures} attempts)")
            self._count(retries=1)
            if self.pacer.stop.wait(self.backoff.delay(failures - 1)):
                raise Stopped

    def _after_429(self, response: requests.Response, count: int) -> None:
        """The pacer already holds everyone until the reset; without a usable reset, back off.

        A concurrency 429 (Limit 0) holds no one else: this call alone backs off and retries.
        """
        if _header_number(response.headers, "X-Rate-Limit-Limit") == 0:
            if self.pacer.stop.wait(self.backoff.delay(min(count, 6) - 1)):
                raise Stopped
            return
        reset = _header_number(response.headers, "X-Rate-Limit-Reset")
        if reset is None or reset <= self.pacer.clock():
            # No reset, or one already past by our clock (clock skew): wait a growing while.
            self.pacer.pause_until(self.pacer.clock() + self.backoff.delay(min(count, 6)))

    def user_path(self, login_or_id: str) -> str:
        return "/api/v1/users/" + quote(login_or_id, safe="@")

    def pages(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[Reply]:
        """Every page of a list, following `Link: rel="next"` (CORE pagination)."""
        query = dict(params or {})
        while True:
            reply = self.call("GET", path, params=query)
            yield reply
            if not reply.ok or reply.next_after is None:
                return
            query["after"] = reply.next_after


def _next_after(response: requests.Response) -> str | None:
    link = response.links.get("next")
    if not link:
        return None
    after = parse_qs(urlsplit(link.get("url", "")).query).get("after")
    return after[0] if after else None


def _json(response: requests.Response) -> object:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
