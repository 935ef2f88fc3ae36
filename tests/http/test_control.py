"""The control plane: reset, bulk seed, config, clock, faults, journal, stats; bad input."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api


def _profile(login: str) -> dict[str, str]:
    return {"login": login, "email": login, "firstName": "Ada", "lastName": "Lovelace"}


def _sha256(password: str, salt: str) -> dict[str, str]:
    digest = hashlib.sha256(salt.encode() + password.encode()).digest()
    value = base64.b64encode(digest).decode()
    return {"algorithm": "SHA-256", "salt": salt, "saltOrder": "PREFIX", "value": value}


def test_reset_empties_the_org_and_restores_startup_config(api: Api, org: Org) -> None:
    api.create_user()
    api.call("PUT", "/_mock/config", {"timeScale": 30})
    api.call("POST", "/_mock/faults", {"path": "/api/v1/users", "status": 503, "count": 5})
    assert api.call("POST", "/_mock/reset").status_code == 200
    assert org.store.count_users() == 0
    assert api.call("GET", "/_mock/requests").json["entries"] == []
    assert api.call("GET", "/_mock/faults").json["faults"] == []
    assert api.call("GET", "/_mock/config").json["timeScale"] == 1.0
    assert api.create_user().status_code == 200  # the 503 rule is gone too


def test_bulk_seed_creates_users_with_hashes_that_sign_in(api: Api) -> None:
    users = [
        {
            "profile": _profile(f"seed.{i}@example.com"),
            "credentials": {"password": {"hash": _sha256(f"Pw-{i}-secret", f"salt{i}")}},
        }
        for i in range(500)
    ]
    users.append({"profile": _profile("staged@example.com"), "status": "STAGED"})
    response = api.call("POST", "/_mock/users", {"users": users})
    assert response.status_code == 201
    assert response.json["created"] == 501
    assert response.json["users"][0]["login"] == "seed.0@example.com"
    assert api.authn("seed.42@example.com", "Pw-42-secret").status_code == 200
    assert api.authn("seed.42@example.com", "Pw-41-secret").status_code == 401
    staged = api.call("GET", "/api/v1/users/staged@example.com").json
    assert staged["status"] == "STAGED"


def test_bulk_seed_is_all_or_nothing(api: Api, org: Org) -> None:
    users = [{"profile": _profile(f"ok.{i}@example.com")} for i in range(3)]
    users.append({"profile": {"login": "no-email@example.com", "firstName": "A", "lastName": "B"}})
    response = api.call("POST", "/_mock/users", {"users": users})
    assert response.status_code == 400
    assert response.json["errorCode"] == "E0000001"
    assert response.json["errorCauses"] == [
        {"errorSummary": "users[3].email: The field cannot be left blank"}
    ]
    assert org.store.count_users() == 0
    duplicate = [{"profile": _profile("twice@example.com")}] * 2
    response = api.call("POST", "/_mock/users", {"users": duplicate})
    assert response.status_code == 400
    assert "users[1].login" in response.json["errorSummary"]
    assert org.store.count_users() == 0
    assert api.call("POST", "/_mock/users", {"users": "nope"}).status_code == 400


def test_config_reads_and_changes_every_worker_setting(api: Api, org: Org) -> None:
    config = api.call("GET", "/_mock/config").json
    assert config["rateLimits"] == "workforce"
    assert config["lockoutAttempts"] == 10
    changed = api.call("PUT", "/_mock/config", {"limits": {"users.collection": 300}}).json
    assert changed["limits"] == {"users.collection": 300}
    assert org.limit("users.collection") == 300
    bad = api.call("PUT", "/_mock/config", {"timeScael": 5})
    assert bad.status_code == 400
    assert "unknown setting 'timeScael'" in bad.json["errorCauses"][0]["errorSummary"]
    assert api.call("PUT", "/_mock/config", {"timeScale": 0}).status_code == 400
    assert api.call("PUT", "/_mock/config", {"sha256Salt": "hex"}).status_code == 400
    assert api.call("PUT", "/_mock/config", {"limits": {"authn": -1}}).status_code == 400


def test_clock_advances_virtual_time_and_refuses_going_back(api: Api, clock: ManualClock) -> None:
    before = clock.now()
    assert api.call("POST", "/_mock/clock", {"advance": 90}).status_code == 200
    assert clock.now() == before + 90
    for bad in ({"advance": -1}, {"advance": "soon"}, {}, {"advance": True}):
        response = api.call("POST", "/_mock/clock", bad)
        assert response.status_code == 400, bad
        assert response.json["errorCode"] == "E0000001"
    assert clock.now() == before + 90


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"path": "/api/v1/users", "status": 503, "colour": "red"}, "unknown fault field"),
        ({"path": "/api/v1/users", "status": 418}, "status must be one of"),
        ({"path": "/api/v1/users"}, "a fault needs an effect"),
        ({"status": 503, "count": 2, "probability": 0.5}, "either count"),
        ({"status": 503, "count": 0}, "count must be"),
        ({"status": 503, "probability": 1.5}, "probability must be"),
        ({"status": 503, "drop": True}, "either status or drop"),
        ({"latencyMs": -5}, "latencyMs must be"),
    ],
)
def test_malformed_fault_rules_are_refused_with_a_reason(
    api: Api, rule: dict[str, object], message: str
) -> None:
    response = api.call("POST", "/_mock/faults", rule)
    assert response.status_code == 400
    assert message in response.json["errorCauses"][0]["errorSummary"]
    assert api.call("GET", "/_mock/faults").json["faults"] == []


def test_a_503_on_create_leaves_no_user_behind(api: Api, org: Org) -> None:
    rule = api.call(
        "POST",
        "/_mock/faults",
        {"method": "POST", "path": "/api/v1/users", "status": 503, "count": 2},
    ).json
    assert rule["count"] == 2
    for _ in range(2):
        failed = api.create_user()
        assert failed.status_code == 503
        assert failed.json["errorCode"] == "E0000181"
        assert org.store.count_users() == 0
    assert api.create_user().status_code == 200  # the budget of two is spent
    listed = api.call("GET", "/_mock/faults").json["faults"]
    assert (listed[0]["remaining"], listed[0]["matched"]) == (0, 2)
    journal = api.call("GET", "/_mock/requests?path=/api/v1/users").json["entries"]
    assert [e["fault"]["kind"] if e["fault"] else None for e in journal] == [
        "status 503",
        "status 503",
        None,
    ]


@pytest.mark.parametrize(("status", "code"), [(500, "E0000009"), (429, "E0000047")])
def test_injected_json_errors_are_okta_shaped(api: Api, status: int, code: str) -> None:
    api.call("POST", "/_mock/faults", {"path": "/api/v1/users*", "status": status})
    response = api.call("GET", "/api/v1/users")
    assert response.status_code == status
    assert response.json["errorCode"] == code
    if status == 429:
        assert response.headers["X-Rate-Limit-Remaining"] == "0"
        assert response.headers["X-Rate-Limit-Limit"] == "300"  # the token's half of 600


def test_injected_gateway_errors_look_like_oktas_edge(api: Api) -> None:
    api.call("POST", "/_mock/faults", {"path": "/api/v1/users", "status": 504})
    response = api.call("GET", "/api/v1/users")
    assert response.status_code == 504
    assert response.mimetype == "text/html"


def test_probability_faults_repeat_exactly_for_a_seed(api: Api) -> None:
    def run() -> list[int]:
        api.call("POST", "/_mock/reset")
        api.call(
            "POST",
            "/_mock/faults",
            {"path": "/api/v1/users", "status": 503, "probability": 0.3, "seed": 11},
        )
        return [api.call("GET", "/api/v1/users").status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(503) < 40
    api.call("POST", "/_mock/reset")
    api.call(
        "POST",
        "/_mock/faults",
        {"path": "/api/v1/users", "status": 503, "probability": 0.3, "seed": 12},
    )
    assert [api.call("GET", "/api/v1/users").status_code for _ in range(40)] != first


def test_faults_match_method_path_glob_and_bucket(api: Api) -> None:
    api.call(
        "POST",
        "/_mock/faults",
        {
            "method": "GET",
            "path": "/api/v1/users/*",
            "bucket": "users.get",
            "status": 500,
            "count": 10,
        },
    )
    api.create_user()
    assert api.call("GET", "/api/v1/users").status_code == 200  # other path
    assert api.call("POST", "/api/v1/users/isaac.brock@example.com", {}).status_code == 200
    assert api.call("GET", "/api/v1/users/isaac.brock@example.com").status_code == 500


def test_latency_faults_delay_then_answer_normally(api: Api) -> None:
    api.call("POST", "/_mock/faults", {"path": "/api/v1/users", "latencyMs": 120})
    assert api.create_user().status_code == 200
    entry = api.call("GET", "/_mock/requests").json["entries"][0]
    assert entry["fault"]["kind"] == "latency"
    assert entry["latencyMs"] >= 120


def test_delete_faults_removes_every_rule(api: Api) -> None:
    api.call("POST", "/_mock/faults", {"path": "/api/v1/users", "status": 503, "count": 9})
    assert api.call("DELETE", "/_mock/faults").status_code == 204
    assert api.create_user().status_code == 200


def test_journal_filters_and_pages(api: Api, clock: ManualClock) -> None:
    for i in range(5):
        api.create_user(f"j.{i}@example.com")
    api.call("GET", "/api/v1/users/j.1@example.com")
    api.call("GET", "/api/v1/users/nobody@example.com")
    clock.advance(1)
    api.authn("j.2@example.com", "wrong")
    entries = api.call("GET", "/_mock/requests").json["entries"]
    assert len(entries) == 8
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    by = lambda query: api.call("GET", f"/_mock/requests?{query}").json["entries"]  # noqa: E731
    assert len(by("method=GET")) == 2
    assert len(by("path=/api/v1/users/*")) == 2
    assert [e["errorCode"] for e in by("status=404")] == ["E0000007"]
    assert [e["path"] for e in by("login=j.2@example.com")] == ["/api/v1/users", "/api/v1/authn"]
    first_page = api.call("GET", "/_mock/requests?limit=3").json
    assert len(first_page["entries"]) == 3
    rest = api.call("GET", f"/_mock/requests?after={first_page['next']}").json
    assert len(rest["entries"]) == 5
    assert rest["next"] is None
    assert by(f"since={entries[-1]['epoch']}")[0]["seq"] == entries[-1]["seq"]
    assert by(f"until={entries[0]['epoch']}") == []
    assert api.call("GET", "/_mock/requests?limit=0").status_code == 400
    assert api.call("GET", "/_mock/requests?status=abc").status_code == 400


def test_stats_counters_are_exact(api: Api) -> None:
    for i in range(7):
        api.create_user(f"s.{i}@example.com")
    api.create_user("s.0@example.com")  # duplicate: 400
    stats = api.call("GET", "/_mock/stats").json
    assert stats["users"] == 7
    assert stats["counters"]["requests"] == 8
    assert stats["counters"]["status.200"] == 7
    assert stats["counters"]["status.400"] == 1
    assert stats["buckets"]["users.collection"]["requests"] == 8


def test_control_plane_needs_the_token(api: Api) -> None:
    response = api.client.post("/_mock/reset")
    assert response.status_code == 401
    assert response.json["errorCode"] == "E0000011"


def test_control_calls_are_not_journaled(api: Api) -> None:
    api.call("GET", "/_mock/stats")
    api.call("GET", "/_mock/config")
    assert api.call("GET", "/_mock/requests").json["entries"] == []


SECRETS = {
    "plain": "Plain-Secret-Pw-1",
    "hash_value": "",  # filled below
    "salt": "SaltySecretSalt",
    "answer": "secret-answer-blue",
    "new": "New-Secret-Pw-2",
}


def test_no_secret_reaches_the_journal_or_the_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    hashed = _sha256("Hashed-Secret-Pw-3", SECRETS["salt"])
    api.call(
        "POST",
        "/api/v1/users?activate=false",
        {"profile": _profile("h@example.com"), "credentials": {"password": {"hash": hashed}}},
    )
    api.call(
        "POST",
        "/api/v1/users",
        {
            "profile": _profile("p@example.com"),
            "credentials": {
                "password": {"value": SECRETS["plain"]},
                "recovery_question": {"question": "Colour?", "answer": SECRETS["answer"]},
            },
        },
    )
    api.authn("p@example.com", SECRETS["plain"])
    api.authn("p@example.com", "Wrong-" + SECRETS["plain"])
    api.call(
        "POST",
        "/api/v1/users/p@example.com/credentials/change_password",
        {"oldPassword": {"value": SECRETS["plain"]}, "newPassword": {"value": SECRETS["new"]}},
    )
    api.call(
        "POST",
        "/api/v1/users/p@example.com",
        {"credentials": {"password": {"value": SECRETS["plain"] + "x"}}},
    )
    api.call("POST", "/api/v1/users", b'{"profile": {"login": "' + SECRETS["plain"].encode())
    journal = json.dumps(api.call("GET", "/_mock/requests").json)
    stats = json.dumps(api.call("GET", "/_mock/stats").json)
    system_log = json.dumps(api.call("GET", "/api/v1/logs?limit=1000").json)
    assert "user.account.update_password" in system_log  # the System Log is swept too
    everything = journal + stats + system_log + caplog.text
    for secret in (
        SECRETS["plain"],
        SECRETS["answer"],
        SECRETS["new"],
        SECRETS["salt"],
        hashed["value"],
        "Hashed-Secret-Pw-3",
    ):
        assert secret not in everything
    assert "[redacted]" in journal
    first = api.call("GET", "/_mock/requests").json["entries"][0]
    sent = first["body"]["credentials"]["password"]["hash"]
    assert sent == {  # what was sent stays visible, not its secrets
        "algorithm": "SHA-256",
        "salt": "[redacted]",
        "saltOrder": "PREFIX",
        "value": "[redacted]",
    }


def test_all_users_are_listed_without_rate_limits(api: Api, org: Org) -> None:
    org.configure({"limits": {"users.collection": 1}})
    users = [{"profile": _profile(f"all.{i}@example.com")} for i in range(250)]
    api.call("POST", "/_mock/users", {"users": users})
    api.call("DELETE", f"/api/v1/users/{org.store.get_user('all.7@example.com').id}")
    first = api.call("GET", "/_mock/users").json
    assert len(first["users"]) == 200
    rest = api.call("GET", f"/_mock/users?after={first['next']}").json
    assert rest["next"] is None
    everyone = first["users"] + rest["users"]
    assert len({u["id"] for u in everyone}) == 250
    assert "DEPROVISIONED" in {u["status"] for u in everyone}
    assert "X-Rate-Limit-Limit" not in api.call("GET", "/_mock/users").headers


def test_bulk_seed_takes_bodies_beyond_the_api_limit(api: Api, org: Org) -> None:
    users = [{"profile": _profile(f"big.{i}@example.com")} for i in range(9000)]
    body = json.dumps({"users": users})
    assert len(body) > org.settings.max_body_bytes  # an Okta API call this big is refused
    response = api.call("POST", "/_mock/users", body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    assert org.store.count_users() == 9000
