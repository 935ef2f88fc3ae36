"""GET /api/v1/logs: each event type from the action that causes it, filters, q, paging (the
bounded and the polling forms), Okta's errors, the SPEC's LogEvent, its own rate-limit bucket."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mock_okta.clock import ManualClock
from mock_okta.hooks import HookReport, RequestContext
from mock_okta.org import Org
from mock_okta.syslog.events import iso_ms
from tests.conftest import Api
from tests.e2e import test_openapi_schemas as openapi
from tests.e2e.test_openapi_schemas import Validate
from tests.helpers import (
    PASSWORD,
    assert_error,
    bcrypt_hash,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

spec = openapi.spec  # the SPEC's session fixtures, shared rather than reloaded
validate = openapi.validate


def logs(api: Api, query: str = "", status: int = 200) -> list[dict[str, Any]]:
    response = api.call("GET", f"/api/v1/logs{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    return list(response.get_json())


def types(api: Api, query: str = "") -> list[str]:
    return [e["eventType"] for e in logs(api, query)]


def next_link(response: Any) -> str | None:
    for link in response.headers.getlist("Link"):
        if link.endswith('rel="next"'):
            return link[1 : link.index(">")].removeprefix("http://localhost")
    return None


class FakeHook:
    """The password import hook, answering from a set of (login, password) pairs."""

    def __init__(self, good: set[tuple[str, str]]) -> None:
        self.good = good

    def verify(self, username: str, password: str, context: RequestContext) -> HookReport:
        ok = (username, password) in self.good
        return HookReport("cal1", "https://legacy/verify", ok, "VERIFIED" if ok else "UNVERIFIED")


def test_lifecycle_events_come_from_their_actions(api: Api) -> None:
    uid = api.created_id(query="?activate=false", credentials=with_password())
    for action in ("activate", "suspend", "unsuspend", "deactivate"):
        assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/{action}").status_code == 200
    assert api.call("DELETE", f"/api/v1/users/{uid}").status_code == 204
    assert types(api) == [
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "user.lifecycle.suspend",
        "user.lifecycle.unsuspend",
        "user.lifecycle.deactivate",
        "user.lifecycle.delete.initiated",
    ]
    event = logs(api)[0]
    assert event["target"][0]["id"] == uid
    assert event["target"][0]["alternateId"] == "isaac.brock@example.com"
    assert event["outcome"] == {"result": "SUCCESS"}
    assert event["severity"] == "INFO"
    assert event["transaction"]["detail"]["requestApiTokenId"].startswith("00T")


def test_create_active_logs_create_then_activate_and_reactivate(api: Api) -> None:
    uid = api.created_id()  # no password: PROVISIONED
    assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/reactivate").status_code == 200
    assert types(api) == [
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "user.lifecycle.reactivate",
    ]


def test_profile_and_password_updates(api: Api) -> None:
    uid = api.created_id(credentials=with_password())
    api.call("POST", f"/api/v1/users/{uid}", {"profile": {"firstName": "Ike"}})
    api.call("POST", f"/api/v1/users/{uid}", {"credentials": with_password("Other-Horse-77")})
    changed = api.call(
        "POST",
        f"/api/v1/users/{uid}/credentials/change_password",
        {"oldPassword": {"value": "Other-Horse-77"}, "newPassword": {"value": "Third-Horse-88"}},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert types(api)[2:] == [
        "user.account.update_profile",
        "user.account.update_password",
        "user.account.update_password",
    ]


def test_sign_ins_success_failure_and_lock(api: Api, org: Org) -> None:
    api.call("PUT", "/_mock/config", {"lockoutAttempts": 2})
    api.created_id(credentials=with_password())
    login = "isaac.brock@example.com"
    assert api.authn(login, PASSWORD).status_code == 200
    assert api.authn(login, "wrong-1").status_code == 401
    assert api.authn(login, "wrong-2").status_code == 401  # the second: locked out
    assert api.authn(login, PASSWORD).status_code == 401
    assert api.authn("nobody@example.com", PASSWORD).status_code == 401
    sessions = logs(api, '?filter=eventType eq "user.session.start"')
    assert [(e["outcome"]["result"], e["outcome"].get("reason")) for e in sessions] == [
        ("SUCCESS", None),
        ("FAILURE", "INVALID_CREDENTIALS"),
        ("FAILURE", "INVALID_CREDENTIALS"),
        ("FAILURE", "LOCKED_OUT"),
        ("FAILURE", "UNKNOWN_USER"),
    ]
    assert sessions[0]["actor"]["alternateId"] == login
    assert sessions[-1]["actor"]["alternateId"] == "nobody@example.com"
    assert types(api, '?filter=eventType eq "user.account.lock"') == ["user.account.lock"]
    assert logs(api, '?filter=eventType eq "user.account.lock"')[0]["severity"] == "WARN"


def test_import_password_hook_verdicts(api: Api, org: Org) -> None:
    hook = {"password": {"hook": {"type": "default"}}}
    good = api.created_id("good@example.com", "?activate=false", credentials=hook)
    bad = api.created_id("bad@example.com", "?activate=false", credentials=hook)
    for uid in (good, bad):
        api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate?sendEmail=false")
    org.authn.hook = FakeHook({("good@example.com", PASSWORD)})
    assert api.authn("good@example.com", PASSWORD).status_code == 200
    assert api.authn("bad@example.com", PASSWORD).status_code == 401
    imports = logs(api, '?filter=eventType eq "user.import.password"')
    assert [(e["target"][0]["id"], e["outcome"]["result"]) for e in imports] == [
        (good, "SUCCESS"),
        (bad, "FAILURE"),
    ]
    assert imports[1]["outcome"]["reason"] == "UNVERIFIED"
    # Verified once, re-hashed: the second sign-in does not ask the hook again.
    assert api.authn("good@example.com", PASSWORD).status_code == 200
    assert len(logs(api, '?filter=eventType eq "user.import.password"')) == 2


def test_group_and_app_memberships(api: Api) -> None:
    uid = api.created_id(credentials=with_password())
    group = api.call("POST", "/api/v1/groups", {"profile": {"name": "Migrated"}}).get_json()
    api.call("PUT", f"/api/v1/groups/{group['id']}/users/{uid}")
    api.call("PUT", f"/api/v1/groups/{group['id']}/users/{uid}")  # already a member: no event
    api.call("DELETE", f"/api/v1/groups/{group['id']}/users/{uid}")
    app = api.call(
        "POST", "/api/v1/apps", {"name": "bookmark", "label": "Wiki", "signOnMode": "BOOKMARK",
                                 "settings": {"app": {"url": "https://wiki.example.com"}}},
    ).get_json()  # fmt: skip
    assert api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid}).status_code == 200
    assert api.call("DELETE", f"/api/v1/apps/{app['id']}/users/{uid}").status_code == 204
    events = logs(
        api, '?filter=eventType sw "group.user_membership" or eventType sw "application."'
    )
    assert [e["eventType"] for e in events] == [
        "group.user_membership.add",
        "group.user_membership.remove",
        "application.user_membership.add",
        "application.user_membership.remove",
    ]
    assert events[0]["target"][1] == {
        "id": group["id"], "type": "UserGroup", "alternateId": "Migrated", "displayName": "Migrated"
    }  # fmt: skip
    assert events[2]["target"][1]["type"] == "AppInstance"


def test_created_in_groups_logs_each_membership(api: Api) -> None:
    group = api.call("POST", "/api/v1/groups", {"profile": {"name": "Wave 1"}}).get_json()
    api.created_id(credentials=with_password(), groupIds=[group["id"]])
    assert types(api) == [
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "group.user_membership.add",
    ]


def test_rate_limit_warning_and_violation_once_per_window(api: Api) -> None:
    api.call("PUT", "/_mock/config", {"limits": {"users.get": 10}, "tokenShare": 100})
    uid = api.created_id()
    statuses = [api.call("GET", f"/api/v1/users/{uid}").status_code for _ in range(14)]
    assert statuses.count(429) == 4
    limited = logs(api, '?filter=eventType sw "system.org.rate_limit"')
    assert [e["eventType"] for e in limited] == [
        "system.org.rate_limit.warning",
        "system.org.rate_limit.violation",
    ]
    assert limited[1]["outcome"] == {"result": "FAILURE", "reason": "RATE_LIMIT"}
    assert limited[1]["debugContext"]["debugData"]["bucket"] == "users.get"
    assert limited[1]["actor"]["type"] == "SystemPrincipal"


def test_concurrency_violation(api: Api, org: Org) -> None:
    api.call("PUT", "/_mock/config", {"concurrencyLimit": 1})
    org.inflight.enter(1, None, None)  # one request already in flight
    try:
        assert api.call("GET", "/api/v1/users").status_code == 429
        assert api.call("GET", "/api/v1/users").status_code == 429
    finally:
        org.inflight.leave(None)
    assert types(api) == ["core.concurrency.org.limit.violation"]


def test_filters_on_outcome_actor_and_target(api: Api) -> None:
    first = api.created_id("a@example.com", credentials=with_password())
    second = api.created_id("b@example.com", credentials=with_password())
    api.authn("a@example.com", "wrong")
    assert types(api, '?filter=outcome.result eq "FAILURE"') == ["user.session.start"]
    assert len(logs(api, f'?filter=target.id eq "{second}"')) == 2
    assert len(logs(api, f'?filter=actor.id eq "{first}"')) == 1
    either = f'(target.id eq "{first}" or target.id eq "{second}")'
    both = f'?filter={either} and eventType eq "user.lifecycle.create"'
    assert len(logs(api, both)) == 2
    assert len(logs(api, '?filter=target.alternateId co "b@exa"')) == 2
    assert len(logs(api, '?filter=not (eventType eq "user.lifecycle.create")')) == 3
    assert len(logs(api, "?q=b@example.com")) == 2
    assert len(logs(api, "?q=B@EXAMPLE.COM lifecycle.create")) == 1


def test_bad_parameters_are_oktas_400s(api: Api) -> None:
    date_problems = [
        "The date format in your query is not recognized. Please enter dates using ISO8601"
        " string format.",
        "must be a valid date-time or empty.",
    ]
    assert_error(
        api.call("GET", "/api/v1/logs?until=01-01-2017"), 400, "E0000001",
        "Api validation failed: 'until': " + date_problems[0] + ". 'until': " + date_problems[1],
        [f"until: {p}" for p in date_problems],
    )  # fmt: skip
    for query in (
        "since=foobar",
        "limit=1001",
        "limit=-1",
        "limit=ten",
        "sortOrder=UP",
        "filter=eventType eq",
        'filter=published gt "2020-01-01T00:00:00Z"',
        'filter=debugContext.debugData.url co "x"',
        "q=" + " ".join(["w"] * 11),
        "q=" + "x" * 41,
        "after=nonsense",
    ):
        response = api.call("GET", f"/api/v1/logs?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["errorCode"] == "E0000001", query


def test_bounded_paging_ends(api: Api, clock: ManualClock) -> None:
    for i in range(5):
        api.created_id(f"u{i}@example.com")  # two events each
        clock.advance(1)
    until = iso_ms(int(clock.now() * 1000))
    path: str | None = f"/api/v1/logs?until={until}&limit=4"
    seen: list[str] = []
    pages = 0
    while path:
        response = api.call("GET", path)
        assert response.status_code == 200
        seen += [e["uuid"] for e in response.get_json()]
        path = next_link(response)
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 10
    descending = logs(api, f"?until={until}&sortOrder=DESCENDING&limit=3")
    everything = logs(api, f"?until={until}")
    assert [e["uuid"] for e in descending] == [e["uuid"] for e in everything[::-1][:3]]


def test_polling_next_link_keeps_returning_new_events(api: Api, clock: ManualClock) -> None:
    since = iso_ms(int(clock.now() * 1000))
    api.created_id("first@example.com")
    response = api.call("GET", f"/api/v1/logs?since={since}&limit=100")
    assert len(response.get_json()) == 2
    poll = next_link(response)
    assert poll is not None
    query = parse_qs(urlsplit(poll).query)
    assert query["since"] == [since]
    assert "until" not in query
    response = api.call("GET", poll)
    assert response.get_json() == []
    poll = next_link(response)  # still a next link when nothing is new
    assert poll is not None
    clock.advance(5)
    api.created_id("second@example.com")
    response = api.call("GET", poll)
    assert [e["target"][0]["alternateId"] for e in response.get_json()] == [
        "second@example.com"
    ] * 2


def test_default_since_is_seven_days_before_until(api: Api, clock: ManualClock) -> None:
    api.created_id()
    clock.advance(8 * 24 * 3600)
    assert logs(api) == []
    assert len(logs(api, "?since=2000-01-01T00:00:00.000Z")) == 2


def test_events_match_the_specs_log_event(api: Api, org: Org, validate: Validate) -> None:
    api.call("PUT", "/_mock/config", {"lockoutAttempts": 1})
    uid = api.created_id(credentials=with_password())
    api.call("POST", f"/api/v1/users/{uid}", {"profile": {"firstName": "Ike"}})
    api.authn("isaac.brock@example.com", "wrong")
    api.authn("nobody@example.com", "wrong")
    events = logs(api)
    assert len(events) >= 5
    for event in events:
        validate("LogEvent", event)


def test_the_log_never_holds_a_password_hash_or_token(api: Api, org: Org) -> None:
    secret_hash = sha_hash(PASSWORD)
    uid = api.created_id(
        "hashed@example.com", "?activate=false", credentials=with_hash(secret_hash)
    )
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate?sendEmail=false")
    session = api.authn("hashed@example.com", PASSWORD).get_json()["sessionToken"]
    api.authn("hashed@example.com", "Wrong-Horse-1")
    api.call("POST", f"/api/v1/users/{uid}", {"credentials": with_password("Other-Horse-77")})
    seeded_hash: Any = bcrypt_hash("Seeded-Horse-55")
    seeded = [
        {"profile": profile("seeded@example.com"), "credentials": with_hash(seeded_hash)},
        {"profile": profile("plain@example.com"), "credentials": with_password("Quiet-River-66")},
    ]
    assert api.call("POST", "/_mock/users", {"users": seeded}).status_code == 201
    with org.db.read() as conn:
        stored = "\n".join(str(r[0]) for r in conn.execute("SELECT body FROM log_events"))
    text = stored + json.dumps(logs(api))
    assert "hashed@example.com" in text  # the sweep reads real events
    assert "seeded@example.com" in text  # the bulk seed's too
    assert "plain@example.com" in text
    password: Any = secret_hash
    for secret in (PASSWORD, "Wrong-Horse-1", "Other-Horse-77", session, "test-token",
                   password["value"], password["salt"], "Seeded-Horse-55", "Quiet-River-66",
                   seeded_hash["value"], seeded_hash["salt"]):  # fmt: skip
        assert secret not in text


def test_logs_have_their_own_bucket(api: Api) -> None:
    api.call("PUT", "/_mock/config", {"limits": {"logs": 2}, "tokenShare": 100})
    statuses = [api.call("GET", "/api/v1/logs").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.call("GET", "/api/v1/users").status_code == 200


def test_retention_keeps_the_newest_events(org: Org, api: Api) -> None:
    org.syslog.retention = 3
    for i in range(3):
        api.created_id(f"r{i}@example.com")
    with org.db.write() as conn:
        org.syslog.prune(conn)
    kept = logs(api)
    assert [e["target"][0]["alternateId"] for e in kept] == ["r1@example.com"] + [
        "r2@example.com"
    ] * 2


def test_events_roll_back_with_their_action(api: Api) -> None:
    api.created_id("taken@example.com")
    response = api.create_user("taken@example.com")
    assert response.status_code == 400
    group = api.call("POST", "/api/v1/groups", {"profile": {"name": "G"}}).get_json()
    missing = api.create_user("new@example.com", groupIds=[group["id"], "00gmissing0000000000"])
    assert missing.status_code == 404
    assert types(api) == ["user.lifecycle.create", "user.lifecycle.activate"]


@pytest.mark.parametrize("events", [True, False])
def test_events_can_be_turned_off(events: bool, tmp_path: Any) -> None:
    from mock_okta.app import create_app
    from mock_okta.config import Settings

    app = create_app(Settings(db=":memory:", syslog_events=events))
    client = Api(app.test_client())
    client.created_id()
    assert len(logs(client)) == (2 if events else 0)
