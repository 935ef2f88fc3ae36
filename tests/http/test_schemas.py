"""The Schemas API and profile validation against it (SPEC tag Schema, reference.md §7.2)."""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.app import create_app
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import (
    DUPLICATE_LOGIN,
    SCHEMA_PATH,
    assert_error,
    attribute,
    profile,
    schema_change,
)

LOGIN = "isaac.brock@example.com"
NOT_ALLOWED = "x: The value is not one of the allowed values"
ITEM_TYPES = "one of string, integer, number, boolean"
TAKEN = DUPLICATE_LOGIN.split(": ", 1)[1]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def add(api: Api, **properties: object) -> dict[str, Any]:
    return ok(api.call("POST", SCHEMA_PATH, schema_change(**properties)))  # type: ignore[no-any-return]


def create(api: Api, login: str = LOGIN, **custom: object) -> Any:
    return api.call("POST", "/api/v1/users", {"profile": profile(login, **custom)})


def validation(response: Any, field: str, causes: list[str]) -> None:
    assert_error(response, 400, "E0000001", f"Api validation failed: {field}", causes)


# ----- the default schema


def test_get_user_schema_shows_the_base_and_an_empty_custom_part(api: Api) -> None:
    schema = ok(api.call("GET", SCHEMA_PATH))
    assert schema["id"] == "http://localhost/meta/schemas/user/default"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["type"] == "object"
    base = schema["definitions"]["base"]
    assert base["id"] == "#base"
    assert base["required"] == ["login", "firstName", "lastName", "email"]
    # As the SPEC's UserSchemaDefaultResponse shows them.
    assert base["properties"]["login"] == {
        "title": "Username",
        "type": "string",
        "required": True,
        "mutability": "READ_WRITE",
        "scope": "NONE",
        "minLength": 5,
        "maxLength": 100,
        "permissions": [{"principal": "SELF", "action": "READ_WRITE"}],
        "master": {"type": "PROFILE_MASTER"},
    }
    assert base["properties"]["email"]["format"] == "email"
    assert len(base["properties"]) == 31
    assert schema["definitions"]["custom"] == {
        "id": "#custom",
        "type": "object",
        "properties": {},
        "required": [],
    }
    assert schema["properties"] == {
        "profile": {"allOf": [{"$ref": "#/definitions/base"}, {"$ref": "#/definitions/custom"}]}
    }


def test_the_default_schema_is_also_found_by_its_id(api: Api) -> None:
    user_type = ok(api.call("GET", "/api/v1/meta/types/user/default"))
    schema_id = user_type["_links"]["schema"]["href"].rsplit("/", 1)[1]
    assert schema_id == "osc" + user_type["id"][3:]
    schema = ok(api.call("GET", f"/api/v1/meta/schemas/user/{schema_id}"))
    assert schema["id"].endswith(f"/meta/schemas/user/{schema_id}")
    assert schema["definitions"]["base"]["required"] == ["login", "firstName", "lastName", "email"]


def test_an_unknown_schema_is_404(api: Api) -> None:
    response = api.call("GET", "/api/v1/meta/schemas/user/oscNOSUCHSCHEMA000000")
    assert_error(
        response,
        404,
        "E0000007",
        "Not found: Resource not found: oscNOSUCHSCHEMA000000 (UserSchema)",
    )


# ----- adding, changing and removing custom properties


def test_update_user_profile_adds_a_property_as_okta_shows_it(api: Api) -> None:
    # The SPEC's UserSchemaAddRequest, exactly.
    schema = add(
        api,
        salesforceUserName={
            "title": "Salesforce username",
            "description": "User's username for Salesforce",
            "type": "string",
            "required": False,
            "minLength": 1,
            "maxLength": 20,
            "permissions": [{"principal": "SELF", "action": "READ_WRITE"}],
        },
    )
    assert schema["definitions"]["custom"]["properties"]["salesforceUserName"] == {
        "title": "Salesforce username",
        "description": "User's username for Salesforce",
        "type": "string",
        "required": False,
        "minLength": 1,
        "maxLength": 20,
        "mutability": "READ_WRITE",
        "scope": "NONE",
        "permissions": [{"principal": "SELF", "action": "READ_WRITE"}],
        "master": {"type": "PROFILE_MASTER"},
        "unique": False,
    }
    again = ok(api.call("GET", SCHEMA_PATH))
    assert again["definitions"]["custom"] == schema["definitions"]["custom"]


def test_a_partial_update_keeps_the_properties_it_does_not_name(api: Api) -> None:
    add(api, tier=attribute(enum=["gold", "silver"]))
    schema = add(api, points=attribute("integer"))
    assert list(schema["definitions"]["custom"]["properties"]) == ["tier", "points"]


def test_a_property_set_to_null_is_removed_with_its_values(api: Api) -> None:
    add(api, tier=attribute(), points=attribute("integer"))
    uid = ok(create(api, tier="gold", points=3))["id"]
    schema = add(api, tier=None)
    assert list(schema["definitions"]["custom"]["properties"]) == ["points"]
    assert ok(api.call("GET", f"/api/v1/users/{uid}"))["profile"].get("tier") is None
    assert ok(api.call("GET", f"/api/v1/users/{uid}"))["profile"]["points"] == 3
    validation(create(api, "other@example.com", tier="gold"), "tier", [
        "Property name 'tier' is not defined in profile"
    ])  # fmt: skip


def test_removing_an_undefined_property_is_refused(api: Api) -> None:
    validation(
        api.call("POST", SCHEMA_PATH, schema_change(nothing=None)),
        "nothing",
        ["nothing: Property name 'nothing' is not defined in profile"],
    )


@pytest.mark.parametrize(
    ("definition", "cause"),
    [
        (
            attribute("date"),
            "tier: Unsupported type 'date': use one of string, integer, number, boolean, array",
        ),
        ({"type": "string"}, "tier: title: The field cannot be left blank"),
        (attribute(minLength=5, maxLength=2), "tier: minLength cannot be more than maxLength"),
        (attribute("integer", maxLength=3), "tier: minLength and maxLength are only for a string"),
        (attribute(enum=["a", 1]), "tier: Every enum value must be of type string"),
        (attribute(enum=["a", "a"]), "tier: The enum values must be unique"),
        (attribute("array"), f"tier: An array needs items.type, {ITEM_TYPES}"),
        (
            attribute("boolean", unique=True),
            "tier: Only a string, integer or number property can be unique",
        ),
        (attribute(default=3), "tier: The default must be a valid string value of the property"),
        (
            attribute(oneOf=[{"const": "a", "title": "A"}]),
            "tier: oneOf is only supported together with enum",
        ),
        (attribute(colour="red"), "tier: Unknown attribute 'colour'"),
        (
            attribute(permissions=[{"principal": "SELF", "action": "EDIT"}]),
            "tier: permissions must be a list of {principal, action: READ_ONLY|READ_WRITE|HIDE}",
        ),
        ("string", "tier: The property definition must be an object"),
    ],
)
def test_a_bad_property_definition_is_refused_and_nothing_changes(
    api: Api, definition: object, cause: str
) -> None:
    before = ok(api.call("GET", SCHEMA_PATH))
    response = api.call("POST", SCHEMA_PATH, schema_change(ok=attribute(), tier=definition))
    validation(response, "tier", [cause])
    assert ok(api.call("GET", SCHEMA_PATH)) == before


@pytest.mark.parametrize("name", ["1st", "tier-level", "", "a" * 101])
def test_a_bad_property_name_is_refused(api: Api, name: str) -> None:
    response = api.call("POST", SCHEMA_PATH, schema_change(**{name: attribute()}))
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"


def test_names_that_differ_only_in_case_collide(api: Api) -> None:
    add(api, tier=attribute())
    validation(
        api.call("POST", SCHEMA_PATH, schema_change(Tier=attribute())),
        "Tier",
        ["Tier: The name collides with the property 'tier'"],
    )
    validation(
        api.call("POST", SCHEMA_PATH, schema_change(FirstName=attribute())),
        "FirstName",
        ["FirstName: The name collides with the property 'firstName'"],
    )


def test_base_properties_cannot_be_removed_or_reshaped(api: Api) -> None:
    body = {"definitions": {"base": {"properties": {"login": None}}}}
    validation(api.call("POST", SCHEMA_PATH, body), "login", [
        "login: A base property cannot be removed"
    ])  # fmt: skip
    body = {"definitions": {"base": {"properties": {"email": {"maxLength": 300}}}}}
    validation(api.call("POST", SCHEMA_PATH, body), "email", [
        "email: maxLength of a base property cannot be changed"
    ])  # fmt: skip
    body = {"definitions": {"custom": {"properties": {"email": attribute()}}}}
    assert api.call("POST", SCHEMA_PATH, body).status_code == 400


def test_base_permissions_and_name_nullability_change_as_okta_allows(api: Api) -> None:
    permissions = [{"principal": "SELF", "action": "READ_ONLY"}]
    body = {
        "definitions": {
            "base": {
                "properties": {
                    "lastName": {"required": False},
                    "city": {"permissions": permissions},
                }
            }
        }
    }
    base = ok(api.call("POST", SCHEMA_PATH, body))["definitions"]["base"]
    assert base["required"] == ["login", "firstName", "email"]
    assert "required" not in base["properties"]["lastName"]
    assert base["properties"]["city"]["permissions"] == permissions
    no_last_name = {"login": LOGIN, "email": LOGIN, "firstName": "Isaac"}
    created = ok(api.call("POST", "/api/v1/users", {"profile": no_last_name}))["profile"]
    assert created == {**no_last_name, "mobilePhone": None, "secondEmail": None}


def test_a_schema_read_back_and_sent_again_changes_nothing(api: Api) -> None:
    add(api, tier=attribute(enum=["gold"], oneOf=[{"const": "gold", "title": "Gold"}]))
    schema = ok(api.call("GET", SCHEMA_PATH))
    again = ok(api.call("POST", SCHEMA_PATH, schema))
    assert again["definitions"] == schema["definitions"]


# ----- profiles validated against the schema


def test_a_custom_property_must_be_defined_before_a_create_uses_it(api: Api, org: Org) -> None:
    validation(create(api, customerNumber="C-1"), "customerNumber", [
        "Property name 'customerNumber' is not defined in profile"
    ])  # fmt: skip
    assert org.store.count_users() == 0
    add(api, customerNumber=attribute())
    assert ok(create(api, customerNumber="C-1"))["profile"]["customerNumber"] == "C-1"


@pytest.mark.parametrize(
    ("definition", "value", "cause"),
    [
        (attribute("integer"), "12", "x: The value must be an integer"),
        (attribute("integer"), 1.5, "x: The value must be an integer"),
        (attribute("integer"), True, "x: The value must be an integer"),
        (attribute("integer"), 2**64, "x: The value must be an integer"),
        (attribute("number"), "1.5", "x: The value must be a number"),
        (attribute("boolean"), "true", "x: The value must be a boolean"),
        (attribute("boolean"), 1, "x: The value must be a boolean"),
        (attribute(), 42, "x: The value must be a string"),
        (
            attribute("array", items={"type": "string"}),
            "a",
            "x: The value must be an array of strings",
        ),
        (
            attribute("array", items={"type": "integer"}),
            [1, "2"],
            "x: The value must be an array of integers",
        ),
        (attribute(enum=["gold", "silver"]), "diamond", f'{NOT_ALLOWED} ("gold", "silver")'),
        (attribute("integer", enum=[1, 2]), 3, f"{NOT_ALLOWED} (1, 2)"),
        (
            attribute("array", items={"type": "string", "enum": ["a"]}),
            ["a", "b"],
            f'{NOT_ALLOWED} ("a")',
        ),
        (attribute(minLength=3), "ab", "x: The field is too short"),
        (attribute(maxLength=3), "abcd", "x: The field is too long"),
        (attribute(pattern="[0-9]+"), "12a", "x: Does not match required pattern"),
        (attribute(), "a\x00b", "x: Does not match required pattern"),
    ],
)
def test_a_value_outside_its_definition_is_e0000001_naming_the_property(
    api: Api, org: Org, definition: dict[str, object], value: object, cause: str
) -> None:
    add(api, x=definition)
    validation(create(api, x=value), "x", [cause])
    assert org.store.count_users() == 0


@pytest.mark.parametrize(
    ("definition", "value"),
    [
        (attribute("integer"), -(2**63)),
        (attribute("number"), 1.5),
        (attribute("number"), 7),
        (attribute("boolean"), False),
        (attribute("array", items={"type": "number"}), [1, 2.5]),
        (attribute(enum=["gold"]), "gold"),
        (attribute("integer", enum=[1, 2]), 2),
        (attribute(minLength=2, maxLength=2), "ab"),
        (attribute(pattern="[0-9]+"), "123"),
        (attribute(), "ünïcødé ✓ 𝄞"),
    ],
)
def test_a_value_that_fits_is_kept_exactly(
    api: Api, definition: dict[str, object], value: object
) -> None:
    add(api, x=definition)
    user = ok(create(api, x=value))
    assert user["profile"]["x"] == value
    assert ok(api.call("GET", f"/api/v1/users/{user['id']}"))["profile"]["x"] == value


def test_a_missing_required_custom_property_is_refused(api: Api) -> None:
    add(api, tier=attribute(required=True))
    validation(create(api), "tier", ["tier: The field cannot be left blank"])
    validation(create(api, tier=None), "tier", ["tier: The field cannot be left blank"])
    assert ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["required"] == ["tier"]
    assert ok(create(api, tier="gold"))["profile"]["tier"] == "gold"


def test_update_and_replace_are_validated_too(api: Api) -> None:
    add(api, points=attribute("integer"), tier=attribute(required=True))
    uid = ok(create(api, points=1, tier="gold"))["id"]
    validation(
        api.call("POST", f"/api/v1/users/{uid}", {"profile": {"points": "many"}}),
        "points",
        ["points: The value must be an integer"],
    )
    validation(
        api.call("PUT", f"/api/v1/users/{uid}", {"profile": profile(LOGIN, points=2)}),
        "tier",
        ["tier: The field cannot be left blank"],
    )
    user = ok(api.call("GET", f"/api/v1/users/{uid}"))
    assert (user["profile"]["points"], user["profile"]["tier"]) == (1, "gold")
    assert (
        ok(api.call("POST", f"/api/v1/users/{uid}", {"profile": {"points": 5}}))["profile"][
            "points"
        ]
        == 5
    )


def test_a_default_fills_a_property_left_out(api: Api) -> None:
    add(
        api, tier=attribute(default="bronze", required=True), points=attribute("integer", default=0)
    )
    user = ok(create(api))
    assert (user["profile"]["tier"], user["profile"]["points"]) == ("bronze", 0)
    assert ok(create(api, "b@example.com", tier="gold"))["profile"]["tier"] == "gold"
    cleared = ok(api.call("POST", f"/api/v1/users/{user['id']}", {"profile": {"tier": None}}))
    assert cleared["profile"]["tier"] == "bronze"


def test_a_unique_property_refuses_a_second_user_with_the_same_value(api: Api, org: Org) -> None:
    add(api, customerNumber=attribute(unique=True))
    first = ok(create(api, "a@example.com", customerNumber="C-1"))["id"]
    for value in ("C-1", "c-1"):
        validation(create(api, "b@example.com", customerNumber=value), "customerNumber", [
            f"customerNumber: {TAKEN}"
        ])  # fmt: skip
    assert org.store.count_users() == 1
    second = ok(create(api, "b@example.com", customerNumber="C-2"))["id"]
    # An update to the other's value is refused; freeing a value lets another take it.
    taken = api.call("POST", f"/api/v1/users/{second}", {"profile": {"customerNumber": "C-1"}})
    validation(taken, "customerNumber", [f"customerNumber: {TAKEN}"])
    ok(api.call("POST", f"/api/v1/users/{first}", {"profile": {"customerNumber": "C-9"}}))
    ok(api.call("POST", f"/api/v1/users/{second}", {"profile": {"customerNumber": "C-1"}}))
    # A deleted user's value is free again.
    for _ in range(2):
        assert api.call("DELETE", f"/api/v1/users/{first}").status_code == 204
    assert ok(create(api, "c@example.com", customerNumber="C-9"))


def test_making_a_property_unique_checks_the_values_users_hold(api: Api) -> None:
    add(api, code=attribute())
    ok(create(api, "a@example.com", code="X"))
    ok(create(api, "b@example.com", code="x"))
    response = api.call("POST", SCHEMA_PATH, schema_change(code=attribute(unique=True)))
    validation(
        response, "code", ["code: Users already hold the same value: make the values unique first"]
    )
    assert (
        ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["properties"]["code"]["unique"]
        is False
    )
    add(api, other=attribute())
    ok(create(api, "c@example.com", other="Y"))
    add(api, other=attribute(unique=True))
    validation(create(api, "d@example.com", other="y"), "other", [
        f"other: {TAKEN}"
    ])  # fmt: skip


def test_profile_property_flag_seeds_string_properties_that_survive_restarts(
    clock: ManualClock, tmp_path: Any
) -> None:
    db = str(tmp_path / "org.db")
    settings = Settings(db=db, custom_profile_properties=frozenset({"legacyId"}))
    org = Org(settings, clock=clock, ids=IdFactory(1))
    try:
        api = Api(create_app(org=org).test_client())
        assert (
            ok(api.create_user(LOGIN, profile={"legacyId": "L-42"}))["profile"]["legacyId"]
            == "L-42"
        )
        add(api, points=attribute("integer"))
    finally:
        org.close()
    restarted = Org(Settings(db=db), clock=clock, ids=IdFactory(2))
    try:
        api = Api(create_app(org=restarted).test_client())
        custom = ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["properties"]
        assert custom["legacyId"]["type"] == "string"
        assert custom["points"]["type"] == "integer"
        assert ok(create(api, "b@example.com", points=2))["profile"]["points"] == 2
        # A reset keeps only what the server was started with (here: no --profile-property).
        assert api.call("POST", "/_mock/reset").status_code == 200
        assert ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["properties"] == {}
    finally:
        restarted.close()


def test_reset_brings_the_schema_back_to_the_start_up_one(clock: ManualClock) -> None:
    settings = Settings(db=":memory:", custom_profile_properties=frozenset({"legacyId"}))
    org = Org(settings, clock=clock, ids=IdFactory(1))
    try:
        api = Api(create_app(org=org).test_client())
        add(api, points=attribute("integer"), legacyId=attribute("integer"))
        assert api.call("POST", "/_mock/reset").status_code == 200
        custom = ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["properties"]
        assert list(custom) == ["legacyId"]
        assert custom["legacyId"]["type"] == "string"
    finally:
        org.close()
