"""Scenario `oidc`: every migrated customer signs in as apps do, through OAuth 2.0 / OIDC.

After one import, each customer goes through the authorization code flow with PKCE of a
registered OIDC app on /oauth2/default (the hosted form posted over HTTP): the imported hash
is verified there exactly as on /api/v1/authn, with the same verdict and reasons.
"""

from __future__ import annotations

import pytest

from mock_okta.harness import checks
from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated
from mock_okta.profile import login_key


@pytest.mark.oidc
def test_every_customer_signs_in_through_the_code_flow_of_an_oidc_app(harness: Harness) -> None:
    with harness.scenario("oidc", needs_control_plane=True) as c:
        data = c.s.dataset()
        run = c.s.run_tool("import", data)
        verdicts = migrated(c, data, run, sign_in=False)
        present = {login_key(str(u["profile"].get("login", ""))) for u in c.s.org.users()}
        expected = [e for e in data.can_log_in() if login_key(e["login"]) in present]
        c.expect(
            *verdicts,
            checks.users_log_in(
                c.mock.oidc_sign_in(expected), "every user signs in through OIDC (code + PKCE)"
            ),
        )
