"""Benchmark the System Log: what writing events costs a create, and query latency at scale.

    .venv/bin/python benchmarks/bench_syslog.py     # 2,000 creates a round; 100,000 events
    .venv/bin/python benchmarks/bench_syslog.py --creates 5000 --events 250000

Two orgs on temporary SQLite files (WAL, as `mock-okta serve` runs), one with System Log events
on and one with them off (`MOCK_OKTA_SYSLOG_EVENTS=false`), create users through the store
(`Store.create_user`, the code under POST /api/v1/users) in alternating rounds A B A B in one
run, then the same through the whole request pipeline (Flask's test client: token, limiter with
limits off, journal); the ratios are on/off. Then one org is filled with `--events` events
and each query form of GET /api/v1/logs (`list_log_events`) is timed: median and p95.

Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mock_okta.app import create_app
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.org import Org
from mock_okta.syslog import Event, LogQuery, Party, list_log_events

BATCH = 5000
AUTH = {"Authorization": "SSWS test-token"}


def make_org(tmp: Path, name: str, events: bool) -> Org:
    runtime = RuntimeConfig(rate_limits="off")
    settings = Settings(
        db=str(tmp / f"{name}.db"), syslog_events=events, syslog_retention=10**7, runtime=runtime
    )
    return Org(settings)


def create_round(org: Org, prefix: str, n: int) -> float:
    """Creates per second for `n` users with no password (the import's first step)."""
    start = time.perf_counter()
    for i in range(n):
        login = f"{prefix}.{i}@example.com"
        org.store.create_user({"login": login, "email": login, "firstName": "A", "lastName": "B"})
    return n / (time.perf_counter() - start)


def http_round(client: Any, prefix: str, n: int) -> float:
    """Creates per second through the whole request pipeline (Flask's test client)."""
    start = time.perf_counter()
    for i in range(n):
        login = f"{prefix}.{i}@example.com"
        body = {"profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"}}
        response = client.post("/api/v1/users", json=body, headers=AUTH)
        assert response.status_code == 200, response.get_data(as_text=True)
    return n / (time.perf_counter() - start)


def fill(org: Org, total: int) -> list[str]:
    """`total` events over 1,000 users, a spread of types; in batches of one transaction."""
    kinds = ("user.lifecycle.create", "user.lifecycle.activate", "user.session.start",
             "user.import.password", "group.user_membership.add")  # fmt: skip
    users = [f"00u{i:017d}" for i in range(1000)]
    written = 0
    while written < total:
        with org.db.write() as conn:
            for i in range(written, min(total, written + BATCH)):
                uid = users[i % len(users)]
                target = Party(uid, "User", f"user{i % 1000}@example.com", "A B")
                failed = i % 7 == 0
                result, reason = ("FAILURE", "INVALID_CREDENTIALS") if failed else ("SUCCESS", None)
                event = Event(kinds[i % len(kinds)], (target,), target, result, reason)
                org.syslog.record(conn, event)
        written = min(total, written + BATCH)
    return users


def timed(run: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=2000, help="users per round")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        on, off = make_org(tmp, "on", True), make_org(tmp, "off", False)
        rates: dict[str, list[float]] = {"on": [], "off": []}
        for r in range(args.rounds):
            rates["off"].append(create_round(off, f"r{r}", args.creates))
            rates["on"].append(create_round(on, f"r{r}", args.creates))
        off_rate, on_rate = statistics.median(rates["off"]), statistics.median(rates["on"])
        print(
            f"creates/s, events off: {off_rate:8.0f}  (rounds {[round(x) for x in rates['off']]})"
        )
        print(f"creates/s, events on:  {on_rate:8.0f}  (rounds {[round(x) for x in rates['on']]})")
        print(f"ratio on/off: {on_rate / off_rate:.2f}x")
        clients = {
            "on": create_app(org=make_org(tmp, "http-on", True)).test_client(),
            "off": create_app(org=make_org(tmp, "http-off", False)).test_client(),
        }
        http: dict[str, list[float]] = {"on": [], "off": []}
        for r in range(args.rounds):
            for name in ("off", "on"):
                http[name].append(http_round(clients[name], f"h{r}", args.creates // 2))
        off_http, on_http = statistics.median(http["off"]), statistics.median(http["on"])
        print(f"POST /api/v1/users/s (whole pipeline), events off: {off_http:6.0f}")
        print(f"POST /api/v1/users/s (whole pipeline), events on:  {on_http:6.0f}")
        print(f"ratio on/off: {on_http / off_http:.2f}x")

        org = make_org(tmp, "query", True)
        start = time.perf_counter()
        users = fill(org, args.events)
        print(f"\nfilled {args.events} events in {time.perf_counter() - start:.1f} s")
        now = org.store.now_ms() + 1000
        since = "2000-01-01T00:00:00Z"
        middle = list_log_events(org.db, LogQuery(since=since, limit="1000"), now)
        for _ in range(args.events // 2000):
            after = middle.next_after
            middle = list_log_events(org.db, LogQuery(since=since, limit="1000", after=after), now)
        forms: dict[str, LogQuery] = {
            "first page (default, limit 100)": LogQuery(),
            "limit 1000": LogQuery(limit="1000"),
            "polling page from the middle (after)": LogQuery(
                since=since, limit="1000", after=middle.next_after
            ),
            "DESCENDING, limit 100": LogQuery(sort_order="DESCENDING"),
            'filter eventType eq "user.import.password"': LogQuery(
                filter='eventType eq "user.import.password"'
            ),
            'filter outcome.result eq "FAILURE" and eventType eq ...': LogQuery(
                filter='outcome.result eq "FAILURE" and eventType eq "user.session.start"'
            ),
            "filter target.id eq (1 user of 1,000)": LogQuery(filter=f'target.id eq "{users[7]}"'),
            "q=user7@example.com": LogQuery(q="user7@example.com"),
            "rare: filter eventType eq (no match, full scan)": LogQuery(
                filter='eventType eq "user.account.lock"'
            ),
        }
        print(f"\nGET /api/v1/logs at {args.events} events: median / p95 ms ({args.repeat} runs)")
        for name, query in forms.items():
            median, p95, count = timed(lambda q=query: len(list_log_events(org.db, q, now).events),
                                       args.repeat)  # fmt: skip
            print(f"  {name:55s} {median:8.2f} / {p95:8.2f}  ({count} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
