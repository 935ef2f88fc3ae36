"""Apps and app users: the entities of Okta's Application and ApplicationUsers APIs."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from enum import StrEnum

JsonObject = dict[str, object]


class AppStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class SignOnMode(StrEnum):
    BOOKMARK = "BOOKMARK"
    BASIC_AUTH = "BASIC_AUTH"
    SAML_1_1 = "SAML_1_1"
    SAML_2_0 = "SAML_2_0"
    OPENID_CONNECT = "OPENID_CONNECT"


class AppUserStatus(StrEnum):
    """The statuses the mock gives (SPEC `AppUserStatus` has more, for imports)."""

    ACTIVE = "ACTIVE"  # SSO, or an app without provisioning
    PROVISIONED = "PROVISIONED"  # pushed to the app, with an externalId
    DEPROVISIONED = "DEPROVISIONED"  # the Okta user was deactivated


class Scope(StrEnum):
    USER = "USER"
    GROUP = "GROUP"


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """What an authorization server needs to know of an OPENID_CONNECT app."""

    app_id: str
    app_status: AppStatus
    client_id: str
    client_secret: str | None = field(repr=False)
    token_endpoint_auth_method: str
    application_type: str
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    pkce_required: bool

    def verify_secret(self, given: str) -> bool:
        """Constant-time comparison with the client's secret; False when it has none."""
        if self.client_secret is None:
            return False
        return hmac.compare_digest(self.client_secret.encode(), given.encode())


@dataclass(slots=True)
class App:
    id: str
    name: str
    label: str
    status: AppStatus
    sign_on_mode: SignOnMode
    created: int  # epoch milliseconds
    last_updated: int
    # Okta's own objects, kept as the wire has them (validated on the way in).
    settings: JsonObject
    credentials: JsonObject  # without the client secret, which lives in `client_secret`
    visibility: JsonObject
    accessibility: JsonObject
    features: tuple[str, ...] = ()
    profile: JsonObject | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    link_ids: dict[str, str] = field(default_factory=dict)  # appLinks name -> `aln…` id

    @property
    def oauth_client(self) -> OAuthClient | None:
        if self.sign_on_mode is not SignOnMode.OPENID_CONNECT or self.client_id is None:
            return None
        creds = _object(self.credentials.get("oauthClient"))
        client = _object(self.settings.get("oauthClient"))
        return OAuthClient(
            app_id=self.id,
            app_status=self.status,
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method=str(creds.get("token_endpoint_auth_method")),
            application_type=str(client.get("application_type")),
            grant_types=_strings(client.get("grant_types")),
            response_types=_strings(client.get("response_types")),
            redirect_uris=_strings(client.get("redirect_uris")),
            post_logout_redirect_uris=_strings(client.get("post_logout_redirect_uris")),
            pkce_required=creds.get("pkce_required") is True,
        )


@dataclass(slots=True)
class AppUser:
    """One user's assignment to one app, whether direct (scope USER) or through groups.

    An app user exists while it has a source: the direct assignment and/or groups assigned to
    the app that the user is in (`group_sources.py`). Scope is USER while the direct one exists.
    """

    app_id: str
    user_id: str
    assignment_id: str  # `0ua…`: the app user's own id (appLinks' appAssignmentId)
    status: AppUserStatus
    created: int
    last_updated: int
    status_changed: int
    profile: JsonObject
    user_name: str | None = None
    password_changed: int | None = None
    external_id: str | None = None
    sync_state: str = "DISABLED"
    last_sync: int | None = None
    direct: bool = True

    @property
    def scope(self) -> Scope:
        return Scope.USER if self.direct else Scope.GROUP


@dataclass(frozen=True, slots=True)
class AppGroup:
    """A group assigned to an app (SPEC `ApplicationGroupAssignment`): its members get the app."""

    app_id: str
    group_id: str
    priority: int
    profile: JsonObject
    last_updated: int


@dataclass(frozen=True, slots=True)
class AppLink:
    """A tile on the user's dashboard (SPEC `AssignedAppLink`)."""

    user_id: str
    app: App
    link_name: str
    link_id: str
    assignment_id: str
    sort_order: int


def _object(value: object) -> JsonObject:
    return dict(value) if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
