"""A rehearsal's summary: Locust's CSV read back, the mock's projection beside the plan's figure.

Writes summary.json, summary.md and (with matplotlib) summary.png. No Locust import here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from mock_okta.tools.plan import duration

SCHEMA: Final = "mock-okta.rehearsal/1"
RATE_LIMITED_TAG: Final = " [429]"


@dataclass(frozen=True, slots=True)
class Row:
    method: str
    name: str
    requests: int
    failures: int
    median_ms: float
    p99_ms: float
    per_second: float  # Locust's: over the whole run
    active_per_second: float | None = None  # between this name's first and last request

    @property
    def rate_limited(self) -> bool:
        return self.name.endswith(RATE_LIMITED_TAG)

    @property
    def expected(self) -> bool:
        return self.name.endswith(" expected]")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def active_rates(path: Path) -> dict[tuple[str, str], float]:
    """Requests a second of each name while it was in use, from Locust's `--json-file`."""
    if not path.exists():
        return {}
    rates = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        span = (entry.get("last_request_timestamp") or 0) - (entry.get("start_time") or 0)
        if span > 0:
            rates[(entry["method"], entry["name"])] = round(entry["num_requests"] / span, 1)
    return rates


def read_stats(path: Path, json_path: Path | None = None) -> list[Row]:
    """Rows of Locust's `<prefix>_stats.csv` (no Aggregated line), with active rates if known."""
    if not path.exists():
        return []
    rates = active_rates(json_path) if json_path is not None else {}
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            Row(
                r["Type"],
                r["Name"],
                int(r["Request Count"]),
                int(r["Failure Count"]),
                _number(r["Median Response Time"]),
                _number(r["99%"]),
                _number(r["Requests/s"]),
                rates.get((r["Type"], r["Name"])),
            )
            for r in csv.DictReader(fh)
            if r["Name"] != "Aggregated"
        ]


def request_totals(rows: Sequence[Row]) -> dict[str, int]:
    return {
        "total": sum(r.requests for r in rows),
        "rateLimited": sum(r.requests for r in rows if r.rate_limited),
        "expectedErrors": sum(r.requests for r in rows if r.expected),
        "failures": sum(r.failures for r in rows),
    }


def difference(projected: float, planned: float) -> float | None:
    return round((projected - planned) / planned * 100, 2) if planned else None


WINDOW_SECONDS = 60.0  # one rate-limit window, in Okta seconds


def versus_plan(s: dict[str, Any]) -> str:
    """The projection against the plan, with the reason whenever the gap is the last window."""
    diff = s["differencePercent"]
    projected = s["projection"]["oktaSeconds"]
    if diff is None or projected is None:
        return "n/a"
    gap = projected - s["plan"]["durationSeconds"]
    text = f"{diff:+.2f}% ({gap:+,.1f} s)"
    if 1.0 < abs(gap) <= WINDOW_SECONDS:
        text += (
            ": within one 60 s rate-limit window — the mock counts the last window it used in"
            " full, the plan only until its last request; in a short run that window is a large"
            " share"
        )
    return text


def plan_429s(s: dict[str, Any]) -> str:
    """The 429s the run met beside what the plan's strategies expect."""
    met = s["requests"]["rateLimited"]
    rows = {st["key"]: st for st in s["plan"]["strategies"]}
    chosen = rows.get(s["plan"].get("strategy", ""), {})
    text = f"{met:,} met; the plan's row above expects {chosen.get('rejected', 0):,}"
    waiting = rows.get("parallel")
    if met and waiting is not None and not chosen.get("rejected"):
        text += (
            f"; its '{waiting['label']}' row, {waiting['rejected']:,} in"
            f" {duration(waiting['duration_s'])} (Locust users pause at a 429 until its reset)"
        )
    return text


def _projected(projection: dict[str, Any]) -> str:
    seconds = projection["oktaSeconds"]
    if seconds is None:
        return f"n/a ({projection['source']})"
    return f"**{duration(seconds)}** ({seconds:,.1f} s; {projection['source']})"


def render_markdown(s: dict[str, Any]) -> str:
    plan = s["plan"]
    projection = s["projection"]
    totals = s["requests"]
    lines = [
        f"# Rehearsal: {s['scenario']} of {s['items']:,} items ({s['userClass']})",
        "",
        "| | |",
        "|---|---|",
        f"| result | {'complete' if s['complete'] else 'INCOMPLETE'}:"
        f" {s['done']:,} of {s['items']:,} items done; Locust exit code {s['locust']['exitCode']}"
        " |",
        f"| mock | rate limits {s['mock']['rateLimits']}"
        + "".join(f", {k}={v}" for k, v in s["mock"]["limits"].items())
        + f", {s['mock'].get('tokenShare', 100)} % per token"
        + f"; time scale {s['mock']['timeScale']:g}x; {s['mock']['workers']} server worker(s) |",
        f"| load | {s['locust']['clients']} Locust users in {s['locust']['processes']}"
        " process(es) |",
        f"| wall time | {duration(s['wallSeconds'])} (Locust run {duration(s['runSeconds'])}) |",
        f"| projected real-Okta duration | {_projected(projection)} |",
        f"| plan: {plan['label']} | **{duration(plan['durationSeconds'])}**"
        f" ({plan['durationSeconds']:,.1f} s; mock-okta plan, same inputs) |",
        f"| projection vs plan | {versus_plan(s)} |",
        f"| 429s | {plan_429s(s)} |",
        f"| requests | {totals['total']:,}: {totals['rateLimited']:,} answered 429 (waited"
        f" for X-Rate-Limit-Reset, not failures), {totals['expectedErrors']:,} expected errors,"
        f" {totals['failures']:,} failures |",
        "",
        "| type | name | requests | failures | median ms | p99 ms | req/s | req/s while active |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in s["rows"]:
        active = r.get("active_per_second")
        lines.append(
            f"| {r['method']} | {r['name']} | {r['requests']:,} | {r['failures']:,} |"
            f" {r['median_ms']:g} | {r['p99_ms']:g} | {r['per_second']:.1f} |"
            f" {'' if active is None else f'{active:.1f}'} |"
        )
    lines += ["", "Plan, every strategy for the same inputs:", ""]
    lines += ["| strategy | duration | 429s |", "|---|---:|---:|"]
    for st in plan["strategies"]:
        lines.append(f"| {st['label']} | {duration(st['duration_s'])} | {st['rejected']:,} |")
    lines += ["", *(f"- {n}" for n in s["notes"])]
    return "\n".join(lines) + "\n"


def chart(s: dict[str, Any]) -> Any:  # a matplotlib Figure, or None
    """Items done over projected Okta time: the rehearsal beside the plan's curve, which the
    model computed at every completion (`plan.curve`). None without matplotlib or projection."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import StrMethodFormatter
    except ImportError:  # pragma: no cover - matplotlib comes with the `load` extra
        return None
    plan = s["plan"]
    if s["projection"]["oktaSeconds"] is None:
        return None  # nothing projected: no chart
    longest = max(s["projection"]["oktaSeconds"], plan["durationSeconds"], 1.0)
    unit, scale = ("hours", 3600.0) if longest >= 7200 else ("minutes", 60.0)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    curve = [tuple(p) for p in plan.get("curve") or plan.get("series") or []]
    if curve and curve[-1][0] < longest:
        curve.append((longest, curve[-1][1]))  # done: flat to the chart's end
    ax.plot(
        [t / scale for t, _ in curve],
        [u for _, u in curve],
        linestyle="--",
        color="#1f77b4",
        label=f"plan: {plan['label']}",
    )
    progress = s.get("progress") or []
    ax.plot(
        [p[1] / scale for p in progress],
        [p[2] for p in progress],
        color="#d62728",
        label=f"rehearsal at {s['mock']['timeScale']:g}x (projected)",
    )
    ax.set_xlabel(f"real-Okta {unit}")
    ax.set_ylabel("items done")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_title(f"{s['scenario']}: {s['items']:,} items")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def write_chart(s: dict[str, Any], path: Path) -> bool:
    """summary.png; False without matplotlib or without a projection."""
    fig = chart(s)
    if fig is None:
        return False
    fig.savefig(path, dpi=100)
    return True


def write_all(s: dict[str, Any], out: Path) -> list[Path]:
    paths = [out / "summary.json", out / "summary.md"]
    paths[0].write_text(json.dumps(s, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(render_markdown(s), encoding="utf-8")
    if write_chart(s, out / "summary.png"):
        paths.append(out / "summary.png")
    return paths
