"""PUT/GET/DELETE /_mock/plan (range-checked like the other control values) and the overview's
users-created curve beside it: cumulative, in Okta time from the first create."""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.clock import ManualClock
from mock_okta.ui.overview import MAX_POINTS, step_seconds
from tests.conftest import Api
from tests.helpers import assert_error, profile

SERIES = [[0, 0], [60, 100], [120, 150], [600, 1000]]


def put_plan(api: Api, body: Any, status: int = 200) -> Any:
    response = api.call("PUT", "/_mock/plan", body)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def overview(api: Api) -> dict[str, Any]:
    response = api.call("GET", "/_mock/overview")
    assert response.status_code == 200
    return dict(response.get_json())


def seed(api: Api, prefix: str, n: int) -> None:
    users = [{"profile": profile(f"{prefix}{i}@example.com")} for i in range(n)]
    assert api.call("POST", "/_mock/users", {"users": users}).status_code == 201


def test_a_plan_is_kept_until_deleted_or_reset(api: Api) -> None:
    assert api.call("GET", "/_mock/plan").get_json() == {"plan": None}
    sent = {"users": 1000, "series": SERIES, "label": "adaptive, 1 worker"}
    stored = put_plan(api, sent).get_json()["plan"]
    assert stored == {
        "users": 1000,
        "durationSeconds": 600,
        "label": "adaptive, 1 worker",
        "source": "series",
        "series": SERIES,
    }
    assert api.call("GET", "/_mock/plan").get_json() == {"plan": stored}
    assert api.call("DELETE", "/_mock/plan").status_code == 204
    assert api.call("GET", "/_mock/plan").get_json() == {"plan": None}
    put_plan(api, sent)
    assert api.call("POST", "/_mock/reset").status_code == 200
    assert api.call("GET", "/_mock/plan").get_json() == {"plan": None}


def test_a_user_count_alone_follows_one_tokens_share_of_the_create_limit(api: Api) -> None:
    api.call("PUT", "/_mock/config", {"limits": {"users.collection": 600}, "tokenShare": 50})
    plan = put_plan(api, {"users": 3000}).get_json()["plan"]
    assert plan["source"] == "limit"
    assert plan["durationSeconds"] == 600  # 3,000 users at 300 a minute
    assert plan["series"] == [[0, 0], [600, 3000]]
    assert put_plan(api, {"users": 10, "perMinute": 5}).get_json()["plan"]["durationSeconds"] == 120
    assert put_plan(api, {"users": 10, "durationSeconds": 30}).get_json()["plan"]["series"] == [
        [0, 0],
        [30, 10],
    ]


def test_without_a_create_limit_a_user_count_alone_is_refused(api: Api) -> None:
    api.call("PUT", "/_mock/config", {"rateLimits": "off"})
    assert_error(
        put_plan(api, {"users": 3000}, 400),
        400,
        "E0000001",
        "Api validation failed: plan",
        [
            "plan: the org has no users.collection limit to plan by:"
            " give perMinute, durationSeconds or series"
        ],
    )


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({}, "users must be a whole number from 1 to 1000000000"),
        ({"users": 0}, "users must be a whole number from 1 to 1000000000"),
        ({"users": True}, "users must be a whole number from 1 to 1000000000"),
        ({"users": 1.5}, "users must be a whole number from 1 to 1000000000"),
        ({"users": 10**10}, "users must be a whole number from 1 to 1000000000"),
        ({"users": 10, "speed": 1}, "unknown field speed; a plan has users, durationSeconds,"
         " perMinute, series, label"),
        ({"users": 10, "durationSeconds": 0}, "durationSeconds must be above 0 and at most"
         " 1000000000"),
        ({"users": 10, "durationSeconds": "60"}, "durationSeconds must be a number"),
        ({"users": 10, "perMinute": -1}, "perMinute must be above 0 and at most 1000000000"),
        ({"users": 10, "perMinute": 1, "durationSeconds": 5},
         "give one of series, durationSeconds and perMinute, not ['durationSeconds', 'perMinute']"),
        ({"users": 10, "label": 5}, "label must be text of at most 200 characters"),
        ({"users": 10, "label": "x" * 201}, "label must be text of at most 200 characters"),
        ({"users": 10, "series": [[0, 0]]}, "series must be a list of 2 to 1000 [seconds, users]"
         " points"),
        ({"users": 10, "series": [[0, 0]] * 1001}, "series must be a list of 2 to 1000"
         " [seconds, users] points"),
        ({"users": 10, "series": [[0, 0], [1]]}, "series[1] must be [seconds, users]"),
        ({"users": 10, "series": [[0, 0], ["1", 2]]}, "series[1] must be [seconds, users]"),
        ({"users": 10, "series": [[0, 0], [-1, 2]]}, "series[1]: seconds must be from 0 to"
         " 1000000000"),
        ({"users": 10, "series": [[0, 0], [1e10, 2]]}, "series[1]: seconds must be from 0 to"
         " 1000000000"),
        ({"users": 10, "series": [[0, 0], [5, 11]]}, "series[1]: users must be from 0 to users"
         " (10)"),
        ({"users": 10, "series": [[0, 5], [5, 4]]}, "series[1]: seconds and users must not"
         " decrease"),
        ({"users": 10, "series": [[9, 0], [5, 4]]}, "series[1]: seconds and users must not"
         " decrease"),
        ({"users": 10, "series": [[0, 0], [0, 4]]}, "series must end after 0 seconds"),
        ({"users": 10**9, "perMinute": 0.001}, "the plan would last more than 1000000000"
         " seconds"),
    ],
)  # fmt: skip
def test_bad_plans_are_refused_and_change_nothing(api: Api, body: Any, cause: str) -> None:
    put_plan(api, {"users": 1000, "series": SERIES})
    assert_error(
        put_plan(api, body, 400), 400, "E0000001", "Api validation failed: plan", [f"plan: {cause}"]
    )
    assert api.call("GET", "/_mock/plan").get_json()["plan"]["series"] == SERIES


def test_not_json_and_no_token_are_refused(api: Api) -> None:
    assert api.call("PUT", "/_mock/plan", "[1, 2]").status_code == 400
    assert api.client.put("/_mock/plan", json={"users": 5}).status_code == 401
    assert api.client.get("/_mock/plan").status_code == 401


def test_the_curve_is_cumulative_from_the_first_create(api: Api, clock: ManualClock) -> None:
    assert overview(api)["created"]["series"] == []
    clock.advance(3600)  # an hour of nothing before the rehearsal: not on the axis
    seed(api, "a", 3)
    clock.advance(10)
    seed(api, "b", 2)
    clock.advance(20.5)
    seed(api, "c", 5)
    created = overview(api)["created"]
    assert created["stepSeconds"] == 1
    assert created["spanSeconds"] == 30.5
    assert created["series"][0] == [0, 0]
    assert created["series"][1] == [1, 3]
    assert created["series"][11] == [11, 5]
    assert created["series"][-1] == [30.5, 10]
    assert len(created["series"]) == 32
    assert [u for _, u in created["series"]] == sorted(u for _, u in created["series"])


def test_the_curve_is_in_okta_time_beside_the_plan(api: Api, clock: ManualClock) -> None:
    api.call("PUT", "/_mock/config", {"timeScale": 60})
    put_plan(api, {"users": 1000, "series": SERIES})
    seed(api, "a", 100)
    clock.advance(2)  # 2 s here: 2 minutes of Okta time
    seed(api, "b", 20)
    found = overview(api)
    created, plan = found["created"], found["plan"]
    assert created["timeScale"] == 60
    assert created["spanSeconds"] == 600  # the plan's end
    assert created["stepSeconds"] == 5
    assert created["series"][-1] == [120, 120]
    assert plan["expectedNow"] == 150
    assert plan["aheadBy"] == -30
    clock.advance(10)  # 12 s here, 12 minutes in Okta: the plan is done
    assert overview(api)["plan"]["aheadBy"] == 120 - 1000


def test_a_14_hour_plan_reads_in_ten_minute_steps(api: Api) -> None:
    put_plan(api, {"users": 250_000, "durationSeconds": 14 * 3600})
    seed(api, "a", 5)
    created = overview(api)["created"]
    assert created["stepSeconds"] == 600
    assert len(created["series"]) == 2  # the first step, so far


@pytest.mark.parametrize(
    ("span", "step"),
    [(1, 1), (30, 1), (120, 1), (121, 2), (3600, 30), (14 * 3600, 600), (30 * 86400, 21600),
     (200 * 86400, 2 * 86400)],
)  # fmt: skip
def test_steps_are_round_and_few(span: float, step: int) -> None:
    assert step_seconds(span) == step
    assert span / step <= MAX_POINTS


def test_rehearse_shows_mock_okta_plans_curve(tmp_path: Any) -> None:
    """`mock-okta rehearse` sends the plan it prints (the adaptive strategy's curve)."""
    from mock_okta.config import RuntimeConfig, Settings
    from mock_okta.load import rehearse
    from mock_okta.testing import LiveServer
    from mock_okta.testing.client import ControlClient

    args = rehearse._parser().parse_args(["--users", "600", "--out", str(tmp_path)])
    plan = rehearse.plan_for(args, rehearse.SCENARIOS["import"], 600)
    with LiveServer(Settings(port=0, runtime=RuntimeConfig())) as live:
        client = ControlClient(live.url, "test-token")
        rehearse.show_plan(client, plan, 600)
        shown = client.session.get(f"{live.url}/_mock/plan", headers=client.headers).json()
        live.check_errors()
    assert shown["plan"]["users"] == 600
    assert shown["plan"]["durationSeconds"] == pytest.approx(plan["durationSeconds"], abs=1e-3)
    assert shown["plan"]["series"][-1][1] == 600
    assert shown["plan"]["label"] == f"mock-okta plan, {plan['label']}"
    assert len(shown["plan"]["series"]) >= len(plan["series"])
