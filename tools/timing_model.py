"""A discrete-event model of a bulk migration under Okta's rate limits: no server, no Flask.

Okta counts each request against a bucket whose 60-second window opens at its first request
and allows `limit` requests; beyond that it answers 429 until the window ends. An org-wide
concurrency limit caps requests in flight. Client workers each take a user and make its calls
one after another, every call taking `latency`.

Time is integer microseconds, so a run is exact and repeats exactly. That lets `simulate` skip
ahead: when the whole state, seen from one of worker 0's user completions, recurs shifted in
time, every later period is the same until users run out, so k periods are added at once.
A naive client's retries during an exhausted window are counted analytically, not one by one.
Every completion is kept (a skipped period as a repeat of the one measured), so `Outcome.curve`
gives the users done at any time exactly, for charts that draw more than the coarse `series`.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

SECOND: Final = 1_000_000  # model time unit: microseconds
MINUTE: Final = 60 * SECOND
MIN_RETRY_US: Final = 1_000  # a client that retries at once still takes a millisecond a try

_NONE: Final = 0  # no response pending: the worker is about to send
_OK: Final = 1
_RATE: Final = 2  # 429: the bucket's window is used up
_BUSY: Final = 3  # 429: the org's concurrency limit


class Client(StrEnum):
    """How client workers react to Okta's rate-limit headers."""

    WAIT_FOR_RESET = "wait-for-reset"  # on a 429, sleep until X-Rate-Limit-Reset
    RETRY_AT_ONCE = "retry-at-once"  # on a 429, send again straight away
    ADAPTIVE = "adaptive"  # never send what X-Rate-Limit-Remaining says has no room


@dataclass(frozen=True, slots=True)
class Call:
    """One API call made for each user, and the bucket Okta counts it against."""

    name: str
    bucket: str | None  # None: no per-minute limit applies


@dataclass(frozen=True, slots=True)
class Scenario:
    users: int
    calls: tuple[Call, ...]
    limits: Mapping[str, int]  # requests per window by bucket; a bucket not here is unlimited
    workers: int
    latency_us: int  # every response, 429s included, arrives this long after its request
    client: Client = Client.WAIT_FOR_RESET
    concurrency: int | None = None  # org-wide requests in flight; None: unlimited
    retry_pause_us: int = 0  # a RETRY_AT_ONCE client's pause between a 429 and its retry
    window_us: int = MINUTE


@dataclass(frozen=True, slots=True)
class Stretch:
    """Completions from `start`: `offsets` (sorted, from `start`) `times` times, `period` apart."""

    start: int
    before: int  # users done before `start`
    offsets: Sequence[int]
    period: int = 0
    times: int = 1

    def users_at(self, t: int) -> int:
        """Users done by `t` (`t` >= start), the completions at `t` included."""
        per = len(self.offsets)
        if self.period <= 0:  # one stretch recorded one by one (or a repeat in no time)
            return self.before + self.times * bisect_right(self.offsets, t - self.start)
        k = (t - self.start) // self.period
        if k >= self.times:
            return self.before + self.times * per
        return self.before + k * per + bisect_right(self.offsets, t - self.start - k * self.period)


@dataclass(frozen=True, slots=True)
class Curve:
    """Users migrated at any time of a run, exactly: every completion it made, and the periods
    `simulate` skipped kept as repeats of the period it measured."""

    stretches: tuple[Stretch, ...] = ()

    def users_at(self, t: int) -> int:
        k = bisect_right([s.start for s in self.stretches], t) - 1
        return 0 if k < 0 else self.stretches[k].users_at(t)

    def sample(self, end: int, points: int) -> tuple[tuple[int, int], ...]:
        """(time, users) at `points` + 1 even times from 0 to `end`, both included."""
        if points < 1:
            raise ValueError("points must be >= 1")
        times = [end * k // points for k in range(points + 1)]
        return tuple((t, self.users_at(t)) for t in times)


@dataclass(frozen=True, slots=True)
class Outcome:
    duration_us: int  # from the first request to the last user's last response
    requests: int  # every request sent, 429s included
    rejected: int  # 429s because a bucket's window was used up
    rejected_busy: int  # 429s because of the concurrency limit
    series: tuple[tuple[int, int], ...]  # (time, users migrated), rising; coarse
    curve: Curve = field(default=Curve(), compare=False)  # users at any time, exact

    @property
    def duration_s(self) -> float:
        return self.duration_us / SECOND


def header_time(reset_us: int) -> int:
    """X-Rate-Limit-Reset is whole epoch seconds, rounded up (model time 0 is a whole second)."""
    return -(-reset_us // SECOND) * SECOND


def lower_bound_us(scenario: Scenario) -> int:
    """The tightest of the simple bounds: each bucket's windows, and workers x latency."""
    bound = 0
    for bucket, limit in scenario.limits.items():
        per_user = sum(1 for call in scenario.calls if call.bucket == bucket)
        if per_user and limit > 0:
            windows = -(-scenario.users * per_user // limit)
            bound = max(bound, (windows - 1) * scenario.window_us)
    parallel = min(scenario.workers, scenario.concurrency or scenario.workers)
    total = scenario.users * len(scenario.calls)
    return max(bound, -(-total // parallel) * scenario.latency_us)


def _can_run_out(scenario: Scenario, workers: int, bucket: str, limit: int) -> bool:
    """Whether `limit` could be used up in a window (plus the second a reset header rounds up)."""
    per_user = sum(1 for call in scenario.calls if call.bucket == bucket)
    if scenario.users * per_user < limit:
        return False
    if scenario.latency_us == 0:
        return True
    # each admitted request holds its worker (and a concurrency slot) for the whole latency
    steps = (scenario.window_us + SECOND) // scenario.latency_us + 1
    most = workers * -(-steps // len(scenario.calls)) * per_user
    if scenario.concurrency is not None:
        most = min(most, scenario.concurrency * steps)
    return most >= limit


class _Worker:
    __slots__ = ("call", "pending", "remaining", "reset", "seq", "user")

    def __init__(self) -> None:
        self.user = -1  # the user in hand; -1: none
        self.call = 0  # index of the call being made for that user
        self.pending = _NONE  # the response that arrives at this worker's next event
        self.remaining = 0  # its X-Rate-Limit-Remaining
        self.reset = 0  # its reset time (true window end)
        self.seq = 0  # client-side send number within the call's bucket (adaptive view)


@dataclass(slots=True)
class _Mark:
    """Counters at an anchor, to measure one period when the state recurs."""

    time: int
    taken: int
    done: int
    requests: int
    rejected: int
    rejected_busy: int
    sent: dict[str, int]


class _Run:
    def __init__(self, scenario: Scenario) -> None:
        if scenario.users < 0 or scenario.workers < 1 or not scenario.calls:
            raise ValueError("a scenario needs users >= 0, workers >= 1 and at least one call")
        if scenario.latency_us < 0 or (scenario.concurrency or 1) < 1:
            raise ValueError("latency must be >= 0 and concurrency >= 1")
        if any(limit < 1 for limit in scenario.limits.values()):
            raise ValueError("every bucket limit must be >= 1 (leave a bucket out for no limit)")
        self.s = scenario
        self.calls = scenario.calls
        self.latency = scenario.latency_us
        self.retry_period = max(scenario.latency_us + scenario.retry_pause_us, MIN_RETRY_US)
        used_buckets = {call.bucket for call in scenario.calls}
        self.limits = {b: n for b, n in scenario.limits.items() if b in used_buckets}
        self.buckets = sorted(self.limits)
        count = scenario.workers
        if scenario.client is Client.ADAPTIVE and scenario.concurrency is not None:
            # the adaptive client is configured knowing the org's concurrency limit
            count = min(count, scenario.concurrency)
        self.workers = [_Worker() for _ in range(count)]
        self.when = [0] * count
        self.window_end = dict.fromkeys(self.buckets, -1)
        self.used = dict.fromkeys(self.buckets, 0)
        self.inflight: deque[int] = deque()
        # the adaptive client's view of each bucket, from the latest response it has read
        self.seen_remaining = dict.fromkeys(self.buckets, 0)
        self.seen_reset = dict.fromkeys(self.buckets, -1)
        self.seen_seq = dict.fromkeys(self.buckets, 0)
        self.sent = dict.fromkeys(self.buckets, 0)
        self.taken = 0
        self.done = 0
        self.requests = 0
        self.rejected = 0
        self.rejected_busy = 0
        self.end = 0
        self.resolution = max(1, lower_bound_us(scenario) // 400)
        # a bucket that can never run out changes nothing: its state is left out of signatures
        self.tight = {
            b for b, n in self.limits.items() if _can_run_out(scenario, len(self.workers), b, n)
        }
        self.rounds = scenario.client is not Client.RETRY_AT_ONCE and bool(self.tight)
        self.series: list[tuple[int, int]] = [(0, 0)]
        self.stretches: list[Stretch] = []
        self.completions = array("q")  # completion times since the last stretch closed
        self.completions_before = 0  # users done before those

    def run(self) -> Outcome:
        heap = [(0, i) for i in range(len(self.workers))]
        marks: dict[tuple[object, ...], _Mark] = {}
        last = len(self.calls) - 1
        while heap:
            t, i = heap[0]
            worker = self.workers[i]
            anchor = i == 0 and worker.pending == _OK and worker.call == last
            if anchor and self._anchor(t, marks, heap):
                continue
            nxt = self._act(t, worker)
            if nxt is None:
                heapq.heappop(heap)
            else:
                self.when[i] = nxt
                heapq.heapreplace(heap, (nxt, i))
        if self.series[-1] != (self.end, self.done):
            self.series.append((self.end, self.done))
        self._close()
        curve = Curve(tuple(self.stretches))
        return Outcome(
            self.end, self.requests, self.rejected, self.rejected_busy, tuple(self.series), curve
        )

    def _close(self) -> None:
        """End the stretch of completions recorded one by one."""
        if done := self.completions:
            first = done[0]
            offsets = array("q", (c - first for c in done))
            self.stretches.append(Stretch(first, self.completions_before, offsets))
        self.completions = array("q")

    def _act(self, t: int, w: _Worker) -> int | None:
        """Read the pending response, then send the next request or say when to try again."""
        s = self.s
        ready = t
        pending, w.pending = w.pending, _NONE
        if pending == _OK:
            bucket = self.calls[w.call].bucket
            if s.client is Client.ADAPTIVE and bucket in self.limits:
                self._see(bucket, w.remaining, w.reset, w.seq)
            w.call += 1
            if w.call == len(self.calls):
                self.done += 1
                self.end = t
                self.completions.append(t)
                if t - self.series[-1][0] >= self.resolution:
                    self.series.append((t, self.done))
                w.user, w.call = -1, 0
        elif pending == _RATE:
            if s.client is Client.WAIT_FOR_RESET:
                ready = max(t, header_time(w.reset))
            elif s.client is Client.RETRY_AT_ONCE:
                ready = t + s.retry_pause_us
                if ready < w.reset:
                    # every try before the window ends is another 429: count them at once
                    tries = -(-(w.reset - ready) // self.retry_period)
                    self.requests += tries
                    self.rejected += tries
                    self.sent_add(self.calls[w.call].bucket, tries)
                    ready += tries * self.retry_period
            else:
                bucket = self.calls[w.call].bucket
                if bucket is not None:
                    self._see(bucket, 0, w.reset, w.seq)
        elif pending == _BUSY and s.client is Client.RETRY_AT_ONCE:
            ready = t + s.retry_pause_us
        # PARITY: a concurrency 429's X-Rate-Limit-Reset is only "an estimate"; the model takes
        # it as the end of the oldest request in flight, already past when the 429 arrives.
        if w.user < 0:
            if self.taken >= s.users:
                return None
            w.user = self.taken
            self.taken += 1
        if ready > t:
            return ready
        return self._send(t, w)

    def _send(self, t: int, w: _Worker) -> int:
        bucket = self.calls[w.call].bucket
        limit = self.limits.get(bucket) if bucket is not None else None
        adaptive = self.s.client is Client.ADAPTIVE
        if limit is not None and bucket is not None:
            if adaptive:
                gate = header_time(self.seen_reset[bucket])
                unsent = self.seen_remaining[bucket] - (self.sent[bucket] - self.seen_seq[bucket])
                if t < gate and unsent <= 0:
                    return gate
            self.sent[bucket] += 1
            w.seq = self.sent[bucket]
            self.requests += 1
            if t >= self.window_end[bucket]:
                self.window_end[bucket] = t + self.s.window_us
                self.used[bucket] = 0
            if self.used[bucket] >= limit:
                # PARITY: a rejected request does not count against the window (as the mock)
                self.rejected += 1
                w.pending, w.reset = _RATE, self.window_end[bucket]
                return t + self.latency
        else:
            self.requests += 1
        # PARITY: Okta does not say which check comes first, nor how long it may hold a request
        # over the concurrency limit ("may retry internally"); here the bucket, then at once.
        if self.s.concurrency is not None:
            inflight = self.inflight
            while inflight and inflight[0] <= t:
                inflight.popleft()
            if len(inflight) >= self.s.concurrency:
                self.rejected_busy += 1
                w.pending = _BUSY
                return t + self.latency
            inflight.append(t + self.latency)
        if limit is not None and bucket is not None:
            self.used[bucket] += 1
            w.remaining = limit - self.used[bucket]
            w.reset = self.window_end[bucket]
        w.pending = _OK
        return t + self.latency

    def sent_add(self, bucket: str | None, count: int) -> None:
        if bucket is not None and bucket in self.sent:
            self.sent[bucket] += count

    def _see(self, bucket: str, remaining: int, reset: int, seq: int) -> None:
        if seq >= self.seen_seq[bucket]:
            self.seen_remaining[bucket] = remaining
            self.seen_reset[bucket] = reset
            self.seen_seq[bucket] = seq

    def _signature(self, t: int) -> tuple[object, ...]:
        """Everything that decides what happens next, relative to `t`."""
        adaptive = self.s.client is Client.ADAPTIVE
        workers = []
        for i, w in enumerate(self.workers):
            bucket = self.calls[w.call].bucket
            extra: object = None
            if bucket in self.tight:
                if w.pending == _RATE and self.s.client is Client.WAIT_FOR_RESET:
                    extra = header_time(w.reset) - t
                elif w.pending == _RATE and not adaptive:
                    extra = w.reset - t
                elif adaptive and w.pending in (_OK, _RATE):
                    extra = (w.remaining, w.reset - t, self.sent[bucket or ""] - w.seq)
            workers.append((w.user >= 0, self.when[i] - t, w.call, w.pending, extra))
        buckets = tuple(
            (self.window_end[b] - t, self.used[b]) if self.window_end[b] > t else None
            for b in self.buckets
            if b in self.tight
        )
        views = tuple(
            (self.seen_reset[b] - t, self.seen_remaining[b], self.sent[b] - self.seen_seq[b])
            if header_time(self.seen_reset[b]) > t
            else None
            for b in self.buckets
            if adaptive and b in self.tight
        )
        inflight = tuple(end - t for end in self.inflight if end > t)
        # a reset header rounds up to whole seconds, so then the time of day matters
        phase = t % SECOND if self.rounds else None
        return (phase, tuple(workers), buckets, views, inflight)

    def _anchor(
        self, t: int, marks: dict[tuple[object, ...], _Mark], heap: list[tuple[int, int]]
    ) -> bool:
        """At a recurring state, skip whole periods; True if the clock moved."""
        key = self._signature(t)
        mark = marks.get(key)
        if mark is None:
            marks[key] = _Mark(
                t,
                self.taken,
                self.done,
                self.requests,
                self.rejected,
                self.rejected_busy,
                dict(self.sent),
            )
            return False
        period, taken = t - mark.time, self.taken - mark.taken
        marks.clear()
        if period < 0 or taken <= 0:
            return False
        skip = (self.s.users - self.taken) // taken - 1
        if skip <= 0:
            return False
        shift = skip * period
        done = self.done - mark.done
        start = (t, self.done)
        # the period's completions, from mark.time, recur `skip` times from t
        offsets = tuple(c - mark.time for c in self.completions[len(self.completions) - done :])
        self._close()
        self.stretches.append(Stretch(t, self.done, offsets, period, skip))
        self.completions_before = self.done + skip * done
        self.taken += skip * taken
        self.done += skip * done
        self.requests += skip * (self.requests - mark.requests)
        self.rejected += skip * (self.rejected - mark.rejected)
        self.rejected_busy += skip * (self.rejected_busy - mark.rejected_busy)
        sent_step = {b: self.sent[b] - mark.sent[b] for b in self.buckets}
        for w in self.workers:
            w.reset += shift
            w.seq += skip * sent_step.get(self.calls[w.call].bucket or "", 0)
        for b in self.buckets:
            self.window_end[b] += shift
            self.seen_reset[b] += shift
            self.sent[b] += skip * sent_step[b]
            self.seen_seq[b] += skip * sent_step[b]
        self.inflight = deque(end + shift for end in self.inflight)
        self.when = [when + shift for when in self.when]
        heap[:] = [(when + shift, i) for when, i in heap]  # same order: still a heap
        self.end += shift
        step = max(1, skip // 100)
        for k in range(step, skip + 1, step):
            self.series.append((start[0] + k * period, start[1] + k * done))
        return True


def simulate(scenario: Scenario) -> Outcome:
    """Run `scenario` to its last user; exact, and fast even for hundreds of thousands."""
    if scenario.users == 0:
        return Outcome(0, 0, 0, 0, ((0, 0),), Curve())
    return _Run(scenario).run()
