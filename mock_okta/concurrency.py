"""Memory every worker process shares: requests in flight, and the rate windows.

Both are made before gunicorn forks. In-flight counts have one slot per worker, so a worker that
dies mid-request cannot leave a stale count behind: its replacement takes the slot and zeroes it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from typing import Final, TypeVar, cast

T = TypeVar("T", int, float)

MAX_WORKERS: Final = 64
MAX_BUCKETS: Final = 16  # rate-limit buckets a window table has room for
WINDOW_FIELDS: Final = 3  # per bucket: window start, window end, requests counted


def raw(array: SynchronizedArray[T]) -> MutableSequence[T]:
    """The array without its lock on every access: for a caller that holds `get_lock()`."""
    return cast("MutableSequence[T]", array.get_obj())


@dataclass(frozen=True)
class Shared:
    """What every worker must see alike; one per server (or per in-process org).

    In-flight counts and rate windows come in blocks: the org's first, then one per API token
    (`tokens` of them), so a token's share is counted as exactly as the org-wide limit.
    """

    tokens: int = 1
    inflight: SynchronizedArray[int] = field(init=False)
    windows: SynchronizedArray[float] = field(init=False)
    # Journal entries each worker has queued but not yet written (so a reader can wait them out).
    pending: SynchronizedArray[int] = field(init=False)
    # Bumped after every change of the shared configuration (runtime, clock, faults, resets).
    generation: Synchronized[int] = field(init=False)

    def __post_init__(self) -> None:
        blocks = 1 + max(self.tokens, 0)
        object.__setattr__(self, "inflight", multiprocessing.Array("i", blocks * MAX_WORKERS))
        object.__setattr__(
            self, "windows", multiprocessing.Array("d", blocks * MAX_BUCKETS * WINDOW_FIELDS)
        )
        object.__setattr__(self, "pending", multiprocessing.Array("i", MAX_WORKERS))
        object.__setattr__(self, "generation", multiprocessing.Value("q", 0))


class Inflight:
    """Requests in flight: one slot per worker in the org's block and in each token's block.

    Only this worker writes its slots, under its own thread lock. The lock every worker shares
    is taken only to check a limit and count in as one step (so no two workers both take the
    last place); counting in without a limit, and counting out, need no other worker to wait
    (a reader sees each slot before or after the change, never half of it).
    """

    def __init__(self, slots: SynchronizedArray[int] | None = None, slot: int = 0) -> None:
        self._slots = slots if slots is not None else multiprocessing.Array("i", MAX_WORKERS)
        self._slot = slot
        self._own = threading.Lock()
        self.tokens = len(self._slots) // MAX_WORKERS - 1
        with self._slots.get_lock():
            for block in range(1 + self.tokens):
                self._slots[block * MAX_WORKERS + slot] = 0

    def _block(self, block: int) -> int:
        """In-flight requests of one block; the caller holds the lock."""
        return sum(raw(self._slots)[block * MAX_WORKERS : (block + 1) * MAX_WORKERS])

    def enter(
        self, limit: int | None, token: int | None = None, token_limit: int | None = None
    ) -> bool:
        """Count this request in, unless `limit` requests are already in flight org-wide, or
        `token_limit` for API token number `token`."""
        if limit is None and token_limit is None:
            self._count(token, 1)
            return True
        with self._slots.get_lock():
            if limit is not None and self._block(0) >= limit:
                return False
            if (
                token is not None
                and token_limit is not None
                and (self._block(1 + token) >= token_limit)
            ):
                return False
            self._count(token, 1)
            return True

    def leave(self, token: int | None = None) -> None:
        self._count(token, -1)

    def _count(self, token: int | None, step: int) -> None:
        slots = raw(self._slots)
        with self._own:
            slots[self._slot] += step
            if token is not None:
                slots[(1 + token) * MAX_WORKERS + self._slot] += step

    def total(self, token: int | None = None) -> int:
        """Requests in flight org-wide, or for API token number `token`."""
        with self._slots.get_lock():
            return self._block(0 if token is None else 1 + token)
