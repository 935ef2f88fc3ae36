"""Memory every worker process shares: requests in flight, and the org-wide rate windows.

Both are made before gunicorn forks. In-flight counts have one slot per worker, so a worker that
dies mid-request cannot leave a stale count behind: its replacement takes the slot and zeroes it.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Final

MAX_WORKERS: Final = 64
WINDOW_FIELDS: Final = 3  # per bucket: window start, window end, requests counted


@dataclass(frozen=True)
class Shared:
    """What every worker must see alike; one per server (or per in-process org)."""

    inflight: SynchronizedArray[int] = field(
        default_factory=lambda: multiprocessing.Array("i", MAX_WORKERS)
    )
    windows: SynchronizedArray[float] = field(
        default_factory=lambda: multiprocessing.Array("d", 16 * WINDOW_FIELDS)
    )
    # Journal entries each worker has queued but not yet written (so a reader can wait them out).
    pending: SynchronizedArray[int] = field(
        default_factory=lambda: multiprocessing.Array("i", MAX_WORKERS)
    )


class Inflight:
    def __init__(self, slots: SynchronizedArray[int] | None = None, slot: int = 0) -> None:
        self._slots = slots if slots is not None else multiprocessing.Array("i", 1)
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
