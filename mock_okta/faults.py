"""Fault injection: make Okta misbehave on purpose, reproducibly.

A rule matches method, path glob and optionally a bucket, and injects a status (429, 500, 502,
503, 504), added latency, or a dropped connection, for the next `count` matching requests or with
a `probability` drawn from the rule's `seed`. A request failed by a fault never reaches the
handler, so it changes nothing. Rules live in the database so every worker applies them.
"""

from __future__ import annotations

import fnmatch
import json
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Final

from mock_okta.db import Database
from mock_okta.ratelimit import BUCKETS

STATUSES: Final = frozenset({429, 500, 502, 503, 504})
MAX_LATENCY_MS: Final = 60_000
MAX_COUNT: Final = 1_000_000_000  # SQLite holds `remaining`: a 64-bit integer
MAX_SEED: Final = 2**63 - 1
_FIELDS: Final = {
    "method": "method",
    "path": "path",
    "bucket": "bucket",
    "status": "status",
    "latencyMs": "latency_ms",
    "drop": "drop",
    "count": "count",
    "probability": "probability",
    "seed": "seed",
}


class FaultError(ValueError):
    """A rule that cannot be used; the message says what to change."""


@dataclass(frozen=True, slots=True)
class FaultRule:
    id: str
    method: str = "*"
    path: str = "*"
    bucket: str | None = None
    status: int | None = None
    latency_ms: int = 0
    drop: bool = False
    count: int | None = None
    probability: float | None = None
    seed: int = 0

    def matches(self, method: str, path: str, bucket: str | None) -> bool:
        return (
            self.method in ("*", method)
            and fnmatch.fnmatchcase(path, self.path)
            and (self.bucket is None or self.bucket == bucket)
        )

    def to_json(self) -> dict[str, object]:
        wire = {v: k for k, v in _FIELDS.items()}
        return {wire.get(k, k): v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class Injection:
    rule_id: str
    status: int | None
    latency_ms: int
    drop: bool

    @property
    def kind(self) -> str:
        if self.drop:
            return "drop"
        return f"status {self.status}" if self.status else "latency"


def parse_rule(raw: object, rule_id: str) -> FaultRule:
    """Validate a rule as `POST /_mock/faults` receives it."""
    if not isinstance(raw, Mapping):
        raise FaultError("a fault rule must be a JSON object")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise FaultError(f"unknown fault field(s) {unknown}; known: {sorted(_FIELDS)}")
    values = {_FIELDS[k]: v for k, v in raw.items() if v is not None}
    method = values.get("method", "*")
    path = values.get("path", "*")
    if not isinstance(method, str) or not isinstance(path, str) or not path:
        raise FaultError("method and path must be strings (path is a glob, e.g. /api/v1/users*)")
    status = values.get("status")
    if status is not None and status not in STATUSES:
        raise FaultError(f"status must be one of {sorted(STATUSES)}")
    latency = values.get("latency_ms", 0)
    if not _is_int(latency) or not 0 <= latency <= MAX_LATENCY_MS:
        raise FaultError(f"latencyMs must be a whole number from 0 to {MAX_LATENCY_MS}")
    drop = values.get("drop", False)
    if not isinstance(drop, bool):
        raise FaultError("drop must be true or false")
    if status is None and not drop and not latency:
        raise FaultError("a fault needs an effect: status, latencyMs or drop")
    if status is not None and drop:
        raise FaultError("choose either status or drop, not both")
    count, probability = values.get("count"), values.get("probability")
    if count is not None and probability is not None:
        raise FaultError("choose either count (the next N matches) or probability, not both")
    if count is not None and (not _is_int(count) or not 1 <= count <= MAX_COUNT):
        raise FaultError(f"count must be a whole number from 1 to {MAX_COUNT}")
    if probability is not None and (
        not isinstance(probability, int | float)
        or isinstance(probability, bool)
        or not 0 < probability <= 1
    ):
        raise FaultError("probability must be a number in (0, 1]")
    seed = values.get("seed", 0)
    if not _is_int(seed) or not -MAX_SEED <= seed <= MAX_SEED:
        raise FaultError(f"seed must be a whole number from {-MAX_SEED} to {MAX_SEED}")
    bucket = values.get("bucket")
    if bucket is not None and bucket not in BUCKETS:
        raise FaultError(f"bucket must be one of {', '.join(BUCKETS)}")
    if count is None and probability is None:
        count = 1  # a rule with neither fires once
    return FaultRule(
        id=rule_id,
        method=method.upper(),
        path=path,
        bucket=values.get("bucket"),
        status=status,
        latency_ms=latency,
        drop=drop,
        count=count,
        probability=float(probability) if probability is not None else None,
        seed=seed,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class FaultPlan:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._rules: tuple[FaultRule, ...] = ()

    def reload(self) -> None:
        """Re-read the rules (called when the org's configuration generation changes)."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT rule FROM faults ORDER BY created, id").fetchall()
        self._rules = tuple(FaultRule(**json.loads(r[0])) for r in rows)

    def add(self, rule: FaultRule, now: float) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO faults (id, rule, remaining, matched, created) VALUES (?, ?, ?, 0, ?)",
                (rule.id, json.dumps(asdict(rule)), rule.count, now),
            )

    def clear(self) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM faults")

    def listing(self) -> list[dict[str, object]]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT rule, remaining, matched FROM faults ORDER BY created, id"
            ).fetchall()
        out = []
        for text, remaining, matched in rows:
            rule = FaultRule(**json.loads(text)).to_json()
            rule.update({"remaining": remaining, "matched": matched})
            out.append(rule)
        return out

    def pick(self, method: str, path: str, bucket: str | None) -> Injection | None:
        """The injection for this request, if a rule fires; consumes the rule's budget."""
        for rule in self._rules:
            if rule.matches(method, path, bucket) and self._fires(rule):
                return Injection(rule.id, rule.status, rule.latency_ms, rule.drop)
        return None

    def _fires(self, rule: FaultRule) -> bool:
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT remaining, matched FROM faults WHERE id = ?", (rule.id,)
            ).fetchone()
            if row is None:
                return False
            remaining, matched = row
            if rule.probability is not None:
                # The n-th match draws from (seed, n): the same sequence in every run.
                fires = random.Random(f"{rule.seed}:{matched}").random() < rule.probability
                conn.execute("UPDATE faults SET matched = matched + 1 WHERE id = ?", (rule.id,))
                return fires
            if remaining is None or remaining <= 0:
                return False
            conn.execute(
                "UPDATE faults SET remaining = remaining - 1, matched = matched + 1 WHERE id = ?",
                (rule.id,),
            )
            return True
