"""`/api/v1/apps/{appId}/groups[/{groupId}]` through Flask's test client (SPEC ApplicationGroups).

Shapes from the SPEC's examples (GroupAssignmentPutResponseExample,
EmbeddedGroupAssignmentSampleResponse). A group assigned to an app gives each member an app user
with scope GROUP; the app user keeps one identity while any source (direct or a group) holds it.
"""

from __future__ import annotations

from typing import Any

import pytest

from mock_okta.clock import ManualClock
from tests.conftest import Api
from tests.helpers import assert_error, with_password
from tests.http.test_app_users import ASSIGNMENT_ID, EXTERNAL_ID, LATER, assign
from tests.http.test_apps import BASE, BOOKMARK, NOW, OFFICE365, created
from tests.http.test_groups import add_group, everyone, no_content, ok

NO_GROUP = "00gNOSUCHGROUP0000000"


def user(api: Api, login: str) -> str:
    return api.created_id(login, credentials=with_password())


def join(api: Api, group_id: str, uid: str) -> None:
    no_content(api.call("PUT", f"/api/v1/groups/{group_id}/users/{uid}"))


def assign_group(api: Api, app_id: str, group_id: str, body: Any = None) -> dict[str, Any]:
    result: dict[str, Any] = ok(api.call("PUT", f"/api/v1/apps/{app_id}/groups/{group_id}", body))
    return result


def app_user(api: Api, app_id: str, uid: str) -> Any:
    return api.call("GET", f"/api/v1/apps/{app_id}/users/{uid}")


def app_user_ids(api: Api, app_id: str) -> list[str]:
    return [au["id"] for au in ok(api.call("GET", f"/api/v1/apps/{app_id}/users"))]


def gone(api: Api, app_id: str, uid: str) -> None:
    assert_error(
        app_user(api, app_id, uid),
        404,
        "E0000007",
        f"Not found: Resource not found: {uid} (AppUser)",
    )


# ----- assign, get, list


def test_assign_group_to_application_answers_the_specs_shape(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Sales")
    body = assign_group(api, app["id"], group["id"])  # no body: the SPEC makes it optional
    href = f"{BASE}/api/v1/apps/{app['id']}"
    assert body == {
        "id": group["id"],
        "priority": 0,
        "lastUpdated": NOW,
        "profile": {},
        "_links": {
            "app": {"href": href},
            "self": {"href": f"{href}/groups/{group['id']}"},
            "group": {"href": f"{BASE}/api/v1/groups/{group['id']}"},
        },
    }
    assert ok(api.call("GET", f"/api/v1/apps/{app['id']}/groups/{group['id']}")) == body


def test_priorities_follow_on_and_may_be_given(api: Api) -> None:
    app = created(api, BOOKMARK)
    first, second, third = (add_group(api, name) for name in ("A", "B", "C"))
    assert assign_group(api, app["id"], first["id"], {"id": first["id"]})["priority"] == 0
    assert assign_group(api, app["id"], second["id"], {"priority": 7})["priority"] == 7
    assert assign_group(api, app["id"], third["id"], {})["priority"] == 8  # next highest
    # Assigning again replaces the profile and keeps the priority unless one is given.
    again = assign_group(api, app["id"], first["id"], {"profile": {"division": "top"}})
    assert (again["priority"], again["profile"]) == (0, {"division": "top"})


def test_get_with_expand_group_embeds_the_group(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Football Group", "Group with professional footballers")
    assign_group(api, app["id"], group["id"])
    body = ok(api.call("GET", f"/api/v1/apps/{app['id']}/groups/{group['id']}?expand=group"))
    assert body["_embedded"] == {"group": ok(api.call("GET", f"/api/v1/groups/{group['id']}"))}


def test_list_application_group_assignments_pages_and_matches_names(api: Api) -> None:
    app = created(api, BOOKMARK)
    groups = [add_group(api, f"Team {n:02d}") for n in range(25)]
    add_group(api, "Team not assigned")
    other = add_group(api, "Other")
    for g in [*groups, other]:
        assign_group(api, app["id"], g["id"])
    path = f"/api/v1/apps/{app['id']}/groups"
    first = api.call("GET", path)
    ids = sorted(g["id"] for g in [*groups, other])
    assert [g["id"] for g in first.get_json()] == ids[:20]  # SPEC default limit 20
    links = first.headers.getlist("Link")
    assert links == [
        f'<{BASE}{path}?limit=20>; rel="self"',
        f'<{BASE}{path}?after={ids[19]}&limit=20>; rel="next"',
    ]
    rest = ok(api.call("GET", path, query_string={"after": ids[19], "limit": 20}))
    assert [g["id"] for g in rest] == ids[20:]
    named = ok(api.call("GET", path, query_string={"q": "team 0", "limit": 200}))
    assert [g["id"] for g in named] == sorted(g["id"] for g in groups[:10])
    expanded = ok(api.call("GET", path, query_string={"q": "Oth", "expand": "group"}))
    assert [g["_embedded"]["group"]["profile"]["name"] for g in expanded] == ["Other"]


# ----- members get the app, scope GROUP


def test_members_get_an_app_user_with_scope_group(api: Api) -> None:
    office = created(api, OFFICE365)
    group = add_group(api, "Office users")
    uid = user(api, "ada@example.com")
    join(api, group["id"], uid)
    assign_group(api, office["id"], group["id"])
    au = ok(app_user(api, office["id"], uid))
    assert (au["id"], au["scope"], au["status"]) == (uid, "GROUP", "PROVISIONED")
    assert EXTERNAL_ID.match(au["externalId"])
    assert ASSIGNMENT_ID.match(au["profile"]["immutableId"])  # the identity of first assignment
    assert au["credentials"] == {"userName": "ada@example.com"}
    assert ok(api.call("GET", f"/api/v1/users/{uid}/appLinks"))[0]["appInstanceId"] == office["id"]


def test_the_group_assignment_profile_goes_to_new_app_users(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Marketing")
    uid = user(api, "grace@example.com")
    join(api, group["id"], uid)
    body = {"profile": {"department": "marketing", "organization": None}}
    assert assign_group(api, app["id"], group["id"], body)["profile"] == body["profile"]
    assert ok(app_user(api, app["id"], uid))["profile"] == {"department": "marketing"}


def test_joining_and_leaving_the_group_later_follows(api: Api, clock: ManualClock) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Later")
    assign_group(api, app["id"], group["id"])
    uid = user(api, "linus@example.com")
    gone(api, app["id"], uid)
    clock.advance(60)
    join(api, group["id"], uid)
    au = ok(app_user(api, app["id"], uid))
    assert (au["scope"], au["created"]) == ("GROUP", LATER)
    no_content(api.call("DELETE", f"/api/v1/groups/{group['id']}/users/{uid}"))
    gone(api, app["id"], uid)


def test_a_user_created_in_an_assigned_group_gets_the_app(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "New hires")
    assign_group(api, app["id"], group["id"])
    uid = api.created_id("new@example.com", credentials=with_password(), groupIds=[group["id"]])
    assert ok(app_user(api, app["id"], uid))["scope"] == "GROUP"


def test_two_groups_hold_one_app_user_until_the_last_goes(api: Api) -> None:
    office = created(api, OFFICE365)
    one, two = add_group(api, "One"), add_group(api, "Two")
    uid = user(api, "ken@example.com")
    join(api, one["id"], uid)
    join(api, two["id"], uid)
    assign_group(api, office["id"], one["id"])
    identity = ok(app_user(api, office["id"], uid))["profile"]["immutableId"]
    assign_group(api, office["id"], two["id"])
    no_content(api.call("DELETE", f"/api/v1/apps/{office['id']}/groups/{one['id']}"))
    kept = ok(app_user(api, office["id"], uid))
    assert (kept["scope"], kept["profile"]["immutableId"]) == ("GROUP", identity)
    no_content(api.call("DELETE", f"/api/v1/apps/{office['id']}/groups/{two['id']}"))
    gone(api, office["id"], uid)
    assert ok(api.call("GET", f"/api/v1/apps/{office['id']}/groups")) == []


def test_direct_and_group_keep_one_identity(api: Api) -> None:
    office = created(api, OFFICE365)
    group = add_group(api, "Both")
    uid = user(api, "barbara@example.com")
    join(api, group["id"], uid)
    direct = assign(api, office["id"], {"id": uid})
    assign_group(api, office["id"], group["id"])
    both = ok(app_user(api, office["id"], uid))
    assert both["scope"] == "USER"  # the direct assignment wins
    assert (both["externalId"], both["profile"]) == (direct["externalId"], direct["profile"])
    no_content(api.call("DELETE", f"/api/v1/apps/{office['id']}/users/{uid}"))
    through_group = ok(app_user(api, office["id"], uid))
    assert through_group["scope"] == "GROUP"
    assert through_group["profile"]["immutableId"] == direct["profile"]["immutableId"]
    assert assign(api, office["id"], {"id": uid})["scope"] == "USER"  # converted back
    no_content(api.call("DELETE", f"/api/v1/apps/{office['id']}/groups/{group['id']}"))
    assert ok(app_user(api, office["id"], uid))["scope"] == "USER"  # the direct one stays


def test_unassigning_the_group_removes_only_group_sourced_app_users(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Mixed")
    direct, through = user(api, "direct@example.com"), user(api, "through@example.com")
    for uid in (direct, through):
        join(api, group["id"], uid)
    assign(api, app["id"], {"id": direct})
    assign_group(api, app["id"], group["id"])
    assert app_user_ids(api, app["id"]) == sorted([direct, through])
    no_content(api.call("DELETE", f"/api/v1/apps/{app['id']}/groups/{group['id']}"))
    assert app_user_ids(api, app["id"]) == [direct]


def test_deleting_the_group_removes_its_assignments_and_app_users(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Doomed")
    uid = user(api, "doomed@example.com")
    join(api, group["id"], uid)
    assign_group(api, app["id"], group["id"])
    no_content(api.call("DELETE", f"/api/v1/groups/{group['id']}"))
    gone(api, app["id"], uid)
    assert ok(api.call("GET", f"/api/v1/apps/{app['id']}/groups")) == []


def test_deactivate_and_reactivate_keep_a_group_sourced_identity(api: Api) -> None:
    office = created(api, OFFICE365)
    group = add_group(api, "Leavers")
    uid = user(api, "leaver@example.com")
    join(api, group["id"], uid)
    assign_group(api, office["id"], group["id"])
    before = ok(app_user(api, office["id"], uid))
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    assert ok(app_user(api, office["id"], uid))["status"] == "DEPROVISIONED"
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate?sendEmail=false")
    after = ok(app_user(api, office["id"], uid))
    assert (after["status"], after["scope"]) == ("PROVISIONED", "GROUP")
    assert (after["externalId"], after["profile"]) == (before["externalId"], before["profile"])


def test_deleting_the_app_deletes_its_group_assignments(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Kept")
    assign_group(api, app["id"], group["id"])
    api.call("POST", f"/api/v1/apps/{app['id']}/lifecycle/deactivate")
    no_content(api.call("DELETE", f"/api/v1/apps/{app['id']}"))
    again = created(api, BOOKMARK)
    assert ok(api.call("GET", f"/api/v1/apps/{again['id']}/groups")) == []
    assert ok(api.call("GET", f"/api/v1/groups/{group['id']}"))["id"] == group["id"]


# ----- errors


def test_unknown_app_and_group_are_404(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Real")
    no_app = "Not found: Resource not found: 0oaNoSuchApp0000000 (AppInstance)"
    no_group = f"Not found: Resource not found: {NO_GROUP} (UserGroup)"
    for method in ("GET", "PUT", "DELETE"):
        assert_error(
            api.call(method, f"/api/v1/apps/0oaNoSuchApp0000000/groups/{group['id']}"),
            404,
            "E0000007",
            no_app,
        )
        assert_error(
            api.call(method, f"/api/v1/apps/{app['id']}/groups/{NO_GROUP}"),
            404,
            "E0000007",
            no_group,
        )
    assert_error(
        api.call("GET", "/api/v1/apps/0oaNoSuchApp0000000/groups"), 404, "E0000007", no_app
    )
    not_assigned = f"Not found: Resource not found: {group['id']} (UserGroup)"
    for method in ("GET", "DELETE"):
        assert_error(
            api.call(method, f"/api/v1/apps/{app['id']}/groups/{group['id']}"),
            404,
            "E0000007",
            not_assigned,
        )


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"priority": -1}, "priority: The priority must be a whole number >= 0"),
        ({"priority": "1"}, "priority: The priority must be a whole number >= 0"),
        ({"priority": True}, "priority: The priority must be a whole number >= 0"),
        ({"profile": []}, "profile: The value must be an object"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(
    api: Api, body: dict[str, Any], cause: str
) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Careful")
    uid = user(api, "careful@example.com")
    join(api, group["id"], uid)
    field = cause.partition(":")[0]
    assert_error(
        api.call("PUT", f"/api/v1/apps/{app['id']}/groups/{group['id']}", body),
        400,
        "E0000001",
        f"Api validation failed: {field}",
        [cause],
    )
    assert ok(api.call("GET", f"/api/v1/apps/{app['id']}/groups")) == []
    gone(api, app["id"], uid)


def test_a_malformed_body_is_refused(api: Api) -> None:
    app = created(api, BOOKMARK)
    group = add_group(api, "Malformed")
    assert_error(
        api.call(
            "PUT",
            f"/api/v1/apps/{app['id']}/groups/{group['id']}",
            b"[1]",
            headers={"Content-Type": "application/json"},
        ),
        400,
        "E0000003",
        "The request body was not well-formed.",
    )


def test_office365_refuses_a_profile_property_it_lacks(api: Api) -> None:
    office = created(api, OFFICE365)
    group = add_group(api, "Unknown property")
    assert_error(
        api.call(
            "PUT", f"/api/v1/apps/{office['id']}/groups/{group['id']}", {"profile": {"shoe": 9}}
        ),
        400,
        "E0000001",
        "Api validation failed: assignment",
        ["Property 'shoe' not found"],
    )


def test_everyone_is_refused_as_not_modelled(api: Api) -> None:
    app = created(api, BOOKMARK)
    assert_error(
        api.call("PUT", f"/api/v1/apps/{app['id']}/groups/{everyone(api)['id']}"),
        400,
        "E0000001",
        "Api validation failed: id",
        ["id: Assigning the Everyone group to an app is not modelled by the mock"],
    )
