"""Scenario `ratelimit`: limits low enough that the tool must meet 429s and wait them out.

The tool gets two API tokens ({token}, {token2}); each may use half of every bucket and of the
concurrency limit (Okta's default share). The report says what the run met: the limits, which
tokens the tool used, its 429s and pauses, and its peak rate against the limit.
"""

from __future__ import annotations

import pytest

from mock_okta.harness import checks
from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated
from mock_okta.harness.observations import rate_limit_facts, tool_entries


@pytest.mark.ratelimit
def test_the_tool_waits_for_resets_and_still_finishes(harness: Harness) -> None:
    per_minute = max(10, harness.config.users // 4)  # about four windows of work, both tokens
    # Two in flight org-wide, one per token: a tool with parallel workers meets concurrency 429s.
    limits = {"users.collection": per_minute, "users.update": per_minute, "concurrency": 2}
    with harness.scenario("ratelimit", limits=limits, needs_control_plane=True) as c:
        data = c.s.dataset()
        run = c.s.run_tool("import", data)
        verdicts = migrated(c, data, run)
        if not c.real:
            entries = c.mock.journal()
            tokens = c.mock.token_ids()
            share = int(c.mock.control.config()["tokenShare"])
            scale = c.s.config.time_scale
            c.report.facts += rate_limit_facts(
                entries, tokens, limits=limits, share=share, time_scale=scale
            )
            ours = tool_entries(entries, tokens)
            verdicts.append(checks.concurrency_backoff(ours, c.s.config.grace, scale))
        c.expect(*verdicts)
