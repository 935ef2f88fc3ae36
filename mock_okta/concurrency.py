"""Okta's org-wide concurrency limit: requests in flight across every worker process.

Counts live in shared memory, one slot per worker, so a worker that dies mid-request cannot
leave a stale count behind: its replacement takes the slot and zeroes it.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Final

MAX_WORKERS: Final = 64


def shared_slots(n: int = MAX_WORKERS) -> SynchronizedArray[int]:
    """Created before gunicorn forks, so every worker sees the same memory."""
    return multiprocessing.Array("i", n)


class Inflight:
    def __init__(self, slots: SynchronizedArray[int] | None = None, slot: int = 0) -> None:
        self._slots = slots if slots is not None else shared_slots(1)
        self._slot = slot
        with self._slots.get_lock():
            self._slots[slot] = 0

    def enter(self, limit: int | None) -> bool:
        """Count this request in, unless `limit` requests are already in flight."""
        with self._slots.get_lock():
            if limit is not None and sum(self._slots[:]) >= limit:
                return False
            self._slots[self._slot] += 1
            return True

    def leave(self) -> None:
        with self._slots.get_lock():
            self._slots[self._slot] -= 1

    def total(self) -> int:
        with self._slots.get_lock():
            return sum(self._slots[:])
