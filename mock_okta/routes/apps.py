"""/api/v1/apps: Okta's Application, ApplicationUsers and ApplicationGroups APIs, and a user's
appLinks (management OpenAPI, tags Application, ApplicationUsers, ApplicationGroups and
UserResources)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.apps import AppGroupQuery, AppListQuery, Apps, AppUserQuery
from mock_okta.apps.models import App
from mock_okta.routes._http import base_url, current_org, flag, json_object

bp = Blueprint("apps", __name__)


def _apps() -> Apps:
    return current_org().apps


def _app(app: App, *, with_secret: bool = False) -> ResponseReturnValue:
    return serialize.application(app, base_url(), with_secret=with_secret)


def _no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def _page(items: list[object], path: str, limit: int, next_after: str | None) -> Response:
    response = jsonify(items)
    url = f"{base_url()}{path}"
    for link in serialize.list_links(url, request.args, limit, next_after):
        response.headers.add("Link", link)
    return response


@bp.post("/api/v1/apps")
def create_application() -> ResponseReturnValue:
    """POST /api/v1/apps?activate — Create an application."""
    app = _apps().create_application(json_object(), activate=flag("activate", True))
    return _app(app, with_secret=True)


@bp.get("/api/v1/apps")
def list_applications() -> ResponseReturnValue:
    """GET /api/v1/apps — List all applications (q, filter, limit, after, expand)."""
    args = request.args
    query = AppListQuery(
        q=args.get("q"),
        filter=args.get("filter"),
        limit=args.get("limit"),
        after=args.get("after"),
        expand=args.get("expand"),
    )
    page = _apps().list_applications(query)
    base = base_url()
    items: list[object] = [
        serialize.application(
            a,
            base,
            embedded=serialize.app_user(page.embedded[a.id], base)
            if a.id in page.embedded
            else None,
        )
        for a in page.apps
    ]
    return _page(items, "/api/v1/apps", page.limit, page.next_after)


@bp.get("/api/v1/apps/<app_id>")
def get_application(app_id: str) -> ResponseReturnValue:
    """GET /api/v1/apps/{appId} — Retrieve an application."""
    return _app(_apps().get_application(app_id))


@bp.put("/api/v1/apps/<app_id>")
def replace_application(app_id: str) -> ResponseReturnValue:
    """PUT /api/v1/apps/{appId} — Replace an application."""
    return _app(_apps().replace_application(app_id, json_object()), with_secret=True)


@bp.delete("/api/v1/apps/<app_id>")
def delete_application(app_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/apps/{appId} — Delete an INACTIVE application."""
    _apps().delete_application(app_id)
    return _no_content()


@bp.post("/api/v1/apps/<app_id>/lifecycle/activate")
def activate_application(app_id: str) -> ResponseReturnValue:
    """POST /api/v1/apps/{appId}/lifecycle/activate — Activate an application."""
    _apps().activate_application(app_id)
    return {}


@bp.post("/api/v1/apps/<app_id>/lifecycle/deactivate")
def deactivate_application(app_id: str) -> ResponseReturnValue:
    """POST /api/v1/apps/{appId}/lifecycle/deactivate — Deactivate an application."""
    _apps().deactivate_application(app_id)
    return {}


@bp.post("/api/v1/apps/<app_id>/users")
def assign_user_to_application(app_id: str) -> ResponseReturnValue:
    """POST /api/v1/apps/{appId}/users — Assign an application user."""
    app_user = _apps().assign_user_to_application(app_id, json_object())
    return serialize.app_user(app_user, base_url())


@bp.get("/api/v1/apps/<app_id>/users")
def list_application_users(app_id: str) -> ResponseReturnValue:
    """GET /api/v1/apps/{appId}/users — List all application users (q, limit, after, expand)."""
    args = request.args
    query = AppUserQuery(
        limit=args.get("limit"), after=args.get("after"), q=args.get("q"), expand=args.get("expand")
    )
    page = _apps().list_application_users(app_id, query)
    base = base_url()
    items: list[object] = [
        serialize.app_user(au, base, embedded_user=page.users.get(au.user_id))
        for au in page.app_users
    ]
    return _page(items, f"/api/v1/apps/{app_id}/users", page.limit, page.next_after)


@bp.get("/api/v1/apps/<app_id>/users/<user_id>")
def get_application_user(app_id: str, user_id: str) -> ResponseReturnValue:
    """GET /api/v1/apps/{appId}/users/{userId}?expand=user — Retrieve an application user."""
    app_user, user = _apps().get_application_user(app_id, user_id)
    expanded = user if request.args.get("expand") == "user" else None
    return serialize.app_user(app_user, base_url(), embedded_user=expanded)


@bp.post("/api/v1/apps/<app_id>/users/<user_id>")
def update_application_user(app_id: str, user_id: str) -> ResponseReturnValue:
    """POST /api/v1/apps/{appId}/users/{userId} — Update an application user."""
    app_user = _apps().update_application_user(app_id, user_id, json_object())
    return serialize.app_user(app_user, base_url())


@bp.delete("/api/v1/apps/<app_id>/users/<user_id>")
def unassign_user_from_application(app_id: str, user_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/apps/{appId}/users/{userId}?sendEmail — Unassign an application user."""
    flag("sendEmail", False)  # validated like Okta's other flags; the mock sends no email
    _apps().unassign_user_from_application(app_id, user_id)
    return _no_content()


@bp.get("/api/v1/apps/<app_id>/groups")
def list_application_group_assignments(app_id: str) -> ResponseReturnValue:
    """GET /api/v1/apps/{appId}/groups — List all application groups (q, limit, after, expand)."""
    args = request.args
    query = AppGroupQuery(
        limit=args.get("limit"), after=args.get("after"), q=args.get("q"), expand=args.get("expand")
    )
    page = _apps().list_application_group_assignments(app_id, query)
    base = base_url()
    items: list[object] = [
        serialize.app_group(ag, base, embedded_group=page.groups.get(ag.group_id))
        for ag in page.app_groups
    ]
    return _page(items, f"/api/v1/apps/{app_id}/groups", page.limit, page.next_after)


@bp.get("/api/v1/apps/<app_id>/groups/<group_id>")
def get_application_group_assignment(app_id: str, group_id: str) -> ResponseReturnValue:
    """GET /api/v1/apps/{appId}/groups/{groupId}?expand=group — Retrieve an application group."""
    app_group, group = _apps().get_application_group_assignment(app_id, group_id)
    expanded = group if request.args.get("expand") == "group" else None
    return serialize.app_group(app_group, base_url(), embedded_group=expanded)


@bp.put("/api/v1/apps/<app_id>/groups/<group_id>")
def assign_group_to_application(app_id: str, group_id: str) -> ResponseReturnValue:
    """PUT /api/v1/apps/{appId}/groups/{groupId} — Assign an application group (body optional)."""
    app_group = _apps().assign_group_to_application(app_id, group_id, json_object(optional=True))
    return serialize.app_group(app_group, base_url())


@bp.delete("/api/v1/apps/<app_id>/groups/<group_id>")
def unassign_application_from_group(app_id: str, group_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/apps/{appId}/groups/{groupId} — Unassign an application group."""
    _apps().unassign_application_from_group(app_id, group_id)
    return _no_content()


@bp.get("/api/v1/users/<ref>/appLinks")
def list_app_links(ref: str) -> ResponseReturnValue:
    """GET /api/v1/users/{id}/appLinks — List all assigned app links."""
    base = base_url()
    return jsonify([serialize.app_link(link, base) for link in _apps().list_app_links(ref)])
