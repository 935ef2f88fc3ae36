"""/api/v1/users: Okta's Users API (management OpenAPI, tag User and UserLifecycle)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.models import User
from mock_okta.routes._http import base_url, current_org, flag, json_object, type_id
from mock_okta.store import IssuedToken, ListQuery

bp = Blueprint("users", __name__, url_prefix="/api/v1/users")


def _user(user: User, status: int = 200) -> Response:
    # What jsonify(serialize.user(…)) answers, without building the dict to encode it.
    body = serialize.user_json(user, base_url()) + "\n"
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.headers["ETag"] = user.etag
    return response


def _activation(token: IssuedToken, send_email: bool) -> ResponseReturnValue:
    if send_email:
        return {}
    return {
        "activationUrl": f"{base_url()}/tokens/{token.token}/verify",
        "activationToken": token.token,
    }


@bp.post("")
def create_user() -> ResponseReturnValue:
    """POST /api/v1/users — Create a user."""
    body = json_object()
    user = current_org().store.create_user(
        body.get("profile"),
        body.get("credentials"),
        activate=flag("activate", True),
        provider=flag("provider", False),
        next_login=request.args.get("nextLogin"),
        type_id=type_id(body),
        group_ids=body.get("groupIds"),
    )
    return _user(user)


@bp.get("")
def list_users() -> ResponseReturnValue:
    """GET /api/v1/users — List all users (limit, after, filter, search, q)."""
    args = request.args
    query = ListQuery(
        limit=args.get("limit"),
        after=args.get("after"),
        filter=args.get("filter"),
        search=args.get("search"),
        q=args.get("q"),
    )
    page = current_org().store.list_users(query)
    base = base_url()
    response = jsonify([serialize.user(u, base, full=False) for u in page.users])
    for link in serialize.list_links(f"{base}/api/v1/users", args, page.limit, page.next_after):
        response.headers.add("Link", link)
    return response


@bp.get("/<ref>")
def get_user(ref: str) -> ResponseReturnValue:
    """GET /api/v1/users/{id|login} — Retrieve a user."""
    return _user(current_org().store.get_user(ref))


@bp.post("/<ref>")
def update_user(ref: str) -> ResponseReturnValue:
    """POST /api/v1/users/{id} — Update a user (partial)."""
    body = json_object()
    user = current_org().store.update_user(
        ref,
        body.get("profile"),
        body.get("credentials"),
        if_match=request.headers.get("If-Match"),
        type_id=type_id(body),
    )
    return _user(user)


@bp.put("/<ref>")
def replace_user(ref: str) -> ResponseReturnValue:
    """PUT /api/v1/users/{id} — Replace a user."""
    body = json_object()
    user = current_org().store.replace_user(
        ref,
        body.get("profile"),
        body.get("credentials"),
        if_match=request.headers.get("If-Match"),
        type_id=type_id(body),
    )
    return _user(user)


@bp.delete("/<ref>")
def delete_user(ref: str) -> ResponseReturnValue:
    """DELETE /api/v1/users/{id} — Deactivate, then delete: 204 both times."""
    current_org().store.delete_user(ref)
    response = Response(status=204)
    del response.headers["Content-Type"]  # no content, so no content type
    return response


@bp.get("/<ref>/groups")
def list_user_groups(ref: str) -> ResponseReturnValue:
    """GET /api/v1/users/{id}/groups — List all groups of a user (Everyone included)."""
    base = base_url()
    return jsonify([serialize.group(g, base) for g in current_org().store.list_user_groups(ref)])


@bp.post("/<ref>/lifecycle/activate")
def activate_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/activate?sendEmail — Activate a user."""
    _, token = current_org().store.activate_user(ref)
    return _activation(token, flag("sendEmail", True))


@bp.post("/<ref>/lifecycle/reactivate")
def reactivate_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/reactivate?sendEmail — Reactivate a user."""
    _, token = current_org().store.reactivate_user(ref)
    return _activation(token, flag("sendEmail", False))


@bp.post("/<ref>/lifecycle/deactivate")
def deactivate_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/deactivate — Deactivate a user."""
    current_org().store.deactivate_user(ref)
    return {}


@bp.post("/<ref>/lifecycle/suspend")
def suspend_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/suspend — Suspend a user."""
    current_org().store.suspend_user(ref)
    return {}


@bp.post("/<ref>/lifecycle/unsuspend")
def unsuspend_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/unsuspend — Unsuspend a user."""
    current_org().store.unsuspend_user(ref)
    return {}


@bp.post("/<ref>/lifecycle/unlock")
def unlock_user(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/unlock — Unlock a user."""
    current_org().store.unlock_user(ref)
    return {}


@bp.post("/<ref>/lifecycle/reset_password")
def reset_password(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/reset_password?sendEmail — Reset a password."""
    _, token = current_org().store.reset_password(ref)
    if flag("sendEmail", True):
        return {}
    return {"resetPasswordUrl": f"{base_url()}/reset_password/{token.token}"}


@bp.post("/<ref>/lifecycle/expire_password")
def expire_password(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/expire_password — Expire a password."""
    user, _ = current_org().store.expire_password(ref)
    return _user(user)


@bp.post("/<ref>/lifecycle/expire_password_with_temp_password")
def expire_password_with_temp_password(ref: str) -> ResponseReturnValue:
    """POST …/lifecycle/expire_password_with_temp_password — Expire with a temporary password."""
    _, temp = current_org().store.expire_password(ref, temp_password=True)
    return {"tempPassword": temp}


@bp.post("/<ref>/credentials/change_password")
def change_password(ref: str) -> ResponseReturnValue:
    """POST …/credentials/change_password — Change a password (old one required)."""
    body = json_object()
    old, new = body.get("oldPassword"), body.get("newPassword")
    user = current_org().store.change_password(
        ref,
        old.get("value") if isinstance(old, dict) else None,
        new.get("value") if isinstance(new, dict) else None,
    )
    return serialize.credentials(user)
