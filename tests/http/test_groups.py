"""The Groups API: groups, Everyone, memberships and groupIds on create (SPEC tag Group)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import DUPLICATE_LOGIN, GROUP_ID, assert_error

GROUPS = "/api/v1/groups"
NOW = "2023-11-14T22:13:20.000Z"  # the ManualClock's start
TAKEN = DUPLICATE_LOGIN.replace("login", "name")
DENIED = "You do not have permission to perform the requested action"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def add_group(api: Api, name: str, description: str | None = None) -> dict[str, Any]:
    body: dict[str, object] = {"name": name}
    if description is not None:
        body["description"] = description
    return ok(api.call("POST", GROUPS, {"profile": body}))  # type: ignore[no-any-return]


def member_ids(api: Api, group_id: str) -> list[str]:
    return [u["id"] for u in ok(api.call("GET", f"{GROUPS}/{group_id}/users"))]


def no_content(response: Any) -> None:
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""


def everyone(api: Api) -> dict[str, Any]:
    (found,) = [g for g in ok(api.call("GET", GROUPS)) if g["type"] == "BUILT_IN"]
    return found  # type: ignore[no-any-return]


# ----- groups


def test_add_group_answers_the_group_as_okta_shows_it(api: Api) -> None:
    group = add_group(api, "West Coast users", "All users West of The Rockies")
    assert GROUP_ID.match(group["id"])
    href = f"http://localhost{GROUPS}/{group['id']}"
    assert group == {
        "id": group["id"],
        "created": NOW,
        "lastUpdated": NOW,
        "lastMembershipUpdated": NOW,
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": {"name": "West Coast users", "description": "All users West of The Rockies"},
        "_links": {
            "logo": [
                {
                    "name": size,
                    "href": f"http://localhost/img/logos/groups/okta-{size}.png",
                    "type": "image/png",
                }
                for size in ("medium", "large")
            ],
            "users": {"href": f"{href}/users"},
            "apps": {"href": f"{href}/apps"},
        },
    }
    assert ok(api.call("GET", f"{GROUPS}/{group['id']}")) == group


def test_everyone_is_built_in_and_cannot_change(api: Api) -> None:
    group = everyone(api)
    assert group["profile"] == {"name": "Everyone", "description": "All users in your organization"}
    assert group["objectClass"] == ["okta:user_group"]
    path = f"{GROUPS}/{group['id']}"
    uid = api.created_id()
    for method, target, body in (
        ("PUT", path, {"profile": {"name": "All"}}),
        ("DELETE", path, None),
        ("PUT", f"{path}/users/{uid}", None),
        ("DELETE", f"{path}/users/{uid}", None),
    ):
        assert_error(api.call(method, target, body), 403, "E0000006", DENIED)
    assert ok(api.call("GET", path)) == group
    assert member_ids(api, group["id"]) == [uid]


@pytest.mark.parametrize(
    ("body", "field", "causes"),
    [
        ({"profile": {"name": ""}}, "name", ["name: The field cannot be left blank"]),
        ({"profile": {"name": "   "}}, "name", ["name: The field cannot be left blank"]),
        ({"profile": {"description": "d"}}, "name", ["name: The field cannot be left blank"]),
        ({"profile": {"name": 7}}, "name", ["name: The field cannot be left blank"]),
        ({}, "profile", ["profile: The field cannot be left blank"]),
        (
            {"profile": {"name": "x" * 256}},
            "name",
            ["name: The value must be at most 255 printable characters"],
        ),
        (
            {"profile": {"name": "Gold", "colour": "gold"}},
            "colour",
            ["Property name 'colour' is not defined in profile"],
        ),
        (
            {"profile": {"name": "Gold", "description": 5}},
            "description",
            ["description: The value must be a string of at most 1024"],
        ),
    ],
)
def test_a_bad_group_is_refused_and_nothing_made(
    api: Api, body: dict[str, object], field: str, causes: list[str]
) -> None:
    response = api.call("POST", GROUPS, body)
    assert_error(response, 400, "E0000001", f"Api validation failed: {field}", causes)
    assert len(ok(api.call("GET", GROUPS))) == 1  # Everyone


def test_a_group_name_is_unique_whatever_its_case(api: Api) -> None:
    add_group(api, "Gold customers")
    for name in ("Gold customers", "GOLD CUSTOMERS", "everyone"):
        response = api.call("POST", GROUPS, {"profile": {"name": name}})
        assert_error(response, 400, "E0000001", "Api validation failed: name", [TAKEN])
    assert len(ok(api.call("GET", GROUPS))) == 2


def test_replace_group_changes_the_profile(api: Api, clock: ManualClock) -> None:
    group = add_group(api, "Gold", "old")
    add_group(api, "Silver")
    clock.advance(5)
    path = f"{GROUPS}/{group['id']}"
    replaced = ok(api.call("PUT", path, {"profile": {"name": "Gold members"}}))
    assert replaced["profile"] == {"name": "Gold members"}
    assert replaced["lastUpdated"] == "2023-11-14T22:13:25.000Z"
    assert replaced["created"] == group["created"]
    assert ok(api.call("GET", path)) == replaced
    taken = api.call("PUT", path, {"profile": {"name": "silver"}})
    assert_error(taken, 400, "E0000001", "Api validation failed: name", [TAKEN])
    assert add_group(api, "Gold")["profile"]["name"] == "Gold"  # the old name is free


def test_delete_group_takes_its_memberships(api: Api) -> None:
    group = add_group(api, "Gold")
    uid = api.created_id()
    no_content(api.call("PUT", f"{GROUPS}/{group['id']}/users/{uid}"))
    no_content(api.call("DELETE", f"{GROUPS}/{group['id']}"))
    not_found = f"Not found: Resource not found: {group['id']} (UserGroup)"
    assert_error(api.call("GET", f"{GROUPS}/{group['id']}"), 404, "E0000007", not_found)
    assert_error(api.call("DELETE", f"{GROUPS}/{group['id']}"), 404, "E0000007", not_found)
    assert [g["profile"]["name"] for g in ok(api.call("GET", f"/api/v1/users/{uid}/groups"))] == [
        "Everyone"
    ]


# ----- listing


def test_list_groups_pages_with_link_headers(api: Api) -> None:
    made = sorted(add_group(api, f"Group {n}")["id"] for n in range(5))
    seen: list[str] = []
    url = f"{GROUPS}?limit=2"
    pages = 0
    while url:
        response = api.call("GET", url)
        page = ok(response)
        pages += 1
        seen += [g["id"] for g in page]
        links = response.headers.getlist("Link")
        assert links[0].endswith('rel="self"')
        url = ""
        for link in links[1:]:
            assert link.endswith('rel="next"')
            target = link[1 : link.index(">")]
            assert parse_qs(urlsplit(target).query)["limit"] == ["2"]
            url = target.removeprefix("http://localhost")
    assert pages == 3
    assert sorted(seen) == sorted([*made, everyone(api)["id"]])
    assert len(set(seen)) == 6


def test_q_finds_groups_by_the_start_of_their_name(api: Api) -> None:
    for name in ("West Coast users", "west side", "East Coast users", "100%_done"):
        add_group(api, name)
    names = [g["profile"]["name"] for g in ok(api.call("GET", f"{GROUPS}?q=West"))]
    assert sorted(names) == ["West Coast users", "west side"]
    assert ok(api.call("GET", f"{GROUPS}?q={quote('100%_')}"))[0]["profile"]["name"] == "100%_done"
    assert ok(api.call("GET", f"{GROUPS}?q=100_")) == []
    response = api.call("GET", f"{GROUPS}?q=e&limit=1")
    assert len(ok(response)) == 1
    assert all('rel="next"' not in link for link in response.headers.getlist("Link"))


def test_filter_and_search_select_groups(api: Api, clock: ManualClock) -> None:
    gold = add_group(api, "Gold customers", "The best")
    clock.advance(60)
    silver = add_group(api, "Silver customers", "Next best")
    cases = {
        'type eq "OKTA_GROUP"': {gold["id"], silver["id"]},
        'type eq "BUILT_IN"': {everyone(api)["id"]},
        f'id eq "{gold["id"]}"': {gold["id"]},
        'lastUpdated gt "2023-11-14T22:13:30.000Z"': {silver["id"]},
    }
    for expression, expected in cases.items():
        found = {g["id"] for g in ok(api.call("GET", f"{GROUPS}?filter={quote(expression)}"))}
        assert found == expected, expression
    searches = {
        'profile.name sw "gold"': {gold["id"]},
        'profile.description co "best"': {gold["id"], silver["id"]},
        'profile.name eq "Silver customers" and type eq "OKTA_GROUP"': {silver["id"]},
        'lastMembershipUpdated lt "2023-11-14T22:14:00.000Z"': {gold["id"], everyone(api)["id"]},
    }
    for expression, expected in searches.items():
        found = {g["id"] for g in ok(api.call("GET", f"{GROUPS}?search={quote(expression)}"))}
        assert found == expected, expression


@pytest.mark.parametrize(
    ("query", "code", "summary"),
    [
        ("filter=" + quote('profile.name eq "Gold"'), "E0000031", "Invalid search criteria."),
        ("search=" + quote('id co "00g"'), "E0000031", "Invalid search criteria."),
        (
            "filter=" + quote('type eq "OKTA_GROUP"') + "&search=" + quote('type eq "BUILT_IN"'),
            "E0000033",
            "Bad request. Can't specify a search query and filter in the same request.",
        ),
        ("limit=0", "E0000029", "Invalid paging request."),
        ("limit=many", "E0000029", "Invalid paging request."),
    ],
)
def test_bad_list_queries_are_refused(api: Api, query: str, code: str, summary: str) -> None:
    assert_error(api.call("GET", f"{GROUPS}?{query}"), 400, code, summary)


def test_expand_stats_counts_members(api: Api) -> None:
    group = add_group(api, "Gold")
    for n in range(3):
        uid = api.created_id(f"user{n}@example.com")
        no_content(api.call("PUT", f"{GROUPS}/{group['id']}/users/{uid}"))
    counts = {
        g["profile"]["name"]: g["_embedded"]["stats"]["usersCount"]
        for g in ok(api.call("GET", f"{GROUPS}?expand=stats"))
    }
    assert counts == {"Gold": 3, "Everyone": 3}
    assert "_embedded" not in ok(api.call("GET", GROUPS))[0]


# ----- memberships


def test_assign_and_unassign_are_204_and_idempotent(api: Api, clock: ManualClock) -> None:
    group = add_group(api, "Gold")
    uid = api.created_id()
    path = f"{GROUPS}/{group['id']}/users/{uid}"
    clock.advance(10)
    for _ in range(2):
        no_content(api.call("PUT", path))
    assert member_ids(api, group["id"]) == [uid]
    assert ok(api.call("GET", f"{GROUPS}/{group['id']}"))["lastMembershipUpdated"] == (
        "2023-11-14T22:13:30.000Z"
    )
    clock.advance(10)
    no_content(api.call("PUT", path))  # no change: lastMembershipUpdated stays
    assert ok(api.call("GET", f"{GROUPS}/{group['id']}"))["lastMembershipUpdated"] == (
        "2023-11-14T22:13:30.000Z"
    )
    for _ in range(2):
        no_content(api.call("DELETE", path))
    assert member_ids(api, group["id"]) == []


def test_a_membership_needs_an_existing_group_and_user(api: Api) -> None:
    group = add_group(api, "Gold")
    uid = api.created_id()
    assert_error(
        api.call("PUT", f"{GROUPS}/00gNOSUCHGROUP0000000/users/{uid}"),
        404,
        "E0000007",
        "Not found: Resource not found: 00gNOSUCHGROUP0000000 (UserGroup)",
    )
    for _ in range(2):  # deactivate, then delete
        no_content(api.call("DELETE", f"/api/v1/users/{uid}"))
    for method in ("PUT", "DELETE"):
        assert_error(
            api.call(method, f"{GROUPS}/{group['id']}/users/{uid}"),
            404,
            "E0000007",
            f"Not found: Resource not found: {uid} (User)",
        )
    assert member_ids(api, group["id"]) == []


def test_list_group_users_pages_members_in_id_order(api: Api) -> None:
    group = add_group(api, "Gold")
    ids = sorted(api.created_id(f"member{n}@example.com") for n in range(5))
    api.created_id("outsider@example.com")
    for uid in reversed(ids):
        no_content(api.call("PUT", f"{GROUPS}/{group['id']}/users/{uid}"))
    first = api.call("GET", f"{GROUPS}/{group['id']}/users?limit=3")
    assert [u["id"] for u in ok(first)] == ids[:3]
    assert all(set(u["_links"]) == {"self"} for u in ok(first))
    (following,) = [link for link in first.headers.getlist("Link") if 'rel="next"' in link]
    target = following[1 : following.index(">")].removeprefix("http://localhost")
    assert target.startswith(f"{GROUPS}/{group['id']}/users?")
    second = api.call("GET", target)
    assert [u["id"] for u in ok(second)] == ids[3:]
    assert all('rel="next"' not in link for link in second.headers.getlist("Link"))
    assert len(member_ids(api, everyone(api)["id"])) == 6


def test_list_user_groups_shows_everyone_first(api: Api) -> None:
    gold, silver = add_group(api, "Gold"), add_group(api, "Silver")
    uid = api.created_id()
    for group in (silver, gold):
        no_content(api.call("PUT", f"{GROUPS}/{group['id']}/users/{uid}"))
    groups = ok(api.call("GET", f"/api/v1/users/{uid}/groups"))
    assert groups[0]["profile"]["name"] == "Everyone"
    assert [g["id"] for g in groups[1:]] == sorted([gold["id"], silver["id"]])
    assert_error(
        api.call("GET", "/api/v1/users/00uNOSUCHUSER00000000/groups"),
        404,
        "E0000007",
        "Not found: Resource not found: 00uNOSUCHUSER00000000 (User)",
    )


def test_deactivating_keeps_memberships_and_deleting_removes_them(api: Api, org: Org) -> None:
    group = add_group(api, "Gold")
    uid = api.created_id()
    no_content(api.call("PUT", f"{GROUPS}/{group['id']}/users/{uid}"))
    ok(api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate"))
    assert member_ids(api, group["id"]) == [uid]
    ok(api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate?sendEmail=false"))
    assert member_ids(api, group["id"]) == [uid]
    for _ in range(2):
        no_content(api.call("DELETE", f"/api/v1/users/{uid}"))
    assert member_ids(api, group["id"]) == []
    with org.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM memberships").fetchone()[0] == 0


# ----- groupIds on create


def test_create_user_in_groups(api: Api) -> None:
    gold, silver = add_group(api, "Gold"), add_group(api, "Silver")
    ids = [gold["id"], silver["id"], gold["id"], everyone(api)["id"]]
    uid = api.created_id(groupIds=ids)
    assert member_ids(api, gold["id"]) == [uid]
    assert member_ids(api, silver["id"]) == [uid]
    names = [g["profile"]["name"] for g in ok(api.call("GET", f"/api/v1/users/{uid}/groups"))]
    assert sorted(names) == ["Everyone", "Gold", "Silver"]


def test_twenty_group_ids_are_taken_and_a_21st_is_refused(api: Api, org: Org) -> None:
    ids = [add_group(api, f"Group {n:02d}")["id"] for n in range(21)]
    response = api.create_user("many@example.com", groupIds=ids)
    assert_error(
        response,
        400,
        "E0000093",
        "Target count limit exceeded",
        ["The number of group targets is too large"],
    )
    assert org.store.count_users() == 0
    uid = api.created_id("twenty@example.com", groupIds=ids[:20])
    assert len(ok(api.call("GET", f"/api/v1/users/{uid}/groups"))) == 21  # and Everyone
    # The limit is only on create: the 21st by a membership call.
    no_content(api.call("PUT", f"{GROUPS}/{ids[20]}/users/{uid}"))
    assert len(ok(api.call("GET", f"/api/v1/users/{uid}/groups"))) == 22


def test_an_unknown_group_id_creates_nothing(api: Api, org: Org) -> None:
    gold = add_group(api, "Gold")
    response = api.create_user(groupIds=[gold["id"], "00gNOSUCHGROUP0000000"])
    assert_error(
        response,
        404,
        "E0000007",
        "Not found: Resource not found: 00gNOSUCHGROUP0000000 (UserGroup)",
    )
    assert org.store.count_users() == 0
    assert member_ids(api, gold["id"]) == []
    assert api.created_id(groupIds=[gold["id"]])  # the login was not taken


@pytest.mark.parametrize("group_ids", ["00g1", [1, 2], [""], {"id": "00g1"}])
def test_group_ids_must_be_a_list_of_ids(api: Api, org: Org, group_ids: object) -> None:
    assert_error(
        api.create_user(groupIds=group_ids),
        400,
        "E0000001",
        "Api validation failed: groupIds",
        ["groupIds: The value must be a list of group ids"],
    )
    assert org.store.count_users() == 0


def test_a_refused_create_in_groups_leaves_no_membership(api: Api, org: Org) -> None:
    gold = add_group(api, "Gold")
    api.created_id("isaac@example.com")
    response = api.create_user("ISAAC@example.com", groupIds=[gold["id"]])
    assert response.status_code == 400
    assert member_ids(api, gold["id"]) == []
    assert org.store.count_users() == 1
    assert ok(api.call("GET", f"{GROUPS}/{gold['id']}"))["lastMembershipUpdated"] == NOW


# ----- rate limits


def test_group_calls_count_in_the_group_buckets(api: Api, org: Org) -> None:
    org.configure({"limits": {"groups.item": 2, "groups.collection": 50}, "tokenShare": 100})
    group = add_group(api, "Gold")
    uid = api.created_id()
    path = f"{GROUPS}/{group['id']}/users/{uid}"
    answers = [api.call("PUT", path) for _ in range(3)]
    assert [a.status_code for a in answers] == [204, 204, 429]
    assert [a.headers["X-Rate-Limit-Limit"] for a in answers] == ["2", "2", "2"]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[2].get_json()["errorCode"] == "E0000047"
    listed = api.call("GET", GROUPS)
    assert listed.headers["X-Rate-Limit-Limit"] == "50"
    buckets = ok(api.call("GET", "/_mock/stats"))["buckets"]
    assert (buckets["groups.item"]["requests"], buckets["groups.item"]["rateLimited"]) == (3, 1)
    assert buckets["groups.collection"]["requests"] == 2
    assert buckets["groups.item"]["limitPerMinute"] == 2
