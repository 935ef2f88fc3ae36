"""Scenario `delta`: premigrate (STAGED), the later dataset (mode delta), then cutover.

Across premigration and go-live every user keeps its id, its groups and its app assignments
with their app-side identity; the report names, per user, what a delete-and-recreate lost.
"""

from __future__ import annotations

import pytest

from mock_okta.harness import app_checks, checks
from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import finished, migrated
from mock_okta.profile import login_key


@pytest.mark.delta
def test_premigrate_then_delta_then_cutover(harness: Harness) -> None:
    with harness.scenario("delta", needs_control_plane=True) as c:
        before = c.s.dataset(apps=True)
        premigration = c.s.run_tool("premigrate", before)
        c.expect(*migrated(c, before, premigration, status="STAGED", sign_in=False))
        ids = c.s.org.ids()
        assigned = c.s.org.assignments()
        c.expect(app_checks.apps_as_dataset(before.records, before.oracle, before.apps, assigned))
        after = c.s.later(before)
        c.expect(finished(c.s.run_tool("delta", after)))
        cutover = c.s.run_tool("cutover", after)
        old = [
            before.oracle[key]
            for key, entry in after.oracle.items()
            if entry.get("change") in ("password", "removed") and key in before.oracle
            and before.oracle[key].get("canLogIn") and before.oracle[key].get("via") == "hash"
        ]  # fmt: skip
        kept = {k: v for k, v in ids.items() if after.oracle.get(k, {}).get("canLogIn")}
        at_go_live = c.s.org.assignments()
        want = app_checks.expected(after.records, after.oracle, after.apps)
        still = app_checks.still_expected({k: assigned[k] for k in kept if k in assigned}, want)
        c.expect(
            *migrated(c, after, cutover, earlier=before),
            app_checks.apps_as_dataset(after.records, after.oracle, after.apps, at_go_live),
            checks.ids_stable(kept, c.s.org.ids()),
            app_checks.assignments_kept(still, at_go_live),
            app_checks.identity_kept(still, at_go_live),
            checks.old_passwords_refused(c.s.org.sign_in(old)),
        )
        assert any(login_key(e["login"]) in after.oracle for e in old), "the delta changed nothing"
