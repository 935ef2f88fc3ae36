"""The bulk seed (POST /_mock/users) writes the System Log events the API create writes, in its
own transaction: nothing when it is refused, nothing with events off."""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.app import create_app
from mock_okta.config import Settings
from mock_okta.org import Org
from tests.conftest import Api
from tests.e2e import test_openapi_schemas as openapi
from tests.e2e.test_openapi_schemas import Validate
from tests.helpers import profile, sha_hash, with_hash, with_password

spec = openapi.spec
validate = openapi.validate


def seed(api: Api, *users: dict[str, Any], status: int = 201) -> Any:
    response = api.call("POST", "/_mock/users", {"users": list(users)})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def events(api: Api) -> list[dict[str, Any]]:
    response = api.call("GET", "/api/v1/logs?limit=1000")
    assert response.status_code == 200
    return list(response.get_json())


def summary(api: Api) -> list[tuple[str, str]]:
    return [(e["eventType"], e["target"][0]["alternateId"]) for e in events(api)]


def test_seed_logs_what_an_api_create_logs(api: Api, validate: Validate) -> None:
    seed(
        api,
        {"profile": profile("active@example.com"), "credentials": with_hash(sha_hash("Pw-1x"))},
        {"profile": profile("staged@example.com"), "status": "STAGED"},
        {"profile": profile("provisioned@example.com")},
    )
    assert summary(api) == [
        ("user.lifecycle.create", "active@example.com"),
        ("user.lifecycle.activate", "active@example.com"),
        ("user.lifecycle.create", "staged@example.com"),
        ("user.lifecycle.create", "provisioned@example.com"),
        ("user.lifecycle.activate", "provisioned@example.com"),
    ]
    api.create_user("api@example.com", credentials=with_password())
    seeded, created = events(api)[0], events(api)[-2]
    assert created["target"][0]["alternateId"] == "api@example.com"
    # The same actor (the token's admin), shape and token id as the API create; the request
    # says it was the seed.
    assert seeded["actor"] == created["actor"]
    assert seeded["actor"]["type"] == "User"
    assert seeded["transaction"]["detail"] == created["transaction"]["detail"]
    assert seeded["debugContext"]["debugData"]["requestUri"] == "/_mock/users"
    assert seeded["outcome"] == {"result": "SUCCESS"}
    assert set(seeded) == set(created)
    for event in events(api):
        validate("LogEvent", event)


def test_seed_logs_group_joins_and_the_status_it_sets(api: Api) -> None:
    result = seed(
        api,
        {"profile": profile("gold@example.com"), "groups": ["Gold", "Silver"]},
        {"profile": profile("gone@example.com"), "status": "DEPROVISIONED"},
        {"profile": profile("paused@example.com"), "status": "SUSPENDED"},
    )
    gold = result["users"][0]["id"]
    found = events(api)
    assert [e["eventType"] for e in found] == [
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "group.user_membership.add",
        "group.user_membership.add",
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "user.lifecycle.deactivate",
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "user.lifecycle.suspend",
    ]
    groups = api.call("GET", "/api/v1/groups?q=Gold").get_json()
    joins = [e for e in found if e["eventType"] == "group.user_membership.add"]
    assert joins[0]["target"][0]["id"] == gold
    assert joins[0]["target"][1] == {"id": groups[0]["id"], "type": "UserGroup"}
    by_target = api.call("GET", f'/api/v1/logs?filter=target.id eq "{gold}"').get_json()
    assert len(by_target) == 4


def test_a_refused_seed_writes_no_event(api: Api) -> None:
    seed(api, {"profile": profile("first@example.com")})
    before = events(api)
    seed(
        api,
        {"profile": profile("second@example.com")},
        {"profile": profile("first@example.com")},
        status=400,
    )
    assert events(api) == before


@pytest.mark.parametrize("on", [True, False])
def test_seed_events_follow_the_switch(on: bool) -> None:
    org = Org(Settings(db=":memory:", syslog_events=on))
    api = Api(create_app(org=org).test_client())
    seed(api, *({"profile": profile(f"u{i}@example.com")} for i in range(600)))
    with org.db.read() as conn:
        count = conn.execute("SELECT COUNT(*) FROM log_events").fetchone()[0]
    assert count == (1200 if on else 0)


def test_seed_events_are_pruned_to_the_retention(org: Org) -> None:
    org.syslog.retention = 50
    api = Api(create_app(org=org).test_client())
    seed(api, *({"profile": profile(f"u{i}@example.com")} for i in range(300)))
    with org.db.read() as conn:
        count = conn.execute("SELECT COUNT(*) FROM log_events").fetchone()[0]
    assert count == 50


def test_record_many_writes_the_bytes_record_writes() -> None:
    from mock_okta.clock import ManualClock
    from mock_okta.syslog import Event, Party, RequestInfo, bind
    from mock_okta.syslog.events import FAILURE, SYSTEM

    admin = Party("00uadmin", "User", "admin@mock-okta", "Mock Okta Admin")
    user = Party("00u1", "User", "ana@example.com", "Ana \u00c1lvarez")
    batch = [
        Event("user.lifecycle.create", (user,)),
        Event("user.lifecycle.activate", (user,)),
        Event("group.user_membership.add", (user, Party("00g1", "UserGroup"))),
        Event("user.lifecycle.create", (Party("00u2", "User", "b@example.com", "B"),)),
        Event("user.account.lock", (user,), SYSTEM, FAILURE, "LOCKED_OUT", {"k": "v"}),
    ]
    bodies = []
    for many in (False, True):
        org = Org(Settings(db=":memory:", seed=7), clock=ManualClock(1_700_000_000.0))
        bind(RequestInfo("req1", "127.0.0.1", "curl/8", "/_mock/users", admin, "00Ttoken"))
        try:
            with org.db.write() as conn:
                if many:
                    org.syslog.record_many(conn, batch)
                else:
                    for event in batch:
                        org.syslog.record(conn, event)
        finally:
            bind(None)
        with org.db.read() as conn:
            bodies.append([r[0] for r in conn.execute("SELECT body FROM log_events ORDER BY seq")])
    assert len(bodies[0]) == len(batch)
    assert bodies[1] == bodies[0]
