"""App, app-user and app-link bodies validated against Okta's OpenAPI spec (../shared/okta).

Okta's own response examples send `null` where the spec's schemas say string (an app's
`accessibility.errorRedirectUrl`, `settings.notes`, an SSO app user's `externalId`, ...); the mock
sends what Okta sends. So a `null` passes exactly where Okta's own example of that response has
one, and nowhere else; every other property must match the schema, and no top-level property
may be one the schema lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import Api
from tests.helpers import with_password
from tests.http.test_apps import BASIC_AUTH, BOOKMARK, GOOGLE, OFFICE365, OIDC, SAML, created

SPEC_URI = "urn:okta:management-openapi"
Check = Callable[[str, Any, str], None]


def _null_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _null_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _null_paths(item, (*path, index))


@pytest.fixture(scope="session")
def check(okta_spec: dict[str, Any]) -> Check:
    """`check("BookmarkApplication", body, "BookmarkAppResponseEx")`: raise unless valid."""
    schemas = okta_spec["components"]["schemas"]
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(okta_spec, default_specification=DRAFT4)
    )

    def properties(schema: dict[str, Any]) -> set[str]:
        if "$ref" in schema:
            return properties(schemas[schema["$ref"].rsplit("/", 1)[1]])
        found = set(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            found |= properties(part)
        return found

    def run(name: str, body: Any, example: str) -> None:
        assert name in schemas, f"{name} is not in Okta's spec"
        allowed = set(_null_paths(okta_spec["components"]["examples"][example]["value"]))
        validator = OAS30ReadValidator(
            {"$ref": f"{SPEC_URI}#/components/schemas/{name}"},
            registry=registry,
            format_checker=oas30_format_checker,
        )
        errors = [
            e
            for e in validator.iter_errors(body)
            if not (e.instance is None and tuple(e.absolute_path) in allowed)
        ]
        if errors:
            raise errors[0]
        known = properties(schemas[name])
        if name.endswith("Application"):
            # The OIN schemas (Office365Application, GoogleApplication) describe a request;
            # every app Okta answers is an `Application` as well.
            known |= properties(schemas["Application"])
        unknown = set(body) - known
        assert not unknown, f"{name} has no properties {sorted(unknown)}"

    return run


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ----- the check itself must be able to fail


def test_the_check_refuses_what_okta_would_not_send(api: Api, check: Check) -> None:
    app = created(api, BOOKMARK)
    with pytest.raises(ValidationError):
        check("BookmarkApplication", {**app, "status": "ENABLED"}, "BookmarkAppResponseEx")
    with pytest.raises(ValidationError):  # a null Okta's example does not have
        check("BookmarkApplication", {**app, "label": None}, "BookmarkAppResponseEx")
    with pytest.raises(AssertionError):
        check("BookmarkApplication", {**app, "clientSecret": "x"}, "BookmarkAppResponseEx")
    uid = api.created_id(credentials=with_password())
    app_user = ok(api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid}))
    leaked = {**app_user, "credentials": {"userName": "x", "password": {"value": "leaked"}}}
    with pytest.raises(ValidationError):  # a write-only value in a response
        check("AppUser", leaked, "AppUserSSOResponse")


def test_okta_examples_pass_the_check(okta_spec: dict[str, Any], check: Check) -> None:
    examples = okta_spec["components"]["examples"]
    for schema, example in (
        ("BookmarkApplication", "BookmarkAppResponseEx"),
        ("OpenIdConnectApplication", "OpenidConnectResponseEx"),
        ("AppUser", "AppUserSSOResponse"),
        ("AppUser", "AppUserProvResponse"),
    ):
        body = dict(examples[example]["value"])
        body.pop("orn", None)  # the mock sends no ORN
        body.get("_links", {}).pop("uploadLogo", None)
        if schema == "AppUser":
            body["credentials"] = body.pop('credentials"', body.get("credentials"))  # a typo
        check(schema, body, example)


# ----- apps


@pytest.mark.parametrize(
    ("body", "schema", "example"),
    [
        (BOOKMARK, "BookmarkApplication", "BookmarkAppResponseEx"),
        (BASIC_AUTH, "BasicAuthApplication", "BasicAuthResponseEx"),
        (SAML, "SamlApplication", "Saml2.0ResponseEx"),
        (OIDC, "OpenIdConnectApplication", "OpenidConnectResponseEx"),
        (OFFICE365, "Saml11Application", "BookmarkAppResponseEx"),
        (OFFICE365, "Office365Application", "BookmarkAppResponseEx"),
        (GOOGLE, "SamlApplication", "BookmarkAppResponseEx"),
        (GOOGLE, "GoogleApplication", "BookmarkAppResponseEx"),
    ],
)
def test_apps_match_the_spec(
    api: Api, check: Check, body: dict[str, Any], schema: str, example: str
) -> None:
    app = created(api, body)
    check(schema, app, example)
    check(schema, ok(api.call("GET", f"/api/v1/apps/{app['id']}")), example)
    check(schema, ok(api.call("PUT", f"/api/v1/apps/{app['id']}", body)), example)
    api.call("POST", f"/api/v1/apps/{app['id']}/lifecycle/deactivate")
    for listed in ok(api.call("GET", "/api/v1/apps")):
        check(schema, listed, example)


def test_inactive_apps_and_expanded_lists_match_the_spec(api: Api, check: Check) -> None:
    app = created(api, BOOKMARK, "?activate=false")
    check("BookmarkApplication", app, "BookmarkAppResponseEx")
    uid = api.created_id(credentials=with_password())
    ok(api.call("POST", f"/api/v1/apps/{app['id']}/users", {"id": uid}))
    query = {"filter": f'user.id eq "{uid}"', "expand": f"user/{uid}"}
    listed = ok(api.call("GET", "/api/v1/apps", query_string=query))
    assert [a["id"] for a in listed] == [app["id"]]
    # The SPEC types each property of `_embedded.user` as an object, though its own example
    # (GetApplicationsByUserResponseEx) embeds an app user: the app user is checked as one.
    embedded = listed[0].pop("_embedded")["user"]
    check("BookmarkApplication", listed[0], "BookmarkAppResponseEx")
    assert embedded["id"] == uid
    check("AppUser", embedded, "AppUserSSOResponse")


# ----- app users and app links


def test_app_users_match_the_spec(api: Api, check: Check) -> None:
    bookmark = created(api, BOOKMARK)
    office = created(api, OFFICE365)
    basic = created(api, BASIC_AUTH)
    uid = api.created_id(credentials=with_password())
    sso = ok(api.call("POST", f"/api/v1/apps/{bookmark['id']}/users", {"id": uid}))
    check("AppUser", sso, "AppUserSSOResponse")
    provisioned = ok(api.call("POST", f"/api/v1/apps/{office['id']}/users", {"id": uid}))
    check("AppUser", provisioned, "AppUserProvResponse")
    creds = {"userName": "ibrock", "password": {"value": "App-Secret-7"}}
    with_creds = ok(
        api.call("POST", f"/api/v1/apps/{basic['id']}/users", {"id": uid, "credentials": creds})
    )
    check("AppUser", with_creds, "AppUserSSOResponse")
    updated = ok(
        api.call("POST", f"/api/v1/apps/{bookmark['id']}/users/{uid}", {"profile": {"a": 1}})
    )
    check("AppUser", updated, "AppUserSSOResponse")
    expanded = ok(api.call("GET", f"/api/v1/apps/{office['id']}/users/{uid}?expand=user"))
    check("AppUser", expanded, "AppUserProvResponse")
    for listed in ok(api.call("GET", f"/api/v1/apps/{office['id']}/users?expand=user")):
        check("AppUser", listed, "AppUserProvResponse")
    for link in ok(api.call("GET", f"/api/v1/users/{uid}/appLinks")):
        check("AssignedAppLink", link, "ListAppLinks")
    api.call("POST", f"/api/v1/users/{uid}/lifecycle/deactivate")
    deprovisioned = ok(api.call("GET", f"/api/v1/apps/{office['id']}/users/{uid}"))
    assert deprovisioned["status"] == "DEPROVISIONED"
    check("AppUser", deprovisioned, "AppUserSSOResponse")  # externalId null, as in SSO's


# ----- group assignments (SPEC tag ApplicationGroups)


def test_group_assignments_and_their_app_users_match_the_spec(api: Api, check: Check) -> None:
    office = created(api, OFFICE365)
    group = ok(api.call("POST", "/api/v1/groups", {"profile": {"name": "Office users"}}))
    uid = api.created_id(credentials=with_password())
    api.call("PUT", f"/api/v1/groups/{group['id']}/users/{uid}")
    path = f"/api/v1/apps/{office['id']}/groups/{group['id']}"
    assigned = ok(api.call("PUT", path, {"profile": {"mobilePhone": "+1 555 0100"}}))
    check("ApplicationGroupAssignment", assigned, "GroupAssignmentPutResponseExample")
    with pytest.raises(ValidationError):  # the check can fail on this schema too
        check(
            "ApplicationGroupAssignment",
            {**assigned, "priority": "0"},
            "GroupAssignmentPutResponseExample",
        )
    check(
        "ApplicationGroupAssignment", ok(api.call("GET", path)), "GroupAssignmentPutResponseExample"
    )
    expanded = ok(api.call("GET", f"{path}?expand=group"))
    check("ApplicationGroupAssignment", expanded, "EmbeddedGroupAssignmentSampleResponse")
    for listed in ok(api.call("GET", f"/api/v1/apps/{office['id']}/groups?expand=group")):
        check("ApplicationGroupAssignment", listed, "EmbeddedGroupAssignmentSampleResponse")
    app_user = ok(api.call("GET", f"/api/v1/apps/{office['id']}/users/{uid}"))
    assert app_user["scope"] == "GROUP"
    check("AppUser", app_user, "AppUserProvResponse")
