"""The Flask application: request pipeline, the one error renderer, and the blueprints.

Cross-cutting concerns run here, never in views: the API token, the journal, request ids.
`Date` is added by the transport (gunicorn, werkzeug, the in-process adapter) in real time.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from mock_okta import routes
from mock_okta.config import Settings
from mock_okta.errors import (
    E_INTERNAL,
    E_INVALID_TOKEN,
    E_MALFORMED_BODY,
    E_METHOD_NOT_ALLOWED,
    E_PATH_NOT_FOUND,
    OktaError,
)
from mock_okta.journal import body_for_journal, redact
from mock_okta.org import Org
from mock_okta.routes._http import current_org

log = logging.getLogger("mock_okta")

PUBLIC_PREFIXES = ("/api/v1/authn",)
CONTROL_PREFIX = "/_mock/"


def create_app(settings: Settings | None = None, *, org: Org | None = None) -> Flask:
    """Build the app around `org` (or a new org from `settings`); nothing is global."""
    org = org or Org(settings or Settings())
    app = Flask("mock_okta")
    app.extensions["mock_okta"] = org
    app.config["MAX_CONTENT_LENGTH"] = org.settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep Okta's field order
    app.json.compact = True  # type: ignore[attr-defined]
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_error_handler(OktaError, _render_okta_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)
    routes.register(app)
    return app


def _begin() -> None:
    org = current_org()
    g.started = time.perf_counter()
    g.request_id = org.ids.request_id()
    org.refresh()
    if not request.path.startswith(PUBLIC_PREFIXES):
        _authenticate(org)


def _authenticate(org: Org) -> None:
    """`SSWS <token>` as Okta documents, and `SSWS<token>` as some clients send it."""
    header = request.headers.get("Authorization", "")
    token = header[4:].strip() if header.startswith("SSWS") else None
    if token not in org.settings.tokens:
        raise OktaError(E_INVALID_TOKEN, detail="missing or unknown API token")


def _finish(response: Response) -> Response:
    response.headers["X-Okta-Request-Id"] = g.get("request_id", "")
    if not request.path.startswith(CONTROL_PREFIX):
        _journal(response)
    return response


def _journal(response: Response) -> None:
    org = current_org()
    error: OktaError | None = g.get("error")
    now = org.real_time(org.clock.now())
    started = g.get("started", time.perf_counter())
    body = g.get("json_body")
    entry: dict[str, object] = {
        "time": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"),
        "epoch": now,
        "requestId": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "query": redact(request.args.to_dict()),
        "status": response.status_code,
        "errorCode": error.spec.code if error else None,
        "detail": error.detail if error else None,
        "login": g.get("login"),
        "latencyMs": round((time.perf_counter() - started) * 1000, 3),
        "body": body_for_journal(body) if body is not None else None,
    }
    org.journal.record(entry)


def _error_response(err: OktaError) -> Response:
    g.error = err
    response = jsonify(err.body(current_org().ids.error_id()))
    response.status_code = err.status
    response.headers.update(err.headers)
    return response


def _render_okta_error(err: OktaError) -> Response:
    return _error_response(err)


def _render_http_error(err: HTTPException) -> Response:
    if isinstance(err, NotFound):
        return _error_response(OktaError(E_PATH_NOT_FOUND))
    if isinstance(err, MethodNotAllowed):
        return _error_response(OktaError(E_METHOD_NOT_ALLOWED))
    if isinstance(err, RequestEntityTooLarge):
        # PARITY: Okta's answer to an oversized body is unconfirmed; its catalogue has no 413.
        return _error_response(OktaError(E_MALFORMED_BODY, detail="request body too large"))
    if err.code is not None and err.code < 500:
        return _error_response(OktaError(E_MALFORMED_BODY, detail=err.name))
    return _render_unexpected(err)


def _render_unexpected(err: Exception) -> Response:
    """A bug in the mock: logged, kept for the pytest plugin to re-raise, answered as Okta's 500."""
    log.exception("mock-okta internal error on %s %s", request.method, request.path)
    current_org().server_errors.append(err)
    return _error_response(OktaError(E_INTERNAL, detail=f"{type(err).__name__} in mock-okta"))
