"""/api/v1/meta/schemas/user: Okta's Schemas API for user profiles (SPEC tag Schema)."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.routes._http import base_url, current_org, json_object

bp = Blueprint("schemas", __name__, url_prefix="/api/v1/meta/schemas/user")


@bp.get("/<schema_id>")
def get_user_schema(schema_id: str) -> ResponseReturnValue:
    """GET /api/v1/meta/schemas/user/{schemaId} — Retrieve a user schema (`default` too)."""
    user_type, schema = current_org().store.get_user_schema(schema_id)
    return serialize.user_schema(user_type, schema, base_url(), schema_id)


@bp.post("/<schema_id>")
def update_user_profile(schema_id: str) -> ResponseReturnValue:
    """POST /api/v1/meta/schemas/user/{schemaId} — Update a user schema (partial)."""
    user_type, schema = current_org().store.update_user_profile(schema_id, json_object())
    return serialize.user_schema(user_type, schema, base_url(), schema_id)
