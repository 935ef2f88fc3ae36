"""Scenario `hook`: hashes Okta cannot import move through the password import inline hook."""

from __future__ import annotations

import pytest

from mock_okta.harness import checks
from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated
from mock_okta.tools.hook_status import hook_status


@pytest.mark.hook
def test_unimportable_users_sign_in_through_the_hook_then_without_it(harness: Harness) -> None:
    with harness.scenario("hook", needs_control_plane=True) as c:
        data = c.s.dataset(bad=max(harness.config.bad, 0.2))  # enough scrypt users
        hooked = data.can_log_in(via="hook")
        assert hooked, "the dataset has no user for the hook: raise --harness-bad"
        with c.s.hook_service(data) as (url, auth):
            hook = c.mock.register_hook(url, auth)
            run = c.s.run_tool("hook", data)
            verdicts = migrated(c, data, run)
            users = c.s.org.users()
            wrong = [{**e, "password": e["password"] + "-not-it"} for e in hooked]
            refused = c.s.org.sign_in(wrong)
            through_hook = c.s.org.sign_in(hooked)
            c.mock.deactivate_hook(hook)
            without_hook = c.s.org.sign_in(hooked)
        logins = [str(e["login"]) for e in hooked]
        events = c.mock.system_log("user.import.password")
        safe = hook_status(events, logins).safe  # as `mock-okta migrate --mode hook-status`
        c.expect(
            *verdicts,
            checks.users_present(
                [e["login"] for e in hooked], users, "unimportable users created for the hook"
            ),
            checks.old_passwords_refused(
                refused, "the hook refuses a wrong password", "a wrong password"
            ),
            checks.users_log_in(through_hook, "they sign in through the hook"),
            checks.users_log_in(without_hook, "then without the hook"),
            checks.import_password_logged(events, logins, refused),
            checks.hashes_safe_to_delete(safe, logins),
        )
