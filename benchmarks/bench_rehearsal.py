"""Benchmark `mock-okta rehearse`: a full time-compressed import, and a go-live login storm.

    .venv/bin/python benchmarks/bench_rehearsal.py import --users 250000     # ~14 min at 60x
    .venv/bin/python benchmarks/bench_rehearsal.py import --users 50000 --dataset DIR
    .venv/bin/python benchmarks/bench_rehearsal.py storm --users 2000 --rounds 6

`import` rehearses the thread's migration (USERS at 300/min, `--time-scale 60`) and prints the
wall time, the mock's projected real-Okta duration and the plan's figure. `storm` signs in
USERS bcrypt-cost-10 users with rate limits off: round 1 costs bcrypt (the mock then re-hashes,
as Okta does), later rounds do not; it prints first and repeat logins per second from Locust's
CSV. Each run writes its reports under --out. Numbers depend on the machine: measured, never
asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def rehearse(args: Sequence[str], out: Path) -> tuple[dict[str, object], float]:
    cmd = [sys.executable, "-m", "mock_okta", "rehearse", "--out", str(out), *args]
    print("$ " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        print(f"rehearse exited {proc.returncode}; see {out}", file=sys.stderr)
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    return summary, wall


def bench_import(a: argparse.Namespace) -> dict[str, object]:
    # The rehearsal's one token may use half of the bucket (Okta's default share): an org limit
    # of twice --limit gives the token --limit a minute.
    args = ["--users", str(a.users), "--limit", f"users.collection={2 * a.limit}"]
    args += ["--time-scale", f"{a.scale:g}", "--clients", str(a.clients)]
    args += ["--processes", str(a.processes), "--server-workers", str(a.server_workers)]
    if a.dataset:
        args += ["--dataset", str(a.dataset)]
    s, wall = rehearse(args, a.out / f"import-{a.users}")
    projected = s["projection"]["oktaSeconds"]  # type: ignore[index]
    planned = s["plan"]["durationSeconds"]  # type: ignore[index]
    return {
        "users": a.users,
        "limitPerMinute": a.limit,
        "timeScale": a.scale,
        "complete": s["complete"],
        "commandWallSeconds": round(wall, 1),  # dataset (unless --dataset), mock, Locust
        "locustRunSeconds": s["runSeconds"],
        "projectedOktaHours": round(float(projected) / 3600, 3),
        "planOktaHours": round(float(planned) / 3600, 3),
        "differencePercent": s["differencePercent"],
        "requests": s["requests"],
    }


def bench_storm(a: argparse.Namespace) -> dict[str, object]:
    args = ["--scenario", "login", "--rate-limits", "off", "--rounds", str(a.rounds)]
    args += ["--clients", str(a.clients), "--processes", str(a.processes)]
    args += ["--server-workers", str(a.server_workers), "--time-scale", "1"]
    if a.dataset:
        args += ["--dataset", str(a.dataset)]
    else:
        args += ["--users", str(a.users), "--mix", "bcrypt=100", "--bcrypt-cost", "10"]
    s, wall = rehearse(args, a.out / f"storm-{a.users}")
    rows = {r["name"]: r for r in s["rows"]}  # type: ignore[attr-defined]
    first = rows.get("/api/v1/authn [first]", {})
    repeat = rows.get("/api/v1/authn [repeat]", {})
    return {
        "users": a.users,
        "rounds": a.rounds,
        "clients": a.clients,
        "locustProcesses": a.processes,
        "serverWorkers": a.server_workers,
        "complete": s["complete"],
        "failures": s["requests"]["failures"],  # type: ignore[index]
        "firstLoginsPerSecond": first.get("active_per_second"),
        "firstLoginMedianMs": first.get("median_ms"),
        "repeatLoginsPerSecond": repeat.get("active_per_second"),
        "repeatLoginMedianMs": repeat.get("median_ms"),
        "commandWallSeconds": round(wall, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark mock-okta rehearse.")
    p.add_argument("what", choices=("import", "storm"))
    p.add_argument("--users", type=int, default=250_000)
    p.add_argument("--dataset", type=Path, help="an existing dataset (skips generating one)")
    p.add_argument(
        "--limit", type=int, default=300, help="import: users.collection per minute for the token"
    )
    p.add_argument("--scale", type=float, default=60.0, help="import: --time-scale")
    p.add_argument("--rounds", type=int, default=6, help="storm: sign-ins per user")
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--processes", type=int, default=1, help="Locust processes")
    p.add_argument("--server-workers", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("bench-rehearsal"))
    a = p.parse_args(argv)
    result = bench_import(a) if a.what == "import" else bench_storm(a)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
