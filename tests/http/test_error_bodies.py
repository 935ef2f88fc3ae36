"""Every error the mock's Okta API answers, one case each, with its exact body.

Causes are Okta's where an example gives one: the SPEC's `components.examples`, AUTHN, OLD-USERS,
and answers recorded from real orgs (okta-sdk-python's cassettes, okta-auth-js's fixtures).
Where no example exists the mock's choice is marked `# PARITY:` at the raise site. Inline hook
validation errors have their own table in `test_inline_hooks.py`, principal rate limit errors
(recorded from a real org) theirs in `test_token_limits.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from mock_okta.profile import POLICY_MESSAGE
from tests.conftest import Api
from tests.helpers import (
    DUPLICATE_LOGIN,
    PASSWORD,
    STAGED_ONLY,
    assert_error,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

LOGIN = "isaac.brock@example.com"
CONFIRMED = "Could not create user. To create a user and expire their password immediately,"
AUTHN_POLICY = (
    "Passwords must have at least 8 characters, a lowercase letter, an uppercase letter,"
    " a number, no parts of your username"
)  # AUTHN "Change password" and okta-auth-js password-expired-error-complexity.js


@dataclass(frozen=True)
class Case:
    status: int
    code: str
    summary: str
    causes: tuple[str, ...]
    call: Callable[[Api, Org, ManualClock], Any]


def _user(api: Api, query: str = "", **extra: Any) -> str:
    return api.created_id(LOGIN, query, **extra)


def _active(api: Api) -> str:
    return _user(api, credentials=with_password())


def _post(path: str, body: Any = None) -> Callable[[Api, Org, ManualClock], Any]:
    return lambda api, org, clock: api.call("POST", path, body if body is not None else {})


def _on_user(
    method: str, tail: str, body: Any = None, *, make: Callable[[Api], str] = _active
) -> Callable[[Api, Org, ManualClock], Any]:
    def call(api: Api, org: Org, clock: ManualClock) -> Any:
        uid = make(api)
        return api.call(method, f"/api/v1/users/{uid}{tail}", body)

    return call


def _create(body: Any, query: str = "") -> Callable[[Api, Org, ManualClock], Any]:
    return lambda api, org, clock: api.call("POST", f"/api/v1/users{query}", body)


def _with_creds(credentials: Any) -> dict[str, Any]:
    return {"profile": profile(LOGIN), "credentials": credentials}


def _hash(**fields: Any) -> Callable[[Api, Org, ManualClock], Any]:
    return _create(_with_creds({"password": {"hash": fields}}))


def _duplicate(api: Api, org: Org, clock: ManualClock) -> Any:
    _active(api)
    return api.create_user(LOGIN.upper())


def _rate_limited(api: Api, org: Org, clock: ManualClock) -> Any:
    org.configure({"limits": {"users.collection": 1}})
    assert api.call("GET", "/api/v1/users").status_code == 200
    return api.call("GET", "/api/v1/users")


def _authn_per_user(api: Api, org: Org, clock: ManualClock) -> Any:
    for _ in range(4):
        api.authn(LOGIN, "Wrong-Horse-1")
    return api.authn(LOGIN, "Wrong-Horse-1")


def _fault(status: int) -> Callable[[Api, Org, ManualClock], Any]:
    def call(api: Api, org: Org, clock: ManualClock) -> Any:
        api.call("POST", "/_mock/faults", {"path": "/api/v1/users", "status": status})
        return api.call("GET", "/api/v1/users")

    return call


def _expired_transaction(api: Api) -> str:
    _user(api, "?nextLogin=changePassword", credentials=with_password())
    return str(api.authn(LOGIN, PASSWORD).get_json()["stateToken"])


def _authn_change(old: str, new: str) -> Callable[[Api, Org, ManualClock], Any]:
    def call(api: Api, org: Org, clock: ManualClock) -> Any:
        body = {"stateToken": _expired_transaction(api), "oldPassword": old, "newPassword": new}
        return api.client.post("/api/v1/authn/credentials/change_password", json=body)

    return call


def _authn_wrong_state(api: Api, org: Org, clock: ManualClock) -> Any:
    state_token = _expired_transaction(api)
    uid = api.call("GET", f"/api/v1/users/{LOGIN}").get_json()["id"]
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/reset_password?sendEmail=false")
    body = {"stateToken": state_token, "oldPassword": PASSWORD, "newPassword": "New-Horse-10"}
    return api.client.post("/api/v1/authn/credentials/change_password", json=body)


def _etag(api: Api, org: Org, clock: ManualClock) -> Any:
    uid = _active(api)
    return api.call(
        "POST", f"/api/v1/users/{uid}", {"profile": {}}, headers={"If-Match": 'W/"stale"'}
    )


def _deprovisioned(api: Api) -> str:
    uid = _active(api)
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    return uid


def _staged(api: Api) -> str:
    return _user(api, "?activate=false")


def _suspended(api: Api) -> str:
    uid = _active(api)
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/suspend")
    return uid


def _hook_not_found(api: Api, org: Org, clock: ManualClock) -> Any:
    return api.call("GET", "/api/v1/inlineHooks/calNoSuchHook0000000")


V = "Api validation failed: {}"
CASES: dict[str, Case] = {
    # ----- the request itself
    "no API token (SPEC ErrorInvalidTokenProvided)": Case(
        401,
        "E0000011",
        "Invalid token provided",
        (),
        lambda api, org, clock: api.client.get("/api/v1/users"),
    ),
    "unknown path": Case(
        404,
        "E0000008",
        "The requested path was not found",
        (),
        lambda api, org, clock: api.call("GET", "/api/v1/nothing-here"),
    ),
    "method not allowed": Case(
        405,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
        (),
        lambda api, org, clock: api.call("DELETE", "/api/v1/users"),
    ),
    "body not JSON (SPEC NzErrorApiValidationFailed)": Case(
        400,
        "E0000003",
        "The request body was not well-formed.",
        (),
        lambda api, org, clock: api.call(
            "POST", "/api/v1/users", "{not json", headers={"Content-Type": "application/json"}
        ),
    ),
    "body too large": Case(
        400,
        "E0000003",
        "The request body was not well-formed.",
        (),
        _create({"profile": profile(LOGIN, nickName="x" * 2_000_000)}),
    ),
    "bucket used up (SPEC ErrorTooManyRequests)": Case(
        429, "E0000047", "API call exceeded rate limit due to too many requests.", (), _rate_limited
    ),
    "sign-ins per username per second": Case(
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        (),
        _authn_per_user,
    ),
    "injected 503": Case(503, "E0000181", "Service temporarily unavailable.", (), _fault(503)),
    "injected 500 (SPEC ErrorInternalServer)": Case(
        500, "E0000009", "Internal Server Error", (), _fault(500)
    ),
    # ----- create and validate users
    "duplicate login (CORE)": Case(
        400, "E0000001", V.format("login"), (DUPLICATE_LOGIN,), _duplicate
    ),
    "no profile": Case(
        400,
        "E0000001",
        V.format("profile"),
        ("profile: The field is required",),
        _create({"credentials": with_password()}),
    ),
    "blank required property": Case(
        400,
        "E0000001",
        V.format("email"),
        ("email: The field cannot be left blank",),
        _create({"profile": profile(LOGIN, email="")}),
    ),
    "property not in the schema": Case(
        400,
        "E0000001",
        V.format("favouriteBand"),
        ("Property name 'favouriteBand' is not defined in profile",),
        _create({"profile": profile(LOGIN, favouriteBand="Modest Mouse")}),
    ),
    "login not an email": Case(
        400,
        "E0000001",
        V.format("login"),
        ("login: Username must be in the form of an email address",),
        _create({"profile": {**profile(LOGIN), "login": "isaac.brock"}}),
    ),
    "email malformed": Case(
        400,
        "E0000001",
        V.format("email"),
        ("email: Does not match required pattern",),
        _create({"profile": profile(LOGIN, email="isaac.brock")}),
    ),
    "property too long": Case(
        400,
        "E0000001",
        V.format("firstName"),
        ("firstName: The field is too long",),
        _create({"profile": profile(LOGIN, firstName="I" * 51)}),
    ),
    "property not a string": Case(
        400,
        "E0000001",
        V.format("nickName"),
        ("nickName: The value must be a string",),
        _create({"profile": profile(LOGIN, nickName=7)}),
    ),
    "password breaks the policy": Case(
        400,
        "E0000001",
        V.format("password"),
        (f"password: {POLICY_MESSAGE}",),
        _create(_with_creds(with_password("short"))),
    ),
    "password over 72 characters": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: Password cannot exceed 72 characters",),
        _create(_with_creds(with_password("Aa1" + "x" * 70))),
    ),
    "credentials not an object": Case(
        400,
        "E0000001",
        V.format("credentials"),
        ("credentials: The value must be an object",),
        _create(_with_creds("secret")),
    ),
    "password not an object": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: The value must be an object",),
        _create(_with_creds({"password": "secret"})),
    ),
    "value and hash together": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: Only one of value, hash or hook may be given",),
        _create(_with_creds({"password": {"value": PASSWORD, "hash": sha_hash(PASSWORD)}})),
    ),
    "hook of another type": Case(
        400,
        "E0000001",
        V.format("password"),
        ('password: hook.type must be "default"',),
        _create(_with_creds({"password": {"hook": {"type": "custom"}}})),
    ),
    "recovery question not an object": Case(
        400,
        "E0000001",
        V.format("recovery_question"),
        ("recovery_question: The value must be an object",),
        _create(_with_creds({"recovery_question": "band?"})),
    ),
    "recovery question blank": Case(
        400,
        "E0000001",
        V.format("recovery_question"),
        ("recovery_question: The field cannot be left blank",),
        _create(_with_creds({"recovery_question": {"question": " ", "answer": "Modest"}})),
    ),
    "recovery answer too short": Case(
        400,
        "E0000001",
        V.format("recovery_question"),
        ("recovery_question: The answer must be at least 4 characters",),
        _create(_with_creds({"recovery_question": {"question": "Band?", "answer": "MM"}})),
    ),
    "provider not an object": Case(
        400,
        "E0000001",
        V.format("provider"),
        ("provider: The value must be an object",),
        _create(_with_creds({"provider": "OKTA"})),
    ),
    "provider unknown": Case(
        400,
        "E0000001",
        V.format("provider"),
        ("provider: Unknown provider type",),
        _create(_with_creds({"provider": {"type": "MYSPACE"}})),
    ),
    "nextLogin other than changePassword": Case(
        400,
        "E0000001",
        V.format("nextLogin"),
        ("nextLogin: The value must be changePassword",),
        _create(_with_creds(with_password()), "?nextLogin=never"),
    ),
    "nextLogin without activate (SPEC example)": Case(
        400,
        "E0000125",
        f'{CONFIRMED} "activate" must be true',
        (f"{CONFIRMED} `activate` must be true.",),
        _create(_with_creds(with_password()), "?activate=false&nextLogin=changePassword"),
    ),
    "nextLogin without a password (SPEC example)": Case(
        400,
        "E0000124",
        f"{CONFIRMED} a password must be specified",
        (f"{CONFIRMED} a password must be specified.",),
        _create({"profile": profile(LOGIN)}, "?nextLogin=changePassword"),
    ),
    "unknown user type": Case(
        400,
        "E0000001",
        V.format("type"),
        ("type: Invalid user type",),
        _create({"profile": profile(LOGIN), "type": {"id": "otyNoSuchType000000"}}),
    ),
    "flag not a boolean": Case(
        400,
        "E0000001",
        V.format("activate"),
        ("activate: The value must be true or false",),
        _create({"profile": profile(LOGIN)}, "?activate=yes"),
    ),
    # ----- hashes
    "hash not an object": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash must be an object",),
        _create(_with_creds({"password": {"hash": "abc"}})),
    ),
    "hash without algorithm": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.algorithm is required",),
        _hash(value="abc"),
    ),
    "hash of an unknown algorithm": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.algorithm must be one of BCRYPT, MD5, PBKDF2, SHA-1, SHA-256, SHA-512",),
        _hash(algorithm="SCRYPT", value="abc"),
    ),
    "hash field of the wrong type": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.algorithm must be a string",),
        _hash(algorithm=7, value="abc"),
    ),
    "hash without value": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.value is required",),
        _hash(algorithm="SHA-256"),
    ),
    "hash saltOrder unknown": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.saltOrder must be PREFIX or POSTFIX",),
        _hash(algorithm="SHA-256", value="abcd", salt="c2FsdA==", saltOrder="MIDDLE"),
    ),
    "hash value not Base64": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.value must be Base64 for SHA-256",),
        _hash(algorithm="SHA-256", value="not base64!"),
    ),
    "salt without saltOrder": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.saltOrder is required when a salt is given",),
        _hash(algorithm="SHA-256", value="abcd", salt="c2FsdA=="),
    ),
    "bcrypt work factor out of range": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.workFactor must be an integer from 1 to 20 for BCRYPT",),
        _hash(algorithm="BCRYPT", workFactor=31, salt="a" * 22, value="b" * 31),
    ),
    "bcrypt salt malformed": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.salt must be 22 characters of bcrypt's alphabet ./A-Za-z0-9",),
        _hash(algorithm="BCRYPT", workFactor=10, salt="a" * 21, value="b" * 31),
    ),
    "bcrypt value malformed": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.value must be the 31-character bcrypt checksum",),
        _hash(algorithm="BCRYPT", workFactor=10, salt="a" * 22, value="b" * 30),
    ),
    "PBKDF2 too few iterations": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.iterationCount must be at least 4096",),
        _hash(algorithm="PBKDF2", iterationCount=1000, keySize=32, value="abcd", salt="c2Fs"),
    ),
    "PBKDF2 key size": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.keySize must be the derived key length in bytes",),
        _hash(algorithm="PBKDF2", iterationCount=4096, keySize=0, value="abcd", salt="c2Fs"),
    ),
    "PBKDF2 digest": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.digestAlgorithm must be SHA256_HMAC or SHA512_HMAC",),
        _hash(algorithm="PBKDF2", iterationCount=4096, keySize=32, value="abcd", salt="c2Fs"),
    ),
    "PBKDF2 without salt": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.salt is required for PBKDF2",),
        _hash(
            algorithm="PBKDF2",
            iterationCount=4096,
            keySize=32,
            digestAlgorithm="SHA512_HMAC",
            value="abcd",
        ),
    ),
    "PBKDF2 value not Base64": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: hash.value must be Base64 for PBKDF2",),
        _hash(
            algorithm="PBKDF2",
            iterationCount=4096,
            keySize=32,
            digestAlgorithm="SHA512_HMAC",
            value="not base64!",
            salt="c2Fs",
        ),
    ),
    # ----- read, list, update
    "user not found (OLD-USERS)": Case(
        404,
        "E0000007",
        "Not found: Resource not found: missing@example.com (User)",
        (),
        lambda api, org, clock: api.call("GET", "/api/v1/users/missing@example.com"),
    ),
    "search and filter together": Case(
        400,
        "E0000033",
        "Bad request. Can't specify a search query and filter in the same request.",
        (),
        lambda api, org, clock: api.call(
            "GET", '/api/v1/users?search=status eq "ACTIVE"&filter=status eq "ACTIVE"'
        ),
    ),
    "invalid search": Case(
        400,
        "E0000031",
        "Invalid search criteria.",
        (),
        lambda api, org, clock: api.call("GET", "/api/v1/users?search=status ~ 1"),
    ),
    "invalid paging": Case(
        400,
        "E0000029",
        "Invalid paging request.",
        (),
        lambda api, org, clock: api.call("GET", "/api/v1/users?limit=many"),
    ),
    "hash for a user who is not STAGED": Case(
        400,
        "E0000001",
        V.format("password"),
        (STAGED_ONLY,),
        _on_user("POST", "", {"credentials": with_hash(sha_hash(PASSWORD))}),
    ),
    "replace without a profile": Case(
        400,
        "E0000001",
        V.format("profile"),
        ("profile: The field cannot be left blank",),
        _on_user("PUT", "", {"credentials": {}}),
    ),
    "update with a profile that is no object": Case(
        400,
        "E0000001",
        V.format("profile"),
        ("profile: The value must be an object",),
        _on_user("POST", "", {"profile": "Isaac"}),
    ),
    "stale If-Match": Case(412, "E0000231", "ETag value doesn't match.", (), _etag),
    # ----- lifecycle
    "activate an active user": Case(
        403,
        "E0000016",
        "Activation failed because the user is already active",
        (),
        _on_user("POST", "/lifecycle/activate"),
    ),
    "reactivate an active user (OLD-USERS example)": Case(
        403,
        "E0000038",
        "This operation is not allowed in the user's current status.",
        (),
        _on_user("POST", "/lifecycle/reactivate"),
    ),
    "deactivate a deactivated user": Case(
        403,
        "E0000038",
        "This operation is not allowed in the user's current status.",
        (),
        _on_user("POST", "/lifecycle/deactivate", make=_deprovisioned),
    ),
    "suspend a user who is not active": Case(
        400,
        "E0000001",
        V.format("status"),
        ("Cannot suspend a user that is not active",),
        _on_user("POST", "/lifecycle/suspend", make=_staged),
    ),
    "unsuspend a user who is not suspended": Case(
        400,
        "E0000001",
        V.format("status"),
        ("Cannot unsuspend a user that is not suspended",),
        _on_user("POST", "/lifecycle/unsuspend"),
    ),
    "unlock a user who is not locked out (recorded)": Case(
        403,
        "E0000032",
        "Unlock is not allowed for this user.",
        ("The user is not locked out.",),
        _on_user("POST", "/lifecycle/unlock"),
    ),
    "reset the password of a STAGED user": Case(
        403,
        "E0000017",
        "Password reset failed",
        (),
        _on_user("POST", "/lifecycle/reset_password", make=_staged),
    ),
    "expire the password of a STAGED user": Case(
        403,
        "E0000038",
        "This operation is not allowed in the user's current status.",
        (),
        _on_user("POST", "/lifecycle/expire_password", make=_staged),
    ),
    "change the password of a suspended user": Case(
        403,
        "E0000035",
        "Change password not allowed on specified user.",
        (),
        _on_user(
            "POST",
            "/credentials/change_password",
            {"oldPassword": {"value": PASSWORD}, "newPassword": {"value": "New-Horse-10"}},
            make=_suspended,
        ),
    ),
    "change password, wrong old one (AUTHN example)": Case(
        403,
        "E0000014",
        "Update of credentials failed",
        ("oldPassword: The credentials provided were incorrect.",),
        _on_user(
            "POST",
            "/credentials/change_password",
            {"oldPassword": {"value": "Wrong-Horse-1"}, "newPassword": {"value": "New-Horse-10"}},
        ),
    ),
    "change password, new one breaks the policy": Case(
        403,
        "E0000014",
        "Update of credentials failed",
        (f"password: {POLICY_MESSAGE}",),
        _on_user(
            "POST",
            "/credentials/change_password",
            {"oldPassword": {"value": PASSWORD}, "newPassword": {"value": "short"}},
        ),
    ),
    # ----- authn
    "sign-in without a username": Case(
        400,
        "E0000001",
        V.format("username"),
        ("username: The field cannot be left blank",),
        lambda api, org, clock: api.client.post("/api/v1/authn", json={"password": PASSWORD}),
    ),
    "sign-in without a password": Case(
        400,
        "E0000001",
        V.format("password"),
        ("password: The field cannot be left blank",),
        lambda api, org, clock: api.client.post("/api/v1/authn", json={"username": LOGIN}),
    ),
    "sign-in refused (AUTHN example)": Case(
        401,
        "E0000004",
        "Authentication failed",
        (),
        lambda api, org, clock: api.authn(LOGIN, PASSWORD),
    ),
    "expired password, unknown state token (AUTHN example)": Case(
        401,
        "E0000011",
        "Invalid token provided",
        (),
        _post("/api/v1/authn/credentials/change_password", {"stateToken": "00nope"}),
    ),
    "expired password, wrong transaction state (AUTHN example)": Case(
        403,
        "E0000079",
        "This operation is not allowed in the current authentication state.",
        ("This operation is not allowed in the current authentication state.",),
        _authn_wrong_state,
    ),
    "expired password, wrong old one (okta-auth-js fixture)": Case(
        403,
        "E0000014",
        "Update of credentials failed",
        ("oldPassword: The credentials provided were incorrect.",),
        _authn_change("Wrong-Horse-1", "New-Horse-10"),
    ),
    "expired password, new one breaks the policy (okta-auth-js fixture)": Case(
        403,
        "E0000080",
        "The password does not meet the complexity requirements of the current password policy.",
        (AUTHN_POLICY,),
        _authn_change(PASSWORD, "short"),
    ),
    "cancel without a live state token": Case(
        401, "E0000011", "Invalid token provided", (), _post("/api/v1/authn/cancel")
    ),
    # ----- inline hooks (validation errors: test_inline_hooks.py)
    "inline hook not found (recorded)": Case(
        404,
        "E0000007",
        "Not found: Resource not found: calNoSuchHook0000000 (InlineHook)",
        (),
        _hook_not_found,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error_body_is_exact(api: Api, org: Org, clock: ManualClock, name: str) -> None:
    case = CASES[name]
    response = case.call(api, org, clock)
    assert_error(response, case.status, case.code, case.summary, list(case.causes))
