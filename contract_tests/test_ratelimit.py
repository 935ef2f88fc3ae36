"""Scenario `ratelimit`: a limit low enough that the tool must meet 429s and wait them out."""

from __future__ import annotations

import pytest

from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated


@pytest.mark.ratelimit
def test_the_tool_waits_for_resets_and_still_finishes(harness: Harness) -> None:
    per_minute = max(10, harness.config.users // 4)  # about four windows of work
    limits = {"users.collection": per_minute, "users.update": per_minute}
    with harness.scenario("ratelimit", limits=limits, needs_control_plane=True) as c:
        data = c.s.dataset()
        run = c.s.run_tool("import", data)
        c.expect(*migrated(c, data, run))
