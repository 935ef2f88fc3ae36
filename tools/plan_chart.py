"""The plan's chart, laid out once and drawn twice: plan.png (matplotlib) and plan.html's inline
SVG. Each strategy's phases on one time axis, the outage in red, and its cost in requests and
429s on a log scale. `layout` decides what goes where in data units; the renderers only scale.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mock_okta.tools.plan import UsageError, duration, per_user

if TYPE_CHECKING:
    from mock_okta.tools.plan import Plan

# phase fills by outage, alternating between neighbours so phases stay apart
FILLS: Final = {True: ("#d62728", "#f4a6a6"), False: ("#1f77b4", "#9ecae1")}
REQUESTS_COLOR: Final = "#7f7f7f"
REJECTED_COLOR: Final = "#d62728"
LABEL_SHARE: Final = 0.09  # a phase wider than this share of the longest run names itself
ROOM: Final = 1.42  # the time axis runs past the longest strategy, for its totals
COST_MIN: Final = 0.7  # the log axis starts here so that a bar of 0 429s still shows
COST_FLOOR: Final = 0.8  # a bar's least length on the log axis (0 429s)
CHAR_W: Final = 6.1  # about the width of a character at the SVG's 11 px sans-serif
LEGEND: Final = (
    (FILLS[False][0], "Okta fills while the legacy system serves logins"),
    (FILLS[True][0], "outage: go-live, or an import while logins wait"),
)


@dataclass(frozen=True, slots=True)
class Bar:
    """One phase of one strategy, in the axis unit."""

    name: str
    start: float
    width: float
    seconds: float
    outage: bool
    color: str
    label: str  # written inside the bar; "" when it is too narrow
    text_color: str


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    bars: tuple[Bar, ...]
    end: float  # where the last bar ends
    total: str  # duration and outage, after the bars
    destroys: str  # "destroys: …" in red below the total; "": nothing
    requests: int  # hook calls included
    requests_text: str
    rejected: int


@dataclass(frozen=True, slots=True)
class Layout:
    title: str
    unit: str  # "h" or "min"
    seconds_per_unit: int
    longest: float  # the longest strategy, in the unit
    rows: tuple[Row, ...]

    @property
    def time_max(self) -> float:
        return max(self.longest, 1e-9) * ROOM

    @property
    def cost_max(self) -> float:
        return max(max((r.requests for r in self.rows), default=1), 1) * 2000

    @property
    def time_label(self) -> str:
        return f"elapsed ({self.unit}); red: customers cannot sign in"


def layout(plan: Plan) -> Layout:
    """Where each strategy's phases, totals and costs go; both charts draw this."""
    scale = _unit_seconds(plan)
    longest = max(s.duration_s for s in plan.strategies) / scale
    rows = []
    for s in plan.strategies:
        bars, start = [], 0.0
        for n, phase in enumerate(s.phases):
            width = phase.seconds / scale
            wide = width > longest * LABEL_SHARE
            bars.append(
                Bar(
                    phase.name,
                    start,
                    width,
                    phase.seconds,
                    phase.outage,
                    FILLS[phase.outage][n % 2],
                    f"{phase.name}\n{duration(phase.seconds)}" if wide else "",
                    "white" if n % 2 == 0 else "black",
                )
            )
            start += width
        outage = duration(s.outage_s) if s.outage_s else "none"
        hook = f" (+{s.hook_calls:,} hook)" if s.hook_calls else ""
        rows.append(
            Row(
                s.key,
                s.label,
                tuple(bars),
                start,
                f"{duration(s.duration_s)}  (outage {outage})",
                f"destroys: {s.destroys}" if s.destroys else "",
                s.requests + s.hook_calls,
                f"{s.requests:,}{hook}",
                s.rejected,
            )
        )
    unit = "h" if scale == 3600 else "min"
    return Layout(_title(plan), unit, scale, longest, tuple(rows))


def cost_text(value: float) -> str:
    return f"{value:,.0f}" if value < 1e6 else f"{value / 1e6:g}M"


def _unit_seconds(plan: Plan) -> int:
    return 3600 if max(s.duration_s for s in plan.strategies) >= 7200 else 60


def _title(plan: Plan) -> str:
    i = plan.inputs
    return (
        f"{i.users:,} users × {per_user(len(i.calls))}, {i.workers} workers,"
        f" {i.latency_ms:g} ms a request"
    )


def time_ticks(top: float, count: int = 8) -> list[float]:
    """Round steps from 0 to `top`."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [k * step for k in range(math.floor(top / step) + 1)]


# ----- plan.png


def figure(lay: Layout) -> Any:  # a matplotlib Figure (imported late: the `load` extra)
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter
    except ImportError:  # pragma: no cover - matplotlib comes with the `load` extra
        raise UsageError("the PNG needs matplotlib: pip install 'mock-okta[load]'") from None
    rows = len(lay.rows)
    fig = Figure(figsize=(12, 1.6 + 0.95 * rows), layout="constrained")
    timeline, cost = fig.subplots(
        1, 2, width_ratios=(3, 1.25), sharey=True, gridspec_kw={"wspace": 0.02}
    )
    gap = lay.longest * 0.01
    for y, row in enumerate(lay.rows):
        for bar in row.bars:
            timeline.barh(y, bar.width, left=bar.start, height=0.62, color=bar.color,
                          edgecolor="white")  # fmt: skip
            if bar.label:
                timeline.text(bar.start + bar.width / 2, y, bar.label, ha="center",
                              va="center", fontsize=7.5, color=bar.text_color)  # fmt: skip
        timeline.text(row.end + gap, y, row.total, va="bottom" if row.destroys else "center",
                      fontsize=8.5, fontweight="bold")  # fmt: skip
        if row.destroys:  # what the strategy loses of a user's identity (#13)
            timeline.text(row.end + gap, y + 0.08, row.destroys, va="top", fontsize=7.5,
                          color=REJECTED_COLOR)  # fmt: skip
    timeline.set_yticks(range(rows), [r.label for r in lay.rows], fontsize=8.5)
    timeline.invert_yaxis()
    timeline.set_xlim(0, lay.time_max)
    timeline.set_xlabel(lay.time_label)
    timeline.grid(axis="x", alpha=0.3)
    timeline.set_title(lay.title, fontsize=10, loc="left")
    timeline.legend(handles=[Patch(color=c, label=t) for c, t in LEGEND], loc="lower right",
                    fontsize=7.5, framealpha=0.9)  # fmt: skip
    ys = range(rows)
    requests = [r.requests for r in lay.rows]
    rejected = [max(r.rejected, COST_FLOOR) for r in lay.rows]
    cost.barh([y - 0.17 for y in ys], requests, height=0.32, color=REQUESTS_COLOR,
              label="requests")  # fmt: skip
    cost.barh([y + 0.17 for y in ys], rejected, height=0.32, color=REJECTED_COLOR,
              label="429s")  # fmt: skip
    for y, row in zip(ys, lay.rows, strict=True):
        cost.text(row.requests * 1.15, y - 0.17, row.requests_text, va="center", fontsize=7.5)
        cost.text(max(row.rejected, COST_FLOOR) * 1.15, y + 0.17, f"{row.rejected:,}",
                  va="center", fontsize=7.5, color=REJECTED_COLOR)  # fmt: skip
    cost.set_xscale("log")
    cost.set_xlim(COST_MIN, lay.cost_max)
    cost.xaxis.set_major_formatter(FuncFormatter(lambda v, _: cost_text(v)))
    cost.set_xlabel("cost: requests and 429s (log scale)")
    cost.legend(loc="lower right", fontsize=7.5)
    cost.grid(axis="x", alpha=0.3)
    cost.tick_params(axis="y", left=False)
    return fig


# ----- plan.html


def svg(lay: Layout) -> str:
    """The same chart as inline SVG: nothing fetched, every phase a <rect class="phase">."""
    labels_w = round(max(200, CHAR_W * max((len(r.label) for r in lay.rows), default=0) + 16))
    time_w, cost_w, gap, right = 560, 230, 16, 96
    row_h, top, bottom = 52, 34, 74
    width = labels_w + time_w + gap + cost_w + right
    height = top + row_h * len(lay.rows) + bottom
    x0, c0 = labels_w, labels_w + time_w + gap
    plot_bottom = top + row_h * len(lay.rows)
    log_min, log_max = math.log10(COST_MIN), math.log10(lay.cost_max)

    def tx(value: float) -> float:
        return x0 + time_w * value / lay.time_max

    def cx(value: float) -> float:
        return c0 + cost_w * (math.log10(value) - log_min) / (log_max - log_min)

    e = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" style="max-width:100%;height:auto"'
        ' font-family="sans-serif" font-size="11" role="img">',
        f"<title>{e(lay.title)}</title>",
        f'<text x="{x0}" y="{top - 10}" font-size="13">{e(lay.title)}</text>',
    ]
    for tick in time_ticks(lay.time_max):
        out.append(
            f'<line x1="{tx(tick):.1f}" y1="{top}" x2="{tx(tick):.1f}" y2="{plot_bottom}"'
            f' stroke="#e5e5e5"/><text x="{tx(tick):.1f}" y="{plot_bottom + 15}"'
            f' text-anchor="middle">{tick:g}</text>'
        )
    decade = 0
    while 10**decade <= lay.cost_max:
        at = cx(10**decade)
        out.append(
            f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{plot_bottom}" stroke="#e5e5e5"/>'
            + (
                f'<text x="{at:.1f}" y="{plot_bottom + 15}" text-anchor="middle">'
                f"{cost_text(10**decade)}</text>"
                if decade % 2 == 0
                else ""
            )
        )
        decade += 1
    for n, row in enumerate(lay.rows):
        mid = top + row_h * n + row_h / 2
        out.append(f'<text x="{x0 - 8}" y="{mid + 4:.1f}" text-anchor="end">{e(row.label)}</text>')
        bar_h = row_h * 0.62
        for bar in row.bars:
            out.append(
                f'<rect class="phase" data-strategy="{e(row.key)}"'
                f' data-outage="{str(bar.outage).lower()}" data-seconds="{bar.seconds:g}"'
                f' x="{tx(bar.start):.2f}" y="{mid - bar_h / 2:.1f}"'
                f' width="{tx(bar.start + bar.width) - tx(bar.start):.2f}" height="{bar_h:.1f}"'
                f' fill="{bar.color}" stroke="white"><title>{e(bar.name)}:'
                f" {e(duration(bar.seconds))}</title></rect>"
            )
            lines = bar.label.split("\n") if bar.label else []
            for k, line in enumerate(lines):
                out.append(
                    f'<text x="{tx(bar.start + bar.width / 2):.1f}"'
                    f' y="{mid + 12 * k - 6 * (len(lines) - 1) + 4:.1f}" text-anchor="middle"'
                    f' font-size="10" fill="{bar.text_color}">{e(line)}</text>'
                )
        after = tx(row.end) + 6
        rise = 6 if row.destroys else 0
        out.append(
            f'<text x="{after:.1f}" y="{mid + 4 - rise:.1f}" font-weight="bold">'
            f"{e(row.total)}</text>"
        )
        if row.destroys:
            out.append(
                f'<text x="{after:.1f}" y="{mid + 12:.1f}" font-size="10"'
                f' fill="{REJECTED_COLOR}">{e(row.destroys)}</text>'
            )
        for kind, value, text, shift, color, ink in (
            ("requests", row.requests, row.requests_text, -1, REQUESTS_COLOR, "black"),
            ("rejected", max(row.rejected, COST_FLOOR), f"{row.rejected:,}", 1, REJECTED_COLOR,
             REJECTED_COLOR),
        ):  # fmt: skip
            y = mid + shift * row_h * 0.17 - row_h * 0.16
            end = cx(value)
            out.append(
                f'<rect class="{kind}" data-strategy="{e(row.key)}" data-value="{value:g}"'
                f' x="{c0}" y="{y:.1f}" width="{end - c0:.2f}" height="{row_h * 0.32:.1f}"'
                f' fill="{color}"/><text x="{end + 4:.1f}" y="{y + row_h * 0.16 + 4:.1f}"'
                f' font-size="10" fill="{ink}">{e(text)}</text>'
            )
    out += [
        f'<rect x="{x0}" y="{top}" width="{time_w}" height="{plot_bottom - top}" fill="none"'
        ' stroke="#999"/>',
        f'<rect x="{c0}" y="{top}" width="{cost_w}" height="{plot_bottom - top}" fill="none"'
        ' stroke="#999"/>',
        f'<text x="{x0 + time_w / 2}" y="{plot_bottom + 34}" text-anchor="middle">'
        f"{e(lay.time_label)}</text>",
        f'<text x="{c0 + cost_w / 2}" y="{plot_bottom + 34}" text-anchor="middle">'
        "cost: requests and 429s (log scale)</text>",
    ]
    legend = [*LEGEND, (REQUESTS_COLOR, "requests"), (REJECTED_COLOR, "429s")]
    lx: float = x0
    for color, text in legend:
        out.append(
            f'<rect x="{lx}" y="{plot_bottom + 48}" width="14" height="10" fill="{color}"/>'
            f'<text x="{lx + 19}" y="{plot_bottom + 57}">{e(text)}</text>'
        )
        lx += 19 + CHAR_W * len(text) + 18
    out.append("</svg>")
    return "\n".join(out)
