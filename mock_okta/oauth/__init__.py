"""OAuth 2.0 and OpenID Connect: the org and `default` authorization servers (issue #17)."""

from mock_okta.oauth.servers import (
    DEFAULT,
    ORG,
    SERVERS,
    AuthorizationServers,
    Issuer,
    Redirect,
    SignInPage,
    TokenResponse,
)

__all__ = [
    "DEFAULT",
    "ORG",
    "SERVERS",
    "AuthorizationServers",
    "Issuer",
    "Redirect",
    "SignInPage",
    "TokenResponse",
]
