"""`/api/v1/apps/{appId}/users` and `/api/v1/users/{id}/appLinks` through Flask's test client.

Shapes from the SPEC's examples (AppUserSSOResponse, AppUserProvResponse, ListAppLinks); what a
user's lifecycle does to its app users from reference.md §7.3.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import PASSWORD, assert_error, with_password
from tests.http.test_apps import (
    BASE,
    BASIC_AUTH,
    BOOKMARK,
    LOGO,
    NOW,
    OFFICE365,
    OIDC,
    SAML,
    created,
)

LOGIN = "isaac.brock@example.com"
ASSIGNMENT_ID = re.compile(r"^0ua[A-Za-z0-9]{17}$")
EXTERNAL_ID = re.compile(r"^[0-9a-f]{32}$")
LATER = "2023-11-14T22:14:20.000Z"  # a minute after NOW


def user_id(api: Api, login: str = LOGIN, **extra: Any) -> str:
    return api.created_id(login, credentials=with_password(), **extra)


def assign(api: Api, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.call("POST", f"/api/v1/apps/{app_id}/users", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    app_user: dict[str, Any] = response.get_json()
    return app_user


def app_user_of(api: Api, app_id: str, uid: str) -> Any:
    return api.call("GET", f"/api/v1/apps/{app_id}/users/{uid}")


def app_links(api: Api, ref: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/api/v1/users/{ref}/appLinks")
    assert response.status_code == 200, response.get_data(as_text=True)
    links: list[dict[str, Any]] = response.get_json()
    return links


def assignment_ids(api: Api, ref: str) -> dict[str, str]:
    return {link["appInstanceId"]: link["appAssignmentId"] for link in app_links(api, ref)}


# ----- assign, get


def test_assign_user_to_application_for_sso_answers_oktas_app_user(api: Api) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    app_user = assign(api, app["id"], {"id": uid, "scope": "USER"})
    assert app_user == {
        "id": uid,
        "externalId": None,  # SSO assignments have none (SPEC AppUser.externalId)
        "created": NOW,
        "lastUpdated": NOW,
        "scope": "USER",
        "status": "ACTIVE",
        "statusChanged": NOW,
        "passwordChanged": None,
        "syncState": "DISABLED",
        "credentials": {"userName": LOGIN},  # the app's userNameTemplate, ${source.login}
        "profile": {},
        "_links": {
            "app": {"href": f"{BASE}/api/v1/apps/{app['id']}"},
            "user": {"href": f"{BASE}/api/v1/users/{uid}"},
        },
    }
    assert app_user_of(api, app["id"], uid).get_json() == app_user


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${source.login}", LOGIN),
        ("${source.email}", "isaac@legacy.example.com"),
        ('${fn:substringBefore(source.login, "@")}', "isaac.brock"),
        ("${fn:toLowerCase(source.email)}", "isaac@legacy.example.com"),
        ("${source.firstName}.${source.lastName}", LOGIN),  # not a built-in: the login
        ("${source.nickName}", LOGIN),  # a property the user lacks: the login
    ],
)
def test_the_user_name_comes_from_the_apps_template(api: Api, template: str, expected: str) -> None:
    body = {**BOOKMARK, "credentials": {"userNameTemplate": {"template": template}}}
    app = created(api, body)
    uid = user_id(api, profile={"email": "Isaac@Legacy.example.com"})
    if "toLowerCase" not in template and "email" in template:
        expected = "Isaac@Legacy.example.com"
    assert assign(api, app["id"], {"id": uid})["credentials"] == {"userName": expected}


def test_assign_with_a_user_name_of_its_own(api: Api) -> None:
    app = created(api, SAML)
    uid = user_id(api)
    app_user = assign(api, app["id"], {"id": uid, "credentials": {"userName": "ibrock"}})
    assert app_user["credentials"] == {"userName": "ibrock"}


def test_assign_to_microsoft_365_provisions_with_an_immutable_id(api: Api) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api, profile={"mobilePhone": "+1 555 0100"})
    app_user = assign(api, app["id"], {"id": uid})
    assert app_user["status"] == "PROVISIONED"
    assert app_user["syncState"] == "SYNCHRONIZED"
    assert app_user["lastSync"] == NOW
    assert EXTERNAL_ID.match(app_user["externalId"])
    # Profile mappings first (SPEC AppUserProvResponse), then Okta's substitute immutable ID.
    immutable = app_user["profile"].pop("immutableId")
    assert app_user["profile"] == {
        "secondEmail": None,
        "lastName": "Brock",
        "mobilePhone": "+1 555 0100",
        "email": LOGIN,
        "firstName": "Isaac",
    }
    assert ASSIGNMENT_ID.match(immutable)
    assert assignment_ids(api, uid) == {app["id"]: immutable}  # the app user's own id


def test_an_immutable_id_given_at_assignment_is_kept(api: Api) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api)
    anchor = "k2Mv4x6PjUe0PCmXyC/9Nw=="  # a Base64 AD objectGUID, as a directory would send
    app_user = assign(api, app["id"], {"id": uid, "profile": {"immutableId": anchor}})
    assert app_user["profile"]["immutableId"] == anchor


def test_oidc_app_users_get_the_claims_profile(api: Api) -> None:
    app = created(api, OIDC)
    uid = user_id(api)
    profile = assign(api, app["id"], {"id": uid})["profile"]
    assert profile["given_name"] == "Isaac"
    assert profile["family_name"] == "Brock"
    assert profile["name"] == "Isaac Brock"
    assert profile["email"] == LOGIN
    assert profile["zoneinfo"] == "America/Los_Angeles"
    assert profile["locale"] == "en_US"
    assert len(profile) == 20  # SPEC AppUserSSOResponse's properties


def test_profile_properties_the_app_does_not_define_are_refused(api: Api) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api)
    body = {"id": uid, "profile": {"salesforceGroups": ["Employee"], "role": "Developer"}}
    response = api.call("POST", f"/api/v1/apps/{app['id']}/users", body)
    # The body Okta answered for the SPEC's own example (okta-blog-archive#2167).
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: assignment",
        ["Property 'salesforceGroups' not found", "Property 'role' not found"],
    )
    assert app_user_of(api, app["id"], uid).status_code == 404  # nothing assigned
    custom = created(api, SAML)  # a custom app's schema is the org's own: anything goes
    assert assign(api, custom["id"], body)["profile"] == body["profile"]


def test_a_password_for_an_app_whose_scheme_takes_none_is_refused(api: Api) -> None:
    uid = user_id(api)
    password = {"userName": "ibrock", "password": {"value": "App-Secret-7"}}
    shared = created(api, {**BASIC_AUTH, "credentials": {"scheme": "SHARED_USERNAME_AND_PASSWORD"}})
    for app in (created(api, BOOKMARK), created(api, OIDC), shared):
        response = api.call(
            "POST", f"/api/v1/apps/{app['id']}/users", {"id": uid, "credentials": password}
        )
        # Apps API, Application User Credentials object: the error and its one cause.
        assert_error(
            response,
            400,
            "E0000041",
            "Credentials should not be set on this resource based on the scheme.",
            ["User level credentials should not be provided for this scheme."],
        )
    shared_name = api.call(
        "POST",
        f"/api/v1/apps/{shared['id']}/users",
        {"id": uid, "credentials": {"userName": "everyone"}},
    )
    assert shared_name.status_code == 400
    assert shared_name.get_json()["errorCode"] == "E0000041"


def test_a_basic_auth_app_keeps_a_password_and_never_shows_it(api: Api, org: Org) -> None:
    app = created(api, BASIC_AUTH)
    uid = user_id(api)
    body = {"id": uid, "credentials": {"userName": "ibrock", "password": {"value": "App-Secret-7"}}}
    app_user = assign(api, app["id"], body)
    assert app_user["credentials"] == {"userName": "ibrock", "password": {}}
    assert app_user["passwordChanged"] == NOW
    fetched = app_user_of(api, app["id"], uid).get_data(as_text=True)
    assert "App-Secret-7" not in fetched
    assert "App-Secret-7" not in repr(org.apps.get_application_user(app["id"], uid))


@pytest.mark.parametrize(
    ("body", "field", "cause"),
    [
        ({}, "id", "The field cannot be left blank"),
        ({"id": ""}, "id", "The field cannot be left blank"),
        ({"id": 42}, "id", "The field cannot be left blank"),
        ({"id": "{uid}", "scope": "GROUP"}, "scope", "A direct assignment has scope USER"),
        ({"id": "{uid}", "credentials": []}, "credentials", "The value must be an object"),
        (
            {"id": "{uid}", "credentials": {"userName": ""}},
            "userName",
            "The userName must be 1 to 100 characters",
        ),
        (
            {"id": "{uid}", "credentials": {"userName": "u" * 101}},
            "userName",
            "The userName must be 1 to 100 characters",
        ),
        ({"id": "{uid}", "profile": "x"}, "profile", "The value must be an object"),
    ],
)
def test_assign_refuses_a_bad_body(api: Api, body: dict[str, Any], field: str, cause: str) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    body = {k: (uid if v == "{uid}" else v) for k, v in body.items()}
    response = api.call("POST", f"/api/v1/apps/{app['id']}/users", body)
    assert_error(
        response, 400, "E0000001", f"Api validation failed: {field}", [f"{field}: {cause}"]
    )
    assert api.call("GET", f"/api/v1/apps/{app['id']}/users").get_json() == []


def test_assign_of_unknown_users_and_apps_is_404(api: Api) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    missing_user = api.call(
        "POST", f"/api/v1/apps/{app['id']}/users", {"id": "00uNoSuchUser000000"}
    )
    assert_error(
        missing_user, 404, "E0000007", "Not found: Resource not found: 00uNoSuchUser000000 (User)"
    )
    by_login = api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": LOGIN})
    assert by_login.status_code == 404  # an id, not a login
    missing_app = api.call("POST", "/api/v1/apps/0oaNoSuchApp0000000/users", {"id": uid})
    assert_error(
        missing_app,
        404,
        "E0000007",
        "Not found: Resource not found: 0oaNoSuchApp0000000 (AppInstance)",
    )
    assert_error(
        app_user_of(api, app["id"], uid),
        404,
        "E0000007",
        f"Not found: Resource not found: {uid} (AppUser)",
    )


def test_a_deactivated_user_cannot_be_assigned(api: Api) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    response = api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid})
    assert_error(
        response, 403, "E0000117", "Cannot assign apps or update app profiles for an inactive user."
    )


def test_staged_and_suspended_users_can_be_assigned(api: Api) -> None:
    app = created(api, BOOKMARK)
    staged = api.created_id("staged@example.com", "?activate=false")
    suspended = user_id(api)
    api.call("POST", f"/api/v1/users/{suspended}/lifecycle/suspend")
    for uid in (staged, suspended):
        assert assign(api, app["id"], {"id": uid})["status"] == "ACTIVE"


def test_assigning_again_updates_the_same_app_user(api: Api, clock: ManualClock) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api)
    first = assign(api, app["id"], {"id": uid})
    clock.advance(60)
    again = assign(api, app["id"], {"id": uid, "credentials": {"userName": "isaac@example.com"}})
    assert again["created"] == first["created"]
    assert again["lastUpdated"] == LATER
    assert again["externalId"] == first["externalId"]
    assert again["profile"] == first["profile"]  # the same immutable ID
    assert again["credentials"] == {"userName": "isaac@example.com"}
    assert len(api.call("GET", f"/api/v1/apps/{app['id']}/users").get_json()) == 1


def test_get_application_user_can_embed_the_user(api: Api) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    assign(api, app["id"], {"id": uid})
    expanded = api.call("GET", f"/api/v1/apps/{app['id']}/users/{uid}?expand=user").get_json()
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert expanded["_embedded"] == {"user": user}
    assert list(expanded)[-2:] == ["_links", "_embedded"]


# ----- list


def test_list_application_users_pages_by_user_id(api: Api) -> None:
    app = created(api, BOOKMARK)
    ids = sorted(user_id(api, f"user.{i}@example.com") for i in range(5))
    for uid in ids:
        assign(api, app["id"], {"id": uid})
    path = f"/api/v1/apps/{app['id']}/users"
    first = api.call("GET", f"{path}?limit=2")
    assert [u["id"] for u in first.get_json()] == ids[:2]
    assert first.headers.getlist("Link") == [
        f'<{BASE}{path}?limit=2>; rel="self"',
        f'<{BASE}{path}?after={ids[1]}&limit=2>; rel="next"',
    ]
    rest = api.call("GET", f"{path}?limit=2&after={ids[3]}")
    assert [u["id"] for u in rest.get_json()] == ids[4:]
    assert len(rest.headers.getlist("Link")) == 1
    assert len(api.call("GET", path).get_json()) == 5  # pages of 50 by default
    assert len(api.call("GET", f"{path}?limit=9999").get_json()) == 5  # capped at 500
    assert_error(api.call("GET", f"{path}?limit=0"), 400, "E0000029", "Invalid paging request.")


def test_list_application_users_q_matches_the_start_of_names(api: Api) -> None:
    app = created(api, OFFICE365)
    isaac = user_id(api)
    judy = user_id(
        api, "judy.garland@example.com", profile={"firstName": "Judy", "lastName": "Garland"}
    )
    for uid in (isaac, judy):
        assign(api, app["id"], {"id": uid})

    def found(q: str) -> list[str]:
        path = f"/api/v1/apps/{app['id']}/users"
        return [u["id"] for u in api.call("GET", path, query_string={"q": q}).get_json()]

    assert found("judy") == [judy]  # userName, any case
    assert found("garl") == [judy]  # lastName
    assert found("Isaac") == [isaac]  # firstName
    assert found("Brock") == [isaac]  # lastName
    assert found("rock") == []  # not a prefix of any
    assert found("_") == []  # LIKE's wildcard is a plain character


def test_list_application_users_can_embed_each_user(api: Api) -> None:
    app = created(api, BOOKMARK)
    uid = user_id(api)
    assign(api, app["id"], {"id": uid})
    listed = api.call("GET", f"/api/v1/apps/{app['id']}/users?expand=user").get_json()
    assert listed[0]["_embedded"]["user"]["id"] == uid
    assert "_embedded" not in api.call("GET", f"/api/v1/apps/{app['id']}/users").get_json()[0]


def test_list_application_users_of_an_unknown_app_is_404(api: Api) -> None:
    response = api.call("GET", "/api/v1/apps/0oaNoSuchApp0000000/users")
    assert response.status_code == 404
    assert response.get_json()["errorSummary"].endswith("(AppInstance)")


# ----- update, unassign


def test_update_application_user_merges_the_profile(api: Api, clock: ManualClock) -> None:
    app = created(api, SAML)
    uid = user_id(api)
    assign(api, app["id"], {"id": uid, "profile": {"role": "Developer", "team": "Migration"}})
    clock.advance(60)
    path = f"/api/v1/apps/{app['id']}/users/{uid}"
    response = api.call("POST", path, {"profile": {"role": "Lead"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    updated = response.get_json()
    assert updated["profile"] == {"role": "Lead", "team": "Migration"}
    assert updated["lastUpdated"] == LATER
    assert updated["statusChanged"] == NOW
    renamed = api.call("POST", path, {"credentials": {"userName": "lead.brock"}}).get_json()
    assert renamed["credentials"] == {"userName": "lead.brock"}
    assert api.call("GET", path).get_json() == renamed


def test_update_application_user_refuses_what_assign_refuses(api: Api) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api)
    path = f"/api/v1/apps/{app['id']}/users/{uid}"
    assert api.call("POST", path, {"profile": {}}).status_code == 404  # not assigned yet
    assign(api, app["id"], {"id": uid})
    before = api.call("GET", path).get_json()
    response = api.call("POST", path, {"profile": {"nickname": "Ike"}})
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: assignment",
        ["Property 'nickname' not found"],
    )
    password = api.call("POST", path, {"credentials": {"password": {"value": "App-Secret-7"}}})
    assert password.get_json()["errorCode"] == "E0000041"
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    inactive = api.call("POST", path, {"profile": {"firstName": "Ike"}})
    assert_error(
        inactive, 403, "E0000117", "Cannot assign apps or update app profiles for an inactive user."
    )
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate")
    assert api.call("GET", path).get_json()["profile"] == before["profile"]


def test_unassign_user_from_application(api: Api) -> None:
    app = created(api, OFFICE365)
    uid = user_id(api)
    first = assign(api, app["id"], {"id": uid})
    path = f"/api/v1/apps/{app['id']}/users/{uid}"
    response = api.call("DELETE", path)
    assert (response.status_code, response.data) == (204, b"")
    assert app_user_of(api, app["id"], uid).status_code == 404
    assert app_links(api, uid) == []
    assert api.call("DELETE", path).status_code == 404
    # "You can't recover the user's app profile": a new assignment is a new identity.
    again = assign(api, app["id"], {"id": uid})
    assert again["externalId"] != first["externalId"]
    assert again["profile"]["immutableId"] != first["profile"]["immutableId"]
    assert api.call("DELETE", f"{path}?sendEmail=maybe").status_code == 400


# ----- appLinks


def test_list_app_links_answers_a_link_per_assigned_active_app(api: Api) -> None:
    bookmark = created(api, BOOKMARK)
    office = created(api, OFFICE365)
    oidc = created(api, OIDC)
    inactive = created(api, {**BOOKMARK, "label": "Retired"}, "?activate=false")
    uid = user_id(api)
    for app in (bookmark, office, oidc, inactive):
        assign(api, app["id"], {"id": uid})
    links = app_links(api, uid)
    by_app = {link["appInstanceId"]: link for link in links}
    assert set(by_app) == {bookmark["id"], office["id"], oidc["id"]}  # not the INACTIVE one
    link = by_app[bookmark["id"]]
    href = bookmark["_links"]["appLinks"][0]["href"]
    assert link == {
        "id": uid,
        "label": "Sample Bookmark App",
        "linkUrl": href,
        "logoUrl": LOGO,
        "appName": "bookmark",
        "appInstanceId": bookmark["id"],
        "appAssignmentId": link["appAssignmentId"],
        "credentialsSetup": False,
        "hidden": False,
        "sortOrder": links.index(link),
    }
    assert ASSIGNMENT_ID.match(link["appAssignmentId"])
    assert by_app[oidc["id"]]["hidden"] is True  # OIDC tiles are hidden by default
    assert [x["sortOrder"] for x in links] == [0, 1, 2]
    assert app_links(api, LOGIN) == links  # the path takes a login too
    assert_error(
        api.call("GET", "/api/v1/users/nobody@example.com/appLinks"),
        404,
        "E0000007",
        "Not found: Resource not found: nobody@example.com (User)",
    )


# ----- what a user's lifecycle does to its app users (reference.md §7.3)


def test_deactivating_a_user_deprovisions_its_app_users_in_active_apps(api: Api) -> None:
    office = created(api, OFFICE365)
    bookmark = created(api, BOOKMARK)
    retired = created(api, {**BOOKMARK, "label": "Retired"}, "?activate=false")
    uid = user_id(api)
    before = {a["id"]: assign(api, a["id"], {"id": uid}) for a in (office, bookmark, retired)}
    response = api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    assert response.status_code == 200
    deprovisioned = app_user_of(api, office["id"], uid).get_json()
    assert deprovisioned["status"] == "DEPROVISIONED"
    assert deprovisioned["externalId"] is None  # SPEC AppUserStatus: externalId unassigned
    assert app_user_of(api, bookmark["id"], uid).get_json()["status"] == "DEPROVISIONED"
    # "assignments for apps marked as inactive are left untouched"
    assert app_user_of(api, retired["id"], uid).get_json() == before[retired["id"]]
    assert app_links(api, uid) == []


def test_reactivating_a_user_restores_the_same_app_users(api: Api, clock: ManualClock) -> None:
    office = created(api, OFFICE365)
    bookmark = created(api, BOOKMARK)
    uid = user_id(api)
    before = {a["id"]: assign(api, a["id"], {"id": uid}) for a in (office, bookmark)}
    ids_before = assignment_ids(api, uid)
    clock.advance(60)
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    response = api.call("POST", f"/api/v1/users/{uid}/lifecycle/activate?sendEmail=false")
    assert response.status_code == 200
    for app_id, app_user in before.items():
        restored = app_user_of(api, app_id, uid).get_json()
        assert restored["status"] == app_user["status"]
        assert restored["statusChanged"] == LATER
        for same in ("externalId", "created", "profile", "credentials", "scope"):
            assert restored[same] == app_user[same], same
    assert assignment_ids(api, uid) == ids_before


def test_delete_deprovisions_then_loses_the_app_users(api: Api, org: Org) -> None:
    office = created(api, OFFICE365)
    uid = user_id(api)
    assign(api, office["id"], {"id": uid})
    assert api.call("DELETE", f"/api/v1/users/{uid}").status_code == 204  # deactivates
    assert app_user_of(api, office["id"], uid).get_json()["status"] == "DEPROVISIONED"
    assert api.call("DELETE", f"/api/v1/users/{uid}").status_code == 204  # deletes
    assert app_user_of(api, office["id"], uid).status_code == 404
    with org.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM app_users").fetchone()[0] == 0


def test_a_recreated_user_is_a_new_app_user_with_a_new_immutable_id(api: Api) -> None:
    """The seed thread's warning: delete-and-recreate breaks Microsoft 365, and here is how."""
    office = created(api, OFFICE365)
    old = user_id(api)
    before = assign(api, office["id"], {"id": old})
    api.call("DELETE", f"/api/v1/users/{old}")
    api.call("DELETE", f"/api/v1/users/{old}")
    new = user_id(api)  # the same login, a new Okta user
    assert new != old
    assert app_user_of(api, office["id"], new).status_code == 404  # not re-added by itself
    after = assign(api, office["id"], {"id": new})
    assert after["profile"]["immutableId"] != before["profile"]["immutableId"]
    assert after["externalId"] != before["externalId"]


def test_suspending_a_user_keeps_its_app_users(api: Api) -> None:
    office = created(api, OFFICE365)
    uid = user_id(api)
    before = assign(api, office["id"], {"id": uid})
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/suspend")
    assert app_user_of(api, office["id"], uid).get_json() == before
    assert len(app_links(api, uid)) == 1


def test_deleting_an_app_loses_its_assignments(api: Api, org: Org) -> None:
    bookmark = created(api, BOOKMARK)
    office = created(api, OFFICE365)
    uid = user_id(api)
    assign(api, bookmark["id"], {"id": uid})
    assign(api, office["id"], {"id": uid})
    api.call("POST", f"/api/v1/apps/{bookmark['id']}/lifecycle/deactivate")
    # A deactivated app keeps its direct assignments but leaves the dashboard.
    assert app_user_of(api, bookmark["id"], uid).get_json()["status"] == "ACTIVE"
    assert set(assignment_ids(api, uid)) == {office["id"]}
    assert api.call("DELETE", f"/api/v1/apps/{bookmark['id']}").status_code == 204
    with org.db.read() as conn:
        rows = conn.execute("SELECT app_id FROM app_users").fetchall()
    assert rows == [(office["id"],)]


def test_the_app_user_survives_a_password_change(api: Api) -> None:
    office = created(api, OFFICE365)
    uid = user_id(api)
    before = assign(api, office["id"], {"id": uid})
    change = api.call(
        "POST",
        f"/api/v1/users/{uid}/credentials/change_password",
        {"oldPassword": {"value": PASSWORD}, "newPassword": {"value": "Newer-Horse-12"}},
    )
    assert change.status_code == 200, change.get_data(as_text=True)
    assert app_user_of(api, office["id"], uid).get_json() == before


# ----- concurrency and unusual input


def test_concurrent_assignments_make_one_app_user_each(api: Api, app: Any) -> None:
    office = created(api, OFFICE365)
    same = user_id(api)
    others = [user_id(api, f"crowd.{i}@example.com") for i in range(12)]
    answers: list[int] = []

    def assign_one(uid: str) -> None:
        client = app.test_client()  # a client per thread, one org and store between them
        response = client.post(
            f"/api/v1/apps/{office['id']}/users",
            json={"id": uid},
            headers={"Authorization": "SSWS test-token"},
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=assign_one, args=(uid,)) for uid in [same] * 8 + others]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 20
    listed = api.call("GET", f"/api/v1/apps/{office['id']}/users?limit=500").get_json()
    assert sorted(u["id"] for u in listed) == sorted([same, *others])
    immutable_ids = {u["profile"]["immutableId"] for u in listed}
    assert len(immutable_ids) == 13  # one identity per user, however many tried at once


def test_unicode_user_names_and_profiles_round_trip(api: Api) -> None:
    app = created(api, SAML)
    uid = user_id(api)
    body = {
        "id": uid,
        "credentials": {"userName": "isáàc.bröck@例え.jp"},
        "profile": {"displayName": "Isáàc 🎸 Bröck", "nested": {"list": [1, "二"]}},
    }
    assigned = assign(api, app["id"], body)
    assert assigned["credentials"] == body["credentials"]
    assert assigned["profile"] == body["profile"]
    path = f"/api/v1/apps/{app['id']}/users"
    found = api.call("GET", path, query_string={"q": "ISÁÀC"}).get_json()
    assert [u["id"] for u in found] == [uid]
