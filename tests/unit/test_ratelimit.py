"""The limiter with an injected clock: windows, resets, remaining counts, buckets, profiles."""

from __future__ import annotations

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from mock_okta.ratelimit import PROFILES, bucket_for, limits_for, reset_header


def test_window_starts_at_the_first_request_and_lasts_sixty_seconds(
    org: Org, clock: ManualClock
) -> None:
    start = clock.now()
    clock.advance(17.25)  # not aligned to a clock minute
    first = org.limiter.check("users.collection", 3, 60.0)
    assert (first.allowed, first.limit, first.remaining) == (True, 3, 2)
    assert first.reset_at == pytest.approx(start + 17.25 + 60)
    clock.advance(30)
    assert org.limiter.check("users.collection", 3, 60.0).remaining == 1
    assert org.limiter.check("users.collection", 3, 60.0).remaining == 0
    refused = org.limiter.check("users.collection", 3, 60.0)
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert refused.reset_at == first.reset_at  # the same window, the same reset
    clock.advance(29.999)
    assert not org.limiter.check("users.collection", 3, 60.0).allowed
    clock.advance(0.001)  # the window has ended: a new one opens with this request
    renewed = org.limiter.check("users.collection", 3, 60.0)
    assert (renewed.allowed, renewed.remaining) == (True, 2)
    assert renewed.reset_at == pytest.approx(clock.now() + 60)


def test_refused_requests_do_not_consume_the_next_window(org: Org, clock: ManualClock) -> None:
    for _ in range(5):
        org.limiter.check("authn", 1, 60.0)
    clock.advance(60)
    assert org.limiter.check("authn", 1, 60.0).allowed


def test_buckets_and_keys_count_separately(org: Org) -> None:
    assert org.limiter.check("users.get", 1, 60.0).allowed
    assert not org.limiter.check("users.get", 1, 60.0).allowed
    assert org.limiter.check("users.update", 1, 60.0).allowed
    assert org.limiter.check("authn.user", 1, 1.0, key="a@example.com").allowed
    assert org.limiter.check("authn.user", 1, 1.0, key="b@example.com").allowed
    assert not org.limiter.check("authn.user", 1, 1.0, key="a@example.com").allowed


def test_a_zero_limit_refuses_everything(org: Org) -> None:
    assert not org.limiter.check("users.collection", 0, 60.0).allowed


def test_time_scale_shortens_every_window(org: Org) -> None:
    assert org.window() == 60.0
    org.configure({"timeScale": 60})
    assert org.window() == 1.0
    assert org.window(1.0) == pytest.approx(1 / 60)


def test_compressed_windows_end_on_a_whole_real_second(org: Org, clock: ManualClock) -> None:
    # At 60x a window lasts one real second; X-Rate-Limit-Reset counts whole seconds, so the
    # window ends on the nearest whole second and a client sleeping until the reset loses none.
    whole = clock.now()
    clock.advance(0.3)
    assert org.limiter.check("users.collection", 5, 1.0, quantize=True).reset_at == whole + 1
    clock.advance(0.7)  # at the reset: a new window, again ending on a whole second
    assert org.limiter.check("users.collection", 5, 1.0, quantize=True).reset_at == whole + 2
    clock.advance(1.8)  # 0.8 past a whole second: the nearest whole second is 2 s away
    assert org.limiter.check("users.collection", 5, 1.0, quantize=True).reset_at == whole + 4
    clock.advance(2.2)  # 0.25 s windows never end before they start
    assert org.limiter.check("users.get", 5, 0.25, quantize=True).reset_at == whole + 6
    assert org.limiter.check("authn", 5, 1.0).reset_at == clock.now() + 1.0  # not quantized


def test_reset_header_rounds_up_never_down() -> None:
    assert reset_header(1_700_000_000.0) == "1700000000"
    assert reset_header(1_700_000_000.001) == "1700000001"
    assert reset_header(1_700_000_000.999) == "1700000001"


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/v1/users", "users.collection"),
        ("POST", "/api/v1/users", "users.collection"),
        ("GET", "/api/v1/users/00ub0oNGTSWTBKOLGLNR", "users.get"),
        ("GET", "/api/v1/users/isaac@example.com", "users.get"),
        ("POST", "/api/v1/users/00ub0oNGTSWTBKOLGLNR", "users.update"),
        ("PUT", "/api/v1/users/00ub0oNGTSWTBKOLGLNR", "users.update"),
        ("DELETE", "/api/v1/users/00ub0oNGTSWTBKOLGLNR", "users.update"),
        ("POST", "/api/v1/users/00ub0oNGTSWTBKOLGLNR/lifecycle/activate", "users.update"),
        ("POST", "/api/v1/users/00ub0oNGTSWTBKOLGLNR/credentials/change_password", "users.update"),
        ("POST", "/api/v1/authn", "authn"),
        ("POST", "/api/v1/authn/credentials/change_password", "authn"),
        ("GET", "/api/v1/inlineHooks", "api.default"),
        ("GET", "/api/v1/groups", "groups.collection"),
        ("POST", "/api/v1/groups", "groups.collection"),
        ("GET", "/api/v1/groups/00g1emaKYZTWRYYRRTSK", "groups.item"),
        ("PUT", "/api/v1/groups/00g1emaKYZTWRYYRRTSK", "groups.item"),
        ("DELETE", "/api/v1/groups/00g1emaKYZTWRYYRRTSK", "groups.item"),
        ("GET", "/api/v1/groups/00g1emaKYZTWRYYRRTSK/users", "groups.item"),
        ("PUT", "/api/v1/groups/00g1emaKYZTWRYYRRTSK/users/00ub0oNGTSWTBKOLGLNR", "groups.item"),
        ("DELETE", "/api/v1/groups/00g1emaKYZTWRYYRRTSK/users/00ub0oNGTSWTBKOLGLNR", "groups.item"),
        ("GET", "/api/v1/users/00ub0oNGTSWTBKOLGLNR/groups", "api.default"),
        ("GET", "/api/v1/meta/schemas/user/default", "api.default"),
        ("POST", "/api/v1/meta/schemas/user/default", "api.default"),
        ("POST", "/api/v1/meta/types/user", "api.default"),
        ("GET", "/api/v1/apps", "apps"),
        ("POST", "/api/v1/apps/0oafxqCAJWWGELFTYASJ/users", "apps"),
        ("DELETE", "/api/v1/apps/0oafxqCAJWWGELFTYASJ/users/00ub0oNGTSWTBKOLGLNR", "apps"),
        ("POST", "/api/v1/apps/0oafxqCAJWWGELFTYASJ/lifecycle/deactivate", "apps"),
        ("GET", "/api/v1/users/00ub0oNGTSWTBKOLGLNR/appLinks", "api.default"),
        ("GET", "/api/v1/applications", "api.default"),
        ("GET", "/api/v1/logs", "logs"),
        ("GET", "/oauth2/default/v1/authorize", "oauth2.authorize"),
        ("POST", "/oauth2/default/v1/token", "oauth2.token"),
        ("GET", "/oauth2/default/v1/userinfo", "oauth2"),
        ("POST", "/oauth2/v1/token", "oauth2.org"),
        ("POST", "/oauth2/default/v1/signin", "authn"),
        ("GET", "/oauth2/default/v1/keys", None),
        ("GET", "/oauth2/v1/keys", None),
        ("GET", "/.well-known/openid-configuration", None),
        ("GET", "/oauth2/default/.well-known/openid-configuration", None),
        ("GET", "/_mock/stats", None),
        ("POST", "/_mock/reset", None),
        ("GET", "/", None),
    ],
)
def test_longest_match_picks_the_bucket(method: str, path: str, bucket: str | None) -> None:
    assert bucket_for(method, path) == bucket


def test_profiles_are_oktas_published_per_minute_defaults() -> None:
    # reference.md §5, OLD-RL rl-global-mgmt: Workforce, Enterprise (CIS), One App, Free.
    assert PROFILES["workforce"] == {
        "users.collection": 600,
        "users.get": 2000,
        "users.update": 600,
        "groups.collection": 500,
        "groups.item": 1000,
        "authn": 500,
        "api.default": 1200,
        "apps": 100,
        "logs": 120,
        # OLD-RL rl-global-enduser, Workforce: /oauth2/{id}/v1/authorize and the rest of it
        "oauth2.authorize": 2000,
        "oauth2.token": 2000,
        "oauth2": 2000,
        "oauth2.org": 2000,
        "concurrency": 75,
    }
    # /api/v1/logs, per profile (OLD-RL: 50 on CIS and One App, 20 on Integrator Free).
    assert [PROFILES[p]["logs"] for p in ("customer-identity", "one-app", "integrator-free")] == [
        50,
        50,
        20,
    ]
    # /api/v1/groups (create/list) and /api/v1/groups/{id}, per profile.
    assert [(PROFILES[p]["groups.collection"], PROFILES[p]["groups.item"]) for p in (
        "customer-identity", "one-app", "integrator-free"
    )] == [(600, 600), (600, 600), (100, 100)]  # fmt: skip
    assert PROFILES["customer-identity"]["users.get"] == 1000
    assert PROFILES["customer-identity"]["authn"] == 600
    assert PROFILES["integrator-free"]["users.collection"] == 100
    assert PROFILES["integrator-free"]["concurrency"] == 35
    # `/api/v1/apps*`: 100 a minute, 20 on Integrator Free (reference.md §5).
    assert [PROFILES[p]["apps"] for p in ("customer-identity", "one-app", "integrator-free")] == [
        100,
        100,
        20,
    ]
    assert PROFILES["off"] == {}


def test_overrides_win_over_the_profile() -> None:
    limits = limits_for("workforce", {"users.collection": 300})
    assert limits["users.collection"] == 300
    assert limits["users.get"] == 2000
    assert limits_for("off", {"authn": 5}) == {"authn": 5}
