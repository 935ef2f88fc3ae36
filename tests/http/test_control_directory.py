"""The control plane and the directory: seeds with groups and custom properties, /_mock/groups,
and a reset that brings groups, types and the schema back to the start-up state."""

from __future__ import annotations

from typing import Any

from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import SCHEMA_PATH, attribute, profile, schema_change


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def by_name(api: Api) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in ok(api.call("GET", "/_mock/groups"))["groups"]}


def test_seeds_carry_groups_made_when_missing_and_custom_properties(api: Api) -> None:
    ok(api.call("POST", SCHEMA_PATH, schema_change(tier=attribute(), points=attribute("integer"))))
    gold = ok(api.call("POST", "/api/v1/groups", {"profile": {"name": "Gold"}}))
    users = [
        {"profile": profile("a@example.com", tier="gold", points=1), "groups": ["gold", "VIP"]},
        {"profile": profile("b@example.com"), "groups": ["VIP", "VIP"]},
        {"profile": profile("c@example.com")},
    ]
    created = ok(api.call("POST", "/_mock/users", {"users": users}), 201)["users"]
    ids = {u["login"]: u["id"] for u in created}
    groups = by_name(api)
    assert set(groups) == {"Everyone", "Gold", "VIP"}
    assert groups["Gold"]["id"] == gold["id"]
    assert groups["Gold"]["members"] == [ids["a@example.com"]]
    assert groups["VIP"]["members"] == sorted([ids["a@example.com"], ids["b@example.com"]])
    assert groups["Everyone"] == {
        "id": groups["Everyone"]["id"],
        "name": "Everyone",
        "type": "BUILT_IN",
        "members": None,
    }
    seeded = ok(api.call("GET", f"/api/v1/users/{ids['a@example.com']}"))
    assert (seeded["profile"]["tier"], seeded["profile"]["points"]) == ("gold", 1)


def test_a_seed_with_a_bad_custom_value_or_group_makes_nothing(api: Api, org: Org) -> None:
    ok(api.call("POST", SCHEMA_PATH, schema_change(points=attribute("integer"))))
    users = [
        {"profile": profile("a@example.com"), "groups": ["New group"]},
        {"profile": profile("b@example.com", points="many")},
    ]
    response = api.call("POST", "/_mock/users", {"users": users})
    assert response.status_code == 400
    assert response.get_json()["errorCauses"] == [
        {"errorSummary": "users[1].points: The value must be an integer"}
    ]
    bad_groups = [{"profile": profile("a@example.com"), "groups": "Gold"}]
    response = api.call("POST", "/_mock/users", {"users": bad_groups})
    assert response.get_json()["errorCauses"] == [
        {"errorSummary": "users[0].groups: groups must be a list of group names"}
    ]
    assert org.store.count_users() == 0
    assert set(by_name(api)) == {"Everyone"}


def test_reset_brings_groups_types_and_schema_back_to_the_start(api: Api, org: Org) -> None:
    everyone = by_name(api)["Everyone"]["id"]
    default_type = ok(api.call("GET", "/api/v1/meta/types/user/default"))
    ok(api.call("POST", SCHEMA_PATH, schema_change(tier=attribute())))
    ok(api.call("POST", "/api/v1/meta/types/user", {"name": "partner", "displayName": "P"}))
    group = ok(api.call("POST", "/api/v1/groups", {"profile": {"name": "Gold"}}))
    uid = api.created_id(profile={"tier": "gold"}, groupIds=[group["id"]])
    assert uid
    ok(api.call("POST", "/_mock/reset"))
    assert set(by_name(api)) == {"Everyone"}
    assert by_name(api)["Everyone"]["id"] == everyone  # the built-in group keeps its id
    assert [t["id"] for t in ok(api.call("GET", "/api/v1/meta/types/user"))] == [default_type["id"]]
    assert ok(api.call("GET", SCHEMA_PATH))["definitions"]["custom"]["properties"] == {}
    with org.db.read() as conn:
        for table in ("memberships", "unique_values", "users"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    # The same name and login can be used again at once.
    ok(api.call("POST", "/api/v1/groups", {"profile": {"name": "Gold"}}))
    assert api.created_id()


def test_mock_groups_pages(api: Api) -> None:
    for n in range(5):
        ok(api.call("POST", "/api/v1/groups", {"profile": {"name": f"G{n}"}}))
    first = ok(api.call("GET", "/_mock/groups?limit=4"))
    assert len(first["groups"]) == 4
    rest = ok(api.call("GET", f"/_mock/groups?limit=4&after={first['next']}"))
    assert len(rest["groups"]) == 2
    assert rest["next"] is None
    assert api.call("GET", "/_mock/groups?limit=0").status_code == 400
