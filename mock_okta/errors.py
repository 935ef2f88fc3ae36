"""Okta's error catalogue: one table of codes, one exception type, one body shape.

Every summary is copied from Okta's own catalogue (okta-developer-docs `data/error-codes.json`,
release 2026.08.1); `tests/unit/test_errors.py` checks each row against that file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    status: int
    summary: str  # Okta's template; "{0}" is the one placeholder Okta uses

    def render(self, arg: str | None) -> str:
        return self.summary.format(arg) if "{0}" in self.summary else self.summary


E_API_VALIDATION = ErrorSpec("E0000001", 400, "Api validation failed: {0}")
E_MALFORMED_BODY = ErrorSpec("E0000003", 400, "The request body was not well-formed.")
E_AUTHENTICATION_FAILED = ErrorSpec("E0000004", 401, "Authentication failed")
E_ACCESS_DENIED = ErrorSpec(
    "E0000006", 403, "You do not have permission to perform the requested action"
)
E_NOT_FOUND = ErrorSpec("E0000007", 404, "Not found: {0}")
E_PATH_NOT_FOUND = ErrorSpec("E0000008", 404, "The requested path was not found")
E_INTERNAL = ErrorSpec("E0000009", 500, "Internal Server Error")
E_INVALID_TOKEN = ErrorSpec("E0000011", 401, "Invalid token provided")
E_CREDENTIALS_UPDATE_FAILED = ErrorSpec("E0000014", 403, "Update of credentials failed")
E_ALREADY_ACTIVE = ErrorSpec(
    "E0000016", 403, "Activation failed because the user is already active"
)
E_PASSWORD_RESET_FAILED = ErrorSpec("E0000017", 403, "Password reset failed")
E_MEDIA_TYPE = ErrorSpec(
    "E0000021",
    400,
    "Bad request.  Accept and/or Content-Type headers likely do not match supported values.",
)
E_METHOD_NOT_ALLOWED = ErrorSpec(
    "E0000022", 405, "The endpoint does not support the provided HTTP method"
)
E_INVALID_PAGING = ErrorSpec("E0000029", 400, "Invalid paging request.")
E_INVALID_SEARCH = ErrorSpec("E0000031", 400, "Invalid search criteria.")
E_UNLOCK_NOT_ALLOWED = ErrorSpec("E0000032", 403, "Unlock is not allowed for this user.")
E_SEARCH_AND_FILTER = ErrorSpec(
    "E0000033", 400, "Bad request. Can't specify a search query and filter in the same request."
)
E_CHANGE_PASSWORD_NOT_ALLOWED = ErrorSpec(
    "E0000035", 403, "Change password not allowed on specified user."
)
E_DUPLICATE_APP_LABEL = ErrorSpec(
    "E0000040", 400, "Application label must not be the same as an existing application label."
)
E_CREDENTIALS_NOT_FOR_SCHEME = ErrorSpec(
    "E0000041", 400, "Credentials should not be set on this resource based on the scheme."
)
E_DELETE_APP_FORBIDDEN = ErrorSpec("E0000056", 403, "Delete application forbidden.")
E_WRONG_USER_STATUS = ErrorSpec(
    "E0000038", 403, "This operation is not allowed in the user's current status."
)
E_RATE_LIMITED = ErrorSpec(
    "E0000047", 429, "API call exceeded rate limit due to too many requests."
)
E_AUTHN_WRONG_STATE = ErrorSpec(
    "E0000079", 403, "This operation is not allowed in the current authentication state."
)
E_SEARCH_UNAVAILABLE = ErrorSpec("E0000100", 503, "Unable to perform search query.")
E_PASSWORD_POLICY = ErrorSpec(
    "E0000080",
    403,
    "The password does not meet the complexity requirements of the current password policy.",
)
E_INACTIVE_USER_APPS = ErrorSpec(
    "E0000117", 403, "Cannot assign apps or update app profiles for an inactive user."
)
E_TOO_MANY_TARGETS = ErrorSpec("E0000093", 400, "Target count limit exceeded")
E_NEXT_LOGIN_NEEDS_PASSWORD = ErrorSpec(
    "E0000124",
    400,
    "Could not create user. To create a user and expire their password immediately,"
    " a password must be specified",
)
E_NEXT_LOGIN_NEEDS_ACTIVATE = ErrorSpec(
    "E0000125",
    400,
    "Could not create user. To create a user and expire their password immediately,"
    ' "activate" must be true',
)
E_USER_TYPE_NOT_DELETABLE = ErrorSpec("E0000142", 403, "This User Type cannot be deleted.")
E_SERVICE_UNAVAILABLE = ErrorSpec("E0000181", 503, "Service temporarily unavailable.")
E_ETAG_MISMATCH = ErrorSpec("E0000231", 412, "ETag value doesn't match.")

CATALOGUE: Final[Mapping[str, ErrorSpec]] = {
    spec.code: spec
    for spec in (
        E_API_VALIDATION,
        E_MALFORMED_BODY,
        E_AUTHENTICATION_FAILED,
        E_ACCESS_DENIED,
        E_NOT_FOUND,
        E_PATH_NOT_FOUND,
        E_INTERNAL,
        E_INVALID_TOKEN,
        E_CREDENTIALS_UPDATE_FAILED,
        E_ALREADY_ACTIVE,
        E_PASSWORD_RESET_FAILED,
        E_METHOD_NOT_ALLOWED,
        E_INVALID_PAGING,
        E_INVALID_SEARCH,
        E_UNLOCK_NOT_ALLOWED,
        E_SEARCH_AND_FILTER,
        E_CHANGE_PASSWORD_NOT_ALLOWED,
        E_WRONG_USER_STATUS,
        E_DUPLICATE_APP_LABEL,
        E_CREDENTIALS_NOT_FOR_SCHEME,
        E_DELETE_APP_FORBIDDEN,
        E_RATE_LIMITED,
        E_AUTHN_WRONG_STATE,
        E_PASSWORD_POLICY,
        E_INACTIVE_USER_APPS,
        E_TOO_MANY_TARGETS,
        E_SEARCH_UNAVAILABLE,
        E_NEXT_LOGIN_NEEDS_PASSWORD,
        E_NEXT_LOGIN_NEEDS_ACTIVATE,
        E_USER_TYPE_NOT_DELETABLE,
        E_SERVICE_UNAVAILABLE,
        E_ETAG_MISMATCH,
    )
}


class OktaError(Exception):
    """An error Okta would answer with. `detail` is for the journal only, never the body."""

    def __init__(
        self,
        spec: ErrorSpec,
        arg: str | None = None,
        *,
        causes: Sequence[str] = (),
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{spec.code} {spec.render(arg)}")
        self.spec = spec
        self.summary = spec.render(arg)
        self.causes = tuple(causes)
        self.detail = detail
        self.headers = dict(headers or {})

    @property
    def status(self) -> int:
        return self.spec.status

    def body(self, error_id: str) -> dict[str, object]:
        return {
            "errorCode": self.spec.code,
            "errorSummary": self.summary,
            "errorLink": self.spec.code,
            "errorId": error_id,
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }


def validation_error(field: str, cause: str, *, detail: str | None = None) -> OktaError:
    """400 E0000001 'Api validation failed: <field>' with the cause '<field>: <cause>'."""
    return OktaError(E_API_VALIDATION, field, causes=[f"{field}: {cause}"], detail=detail)


def not_found(ref: str, kind: str = "User") -> OktaError:
    """404 E0000007 'Not found: Resource not found: <ref> (<kind>)', no causes.

    As OLD-USERS shows it and real orgs answer (User, InlineHook, PrincipalRateLimit, Token).
    """
    return OktaError(E_NOT_FOUND, f"Resource not found: {ref} ({kind})")


# ----- OAuth 2.0 / OpenID Connect (/oauth2/*): RFC 6749 §5.2's shape, `error` and
# `error_description`, with the descriptions Okta sends (sources beside each; docs/oauth.md).


@dataclass(frozen=True, slots=True)
class OAuthSpec:
    error: str
    status: int
    description: str

    @property
    def code(self) -> str:
        """The journal's errorCode for an OAuth error: its `error`."""
        return self.error


O_INVALID_CLIENT = OAuthSpec(
    "invalid_client",
    401,
    # okta/okta-oidc-ios#29 (a recorded /v1/token answer).
    "Client authentication failed. Either the client or the client credentials are invalid.",
)
O_CODE_INVALID = OAuthSpec(
    "invalid_grant",
    400,
    "The authorization code is invalid or has expired.",  # oktadev/okta-smartfhir-docs#13
)
O_PKCE_FAILED = OAuthSpec("invalid_grant", 400, "PKCE verification failed.")  # okta-oidc-js#804
O_REDIRECT_MISMATCH = OAuthSpec(
    "invalid_grant",
    400,
    # PARITY: Okta's text for a token request whose redirect_uri differs is unconfirmed.
    "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
)
# PARITY: Okta's text for a wrong password on the password grant is recalled, not found in a
# source we hold.
O_BAD_CREDENTIALS = OAuthSpec("invalid_grant", 400, "The credentials provided were invalid.")
O_REFRESH_INVALID = OAuthSpec(
    "invalid_grant",
    400,
    "The refresh token is invalid or expired.",  # PARITY: unconfirmed text
)
O_UNSUPPORTED_GRANT = OAuthSpec(
    "unsupported_grant_type",
    400,
    "The authorization grant type is not supported by the authorization server.",  # PARITY
)
O_UNAUTHORIZED_CLIENT = OAuthSpec(
    "unauthorized_client",
    400,
    # PARITY: the text Okta sends when an app lacks a grant is unconfirmed.
    "The client is not authorized to use the provided grant type. Configured grant types: {0}.",
)
O_INVALID_REQUEST = OAuthSpec("invalid_request", 400, "{0}")
O_INVALID_SCOPE = OAuthSpec(
    "invalid_scope",
    400,
    "One or more scopes are not configured for the authorization server resource.",
)
O_REDIRECT_NOT_REGISTERED = OAuthSpec(
    "invalid_request",
    400,
    # okta/okta-signin-widget#947, grafana/grafana#88362: shown on Okta's error page, never
    # sent to the unregistered URI.
    "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings",
)
O_LOGIN_REQUIRED = OAuthSpec(
    "login_required", 400, "The client specified not to prompt, but the user is not logged in."
)
O_INVALID_TOKEN = OAuthSpec("invalid_token", 401, "The access token is invalid.")
O_UNSUPPORTED_RESPONSE = OAuthSpec(
    "unsupported_response_type",
    400,
    "The response type is not supported by the authorization server. Configured response"
    " types: [code].",
)


class OAuthError(Exception):
    """An OAuth 2.0 error as Okta's authorization servers answer it. `detail`: journal only."""

    def __init__(self, spec: OAuthSpec, arg: str | None = None, *, detail: str | None = None):
        description = (
            spec.description.format(arg) if "{0}" in spec.description else spec.description
        )
        super().__init__(f"{spec.error}: {description}")
        self.spec = spec
        self.description = description
        self.detail = detail

    @property
    def status(self) -> int:
        return self.spec.status

    def body(self) -> dict[str, str]:
        return {"error": self.spec.error, "error_description": self.description}
