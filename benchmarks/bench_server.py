"""Benchmark the served mock: creates/s (SHA-256 hashes) and authn/s, with p50/p99 latency.

    .venv/bin/python benchmarks/bench_server.py                    # defaults: 4000 creates
    .venv/bin/python benchmarks/bench_server.py --rate-limits off  # the limiter's cost, compared
    .venv/bin/python benchmarks/bench_server.py --workers 2 --clients 16

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


def _client(args: tuple[int, str, str, str, list[int], int]) -> tuple[list[float], int]:
    """One client process: `threads` keep-alive connections over its share of request ids."""
    port, method, path, run, ids, threads = args
    make = user_body if path == "/api/v1/users" else authn_body
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
            body = make(i, run)
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status != 200
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


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    lines = [f"{'phase':<22}{'requests':>9}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"]
    for name, r in rows:
        lines.append(
            f"{name:<22}{r['requests']:>9}{r['errors']:>8}{r['perSecond']:>10}"
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
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    limits: list[str] = []
    if args.rate_limits:
        limits = ["--rate-limits", args.rate_limits]
    else:  # workforce, raised so the limiter runs on every request but never refuses one
        for bucket in ("users.collection", "authn"):
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
        finally:
            server.terminate()
            server.wait(10)
    if args.json:
        print(json.dumps(dict(rows), indent=2))
    else:
        profile = args.rate_limits or "workforce (limits raised)"
        print(
            f"server: {args.workers} worker(s), rate limits: {profile}; clients: "
            f"{args.processes} process(es) x {args.clients} connections"
        )
        print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
