"""`mock-okta rehearse`: a time-compressed migration against the mock, beside the plan's figure.

    mock-okta rehearse --users 250000 --time-scale 60 --out rehearsal/
    mock-okta rehearse --scenario login --dataset data/ --rate-limits off --rounds 2
    mock-okta rehearse --scenario oidc-login --users 200 --rounds 2   # code flow, then grant
    mock-okta rehearse --scenario delta --dataset data/ --changed 5% --processes 2

Starts `mock-okta serve` with the rate limits and `--time-scale`, generates a dataset (or takes
`--dataset`), runs one Locust scenario headless until every item is done, and writes Locust's
CSV and HTML reports plus summary.json, summary.md and summary.png to `--out`: the real-Okta
duration the mock projects (`/_mock/stats`) beside `mock-okta plan`'s for the same inputs.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from mock_okta.config import ConfigError, parse_limits
from mock_okta.load.data import (
    DataError,
    delta_items,
    import_items,
    login_items,
    parse_mix,
    select_mix,
)
from mock_okta.load.summary import SCHEMA, difference, read_stats, request_totals, write_all
from mock_okta.ratelimit import CONCURRENCY, PROFILES, limits_for
from mock_okta.testing.client import ControlClient, ControlError
from mock_okta.testing.served import ServedMock, ServeError
from mock_okta.tools import dataset as datasets
from mock_okta.tools.delta import generate_delta
from mock_okta.tools.plan import Inputs, PlannedCall, duration, make_plan, planned_calls
from mock_okta.tools.records import read_manifest

TOKEN: Final = "rehearse-token"
LOCUSTFILE: Final = Path(__file__).resolve().parent / "locustfile.py"
SAMPLE_SECONDS: Final = 0.5  # how often /_mock/stats is read for the chart
LOG_SECONDS: Final = 5.0  # without a terminal (CI logs), a progress line at most this often
PLAN_STRATEGY: Final = "adaptive"  # the scenarios pace on X-Rate-Limit-Remaining and Reset
CURVE_POINTS: Final = 1600  # the plan's users over time for summary.png: two a pixel column


@dataclass(frozen=True, slots=True)
class Scenario:
    user_class: str
    buckets: tuple[str, ...]  # the projection is the longest of these; the first counts progress
    calls: tuple[PlannedCall, ...]
    note: str


SCENARIOS: Final[Mapping[str, Scenario]] = {
    "import": Scenario(
        "ImportUser",
        ("users.collection",),
        planned_calls("create"),
        "One create per legacy user (ACTIVE unless --staged), its hash converted to Okta's.",
    ),
    "login": Scenario(
        "LoginUser",
        ("authn",),
        (PlannedCall("authn", "POST", "/api/v1/authn", "authn"),),
        "Primary authn per user and round; the plan counts every sign-in against authn.",
    ),
    "oidc-login": Scenario(
        "OidcLoginUser",
        ("oauth2.token", "oauth2.authorize", "authn"),
        (
            PlannedCall("authorize", "GET", "/oauth2/default/v1/authorize", "oauth2.authorize"),
            PlannedCall("signin", "POST", "/oauth2/default/v1/signin", "authn"),
            PlannedCall("token", "POST", "/oauth2/default/v1/token", "oauth2.token"),
        ),
        "Per user and round an OIDC sign-in against /oauth2/default: the code flow with PKCE"
        " (authorize, the hosted form, token) on even rounds, the password grant on odd ones.",
    ),
    "delta": Scenario(
        "DeltaUser",
        ("users.get", "users.update", "users.collection"),
        planned_calls("get,update"),
        "Per changed user a lookup by login, then a STAGED update (hash included), a create"
        " or a deactivation; the plan takes each as lookup + update.",
    ),
}


class UsageError(ValueError):
    """A bad argument; the message says what to pass instead."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta rehearse",
        description="Rehearse a migration against the mock, time-compressed, with Locust.",
        epilog="example: mock-okta rehearse --users 250000 (one token: 300 creates a minute)",
    )
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="import")
    p.add_argument("--out", type=Path, default=Path("rehearsal"), help="reports (./rehearsal)")
    data = p.add_argument_group("dataset")
    data.add_argument("--dataset", type=Path, help="a mock-okta dataset directory to use")
    data.add_argument("--users", type=int, default=600, help="users to generate (default 600)")
    data.add_argument("--seed", type=int, default=42, help="dataset seed (default 42)")
    data.add_argument(
        "--mix", default="", help="hash mix: of the generated dataset, or taken from --dataset"
    )
    data.add_argument("--bad", default="0%", help="deliberately bad records (default 0%%)")
    data.add_argument("--bcrypt-cost", type=int, default=4, help="legacy bcrypt cost (4)")
    data.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="hashing processes")
    data.add_argument("--changed", default="5%", help="delta: users changed since (default 5%%)")
    mock = p.add_argument_group("mock")
    mock.add_argument("--rate-limits", default="workforce", choices=sorted(PROFILES))
    mock.add_argument("--limit", action="append", default=[], metavar="BUCKET=N")
    mock.add_argument("--concurrency-limit", type=int, help="org-wide requests in flight")
    mock.add_argument(
        "--token-share",
        type=int,
        default=50,
        metavar="P",
        help="percent of a bucket the rehearsal's one token may use (default 50, Okta's)",
    )
    mock.add_argument("--time-scale", type=float, default=60.0, help="default 60 (a minute: 1 s)")
    mock.add_argument("--server-workers", type=int, default=1, help="gunicorn workers (1)")
    load = p.add_argument_group("load")
    load.add_argument("--clients", type=int, default=10, help="Locust users (default 10)")
    load.add_argument("--processes", type=int, default=1, help="Locust --processes (default 1)")
    load.add_argument("--rounds", type=int, default=1, help="login: sign-ins per user (1)")
    load.add_argument("--staged", action="store_true", help="import: create STAGED users")
    load.add_argument("--timeout", type=float, help="give up after this many seconds")
    load.add_argument(
        "--progress-every",
        type=float,
        default=2.0,
        help="seconds between progress updates (default 2; without a terminal, a line every 5)",
    )
    p.add_argument(
        "--latency-ms", type=float, default=100.0, help="plan: real Okta's request time (100)"
    )
    return p


# ----- inputs


def prepare_dataset(args: argparse.Namespace, out: Path) -> tuple[Path, bool]:
    """The dataset directory, generated into OUT/dataset unless --dataset names one."""
    if args.dataset is not None:
        return args.dataset, False
    try:
        options = datasets.Options(
            users=args.users,
            seed=args.seed,
            mix=datasets.parse_mix(args.mix or datasets.DEFAULT_MIX),
            bad=datasets.parse_percent(args.bad, "--bad"),
            bcrypt_cost=args.bcrypt_cost,
            jobs=max(1, args.jobs),
        )
    except datasets.UsageError as exc:
        raise UsageError(str(exc)) from None
    target = out / "dataset"
    if _same_dataset(target, options):
        _say(f"dataset: reusing {target} ({args.users:,} users)")
        return target, True
    _say(f"dataset: generating {args.users:,} users into {target} …")
    started = time.monotonic()
    datasets.generate(options, target, datasets.Progress(args.users, "dataset"))
    _say(f"dataset: done in {duration(time.monotonic() - started)}")
    return target, True


def _same_dataset(target: Path, options: datasets.Options) -> bool:
    try:
        manifest = read_manifest(target)
    except (OSError, ValueError):
        return False
    return (
        manifest.get("users") == options.users
        and manifest.get("seed") == options.seed
        and manifest.get("options") == options.to_json()
    )


def prepare_delta(args: argparse.Namespace, base: Path, out: Path) -> Path:
    later = out / "later"
    try:
        changed = datasets.parse_percent(args.changed, "--changed")
        _say(f"dataset: the later state ({args.changed} changed) into {later} …")
        generate_delta(base, later, changed=changed, jobs=max(1, args.jobs))
    except datasets.UsageError as exc:
        raise UsageError(str(exc)) from None
    return later


def count_items(scenario: str, directory: Path, mix: str, rounds: int) -> int:
    if scenario == "import":
        return len(select_mix(import_items(directory), parse_mix(mix)))
    if scenario in ("login", "oidc-login"):
        return len(select_mix(login_items(directory), parse_mix(mix))) * rounds
    return len(delta_items(directory))


def limits_of(args: argparse.Namespace) -> tuple[dict[str, int], dict[str, int], int | None]:
    """(the overrides, every per-minute limit, the concurrency limit), as the mock reads them."""
    try:
        overrides = parse_limits(args.limit)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    limits = limits_for(args.rate_limits, overrides)
    concurrency = limits.pop(CONCURRENCY, None)
    if args.concurrency_limit is not None:
        concurrency = args.concurrency_limit
    return overrides, limits, concurrency


def plan_for(args: argparse.Namespace, scenario: Scenario, items: int) -> dict[str, Any]:
    """`mock-okta plan` for the rehearsal's inputs; its adaptive strategy is the comparison."""
    _, limits, concurrency = limits_of(args)
    inputs = Inputs(
        users=items,
        calls=scenario.calls,
        delta_calls=scenario.calls,
        limits=limits,
        concurrency=concurrency,
        workers=max(1, args.clients),
        latency_ms=args.latency_ms,
        profile=args.rate_limits,
        tokens=1,  # Locust's users all send the rehearsal's one token
        token_share=args.token_share,
    )
    plan = make_plan(inputs)
    chosen = next(s for s in plan.strategies if s.key == PLAN_STRATEGY)
    return {
        "strategy": chosen.key,
        "label": chosen.label,
        "durationSeconds": chosen.duration_s,
        "latencyMs": args.latency_ms,
        "workers": chosen.workers,
        "series": [[t, u] for t, u in chosen.series],
        "curve": [[t, u] for t, u in chosen.users_over_time(CURVE_POINTS)],
        "strategies": [
            {"key": s.key, "label": s.label, "duration_s": s.duration_s, "rejected": s.rejected}
            for s in plan.strategies
        ],
    }


# ----- running


def server_args(args: argparse.Namespace, out: Path) -> list[str]:
    db = ":memory:" if args.server_workers <= 1 else str(out / "mock-okta.db")
    if db != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    cmd = ["--db", db, "--rate-limits", args.rate_limits, "--time-scale", f"{args.time_scale:g}"]
    cmd += ["--workers", str(args.server_workers)]
    for item in args.limit:
        cmd += ["--limit", item]
    if args.concurrency_limit is not None:
        cmd += ["--concurrency-limit", str(args.concurrency_limit)]
    return [*cmd, "--token-share", str(args.token_share)]


def locust_command(
    args: argparse.Namespace, scenario: Scenario, url: str, data: Path, base: Path, out: Path
) -> list[str]:
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), scenario.user_class]
    cmd += ["--headless", "-u", str(args.clients), "-r", str(args.clients), "--host", url]
    cmd += ["--token", TOKEN, "--dataset", str(data), "--only-summary", "--stop-timeout", "10"]
    cmd += ["--csv", str(out / "locust"), "--html", str(out / "locust.html")]
    cmd += ["--json-file", str(out / "locust")]  # locust.json: per-name first and last request
    cmd += ["--logfile", str(out / "locust.log"), "--loglevel", "INFO"]
    if args.processes > 1:
        cmd += ["--processes", str(args.processes)]
    if args.mix and args.dataset is not None:
        cmd += ["--mix", args.mix]
    if args.scenario == "import":
        cmd += ["--activate", "false" if args.staged else "true"]
    elif args.scenario in ("login", "oidc-login"):
        cmd += ["--seed-org", "--rounds", str(max(1, args.rounds))]
    else:
        cmd += ["--seed-org", "--base", str(base)]
    return cmd


@dataclass(slots=True)
class Progress:
    """Polls /_mock/stats while Locust runs; keeps (wall s, projected Okta s, done) samples."""

    client: ControlClient
    scenario: Scenario
    items: int
    plan_seconds: float
    scale: float
    started: float
    samples: list[list[float]]

    def poll(self) -> tuple[int, int, float]:
        stats = self.client.stats()
        counters: dict[str, int] = stats.get("counters", {})
        bucket = self.scenario.buckets[0]
        limited = counters.get(f"bucket.{bucket}.429", 0)
        done = counters.get(f"bucket.{bucket}", 0) - limited
        seen = stats.get("buckets", {}).get(bucket, {})
        now = time.time()
        # Okta time from the bucket's first to its latest request (else: since Locust started)
        observed = float(seen.get("observedSeconds", now - self.started))
        okta = observed * self.scale if done else 0.0
        if not self.samples:
            self.samples.append([0.0, 0.0, 0])
        self.samples.append([round(now - self.started, 3), round(okta, 3), done])
        return done, limited, okta

    def line(self) -> str:
        wall, okta, done = self.samples[-1]
        share = done / self.items if self.items else 1.0
        eta = f", about {_clock(wall / share - wall)} to go" if 0 < share < 1 else ""
        return (
            f"rehearse: {int(done):,}/{self.items:,} ({share:.1%}) | real Okta"
            f" {duration(okta)} of plan {duration(self.plan_seconds)} | wall {_clock(wall)}{eta}"
        )


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_locust(cmd: list[str], out: Path, progress: Progress, every: float, timeout: float) -> int:
    tty = sys.stderr.isatty()
    last_line = 0.0
    with (out / "locust.out").open("w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        try:
            while proc.poll() is None:
                try:
                    proc.wait(min(every, SAMPLE_SECONDS))
                except subprocess.TimeoutExpired:
                    pass
                try:
                    progress.poll()
                except (ControlError, OSError) as exc:
                    _say(f"rehearse: cannot read /_mock/stats ({exc})")
                if tty and time.monotonic() - last_line >= every:
                    last_line = time.monotonic()
                    print("\r" + progress.line(), end="", file=sys.stderr, flush=True)
                elif not tty and time.monotonic() - last_line >= max(every, LOG_SECONDS):
                    last_line = time.monotonic()
                    _say(progress.line())
                if time.monotonic() > deadline and proc.poll() is None:
                    _say(f"\nrehearse: --timeout {timeout:g} s reached; stopping Locust")
                    proc.send_signal(signal.SIGTERM)  # Locust still writes its reports
                    proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if tty:
        print(file=sys.stderr)
    return int(proc.returncode)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return rehearse(args)
    except (UsageError, DataError) as exc:
        parser.error(str(exc))
    except ServeError as exc:
        print(f"mock-okta rehearse: {exc}", file=sys.stderr)
        return 2


def rehearse(args: argparse.Namespace) -> int:
    if args.clients < 1 or args.processes < 1 or args.time_scale <= 0:
        raise UsageError("--clients and --processes must be at least 1, --time-scale above 0")
    if not 1 <= args.token_share <= 100:
        raise UsageError("--token-share must be from 1 to 100")
    if args.processes > args.clients:
        raise UsageError("--processes cannot exceed --clients (each process runs a user)")
    scenario = SCENARIOS[args.scenario]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    base, generated = prepare_dataset(args, out)
    data = prepare_delta(args, base, out) if args.scenario == "delta" else base
    mix = args.mix if args.dataset is not None else ""
    items = count_items(args.scenario, data, mix, max(1, args.rounds))
    plan = plan_for(args, scenario, items)
    overrides, _, _ = limits_of(args)
    timeout = args.timeout or max(120.0, plan["durationSeconds"] / args.time_scale * 2 + 120)
    _say(
        f"rehearse: {args.scenario}, {items:,} items; plan ({plan['label']}):"
        f" {duration(plan['durationSeconds'])} in real Okta,"
        f" about {duration(plan['durationSeconds'] / args.time_scale)} here at"
        f" {args.time_scale:g}x"
    )
    server = ServedMock(server_args(args, out), TOKEN, timeout=60).start()
    started = time.time()
    try:
        _say(f"rehearse: mock at {server.url}; Locust {scenario.user_class} x{args.clients}")
        client = ControlClient(server.url, TOKEN)
        if args.scenario == "import":
            show_plan(client, plan, items)
        progress = Progress(
            client, scenario, items, plan["durationSeconds"], args.time_scale, started, []
        )
        cmd = locust_command(args, scenario, server.url, data, base, out)
        code = run_locust(cmd, out, progress, args.progress_every, timeout)
        wall = time.time() - started
        stats = client.stats()
    finally:
        server.stop()
        (out / "mock-okta.log").write_text(server.log(), encoding="utf-8")
    summary = summarise(args, scenario, items, plan, stats, progress, overrides, wall, code)
    summary["dataset"] = {"path": str(data), "base": str(base), "generated": generated}
    for path in write_all(summary, out):
        _say(f"wrote {path}")
    for name in ("locust_stats.csv", "locust.html"):
        _say(f"wrote {out / name}")
    print((out / "summary.md").read_text(encoding="utf-8"))
    return 0 if summary["complete"] and code == 0 else 1


def show_plan(client: ControlClient, plan: Mapping[str, Any], items: int) -> None:
    """The plan's curve on the dashboard (/_mock/ui), beside the users created."""
    series = [list(p) for p in plan["series"]]
    if len(series) < 2 or series[0][0] > 0:
        series.insert(0, [0, 0])
    label = f"mock-okta plan, {plan['label']}"[:200]
    try:
        client.plan(users=max(1, items), series=series, label=label)
    except ControlError as exc:
        _say(f"rehearse: the dashboard shows no plan ({exc})")


def summarise(
    args: argparse.Namespace,
    scenario: Scenario,
    items: int,
    plan: dict[str, Any],
    stats: dict[str, Any],
    progress: Progress,
    overrides: Mapping[str, int],
    wall: float,
    code: int,
) -> dict[str, Any]:
    rows = read_stats(args.out / "locust_stats.csv", args.out / "locust.json")
    buckets: dict[str, Any] = stats.get("buckets", {})
    measured = {b: buckets[b] for b in scenario.buckets if b in buckets}
    samples = progress.samples
    run_seconds = samples[-1][0] if samples else wall
    counted = scenario.buckets[0]
    counters = stats.get("counters", {})
    done = counters.get(f"bucket.{counted}", 0) - counters.get(f"bucket.{counted}.429", 0)
    if measured:
        bucket = max(measured, key=lambda b: float(measured[b]["projectedOktaSeconds"]))
        projected = float(measured[bucket]["projectedOktaSeconds"])
        source = f"/_mock/stats, bucket {bucket}"
    else:
        projected = None
        source = f"no per-minute limit on {', '.join(scenario.buckets)}: nothing to project"
    samples.append([round(wall, 3), round(projected or 0.0, 3), done])
    notes = [
        scenario.note,
        "The mock projects each rate-limit window used as a full window and the last one by its"
        " share of the limit; the plan lets the last window's requests finish at"
        f" --latency-ms {args.latency_ms:g}. They differ by at most one window (60 s), which"
        " matters only when the last window is nearly full and the run is short.",
        "429s are answered by waiting until X-Rate-Limit-Reset (every user of a Locust process"
        " pauses); Locust lists them as '<name> [429]', not as failures.",
    ]
    return {
        "schema": SCHEMA,
        "scenario": args.scenario,
        "userClass": scenario.user_class,
        "items": items,
        "done": done,
        "complete": done >= items and code == 0,
        "wallSeconds": round(wall, 3),
        "runSeconds": round(run_seconds, 3),
        "mock": {
            "rateLimits": args.rate_limits,
            "limits": dict(overrides),
            "timeScale": args.time_scale,
            "workers": args.server_workers,
            "tokenShare": args.token_share,
        },
        "locust": {
            "clients": args.clients,
            "processes": args.processes,
            "exitCode": code,
            "csv": str(args.out / "locust_stats.csv"),
            "html": str(args.out / "locust.html"),
        },
        "projection": {"oktaSeconds": projected, "source": source, "buckets": buckets},
        "plan": plan,
        "differencePercent": (
            None if projected is None else difference(projected, plan["durationSeconds"])
        ),
        "requests": request_totals(rows),
        "rows": [
            {
                "method": r.method,
                "name": r.name,
                "requests": r.requests,
                "failures": r.failures,
                "median_ms": r.median_ms,
                "p99_ms": r.p99_ms,
                "per_second": r.per_second,
                "active_per_second": r.active_per_second,
            }
            for r in rows
        ],
        "progress": samples,
        "notes": notes,
        "counters": stats.get("counters", {}),
        "usersInOrg": stats.get("users"),
    }


if __name__ == "__main__":
    raise SystemExit(main())
