"""Who sends which item: one ledger hands out leases of item numbers, each exactly once.

The ledger lives in the process that coordinates (Locust's master, or the only process), so
however many processes, workers and users a run has, no two of them ever send the same login.
Pure Python: no Locust, no gevent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Ledger:
    """Item numbers 0..total-1, leased in order in batches; counts what was reported done."""

    total: int
    batch: int = 100
    leased: int = 0
    done: int = 0

    def lease(self, parties: int = 1) -> range:
        """The next batch (smaller near the end, so every party gets a share); empty at the end."""
        left = self.total - self.leased
        size = min(self.batch, max(1, -(-left // (2 * max(parties, 1)))))
        start = self.leased
        self.leased = min(self.total, start + size)
        return range(start, self.leased)

    def finish(self, count: int) -> None:
        self.done += count

    @property
    def exhausted(self) -> bool:
        return self.leased >= self.total

    @property
    def complete(self) -> bool:
        return self.done >= self.total
