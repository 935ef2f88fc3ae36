"""Benchmark /_mock/overview (the dashboard's one-second poll) on a large org.

    .venv/bin/python benchmarks/bench_overview.py                 # 100,000 users
    .venv/bin/python benchmarks/bench_overview.py --users 250000

Seeds `--users` users (the bulk seed, events off, over a span of virtual time) into a temporary
SQLite file with a 14-hour plan set, then times `overview()` (the code under GET /_mock/overview:
range counts on the `users_created` index) against the queries it replaced (a GROUP BY over the
users table, no index), alternating A B A B in one run; median and ratio.
Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.org import Org
from mock_okta.ui.overview import overview
from mock_okta.ui.plan import parse_plan, save_plan

BATCH = 5000


def previous(org: Org) -> None:
    """The queries the overview ran before the index: every row read, twice."""
    with org.db.read() as conn:
        conn.execute("SELECT status, COUNT(*) FROM users GROUP BY status").fetchall()
        first = conn.execute("SELECT MIN(created), MAX(created) FROM users").fetchone()[0]
        conn.execute(
            "SELECT (created - ?) / 600000 AS b, COUNT(*) FROM users GROUP BY b ORDER BY b",
            (first,),
        ).fetchall()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        clock = ManualClock(1_700_000_000.0)
        org = Org(Settings(db=str(Path(tmpdir) / "o.db"), syslog_events=False), clock=clock)
        start = time.perf_counter()
        for b in range(0, args.users, BATCH):
            batch = [f"u{b}.{i}@example.com" for i in range(min(BATCH, args.users - b))]
            org.store.seed_users(
                [{"profile": {"login": x, "email": x, "firstName": "A", "lastName": "B"}}
                 for x in batch]
            )  # fmt: skip
            clock.advance(600)
        print(f"seeded {args.users} users in {time.perf_counter() - start:.1f} s")
        save_plan(org.db, parse_plan({"users": args.users, "durationSeconds": 14 * 3600}, None))
        now = int(clock.now() * 1000)
        times: dict[str, list[float]] = {"now": [], "before": []}
        for _ in range(args.rounds):
            for name in ("now", "before"):
                with org.db.write() as conn:
                    if name == "now":
                        conn.execute("CREATE INDEX IF NOT EXISTS users_created ON users (created)")
                    else:
                        conn.execute("DROP INDEX IF EXISTS users_created")
                begin = time.perf_counter()
                if name == "now":
                    overview(org.db, now)
                else:
                    previous(org)
                times[name].append((time.perf_counter() - begin) * 1000)
        current, before = (statistics.median(times[n]) for n in ("now", "before"))
        print(f"overview ms, range counts on users_created: {current:8.1f}")
        print(f"overview ms, the GROUP BY it replaced:      {before:8.1f}")
        print(f"ratio before/now: {before / current:.1f}x")
        org.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
