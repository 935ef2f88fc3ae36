"""Every control-plane value is range-checked: a clear 400 and nothing changed, never a value that
breaks writes later (issue #20 item 2: 10**30 once passed and then cost journal entries)."""

from __future__ import annotations

import logging

import pytest

from mock_okta.config import ConfigError, RuntimeConfig
from mock_okta.journal import Journal, JournalQuery, Pending, WindowState
from mock_okta.org import Org
from mock_okta.server import build_parser, settings_from_args
from tests.conftest import Api
from tests.helpers import assert_error

HUGE = 10**30


def _config_error(response: object, cause: str) -> None:
    assert_error(response, 400, "E0000001", "Api validation failed: config", [f"config: {cause}"])


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        (
            {"limits": {"users.collection": HUGE}},
            f"limits.users.collection must be a whole number from 0 to 1000000000, not {HUGE}",
        ),
        (
            {"limits": {"no.such.bucket": 5}},
            "limits: unknown bucket 'no.such.bucket'; known: users.collection, users.get,"
            " users.update, groups.collection, groups.item, authn, api.default, apps, logs,"
            " oauth2.authorize, oauth2.token, oauth2, oauth2.org, concurrency",
        ),
        (
            {"rateLimits": "nope"},
            "rateLimits must be one of workforce, customer-identity, one-app,"
            " integrator-free, off, not 'nope'",
        ),
        (
            {"authnPerUserPerSecond": HUGE},
            f"authnPerUserPerSecond must be a whole number from 0 to 1000000000, not {HUGE}",
        ),
        (
            {"lockoutAttempts": -1},
            "lockoutAttempts must be a whole number from 0 to 1000000000, not -1",
        ),
        ({"timeScale": 1e300}, "timeScale must be a number > 0 and <= 1e+06, not 1e+300"),
        (
            {"hookTimeoutSeconds": 1e9},
            "hookTimeoutSeconds must be a number > 0 and <= 86400, not 1000000000.0",
        ),
        (
            {"concurrencyLimit": HUGE},
            f"concurrencyLimit must be null or a whole number from 1 to 1000000000, not {HUGE}",
        ),
    ],
)
def test_out_of_range_config_is_refused_and_nothing_changes(
    api: Api, change: dict[str, object], cause: str
) -> None:
    before = api.call("GET", "/_mock/config").json
    _config_error(api.call("PUT", "/_mock/config", change), cause)
    assert api.call("GET", "/_mock/config").json == before


def test_json_infinity_spelt_as_a_huge_exponent_is_refused(api: Api) -> None:
    # 1e400 is valid JSON that Python reads as inf.
    json_type = {"Content-Type": "application/json"}
    response = api.call("PUT", "/_mock/config", '{"timeScale": 1e400}', headers=json_type)
    _config_error(response, "timeScale must be a number > 0 and <= 1e+06, not inf")


def test_the_cli_refuses_what_the_control_plane_refuses() -> None:
    parser = build_parser()
    for argv, message in [
        (["serve", "--rate-limits", "nope"], "rateLimits must be one of"),
        (["serve", "--limit", f"users.collection={HUGE}"], "limits.users.collection must be"),
        (["serve", "--limit", "no.such.bucket=5"], "unknown bucket 'no.such.bucket'"),
    ]:
        with pytest.raises(ConfigError, match=message):
            settings_from_args(parser.parse_args(argv[1:]), {})
    with pytest.raises(ConfigError, match="limits: unknown bucket"):
        RuntimeConfig.from_json({"limits": {"no.such.bucket": 5}})


def test_limits_at_the_bounds_are_accepted(api: Api) -> None:
    change = {
        "limits": {"users.collection": 1_000_000_000, "concurrency": 1_000_000_000},
        "authnPerUserPerSecond": 1_000_000_000,
        "timeScale": 1e6,
    }
    assert api.call("PUT", "/_mock/config", change).status_code == 200
    assert api.create_user().status_code == 200
    assert api.authn("isaac.brock@example.com", "wrong").status_code == 401
    assert api.call("POST", "/_mock/clock", {"advance": 3_000_000_000}).status_code == 200
    assert api.create_user("later@example.com").status_code == 200
    # Every request journaled, and counted exactly.
    entries = api.call("GET", "/_mock/requests").json["entries"]
    assert [e["status"] for e in entries] == [200, 401, 200]
    assert entries[0]["rateLimit"]["limit"] == 500_000_000  # the token's 50 % share
    assert api.call("GET", "/_mock/stats").json["counters"]["requests"] == 3


@pytest.mark.parametrize("advance", [1e20, -1, HUGE])
def test_a_clock_advance_beyond_a_century_is_refused(api: Api, advance: float) -> None:
    response = api.call("POST", "/_mock/clock", {"advance": advance})
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: advance",
        ["advance: a number of seconds from 0 to 3155760000 is required"],
    )
    assert api.create_user().status_code == 200


def test_clock_advances_may_not_add_up_beyond_a_century(api: Api) -> None:
    assert api.call("POST", "/_mock/clock", {"advance": 3_000_000_000}).status_code == 200
    response = api.call("POST", "/_mock/clock", {"advance": 200_000_000})
    assert response.status_code == 400
    assert "at most 3155760000 seconds" in response.json["errorCauses"][0]["errorSummary"]
    assert api.create_user().status_code == 200


@pytest.mark.parametrize(
    ("query", "name", "cause"),
    [
        (f"after={HUGE}", "after", "after must be from 0 to 9.0072e+15"),
        (f"status={HUGE}", "status", "status must be from 0 to 999"),
        ("status=-5", "status", "status must be from 0 to 999"),
        ("since=nan", "since", "since must be from 0 to 9.0072e+15"),
        ("until=inf", "until", "until must be from 0 to 9.0072e+15"),
        ("since=1e999", "since", "since must be from 0 to 9.0072e+15"),
        ("after=x", "after", "after must be a number"),
    ],
)
def test_journal_query_numbers_are_range_checked(
    api: Api, query: str, name: str, cause: str
) -> None:
    response = api.call("GET", f"/_mock/requests?{query}")
    assert_error(response, 400, "E0000001", f"Api validation failed: {name}", [f"{name}: {cause}"])


@pytest.mark.parametrize(
    ("rule", "cause"),
    [
        ({"status": 503, "count": HUGE}, "count must be a whole number from 1 to 1000000000"),
        ({"status": 503, "probability": True}, "probability must be a number in (0, 1]"),
        (
            {"status": 503, "probability": 0.5, "seed": HUGE},
            f"seed must be a whole number from {-(2**63 - 1)} to {2**63 - 1}",
        ),
        (
            {"status": 503, "bucket": "no.such.bucket"},
            "bucket must be one of users.collection, users.get, users.update,"
            " groups.collection, groups.item, authn, api.default, apps, logs, oauth2.authorize,"
            " oauth2.token, oauth2, oauth2.org",
        ),
    ],
)
def test_fault_rules_are_range_checked(api: Api, rule: dict[str, object], cause: str) -> None:
    response = api.call("POST", "/_mock/faults", rule)
    assert_error(response, 400, "E0000001", "Api validation failed: fault", [f"fault: {cause}"])
    assert api.call("GET", "/_mock/faults").json["faults"] == []
    assert api.create_user().status_code == 200


def _pending(path: str, window_limit: int, at: float = 1.0) -> Pending:
    entry: dict[str, object] = {"epoch": 1_700_000_000.0, "method": "GET", "path": path}
    entry["status"] = 200
    window = WindowState("users.get", True, 0.0, 60.0, 60.0, 1, window_limit, at)
    return Pending(entry, ("requests",), window)


def test_a_batch_with_an_unwritable_entry_keeps_every_other_entry(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    journal: Journal = org.journal
    journal.flush()
    batch = [_pending(f"/api/v1/users/u{i}", 600) for i in range(5)]
    batch.insert(2, _pending("/api/v1/users/huge", HUGE, at=2.0))  # beyond SQLite's integers
    with caplog.at_level(logging.ERROR, logger="mock_okta.journal"):
        journal._write(batch)
    paths = [e["path"] for e in journal.entries(JournalQuery(limit=1000))]
    assert paths == [f"/api/v1/users/u{i}" for i in range(5)]
    assert journal.counters()["requests"] == 5
    assert "1 of 6 entries could not be written" in caplog.text
