"""Benchmark app assignments: assignments/s, and listing an app's users with 100,000 assigned.

    .venv/bin/python benchmarks/bench_apps.py                  # 100,000 users, all assigned
    .venv/bin/python benchmarks/bench_apps.py --users 20000 --clients 4

Starts `mock-okta serve` (gunicorn) on a free port with a temporary SQLite file and the
workforce limits raised (so the limiter runs but never refuses). Each comparison runs side by
side, A B A B, in one run, and reports the ratio:

- assigning a user to an app (POST /api/v1/apps/{id}/users) against creating a user
  (POST /api/v1/users, no password), both over keep-alive connections;
- then every user is assigned (the assignment rate at scale is reported too), and
  GET /api/v1/apps/{id}/users pages (first, deep, 500 at a time, `q`) are timed against
  GET /api/v1/users?limit=200 over the same 100,000 users;
- group assignments (#13 phase 2): joining a group assigned to an app (the membership makes a
  GROUP-scoped app user in the same transaction) against joining a group no app has, side by
  side; then one PUT /api/v1/apps/{id}/groups/{groupId} of a group with --group-members
  members (every member's app user in one transaction), reported as app users made per second.

Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench_server import HEADERS, free_port, start_server

Request = tuple[str, str, bytes | None]


def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None) -> Any:
    conn.request(method, path, body=body, headers=HEADERS)
    response = conn.getresponse()
    data = response.read()
    if response.status not in (200, 201, 204):  # 204: memberships
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def drive(port: int, requests: list[Request], clients: int) -> dict[str, float]:
    """Send `requests` over `clients` keep-alive connections; req/s and latency percentiles."""
    latencies: list[float] = []
    lock = threading.Lock()

    def work(chunk: list[Request]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for method, path, body in chunk:
            start = time.perf_counter()
            call(conn, method, path, body)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(requests[c::clients],)) for c in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(requests),
        "perSecond": round(len(requests) / elapsed, 1),
        "p50ms": round(statistics.median(latencies) * 1000, 2),
        "p99ms": round(latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, 2),
    }


def seed_users(port: int, n: int, run: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    ids: list[str] = []
    for start in range(0, n, 5000):
        users = [
            {
                "profile": {
                    "login": f"app.{run}.{i}@example.com",
                    "email": f"app.{run}.{i}@example.com",
                    "firstName": "Bench",
                    "lastName": f"User{i}",
                }
            }
            for i in range(start, min(start + 5000, n))
        ]
        answer = call(conn, "POST", "/_mock/users", json.dumps({"users": users}).encode())
        ids += [u["id"] for u in answer["users"]]
    return ids


def create_app(port: int, label: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = {
        "name": "bookmark",
        "label": label,
        "signOnMode": "BOOKMARK",
        "settings": {"app": {"url": "https://example.com/"}},
    }
    return str(call(conn, "POST", "/api/v1/apps", json.dumps(body).encode())["id"])


def assignments(app_id: str, user_ids: Sequence[str]) -> list[Request]:
    path = f"/api/v1/apps/{app_id}/users"
    return [("POST", path, json.dumps({"id": uid}).encode()) for uid in user_ids]


def creates(run: str, start: int, n: int) -> list[Request]:
    return [
        (
            "POST",
            "/api/v1/users",
            json.dumps(
                {
                    "profile": {
                        "login": f"new.{run}.{i}@example.com",
                        "email": f"new.{run}.{i}@example.com",
                        "firstName": "New",
                        "lastName": "User",
                    }
                }
            ).encode(),
        )
        for i in range(start, start + n)
    ]


def side_by_side(
    a: Callable[[int], dict[str, float]], b: Callable[[int], dict[str, float]], rounds: int
) -> tuple[dict[str, float], dict[str, float], float]:
    """A B A B …: the mean of each, and B's throughput over A's."""
    runs_a, runs_b = [], []
    for r in range(rounds):
        runs_a.append(a(r))
        runs_b.append(b(r))

    def mean(runs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.mean(x[k] for x in runs), 2) for k in runs[0]}

    ma, mb = mean(runs_a), mean(runs_b)
    return ma, mb, round(mb["perSecond"] / ma["perSecond"], 3)


def create_group(port: int, name: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"profile": {"name": name}}).encode()
    return str(call(conn, "POST", "/api/v1/groups", body)["id"])


def joins(group_id: str, user_ids: Sequence[str]) -> list[Request]:
    return [("PUT", f"/api/v1/groups/{group_id}/users/{uid}", None) for uid in user_ids]


def group_rows(
    port: int, ids: list[str], args: argparse.Namespace, rows: dict[str, object]
) -> None:
    """Memberships with and without an app behind the group, then a large group assigned."""
    plain = create_group(port, "Bench plain group")
    assigned = create_group(port, "Bench assigned group")
    app_id = create_app(port, "Bench group bookmark")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    call(conn, "PUT", f"/api/v1/apps/{app_id}/groups/{assigned}", b"{}")
    pool = ids[: 2 * args.rounds * args.batch]
    plain_ids, assigned_ids = pool[::2], pool[1::2]

    def plain_run(r: int) -> dict[str, float]:
        batch = plain_ids[r * args.batch : (r + 1) * args.batch]
        return drive(port, joins(plain, batch), args.clients)

    def assigned_run(r: int) -> dict[str, float]:
        batch = assigned_ids[r * args.batch : (r + 1) * args.batch]
        return drive(port, joins(assigned, batch), args.clients)

    a, b, ratio = side_by_side(plain_run, assigned_run, args.rounds)
    rows["join a group no app has (A)"] = a
    rows["join a group assigned to an app (B)"] = b
    rows["  B/A throughput, joins"] = ratio
    big = create_group(port, "Bench big group")
    members = ids[-args.group_members :]
    drive(port, joins(big, members), args.clients)
    big_app = create_app(port, "Bench big group app")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)  # a fresh connection
    start = time.perf_counter()
    call(conn, "PUT", f"/api/v1/apps/{big_app}/groups/{big}", b"{}")
    seconds = time.perf_counter() - start
    rows[f"assign a group of {len(members):,} to an app (1 PUT)"] = {
        "requests": 1,
        "perSecond": round(len(members) / seconds, 1),  # app users made per second
        "p50ms": round(seconds * 1000, 1),
        "p99ms": round(seconds * 1000, 1),
    }
    listed = call(conn, "GET", f"/api/v1/apps/{big_app}/users?limit=500", None)
    if len(listed) != min(500, len(members)) or listed[0]["scope"] != "GROUP":
        raise SystemExit(f"the group's members did not get the app: {listed[:1]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100_000, help="users, all to be assigned")
    parser.add_argument("--batch", type=int, default=1000, help="requests per A or B run")
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds per comparison")
    parser.add_argument("--clients", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--group-members", type=int, default=20_000, help="members of the group assigned at once"
    )
    args = parser.parse_args(argv)
    limits = ["--concurrency-limit", "100000"]
    for bucket in ("users.collection", "users.get", "apps", "api.default", "groups.item"):
        limits += ["--limit", f"{bucket}=100000000"]
    rows: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(port, Path(tmp) / "bench.db", limits)
        try:
            run = str(time.time_ns())
            ids = seed_users(port, args.users, run)
            print(f"seeded {len(ids):,} users", file=sys.stderr, flush=True)
            app_id = create_app(port, "Bench bookmark")
            used = 0

            def assign_run(_r: int) -> dict[str, float]:
                nonlocal used
                batch = ids[used : used + args.batch]
                used += len(batch)
                return drive(port, assignments(app_id, batch), args.clients)

            def create_run(r: int) -> dict[str, float]:
                return drive(port, creates(run, r * args.batch, args.batch), args.clients)

            create, assign, ratio = side_by_side(create_run, assign_run, args.rounds)
            rows["create user (A)"] = create
            rows["assign user (B)"] = assign
            rows["assign/create throughput"] = ratio
            print(f"assigning the other {len(ids) - used:,}", file=sys.stderr, flush=True)
            fill = drive(port, assignments(app_id, ids[used:]), args.clients)
            rows[f"assign the rest ({len(ids) - used:,}, up to {len(ids):,})"] = fill
            ordered = sorted(ids)
            middle, tail = ordered[len(ordered) // 2], ordered[max(len(ordered) - 501, 0)]
            prefix = f"app.{run}.9999"
            apps_path = f"/api/v1/apps/{app_id}/users"
            # (name, the app users page, the users page it is compared with, side by side)
            users_path = "/api/v1/users"
            pages = [
                ("first page of 50", apps_path, f"{users_path}?limit=50"),
                (
                    "deep page of 50",
                    f"{apps_path}?after={middle}",
                    f"{users_path}?limit=50&after={middle}",
                ),
                (
                    "page of 200",
                    f"{apps_path}?limit=200&after={tail}",
                    f"{users_path}?limit=200&after={tail}",
                ),
                (
                    "page of 500 (users: 200)",
                    f"{apps_path}?limit=500&after={tail}",
                    f"{users_path}?limit=200&after={tail}",
                ),
                ("q=<login prefix>", f"{apps_path}?q={prefix}", f"{users_path}?q={prefix}"),
            ]
            reads = max(args.batch // 10, 50)
            for name, page_path, users_page_path in pages:
                users_page, app_page, ratio = side_by_side(
                    lambda _r, p=users_page_path: drive(
                        port, [("GET", p, None)] * reads, args.clients
                    ),
                    lambda _r, p=page_path: drive(port, [("GET", p, None)] * reads, args.clients),
                    args.rounds,
                )
                rows[f"GET users, {name} (A)"] = users_page
                rows[f"GET app users, {name} (B)"] = app_page
                rows[f"  B/A throughput, {name}"] = ratio
            group_rows(port, ids, args, rows)
        finally:
            server.terminate()
            server.wait(10)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{args.users:,} users; {args.clients} connections; A B x {args.rounds} per comparison")
    print(f"{'phase':<52}{'requests':>9}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, row in rows.items():
        if isinstance(row, dict):
            print(
                f"{name:<52}{int(row['requests']):>9}{row['perSecond']:>10}"
                f"{row['p50ms']:>9}{row['p99ms']:>9}"
            )
        else:
            print(f"{name:<52}{'':>9}{row:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
