"""/api/v1/groups: Okta's Groups API (SPEC tag Group): groups and their members."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.groups import Group
from mock_okta.routes._http import base_url, current_org, json_object, no_content
from mock_okta.store import GroupQuery

bp = Blueprint("groups", __name__, url_prefix="/api/v1/groups")


def _group(group: Group) -> ResponseReturnValue:
    return serialize.group(group, base_url())


@bp.post("")
def add_group() -> ResponseReturnValue:
    """POST /api/v1/groups — Add a group (OKTA_GROUP)."""
    return _group(current_org().store.add_group(json_object().get("profile")))


@bp.get("")
def list_groups() -> ResponseReturnValue:
    """GET /api/v1/groups — List all groups (q, search, filter, limit, after, expand=stats)."""
    args = request.args
    store = current_org().store
    page = store.list_groups(
        GroupQuery(
            limit=args.get("limit"),
            after=args.get("after"),
            filter=args.get("filter"),
            search=args.get("search"),
            q=args.get("q"),
        )
    )
    base = base_url()
    stats = "stats" in (args.get("expand") or "").split(",")
    response = jsonify(
        [
            serialize.group(g, base, store.count_group_users(g) if stats else None)
            for g in page.groups
        ]
    )
    for link in serialize.list_links(f"{base}/api/v1/groups", args, page.limit, page.next_after):
        response.headers.add("Link", link)
    return response


@bp.get("/<group_id>")
def get_group(group_id: str) -> ResponseReturnValue:
    """GET /api/v1/groups/{groupId} — Retrieve a group."""
    return _group(current_org().store.get_group(group_id))


@bp.put("/<group_id>")
def replace_group(group_id: str) -> ResponseReturnValue:
    """PUT /api/v1/groups/{groupId} — Replace a group's profile."""
    return _group(current_org().store.replace_group(group_id, json_object().get("profile")))


@bp.delete("/<group_id>")
def delete_group(group_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/groups/{groupId} — Delete a group."""
    current_org().store.delete_group(group_id)
    return no_content()


@bp.get("/<group_id>/users")
def list_group_users(group_id: str) -> ResponseReturnValue:
    """GET /api/v1/groups/{groupId}/users — List all member users (limit, after)."""
    args = request.args
    page = current_org().store.list_group_users(group_id, args.get("limit"), args.get("after"))
    base = base_url()
    response = jsonify([serialize.user(u, base, full=False) for u in page.users])
    url = f"{base}/api/v1/groups/{group_id}/users"
    for link in serialize.list_links(url, args, page.limit, page.next_after):
        response.headers.add("Link", link)
    return response


@bp.put("/<group_id>/users/<user_id>")
def assign_user_to_group(group_id: str, user_id: str) -> ResponseReturnValue:
    """PUT /api/v1/groups/{groupId}/users/{userId} — Assign a user to a group (204)."""
    current_org().store.assign_user_to_group(group_id, user_id)
    return no_content()


@bp.delete("/<group_id>/users/<user_id>")
def unassign_user_from_group(group_id: str, user_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/groups/{groupId}/users/{userId} — Unassign a user from a group (204)."""
    current_org().store.unassign_user_from_group(group_id, user_id)
    return no_content()
