"""`mock-okta plan` and its timing model, against cases worked out by hand.

Okta's rule used throughout: a bucket's window lasts 60 s from its first request and allows
`limit` requests; a 429 says when the window ends (X-Rate-Limit-Reset, whole seconds).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_okta.tools import plan, timing_model
from mock_okta.tools.timing_model import Call, Client, Scenario, simulate

CREATE = Call("create", "users.collection")
ACTIVATE = Call("activate", "users.update")


def run_plan(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, Any]]:
    assert plan.main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "mock-okta.plan/1"
    return {s["key"]: s for s in out["strategies"]}


# ----- one bucket, one worker


def test_one_bucket_one_worker_takes_a_window_per_limit() -> None:
    # 1,000 users at 100/min: windows open at 0, 60, ..., 540 s. In each, 100 creates of 10 ms
    # take 1 s; the 101st is refused (a 429 in each of the first 9 windows) and the worker
    # sleeps until the reset. The last window ends its 100 creates at 540 + 1 = 541 s.
    outcome = simulate(
        Scenario(
            users=1000,
            calls=(CREATE,),
            limits={"users.collection": 100},
            workers=1,
            latency_us=10_000,
        )
    )
    assert outcome.duration_us == 541_000_000
    assert outcome.requests == 1000 + 9
    assert outcome.rejected == 9


def test_without_latency_the_run_is_users_over_limit_minutes_minus_the_last_window() -> None:
    # 1,000 / 100 = 10 windows; the 10th opens at 9 min and is done at once.
    outcome = simulate(
        Scenario(
            users=1000, calls=(CREATE,), limits={"users.collection": 100}, workers=1, latency_us=0
        )
    )
    assert outcome.duration_s == 9 * 60


def test_adaptive_client_reads_remaining_and_gets_no_429() -> None:
    # Same as above, but the client stops when X-Rate-Limit-Remaining reaches 0.
    outcome = simulate(
        Scenario(
            users=1000,
            calls=(CREATE,),
            limits={"users.collection": 100},
            workers=1,
            latency_us=10_000,
            client=Client.ADAPTIVE,
        )
    )
    assert (outcome.duration_s, outcome.requests, outcome.rejected) == (541, 1000, 0)


# ----- concurrency-bound and latency-bound


def test_concurrency_bound_throughput_is_limit_over_latency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # No per-minute limits; 5 requests in flight, 100 ms each: 50 users/s, 1,000 users in 20 s.
    # 20 workers that retry at once: while all 20 hold a user, 15 are refused every 100 ms.
    # That holds for rounds 0..196 (980 users left after the first 20, 5 taken a round);
    # then 15, 10, 5 workers are left: 197 * 15 + 10 + 5 = 2,970 429s.
    rows = run_plan(
        capsys,
        "--users",
        "1000",
        "--rate-limits",
        "off",
        "--concurrency-limit",
        "5",
        "--token-share",
        "100",  # the whole concurrency limit for the one token
        "--workers",
        "20",
        "--latency-ms",
        "100",
    )
    for key in ("parallel", "parallel-naive", "adaptive"):
        assert rows[key]["duration_s"] == pytest.approx(20.0)
    assert rows["parallel"]["rejected"] == 2970
    assert rows["parallel"]["requests"] == 1000 + 2970
    assert rows["adaptive"]["workers"] == 5
    assert rows["adaptive"]["rejected"] == 0
    # one worker is latency-bound: 1,000 x 100 ms
    assert rows["sequential"]["duration_s"] == pytest.approx(100.0)


def test_latency_bound_one_worker_takes_users_times_calls_times_latency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 400 users x 2 calls x 250 ms, nothing else in the way: 200 s.
    rows = run_plan(
        capsys,
        "--users",
        "400",
        "--calls-per-user",
        "2",
        "--rate-limits",
        "off",
        "--latency-ms",
        "250",
    )
    assert rows["sequential"]["duration_s"] == pytest.approx(200.0)
    assert rows["sequential"]["rejected"] == 0
    # ten workers share the same latency: 800 calls / 10 x 250 ms
    assert rows["parallel"]["duration_s"] == pytest.approx(20.0)


# ----- the forum thread: 250,000 customers at 300 requests a minute


def test_thread_numbers_one_call_per_user(capsys: pytest.CaptureFixture[str]) -> None:
    # The workforce bucket is 600 a minute, and one token may use half (Okta's default share):
    # 250,000 / 300 = 833 full windows and one of 100 creates (100 x 100 ms = 10 s):
    # 833 x 60 + 10 = 49,990 s = 13.89 hours; the 301st request of each full window is a 429.
    rows = run_plan(capsys, "--users", "250000")
    sequential = rows["sequential"]
    assert sequential["duration_s"] == pytest.approx(49_990)
    assert sequential["duration_s"] / 3600 == pytest.approx(13.9, abs=0.05)
    assert (sequential["requests"], sequential["rejected"]) == (250_833, 833)
    # ten workers finish each window's 300 in 3 s, so the run barely changes:
    # 833 x 60 + (100 / 10) x 100 ms = 49,981 s, and every worker gets one 429 a window.
    assert rows["parallel"]["duration_s"] == pytest.approx(49_981)
    assert rows["parallel"]["rejected"] == 833 * 10
    # retrying at once: from 3.0 s to 60 s every 100 ms, 570 tries per worker per window
    assert rows["parallel-naive"]["rejected"] == 833 * 10 * 570
    assert rows["adaptive"]["rejected"] == 0
    assert rows["adaptive"]["duration_s"] == pytest.approx(49_981)


def test_thread_numbers_two_calls_in_one_bucket_take_twice_as_long(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # create and activate both counted at 300/min (the token's half): 150 users a window,
    # 1,666 full windows and one of 100 users (200 calls x 100 ms = 20 s):
    # 1,666 x 60 + 20 = 99,980 s = 27.8 hours.
    rows = run_plan(capsys, "--users", "250000", "--calls", "create,activate@users.collection")
    assert rows["sequential"]["duration_s"] == pytest.approx(99_980)
    assert rows["sequential"]["duration_s"] / 3600 == pytest.approx(27.8, abs=0.05)
    assert rows["sequential"]["rejected"] == 1666


def test_two_calls_in_separate_buckets_are_bounded_by_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # As Okta (and the mock) counts them, activate goes to users.update, a bucket of its own
    # (600/min in the workforce profile, 300 for the token, as users.collection). One worker
    # at 2 x 100 ms a user makes exactly 300 users a minute: 250,000 x 0.2 s = 50,000 s, no 429.
    rows = run_plan(capsys, "--users", "250000", "--calls-per-user", "2")
    assert rows["sequential"]["duration_s"] == pytest.approx(50_000)
    assert rows["sequential"]["rejected"] == 0
    # both buckets at 300/min, 10 ms a call: 300 users in 6 s, then a 429 and the next window;
    # the last window's 100 users take 2 s: 833 x 60 + 2 = 49,982 s
    outcome = simulate(
        Scenario(
            users=250_000,
            calls=(CREATE, ACTIVATE),
            limits={"users.collection": 300, "users.update": 300},
            workers=1,
            latency_us=10_000,
        )
    )
    assert outcome.duration_s == 49_982
    assert outcome.rejected == 833


# ----- tokens: Okta lets one token use half a bucket (DEVDOCS rl2-token-oauth)


def test_one_token_takes_13_9_hours_two_tokens_or_100_percent_6_9(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 250,000 users, workforce users.collection 600/min: one token at 50 % gets 300/min,
    # 833 x 60 + 10 = 49,990 s; two tokens (or one at 100 %) the org's 600/min: 416 full
    # windows and one of 400 creates over 10 workers (40 x 100 ms = 4 s): 416 x 60 + 4.
    one = run_plan(capsys, "--users", "250000")["adaptive"]["duration_s"]
    two = run_plan(capsys, "--users", "250000", "--tokens", "2")["adaptive"]["duration_s"]
    whole = run_plan(capsys, "--users", "250000", "--token-share", "100")["adaptive"]
    three = run_plan(capsys, "--users", "250000", "--tokens", "3")["adaptive"]["duration_s"]
    assert one == pytest.approx(49_981)
    assert two == whole["duration_s"] == three == pytest.approx(416 * 60 + 4)
    assert round(one / 3600, 1) == 13.9
    assert round(two / 3600, 1) == 6.9


def test_the_table_shows_what_tokens_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan.main(["--users", "250000"]) == 0
    table = capsys.readouterr().out
    assert "users.collection 600/min (300 for 1 token at 50 %)" in table.splitlines()[0]
    rows = {
        line.split("  ")[0]: line.split()[-2:]
        for line in table.splitlines()
        if " token" in line.split("  ")[0] and line.endswith(" h")
    }
    assert rows == {
        "1 token at 50 %": ["13.9", "h"],
        "2 tokens at 50 %": ["6.9", "h"],
        "1 token at 100 %": ["6.9", "h"],
        "3 tokens at 50 %": ["6.9", "h"],
    }
    assert "users.collection 600 (the org's limit)" in table
    data = json.loads(_json(capsys, "--users", "250000", "--tokens", "2"))
    assert data["inputs"]["tokens"] == 2
    assert data["inputs"]["effective_limits_per_minute"]["users.collection"] == 600
    assert [(r["tokens"], r["share"], r["org_bound"]) for r in data["token_rows"]] == [
        (1, 50, False),
        (2, 50, True),
        (1, 100, True),
        (3, 50, True),
    ]


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert plan.main([*args, "--json"]) == 0
    return capsys.readouterr().out


# ----- premigrate, then delta


def test_premigrate_then_delta_outage_is_the_delta_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Premigration: 10,000 creates at 100/min, 10 ms each: 99 x 60 + 1 = 5,941 s, no outage.
    # At go-live 5% = 500 users get one update at 100/min: 4 x 60 + 100 x 10 ms = 241 s.
    rows = run_plan(
        capsys,
        "--users",
        "10000",
        "--rate-limits",
        "off",
        "--limit",
        "users.collection=100",
        "--limit",
        "users.update=100",
        "--workers",
        "1",
        "--latency-ms",
        "10",
        "--changed",
        "5%",
        "--delta-calls",
        "update",
        "--token-share",
        "100",
    )
    premigrate = rows["premigrate-delta"]
    assert premigrate["premigration_s"] == pytest.approx(5_941)
    assert premigrate["delta_s"] == pytest.approx(241)
    assert premigrate["outage_s"] == pytest.approx(241)
    assert premigrate["duration_s"] == pytest.approx(5_941 + 241)
    assert rows["sequential"]["outage_s"] == pytest.approx(5_941)
    # Staged: the same 241 s of updates, then 10,000 activations at 100/min, 10 ms each:
    # 99 x 60 + 100 x 10 ms = 5,941 s; go-live outage 241 + 5,941 = 6,182 s.
    assert rows["premigrate-staged"]["outage_s"] == pytest.approx(241 + 5_941)
    assert rows["premigrate-staged"]["duration_s"] == pytest.approx(5_941 + 241 + 5_941)
    assert rows["import-hook"]["outage_s"] == 0
    assert rows["import-hook"]["hook_calls"] == 10_000
    # Premigrate ACTIVE, then the hook: the same 241 s of updates (500 at 100/min, 10 ms
    # each), but nobody waits for them, and the 500 call the hook once each.
    hooked = rows["premigrate-hook"]
    assert (hooked["premigration_s"], hooked["delta_s"]) == (
        pytest.approx(5_941),
        pytest.approx(241),
    )
    assert hooked["outage_s"] == 0
    assert hooked["hook_calls"] == 500
    assert hooked["requests"] == rows["adaptive"]["requests"] + 500
    assert hooked["destroys"] is None
    assert premigrate["destroys"] is None  # --delta-calls update deletes no one


def test_the_table_says_what_each_strategy_destroys(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan.main(["--users", "1000", "--rate-limits", "off", "--changed", "10%"]) == 0
    table = capsys.readouterr().out.splitlines()
    header = next(line for line in table if line.startswith("strategy"))
    assert header.split()[-2:] == ["outage", "destroys"]
    by_label = {line.split("  ")[0]: line for line in table}
    recreate = next(v for k, v in by_label.items() if k.startswith("premigrate, then"))
    assert recreate.endswith("ids, memberships, app assignments of changed users")
    hooked = next(v for k, v in by_label.items() if k.startswith("premigrate ACTIVE"))
    assert hooked.endswith("none  nothing")  # no outage, nothing destroyed
    assert "Premigrate ACTIVE, then the hook" in "\n".join(table)


def test_delete_and_recreate_delta_is_bound_by_its_busiest_bucket(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Default delta: deactivate, delete (users.update) and create (users.collection).
    # 500 users x 2 updates at 100/min: 50 users a window, 10 windows; the last one's 50 users
    # x 3 calls x 10 ms take 1.5 s: 9 x 60 + 1.5 = 541.5 s.
    rows = run_plan(
        capsys,
        "--users",
        "10000",
        "--rate-limits",
        "off",
        "--limit",
        "users.collection=100",
        "--limit",
        "users.update=100",
        "--workers",
        "1",
        "--latency-ms",
        "10",
        "--changed",
        "0.05",
        "--token-share",
        "100",
    )
    assert rows["premigrate-delta"]["outage_s"] == pytest.approx(541.5)


# ----- the model's shortcut is exact


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(
            users=1500,
            calls=(CREATE, ACTIVATE),
            limits={"users.collection": 60},
            workers=10,
            latency_us=37_000,
            client=client,
            concurrency=5,
        )
        for client in Client
    ]
    + [
        Scenario(
            users=1500,
            calls=(CREATE,),
            limits={"users.collection": 30, "users.update": 120},
            workers=3,
            latency_us=137_000,
            client=client,
        )
        for client in Client
    ],
)
def test_skipping_repeated_periods_matches_event_by_event(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = simulate(scenario)
    monkeypatch.setattr(timing_model._Run, "_anchor", lambda *_: False)
    slow = simulate(scenario)
    assert (fast.duration_us, fast.requests, fast.rejected, fast.rejected_busy) == (
        slow.duration_us,
        slow.requests,
        slow.rejected,
        slow.rejected_busy,
    )


# ----- outputs and options


def test_writes_png_html_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    args = ["--users", "250000", "--out", str(out)]
    assert plan.main(args) == 0
    table = capsys.readouterr().out
    sequential = next(line for line in table.splitlines() if line.startswith("sequential"))
    assert "13.9 h" in sequential
    png = (out / "plan.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000
    page = (out / "plan.html").read_text()
    assert "<svg" in page
    assert '<rect class="phase"' in page
    assert "<script" not in page
    assert "https://" not in page
    data = json.loads((out / "plan.json").read_text())
    assert [s["key"] for s in data["strategies"]] == [
        "sequential",
        "parallel",
        "parallel-naive",
        "adaptive",
        "premigrate-staged",
        "premigrate-delta",
        "premigrate-hook",
        "import-hook",
    ]
    assert data["strategies"][0]["series"][-1] == [49_990.0, 250_000]


def test_calls_name_their_buckets_as_the_mock_counts_them() -> None:
    calls = plan.planned_calls("create,activate,delete@users.collection")
    assert [(c.name, c.bucket) for c in calls] == [
        ("create", "users.collection"),
        ("activate", "users.update"),
        ("delete", "users.collection"),
    ]
    assert plan.calls_per_user(3) == "create,activate,update"


@pytest.mark.parametrize(
    "args",
    [
        ["--calls", "frobnicate"],
        ["--changed", "150%"],
        ["--limit", "users.collection=0"],
        ["--workers", "0"],
        ["--tokens", "0"],
        ["--token-share", "0"],
        ["--token-share", "101"],
    ],
)
def test_bad_options_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        plan.main(["--users", "10", *args])
    assert exc.value.code == 2
    assert "mock-okta plan" in capsys.readouterr().err
