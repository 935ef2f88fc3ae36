"""In-flight counts shared by worker processes: nothing lost, and a limit never passed."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.sharedctypes import SynchronizedArray
from multiprocessing.synchronize import Event

from mock_okta.concurrency import MAX_WORKERS, Inflight

ROUNDS = 3000


def _hammer(inflight: Inflight, limit: int | None, token: int | None, seen: list[int]) -> None:
    for _ in range(ROUNDS):
        if inflight.enter(limit, token, limit):
            seen.append(inflight.total())
            inflight.leave(token)


def test_counting_in_with_and_without_a_limit_loses_no_count() -> None:
    # Threads of one worker, some checking a limit (under the shared lock) and some not (the
    # worker's own lock only), all writing the same slots.
    slots = multiprocessing.Array("i", 2 * MAX_WORKERS)  # the org's block and one token's
    inflight = Inflight(slots, slot=3)
    seen: list[int] = []
    threads = [
        threading.Thread(target=_hammer, args=(inflight, limit, token, seen))
        for limit in (None, 10**6)
        for token in (None, 0)
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 * ROUNDS  # no limit was reached
    assert inflight.total() == 0
    assert inflight.total(0) == 0
    assert list(slots) == [0] * (2 * MAX_WORKERS)


def _worker(inflight: Inflight, limit: int, threads: int = 4) -> list[int]:
    """A worker's threads counting in and out against `limit`: the totals each one saw."""
    seen: list[int] = []
    running = [
        threading.Thread(target=_hammer, args=(inflight, limit, None, seen)) for _ in range(threads)
    ]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return seen


def _other_worker(slots: SynchronizedArray[int], limit: int, over: Event) -> None:
    if max(_worker(Inflight(slots, slot=1), limit), default=0) > limit:
        over.set()


def test_two_workers_never_pass_the_limit_together() -> None:
    limit = 1
    context = multiprocessing.get_context("fork")
    slots = context.Array("i", MAX_WORKERS)
    over = context.Event()
    inflight = Inflight(slots, slot=0)
    other = context.Process(target=_other_worker, args=(slots, limit, over))
    other.start()
    seen = _worker(inflight, limit)
    other.join(60)
    assert other.exitcode == 0
    assert seen, "no request was ever counted in"
    assert max(seen) <= limit
    assert not over.is_set()
    assert inflight.total() == 0
