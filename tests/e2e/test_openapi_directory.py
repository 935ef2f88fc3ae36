"""Schemas, user types and groups validated against Okta's OpenAPI spec (UserSchema, UserType,
Group, User, Error), read from ../shared/okta/ as test_openapi_schemas does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema.exceptions import ValidationError

from tests.conftest import Api
from tests.e2e import test_openapi_schemas as openapi
from tests.e2e.test_openapi_schemas import Validate, body
from tests.helpers import SCHEMA_PATH, attribute, schema_change, sha_hash, with_hash

spec = openapi.spec  # the same session fixtures: Okta's spec, read once
validate = openapi.validate


def test_the_validator_refuses_a_group_or_type_okta_would_not_send(validate: Validate) -> None:
    with pytest.raises(ValidationError):
        validate("Group", {"id": "00g1", "type": "SOME_GROUP"})
    with pytest.raises(ValidationError):
        validate("UserType", {"id": "oty1", "name": "x"})  # displayName is required
    with pytest.raises(ValidationError):
        validate("UserSchema", {"definitions": {"custom": {"properties": {"x": {"type": "date"}}}}})


def test_schemas_match_user_schema(api: Api, validate: Validate) -> None:
    validate("UserSchema", body(api.call("GET", SCHEMA_PATH)))
    changed = schema_change(
        tier=attribute(enum=["gold", "silver"], oneOf=[
            {"const": "gold", "title": "Gold"}, {"const": "silver", "title": "Silver"}
        ]),
        # An integer default cannot pass the SPEC's `default` (oneOf integer, number): a string.
        points=attribute("integer", required=True),
        level=attribute(default="bronze"),
        customerNumber=attribute(unique=True, minLength=3, maxLength=12, pattern="C-[0-9]+"),
        tags=attribute("array", items={"type": "string", "enum": ["a", "b"]}),
        ratio=attribute("number", scope="SELF", description="a share"),
        newsletter=attribute("boolean", permissions=[{"principal": "SELF", "action": "HIDE"}]),
    )  # fmt: skip
    validate("UserSchema", body(api.call("POST", SCHEMA_PATH, changed)))
    validate("UserSchema", body(api.call("GET", SCHEMA_PATH)))


def test_user_types_match_user_type(api: Api, validate: Validate) -> None:
    created = body(
        api.call("POST", "/api/v1/meta/types/user", {"name": "newUserType", "displayName": "New"})
    )
    validate("UserType", created)
    for item in body(api.call("GET", "/api/v1/meta/types/user")):
        validate("UserType", item)
    path = f"/api/v1/meta/types/user/{created['id']}"
    validate("UserType", body(api.call("POST", path, {"description": "changed"})))
    replaced = api.call("PUT", path, {"name": "newUserType", "displayName": "Replacement"})
    validate("UserType", body(replaced))
    schema = created["_links"]["schema"]["href"].removeprefix("http://localhost")
    validate("UserSchema", body(api.call("GET", schema)))


def test_groups_and_members_match_group_and_user(api: Api, validate: Validate) -> None:
    group = body(
        api.call("POST", "/api/v1/groups", {"profile": {"name": "Gold", "description": "d"}})
    )
    validate("Group", group)
    uid = body(
        api.create_user("isaac@example.com", groupIds=[group["id"]], **with_hash(sha_hash("Pw-1")))
    )["id"]
    validate("User", body(api.call("GET", f"/api/v1/users/{uid}")))
    for item in body(api.call("GET", "/api/v1/groups?expand=stats")):
        validate("Group", item)
    for item in body(api.call("GET", f"/api/v1/users/{uid}/groups")):
        validate("Group", item)
    replaced = api.call("PUT", f"/api/v1/groups/{group['id']}", {"profile": {"name": "Gold 2"}})
    validate("Group", body(replaced))
    for item in body(api.call("GET", f"/api/v1/groups/{group['id']}/users")):
        validate("User", item)


def test_directory_errors_match_error(api: Api, validate: Validate) -> None:
    groups = [
        body(api.call("POST", "/api/v1/groups", {"profile": {"name": f"G{n}"}}))["id"]
        for n in range(21)
    ]
    everyone = next(
        g["id"] for g in body(api.call("GET", "/api/v1/groups")) if g["type"] == "BUILT_IN"
    )
    errors: list[tuple[Any, int]] = [
        (api.create_user("many@example.com", groupIds=groups), 400),  # E0000093
        (api.call("DELETE", "/api/v1/meta/types/user/default"), 403),  # E0000142
        (api.call("DELETE", f"/api/v1/groups/{everyone}"), 403),  # E0000006
        (api.call("GET", "/api/v1/groups/00gNOSUCHGROUP0000000"), 404),  # E0000007
        (api.call("POST", "/api/v1/groups", {"profile": {"name": "G0"}}), 400),  # E0000001
        (api.call("POST", SCHEMA_PATH, schema_change(x=attribute("date"))), 400),
        (api.create_user("x@example.com", profile={"undefined": 1}), 400),
    ]
    for response, status in errors:
        validate("Error", body(response, status))
