"""The migration plan the dashboard draws beside the users created (`/_mock/plan`).

A plan is a cumulative curve in real-Okta seconds from the first create: `mock-okta rehearse`
sends `mock-okta plan`'s (its `series`), a user may give a duration or a rate, and with only a
user count the curve follows the org's own create limit. Kept in the store's `meta`, so every
worker draws the same one; a reset clears it. No Flask here.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from mock_okta.db import Database

META_KEY: Final = "plan"
MAX_USERS: Final = 1_000_000_000
MAX_SECONDS: Final = 1_000_000_000.0  # about 31 years of Okta time
MAX_POINTS: Final = 1000
MAX_LABEL: Final = 200
FIELDS: Final = ("users", "durationSeconds", "perMinute", "series", "label")


class PlanError(ValueError):
    """A plan the control plane refuses; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Plan:
    users: int
    series: tuple[tuple[float, int], ...]  # (Okta seconds from the first create, users done)
    label: str
    source: str  # "series", "duration", "rate" or "limit"

    @property
    def duration_s(self) -> float:
        return self.series[-1][0]

    def expected(self, seconds: float) -> float:
        """Users the plan expects done `seconds` (Okta time) after the first create."""
        points = self.series
        if seconds <= points[0][0]:
            return float(points[0][1])
        for (t0, u0), (t1, u1) in itertools.pairwise(points):
            if seconds <= t1:
                return u0 + (u1 - u0) * ((seconds - t0) / (t1 - t0) if t1 > t0 else 1.0)
        return float(points[-1][1])

    def to_json(self) -> dict[str, object]:
        return {
            "users": self.users,
            "durationSeconds": round(self.duration_s, 3),
            "label": self.label,
            "source": self.source,
            "series": [[t, u] for t, u in self.series],
        }


def _number(raw: Mapping[str, object], name: str, high: float) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError(f"{name} must be a number")
    if not 0 < value <= high:  # NaN fails too
        raise PlanError(f"{name} must be above 0 and at most {high:.0f}")
    return float(value)


def _series(value: object, users: int) -> tuple[tuple[float, int], ...]:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_POINTS:
        raise PlanError(f"series must be a list of 2 to {MAX_POINTS} [seconds, users] points")
    points: list[tuple[float, int]] = []
    for i, point in enumerate(value):
        ok = isinstance(point, list | tuple) and len(point) == 2
        t, u = point if ok else (None, None)
        if not ok or isinstance(t, bool) or not isinstance(t, int | float):
            raise PlanError(f"series[{i}] must be [seconds, users]")
        if isinstance(u, bool) or not isinstance(u, int | float) or not math.isfinite(u):
            raise PlanError(f"series[{i}] must be [seconds, users]")
        if not 0 <= t <= MAX_SECONDS:
            raise PlanError(f"series[{i}]: seconds must be from 0 to {MAX_SECONDS:.0f}")
        if not 0 <= u <= users:
            raise PlanError(f"series[{i}]: users must be from 0 to users ({users})")
        if points and (t < points[-1][0] or u < points[-1][1]):
            raise PlanError(f"series[{i}]: seconds and users must not decrease")
        points.append((float(t), int(u)))
    if points[-1][0] <= 0:
        raise PlanError("series must end after 0 seconds")
    return tuple(points)


def parse_plan(raw: Mapping[str, object], limit_per_minute: float | None) -> Plan:
    """A plan from PUT /_mock/plan's body; `limit_per_minute` is what one token may create."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise PlanError(f"unknown field {unknown[0]}; a plan has {', '.join(FIELDS)}")
    users = raw.get("users")
    if isinstance(users, bool) or not isinstance(users, int) or not 1 <= users <= MAX_USERS:
        raise PlanError(f"users must be a whole number from 1 to {MAX_USERS}")
    label = raw.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL):
        raise PlanError(f"label must be text of at most {MAX_LABEL} characters")
    duration = _number(raw, "durationSeconds", MAX_SECONDS)
    rate = _number(raw, "perMinute", MAX_USERS)
    given = [n for n in ("series", "durationSeconds", "perMinute") if raw.get(n) is not None]
    if len(given) > 1:
        raise PlanError(f"give one of series, durationSeconds and perMinute, not {given}")
    if raw.get("series") is not None:
        series, source = _series(raw["series"], users), "series"
    elif duration is not None:
        series, source = ((0.0, 0), (duration, users)), "duration"
    else:
        source = "rate" if rate is not None else "limit"
        rate = rate or limit_per_minute
        if not rate:
            raise PlanError(
                "the org has no users.collection limit to plan by:"
                " give perMinute, durationSeconds or series"
            )
        seconds = users / rate * 60
        if seconds > MAX_SECONDS:
            raise PlanError(f"the plan would last more than {MAX_SECONDS:.0f} seconds")
        series = ((0.0, 0), (seconds, users))
    if source == "series":
        default = "plan"
    elif source == "duration":
        default = "straight line"
    else:
        default = f"{rate:g} creates a minute"
        if source == "limit":
            default += " (one token's share of the users.collection limit)"
    return Plan(users, series, label or default, source)


def _from_json(data: Mapping[str, object]) -> Plan:
    series = data["series"]
    assert isinstance(series, Sequence)
    return Plan(
        int(data["users"]),  # type: ignore[call-overload]
        tuple((float(t), int(u)) for t, u in series),
        str(data["label"]),
        str(data["source"]),
    )


def save_plan(db: Database, plan: Plan) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (META_KEY, json.dumps(plan.to_json(), separators=(",", ":"))),
        )


def load_plan(conn: sqlite3.Connection) -> Plan | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return _from_json(json.loads(row[0])) if row else None


def clear_plan(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
