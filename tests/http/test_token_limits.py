"""Per-token rate limits: each API token's share of a bucket and of the concurrency limit
(DEVDOCS rl2-token-oauth), principal rate limits, token identities, stats and the journal."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_okta.app import create_app
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org
from mock_okta.tokens import Tokens
from tests.helpers import assert_error

TOKENS = ("token-a", "token-b", "token-c")
TOKEN_ID = re.compile(r"^00T[A-Za-z0-9]{17}$")


@pytest.fixture
def org(clock: ManualClock) -> Iterator[Org]:
    org = Org(Settings(db=":memory:", seed=7, tokens=TOKENS), clock=clock, ids=IdFactory(7))
    yield org
    org.close()


@pytest.fixture
def client(org: Org) -> FlaskClient:
    return create_app(org=org).test_client()


def call(
    client: FlaskClient, token: str, method: str = "GET", path: str = "/api/v1/users", **kw: Any
) -> Any:
    return client.open(path, method=method, headers={"Authorization": f"SSWS {token}"}, **kw)


def allowed(client: FlaskClient, token: str, tries: int = 20) -> int:
    """How many of `tries` list calls the token gets through in the current window."""
    return sum(call(client, token).status_code == 200 for _ in range(tries))


def token_id(token: str) -> str:
    found = Tokens([token]).authenticate(token)
    assert found is not None
    return found.id


def share(client: FlaskClient, token: str, percent: int, concurrency: int | None = None) -> Any:
    body: dict[str, Any] = {
        "principalId": token_id(token),
        "principalType": "SSWS_TOKEN",
        "defaultPercentage": percent,
    }
    if concurrency is not None:
        body["defaultConcurrencyPercentage"] = concurrency
    return call(client, "token-a", "POST", "/api/v1/principal-rate-limits", json=body)


# ----- shares of a bucket


def test_each_token_alone_gets_its_half_both_together_the_whole(
    client: FlaskClient, org: Org
) -> None:
    org.configure({"limits": {"users.collection": 10}})
    assert allowed(client, "token-a") == 5
    assert allowed(client, "token-b") == 5
    assert allowed(client, "token-c") == 0  # the org's 10 are used up
    assert allowed(client, "token-a") == 0


def test_a_third_token_gets_only_what_is_left_of_the_org(
    client: FlaskClient, org: Org, clock: ManualClock
) -> None:
    org.configure({"limits": {"users.collection": 10}})
    assert allowed(client, "token-a", 3) == 3
    assert allowed(client, "token-b") == 5
    assert allowed(client, "token-c") == 2  # its share is 5, but only 2 of the 10 are left
    clock.advance(60)  # every window ends: each token has its share again
    assert allowed(client, "token-c") == 5


def test_a_principal_rate_limit_of_100_percent_gets_the_whole_bucket(
    client: FlaskClient, org: Org
) -> None:
    org.configure({"limits": {"users.collection": 10}})
    assert share(client, "token-a", 100).status_code == 201
    assert allowed(client, "token-a") == 10
    assert allowed(client, "token-b") == 0  # the org-wide bucket still holds


def test_shares_may_add_up_to_more_than_100_percent(client: FlaskClient, org: Org) -> None:
    # DEVDOCS rl2-token-oauth: two tokens at 75 % of 1000 share the 1000, first come first served
    org.configure({"limits": {"users.collection": 8}})
    share(client, "token-a", 75)
    share(client, "token-b", 75)
    assert allowed(client, "token-a") == 6
    assert allowed(client, "token-b") == 2


def test_token_share_100_turns_the_share_off(client: FlaskClient, org: Org) -> None:
    org.configure({"limits": {"users.collection": 10}, "tokenShare": 100})
    assert allowed(client, "token-a") == 10


def test_the_capped_tokens_headers(client: FlaskClient, org: Org, clock: ManualClock) -> None:
    org.configure({"limits": {"users.collection": 10}})
    first = call(client, "token-a")
    assert first.headers["X-Rate-Limit-Limit"] == "5"  # the token's share (a setting)
    assert first.headers["X-Rate-Limit-Remaining"] == "4"
    for _ in range(4):
        call(client, "token-a")
    refused = call(client, "token-a")
    assert refused.status_code == 429
    assert (refused.headers["X-Rate-Limit-Limit"], refused.headers["X-Rate-Limit-Remaining"]) == (
        "5",
        "0",
    )
    assert refused.headers["X-Rate-Limit-Reset"] == first.headers["X-Rate-Limit-Reset"]
    # token-b opens its own window later; the org's remainder is what binds it
    clock.advance(10)
    other = call(client, "token-b")
    assert (other.headers["X-Rate-Limit-Limit"], other.headers["X-Rate-Limit-Remaining"]) == (
        "5",
        "4",
    )
    for _ in range(4):
        call(client, "token-b")
    # the org's window (opened by token-a) is used up: token-b's reset is the org's
    assert (
        call(client, "token-c").headers["X-Rate-Limit-Reset"] == first.headers["X-Rate-Limit-Reset"]
    )


def test_the_org_limit_in_the_header_is_a_setting(client: FlaskClient, org: Org) -> None:
    org.configure({"limits": {"users.collection": 10}, "tokenLimitHeader": "org"})
    first = call(client, "token-a")
    assert first.headers["X-Rate-Limit-Limit"] == "10"
    assert first.headers["X-Rate-Limit-Remaining"] == "4"  # still what the token has left


def test_public_sign_ins_count_only_against_the_org(client: FlaskClient, org: Org) -> None:
    org.configure({"limits": {"authn": 4}, "authnPerUserPerSecond": 100})
    body = {"username": "nobody@example.com", "password": "x"}
    codes = [client.post("/api/v1/authn", json=body).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    assert client.post("/api/v1/authn", json=body).headers["X-Rate-Limit-Limit"] == "4"


def create_until(client: FlaskClient, clock: ManualClock, tokens: list[str], count: int) -> None:
    """`count` creates, the tokens taking turns, each waiting for its reset after a 429."""
    made = 0
    while made < count:
        token = tokens[made % len(tokens)]
        login = f"p.{made}@example.com"
        body = {"profile": {"login": login, "email": login, "firstName": "P", "lastName": "T"}}
        response = call(client, token, "POST", json=body)
        if response.status_code == 429:
            clock.advance(float(response.headers["X-Rate-Limit-Reset"]) - clock.now())
            continue
        made += 1


@pytest.mark.parametrize(("tokens", "seconds", "limit"), [(1, 240.0, 3), (2, 120.0, 6)])
def test_projections_take_the_share_into_account(
    client: FlaskClient, org: Org, clock: ManualClock, tokens: int, seconds: float, limit: int
) -> None:
    # 6 a minute org-wide at 60x, 3 for a token: 12 creates fill four windows with one token,
    # two with both (the org's 6): 4 and 2 Okta minutes.
    org.configure({"timeScale": 60, "limits": {"users.collection": 6}})
    create_until(client, clock, list(TOKENS[:tokens]), 12)
    stats = call(client, "token-c", path="/_mock/stats").get_json()
    bucket = stats["buckets"]["users.collection"]
    assert bucket["projectedOktaSeconds"] == seconds
    assert bucket["limitPerMinute"] == limit  # the limit the run met
    assert [t["requests"] for t in stats["tokens"][:tokens]] == [
        t["buckets"]["users.collection"]["requests"] for t in stats["tokens"][:tokens]
    ]


# ----- the concurrency share


def test_a_token_may_have_half_the_requests_in_flight(client: FlaskClient, org: Org) -> None:
    org.configure({"concurrencyLimit": 4})
    a = org.tokens.authenticate("token-a")
    assert a is not None
    assert org.token_limit("concurrency", a) == 2
    for _ in range(2):
        assert org.inflight.enter(4, a.index, 2)  # two of token-a's requests in flight
    try:
        refused = call(client, "token-a")
        assert refused.status_code == 429
        assert (
            refused.headers["X-Rate-Limit-Limit"],
            refused.headers["X-Rate-Limit-Remaining"],
        ) == (
            "0",
            "0",
        )
        assert call(client, "token-b").status_code == 200  # the org has room for token-b
    finally:
        org.inflight.leave(a.index)
        org.inflight.leave(a.index)
    assert call(client, "token-a").status_code == 200
    assert org.inflight.total() == 0
    assert org.inflight.total(a.index) == 0


@pytest.mark.parametrize(
    ("config", "ahead"),
    [({}, 60.0), ({"concurrencyResetSeconds": 114}, 114.0), ({"timeScale": 60}, 1.0)],
)
def test_a_concurrency_429_suggests_a_reset_a_minute_ahead(
    client: FlaskClient, org: Org, clock: ManualClock, config: dict[str, Any], ahead: float
) -> None:
    # Real orgs put it one to two minutes ahead (okta-sdk-python#270); Okta seconds, scaled.
    org.configure({"concurrencyLimit": 2, **config})
    a = org.tokens.authenticate("token-a")
    assert a is not None
    assert org.inflight.enter(2, a.index, 1)
    try:
        refused = call(client, "token-a")
    finally:
        org.inflight.leave(a.index)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Reset"] == str(math.ceil(clock.now() + ahead))
    entry = call(client, "token-b", path="/_mock/requests").get_json()["entries"][-1]
    assert entry["rateLimit"] == {
        "limit": 0,
        "remaining": 0,
        "reset": math.ceil(clock.now() + ahead),
    }


def test_the_concurrency_share_comes_from_the_principal_rate_limit(
    client: FlaskClient, org: Org
) -> None:
    org.configure({"concurrencyLimit": 10})
    a = org.tokens.authenticate("token-a")
    assert a is not None
    share(client, "token-a", 50, concurrency=30)
    assert org.token_limit("concurrency", a) == 3
    assert org.token_limit("users.collection", a) == 300


# ----- identities, stats, journal


def test_tokens_have_stable_okta_shaped_ids() -> None:
    ids = [token_id(t) for t in TOKENS]
    assert all(TOKEN_ID.match(i) for i in ids)
    assert len(set(ids)) == 3
    assert ids == [token_id(t) for t in TOKENS]  # the same for every seed and restart
    assert all(t not in i for t, i in zip(TOKENS, ids, strict=True))


def test_stats_list_each_token_with_its_own_counts(client: FlaskClient, org: Org) -> None:
    org.configure({"limits": {"users.collection": 4}})
    allowed(client, "token-a", 3)
    call(client, "token-b", path="/api/v1/users/nobody@example.com")
    stats = call(client, "token-c", path="/_mock/stats").get_json()
    a, b, c = stats["tokens"]
    assert [t["id"] for t in stats["tokens"]] == [token_id(t) for t in TOKENS]
    assert a == {
        "id": token_id("token-a"),
        "share": 50,
        "concurrencyShare": 50,
        "principalRateLimitId": None,
        "requests": 3,
        "rateLimited": 1,
        "inflight": 0,
        "buckets": {"users.collection": {"requests": 3, "rateLimited": 1, "limitPerMinute": 2}},
    }
    assert b["requests"] == 1
    assert b["buckets"] == {"users.get": {"requests": 1, "rateLimited": 0, "limitPerMinute": 1000}}
    assert c["requests"] == 0  # the control plane is not counted
    assert stats["buckets"]["users.collection"]["limitPerMinute"] == 2
    text = call(client, "token-a", path="/_mock/stats").get_data(as_text=True)
    assert not any(t in text for t in TOKENS)


def test_the_journal_names_the_token_by_id_never_by_value(client: FlaskClient) -> None:
    call(client, "token-b")
    client.post("/api/v1/authn", json={"username": "x@example.com", "password": "y"})
    response = call(client, "token-a", path="/_mock/requests")
    entries = response.get_json()["entries"]
    assert [e["token"] for e in entries] == [token_id("token-b"), None]
    assert not any(t in response.get_data(as_text=True) for t in TOKENS)


# ----- /api/v1/principal-rate-limits


def test_create_get_list_and_replace(client: FlaskClient, org: Org, clock: ManualClock) -> None:
    created = share(client, "token-b", 80, concurrency=40)
    assert created.status_code == 201
    entity = created.get_json()
    assert re.match(r"^prl[A-Za-z0-9]{17}$", entity["id"])
    assert list(entity) == [  # as a real org answers (recorded, 2025)
        "id",
        "orgId",
        "principalId",
        "principalType",
        "defaultPercentage",
        "defaultConcurrencyPercentage",
        "lastUpdate",
        "lastUpdatedBy",
        "createdDate",
        "createdBy",
    ]
    assert re.match(r"^00o[A-Za-z0-9]{17}$", entity["orgId"])
    assert entity["principalId"] == token_id("token-b")
    assert (entity["defaultPercentage"], entity["defaultConcurrencyPercentage"]) == (80, 40)
    assert entity["createdDate"] == entity["lastUpdate"] == "2023-11-14T22:13:20Z"
    assert re.match(r"^00u[A-Za-z0-9]{17}$", entity["createdBy"])  # token-a's admin
    path = f"/api/v1/principal-rate-limits/{entity['id']}"
    assert call(client, "token-c", path=path).get_json() == entity
    listed = call(
        client, "token-c", path='/api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"'
    )
    assert listed.get_json() == [entity]
    assert listed.headers["Link"].endswith('rel="self"')
    none = call(
        client,
        "token-c",
        path='/api/v1/principal-rate-limits?filter=principalType eq "OAUTH_CLIENT"',
    )
    assert none.get_json() == []
    clock.advance(61.5)
    body = {
        "principalId": token_id("token-b"),
        "principalType": "SSWS_TOKEN",
        "defaultPercentage": 20,
    }
    replaced = call(client, "token-c", "PUT", path, json=body).get_json()
    assert (replaced["defaultPercentage"], replaced["defaultConcurrencyPercentage"]) == (20, 40)
    assert replaced["lastUpdate"] == "2023-11-14T22:14:21Z"
    assert replaced["createdDate"] == entity["createdDate"]
    assert replaced["lastUpdatedBy"] != entity["lastUpdatedBy"]  # token-c's admin this time
    b = org.tokens.authenticate("token-b")
    assert b is not None
    assert org.token_limit("users.collection", b) == 120  # 20 % of 600, at once


def test_entities_left_out_of_a_create_take_the_org_default(client: FlaskClient, org: Org) -> None:
    org.configure({"tokenShare": 30})
    body = {"principalId": token_id("token-b"), "principalType": "SSWS_TOKEN"}
    entity = call(client, "token-a", "POST", "/api/v1/principal-rate-limits", json=body).get_json()
    assert (entity["defaultPercentage"], entity["defaultConcurrencyPercentage"]) == (30, 30)


def test_a_second_worker_sees_a_new_share(tmp_path: Any, clock: ManualClock) -> None:
    settings = Settings(db=str(tmp_path / "org.db"), tokens=TOKENS)
    first = Org(settings, clock=clock)
    second = Org(settings, clock=clock, publish=False, shared=None)
    try:
        b = second.tokens.authenticate("token-b")
        assert b is not None
        assert second.token_limit("users.collection", b) == 300
        client = create_app(org=first).test_client()
        assert share(client, "token-b", 10).status_code == 201
        second.sync()  # what every worker does at the start of a request
        assert second.token_limit("users.collection", b) == 60
    finally:
        first.close()
        second.close()


def test_a_reset_removes_principal_rate_limits(client: FlaskClient, org: Org) -> None:
    share(client, "token-a", 100)
    call(client, "token-a", "POST", "/_mock/reset")
    a = org.tokens.authenticate("token-a")
    assert a is not None
    assert org.token_limit("users.collection", a) == 300
    listed = call(
        client, "token-a", path='/api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"'
    )
    assert listed.get_json() == []


MEDIATED = "Api validation failed: principalRateLimitMediated"
NO_FILTER = (
    'The provided filter parameter did not contain the required attrbute filter "principalType"'
)


@pytest.mark.parametrize("query", ["", '?filter=principalId eq "00T1"', "?filter=x"])
def test_a_list_needs_a_principal_type_filter(client: FlaskClient, query: str) -> None:
    # recorded from a real org, typo included
    response = call(client, "token-a", path=f"/api/v1/principal-rate-limits{query}")
    assert_error(response, 400, "E0000001", MEDIATED, [NO_FILTER])


def test_a_second_entity_for_a_token_is_refused(client: FlaskClient) -> None:
    assert share(client, "token-b", 60).status_code == 201
    assert_error(share(client, "token-b", 70), 400, "E0000001", MEDIATED, [])  # recorded


def test_an_unknown_token_is_not_found(client: FlaskClient) -> None:
    body = {"principalId": "00T1dnauwfcmvN3bq1d7", "principalType": "SSWS_TOKEN"}
    response = call(client, "token-a", "POST", "/api/v1/principal-rate-limits", json=body)
    summary = "Not found: Resource not found: 00T1dnauwfcmvN3bq1d7 (Token)"  # recorded
    assert_error(response, 404, "E0000007", summary, [])


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_an_unknown_entity_is_not_found(client: FlaskClient, method: str) -> None:
    body = {"principalId": token_id("token-a"), "principalType": "SSWS_TOKEN"}
    response = call(
        client, "token-a", method, "/api/v1/principal-rate-limits/invalid-id-12345", json=body
    )
    summary = "Not found: Resource not found: invalid-id-12345 (PrincipalRateLimit)"  # recorded
    assert_error(response, 404, "E0000007", summary, [])


B = token_id("token-b")
LIST = '/api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"'


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"principalType": "SSWS_TOKEN"}, "principalId: The field cannot be left blank"),
        (
            {"principalId": B, "principalType": "GROUP"},
            "principalType: The value must be one of OAUTH_CLIENT, SSWS_TOKEN",
        ),
        (
            {"principalId": B, "principalType": "SSWS_TOKEN", "defaultPercentage": 101},
            "defaultPercentage: The value must be a whole number from 0 to 100",
        ),
        (
            {"principalId": B, "principalType": "SSWS_TOKEN", "defaultConcurrencyPercentage": "5"},
            "defaultConcurrencyPercentage: The value must be a whole number from 0 to 100",
        ),
    ],
)
def test_a_malformed_entity_is_refused(
    client: FlaskClient, body: dict[str, Any], cause: str
) -> None:
    response = call(client, "token-a", "POST", "/api/v1/principal-rate-limits", json=body)
    assert_error(response, 400, "E0000001", MEDIATED, [cause])
    assert call(client, "token-a", path=LIST).get_json() == []


def test_an_oauth_client_is_not_found(client: FlaskClient) -> None:
    body = {"principalId": "0oa7yh346zIE1y84p1e7", "principalType": "OAUTH_CLIENT"}
    response = call(client, "token-a", "POST", "/api/v1/principal-rate-limits", json=body)
    summary = "Not found: Resource not found: 0oa7yh346zIE1y84p1e7 (Application)"
    assert_error(response, 404, "E0000007", summary, [])


def test_a_replace_cannot_move_an_entity_to_another_token(client: FlaskClient) -> None:
    entity = share(client, "token-b", 60).get_json()
    body = {"principalId": token_id("token-c"), "principalType": "SSWS_TOKEN"}
    path = f"/api/v1/principal-rate-limits/{entity['id']}"
    response = call(client, "token-a", "PUT", path, json=body)
    assert_error(
        response,
        400,
        "E0000001",
        MEDIATED,
        ["principalId: The principal of an entity cannot change"],
    )


def test_a_page_of_principal_rate_limits(client: FlaskClient) -> None:
    for token in TOKENS:
        share(client, token, 40)
    query = '?filter=principalType eq "SSWS_TOKEN"&limit=2'
    first = call(client, "token-a", path=f"/api/v1/principal-rate-limits{query}")
    assert len(first.get_json()) == 2
    links = first.headers.getlist("Link")
    assert links[1].endswith('rel="next"')
    after = re.search(r"after=([^&>]+)", links[1])
    assert after is not None
    rest = call(
        client, "token-a", path=f"/api/v1/principal-rate-limits{query}&after={after.group(1)}"
    )
    assert len(rest.get_json()) == 1
    assert len(rest.headers.getlist("Link")) == 1
    bad = call(client, "token-a", path=f"{LIST}&limit=x")
    assert_error(bad, 400, "E0000029", "Invalid paging request.", [])


# ----- the settings


def test_token_settings_in_the_runtime_config(client: FlaskClient) -> None:
    config = call(client, "token-a", path="/_mock/config").get_json()
    assert (config["tokenShare"], config["tokenLimitHeader"]) == (50, "share")
    assert config["concurrencyResetSeconds"] == 60.0
    changed = call(
        client,
        "token-a",
        "PUT",
        "/_mock/config",
        json={"tokenShare": 100, "tokenLimitHeader": "org", "concurrencyResetSeconds": 114},
    ).get_json()
    assert (changed["tokenShare"], changed["tokenLimitHeader"]) == (100, "org")
    assert changed["concurrencyResetSeconds"] == 114.0
    for bad, cause in (
        ({"tokenShare": 0}, "tokenShare must be a whole number of percent from 1 to 100, not 0"),
        (
            {"tokenShare": 101},
            "tokenShare must be a whole number of percent from 1 to 100, not 101",
        ),
        (
            {"tokenShare": 50.5},
            "tokenShare must be a whole number of percent from 1 to 100, not 50.5",
        ),
        ({"tokenLimitHeader": "token"}, "tokenLimitHeader must be share or org, not 'token'"),
        (
            {"concurrencyResetSeconds": 0},
            "concurrencyResetSeconds must be a number > 0 and <= 86400, not 0",
        ),
    ):
        response = call(client, "token-a", "PUT", "/_mock/config", json=bad)
        assert_error(
            response, 400, "E0000001", "Api validation failed: config", [f"config: {cause}"]
        )


def test_token_settings_from_flags_environment_and_a_limits_file(tmp_path: Any) -> None:
    from mock_okta.server import build_parser, settings_from_args

    environ = {"MOCK_OKTA_TOKEN_SHARE": "70", "MOCK_OKTA_CONCURRENCY_RESET_SECONDS": "114"}
    assert Settings.from_env(environ).runtime.token_share == 70
    assert Settings.from_env(environ).runtime.concurrency_reset_seconds == 114.0
    assert (
        Settings.from_env({"MOCK_OKTA_TOKEN_LIMIT_HEADER": "org"}).runtime.token_limit_header
        == "org"
    )
    args = build_parser().parse_args(["--token-share", "100", "--token-limit-header", "org"])
    runtime = settings_from_args(args, environ).runtime
    assert (runtime.token_share, runtime.token_limit_header) == (100, "org")  # flags win
    limits = tmp_path / "org.json"
    limits.write_text('{"profile": "workforce", "users.collection": 1200, "tokenShare": 100}')
    runtime = settings_from_args(
        build_parser().parse_args(["--rate-limits", str(limits)]), {}
    ).runtime
    assert (runtime.limits, runtime.token_share) == ({"users.collection": 1200}, 100)
