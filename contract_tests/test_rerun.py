"""Scenario `rerun`: the same import twice — nothing duplicated, nothing deleted and re-created."""

from __future__ import annotations

import pytest

from mock_okta.harness import checks
from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import finished, migrated


@pytest.mark.rerun
def test_a_second_run_changes_nothing(harness: Harness) -> None:
    with harness.scenario("rerun", needs_control_plane=True) as c:
        data = c.s.dataset()
        first = c.s.run_tool("import", data)
        c.expect(finished(first))
        ids = c.s.org.ids()
        seen = {e["seq"] for e in c.mock.journal()}
        second = c.s.run_tool("import", data)
        since = [e for e in c.mock.journal() if e["seq"] not in seen]
        c.expect(
            checks.ids_stable(ids, c.s.org.ids()),
            checks.nothing_created(since),
            *migrated(c, data, second),
        )
