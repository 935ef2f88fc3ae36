"""How faithful is a time-compressed rehearsal? Projection vs the rate-limit arithmetic.

    .venv/bin/python benchmarks/bench_timescale.py              # 6,000 creates, 300/min, 60x
    .venv/bin/python benchmarks/bench_timescale.py --scales 1,10,30,60,120 --windows 5
    .venv/bin/python benchmarks/bench_timescale.py --client sdk          # okta-sdk-python 3.x

For each time scale it starts `mock-okta serve --limit users.collection=2xLIMIT --time-scale S`
(the one token gets LIMIT, Okta's default half of the bucket),
creates `LIMIT x windows` users with one client, and compares `/_mock/stats`'s projected real-Okta
duration with the ideal `users / LIMIT` minutes. Two clients:

- `pacing`: threads that read X-Rate-Limit-Remaining and sleep until X-Rate-Limit-Reset when it
  reaches 0 (or on a 429), as Okta's best-practice guide says;
- `sdk`: okta-sdk-python, unmodified, which on a 429 sleeps `Reset - Date + 1` seconds.

Integer-second resets (rounded up) and a client's own padding are real seconds that do not
shrink with the scale, so high scales stretch the projection; this measures by how much.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import requests

TOKEN = "scale-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int, db: Path, limit: int, scale: float) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "mock_okta", "serve", "--port", str(port), "--db", str(db),
        # one token may use half the org's bucket (Okta's default share): the token gets `limit`
        "--token", TOKEN, "--limit", f"users.collection={2 * limit}", "--time-scale", str(scale),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/_mock/config", headers=AUTH, timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def body(i: int) -> dict[str, object]:
    login = f"scale.{i}@example.com"
    return {"profile": {"login": login, "email": login, "firstName": "S", "lastName": str(i)}}


def run_pacing(url: str, n: int, threads: int = 4) -> None:
    """Stop at Remaining 0 (or a 429) until the reset, as Okta's guide says."""
    lock = threading.Lock()
    state = {"next": 0, "paused_until": 0.0}

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                i = state["next"]
                if i >= n:
                    return
                state["next"] = i + 1
                wait = state["paused_until"] - time.time()
            while True:
                if wait > 0:
                    time.sleep(wait)
                r = session.post(
                    f"{url}/api/v1/users?activate=false", json=body(i), headers=AUTH, timeout=30
                )
                reset = float(r.headers.get("X-Rate-Limit-Reset", 0))
                with lock:
                    if r.status_code == 429 or r.headers.get("X-Rate-Limit-Remaining") == "0":
                        state["paused_until"] = max(state["paused_until"], reset)
                    wait = state["paused_until"] - time.time()
                if r.status_code != 429:
                    break

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def run_sdk(url: str, n: int, concurrency: int = 4) -> None:
    """okta-sdk-python as a team would use it: its own retry on 429."""
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    from okta.client import Client as OktaClient
    from okta.models import CreateUserRequest

    async def main() -> None:
        client = OktaClient(
            {"orgUrl": url, "token": TOKEN, "rateLimit": {"maxRetries": 100}, "requestTimeout": 0}
        )
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                request = CreateUserRequest.from_dict(body(i))
                _, _, err = await client.create_user(request, activate=False)
                if err is not None:
                    raise RuntimeError(f"create {i}: {err}")

        await asyncio.gather(*(one(i) for i in range(n)))

    asyncio.run(main())


def measure(client: str, limit: int, windows: int, scale: float) -> dict[str, float]:
    n = limit * windows
    ideal = n / limit * 60
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start(port, Path(tmp) / "scale.db", limit, scale)
        url = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            (run_sdk if client == "sdk" else run_pacing)(url, n)
            wall = time.perf_counter() - started
            bucket = requests.get(f"{url}/_mock/stats", headers=AUTH, timeout=30).json()["buckets"][
                "users.collection"
            ]
        finally:
            server.terminate()
            server.wait(10)
    projected = float(bucket["projectedOktaSeconds"])
    return {
        "scale": scale,
        "users": n,
        "wallSeconds": round(wall, 2),
        "idealOktaSeconds": ideal,
        "projectedOktaSeconds": projected,
        "errorPercent": round((projected - ideal) / ideal * 100, 2),
        "rateLimited": bucket["rateLimited"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Projection accuracy under --time-scale.")
    parser.add_argument("--client", choices=("pacing", "sdk"), default="pacing")
    parser.add_argument(
        "--limit", type=int, default=300, help="users.collection per minute for the token"
    )
    parser.add_argument("--windows", type=int, default=20, help="windows of work per run")
    parser.add_argument("--scales", default="60", help="comma-separated time scales")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [
        measure(args.client, args.limit, args.windows, float(s)) for s in args.scales.split(",")
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"client: {args.client}; {args.limit}/min; {args.windows} windows of work per run")
    print(
        f"{'scale':>6}{'users':>7}{'wall s':>9}{'ideal min':>11}{'projected min':>15}"
        f"{'error':>8}{'429s':>6}"
    )
    for r in rows:
        print(
            f"{r['scale']:>6g}{r['users']:>7}{r['wallSeconds']:>9}"
            f"{r['idealOktaSeconds'] / 60:>11.2f}{r['projectedOktaSeconds'] / 60:>15.2f}"
            f"{r['errorPercent']:>7}%{r['rateLimited']:>6}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
