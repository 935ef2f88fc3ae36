"""The User Types API, and a user's type (SPEC tags UserType and User, reference.md §7.2)."""

from __future__ import annotations

from typing import Any

from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import (
    DUPLICATE_LOGIN,
    TIMESTAMP,
    TYPE_ID,
    assert_error,
    attribute,
    profile,
    schema_change,
)

TYPES = "/api/v1/meta/types/user"
NOT_DELETABLE = "This User Type cannot be deleted."


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def new_type(api: Api, name: str = "customer", **extra: object) -> dict[str, Any]:
    body = {"name": name, "displayName": name.title(), "description": f"A {name}", **extra}
    return ok(api.call("POST", TYPES, body))  # type: ignore[no-any-return]


def test_the_default_type_always_exists(api: Api, org: Org) -> None:
    (only,) = ok(api.call("GET", TYPES))
    assert only["id"] == org.store.default_type_id
    assert TYPE_ID.match(only["id"])
    assert only["name"] == "user"
    assert only["displayName"] == "User"
    assert only["description"] == "Okta user profile template with default permission settings"
    assert only["default"] is True
    assert TIMESTAMP.match(only["created"])
    assert only["_links"] == {
        "self": {"href": f"http://localhost{TYPES}/{only['id']}"},
        "schema": {"href": f"http://localhost/api/v1/meta/schemas/user/osc{only['id'][3:]}"},
    }
    assert ok(api.call("GET", f"{TYPES}/default")) == only
    assert ok(api.call("GET", f"{TYPES}/{only['id']}")) == only


def test_create_user_type_and_list_it_after_the_default(api: Api) -> None:
    created = new_type(api)
    assert TYPE_ID.match(created["id"])
    assert (created["name"], created["displayName"], created["default"]) == (
        "customer",
        "Customer",
        False,
    )
    listed = ok(api.call("GET", TYPES))
    assert [t["name"] for t in listed] == ["user", "customer"]
    assert ok(api.call("GET", f"{TYPES}/{created['id']}")) == created


def test_a_new_type_starts_from_the_default_schema_then_goes_its_own_way(api: Api) -> None:
    ok(api.call("POST", "/api/v1/meta/schemas/user/default", schema_change(tier=attribute())))
    created = new_type(api)
    schema_url = created["_links"]["schema"]["href"].removeprefix("http://localhost")
    assert list(ok(api.call("GET", schema_url))["definitions"]["custom"]["properties"]) == ["tier"]
    ok(api.call("POST", schema_url, schema_change(points=attribute("integer"))))
    default = ok(api.call("GET", "/api/v1/meta/schemas/user/default"))
    assert list(default["definitions"]["custom"]["properties"]) == ["tier"]


def test_update_changes_only_the_fields_given_and_replace_all_of_them(api: Api) -> None:
    created = new_type(api)
    path = f"{TYPES}/{created['id']}"
    updated = ok(api.call("POST", path, {"displayName": "Updated Display Name"}))
    assert (updated["displayName"], updated["description"]) == (
        "Updated Display Name",
        "A customer",
    )
    replaced = ok(api.call("PUT", path, {"name": "customer", "displayName": "Replacement"}))
    assert replaced["displayName"] == "Replacement"
    assert "description" not in replaced  # replaced by none
    assert_error(
        api.call("POST", path, {"name": "renamed"}),
        400,
        "E0000001",
        "Api validation failed: name",
        ["name: The name of a user type cannot be changed"],
    )
    assert_error(
        api.call("PUT", path, {"displayName": "No name"}),
        400,
        "E0000001",
        "Api validation failed: name",
        ["name: The field cannot be left blank"],
    )


def test_bad_new_types_are_refused(api: Api) -> None:
    new_type(api)
    for body, field in (
        ({"name": "customer", "displayName": "Again"}, "name"),
        ({"name": "CUSTOMER", "displayName": "Again"}, "name"),
        ({"name": "9lives", "displayName": "Cat"}, "name"),
        ({"name": "partner"}, "displayName"),
        ({"displayName": "Partner"}, "name"),
    ):
        response = api.call("POST", TYPES, body)
        assert response.status_code == 400, body
        assert response.get_json()["errorSummary"] == f"Api validation failed: {field}"
    assert response.get_json() is not None
    dup = api.call("POST", TYPES, {"name": "customer", "displayName": "Again"})
    assert dup.get_json()["errorCauses"] == [
        {"errorSummary": DUPLICATE_LOGIN.replace("login", "name")}
    ]
    assert len(ok(api.call("GET", TYPES))) == 2


def test_an_org_has_at_most_ten_types(api: Api) -> None:
    for n in range(9):
        new_type(api, f"type{n}")
    response = api.call("POST", TYPES, {"name": "eleventh", "displayName": "Eleventh"})
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: userType",
        ["userType: An org can have at most 10 types"],
    )


def test_type_id_on_create_picks_the_type_and_its_schema(api: Api) -> None:
    created = new_type(api)
    schema = created["_links"]["schema"]["href"].removeprefix("http://localhost")
    ok(api.call("POST", schema, schema_change(memberNo=attribute(required=True))))
    body = {"profile": profile("isaac@example.com"), "type": {"id": created["id"]}}
    assert_error(
        api.call("POST", "/api/v1/users", body),
        400,
        "E0000001",
        "Api validation failed: memberNo",
        ["memberNo: The field cannot be left blank"],
    )
    body["profile"] = profile("isaac@example.com", memberNo="M-1")
    user = ok(api.call("POST", "/api/v1/users", body))
    assert user["type"] == {"id": created["id"]}
    assert user["_links"]["type"]["href"].endswith(created["id"])
    assert user["_links"]["schema"]["href"].endswith("osc" + created["id"][3:])
    # The default type's schema knows no memberNo.
    plain = {"profile": profile("plain@example.com", memberNo="M-2")}
    assert api.call("POST", "/api/v1/users", plain).status_code == 400


def test_an_unknown_type_id_is_refused(api: Api, org: Org) -> None:
    body = {"profile": profile("isaac@example.com"), "type": {"id": "otyNOSUCHTYPE0000000"}}
    assert_error(
        api.call("POST", "/api/v1/users", body),
        400,
        "E0000001",
        "Api validation failed: type",
        ["type: Invalid user type"],
    )
    assert org.store.count_users() == 0


def test_only_a_full_replace_changes_a_users_type(api: Api) -> None:
    created = new_type(api)
    uid = api.created_id("isaac@example.com")
    user = ok(api.call("GET", f"/api/v1/users/{uid}"))
    assert_error(
        api.call("POST", f"/api/v1/users/{uid}", {"type": {"id": created["id"]}}),
        400,
        "E0000001",
        "Api validation failed: type",
        ["type: A user's type changes only with a full replace (PUT)"],
    )
    # The same type in a partial update is no change at all.
    same = {"type": user["type"], "profile": {"nickName": "Ike"}}
    assert ok(api.call("POST", f"/api/v1/users/{uid}", same))["type"] == user["type"]
    body = {"profile": profile("isaac@example.com"), "type": {"id": created["id"]}}
    assert ok(api.call("PUT", f"/api/v1/users/{uid}", body))["type"] == {"id": created["id"]}
    assert ok(api.call("GET", f"/api/v1/users/{uid}"))["type"] == {"id": created["id"]}
    found = ok(api.call("GET", f'/api/v1/users?search=type.id eq "{created["id"]}"'))
    assert [u["id"] for u in found] == [uid]


def test_a_type_users_hold_and_the_default_type_cannot_be_deleted(api: Api) -> None:
    created = new_type(api)
    body = {"profile": profile("isaac@example.com"), "type": {"id": created["id"]}}
    uid = ok(api.call("POST", "/api/v1/users", body))["id"]
    for ref in (created["id"], "default"):
        assert_error(api.call("DELETE", f"{TYPES}/{ref}"), 403, "E0000142", NOT_DELETABLE)
    for _ in range(2):  # deactivate, then delete the user
        assert api.call("DELETE", f"/api/v1/users/{uid}").status_code == 204
    response = api.call("DELETE", f"{TYPES}/{created['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
    assert_error(
        api.call("GET", f"{TYPES}/{created['id']}"),
        404,
        "E0000007",
        f"Not found: Resource not found: {created['id']} (UserType)",
    )
    assert [t["name"] for t in ok(api.call("GET", TYPES))] == ["user"]
