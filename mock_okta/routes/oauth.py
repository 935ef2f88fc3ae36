"""/oauth2/v1/* (the org authorization server) and /oauth2/default/v1/* (the custom `default`
server): discovery, keys, authorize with the hosted sign-in page, token, userinfo, introspect,
revoke, logout. Public, as in Okta: clients authenticate with their own credentials."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from html import escape
from typing import Final
from urllib.parse import unquote, urlencode

from flask import Blueprint, Response, g, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from mock_okta.errors import O_INVALID_TOKEN, OAuthError
from mock_okta.hooks import RequestContext
from mock_okta.oauth import DEFAULT, ORG, Issuer, Redirect, SignInPage
from mock_okta.routes._http import base_url, current_org

bp = Blueprint("oauth", __name__)

SESSION_COOKIE: Final = "sid"  # Okta's session cookie
PREFIXES: Final = {ORG: "/oauth2/v1", DEFAULT: "/oauth2/default/v1"}
NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _issuer(server: str) -> Issuer:
    return Issuer(server, base_url())


def _context() -> RequestContext:
    return RequestContext(
        g.request_id, request.method, request.path, request.remote_addr or "", base_url()
    )


def _params() -> dict[str, str]:
    """Query and form parameters, the form winning (authorize takes either)."""
    params = request.args.to_dict()
    if request.method == "POST":
        params.update(request.form.to_dict())
    return params


def _basic() -> tuple[str, str] | None:
    """client_secret_basic: `Basic base64(urlencoded id:secret)` (RFC 6749 §2.3.1)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _json(body: object, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(NO_STORE)
    return response


@bp.errorhandler(OAuthError)
def _render(err: OAuthError) -> Response:
    g.error = err  # the journal's errorCode and detail
    response = _json(err.body(), err.status)
    if err.status == 401 and err.spec is O_INVALID_TOKEN:
        response = Response(status=401)
        response.headers["WWW-Authenticate"] = (
            f'Bearer error="{err.spec.error}", error_description="{err.description}"'
        )
    return response


def _route(rule: str, methods: list[str]) -> Callable[[Callable[[str], ResponseReturnValue]], None]:
    """Register a view on both servers' paths; the view gets the server's name."""

    def register(view: Callable[[str], ResponseReturnValue]) -> None:
        for server, prefix in PREFIXES.items():
            bp.add_url_rule(
                f"{prefix}{rule}",
                f"{view.__name__}_{server}",
                view,
                methods=methods,
                defaults={"server": server},
            )

    return register


# ----- discovery and keys


@bp.get("/.well-known/openid-configuration", defaults={"server": ORG, "oidc": True})
@bp.get("/.well-known/oauth-authorization-server", defaults={"server": ORG, "oidc": False})
@bp.get(
    "/oauth2/default/.well-known/openid-configuration", defaults={"server": DEFAULT, "oidc": True}
)
@bp.get(
    "/oauth2/default/.well-known/oauth-authorization-server",
    defaults={"server": DEFAULT, "oidc": False},
)
def discovery(server: str, oidc: bool) -> ResponseReturnValue:
    """GET /.well-known/openid-configuration | oauth-authorization-server — Discovery."""
    return current_org().oauth.discovery(_issuer(server), oidc=oidc)


def keys(server: str) -> ResponseReturnValue:
    """GET /v1/keys — the server's JSON Web Key Set."""
    response = jsonify(current_org().oauth.keys_of(_issuer(server)))
    # Okta caches keys; clients re-fetch on an unknown kid.
    response.headers["Cache-Control"] = "max-age=3600, must-revalidate"
    return response


_route("/keys", ["GET"])(keys)


# ----- authorize and the hosted sign-in page


def authorize(server: str) -> ResponseReturnValue:
    """GET|POST /v1/authorize — Authorization code (PKCE S256), sessionToken or the session."""
    params = _params()
    try:
        outcome = current_org().oauth.authorize(
            _issuer(server), params, request.cookies.get(SESSION_COOKIE)
        )
    except OAuthError as err:
        return _error_page(err)
    return _answer(server, outcome)


_route("/authorize", ["GET", "POST"])(authorize)


def signin(server: str) -> ResponseReturnValue:
    """POST /v1/signin — the hosted sign-in page's form (the mock's own path)."""
    form = request.form.to_dict()
    if "stateToken" in form:  # the change form of an expired password
        return _change_expired_password(server, form)
    username = form.pop("username", "")
    password = form.pop("password", "")
    g.login = username
    try:
        outcome, hook, failure = current_org().oauth.sign_in(
            _issuer(server), form, username, password, _context()
        )
    except OAuthError as err:
        return _error_page(err)
    g.hook = hook  # the journal's hook report
    if failure is not None:
        g.error = failure  # the journal's errorCode and detail (why the password failed)
    return _answer(server, outcome)


_route("/signin", ["POST"])(signin)


def _change_expired_password(server: str, form: dict[str, str]) -> ResponseReturnValue:
    state_token = form.pop("stateToken")
    old, new = form.pop("oldPassword", ""), form.pop("newPassword", "")
    confirm = form.pop("confirmPassword", "")
    try:
        outcome, failure = current_org().oauth.change_expired_password(
            _issuer(server), form, state_token, old, new, confirm
        )
    except OAuthError as err:
        return _error_page(err)
    if failure is not None:
        g.error = failure
    return _answer(server, outcome)


def _answer(server: str, outcome: Redirect | SignInPage) -> BaseResponse:
    if isinstance(outcome, SignInPage):
        # PARITY: Okta's widget page is a 200 whatever its authn call answered; the mock's
        # form answers 401 with the error, so an HTTP client can tell a refused password.
        status = 200 if outcome.error is None else 401
        return Response(_sign_in_page(server, outcome), status=status, mimetype="text/html")
    response: BaseResponse
    if outcome.mode == "form_post":
        response = Response(_form_post(outcome), mimetype="text/html")
    else:
        sep = "#" if outcome.mode == "fragment" else ("&" if "?" in outcome.uri else "?")
        response = redirect(f"{outcome.uri}{sep}{urlencode(outcome.params)}", code=302)
    if outcome.session is not None:
        response.set_cookie(
            SESSION_COOKIE,
            outcome.session,
            httponly=True,
            samesite="Lax",
            secure=request.scheme == "https",
            path="/",
        )
    response.headers.update(NO_STORE)
    return response


def _error_page(err: OAuthError) -> Response:
    """Okta's own error page, for errors it cannot send back to a registered redirect URI."""
    g.error = err
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>400 Bad Request</title></head><body><main>"
        "<h1>400</h1><p>Bad Request</p><p>Your request resulted in an error.</p>"
        f"<p>Error Code: <code id='error-code'>{escape(err.spec.error)}</code></p>"
        f"<p>Description: <span id='error-description'>{escape(err.description)}</span></p>"
        "</main></body></html>"
    )
    return Response(html, status=400, mimetype="text/html")


def _hidden(params: dict[str, str]) -> str:
    return "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in params.items()
    )


def _sign_in_page(server: str, page: SignInPage) -> str:
    params = {k: v for k, v in page.params.items() if k not in ("username", "password")}
    alert = (
        f"<p role='alert' id='error' class='error'>{escape(page.error)}</p>" if page.error else ""
    )
    form = (
        f"<form method='post' action='{PREFIXES[server]}/signin' id='signin'>"
        f"{_hidden(params)}"
        "<p><label for='username'>Username</label><br>"
        "<input id='username' name='username' type='text' autocomplete='username' required"
        f" autofocus value='{escape(page.username)}'></p>"
        "<p><label for='password'>Password</label><br>"
        "<input id='password' name='password' type='password'"
        " autocomplete='current-password' required></p>"
        "<p><button type='submit' id='submit'>Sign In</button></p></form>"
    )
    if page.state == "locked":
        form = "<p>Contact your administrator to unlock your account.</p>"
    elif page.state == "expired":
        hidden = _hidden({**params, "stateToken": page.state_token})
        form = (
            f"<form method='post' action='{PREFIXES[server]}/signin' id='change-password'>"
            f"{hidden}<p>Change your password to continue.</p>"
            f"{_password_field('oldPassword', 'Old password', 'current-password')}"
            f"{_password_field('newPassword', 'New password', 'new-password')}"
            f"{_password_field('confirmPassword', 'Repeat password', 'new-password')}"
            "<p><button type='submit' id='submit'>Change Password</button></p></form>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>mock-okta - Sign In</title></head><body><main>"
        f"<h1>Sign In</h1>{alert}{form}</main></body></html>"
    )


def _password_field(name: str, label: str, autocomplete: str) -> str:
    return (
        f"<p><label for='{name}'>{label}</label><br><input id='{name}' name='{name}'"
        f" type='password' autocomplete='{autocomplete}' required></p>"
    )


def _form_post(outcome: Redirect) -> str:
    """response_mode=form_post (OAuth 2.0 Form Post Response Mode): an auto-submitted form."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Redirecting</title>"
        "</head><body onload='document.forms[0].submit()'>"
        f"<form method='post' action='{escape(outcome.uri)}'>{_hidden(outcome.params)}"
        "<noscript><button type='submit'>Continue</button></noscript></form></body></html>"
    )


# ----- token, userinfo, introspect, revoke, logout


def token(server: str) -> ResponseReturnValue:
    """POST /v1/token — authorization_code, refresh_token, password, client_credentials."""
    if request.form.get("grant_type") == "password":
        g.login = request.form.get("username")  # the journal's login
    try:
        result = current_org().oauth.token(_issuer(server), request.form, _basic(), _context())
    except OAuthError as err:
        g.hook = getattr(err, "hook", None)
        raise
    g.hook = result.hook
    return _json(result.body)


_route("/token", ["POST"])(token)


def userinfo(server: str) -> ResponseReturnValue:
    """GET|POST /v1/userinfo — the signed-in user's claims for a Bearer access token."""
    header = request.headers.get("Authorization", "")
    bearer = header[7:].strip() if header.startswith("Bearer ") else ""
    return _json(current_org().oauth.userinfo(_issuer(server), bearer))


_route("/userinfo", ["GET", "POST"])(userinfo)


def introspect(server: str) -> ResponseReturnValue:
    """POST /v1/introspect — whether a token is active, and its claims."""
    return _json(current_org().oauth.introspect(_issuer(server), request.form, _basic()))


_route("/introspect", ["POST"])(introspect)


def revoke(server: str) -> ResponseReturnValue:
    """POST /v1/revoke — revoke an access or refresh token."""
    current_org().oauth.revoke(_issuer(server), request.form, _basic())
    response = Response(status=200)
    del response.headers["Content-Type"]
    return response


_route("/revoke", ["POST"])(revoke)


def logout(server: str) -> ResponseReturnValue:
    """GET|POST /v1/logout — end the session, then the registered post-logout redirect URI."""
    try:
        target = current_org().oauth.logout(
            _issuer(server), _params(), request.cookies.get(SESSION_COOKIE)
        )
    except OAuthError as err:
        return _error_page(err)
    response: BaseResponse
    if target is not None:
        response = redirect(target, code=302)
    else:
        html = "<!DOCTYPE html><html lang='en'><body><p>Signed out.</p></body></html>"
        response = Response(html, mimetype="text/html")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


_route("/logout", ["GET", "POST"])(logout)


# ----- control plane


@bp.post("/_mock/oauth/keys/rotate")
def rotate_keys() -> ResponseReturnValue:
    """POST /_mock/oauth/keys/rotate[?server=org|default] — a new signing key (both by default);
    the previous one stays in /v1/keys."""
    org = current_org()
    which = request.args.get("server")
    servers = [which] if which else [ORG, DEFAULT]
    return {"keys": {server: org.rotate_oauth_keys(server) for server in servers}}
