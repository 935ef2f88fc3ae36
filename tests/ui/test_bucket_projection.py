"""The dashboard's projected real-Okta time per bucket is never negative: a burst of a few
requests under --time-scale once showed "-1 h -1 min" (the window's nominal start, on a whole
second, after the burst's last request)."""

from __future__ import annotations

from mock_okta.app import create_app
from mock_okta.clock import ManualClock
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.org import Org
from tests.conftest import Api


def test_a_short_burst_never_projects_a_negative_duration() -> None:
    clock = ManualClock(1_796_230_172.728)  # early in a second: the nominal start is later
    org = Org(Settings(db=":memory:", runtime=RuntimeConfig(time_scale=60)), clock=clock)
    api = Api(create_app(org=org).test_client())
    for _ in range(3):
        assert api.authn("nobody@example.com", "x").status_code == 401
        clock.advance(0.004)
    stats = api.call("GET", "/_mock/stats").get_json()
    authn = stats["buckets"]["authn"]
    assert authn["requests"] == 3
    assert authn["start"] > authn["firstSeen"]  # the case itself
    assert authn["projectedOktaSeconds"] >= 0
    org.close()
