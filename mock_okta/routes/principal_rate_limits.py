"""/api/v1/principal-rate-limits (OpenAPI tag PrincipalRateLimit): each API token's share."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.principal_rate_limits import PrincipalRateLimit
from mock_okta.routes._http import base_url, current_org, json_object

bp = Blueprint("principal_rate_limits", __name__, url_prefix="/api/v1/principal-rate-limits")


def _entity(entity: PrincipalRateLimit) -> dict[str, object]:
    return serialize.principal_rate_limit(entity, current_org().org_id)


@bp.get("")
def list_principal_rate_limit_entities() -> ResponseReturnValue:
    """GET /api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN" — List them."""
    args = request.args
    entities, size, after = current_org().principal_rate_limits.list_principal_rate_limit_entities(
        args.get("filter"), args.get("limit"), args.get("after")
    )
    response = jsonify([_entity(e) for e in entities])
    url = f"{base_url()}/api/v1/principal-rate-limits"
    for link in serialize.list_links(url, args, size, after):
        response.headers.add("Link", link)
    return response


@bp.post("")
def create_principal_rate_limit_entity() -> ResponseReturnValue:
    """POST /api/v1/principal-rate-limits — Create a principal rate limit (one per token)."""
    limits = current_org().principal_rate_limits
    return _entity(limits.create_principal_rate_limit(json_object(), g.token)), 201


@bp.get("/<entity_id>")
def get_principal_rate_limit_entity(entity_id: str) -> ResponseReturnValue:
    """GET /api/v1/principal-rate-limits/{principalRateLimitId} — Retrieve one."""
    return _entity(current_org().principal_rate_limits.get_principal_rate_limit_entity(entity_id))


@bp.put("/<entity_id>")
def replace_principal_rate_limit_entity(entity_id: str) -> ResponseReturnValue:
    """PUT /api/v1/principal-rate-limits/{principalRateLimitId} — Replace one."""
    limits = current_org().principal_rate_limits
    entity = limits.replace_principal_rate_limit_entity(entity_id, json_object(), g.token)
    return _entity(entity)
