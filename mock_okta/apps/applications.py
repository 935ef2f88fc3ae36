"""Create, read, list, replace, activate, deactivate and delete apps (Okta's Application API)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from mock_okta.apps.base import APP_COLUMNS, AppsBase, app_params, like_prefix, row_to_app
from mock_okta.apps.catalogue import custom_saml_name
from mock_okta.apps.models import App, AppStatus, AppUser, OAuthClient
from mock_okta.apps.parse import SIGNED, ApplicationInput, parse_application
from mock_okta.errors import (
    E_DELETE_APP_FORBIDDEN,
    E_DUPLICATE_APP_LABEL,
    E_INVALID_SEARCH,
    OktaError,
    validation_error,
)
from mock_okta.store.base import page_limit

# Apps API "List applications": limit default 20, maximum 200.
# PARITY: the SPEC gives the default as -1 (unset); pages of 20 follow the Apps API.
APPS_PAGE: Final = 20
APPS_MAX_PAGE: Final = 200
# Apps API: "Only a single expression is supported as this time. The only supported filter type
# is eq." Properties from the SPEC (id, status, name, credentials.signing.kid) and the Apps API
# (user.id, with expand=user/{id}); group.id comes with group assignments.
_FILTER: Final = re.compile(
    r'\s*(?P<prop>id|status|name|user\.id|credentials\.signing\.kid)\s+eq\s+"(?P<value>[^"]*)"\s*'
)
_FILTER_COLUMNS: Final = {
    "id": "id",
    "status": "status",
    "name": "name",
    "credentials.signing.kid": "json_extract(body, '$.credentials.signing.kid')",
}


@dataclass(frozen=True, slots=True)
class AppListQuery:
    q: str | None = None
    filter: str | None = None
    limit: str | None = None
    after: str | None = None
    expand: str | None = None


@dataclass(frozen=True, slots=True)
class AppPage:
    apps: list[App]
    limit: int
    next_after: str | None
    embedded: dict[str, AppUser] = field(default_factory=dict)  # app id -> app user (expand)


class ApplicationOperations(AppsBase):
    """Apps: each operation one transaction; errors are Okta's."""

    def create_application(self, body: Mapping[str, object], *, activate: bool = True) -> App:
        """POST /api/v1/apps: an app of the catalogue, ACTIVE unless `activate=false`."""
        given = parse_application(body)
        now = self.now_ms()
        app_id = self.ids.app_id()
        with self.db.write() as conn:
            name = given.name or custom_saml_name(
                self._org_name(), given.label, lambda n: _name_taken(conn, n)
            )
            self._check_label(conn, name, given.label, app_id)
            app = App(
                id=app_id,
                name=name,
                label=given.label,
                status=AppStatus.ACTIVE if activate else AppStatus.INACTIVE,
                sign_on_mode=given.mode,
                created=now,
                last_updated=now,
                settings=given.settings,
                credentials=given.credentials,
                visibility=given.visibility,
                accessibility=given.accessibility,
                features=given.definition.features,
                profile=given.profile,
            )
            self._fill(app, given, None)
            try:
                conn.execute(
                    f"INSERT INTO apps ({APP_COLUMNS}) VALUES ({', '.join('?' * 10)})",
                    app_params(app),
                )
            except sqlite3.IntegrityError:
                raise validation_error(
                    "client_id",
                    "An object with this field already exists in the current organization",
                ) from None
            return app

    def _fill(self, app: App, given: ApplicationInput, existing: App | None) -> None:
        """What Okta generates: app links, the signing key id, the OAuth client's id and secret."""
        link = given.definition.link.format(name=app.name)
        if app.visibility.get("appLinks") is None:
            app.visibility["appLinks"] = (
                existing.visibility["appLinks"] if existing is not None else {link: True}
            )
        links = app.visibility["appLinks"]
        assert isinstance(links, dict)
        before = existing.link_ids if existing is not None else {}
        app.link_ids = {n: before.get(n) or self.ids.app_link_id() for n in links}
        signing = app.credentials["signing"]
        assert isinstance(signing, dict)
        if given.mode in SIGNED and "kid" not in signing:
            old = existing.credentials.get("signing") if existing is not None else None
            kid = old.get("kid") if isinstance(old, dict) else None
            signing["kid"] = kid or self.ids.token(43)
        oauth = given.oauth
        if oauth is None:
            return
        app.client_id = oauth.client_id or app.id  # Okta: the app's id unless one is given
        if not oauth.needs_secret:
            app.client_secret = None
        elif oauth.client_secret is not None:
            app.client_secret = oauth.client_secret
        elif existing is None or existing.client_secret is None:
            app.client_secret = self.ids.token(64)
        else:
            app.client_secret = existing.client_secret
        app.credentials["oauthClient"] = {
            "autoKeyRotation": oauth.credentials["autoKeyRotation"],
            "client_id": app.client_id,
            "token_endpoint_auth_method": oauth.credentials["token_endpoint_auth_method"],
            "pkce_required": oauth.credentials["pkce_required"],
        }

    def _org_name(self) -> str:
        """The org's subdomain, which custom SAML app names start with."""
        host = urlsplit(self.settings.org_url or "").hostname or ""
        label = host.split(".")[0]
        return re.sub(r"[^a-z0-9]", "", label.lower()) or "mockokta"

    def _check_label(self, conn: sqlite3.Connection, name: str, label: str, app_id: str) -> None:
        # PARITY: Okta refuses a second instance with the same label (E0000040); the mock
        # applies that among apps of the same name, case-insensitively.
        row = conn.execute(
            "SELECT 1 FROM apps WHERE name = ? AND casefold(label) = ? AND id != ? LIMIT 1",
            (name, label.casefold(), app_id),
        ).fetchone()
        if row is not None:
            raise OktaError(
                E_DUPLICATE_APP_LABEL, causes=[f"label: {E_DUPLICATE_APP_LABEL.summary}"]
            )

    def get_application(self, app_id: str) -> App:
        """GET /api/v1/apps/{appId}."""
        with self.db.read() as conn:
            return self._load_app(conn, app_id)

    def list_applications(self, query: AppListQuery) -> AppPage:
        """GET /api/v1/apps: pages ordered by id; `after` is the last id seen."""
        limit = page_limit(query.limit, APPS_PAGE, APPS_MAX_PAGE)
        clauses: list[str] = []
        params: list[object] = []
        user_id = None
        if query.filter is not None:
            match = _FILTER.fullmatch(query.filter)
            if match is None:
                raise OktaError(E_INVALID_SEARCH)
            prop, value = match["prop"], match["value"]
            if prop == "user.id":
                user_id = value
                clauses.append("id IN (SELECT app_id FROM app_users WHERE user_id = ?)")
            else:
                clauses.append(f"{_FILTER_COLUMNS[prop]} = ?")
                value = value.upper() if prop == "status" else value
            params.append(value)
        if query.q:
            # SPEC listApplications: name or label starts with q. PARITY: case-insensitive.
            prefix = like_prefix(query.q.casefold()) + "%"
            clauses.append(
                "(casefold(name) LIKE ? ESCAPE '\\' OR casefold(label) LIKE ? ESCAPE '\\')"
            )
            params.extend([prefix, prefix])
        if query.after:
            clauses.append("id > ?")
            params.append(query.after)
        where = " AND ".join(clauses) or "1"
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {APP_COLUMNS} FROM apps WHERE {where} ORDER BY id LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
            apps = [row_to_app(r) for r in rows[:limit]]
            embedded = self._embedded(conn, apps, query.expand, user_id)
        more = len(rows) > limit
        return AppPage(apps, limit, apps[-1].id if more and apps else None, embedded)

    def _embedded(
        self, conn: sqlite3.Connection, apps: list[App], expand: str | None, user_id: str | None
    ) -> dict[str, AppUser]:
        """`expand=user/{userId}` (only with the `user.id eq` filter for the same user, SPEC)."""
        if expand is None:
            return {}
        if user_id is None or expand != f"user/{user_id}":
            raise OktaError(E_INVALID_SEARCH)
        found: dict[str, AppUser] = {}
        for app in apps:
            app_user = self._find_app_user(conn, app.id, user_id)
            if app_user is not None:
                found[app.id] = app_user
        return found

    def replace_application(self, app_id: str, body: Mapping[str, object]) -> App:
        """PUT /api/v1/apps/{appId}: id, name, status, created and lastUpdated are ignored."""
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            given = parse_application(body, existing=app)
            self._check_label(conn, app.name, given.label, app.id)
            replaced = App(
                id=app.id,
                name=app.name,
                label=given.label,
                status=app.status,
                sign_on_mode=app.sign_on_mode,
                created=app.created,
                last_updated=app.last_updated,
                settings=given.settings,
                credentials=given.credentials,
                visibility=given.visibility,
                accessibility=given.accessibility,
                features=app.features,
                profile=given.profile,
            )
            self._fill(replaced, given, app)
            return self._save_app(conn, replaced)

    def activate_application(self, app_id: str) -> App:
        """POST …/lifecycle/activate. PARITY: activating an ACTIVE app changes nothing."""
        return self._set_status(app_id, AppStatus.ACTIVE)

    def deactivate_application(self, app_id: str) -> App:
        """POST …/lifecycle/deactivate; direct assignments stay (group ones go, with groups)."""
        return self._set_status(app_id, AppStatus.INACTIVE)

    def _set_status(self, app_id: str, status: AppStatus) -> App:
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            if app.status is status:
                return app
            app.status = status
            return self._save_app(conn, app)

    def delete_application(self, app_id: str) -> None:
        """DELETE /api/v1/apps/{appId}: only an INACTIVE app; its assignments go with it."""
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            if app.status is not AppStatus.INACTIVE:
                raise OktaError(
                    E_DELETE_APP_FORBIDDEN,
                    causes=["The application must be deactivated before deletion."],
                )
            conn.execute("DELETE FROM app_users WHERE app_id = ?", (app.id,))
            conn.execute("DELETE FROM app_groups WHERE app_id = ?", (app.id,))
            conn.execute("DELETE FROM apps WHERE id = ?", (app.id,))

    def find_oauth_client(self, client_id: str) -> OAuthClient | None:
        """The OAuth 2.0 client an authorization server is asked about, whatever its status."""
        with self.db.read() as conn:
            row = conn.execute(
                f"SELECT {APP_COLUMNS} FROM apps WHERE client_id = ?", (client_id,)
            ).fetchone()
        return row_to_app(row).oauth_client if row is not None else None


def _name_taken(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM apps WHERE name = ? LIMIT 1", (name,)).fetchone() is not None
