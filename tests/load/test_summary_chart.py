"""summary.png's plan line (issue 16, item 15): the plan's users over time drawn densely from the
model's every completion, not its coarse samples, on the axes of the rehearsal's progress."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from mock_okta.load import rehearse, summary

pytest.importorskip("matplotlib")

USERS = 3000
# Okta's workforce /api/v1/users bucket: 600 a minute; one token may use 50 % of it (README):
PER_WINDOW = 300
WINDOW_S = 60.0
WORKERS = 10  # rehearse's --clients default
LATENCY_S = 0.1  # rehearse's --latency-ms default


def expected_users(t: float) -> int:
    """Paced by X-Rate-Limit-Remaining: each minute's window opens at its first request, the
    10 workers finish 10 users every 100 ms until the window's 300 are used, then wait."""
    if t < 0:
        return 0
    window, into = divmod(t, WINDOW_S)
    rounds = math.floor(into / LATENCY_S + 1e-9)
    return min(USERS, int(window) * PER_WINDOW + min(PER_WINDOW, WORKERS * rounds))


@pytest.fixture(scope="module")
def plan_line() -> tuple[list[float], list[float], dict[str, Any]]:
    args = rehearse._parser().parse_args(["--users", str(USERS)])
    plan = rehearse.plan_for(args, rehearse.SCENARIOS["import"], USERS)
    s = {
        "plan": plan,
        "projection": {"oktaSeconds": 600.0},  # a run slower than the plan: the line goes on
        "progress": [[0.0, 0.0, 0], [5.0, 300.0, 1500], [10.0, 600.0, USERS]],
        "mock": {"timeScale": 60.0},
        "scenario": "import",
        "items": USERS,
    }
    fig = summary.chart(s)
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("plan: ")]
    minutes = [float(x) for x in line.get_xdata()]
    return [x * 60 for x in minutes], [float(y) for y in line.get_ydata()], plan


def test_the_plan_line_is_dense_and_reaches_the_end_of_the_chart(
    plan_line: tuple[list[float], list[float], dict[str, Any]],
) -> None:
    xs, ys, plan = plan_line
    assert plan["durationSeconds"] == pytest.approx(9 * WINDOW_S + 30 * LATENCY_S)
    assert len(xs) > 1000
    planned = [x for x in xs if x <= plan["durationSeconds"]]
    gaps = [b - a for a, b in itertools.pairwise(planned)]
    assert min(gaps) >= 0
    assert max(gaps) <= plan["durationSeconds"] / 1000
    assert xs[-1] == pytest.approx(600.0)  # flat at USERS to the projection's end
    assert ys[-1] == USERS


def test_every_point_of_the_plan_line_is_on_the_documented_staircase(
    plan_line: tuple[list[float], list[float], dict[str, Any]],
) -> None:
    xs, ys, _ = plan_line
    for t, users in zip(xs, ys, strict=True):
        # a millisecond either side: the chart's x is in minutes, a float
        assert expected_users(t - 0.001) <= users <= expected_users(t + 0.001), t


def test_between_bursts_the_line_is_flat_not_a_diagonal(
    plan_line: tuple[list[float], list[float], dict[str, Any]],
) -> None:
    xs, ys, _ = plan_line
    for window in range(USERS // PER_WINDOW):
        for into in (10.0, 30.0, 55.0):  # after the 3 s burst, before the next window
            t = window * WINDOW_S + into
            k = next(i for i, x in enumerate(xs) if x > t)
            share = (t - xs[k - 1]) / (xs[k] - xs[k - 1])
            drawn = ys[k - 1] + share * (ys[k] - ys[k - 1])
            assert drawn == pytest.approx((window + 1) * PER_WINDOW, abs=0.5), t
