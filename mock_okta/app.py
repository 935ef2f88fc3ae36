"""The Flask application: request pipeline, the one error renderer, and the blueprints.

Cross-cutting concerns run here, never in views, in this order: API token, bucket, concurrency
limit, injected fault, rate limit; then the view; then rate-limit headers and the journal.
`Date` is added by the transport (gunicorn, werkzeug, the in-process adapter) in real time.
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, g, jsonify, request
from flask.sessions import NullSession, SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from mock_okta import routes, syslog
from mock_okta.config import Settings
from mock_okta.errors import (
    E_INTERNAL,
    E_INVALID_TOKEN,
    E_MALFORMED_BODY,
    E_METHOD_NOT_ALLOWED,
    E_PATH_NOT_FOUND,
    E_RATE_LIMITED,
    E_SERVICE_UNAVAILABLE,
    OktaError,
)
from mock_okta.faults import Injection
from mock_okta.hook_caller import ANSWERED
from mock_okta.hooks import HookReport
from mock_okta.journal import Served, WindowState
from mock_okta.media import body_problem
from mock_okta.org import Org
from mock_okta.profile import login_key
from mock_okta.ratelimit import (
    AUTHN_PER_USER,
    CONCURRENCY,
    OAUTH_TOKEN_PER_USER,
    Decision,
    bucket_for,
    reset_header,
)
from mock_okta.routes._http import current_org, json_object
from mock_okta.serialize import hook_report
from mock_okta.tokens import ApiToken

log = logging.getLogger("mock_okta")

# Authn; OAuth (its own client authentication); the dashboard's page, which asks for the token.
PUBLIC_PREFIXES = ("/api/v1/authn", "/oauth2/", "/.well-known/", "/_mock/ui")
CONTROL_PREFIX = "/_mock/"
CONTROL_MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_SYNC_CACHED = 4096  # the views and hooks, many times over
DROPPED_HEADER = "X-Mock-Okta-Dropped"  # tells the in-process adapter to raise ConnectionError


class _NoSessions(SecureCookieSessionInterface):
    """The mock signs no cookies (no secret key): one shared NullSession, which refuses writes,
    instead of Flask's failed attempt to open one and a new NullSession on every request."""

    _null = NullSession()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        return self._null


class _Flask(Flask):
    """Flask, deciding once per function (not on every call) that a hook or view is sync."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self.session_interface = _NoSessions()
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync.get(func)
        if sync is None:
            sync = super().ensure_sync(func)
            # Bounded: a callback made per request (after_this_request; the mock has none)
            # would otherwise be kept for ever.
            if len(self._sync) < MAX_SYNC_CACHED:
                self._sync[func] = sync
        return sync


def create_app(settings: Settings | None = None, *, org: Org | None = None) -> Flask:
    """Build the app around `org` (or a new org from `settings`); nothing is global."""
    org = org or Org(settings or Settings())
    app = _Flask("mock_okta")
    app.extensions["mock_okta"] = org
    app.config["MAX_CONTENT_LENGTH"] = org.settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep Okta's field order
    app.json.compact = True  # type: ignore[attr-defined]
    # The org is bound once here: the hooks run on every request (current_org() is a lookup
    # through Flask's proxies each time).
    app.before_request(functools.partial(_begin, org))
    app.after_request(functools.partial(_finish, org))
    app.teardown_request(functools.partial(_teardown, org))
    app.register_error_handler(OktaError, _render_okta_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)
    routes.register(app)
    return app


def _begin(org: Org) -> Response | None:
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    seen = g.__dict__  # set through it: one lookup through the proxy, not one per name
    seen["started"] = time.perf_counter()
    request_id = seen["request_id"] = org.ids.request_id()
    org.sync()
    path = req.path
    public = path.startswith(PUBLIC_PREFIXES)
    token = seen["token"] = _authenticate(org, req, required=not public)
    syslog.bind(functools.partial(_request_info, org, req, request_id, token))
    bucket = bucket_for(req.method, path)
    if bucket is None:
        if path.startswith(CONTROL_PREFIX):  # a bulk seed of thousands of users in one body
            req.max_content_length = CONTROL_MAX_BODY_BYTES
            # PARITY: the control plane is the mock's own; it reads bodies as Okta's API does.
            _check_body(org, req)
        return None  # the control plane and non-API paths are never limited
    seen["bucket"] = bucket
    index = token.index if token else None
    if not org.inflight.enter(org.limit(CONCURRENCY), index, org.token_limit(CONCURRENCY, token)):
        # Okta: Limit and Remaining are 0 for a concurrency violation; Reset is an estimate.
        reset = org.clock.now() + org.window(org.runtime().concurrency_reset_seconds)
        g.rate = Decision(False, 0, 0, reset)
        window = org.window()
        org.limit_events.concurrency(org.limit(CONCURRENCY) or 0, org.clock.now() // window)
        raise OktaError(E_RATE_LIMITED, detail="concurrency limit")
    seen["inflight"] = True
    injection = org.faults.pick(req.method, path, bucket)
    if injection is not None:
        seen["fault"] = injection
        if injection.latency_ms:
            time.sleep(injection.latency_ms / 1000)
        if injection.status is not None or injection.drop:
            return _inject(org, injection, bucket)
    # PARITY: whether a refused media type counts against the bucket is unconfirmed; it does
    # not (it is refused before the per-username authn limit, which reads the body).
    _check_body(org, req)
    _rate_limit(org, bucket)
    return None


def _check_body(org: Org, req: Request) -> None:
    """400 unless the endpoint reads a request body of its media type (mock_okta/media.py)."""
    headers = req.headers
    chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
    if req.url_rule is None or not (req.content_length or chunked):
        return  # no route (a 404 or 405 comes first, as Spring maps before it reads), or no body
    if not org.runtime().media_type_check:
        return
    head = req.get_data(cache=True)[:4]
    problem = body_problem(req.path, headers.get("Content-Type"), head)
    if problem is not None:
        raise problem


def _request_info(
    org: Org, req: Request, request_id: str, token: ApiToken | None
) -> syslog.RequestInfo:
    """Who is asking, for the System Log: the token's admin (PARITY: one admin per org)."""
    actor = None
    if token is not None:
        actor = syslog.Party(org.store.admin_id, "User", "admin@mock-okta", "Mock Okta Admin")
    return syslog.RequestInfo(
        request_id,
        req.remote_addr or "",
        req.headers.get("User-Agent", ""),  # what request.user_agent.string reads
        req.path,
        actor,
        token.id if token else None,
    )


def _authenticate(org: Org, req: Request, *, required: bool) -> ApiToken | None:
    """`SSWS <token>` as Okta documents, and `SSWS<token>` as some clients send it.

    A public path (authn) needs none, but one that is sent counts against its share.
    PARITY: that a trusted app's token counts its authn calls against the token is presumed.
    """
    header = req.headers.get("Authorization", "")
    token = org.tokens.authenticate(header[4:].strip() if header.startswith("SSWS") else None)
    if token is None and required:
        raise OktaError(E_INVALID_TOKEN, detail="missing or unknown API token")
    return token


def _rate_limit(org: Org, bucket: str) -> None:
    limit = org.limit(bucket)
    if limit is None:
        return
    token: ApiToken | None = g.token
    decision = org.limiter.check(
        bucket,
        limit,
        org.window(),
        quantize=org.runtime().time_scale > 1,
        token=token.index if token else None,
        token_limit=org.token_limit(bucket, token),
    )
    g.rate = g.bucket_decision = decision
    used, capacity = decision.fill
    org.limit_events.rate_limit(bucket, capacity, used, decision.allowed, decision.window_start)
    if not decision.allowed:
        share = f" (token share {decision.limit})" if decision.org_limit is not None else ""
        raise OktaError(E_RATE_LIMITED, detail=f"{bucket} limit {limit}/min{share}")
    per_user_bucket, username = _per_user(bucket)
    if per_user_bucket is not None and isinstance(username, str) and username:
        per_user = org.runtime().authn_per_user_per_second
        user_decision = org.limiter.check(
            per_user_bucket, per_user, org.window(1.0), key=login_key(username)
        )
        if not user_decision.allowed:
            # PARITY: the headers Okta sends for the per-user authn limit are unconfirmed;
            # these describe the per-user window that was exceeded.
            g.rate = user_decision
            raise OktaError(E_RATE_LIMITED, detail=f"{per_user}/s per username")


def _per_user(bucket: str) -> tuple[str | None, object]:
    """The per-username window a sign-in counts against, and the username (DEVDOCS rl2-limits:
    /api/v1/authn and /oauth2/v1/token, 4 a second each)."""
    if bucket == "authn" and request.path == "/api/v1/authn":
        return AUTHN_PER_USER, json_object(optional=True).get("username")
    if bucket == "authn" and request.path.endswith("/v1/signin"):  # the hosted page
        return AUTHN_PER_USER, request.form.get("username")
    if bucket in ("oauth2.token", "oauth2.org") and request.form.get("grant_type") == "password":
        return OAUTH_TOKEN_PER_USER, request.form.get("username")
    return None, None


def _inject(org: Org, injection: Injection, bucket: str) -> Response:
    """Answer for an injected fault without running the view: nothing changes."""
    if injection.drop:
        sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        response = Response(b"", status=502)
        response.headers[DROPPED_HEADER] = "1"
        g.dropped = True
        return response
    limit = org.limit(bucket)
    token: ApiToken | None = g.token
    token_limit = org.token_limit(bucket, token)
    if injection.status == 429:
        shown = token_limit if token_limit is not None else limit or 0
        g.rate = Decision(False, shown, 0, org.clock.now() + org.window(), org_limit=limit)
        return _error_response(OktaError(E_RATE_LIMITED, detail="injected fault"))
    if injection.status in (500, 503):
        # The API itself answers: its rate-limit headers come too (okta-sdk-python needs
        # X-Rate-Limit-Reset and Date before it retries a 503).
        if limit is not None:
            index = token.index if token else None
            g.rate = org.limiter.peek(
                bucket, limit, org.window(), token=index, token_limit=token_limit
            )
        spec = E_SERVICE_UNAVAILABLE if injection.status == 503 else E_INTERNAL
        return _error_response(OktaError(spec, detail="injected fault"))
    # PARITY: a 502/504 comes from Okta's edge, not its API: an HTML page, not Okta's JSON.
    status = injection.status or 502
    names = {502: "Bad Gateway", 504: "Gateway Timeout"}
    html = f"<html><body><h1>{status} {names.get(status, 'Error')}</h1></body></html>"
    return Response(html, status=status, mimetype="text/html")


def _finish(org: Org, response: Response) -> Response:
    seen = g.__dict__
    response.headers["X-Okta-Request-Id"] = seen.get("request_id", "")
    decision: Decision | None = seen.get("rate")
    rate = None
    if decision is not None:
        reset = reset_header(org.real_time(decision.reset_at))
        limit = decision.limit
        if decision.org_limit is not None and org.runtime().token_limit_header == "org":
            limit = decision.org_limit
        response.headers["X-Rate-Limit-Limit"] = str(limit)
        response.headers["X-Rate-Limit-Remaining"] = str(decision.remaining)
        response.headers["X-Rate-Limit-Reset"] = reset
        rate = {"limit": limit, "remaining": decision.remaining, "reset": int(reset)}
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    if not req.path.startswith(CONTROL_PREFIX):
        _journal(org, req, seen, response, rate)
    return response


def _teardown(org: Org, _exc: BaseException | None) -> None:
    syslog.bind(None)
    seen = g.__dict__
    if seen.pop("inflight", False):
        token: ApiToken | None = seen.get("token")
        org.inflight.leave(token.index if token else None)


def _journal(
    org: Org,
    req: Request,
    seen: dict[str, Any],
    response: Response,
    rate: dict[str, int] | None,
) -> None:
    """Queue what the journal needs, raw; the writer thread builds, redacts and stores it."""
    error: OktaError | None = seen.get("error")
    fault: Injection | None = seen.get("fault")
    token: ApiToken | None = seen.get("token")
    dropped = seen.get("dropped")
    body = seen.get("json_body")
    if body is None and _small(org, req) and req.mimetype == "application/json":
        # Refused before the view read it: still worth a (redacted) look, unless dropped.
        body = None if dropped else _quiet_json(req)
    status = 0 if dropped else response.status_code
    started = seen.get("started")
    hook: HookReport | None = seen.get("hook")
    bucket: str | None = seen.get("bucket")
    now = org.clock.now()
    served = Served(
        org.real_time(now),
        seen.get("request_id"),
        org.pid,
        req.method,
        req.path,
        req.args.to_dict() if req.query_string else None,
        status,
        error.spec.code if error else None,
        error.detail if error else None,
        seen.get("login"),  # a form's username (OIDC)
        bucket,
        token.id if token else None,
        rate,
        fault.rule_id if fault else None,
        fault.kind if fault else None,
        round((time.perf_counter() - started) * 1000, 3) if started is not None else 0.0,
        hook_report(hook) if hook is not None else None,
        tuple(_hook_counters(hook)) if hook is not None else (),
    )
    window = None
    counted: Decision | None = seen.get("bucket_decision")
    if bucket and counted is not None:
        used, capacity = counted.fill
        window = WindowState(
            bucket,
            counted.allowed,
            counted.window_start,
            counted.reset_at,
            org.window(),
            used,
            capacity,
            now,
        )
    org.journal.record_served(served, window, body)


def _hook_counters(hook: HookReport) -> list[str]:
    """hooks.calls = hooks.verified + hooks.unverified + hooks.failed (one per HTTP call)."""
    counters = ["hooks.retries"] if hook.retried else []
    for attempt in hook.attempts:
        counters.append("hooks.calls")
        if attempt.answer == "VERIFIED":
            counters.append("hooks.verified")
        elif attempt.answer in ANSWERED:
            counters.append("hooks.unverified")
        else:
            counters.append("hooks.failed")
    return counters


def _small(org: Org, req: Request) -> bool:
    length = req.content_length
    return length is not None and length <= org.settings.max_body_bytes


def _quiet_json(req: Request) -> object:
    try:
        return json.loads(req.get_data(cache=True))
    except (ValueError, UnicodeDecodeError, RecursionError, HTTPException, OSError):
        return None  # unreadable, or the client went away (ClientDisconnected)


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
