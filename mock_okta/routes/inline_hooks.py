"""/api/v1/inlineHooks: Okta's Inline Hooks API (management OpenAPI, tag InlineHook)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.hooks import InlineHook
from mock_okta.routes._http import base_url, current_org, json_object

bp = Blueprint("inline_hooks", __name__, url_prefix="/api/v1/inlineHooks")


def _hook(hook: InlineHook) -> ResponseReturnValue:
    return serialize.inline_hook(hook, base_url())


@bp.post("")
def create_inline_hook() -> ResponseReturnValue:
    """POST /api/v1/inlineHooks — Create an inline hook (ACTIVE)."""
    return _hook(current_org().inline_hooks.create_inline_hook(json_object()))


@bp.get("")
def list_inline_hooks() -> ResponseReturnValue:
    """GET /api/v1/inlineHooks?type= — List all inline hooks."""
    hooks = current_org().inline_hooks.list_inline_hooks(request.args.get("type"))
    base = base_url()
    return jsonify([serialize.inline_hook(h, base) for h in hooks])


@bp.get("/<hook_id>")
def get_inline_hook(hook_id: str) -> ResponseReturnValue:
    """GET /api/v1/inlineHooks/{inlineHookId} — Retrieve an inline hook."""
    return _hook(current_org().inline_hooks.get_inline_hook(hook_id))


@bp.post("/<hook_id>")
def update_inline_hook(hook_id: str) -> ResponseReturnValue:
    """POST /api/v1/inlineHooks/{inlineHookId} — Update an inline hook (the fields given)."""
    return _hook(current_org().inline_hooks.update_inline_hook(hook_id, json_object()))


@bp.put("/<hook_id>")
def replace_inline_hook(hook_id: str) -> ResponseReturnValue:
    """PUT /api/v1/inlineHooks/{inlineHookId} — Replace an inline hook."""
    return _hook(current_org().inline_hooks.replace_inline_hook(hook_id, json_object()))


@bp.delete("/<hook_id>")
def delete_inline_hook(hook_id: str) -> ResponseReturnValue:
    """DELETE /api/v1/inlineHooks/{inlineHookId} — Delete an INACTIVE inline hook."""
    current_org().inline_hooks.delete_inline_hook(hook_id)
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


@bp.post("/<hook_id>/lifecycle/activate")
def activate_inline_hook(hook_id: str) -> ResponseReturnValue:
    """POST /api/v1/inlineHooks/{inlineHookId}/lifecycle/activate — Activate an inline hook."""
    return _hook(current_org().inline_hooks.activate_inline_hook(hook_id))


@bp.post("/<hook_id>/lifecycle/deactivate")
def deactivate_inline_hook(hook_id: str) -> ResponseReturnValue:
    """POST /api/v1/inlineHooks/{inlineHookId}/lifecycle/deactivate — Deactivate an inline hook."""
    return _hook(current_org().inline_hooks.deactivate_inline_hook(hook_id))
