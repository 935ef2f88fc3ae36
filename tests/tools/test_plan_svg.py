"""plan.html's inline SVG says what plan.png says (issue 16, item 12): each strategy's phases on
one time axis, the outage in red and only where there is one, and the cost on a log scale. Both
charts are drawn from one layout; the PNG's bars are compared with the SVG's here."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from mock_okta.tools import plan

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def written() -> tuple[str, dict[str, Any]]:
    """plan.html and plan.json as `mock-okta plan --out` writes them (without the slower PNG)."""
    args = ["--users", "250000", "--groups", "200", "--memberships", "40000"]
    made = plan.make_plan(plan.inputs_from(plan._parser().parse_args(args)))
    return plan.render_html(made), json.loads(json.dumps(plan.to_json(made)))


def _svg(page: str) -> ET.Element:
    match = re.search(r"<svg.*?</svg>", page, re.S)
    assert match, "plan.html has an inline SVG"
    return ET.fromstring(match.group(0))


def _rects(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if r.get("class") == kind]


def _rgb(color: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-f]{6}", color), color
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _red(color: str) -> bool:
    r, g, b = _rgb(color)
    return r - max(g, b) >= 60


def test_one_rect_per_phase_widths_proportional_to_durations_on_one_axis(
    written: tuple[str, dict[str, Any]],
) -> None:
    page, data = written
    svg = _svg(page)
    phases = _rects(svg, "phase")
    assert len(phases) == sum(len(s["phases"]) for s in data["strategies"])
    total_w = sum(float(r.get("width", 0)) for r in phases)
    total_s = sum(p["seconds"] for s in data["strategies"] for p in s["phases"])
    px_per_s = total_w / total_s
    origins = set()
    for s in data["strategies"]:
        rects = [r for r in phases if r.get("data-strategy") == s["key"]]
        assert len(rects) == len(s["phases"]), s["key"]
        x = float(rects[0].get("x", 0))
        origins.add(round(x, 1))
        for rect, phase in zip(rects, s["phases"], strict=True):
            assert float(rect.get("x", 0)) == pytest.approx(x, abs=0.02), (s["key"], phase)
            width = float(rect.get("width", 0))
            assert width == pytest.approx(phase["seconds"] * px_per_s, abs=0.02), phase
            x += width
    assert len(origins) == 1, "every strategy starts at the same time axis origin"
    longest = max(s["duration_s"] for s in data["strategies"])
    short = min(s["duration_s"] for s in data["strategies"])
    assert longest > 2 * short, "the strategies' lengths differ: no shared diagonal"


def test_outage_phases_are_red_and_only_in_strategies_with_an_outage(
    written: tuple[str, dict[str, Any]],
) -> None:
    page, data = written
    phases = _rects(_svg(page), "phase")
    px_per_s = sum(float(r.get("width", 0)) for r in phases) / sum(
        p["seconds"] for s in data["strategies"] for p in s["phases"]
    )
    with_outage = {s["key"] for s in data["strategies"] if s["outage_s"] > 0}
    assert {"premigrate-delta", "sequential"} <= with_outage
    assert {"import-hook", "premigrate-hook"}.isdisjoint(with_outage)
    for s in data["strategies"]:
        rects = [r for r in phases if r.get("data-strategy") == s["key"]]
        red = [r for r in rects if _red(r.get("fill", ""))]
        red_w = sum(float(r.get("width", 0)) for r in red)
        assert red_w == pytest.approx(s["outage_s"] * px_per_s, abs=0.05), s["key"]
        assert bool(red) == (s["key"] in with_outage), s["key"]
        for rect, phase in zip(rects, s["phases"], strict=True):
            assert _red(rect.get("fill", "")) == phase["outage"], (s["key"], phase["name"])


def test_cost_bars_are_on_a_log_scale(written: tuple[str, dict[str, Any]]) -> None:
    page, data = written
    svg = _svg(page)
    for kind, value in (
        ("requests", lambda s: s["requests"] + s["hook_calls"]),
        ("rejected", lambda s: max(s["rejected"], 0.8)),
    ):
        bars = {r.get("data-strategy"): float(r.get("width", 0)) for r in _rects(svg, kind)}
        assert set(bars) == {s["key"] for s in data["strategies"]}
        # width = a * log10(value) + b for one a and b: fit two, check the rest
        points = sorted((math.log10(value(s)), bars[s["key"]]) for s in data["strategies"])
        (x1, y1), (x2, y2) = points[0], points[-1]
        slope = (y2 - y1) / (x2 - x1)
        assert slope > 0
        for x, y in points:
            assert y == pytest.approx(y1 + slope * (x - x1), abs=0.05), kind
    naive = next(s for s in data["strategies"] if s["key"] == "parallel-naive")
    assert f"{naive['rejected']:,}" in page


def test_the_page_fetches_nothing(written: tuple[str, dict[str, Any]]) -> None:
    page, _ = written
    assert "<script" not in page
    assert not re.search(r"\b(href|src)=|url\(|@import", page)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]


def test_the_png_and_the_svg_draw_the_same_bars() -> None:
    made = plan.make_plan(plan.inputs_from(plan._parser().parse_args(["--users", "20000"])))
    figure = plan.chart(made)
    timeline = figure.axes[0]
    drawn = [(p.get_x(), p.get_width()) for p in timeline.patches if p.get_width() > 0]
    svg = _svg(plan.render_svg(made))
    rects = _rects(svg, "phase")
    assert len(drawn) == len(rects) == sum(len(s.phases) for s in made.strategies)
    scale = float(rects[0].get("width", 0)) / drawn[0][1]
    origin = float(rects[0].get("x", 0))
    for (x, width), rect in zip(drawn, rects, strict=True):
        assert float(rect.get("x", 0)) == pytest.approx(origin + x * scale, abs=0.02)
        assert float(rect.get("width", 0)) == pytest.approx(width * scale, abs=0.02)
