"""/api/v1/authn: the Classic Authentication API (public: no API token)."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.authn import AuthnResult, HookRejected
from mock_okta.hooks import RequestContext
from mock_okta.routes._http import base_url, current_org, json_object

bp = Blueprint("authn", __name__, url_prefix="/api/v1/authn")


def _transaction(result: AuthnResult) -> ResponseReturnValue:
    return serialize.authn_transaction(
        result.status,
        result.user,
        serialize.iso(int(result.expires_at * 1000)),
        base=base_url(),
        session_token=result.session_token,
        state_token=result.state_token,
    )


@bp.post("")
def authn_primary() -> ResponseReturnValue:
    """POST /api/v1/authn — Primary authentication with username and password."""
    body = json_object()
    g.login = body.get("username") if isinstance(body.get("username"), str) else None
    context = RequestContext(
        g.request_id, request.method, request.path, request.remote_addr or "", base_url()
    )
    try:
        result = current_org().authn.authn_primary(
            body.get("username"), body.get("password"), context
        )
    except HookRejected as exc:
        g.hook = exc.hook  # for the journal
        raise
    g.hook = result.hook
    return _transaction(result)


@bp.post("/credentials/change_password")
def authn_change_password() -> ResponseReturnValue:
    """POST /api/v1/authn/credentials/change_password — Change an expired password."""
    body = json_object()
    result = current_org().authn.authn_change_password(
        body.get("stateToken"), body.get("oldPassword"), body.get("newPassword")
    )
    return _transaction(result)


@bp.post("/cancel")
def authn_cancel() -> ResponseReturnValue:
    """POST /api/v1/authn/cancel — Cancel the transaction and revoke its state token."""
    current_org().authn.authn_cancel(json_object(optional=True).get("stateToken"))
    # PARITY: AUTHN shows no response body; okta-auth-js's recorded answer
    # (test/support/xhr/cancel.js) is this one.
    return {"relayState": ""}
