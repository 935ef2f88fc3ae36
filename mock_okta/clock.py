"""Time, injected: the one source of "now" for everything Okta-shaped."""

from __future__ import annotations

import time
from typing import Final, Protocol

# How far `POST /_mock/clock` may move time, in total: a century keeps every timestamp a
# datetime, a JSON number and an SQLite value can hold (1e20 seconds once broke every create).
MAX_OFFSET_SECONDS: Final = 100 * 365.25 * 86_400


class Clock(Protocol):
    offset: float  # seconds of virtual time added to real time

    def now(self) -> float:
        """Epoch seconds as the mock sees them (real time plus any virtual advance)."""
        ...

    def advance(self, seconds: float) -> None: ...


class SystemClock:
    """Real time, shifted by `offset` seconds (the sum of every `POST /_mock/clock` advance)."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class ManualClock:
    """Frozen time that moves only when told to; for tests."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self.offset = 0.0  # frozen time is its own "real" time

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
