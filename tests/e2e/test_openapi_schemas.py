"""Response bodies validated against Okta's OpenAPI spec (../shared/okta/management-openapi.yaml).

The spec is read from there (never copied into the project) once per session; `$ref`s resolve
against it through a `referencing` registry. Responses use the read validator, so a write-only
property (a password value, a recovery answer) in a response is a failure too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import Api
from tests.helpers import (
    PASSWORD,
    bcrypt_hash,
    pbkdf2_hash,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

SPEC_URI = "urn:okta:management-openapi"
Validate = Callable[[str, Any], None]


@pytest.fixture(scope="session")
def spec(okta_spec: dict[str, Any]) -> dict[str, Any]:
    return okta_spec


@pytest.fixture(scope="session")
def validate(spec: dict[str, Any]) -> Validate:
    """`validate("User", body)`: raise unless `body` is a valid `#/components/schemas/User`."""
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4)
    )
    validators: dict[str, Any] = {}

    def check(name: str, instance: Any) -> None:
        assert name in spec["components"]["schemas"], f"{name} is not in Okta's spec"
        if name not in validators:
            validators[name] = OAS30ReadValidator(
                {"$ref": f"{SPEC_URI}#/components/schemas/{name}"},
                registry=registry,
                format_checker=oas30_format_checker,
            )
        validators[name].validate(instance)
        properties = spec["components"]["schemas"][name].get("properties")
        if properties and isinstance(instance, dict):
            unknown = set(instance) - set(properties)
            assert not unknown, f"{name} has no properties {sorted(unknown)}"

    return check


def body(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


# ----- the validator itself must be able to fail


def test_validator_refuses_a_user_okta_would_not_send(validate: Validate) -> None:
    with pytest.raises(ValidationError):
        validate("User", {"id": "00u1", "status": "ENABLED"})
    with pytest.raises(ValidationError):
        validate("User", {"id": "00u1", "created": "yesterday"})
    with pytest.raises(ValidationError):
        validate("User", {"id": "00u1", "credentials": {"password": {"value": "leaked"}}})
    with pytest.raises(AssertionError):
        validate("Error", {"errorCode": "E0000001", "message": "not Okta's field"})


# ----- users


@pytest.mark.parametrize(
    ("query", "credentials"),
    [
        ("?activate=false", None),
        ("?activate=false", with_password()),
        ("", None),
        ("", with_password()),
        ("?nextLogin=changePassword", with_password()),
        ("", with_hash(sha_hash(PASSWORD))),
        ("", with_hash(bcrypt_hash(PASSWORD))),
        ("", with_hash(pbkdf2_hash(PASSWORD))),
        ("", {"password": {"hook": {"type": "default"}}}),
        (
            "",
            {
                **with_password(),
                "recovery_question": {"question": "Favourite band?", "answer": "Modest Mouse"},
            },
        ),
    ],
)
def test_created_and_fetched_users_match_user(
    api: Api, validate: Validate, query: str, credentials: dict[str, object] | None
) -> None:
    extra = {"credentials": credentials} if credentials else {}
    created = body(api.create_user("isaac@example.com", query, **extra))
    validate("User", created)
    validate("User", body(api.call("GET", f"/api/v1/users/{created['id']}")))


def test_users_in_every_status_match_user(api: Api, validate: Validate) -> None:
    ops = {
        "SUSPENDED": ["suspend"],
        "RECOVERY": ["reset_password?sendEmail=false"],
        "PASSWORD_EXPIRED": ["expire_password"],
        "DEPROVISIONED": ["deactivate"],
    }
    for status, steps in ops.items():
        login = f"{status.lower()}@example.com"
        uid = body(api.create_user(login, credentials=with_password()))["id"]
        for step in steps:
            body(api.call("POST", f"/api/v1/users/{uid}/lifecycle/{step}"))
        user = body(api.call("GET", f"/api/v1/users/{uid}"))
        assert user["status"] == status
        validate("User", user)


def test_list_items_match_user(api: Api, validate: Validate) -> None:
    for i in range(3):
        api.create_user(f"user{i}@example.com", credentials=with_password())
    items = body(api.call("GET", "/api/v1/users"))
    assert len(items) == 3
    for item in items:
        validate("User", item)


def test_updated_and_replaced_users_match_user(api: Api, validate: Validate) -> None:
    uid = body(api.create_user("isaac@example.com", credentials=with_password()))["id"]
    validate(
        "User",
        body(api.call("POST", f"/api/v1/users/{uid}", {"profile": {"nickName": "Ike"}})),
    )
    validate(
        "User",
        body(api.call("PUT", f"/api/v1/users/{uid}", {"profile": profile("isaac@example.com")})),
    )


# ----- lifecycle responses


def test_activation_tokens_match_user_activation_token(api: Api, validate: Validate) -> None:
    staged = body(api.create_user("staged@example.com", "?activate=false"))["id"]
    token = body(api.call("POST", f"/api/v1/users/{staged}/lifecycle/activate?sendEmail=false"))
    validate("UserActivationToken", token)
    assert token["activationToken"]
    provisioned = body(api.create_user("provisioned@example.com"))["id"]
    again = body(api.call("POST", f"/api/v1/users/{provisioned}/lifecycle/reactivate"))
    validate("UserActivationToken", again)


def test_reset_and_temp_password_responses(api: Api, validate: Validate) -> None:
    first = body(api.create_user("first@example.com", credentials=with_password()))["id"]
    reset = body(
        api.call("POST", f"/api/v1/users/{first}/lifecycle/reset_password?sendEmail=false")
    )
    validate("ResetPasswordToken", reset)
    second = body(api.create_user("second@example.com", credentials=with_password()))["id"]
    temp = body(
        api.call("POST", f"/api/v1/users/{second}/lifecycle/expire_password_with_temp_password")
    )
    validate("tempPassword", temp)


def test_change_password_response_matches_user_credentials(api: Api, validate: Validate) -> None:
    uid = body(api.create_user("isaac@example.com", credentials=with_password()))["id"]
    credentials = body(
        api.call(
            "POST",
            f"/api/v1/users/{uid}/credentials/change_password",
            {"oldPassword": {"value": PASSWORD}, "newPassword": {"value": "New-Horse-10"}},
        )
    )
    validate("UserCredentials", credentials)


# ----- errors


def test_error_bodies_match_error(api: Api, client: FlaskClient, validate: Validate) -> None:
    api.create_user("isaac@example.com")
    uid = body(api.create_user("other@example.com", credentials=with_password()))["id"]
    staged_only = api.call(
        "POST", f"/api/v1/users/{uid}", {"credentials": with_hash(sha_hash(PASSWORD))}
    )
    errors = [
        (api.create_user("isaac@example.com"), 400),  # E0000001 duplicate
        (staged_only, 400),  # E0000001 STAGED-only
        (api.create_user("x@example.com", "?activate=false&nextLogin=changePassword"), 400),
        (api.call("GET", "/api/v1/users/nobody@example.com"), 404),  # E0000007
        (client.get("/api/v1/users"), 401),  # E0000011
        (api.call("GET", "/api/v1/nothing"), 404),  # E0000008
        (api.call("PATCH", "/api/v1/users"), 405),  # E0000022
        (api.call("POST", "/api/v1/users", "{", headers={"Content-Type": "application/json"}), 400),
        (api.call("GET", "/api/v1/users?filter=bad"), 400),  # E0000031
        (api.call("GET", "/api/v1/users?limit=x"), 400),  # E0000029
        (api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate"), 403),  # E0000016
        (api.call("POST", f"/api/v1/users/{uid}/lifecycle/reactivate"), 403),  # E0000038
        (api.call("POST", f"/api/v1/users/{uid}/lifecycle/unsuspend"), 400),  # E0000001
        (api.authn("other@example.com", "wrong"), 401),  # E0000004
    ]
    for response, status in errors:
        error = body(response, status)
        validate("Error", error)
        assert error["errorCauses"] is not None


# ----- principal rate limits


def test_principal_rate_limits_match_principal_rate_limit_entity(
    api: Api, validate: Validate
) -> None:
    stats = body(api.call("GET", "/_mock/stats"))
    principal = {"principalId": stats["tokens"][0]["id"], "principalType": "SSWS_TOKEN"}
    created = api.call(
        "POST", "/api/v1/principal-rate-limits", {**principal, "defaultPercentage": 80}
    )
    assert created.status_code == 201
    entity = created.get_json()
    validate("PrincipalRateLimitEntity", entity)
    path = f"/api/v1/principal-rate-limits/{entity['id']}"
    validate("PrincipalRateLimitEntity", body(api.call("GET", path)))
    validate("PrincipalRateLimitEntity", body(api.call("PUT", path, principal)))
    listed = body(
        api.call("GET", '/api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"')
    )
    assert len(listed) == 1
    for item in listed:
        validate("PrincipalRateLimitEntity", item)
