"""What the scenarios send and how items are shared out: pure, no Locust."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_okta.load.data import (
    DataError,
    create_body,
    delta_items,
    import_items,
    login_items,
    okta_time,
    parse_mix,
    select_mix,
)
from mock_okta.load.ledger import Ledger
from mock_okta.load.summary import (
    Row,
    difference,
    plan_429s,
    render_markdown,
    request_totals,
    versus_plan,
)


def test_ledger_leases_every_number_once_and_shrinks_batches_near_the_end() -> None:
    ledger = Ledger(total=250, batch=100)
    leases = []
    while lease := ledger.lease(parties=2):
        leases.append(lease)
    numbers = [n for lease in leases for n in lease]
    assert numbers == list(range(250))
    assert [len(x) for x in leases][:2] == [63, 47]  # a quarter of what is left each
    assert ledger.exhausted
    assert not ledger.complete
    ledger.finish(250)
    assert ledger.complete


def test_ledger_with_nothing_to_do_is_complete() -> None:
    ledger = Ledger(total=0)
    assert not ledger.lease()
    assert ledger.complete


def test_mix_selects_the_largest_part_in_proportion(dataset: Path) -> None:
    items = import_items(dataset)
    chosen = select_mix(items, parse_mix("bcrypt=1,sha256=1"))
    schemes = [i.scheme for i in chosen]
    assert schemes.count("bcrypt") == schemes.count("sha256") > 0
    assert chosen == [i for i in items if i in chosen]  # file order kept
    pbkdf2 = select_mix(items, parse_mix("pbkdf2"))
    assert pbkdf2
    assert all(i.scheme.startswith("pbkdf2_") for i in pbkdf2)
    assert select_mix(items, {}) == items
    with pytest.raises(DataError, match="no md6"):
        select_mix(items, parse_mix("md6=1"))
    with pytest.raises(DataError):
        parse_mix("bcrypt=lots")


def test_bodies_carry_okta_hashes_or_the_hook(dataset: Path) -> None:
    items = import_items(dataset)
    bcrypt = next(i for i in items if i.scheme == "bcrypt" and i.user.defect is None)
    body = create_body(bcrypt.user)
    assert body["credentials"]["password"]["hash"]["algorithm"] == "BCRYPT"  # type: ignore[index]
    scrypt = next(i for i in items if i.scheme == "scrypt")
    hook = create_body(scrypt.user)["credentials"]
    assert hook == {"password": {"hook": {"type": "default"}}}
    refused = [i for i in items if i.expect == (400,)]
    assert refused
    assert all(i.user.defect for i in refused)


def test_login_and_delta_items(dataset: Path, later: Path) -> None:
    logins = login_items(dataset)
    assert logins
    assert all(i.password for i in logins)
    assert not any(i.scheme == "scrypt" for i in logins)  # those sign in through the hook
    changes = {i.change for i in delta_items(later)}
    assert changes == {"password", "profile", "new", "removed"}
    with pytest.raises(DataError, match="not a later state"):
        delta_items(dataset)


def test_okta_time() -> None:
    assert okta_time(1_735_689_600.25) == "2025-01-01T00:00:00.250Z"


def test_summary_counts_429s_apart_from_failures() -> None:
    rows = [
        Row("POST", "/api/v1/users", 600, 1, 12, 40, 300),
        Row("POST", "/api/v1/users [429]", 7, 0, 9, 20, 3),
        Row("POST", "/api/v1/users [400 expected]", 3, 0, 9, 20, 1),
    ]
    assert request_totals(rows) == {
        "total": 610,
        "rateLimited": 7,
        "expectedErrors": 3,
        "failures": 1,
    }
    assert difference(121.2, 120.0) == 1.0


def test_summary_markdown_says_when_nothing_was_projected() -> None:
    summary = {
        "scenario": "login",
        "items": 10,
        "userClass": "LoginUser",
        "complete": True,
        "done": 10,
        "locust": {"exitCode": 0, "clients": 2, "processes": 1},
        "mock": {"rateLimits": "off", "limits": {}, "timeScale": 1.0, "workers": 1},
        "wallSeconds": 3.0,
        "runSeconds": 2.0,
        "projection": {"oktaSeconds": None, "source": "no per-minute limit on authn"},
        "plan": {"label": "adaptive", "durationSeconds": 0.2, "strategies": []},
        "differencePercent": None,
        "requests": {"total": 10, "rateLimited": 0, "expectedErrors": 0, "failures": 0},
        "rows": [],
        "notes": [],
    }
    text = render_markdown(summary)
    assert "n/a (no per-minute limit on authn)" in text
    assert "| projection vs plan | n/a |" in text


def _short_run(projected: float, planned: float, met: int) -> dict[str, object]:
    return {
        "differencePercent": difference(projected, planned),
        "projection": {"oktaSeconds": projected, "source": "/_mock/stats"},
        "plan": {
            "strategy": "adaptive",
            "durationSeconds": planned,
            "strategies": [
                {"key": "parallel", "label": "10 workers, wait for X-Rate-Limit-Reset",
                 "duration_s": planned, "rejected": 90},
                {"key": "adaptive", "label": "10 workers, paced", "duration_s": planned,
                 "rejected": 0},
            ],
        },
        "requests": {"total": 3059, "rateLimited": met, "expectedErrors": 0, "failures": 0},
    }  # fmt: skip


def test_a_short_runs_gap_of_one_window_is_explained_where_it_is_shown() -> None:
    """Issue 16, item 8: 3,000 users at 300/min, 10.0 min projected against the plan's 9.1."""
    text = versus_plan(_short_run(600.0, 543.2, 59))
    assert text.startswith("+10.46% (+56.8 s): within one 60 s rate-limit window")
    assert "the mock counts the last window it used in full" in text
    assert (
        versus_plan(_short_run(50_004.0, 50_000.0, 0)) == "+0.01% (+4.0 s): within one 60 s"
        " rate-limit window — the mock counts the last window it used in full, the plan only"
        " until its last request; in a short run that window is a large share"
    )
    assert versus_plan(_short_run(100.5, 100.0, 0)) == "+0.50% (+0.5 s)"
    assert versus_plan(_short_run(700.0, 543.2, 0)).endswith("(+156.8 s)")  # not one window


def test_the_429s_met_are_set_against_the_plan_row_that_waits_for_resets() -> None:
    assert plan_429s(_short_run(600.0, 543.2, 59)) == (
        "59 met; the plan's row above expects 0; its '10 workers, wait for X-Rate-Limit-Reset'"
        " row, 90 in 9.1 min (Locust users pause at a 429 until its reset)"
    )
    assert plan_429s(_short_run(600.0, 543.2, 0)) == "0 met; the plan's row above expects 0"
