"""OidcLoginUser: the go-live login storm through /oauth2/default, headless against a served mock.

Round 0 signs every customer in through the code flow with PKCE (the hosted form posted, the
code exchanged), round 1 through the password grant; no unexpected failure either way.
"""

from __future__ import annotations

from pathlib import Path

from mock_okta.load.data import login_items
from mock_okta.testing.client import ControlClient
from tests.load.conftest import TOKEN, needs_locust, run_locust

needs_locust()


def test_oidc_login_storm_signs_everyone_in_by_code_then_by_password_grant(
    url: str, dataset: Path, tmp_path: Path
) -> None:
    args = ["--dataset", str(dataset), "--seed-org", "--rounds", "2"]
    run = run_locust(url, tmp_path, ["OidcLoginUser"], args)
    assert run.code == 0, run.output[-3000:]
    assert run.failures == 0, run.output[-3000:]
    users = len(login_items(dataset))
    assert run.requests("POST", "/oauth2/default/v1/signin [first]") == users
    assert run.requests("POST", "/oauth2/default/v1/token [code]") == users
    assert run.requests("POST", "/oauth2/default/v1/token [password repeat]") == users
    stats = ControlClient(url, TOKEN).stats()
    assert stats["buckets"]["oauth2.token"]["requests"] >= 2 * users
