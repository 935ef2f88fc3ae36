"""/api/v1/meta/types/user: Okta's User Types API (SPEC tag UserType)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.routes._http import base_url, current_org, json_object, no_content

bp = Blueprint("user_types", __name__, url_prefix="/api/v1/meta/types/user")


@bp.get("")
def list_user_types() -> ResponseReturnValue:
    """GET /api/v1/meta/types/user — List all user types."""
    base = base_url()
    return jsonify([serialize.user_type(t, base) for t in current_org().store.list_user_types()])


@bp.post("")
def create_user_type() -> ResponseReturnValue:
    """POST /api/v1/meta/types/user — Create a user type."""
    return serialize.user_type(current_org().store.create_user_type(json_object()), base_url())


@bp.get("/<type_id>")
def get_user_type(type_id: str) -> ResponseReturnValue:
    """GET /api/v1/meta/types/user/{typeId} — Retrieve a user type (`default` too)."""
    return serialize.user_type(current_org().store.get_user_type(type_id), base_url())


@bp.post("/<type_id>")
def update_user_type(type_id: str) -> ResponseReturnValue:
    """POST /api/v1/meta/types/user/{typeId} — Update a user type (partial)."""
    user_type = current_org().store.update_user_type(type_id, json_object())
    return serialize.user_type(user_type, base_url())


@bp.put("/<type_id>")
def replace_user_type(type_id: str) -> ResponseReturnValue:
    """PUT /api/v1/meta/types/user/{typeId} — Replace a user type."""
    user_type = current_org().store.replace_user_type(type_id, json_object())
    return serialize.user_type(user_type, base_url())


@bp.delete("/<type_id>")
def delete_user_type(type_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/meta/types/user/{typeId} — Delete a user type no user holds."""
    current_org().store.delete_user_type(type_id)
    return no_content()
