"""Benchmark the bulk seed's System Log events: seed users a second with events on and off.

    .venv/bin/python benchmarks/bench_seed_events.py              # 5 rounds of 5,000 users
    .venv/bin/python benchmarks/bench_seed_events.py --users 20000 --rounds 3

Two orgs on temporary SQLite files (WAL, as `mock-okta serve` runs), one with System Log events
on and one with them off (`MOCK_OKTA_SYSLOG_EVENTS=false`), each seeded through POST /_mock/users
(Flask's test client: the whole request, body parsing to commit) with users carrying a SHA-256
hash, in calls of `--batch`, alternating A B A B in one run. The ratio is on/off of the median
round. Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mock_okta.app import create_app
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.org import Org

AUTH = {"Authorization": "SSWS test-token"}
SALT = "MPu13OmY"


def users(prefix: str, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        login = f"{prefix}.{i}@example.com"
        digest = hashlib.sha256((SALT + f"Pw-{i}-secret").encode()).digest()
        hashed = {"algorithm": "SHA-256", "salt": SALT, "saltOrder": "PREFIX",
                  "value": base64.b64encode(digest).decode()}  # fmt: skip
        out.append(
            {"profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"},
             "credentials": {"password": {"hash": hashed}}}
        )  # fmt: skip
    return out


def seed_round(client: Any, bodies: list[list[dict[str, Any]]]) -> float:
    """Users seeded a second over the round's calls."""
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/_mock/users", json={"users": body}, headers=AUTH)
        assert response.status_code == 201, response.get_data(as_text=True)
    return sum(len(b) for b in bodies) / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000, help="users per round")
    parser.add_argument("--batch", type=int, default=1000, help="users per POST /_mock/users")
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        clients = {}
        for name, events in (("off", False), ("on", True)):
            runtime = RuntimeConfig(rate_limits="off")
            db = str(tmp / f"{name}.db")
            settings = Settings(
                db=db, syslog_events=events, syslog_retention=10**7, runtime=runtime
            )
            clients[name] = create_app(org=Org(settings)).test_client()
        rates: dict[str, list[float]] = {"off": [], "on": []}
        for r in range(args.rounds):
            for name in ("off", "on"):  # A B A B
                made = users(f"{name}{r}", args.users)
                bodies = [made[i : i + args.batch] for i in range(0, len(made), args.batch)]
                rates[name].append(seed_round(clients[name], bodies))
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    print(f"seed users/s, events off: {off:7.0f}  (rounds {[round(x) for x in rates['off']]})")
    print(f"seed users/s, events on:  {on:7.0f}  (rounds {[round(x) for x in rates['on']]})")
    print(f"ratio on/off: {on / off:.2f}x  ({args.users} users a round, {args.batch} a call)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
