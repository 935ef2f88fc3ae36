"""plan.png shows what differs between strategies (issue 16, item 12): each strategy's phases on
one time axis, the outage among them, and its cost in requests and 429s. The chart draws
`Strategy.phases`; these tests hold the phases to the plan's own numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_okta.tools import plan


@pytest.fixture(scope="module")
def strategies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("plan")
    args = ["--users", "250000", "--groups", "200", "--memberships", "40000", "--out", str(out)]
    assert plan.main(args) == 0
    data = json.loads((out / "plan.json").read_text())
    png = (out / "plan.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    return {s["key"]: s for s in data["strategies"]}


def test_every_strategy_phases_add_up_to_its_duration_and_outage(
    strategies: dict[str, dict[str, Any]],
) -> None:
    for key, s in strategies.items():
        phases = s["phases"]
        assert phases, key
        assert sum(p["seconds"] for p in phases) == pytest.approx(s["duration_s"], rel=1e-9), key
        outage = sum(p["seconds"] for p in phases if p["outage"])
        assert outage == pytest.approx(s["outage_s"], rel=1e-9), key


def test_premigration_strategies_show_their_go_live_phases(
    strategies: dict[str, dict[str, Any]],
) -> None:
    staged = strategies["premigrate-staged"]["phases"]
    assert [p["name"] for p in staged] == [
        "premigrate (STAGED)",
        "go-live: 5% updates",
        "go-live: activate all",
    ]
    assert [p["outage"] for p in staged] == [False, True, True]
    activation = staged[2]["seconds"]
    assert activation > 10 * staged[1]["seconds"], "activating every user dominates go-live"
    delta = strategies["premigrate-delta"]["phases"]
    assert [p["outage"] for p in delta] == [False, True]
    assert delta[0]["seconds"] == strategies["premigrate-delta"]["premigration_s"]
    assert [p["outage"] for p in strategies["import-hook"]["phases"]] == [False]
    assert [p["outage"] for p in strategies["sequential"]["phases"]] == [True]
    assert [p["name"] for p in strategies["groups-after"]["phases"]] == [
        "groups",
        "import",
        "memberships",
    ]


def test_the_cost_differs_where_the_curves_did_not(
    strategies: dict[str, dict[str, Any]],
) -> None:
    """The four import strategies take the same 13.9 h; what tells them apart is the cost."""
    keys = ("sequential", "parallel", "parallel-naive", "adaptive")
    durations = {round(strategies[k]["duration_s"] / 3600, 1) for k in keys}
    assert durations == {13.9}
    assert strategies["parallel-naive"]["rejected"] > 4_000_000
    assert strategies["adaptive"]["rejected"] == 0


def test_the_chart_names_what_a_strategy_destroys() -> None:
    # The default delta deletes and re-creates changed users (#13): the chart says what is lost.
    args = plan._parser().parse_args(["--users", "1000", "--changed", "10%"])
    made = plan.make_plan(plan.inputs_from(args))
    figure = plan.chart(made)
    texts = [t.get_text() for axes in figure.axes for t in axes.texts]
    destroyed = [t for t in texts if t.startswith("destroys: ")]
    losing = [s for s in made.strategies if s.destroys]
    assert [s.key for s in losing] == ["premigrate-delta"]
    assert destroyed == [f"destroys: {losing[0].destroys}"]
