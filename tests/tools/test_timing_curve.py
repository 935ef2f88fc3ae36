"""The timing model's curve: users migrated at any time, exact even where `simulate` skipped
repeated periods (issue 16, item 15: charts draw it instead of the coarse series)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from mock_okta.tools import timing_model
from mock_okta.tools.timing_model import SECOND, Call, Client, Curve, Scenario, simulate

CREATE = Call("create", "users.collection")
ACTIVATE = Call("activate", "users.update")
# two calls in two buckets under a concurrency limit; one call at a tight limit
BASES = (
    Scenario(1500, (CREATE, ACTIVATE), {"users.collection": 60}, 10, 37_000, concurrency=5),
    Scenario(700, (CREATE,), {"users.collection": 45}, 4, 137_000),
)
SCENARIOS = [replace(base, client=client) for base in BASES for client in Client]


def _event_by_event(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Curve:
    with monkeypatch.context() as m:
        m.setattr(timing_model._Run, "_anchor", lambda *_: False)
        return simulate(scenario).curve


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.users}-{s.client}")
def test_the_curve_of_a_skipping_run_is_the_event_by_event_one(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = simulate(scenario)
    slow = _event_by_event(scenario, monkeypatch)
    assert len(fast.curve.stretches) > 1, "the run skipped periods: a repeat to check"
    assert len(slow.stretches) == 1
    (every,) = slow.stretches  # each completion, one by one
    times = [every.start + offset for offset in every.offsets]
    assert len(times) == scenario.users
    for k, t in enumerate(times):
        assert fast.curve.users_at(t) >= k + 1
        assert fast.curve.users_at(t - 1) <= k
    step = max(1, fast.duration_us // 5000)
    for t in range(-step, fast.duration_us + 2 * step, step):
        assert fast.curve.users_at(t) == slow.users_at(t), t


def test_a_sample_spans_the_run_at_even_times() -> None:
    outcome = simulate(SCENARIOS[2])
    points = outcome.curve.sample(outcome.duration_us, 400)
    assert len(points) == 401
    assert points[0] == (0, 0)
    assert points[-1] == (outcome.duration_us, SCENARIOS[2].users)
    gaps = {b[0] - a[0] for a, b in itertools.pairwise(points)}
    assert max(gaps) - min(gaps) <= 1
    users = [u for _, u in points]
    assert users == sorted(users)


def test_a_rate_limited_curve_is_flat_between_windows() -> None:
    # 45 a minute, 4 workers at 137 ms: each window's 45 users finish within 12 rounds (1.6 s)
    outcome = simulate(SCENARIOS[5])  # adaptive
    curve = outcome.curve
    for window in range(700 // 45):
        start = window * 60 * SECOND
        assert curve.users_at(start + 2 * SECOND) == 45 * (window + 1)
        assert curve.users_at(start + 59 * SECOND) == 45 * (window + 1)
