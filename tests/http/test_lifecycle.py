"""Lifecycle operations, change_password and the STAGED-only hash rule (reference.md §1)."""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import (
    PASSWORD,
    STAGED_ONLY,
    assert_error,
    bcrypt_hash,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

LOGIN = "isaac.brock@example.com"
WRONG_STATUS = "This operation is not allowed in the user's current status."


def create(api: Api, query: str = "", login: str = LOGIN, **extra: Any) -> str:
    return api.created_id(login, query, **extra)


def status(api: Api, user_id: str) -> str:
    return str(api.call("GET", f"/api/v1/users/{user_id}").get_json()["status"])


def lifecycle(api: Api, user_id: str, op: str, query: str = "") -> Any:
    return api.call("POST", f"/api/v1/users/{user_id}/lifecycle/{op}{query}")


def lock_out(api: Api, clock: ManualClock, login: str = LOGIN) -> None:
    for _ in range(10):
        assert api.authn(login, "Wrong-Horse-1").status_code == 401
        clock.advance(1)  # stay under the 4-per-second per-user authn limit


# ----- activate


def test_activate_staged_with_password_goes_active(api: Api) -> None:
    uid = create(api, "?activate=false", credentials=with_password())
    response = lifecycle(api, uid, "activate")
    assert response.status_code == 200
    assert response.get_json() == {}  # sendEmail defaults to true
    assert status(api, uid) == "ACTIVE"
    assert api.authn(LOGIN, PASSWORD).status_code == 200


def test_activate_staged_without_password_goes_provisioned(api: Api) -> None:
    uid = create(api, "?activate=false")
    assert lifecycle(api, uid, "activate").status_code == 200
    assert status(api, uid) == "PROVISIONED"


def test_activate_without_email_returns_the_activation_token(api: Api) -> None:
    uid = create(api, "?activate=false")
    body = lifecycle(api, uid, "activate", "?sendEmail=false").get_json()
    assert set(body) == {"activationUrl", "activationToken"}
    assert body["activationUrl"] == f"http://localhost/tokens/{body['activationToken']}/verify"


def test_activate_sets_activated_and_status_changed(api: Api, clock: ManualClock) -> None:
    uid = create(api, "?activate=false", credentials=with_password())
    clock.advance(30)
    lifecycle(api, uid, "activate")
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert user["activated"] == user["statusChanged"] == "2023-11-14T22:13:50.000Z"


def test_activate_an_active_user_is_e0000016(api: Api) -> None:
    uid = create(api, credentials=with_password())
    response = lifecycle(api, uid, "activate")
    assert_error(response, 403, "E0000016", "Activation failed because the user is already active")


def test_activate_a_deprovisioned_user(api: Api) -> None:
    uid = create(api, credentials=with_password())
    lifecycle(api, uid, "deactivate")
    assert lifecycle(api, uid, "activate").status_code == 200
    assert status(api, uid) == "ACTIVE"


def test_activate_unknown_user_is_e0000007(api: Api) -> None:
    response = lifecycle(api, "00uNOBODYNOBODYNOBOD", "activate")
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == "E0000007"


# ----- reactivate


def test_reactivate_a_provisioned_user_returns_a_token(api: Api) -> None:
    uid = create(api)  # activate=true, no password: PROVISIONED
    assert status(api, uid) == "PROVISIONED"
    body = lifecycle(api, uid, "reactivate").get_json()  # sendEmail defaults to false
    assert set(body) == {"activationUrl", "activationToken"}
    assert status(api, uid) == "PROVISIONED"


@pytest.mark.parametrize("query", ["", "?activate=false"])
def test_reactivate_from_the_wrong_status_is_403_e0000038(api: Api, query: str) -> None:
    uid = create(api, query, credentials=with_password())
    assert_error(lifecycle(api, uid, "reactivate"), 403, "E0000038", WRONG_STATUS)


# ----- deactivate


def test_deactivate_then_deactivate_again(api: Api) -> None:
    uid = create(api, credentials=with_password())
    response = lifecycle(api, uid, "deactivate")
    assert response.status_code == 200
    assert status(api, uid) == "DEPROVISIONED"
    assert api.authn(LOGIN, PASSWORD).status_code == 401
    assert lifecycle(api, uid, "deactivate").status_code == 403


# ----- suspend and unsuspend: 400 E0000001 from the wrong status


def test_suspend_and_unsuspend(api: Api) -> None:
    uid = create(api, credentials=with_password())
    assert lifecycle(api, uid, "suspend").status_code == 200
    assert status(api, uid) == "SUSPENDED"
    assert api.authn(LOGIN, PASSWORD).status_code == 401
    assert lifecycle(api, uid, "unsuspend").status_code == 200
    assert status(api, uid) == "ACTIVE"
    assert api.authn(LOGIN, PASSWORD).status_code == 200


@pytest.mark.parametrize("query", ["?activate=false", ""])
def test_suspend_a_user_who_is_not_active_is_400_e0000001(api: Api, query: str) -> None:
    uid = create(api, query)  # STAGED, or PROVISIONED
    response = lifecycle(api, uid, "suspend")
    assert_error(response, 400, "E0000001", "Api validation failed: status", causes=None)
    assert status(api, uid) in ("STAGED", "PROVISIONED")


def test_suspend_a_suspended_user_is_400_e0000001(api: Api) -> None:
    uid = create(api, credentials=with_password())
    lifecycle(api, uid, "suspend")
    response = lifecycle(api, uid, "suspend")
    assert_error(response, 400, "E0000001", "Api validation failed: status", causes=None)


def test_unsuspend_a_user_who_is_not_suspended_is_400_e0000001(api: Api) -> None:
    uid = create(api, credentials=with_password())
    response = lifecycle(api, uid, "unsuspend")
    assert_error(response, 400, "E0000001", "Api validation failed: status", causes=None)
    assert status(api, uid) == "ACTIVE"


# ----- unlock


def test_unlock_a_user_who_is_not_locked_is_e0000032(api: Api) -> None:
    uid = create(api, credentials=with_password())
    # As a real org answers it (okta-sdk-python's recorded cassettes, 2025).
    assert_error(
        lifecycle(api, uid, "unlock"),
        403,
        "E0000032",
        "Unlock is not allowed for this user.",
        ["The user is not locked out."],
    )


def test_unlock_a_locked_out_user(api: Api, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    lock_out(api, clock)
    assert status(api, uid) == "LOCKED_OUT"
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert "unlock" in user["_links"]
    assert lifecycle(api, uid, "unlock").status_code == 200
    assert status(api, uid) == "ACTIVE"
    assert api.authn(LOGIN, PASSWORD).status_code == 200


# ----- reset and expire


def test_reset_password_goes_to_recovery(api: Api) -> None:
    uid = create(api, credentials=with_password())
    body = lifecycle(api, uid, "reset_password", "?sendEmail=false").get_json()
    assert set(body) == {"resetPasswordUrl"}
    assert body["resetPasswordUrl"].startswith("http://localhost/")
    assert status(api, uid) == "RECOVERY"
    assert api.authn(LOGIN, PASSWORD).status_code == 401


def test_reset_password_with_email_returns_an_empty_object(api: Api) -> None:
    uid = create(api, credentials=with_password())
    assert lifecycle(api, uid, "reset_password", "?sendEmail=true").get_json() == {}


def test_expire_password_returns_the_user(api: Api) -> None:
    uid = create(api, credentials=with_password())
    response = lifecycle(api, uid, "expire_password")
    assert response.status_code == 200
    assert response.get_json()["id"] == uid
    assert response.get_json()["status"] == "PASSWORD_EXPIRED"


def test_expire_with_temp_password(api: Api) -> None:
    uid = create(api, credentials=with_password())
    body = lifecycle(api, uid, "expire_password_with_temp_password").get_json()
    assert set(body) == {"tempPassword"}
    assert status(api, uid) == "PASSWORD_EXPIRED"
    transaction = api.authn(LOGIN, body["tempPassword"]).get_json()
    assert transaction["status"] == "PASSWORD_EXPIRED"
    assert api.authn(LOGIN, PASSWORD).status_code == 401


# ----- change_password


def change(api: Api, uid: str, old: str, new: str) -> Any:
    return api.call(
        "POST",
        f"/api/v1/users/{uid}/credentials/change_password",
        {"oldPassword": {"value": old}, "newPassword": {"value": new}},
    )


def test_change_password(api: Api, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    clock.advance(60)
    response = change(api, uid, PASSWORD, "New-Horse-10")
    assert response.status_code == 200
    assert response.get_json() == {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert user["passwordChanged"] == "2023-11-14T22:14:20.000Z"
    assert api.authn(LOGIN, "New-Horse-10").status_code == 200
    assert api.authn(LOGIN, PASSWORD).status_code == 401


def test_change_password_of_an_imported_user_verifies_the_hash(api: Api) -> None:
    uid = create(api, credentials=with_hash(bcrypt_hash(PASSWORD)))
    assert change(api, uid, PASSWORD, "New-Horse-10").status_code == 200
    assert api.authn(LOGIN, "New-Horse-10").status_code == 200


def test_change_password_with_wrong_old_password_is_refused(api: Api) -> None:
    uid = create(api, credentials=with_password())
    response = change(api, uid, "Wrong-Horse-1", "New-Horse-10")
    assert_error(response, 403, "E0000014", "Update of credentials failed", causes=None)
    assert api.authn(LOGIN, PASSWORD).status_code == 200


def test_change_password_from_recovery_goes_active(api: Api) -> None:
    uid = create(api, credentials=with_password())
    lifecycle(api, uid, "reset_password", "?sendEmail=false")
    assert change(api, uid, PASSWORD, "New-Horse-10").status_code == 200
    assert status(api, uid) == "ACTIVE"


def test_change_password_of_a_suspended_user_is_e0000035(api: Api) -> None:
    uid = create(api, credentials=with_password())
    lifecycle(api, uid, "suspend")
    response = change(api, uid, PASSWORD, "New-Horse-10")
    assert_error(response, 403, "E0000035", "Change password not allowed on specified user.")


# ----- the STAGED-only hash rule


STAGED_SUMMARY = "Api validation failed: password"


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("query", ["", "?activate=true&nextLogin=changePassword"])
def test_hash_update_of_a_user_who_is_not_staged_is_refused(
    api: Api, org: Org, method: str, query: str
) -> None:
    uid = create(api, query, credentials=with_password())
    before = api.call("GET", f"/api/v1/users/{uid}").get_json()
    stored = org.store.get_user(uid).password
    body = {
        "profile": profile(LOGIN, nickName="Ike"),
        "credentials": with_hash(sha_hash("Other-Horse-3")),
    }
    response = api.call(method, f"/api/v1/users/{uid}", body)
    assert_error(response, 400, "E0000001", STAGED_SUMMARY, [STAGED_ONLY])
    # Nothing stored half-way: neither the profile nor the password changed.
    assert api.call("GET", f"/api/v1/users/{uid}").get_json() == before
    assert org.store.get_user(uid).password == stored
    assert api.authn(LOGIN, "Other-Horse-3").status_code == 401


@pytest.mark.parametrize("op", ["suspend", "deactivate"])
def test_hash_update_refused_for_suspended_and_deprovisioned(api: Api, op: str) -> None:
    uid = create(api, credentials=with_password())
    lifecycle(api, uid, op)
    response = api.call(
        "POST", f"/api/v1/users/{uid}", {"credentials": with_hash(sha_hash("Other-Horse-3"))}
    )
    assert_error(response, 400, "E0000001", STAGED_SUMMARY, [STAGED_ONLY])


def test_hook_update_of_an_active_user_is_refused_when_hooks_are_staged_only(
    api: Api, org: Org
) -> None:
    # Okta before 2023.06 (`--hook-on-update staged`); test_hook_on_update.py has today's.
    org.configure({"hookOnUpdate": "staged"})
    uid = create(api, credentials=with_password())
    response = api.call(
        "POST", f"/api/v1/users/{uid}", {"credentials": {"password": {"hook": {"type": "default"}}}}
    )
    assert_error(response, 400, "E0000001", STAGED_SUMMARY, [STAGED_ONLY])


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_hash_update_of_a_staged_user_is_the_one_that_verifies(api: Api, method: str) -> None:
    uid = create(api, "?activate=false", credentials=with_hash(sha_hash("Old-Horse-2")))
    body: dict[str, object] = {"credentials": with_hash(bcrypt_hash("New-Horse-10"))}
    if method == "PUT":
        body["profile"] = profile(LOGIN)
    response = api.call(method, f"/api/v1/users/{uid}", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "STAGED"
    assert response.get_json()["credentials"]["provider"] == {"type": "IMPORT", "name": "IMPORT"}
    assert lifecycle(api, uid, "activate").status_code == 200
    assert status(api, uid) == "ACTIVE"
    assert api.authn(LOGIN, "Old-Horse-2").status_code == 401
    assert api.authn(LOGIN, "New-Horse-10").get_json()["status"] == "SUCCESS"


def test_staged_user_without_password_can_get_a_hash(api: Api) -> None:
    uid = create(api, "?activate=false")
    response = api.call(
        "POST",
        f"/api/v1/users/{uid}",
        {"credentials": with_hash(sha_hash(PASSWORD, "SHA-512", "TXlTYWx0"))},
    )
    assert response.status_code == 200
    assert response.get_json()["credentials"]["password"] == {}
    lifecycle(api, uid, "activate")
    assert status(api, uid) == "ACTIVE"  # a password now exists: ACTIVE, not PROVISIONED
    assert api.authn(LOGIN, PASSWORD).status_code == 200


def test_profile_only_update_of_an_active_imported_user_keeps_the_hash(api: Api) -> None:
    uid = create(api, credentials=with_hash(sha_hash(PASSWORD)))
    response = api.call("POST", f"/api/v1/users/{uid}", {"profile": {"nickName": "Ike"}})
    assert response.status_code == 200
    assert api.authn(LOGIN, PASSWORD).status_code == 200
