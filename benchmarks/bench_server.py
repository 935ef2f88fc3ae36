"""Benchmark the served mock: creates/s (SHA-256 hashes) and authn/s, with p50/p99 latency;
membership PUTs/s, and the pages of a group of 100,000 members against the users list's.

    .venv/bin/python benchmarks/bench_server.py                    # defaults: 4000 creates
    .venv/bin/python benchmarks/bench_server.py --rate-limits off  # the limiter's cost, compared
    .venv/bin/python benchmarks/bench_server.py --workers 2 --clients 16
    .venv/bin/python benchmarks/bench_server.py --members 0         # no group phases

Starts `mock-okta serve` (gunicorn) on a free port with a temporary SQLite file, drives it from
client processes over keep-alive HTTP connections, and prints a table (and JSON with --json).
Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

TOKEN = "bench-token"
HEADERS = {"Authorization": f"SSWS {TOKEN}", "Content-Type": "application/json"}
PASSWORD = "Bench-Passw0rd!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, db: Path, extra: Sequence[str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "mock_okta", "serve", "--port", str(port), "--db", str(db)]
    proc = subprocess.Popen([*cmd, "--token", TOKEN, *extra], stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/_mock/stats", headers=HEADERS)
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


def user_body(i: int, run: str) -> bytes:
    salt = f"s{i}"
    digest = hashlib.sha256(salt.encode() + PASSWORD.encode()).digest()
    login = f"bench.{run}.{i}@example.com"
    return json.dumps(
        {
            "profile": {"login": login, "email": login, "firstName": "Bench", "lastName": f"U{i}"},
            "credentials": {
                "password": {
                    "hash": {
                        "algorithm": "SHA-256",
                        "salt": salt,
                        "saltOrder": "PREFIX",
                        "value": base64.b64encode(digest).decode(),
                    }
                }
            },
        }
    ).encode()


def authn_body(i: int, run: str) -> bytes:
    return json.dumps({"username": f"bench.{run}.{i}@example.com", "password": PASSWORD}).encode()


def _request(method: str, path: str, run: str, i: int) -> tuple[str, bytes | None]:
    """The path and body of request `i` of a phase: a `{}` in the path takes the i-th id."""
    if "{}" in path:
        return path.format(_IDS[i]), None
    return path, (user_body if path == "/api/v1/users" else authn_body)(i, run)


_IDS: list[str] = []  # user ids for paths with `{}`, set before the client processes fork


def _client(args: tuple[int, str, str, str, list[int], int]) -> tuple[list[float], int]:
    """One client process: `threads` keep-alive connections over its share of request ids."""
    port, method, path, run, ids, threads = args
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    chunks = [ids[t::threads] for t in range(threads)]

    def work(chunk: list[int]) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        for i in chunk:
            target, body = _request(method, path, run, i)
            start = time.perf_counter()
            conn.request(method, target, body=body, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status not in (200, 204)
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors


def phase(
    port: int, method: str, path: str, run: str, n: int, processes: int, threads: int
) -> dict[str, float]:
    ids = list(range(n))
    jobs = [(port, method, path, run, ids[p::processes], threads) for p in range(processes)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_client, jobs)
    elapsed = time.perf_counter() - start
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {
        "requests": n,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "perSecond": round(n / elapsed, 1),
        "p50ms": round(statistics.median(latencies) * 1000, 2),
        "p99ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def _call(port: int, method: str, path: str, body: object = None) -> object:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    data = None if body is None else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=HEADERS)
    response = conn.getresponse()
    text = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {text[:300]!r}")
    return json.loads(text) if text else None


def seed_members(port: int, run: str, members: int) -> tuple[str, list[str]]:
    """`members` users (bulk seed, 5,000 a call) in one group; its id and theirs."""
    ids: list[str] = []
    for start in range(0, members, 5000):
        users = [
            {
                "profile": {
                    "login": f"member.{run}.{i}@example.com",
                    "email": f"member.{run}.{i}@example.com",
                    "firstName": "Group",
                    "lastName": f"M{i}",
                },
                "groups": [f"Bench members {run}"],
            }
            for i in range(start, min(start + 5000, members))
        ]
        created = _call(port, "POST", "/_mock/users", {"users": users})
        ids += [u["id"] for u in created["users"]]  # type: ignore[index]
    groups = _call(port, "GET", f"/api/v1/groups?q={quote(f'Bench members {run}')}")
    return str(groups[0]["id"]), ids  # type: ignore[index]


def alternate(port: int, paths: Sequence[tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    """GET each path in turn, A B A B, on one keep-alive connection; latencies by name."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    seen: dict[str, list[float]] = {name: [] for name, _ in paths}
    for _ in range(rounds):
        for name, path in paths:
            start = time.perf_counter()
            conn.request("GET", path, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path}: {response.status}")
            seen[name].append(time.perf_counter() - start)
    return seen


def walk(port: int, path: str) -> tuple[int, list[float]]:
    """Every page of a list, following `Link: rel="next"`; (items, latency of each page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    items, latencies = 0, []
    url: str | None = path
    while url:
        start = time.perf_counter()
        conn.request("GET", url, headers=HEADERS)
        response = conn.getresponse()
        items += len(json.loads(response.read()))
        latencies.append(time.perf_counter() - start)
        following = [
            link for link in response.headers.get_all("Link") or [] if 'rel="next"' in link
        ]
        url = (
            urlsplit(following[0][1 : following[0].index(">")])
            ._replace(scheme="", netloc="")
            .geturl()
            if following
            else None
        )
    return items, latencies


def latency_row(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": 0,
        "seconds": round(sum(ordered), 3),
        "perSecond": round(len(ordered) / sum(ordered), 1),
        "p50ms": round(statistics.median(ordered) * 1000, 2),
        "p99ms": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000, 2),
    }


def group_phases(
    port: int, run: str, args: argparse.Namespace
) -> list[tuple[str, dict[str, float]]]:
    """Membership PUTs/s, then a 100,000-member group's pages against the users list's."""
    big, ids = seed_members(port, run, args.members)
    target = _call(port, "POST", "/api/v1/groups", {"profile": {"name": f"Bench PUT {run}"}})
    _IDS[:] = ids
    n = min(args.requests, len(ids))
    put = phase(
        port, "PUT", f"/api/v1/groups/{target['id']}/users/{{}}", run, n,  # type: ignore[index]
        args.processes, args.clients,
    )  # fmt: skip
    deep = ids[len(ids) // 2]
    paged = alternate(
        port,
        [
            ("members, 200", f"/api/v1/groups/{big}/users?limit=200"),
            ("users, 200", "/api/v1/users?limit=200"),
            ("members, 200, deep", f"/api/v1/groups/{big}/users?limit=200&after={deep}"),
            ("users, 200, deep", f"/api/v1/users?limit=200&after={deep}"),
        ],
        args.page_rounds,
    )
    items, pages = walk(port, f"/api/v1/groups/{big}/users?limit=1000")
    assert items == len(ids), (items, len(ids))
    rows = [("membership PUT", put)]
    rows += [(f"GET {name}", latency_row(name, lat)) for name, lat in paged.items()]
    rows.append((f"walk {items:,} members", latency_row("walk", pages)))
    return rows


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    lines = [f"{'phase':<30}{'requests':>9}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"]
    for name, r in rows:
        lines.append(
            f"{name:<30}{r['requests']:>9}{r['errors']:>8}{r['perSecond']:>10}"
            f"{r['p50ms']:>9}{r['p99ms']:>9}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=4000, help="creates (and authns) to send")
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    parser.add_argument("--clients", type=int, default=8, help="connections per client process")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--rate-limits", default=None, help="server profile; default: workforce set high"
    )
    parser.add_argument(
        "--members",
        type=int,
        default=100_000,
        help="members of the paged group (0: no group phases)",
    )
    parser.add_argument(
        "--page-rounds", type=int, default=30, help="rounds of A B A B page reads (default 30)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    limits: list[str] = []
    if args.rate_limits:
        limits = ["--rate-limits", args.rate_limits]
    else:  # workforce, raised so the limiter runs on every request but never refuses one
        for bucket in ("users.collection", "authn", "groups.collection", "groups.item"):
            limits += ["--limit", f"{bucket}=100000000"]
        limits += ["--concurrency-limit", "100000"]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(
            port, Path(tmp) / "bench.db", [*limits, "--workers", str(args.workers)]
        )
        try:
            run = str(os.getpid())
            step: Callable[[str, str], dict[str, float]] = lambda method, path: phase(  # noqa: E731
                port, method, path, run, args.requests, args.processes, args.clients
            )
            rows = [
                ("create (SHA-256 hash)", step("POST", "/api/v1/users")),
                ("authn, first login", step("POST", "/api/v1/authn")),
                ("authn, repeat login", step("POST", "/api/v1/authn")),
            ]
            if args.members > 0:
                rows += group_phases(port, run, args)
        finally:
            server.terminate()
            server.wait(10)
    ratios = _ratios(dict(rows))
    if args.json:
        print(json.dumps({**dict(rows), "ratios": ratios}, indent=2))
        return 0
    profile = args.rate_limits or "workforce (limits raised)"
    print(
        f"server: {args.workers} worker(s), rate limits: {profile}; clients: "
        f"{args.processes} process(es) x {args.clients} connections"
    )
    print(table(rows))
    for name, value in ratios.items():
        print(f"{name}: {value}")
    return 0


def _ratios(rows: dict[str, dict[str, float]]) -> dict[str, float]:
    """Side by side in this run: membership PUTs to creates, member pages to user pages."""
    out: dict[str, float] = {}
    if "membership PUT" in rows:
        put, create = rows["membership PUT"], rows["create (SHA-256 hash)"]
        out["membership PUT/s ÷ create/s"] = round(put["perSecond"] / create["perSecond"], 2)
        for deep in ("", ", deep"):
            members, users = rows[f"GET members, 200{deep}"], rows[f"GET users, 200{deep}"]
            key = f"p50 members page ÷ users page{deep}"
            out[key] = round(members["p50ms"] / users["p50ms"], 2)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
