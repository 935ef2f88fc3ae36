"""The password import hook set by an update, on a user in any status (reference.md §7.4).

Since 2023.06 Okta accepts `credentials.password.hook` for users past STAGED: the sanctioned way
to re-migrate an ACTIVE user whose legacy password changed after premigration, keeping the id,
groups and app assignments. A hash stays STAGED-only. `--hook-on-update staged` (also
`hookOnUpdate` in /_mock/config, MOCK_OKTA_HOOK_ON_UPDATE) is the older orgs' rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.config import ConfigError, RuntimeConfig, Settings
from mock_okta.hashing import NativeHash
from mock_okta.models import HookPassword
from mock_okta.org import Org
from mock_okta.server import build_parser, settings_from_args
from tests.conftest import Api
from tests.e2e import test_password_import_hook as hooks
from tests.helpers import PASSWORD, STAGED_ONLY, assert_error, sha_hash, with_hash, with_password
from tests.http.test_apps import OFFICE365, created

# The scripted hook service of the end-to-end hook tests, shared rather than rewritten.
hook_server = hooks.hook_server
ScriptedHook = hooks.ScriptedHook

LOGIN = "isaac.brock@example.com"
CHANGED = "Changed-After-Premigration-4"  # the legacy password, changed since premigration
HOOK = {"password": {"hook": {"type": "default"}}}
STAGED_SUMMARY = "Api validation failed: password"


def point_at_hook(api: Api, uid: str, method: str = "POST") -> Any:
    body: dict[str, Any] = {"credentials": HOOK}
    if method == "PUT":
        body["profile"] = api.call("GET", f"/api/v1/users/{uid}").get_json()["profile"]
    return api.call(method, f"/api/v1/users/{uid}", body)


def test_an_active_user_pointed_at_the_hook_keeps_everything_and_signs_in_through_it(
    api: Api, org: Org, hook_server: ScriptedHook
) -> None:
    hooks.register_hook(api, hook_server.url)
    uid = api.created_id(LOGIN, credentials=with_password())
    office = created(api, OFFICE365)
    app_user = api.call("POST", f"/api/v1/apps/{office['id']}/users", {"id": uid}).get_json()
    before = api.call("GET", f"/api/v1/users/{uid}").get_json()

    response = point_at_hook(api, uid)
    assert response.status_code == 200, response.get_data(as_text=True)
    updated = response.get_json()
    assert (updated["id"], updated["status"]) == (uid, "ACTIVE")
    assert updated["credentials"] == {
        "password": {},
        "provider": {"type": "IMPORT", "name": "IMPORT"},
    }
    assert updated["created"] == before["created"]
    assert updated["activated"] == before["activated"]
    assert org.store.get_user(uid).password == HookPassword("default")

    signed_in = api.authn(LOGIN, CHANGED)
    assert signed_in.status_code == 200, signed_in.get_data(as_text=True)
    assert signed_in.get_json()["status"] == "SUCCESS"
    assert len(hook_server.received) == 1
    credential = hook_server.received[0].json()["data"]["context"]["credential"]
    assert credential == {"username": LOGIN, "password": CHANGED}
    stored = org.store.get_user(uid).password
    assert isinstance(stored, NativeHash)
    assert stored.verify(CHANGED)
    assert api.authn(LOGIN, PASSWORD).status_code == 401  # the premigrated one no longer works
    assert len(hook_server.received) == 1  # and the hook is not asked again
    # The same Okta user, so the same app user: the same immutable ID, the same externalId.
    after = api.call("GET", f"/api/v1/apps/{office['id']}/users/{uid}").get_json()
    assert after == app_user


def reach(api: Api, org: Org, status: str) -> str:
    """A user in `status`, with a password where Okta's lifecycle keeps one."""
    if status == "STAGED":
        return api.created_id(LOGIN, "?activate=false", credentials=with_password())
    if status == "PROVISIONED":
        return api.created_id(LOGIN)
    uid = api.created_id(LOGIN, credentials=with_password())
    if status == "LOCKED_OUT":
        org.configure({"lockoutAttempts": 1})
        api.authn(LOGIN, "Not-The-Password-1")
    op = {
        "PASSWORD_EXPIRED": "expire_password",
        "SUSPENDED": "suspend",
        "RECOVERY": "reset_password?sendEmail=false",
        "DEPROVISIONED": "deactivate",
    }.get(status)
    if op is not None:
        assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/{op}").status_code == 200
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == status
    return uid


STATUSES = [
    "STAGED",
    "PROVISIONED",
    "ACTIVE",
    "PASSWORD_EXPIRED",
    "SUSPENDED",
    "LOCKED_OUT",
    "RECOVERY",
    "DEPROVISIONED",
]


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("status", STATUSES)
def test_the_hook_is_accepted_in_every_status(api: Api, org: Org, status: str, method: str) -> None:
    uid = reach(api, org, status)
    response = point_at_hook(api, uid, method)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["id"], body["status"]) == (uid, status)  # PARITY: the status is kept
    assert body["credentials"]["provider"] == {"type": "IMPORT", "name": "IMPORT"}
    assert org.store.get_user(uid).password == HookPassword("default")


def test_a_password_expired_user_signs_in_through_the_hook_then_must_change_it(
    api: Api, org: Org, hook_server: ScriptedHook
) -> None:
    hooks.register_hook(api, hook_server.url)
    uid = reach(api, org, "PASSWORD_EXPIRED")
    point_at_hook(api, uid)
    signed_in = api.authn(LOGIN, CHANGED)
    assert signed_in.get_json()["status"] == "PASSWORD_EXPIRED"
    assert len(hook_server.received) == 1


def test_an_unverified_hook_answer_leaves_the_user_on_the_hook(
    api: Api, org: Org, hook_server: ScriptedHook
) -> None:
    hooks.register_hook(api, hook_server.url)
    hook_server.answer(hooks.Answer(body=hooks.UNVERIFIED))
    uid = api.created_id(LOGIN, credentials=with_password())
    point_at_hook(api, uid)
    assert api.authn(LOGIN, CHANGED).status_code == 401
    assert org.store.get_user(uid).password == HookPassword("default")  # asked again next time


@pytest.mark.parametrize("hook_on_update", ["any", "staged"])
def test_a_hash_stays_staged_only(api: Api, org: Org, hook_on_update: str) -> None:
    org.configure({"hookOnUpdate": hook_on_update})
    uid = api.created_id(LOGIN, credentials=with_password())
    response = api.call(
        "POST", f"/api/v1/users/{uid}", {"credentials": with_hash(sha_hash(CHANGED))}
    )
    assert_error(response, 400, "E0000001", STAGED_SUMMARY, [STAGED_ONLY])
    both = {"password": {"hook": {"type": "default"}, "hash": sha_hash(CHANGED)}}
    response = api.call("POST", f"/api/v1/users/{uid}", {"credentials": both})
    assert response.status_code == 400
    assert api.authn(LOGIN, PASSWORD).status_code == 200  # nothing changed


def test_staged_only_orgs_refuse_the_hook_past_staged(api: Api, org: Org) -> None:
    answer = api.call("PUT", "/_mock/config", {"hookOnUpdate": "staged"})
    assert answer.get_json()["hookOnUpdate"] == "staged"
    active = api.created_id(LOGIN, credentials=with_password())
    response = point_at_hook(api, active)
    assert_error(response, 400, "E0000001", STAGED_SUMMARY, [STAGED_ONLY])
    assert api.authn(LOGIN, PASSWORD).status_code == 200
    staged = api.created_id("staged@example.com", "?activate=false")
    assert point_at_hook(api, staged).status_code == 200  # STAGED users, as ever
    assert api.call("POST", "/_mock/reset").status_code == 200
    assert api.call("GET", "/_mock/config").get_json()["hookOnUpdate"] == "any"  # the default


def test_hook_on_update_is_a_setting_everywhere() -> None:
    assert RuntimeConfig().hook_on_update == "any"
    assert Settings.from_env({"MOCK_OKTA_HOOK_ON_UPDATE": "staged"}).runtime.hook_on_update == (
        "staged"
    )
    args = build_parser().parse_args(["--hook-on-update", "staged", "--db", ":memory:"])
    assert settings_from_args(args, {}).runtime.hook_on_update == "staged"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--hook-on-update", "sometimes"])
    with pytest.raises(ConfigError, match="hookOnUpdate must be any or staged"):
        RuntimeConfig().updated({"hookOnUpdate": "sometimes"})


def test_a_bad_hook_on_update_in_the_control_plane_is_refused(api: Api) -> None:
    response = api.call("PUT", "/_mock/config", {"hookOnUpdate": "always"})
    assert response.status_code == 400
    assert (
        "hookOnUpdate must be any or staged"
        in response.get_json()["errorCauses"][0]["errorSummary"]
    )
