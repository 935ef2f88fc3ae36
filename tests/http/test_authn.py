"""`POST /api/v1/authn` through Flask's test client (reference.md §4), imported hashes included."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

import mock_okta.hashing
from mock_okta.clock import ManualClock
from mock_okta.hashing import NativeHash, PasswordHash
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import (
    PASSWORD,
    assert_error,
    bcrypt_hash,
    pbkdf2_hash,
    sha_hash,
    with_hash,
    with_password,
)

LOGIN = "isaac.brock@example.com"
AUTH_FAILED = "Authentication failed"


def create(api: Api, query: str = "", login: str = LOGIN, **extra: Any) -> str:
    return api.created_id(login, query, **extra)


def assert_failed(response: Any) -> None:
    assert_error(response, 401, "E0000004", AUTH_FAILED)


# ----- SUCCESS


def test_success_transaction_shape(api: Api) -> None:
    uid = create(api, credentials=with_password(), profile={"locale": "fr_FR"})
    response = api.authn(LOGIN, PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["expiresAt", "status", "sessionToken", "_embedded", "_links"]
    assert body["status"] == "SUCCESS"
    assert body["expiresAt"] == "2023-11-14T22:18:20.000Z"  # five minutes after "now"
    assert re.match(r"^[A-Za-z0-9_-]{20,}$", body["sessionToken"])
    assert body["_embedded"] == {
        "user": {
            "id": uid,
            "passwordChanged": "2023-11-14T22:13:20.000Z",
            "profile": {
                "login": LOGIN,
                "firstName": "Isaac",
                "lastName": "Brock",
                "locale": "fr_FR",
                "timeZone": "America/Los_Angeles",
            },
        }
    }
    # Recorded from a real org (2025): SUCCESS ends with a cancel link.
    assert body["_links"] == {
        "cancel": {"href": "http://localhost/api/v1/authn/cancel", "hints": {"allow": ["POST"]}}
    }


def test_session_tokens_are_not_reused(api: Api) -> None:
    create(api, credentials=with_password())
    tokens = {api.authn(LOGIN, PASSWORD).get_json()["sessionToken"] for _ in range(3)}
    assert len(tokens) == 3


def test_username_is_case_insensitive(api: Api) -> None:
    create(api, credentials=with_password())
    assert api.authn(LOGIN.upper(), PASSWORD).status_code == 200


def test_username_may_be_the_unique_short_name(api: Api) -> None:
    # AUTHN: `username` is the non-qualified short name or the fully qualified login.
    create(api, credentials=with_password())
    assert api.authn("isaac.brock", PASSWORD).status_code == 200


def test_ambiguous_short_name_does_not_sign_in(api: Api) -> None:
    create(api, credentials=with_password())
    create(api, login="isaac.brock@example.org", credentials=with_password())
    assert_failed(api.authn("isaac.brock", PASSWORD))


def test_user_id_is_not_a_username(api: Api) -> None:
    uid = create(api, credentials=with_password())
    assert_failed(api.authn(uid, PASSWORD))


def test_last_login_is_updated(api: Api, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["lastLogin"] is None
    clock.advance(90)
    api.authn(LOGIN, PASSWORD)
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert user["lastLogin"] == "2023-11-14T22:14:50.000Z"


# ----- every import algorithm, end to end


@pytest.mark.parametrize(
    "hash_object",
    [
        sha_hash(PASSWORD, "SHA-512", "TXlTYWx0", "PREFIX"),
        sha_hash(PASSWORD, "SHA-256", "MPu13OmY", "POSTFIX"),
        sha_hash(PASSWORD, "SHA-1", "UEO3wsAsgzQ=", "POSTFIX"),
        sha_hash(PASSWORD, "MD5", "TXlTYWx0", "PREFIX"),
        bcrypt_hash(PASSWORD),
        pbkdf2_hash(PASSWORD, "SHA256_HMAC"),
        pbkdf2_hash(PASSWORD, "SHA512_HMAC"),
    ],
    ids=["sha512", "sha256", "sha1", "md5", "bcrypt", "pbkdf2-256", "pbkdf2-512"],
)
def test_imported_hash_signs_in(api: Api, hash_object: dict[str, object]) -> None:
    create(api, credentials=with_hash(hash_object))
    assert_failed(api.authn(LOGIN, PASSWORD + "x"))
    assert api.authn(LOGIN, PASSWORD).get_json()["status"] == "SUCCESS"


def test_forum_hex_digest_is_created_but_cannot_sign_in(api: Api) -> None:
    # devforum 3613: the user was created (200) and then could not log in with Testing123!.
    hash_object = {
        "algorithm": "SHA-256",
        "salt": "MPu13OmY",
        "saltOrder": "PREFIX",
        "value": "4DD2ED3C3DAC519EA09D10D492F69082A65C66DB58061A01A9019223FA57AA75",
    }
    create(api, "?activate=true", credentials=with_hash(hash_object))
    assert_failed(api.authn(LOGIN, "Testing123!"))


def test_forum_base64_value_signs_in(api: Api) -> None:
    hash_object = {
        "algorithm": "SHA-256",
        "salt": "MPu13OmY",
        "saltOrder": "PREFIX",
        "value": "TdLtPD2sUZ6gnRDUkvaQgqZcZttYBhoBqQGSI/pXqnU",
    }
    create(api, credentials=with_hash(hash_object))
    assert api.authn(LOGIN, "Testing123!").status_code == 200


def test_sha256_salt_setting_changes_what_verifies(api: Api, org: Org) -> None:
    decoded = base64.b64encode(
        hashlib.sha256(base64.b64decode("MPu13OmY") + b"Testing123!").digest()
    ).decode()
    hash_object = {"algorithm": "SHA-256", "salt": "MPu13OmY", "saltOrder": "PREFIX"}
    create(api, credentials=with_hash({**hash_object, "value": decoded}))
    assert_failed(api.authn(LOGIN, "Testing123!"))  # default: literal salt
    org.configure({"sha256Salt": "base64"})
    assert api.authn(LOGIN, "Testing123!").status_code == 200


# ----- re-hash after the first sign-in


def test_first_bcrypt_sign_in_rehashes_so_the_second_pays_no_bcrypt(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = create(api, credentials=with_hash(bcrypt_hash(PASSWORD, cost=5)))
    assert isinstance(org.store.get_user(uid).password, PasswordHash)
    assert api.authn(LOGIN, PASSWORD).status_code == 200
    assert isinstance(org.store.get_user(uid).password, NativeHash)

    def no_bcrypt(*args: object) -> bool:
        raise AssertionError("bcrypt ran on the second sign-in")

    monkeypatch.setattr(mock_okta.hashing.bcrypt, "checkpw", no_bcrypt)
    assert api.authn(LOGIN, PASSWORD).status_code == 200
    assert_failed(api.authn(LOGIN, "Wrong-Horse-1"))


def test_failed_sign_in_keeps_the_imported_hash(api: Api, org: Org) -> None:
    uid = create(api, credentials=with_hash(sha_hash(PASSWORD)))
    assert_failed(api.authn(LOGIN, "Wrong-Horse-1"))
    assert isinstance(org.store.get_user(uid).password, PasswordHash)


def test_rehash_keeps_the_provider_and_password_changed(api: Api) -> None:
    uid = create(api, credentials=with_hash(sha_hash(PASSWORD)))
    before = api.call("GET", f"/api/v1/users/{uid}").get_json()
    api.authn(LOGIN, PASSWORD)
    after = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert after["credentials"] == before["credentials"]
    assert after["passwordChanged"] == before["passwordChanged"]


# ----- failures: 401 E0000004


def test_wrong_password_and_unknown_user(api: Api) -> None:
    create(api, credentials=with_password())
    assert_failed(api.authn(LOGIN, "Wrong-Horse-1"))
    assert_failed(api.authn("nobody@example.com", PASSWORD))


@pytest.mark.parametrize(
    ("query", "op"),
    [
        ("?activate=false", None),  # STAGED
        ("", "reset_password?sendEmail=false"),  # RECOVERY
        ("", "suspend"),  # SUSPENDED
        ("", "deactivate"),  # DEPROVISIONED
    ],
)
def test_users_who_cannot_sign_in(api: Api, query: str, op: str | None) -> None:
    uid = create(api, query, credentials=with_password())
    if op:
        assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/{op}").status_code == 200
    assert_failed(api.authn(LOGIN, PASSWORD))


def test_provisioned_user_cannot_sign_in(api: Api) -> None:
    uid = create(api)
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == "PROVISIONED"
    assert_failed(api.authn(LOGIN, ""))
    assert_failed(api.authn(LOGIN, PASSWORD))


def test_lockout_after_ten_failures(api: Api, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    for attempt in range(10):
        assert_failed(api.authn(LOGIN, f"Wrong-Horse-{attempt}"))
        clock.advance(1)
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == "LOCKED_OUT"
    assert_failed(api.authn(LOGIN, PASSWORD))  # hidden lockout: the right password fails too


def test_a_success_resets_the_failure_count(api: Api, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    for attempt in range(9):
        assert_failed(api.authn(LOGIN, f"Wrong-Horse-{attempt}"))
        clock.advance(1)
    assert api.authn(LOGIN, PASSWORD).status_code == 200
    for attempt in range(9):
        clock.advance(1)
        assert_failed(api.authn(LOGIN, f"Wrong-Horse-{attempt}"))
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == "ACTIVE"


def test_lockout_threshold_is_a_setting(api: Api, org: Org, clock: ManualClock) -> None:
    uid = create(api, credentials=with_password())
    org.configure({"lockoutAttempts": 3})
    for attempt in range(3):
        assert_failed(api.authn(LOGIN, f"Wrong-Horse-{attempt}"))
        clock.advance(1)
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == "LOCKED_OUT"


# ----- PASSWORD_EXPIRED and the change_password step


def test_password_expired_then_change_password(api: Api) -> None:
    uid = create(api, "?nextLogin=changePassword", credentials=with_password())
    response = api.authn(LOGIN, PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    state_token = body["stateToken"]
    # AUTHN's example of primary authentication with an expired password, key for key.
    assert body == {
        "stateToken": state_token,
        "expiresAt": "2023-11-14T22:18:20.000Z",
        "status": "PASSWORD_EXPIRED",
        "_embedded": {
            "user": {
                "id": uid,
                "passwordChanged": "2023-11-14T22:13:20.000Z",
                "profile": {
                    "login": LOGIN,
                    "firstName": "Isaac",
                    "lastName": "Brock",
                    "locale": "en_US",
                    "timeZone": "America/Los_Angeles",
                },
            },
            "policy": {
                "complexity": {
                    "minLength": 8,
                    "minLowerCase": 1,
                    "minUpperCase": 1,
                    "minNumber": 1,
                    "minSymbol": 0,
                }
            },
        },
        "_links": {
            "next": {
                "name": "changePassword",
                "href": "http://localhost/api/v1/authn/credentials/change_password",
                "hints": {"allow": ["POST"]},
            },
            "cancel": {
                "href": "http://localhost/api/v1/authn/cancel",
                "hints": {"allow": ["POST"]},
            },
        },
    }
    assert list(body) == ["stateToken", "expiresAt", "status", "_embedded", "_links"]

    wrong = api.client.post(
        "/api/v1/authn/credentials/change_password",
        json={"stateToken": state_token, "oldPassword": "Wrong-Horse-1", "newPassword": "x"},
    )
    assert wrong.status_code == 403
    changed = api.client.post(
        "/api/v1/authn/credentials/change_password",
        json={"stateToken": state_token, "oldPassword": PASSWORD, "newPassword": "New-Horse-10"},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["status"] == "SUCCESS"
    assert "sessionToken" in changed.get_json()
    assert api.call("GET", f"/api/v1/users/{uid}").get_json()["status"] == "ACTIVE"
    assert api.authn(LOGIN, "New-Horse-10").get_json()["status"] == "SUCCESS"
    assert_failed(api.authn(LOGIN, PASSWORD))


def test_state_token_is_one_time(api: Api) -> None:
    create(api, "?nextLogin=changePassword", credentials=with_password())
    state_token = api.authn(LOGIN, PASSWORD).get_json()["stateToken"]
    body = {"stateToken": state_token, "oldPassword": PASSWORD, "newPassword": "New-Horse-10"}
    assert api.client.post("/api/v1/authn/credentials/change_password", json=body).status_code == (
        200
    )
    again = api.client.post("/api/v1/authn/credentials/change_password", json=body)
    assert_error(again, 401, "E0000011", "Invalid token provided")


def test_expired_state_token_is_e0000011(api: Api, clock: ManualClock) -> None:
    create(api, "?nextLogin=changePassword", credentials=with_password())
    state_token = api.authn(LOGIN, PASSWORD).get_json()["stateToken"]
    clock.advance(301)
    response = api.client.post(
        "/api/v1/authn/credentials/change_password",
        json={"stateToken": state_token, "oldPassword": PASSWORD, "newPassword": "New-Horse-10"},
    )
    assert_error(response, 401, "E0000011", "Invalid token provided")


def test_cancel_revokes_the_state_token(api: Api) -> None:
    create(api, "?nextLogin=changePassword", credentials=with_password())
    state_token = api.authn(LOGIN, PASSWORD).get_json()["stateToken"]
    cancelled = api.client.post("/api/v1/authn/cancel", json={"stateToken": state_token})
    assert cancelled.status_code == 200
    assert cancelled.get_json() == {"relayState": ""}
    body = {"stateToken": state_token, "oldPassword": PASSWORD, "newPassword": "New-Horse-10"}
    changed = api.client.post("/api/v1/authn/credentials/change_password", json=body)
    assert_error(changed, 401, "E0000011", "Invalid token provided")
    again = api.client.post("/api/v1/authn/cancel", json={"stateToken": state_token})
    assert_error(again, 401, "E0000011", "Invalid token provided")


@pytest.mark.parametrize("body", [{}, {"stateToken": "nope"}, {"stateToken": 7}])
def test_cancel_without_a_live_state_token_is_e0000011(api: Api, body: dict[str, Any]) -> None:
    response = api.client.post("/api/v1/authn/cancel", json=body)
    assert_error(response, 401, "E0000011", "Invalid token provided")


def test_cancel_needs_no_api_token(api: Api) -> None:
    create(api, "?nextLogin=changePassword", credentials=with_password())
    state_token = api.authn(LOGIN, PASSWORD).get_json()["stateToken"]
    response = api.client.post("/api/v1/authn/cancel", json={"stateToken": state_token})
    assert response.status_code == 200
    assert response.headers["X-Rate-Limit-Limit"] == "500"  # counted in the authn bucket


def test_expired_imported_user_changes_password(api: Api) -> None:
    uid = create(api, credentials=with_hash(bcrypt_hash(PASSWORD)))
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/expire_password")
    body = api.authn(LOGIN, PASSWORD).get_json()
    assert body["status"] == "PASSWORD_EXPIRED"
    changed = api.client.post(
        "/api/v1/authn/credentials/change_password",
        json={
            "stateToken": body["stateToken"],
            "oldPassword": PASSWORD,
            "newPassword": "New-Horse-10",
        },
    )
    assert changed.get_json()["status"] == "SUCCESS"


# ----- the request itself


def test_authn_needs_no_token(client: FlaskClient, api: Api) -> None:
    create(api, credentials=with_password())
    response = client.post("/api/v1/authn", json={"username": LOGIN, "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["X-Okta-Request-Id"]


def test_authn_malformed_json_is_e0000003(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/authn", data='{"username":', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "E0000003", "The request body was not well-formed.")


@pytest.mark.parametrize(
    "body", [{"password": PASSWORD}, {"username": LOGIN}, {"username": 7, "password": PASSWORD}]
)
def test_authn_missing_fields_is_refused(client: FlaskClient, body: dict[str, object]) -> None:
    response = client.post("/api/v1/authn", json=body)
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"
