"""Rate-limit signals over HTTP: headers, 429 bodies, concurrency, per-user authn, exemptions."""

from __future__ import annotations

import math

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api

E0000047 = {
    "errorCode": "E0000047",
    "errorSummary": "API call exceeded rate limit due to too many requests.",
    "errorLink": "E0000047",
    "errorCauses": [],
}


def _without_id(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != "errorId"}


def test_every_api_response_carries_the_rate_limit_headers(api: Api, clock: ManualClock) -> None:
    created = api.create_user()
    assert created.status_code == 200
    # workforce users.collection is 600 a minute; one token may use half of it (Okta's default)
    assert created.headers["X-Rate-Limit-Limit"] == "300"
    assert created.headers["X-Rate-Limit-Remaining"] == "299"
    assert created.headers["X-Rate-Limit-Reset"] == str(math.ceil(clock.now() + 60))
    fetched = api.call("GET", "/api/v1/users/isaac.brock@example.com")
    assert fetched.headers["X-Rate-Limit-Limit"] == "1000"  # half of users.get's 2000
    refused = api.call("GET", "/api/v1/users", headers={"Authorization": "SSWS nope"})
    assert refused.status_code == 401  # a refused token is not counted against a bucket
    assert "X-Rate-Limit-Limit" not in refused.headers


def test_a_429_is_oktas_e0000047_with_the_windows_reset(
    api: Api, org: Org, clock: ManualClock
) -> None:
    org.configure({"limits": {"users.collection": 4}})  # 2 for the one token
    first = api.create_user("a.one@example.com")
    api.create_user("a.two@example.com")
    clock.advance(5)
    refused = api.create_user("a.three@example.com")
    assert refused.status_code == 429
    assert _without_id(refused.json) == E0000047
    assert refused.json["errorId"].startswith("oae")
    assert refused.headers["X-Rate-Limit-Limit"] == "2"
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert refused.headers["X-Rate-Limit-Reset"] == first.headers["X-Rate-Limit-Reset"]
    assert refused.headers["X-Okta-Request-Id"]
    assert org.store.find_user("a.three@example.com") is None  # refused before the view ran
    clock.advance(55)
    assert api.create_user("a.three@example.com").status_code == 200


def test_concurrency_limit_answers_429_with_limit_and_remaining_zero(api: Api, org: Org) -> None:
    org.configure({"concurrencyLimit": 1})
    assert org.inflight.enter(None)  # one request already in flight elsewhere
    try:
        refused = api.call("GET", "/api/v1/users")
    finally:
        org.inflight.leave()
    assert refused.status_code == 429
    assert _without_id(refused.json) == E0000047
    assert refused.headers["X-Rate-Limit-Limit"] == "0"
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert int(refused.headers["X-Rate-Limit-Reset"]) > 0
    assert api.call("GET", "/api/v1/users").status_code == 200  # nothing left in flight
    assert org.inflight.total() == 0


def test_concurrency_limit_comes_from_the_profile(org: Org) -> None:
    assert org.limit("concurrency") == 75
    org.configure({"rateLimits": "integrator-free"})
    assert org.limit("concurrency") == 35
    assert org.limit("users.collection") == 100


def test_four_authn_attempts_per_second_per_username(api: Api, clock: ManualClock) -> None:
    codes = [api.authn("someone@example.com", "wrong").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    assert api.authn("someone.else@example.com", "wrong").status_code == 401
    assert api.authn("SomeOne@example.com", "wrong").status_code == 429  # same login, any case
    clock.advance(1)
    assert api.authn("someone@example.com", "wrong").status_code == 401


def test_the_control_plane_is_never_limited(api: Api, org: Org) -> None:
    org.configure({"limits": {"api.default": 1, "users.collection": 1}})
    for _ in range(5):
        response = api.call("GET", "/_mock/stats")
        assert response.status_code == 200
        assert "X-Rate-Limit-Limit" not in response.headers


def test_profile_off_sends_no_rate_limit_headers(api: Api, org: Org) -> None:
    org.configure({"rateLimits": "off"})
    response = api.create_user()
    assert response.status_code == 200
    assert "X-Rate-Limit-Remaining" not in response.headers


def test_time_scale_shortens_the_window_but_resets_stay_epoch_seconds(
    api: Api, org: Org, clock: ManualClock
) -> None:
    org.configure({"timeScale": 60, "limits": {"users.collection": 1}})
    first = api.create_user("b.one@example.com")
    assert first.headers["X-Rate-Limit-Reset"] == str(math.ceil(clock.now() + 1))
    assert api.create_user("b.two@example.com").status_code == 429
    clock.advance(1)  # one real second is a whole Okta minute at 60x
    assert api.create_user("b.two@example.com").status_code == 200


def test_the_journal_records_bucket_and_decision(api: Api, org: Org) -> None:
    org.configure({"limits": {"users.collection": 1}})
    api.create_user("c.one@example.com")
    api.create_user("c.two@example.com")
    entries = api.call("GET", "/_mock/requests?path=/api/v1/users").json["entries"]
    assert [e["status"] for e in entries] == [200, 429]
    assert [e["bucket"] for e in entries] == ["users.collection"] * 2
    assert [e["rateLimit"]["remaining"] for e in entries] == [0, 0]
    assert entries[1]["errorCode"] == "E0000047"
    assert entries[0]["rateLimit"]["reset"] == entries[1]["rateLimit"]["reset"]


def test_stats_project_the_real_okta_duration(api: Api, org: Org, clock: ManualClock) -> None:
    # 3 per window for the token (half of 6) at 60x: 9 creates fill three 1-second windows =
    # 3 Okta minutes.
    org.configure({"timeScale": 60, "limits": {"users.collection": 6}})
    made = 0
    while made < 9:
        response = api.create_user(f"d.{made}@example.com")
        if response.status_code == 429:
            clock.advance(1)
            continue
        made += 1
    bucket = api.call("GET", "/_mock/stats").json["buckets"]["users.collection"]
    assert bucket["requests"] == 11  # 9 created; the 4th and 8th were refused
    assert bucket["rateLimited"] == 2
    assert bucket["limitPerMinute"] == 3  # the limit the run met: the token's share
    assert bucket["projectedOktaSeconds"] == 180.0


def test_projection_counts_whole_windows_from_a_compressed_first_window(
    api: Api, org: Org, clock: ManualClock
) -> None:
    # At 60x the first window, opened 0.7 s into a second, ends on the next-but-one whole
    # second; a client that waits for each reset fills three windows: 3 Okta minutes.
    org.configure({"timeScale": 60, "limits": {"users.collection": 6}})  # 3 for the token
    clock.advance(0.7)
    made = 0
    while made < 9:
        response = api.create_user(f"e.{made}@example.com")
        if response.status_code == 429:
            clock.advance(float(response.headers["X-Rate-Limit-Reset"]) - clock.now())
            continue
        made += 1
    bucket = api.call("GET", "/_mock/stats").json["buckets"]["users.collection"]
    assert bucket["projectedOktaSeconds"] == 180.0
