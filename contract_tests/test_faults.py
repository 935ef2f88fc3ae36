"""Scenario `faults`: 503s, slow answers and dropped connections; the org must still end right."""

from __future__ import annotations

import pytest

from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated
from mock_okta.harness.observations import fault_facts, tool_entries

FAULTS = (
    {"path": "/api/v1/users*", "status": 503, "probability": 0.03, "seed": 1},
    {"path": "/api/v1/users*", "latencyMs": 200, "probability": 0.03, "seed": 2},
    {"path": "/api/v1/users*", "drop": True, "probability": 0.02, "seed": 3},
)


@pytest.mark.faults
def test_the_org_ends_complete_despite_faults(harness: Harness) -> None:
    with harness.scenario("faults", needs_control_plane=True) as c:
        data = c.s.dataset()
        for rule in FAULTS:
            c.mock.control.fault(**rule)
        run = c.s.run_tool("import", data)
        c.mock.control.clear_faults()
        ours = tool_entries(c.mock.journal(), c.mock.token_ids())
        c.report.facts += fault_facts(FAULTS, ours)
        c.expect(*migrated(c, data, run))
