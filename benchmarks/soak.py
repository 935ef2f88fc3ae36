"""Soak the served mock: a steady mixed load for a set time; throughput, p99 and RSS over time.

    .venv/bin/python benchmarks/soak.py --minutes 30                 # make soak
    .venv/bin/python benchmarks/soak.py --minutes 1 --rate 60 --out /tmp/soak

Starts `mock-okta serve` (gunicorn) on a free port with a temporary SQLite file and sends, at a
fixed rate (open loop: requests are scheduled by the clock, not by the previous answer), a mix
of creates (SHA-256, bcrypt and plain passwords), reads, sign-ins (first ones pay bcrypt or SHA),
partial updates, list pages, inline-hook lists over a small `api.default` limit (429s) and
requests hit by injected faults (503s, 500s). Every interval it records completed requests/s,
p50 and p99 latency, the statuses, and the resident memory (VmRSS from /proc/<pid>/status) of
the gunicorn master and each worker. Prints a table as it goes; writes soak.json and soak.png.
The verdict compares the last third of the run with the first third (after a warm-up interval).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import queue
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import bcrypt

from mock_okta.testing.client import ControlClient
from mock_okta.testing.served import ServedMock

TOKEN = "soak-token"
PASSWORD = "Soak-Passw0rd-7"
# share of the request rate per kind of request
MIX = {
    "create": 0.22,
    "get": 0.30,
    "authn": 0.20,
    "update": 0.12,
    "list": 0.06,
    "hooks429": 0.04,  # GET /api/v1/inlineHooks over api.default=60/min: mostly 429s
    "fault": 0.06,  # GET /api/v1/users/{id}?soak=fault: a 503 or 500 fault rule hits some
}
UNLIMITED = 1_000_000


@dataclass
class Interval:
    t: float  # seconds since the start, at the end of the interval
    completed: int
    per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    backlog: int  # requests scheduled but not yet sent
    rss_master_kb: int
    rss_workers_kb: list[int]
    db_bytes: int


@dataclass
class Recorder:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    sent: int = 0

    def add(self, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            self.sent += 1

    def take(self) -> tuple[list[float], Counter[int]]:
        with self.lock:
            taken = self.latencies, self.statuses
            self.latencies, self.statuses = [], Counter()
        return taken


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Load:
    """The request mix; users created are remembered for reads, sign-ins and updates."""

    def __init__(self, host: str, port: int, seed: int) -> None:
        self.host, self.port = host, port
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.users: list[tuple[str, str]] = []  # (id, login)
        self.fresh: list[str] = []  # logins not signed in yet (their first sign-in pays the hash)
        self.counter = 0
        self.headers = {"Authorization": f"SSWS {TOKEN}", "Content-Type": "application/json"}

    def pick_kind(self) -> str:
        return self.rnd.choices(list(MIX), weights=list(MIX.values()))[0]

    def request(self, conn: http.client.HTTPConnection, kind: str) -> tuple[int, bytes]:
        method, path, body = self._build(kind)
        conn.request(method, path, body=body, headers=self.headers)
        response = conn.getresponse()
        data = response.read()
        if kind == "create" and response.status == 200:
            created = json.loads(data)
            with self.lock:
                self.users.append((created["id"], created["profile"]["login"]))
                self.fresh.append(created["profile"]["login"])
        return response.status, data

    def _user(self) -> tuple[str, str] | None:
        with self.lock:
            return self.rnd.choice(self.users) if self.users else None

    def _build(self, kind: str) -> tuple[str, str, bytes | None]:
        user = self._user()
        if kind == "create" or user is None:
            return "POST", "/api/v1/users", self._create_body()
        uid, login = user
        if kind == "get":
            return "GET", f"/api/v1/users/{uid}", None
        if kind == "authn":
            with self.lock:
                if self.fresh and self.rnd.random() < 0.5:
                    login = self.fresh.pop(self.rnd.randrange(len(self.fresh)))
            password = PASSWORD if self.rnd.random() < 0.9 else "Wrong-Passw0rd-1"
            body = json.dumps({"username": login, "password": password}).encode()
            return "POST", "/api/v1/authn", body
        if kind == "update":
            nick = f"n{self.rnd.randrange(10**6)}"
            return (
                "POST",
                f"/api/v1/users/{uid}",
                json.dumps({"profile": {"nickName": nick}}).encode(),
            )
        if kind == "list":
            return "GET", "/api/v1/users?limit=20", None
        if kind == "hooks429":
            return "GET", "/api/v1/inlineHooks", None
        return "GET", f"/api/v1/users/{uid}?soak=fault", None

    def _create_body(self) -> bytes:
        with self.lock:
            self.counter += 1
            n = self.counter
        login = f"mixed.{n}@example.com"
        roll = self.rnd.random()
        if roll < 0.5:
            salt = f"salt{n}"
            digest = hashlib.sha256(salt.encode() + PASSWORD.encode()).digest()
            password: dict[str, object] = {
                "hash": {
                    "algorithm": "SHA-256",
                    "salt": salt,
                    "saltOrder": "PREFIX",
                    "value": base64.b64encode(digest).decode(),
                }
            }
        elif roll < 0.75:
            legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(6)).decode()
            password = {
                "hash": {
                    "algorithm": "BCRYPT",
                    "workFactor": 6,
                    "salt": legacy[7:29],
                    "value": legacy[29:],
                }
            }
        else:
            password = {"value": PASSWORD}
        profile = {"login": login, "email": login, "firstName": "Soak", "lastName": f"U{n}"}
        return json.dumps({"profile": profile, "credentials": {"password": password}}).encode()


def run(args: argparse.Namespace, out: Path) -> list[Interval]:
    tmp = Path(tempfile.mkdtemp(prefix="mock-okta-soak-"))
    db = tmp / "soak.db"
    limits = [
        f"{b}={UNLIMITED}" for b in ("users.collection", "users.get", "users.update", "authn")
    ]
    serve_args = ["--db", str(db), "--workers", str(args.workers)]
    for item in [*limits, "api.default=60"]:
        serve_args += ["--limit", item]
    server = ServedMock(serve_args, TOKEN).start()
    try:
        control = ControlClient(server.url, TOKEN)
        control.fault(method="GET", path="/api/v1/users/*", status=503, probability=0.03, seed=1)
        control.fault(method="POST", path="/api/v1/users/*", status=500, probability=0.01, seed=2)
        return _drive(args, server, db)
    finally:
        server.stop()
        (out / "server.log").write_text(server.log())
        shutil.rmtree(tmp, ignore_errors=True)


def _drive(args: argparse.Namespace, server: ServedMock, db: Path) -> list[Interval]:
    parts = urlsplit(server.url)
    load = Load(parts.hostname or "127.0.0.1", parts.port or 80, args.seed)
    recorder = Recorder()
    tasks: queue.Queue[str | None] = queue.Queue()
    stop = threading.Event()

    def worker() -> None:
        conn = http.client.HTTPConnection(load.host, load.port, timeout=60)
        while (kind := tasks.get()) is not None:
            start = time.perf_counter()
            try:
                status, _ = load.request(conn, kind)
            except (OSError, http.client.HTTPException):
                status = 0  # a dropped connection: reconnect
                conn.close()
                conn = http.client.HTTPConnection(load.host, load.port, timeout=60)
            recorder.add(time.perf_counter() - start, status)

    def schedule() -> None:
        started = time.monotonic()
        n = 0
        while not stop.is_set():
            due = started + n / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                stop.wait(delay)  # pacing by the clock (open loop)
            tasks.put(load.pick_kind())
            n += 1

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(args.clients)]
    for thread in workers:
        thread.start()
    scheduler = threading.Thread(target=schedule, daemon=True)
    scheduler.start()
    intervals: list[Interval] = []
    started = time.monotonic()
    end = started + args.minutes * 60
    print(_header(), flush=True)
    while (now := time.monotonic()) < end:
        stop.wait(min(args.interval, end - now))
        latencies, statuses = recorder.take()
        elapsed = time.monotonic() - started
        span = elapsed - (intervals[-1].t if intervals else 0.0)
        row = Interval(
            t=round(elapsed, 1),
            completed=len(latencies),
            per_second=round(len(latencies) / span, 1),
            p50_ms=round(percentile(latencies, 0.50) * 1000, 1),
            p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
            statuses={str(k): v for k, v in sorted(statuses.items())},
            backlog=tasks.qsize(),
            rss_master_kb=rss_kb(server.pid),
            rss_workers_kb=[rss_kb(pid) for pid in sorted(server.worker_pids())],
            db_bytes=sum(p.stat().st_size for p in db.parent.glob(db.name + "*")),
        )
        intervals.append(row)
        print(_line(row), flush=True)
    stop.set()
    scheduler.join()
    for _ in workers:
        tasks.put(None)
    for thread in workers:
        thread.join(60)
    return intervals


def _header() -> str:
    return (
        f"{'t (s)':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'backlog':>7}"
        f" {'master MB':>9} {'workers MB':>12} {'db MB':>6}  statuses"
    )


def _line(row: Interval) -> str:
    workers = "/".join(f"{kb / 1024:.1f}" for kb in row.rss_workers_kb)
    statuses = " ".join(f"{k}:{v}" for k, v in row.statuses.items())
    return (
        f"{row.t:7.0f} {row.per_second:7.1f} {row.p50_ms:7.1f} {row.p99_ms:7.1f}"
        f" {row.backlog:7d} {row.rss_master_kb / 1024:9.1f} {workers:>12}"
        f" {row.db_bytes / 2**20:6.1f}  {statuses}"
    )


def verdict(intervals: list[Interval]) -> dict[str, object]:
    """First third against last third (the first interval is warm-up): medians and ratios."""
    rows = intervals[1:] if len(intervals) > 3 else intervals
    third = max(1, len(rows) // 3)
    first, last = rows[:third], rows[-third:]

    def med(values: list[float]) -> float:
        return round(statistics.median(values), 2) if values else 0.0

    summary: dict[str, object] = {}
    for name, get in (
        ("req_per_s", lambda r: r.per_second),
        ("p99_ms", lambda r: r.p99_ms),
        ("p50_ms", lambda r: r.p50_ms),
        ("worker_rss_mb", lambda r: sum(r.rss_workers_kb) / 1024),
        ("master_rss_mb", lambda r: r.rss_master_kb / 1024),
    ):
        a, b = med([get(r) for r in first]), med([get(r) for r in last])
        summary[name] = {"first_third": a, "last_third": b, "ratio": round(b / a, 3) if a else None}
    summary["requests"] = sum(r.completed for r in intervals)
    summary["statuses"] = dict(
        sum((Counter(r.statuses) for r in intervals), Counter()).most_common()
    )
    return summary


def chart(intervals: list[Interval], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [r.t / 60 for r in intervals]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(minutes, [r.per_second for r in intervals], color="tab:blue")
    axes[0].set_ylabel("completed req/s")
    axes[1].plot(minutes, [r.p99_ms for r in intervals], label="p99", color="tab:red")
    axes[1].plot(minutes, [r.p50_ms for r in intervals], label="p50", color="tab:orange")
    axes[1].set_ylabel("latency (ms)")
    axes[1].legend(loc="upper left")
    axes[2].plot(
        minutes,
        [sum(r.rss_workers_kb) / 1024 for r in intervals],
        label="workers",
        color="tab:green",
    )
    axes[2].plot(minutes, [r.rss_master_kb / 1024 for r in intervals], label="master", color="gray")
    axes[2].set_ylabel("RSS (MB)")
    axes[2].set_xlabel("minutes")
    axes[2].legend(loc="upper left")
    for ax in axes:
        ax.set_ylim(0, max(ax.get_ylim()[1], 1) * 1.15)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second sent")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds per table row")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("soak-results"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    intervals = run(args, args.out)
    summary = verdict(intervals)
    (args.out / "soak.json").write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "summary": summary,
                "intervals": [asdict(r) for r in intervals],
            },
            indent=1,
        )
    )
    title = (
        f"mock-okta soak: {args.rate:g} req/s mixed, {args.minutes:g} min, {args.workers} worker(s)"
    )
    chart(intervals, args.out / "soak.png", title)
    print(json.dumps(summary, indent=1))
    print(f"wrote {args.out / 'soak.json'} and {args.out / 'soak.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
