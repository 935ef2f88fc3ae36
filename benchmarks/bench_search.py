"""Search and filter as the org grows: p50/p95 of each form at each org size, and the ratios.

    .venv/bin/python benchmarks/bench_search.py                       # 10,000 and 1,000,000
    .venv/bin/python benchmarks/bench_search.py --sizes 10000 200000 --db-dir /tmp/orgs

Seeds each org once through the store's bulk seed (kept in --db-dir, reused when run again),
then times List Users in process (no HTTP: the query is what grows), every form on every org
in turn, and prints the ratios of the largest size's p50 and p95 to the smallest size's.
Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from mock_okta.config import Settings
from mock_okta.org import Org
from mock_okta.store import ListQuery

LAST_NAMES = ("Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas")
CHUNK = 20_000


def seed(org: Org, n: int) -> float:
    """Users `0..n-1` (the ones missing): users per second."""
    have = org.store.count_users()
    start = time.perf_counter()
    for first in range(have, n, CHUNK):
        items = []
        for i in range(first, min(n, first + CHUNK)):
            login = f"user{i:08d}@example.com"
            profile = {
                "login": login,
                "email": login,
                "firstName": f"First{i % 997}",
                "lastName": f"{LAST_NAMES[i % len(LAST_NAMES)]}{i:08d}",
            }
            items.append(
                {"profile": profile, "credentials": {"password": {"hook": {"type": "default"}}}}
            )
        org.store.seed_users(items)
    elapsed = time.perf_counter() - start
    return (n - have) / elapsed if n > have else 0.0


def forms(n: int) -> dict[str, ListQuery]:
    k = n // 2 + 7  # a user in the middle of the org
    return {
        "search email eq": ListQuery(search=f'profile.email eq "user{k:08d}@example.com"'),
        "search lastName sw": ListQuery(search=f'profile.lastName sw "smith{k // 8 * 8:08d}"'),
        "filter login eq": ListQuery(filter=f'profile.login eq "user{k:08d}@example.com"'),
        "search email co": ListQuery(search=f'profile.email co "r{k:08d}@"'),
        "search status eq": ListQuery(search='status eq "LOCKED_OUT"'),
        "filter lastUpdated gt": ListQuery(filter='lastUpdated gt "2100-01-01T00:00:00.000Z"'),
        "q prefix": ListQuery(q=f"smith{k // 8 * 8:08d}"),
    }


def timed(orgs: dict[int, Org], repeat: int) -> dict[int, dict[str, dict[str, float]]]:
    """Every form on every org in turn, `repeat` times (A B A B), so load hits all alike."""
    times: dict[int, dict[str, list[float]]] = {n: {} for n in orgs}
    found: dict[int, dict[str, int]] = {n: {} for n in orgs}
    for _ in range(repeat):
        for n, org in orgs.items():
            for name, query in forms(n).items():
                start = time.perf_counter()
                found[n][name] = len(org.store.list_users(query).users)
                times[n].setdefault(name, []).append((time.perf_counter() - start) * 1000)
    out: dict[int, dict[str, dict[str, float]]] = {}
    for n, by_form in times.items():
        out[n] = {}
        for name, values in by_form.items():
            values.sort()
            out[n][name] = {
                "found": found[n][name],
                "p50ms": round(statistics.median(values), 3),
                "p95ms": round(values[max(0, int(len(values) * 0.95) - 1)], 3),
            }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--db-dir", type=Path, default=Path(".bench-search"))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.db_dir.mkdir(parents=True, exist_ok=True)
    orgs: dict[int, Org] = {}
    for n in args.sizes:
        orgs[n] = Org(Settings(db=str(args.db_dir / f"org-{n}.db")))
        rate = seed(orgs[n], n)
        if rate:
            print(f"seeded {n:,} users: {rate:,.0f} users/s (bulk seed, hook credentials)")
    results = timed(orgs, args.repeat)
    for org in orgs.values():
        org.close()
    smallest = min(args.sizes)
    big = max(args.sizes)
    print(f"{'form':<22}{'p50 / p95 ms @' + f'{smallest:,}':>22}{'@' + f'{big:,}':>20}   ratios")
    for name in results[smallest]:
        a, b = results[smallest][name], results[big][name]
        print(
            f"{name:<22}{a['p50ms']:>13.3f} /{a['p95ms']:>7.3f}"
            f"{b['p50ms']:>12.3f} /{b['p95ms']:>7.3f}"
            f"   {b['p50ms'] / a['p50ms']:.2f}x / {b['p95ms'] / a['p95ms']:.2f}x"
            f"  (found {a['found']}/{b['found']})"
        )
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
