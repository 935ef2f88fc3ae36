"""Users assigned to apps (Okta's ApplicationUsers API) and a user's app links (UserResources).

Assignment semantics (reference.md §7.3): an app user keeps its identity (its `0ua…` id, its
externalId, Microsoft 365's immutableId) for as long as the assignment lives; deactivating the
Okta user deprovisions it and reactivating restores it (`user_lifecycle.py`), deleting the user
loses it, and a re-created user is a new app user with a new identity.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from mock_okta.apps.base import (
    APP_USER_COLUMNS,
    APP_USER_KIND,
    SEPARATOR,
    AppsBase,
    app_user_params,
    row_to_app_user,
)
from mock_okta.apps.catalogue import CATALOGUE, CUSTOM_SAML, AppDefinition, user_name
from mock_okta.apps.models import (
    App,
    AppLink,
    AppStatus,
    AppUser,
    AppUserStatus,
    JsonObject,
    Scope,
    SignOnMode,
)
from mock_okta.errors import (
    E_API_VALIDATION,
    E_CREDENTIALS_NOT_FOR_SCHEME,
    E_INACTIVE_USER_APPS,
    OktaError,
    not_found,
    validation_error,
)
from mock_okta.ids import IdFactory
from mock_okta.models import User, UserStatus
from mock_okta.store.base import page_limit
from mock_okta.syslog import Party

# SPEC queryAppLimit: default 50, maximum 500.
APP_USERS_PAGE: Final = 50
APP_USERS_MAX_PAGE: Final = 500
MAX_USER_NAME: Final = 100  # SPEC AppUserCredentials.userName
# Schemes under which an admin may set a user's app password (Apps API, Authentication schemes).
ADMIN_SETS_PASSWORD: Final = frozenset(
    {"ADMIN_SETS_CREDENTIALS", "EDIT_PASSWORD_ONLY", "EDIT_USERNAME_AND_PASSWORD"}
)


@dataclass(frozen=True, slots=True)
class AppUserQuery:
    limit: str | None = None
    after: str | None = None
    q: str | None = None
    expand: str | None = None


@dataclass(frozen=True, slots=True)
class AppUserPage:
    app_users: list[AppUser]
    limit: int
    next_after: str | None
    users: dict[str, User] = field(default_factory=dict)  # user id -> user (expand=user)


@dataclass(frozen=True, slots=True)
class _Credentials:
    user_name: str | None
    password: bool  # a password value was given (it is never kept: the mock signs no one in)


def _app_party(app_id: str, label: str) -> Party:
    return Party(app_id, "AppInstance", label, label)


def definition_for(app: App) -> AppDefinition:
    return CATALOGUE.get(app.name) or CATALOGUE[CUSTOM_SAML]


class AppUserOperations(AppsBase):
    """App users: each operation one transaction; errors are Okta's."""

    def assign_user_to_application(self, app_id: str, body: Mapping[str, object]) -> AppUser:
        """POST /api/v1/apps/{appId}/users: a direct (scope USER) assignment.

        PARITY: assigning a user who already has this app updates its credentials and profile
        and answers 200, as Okta's assign-or-convert operation does for a group assignment.
        """
        user_id = body.get("id")
        if not isinstance(user_id, str) or not user_id:
            raise validation_error("id", "The field cannot be left blank")
        scope = body.get("scope", Scope.USER.value)
        if scope != Scope.USER.value:
            # PARITY: a direct assignment is scope USER; GROUP comes with group assignments.
            raise validation_error("scope", "A direct assignment has scope USER")
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            user = self._active_user(conn, user_id)
            definition = definition_for(app)
            creds = _credentials(body.get("credentials"), app)
            given = app_user_profile(body.get("profile"), definition)
            now = self.now_ms()
            current = self._find_app_user(conn, app.id, user.id)
            if current is not None:
                current.direct = True
                self._apply(current, creds, given, now)
                return self._save_app_user(conn, current)
            app_user = self._new_app_user(app, definition, user, creds, given, now)
            conn.execute(
                f"INSERT INTO app_users ({APP_USER_COLUMNS}, search)"
                f" VALUES ({', '.join('?' * 15)})",
                app_user_params(app_user),
            )
            self.users.log_event(
                conn, "application.user_membership.add", user, _app_party(app.id, app.label)
            )
            return app_user

    def _new_app_user(
        self,
        app: App,
        definition: AppDefinition,
        user: User,
        creds: _Credentials,
        given: JsonObject,
        now: int,
    ) -> AppUser:
        app_user = new_app_user(
            self.ids, app, definition, user, given, now, user_name_given=creds.user_name
        )
        app_user.password_changed = now if creds.password else None
        return app_user

    def _group_sourced(self, conn: sqlite3.Connection, app_id: str, user_id: str) -> bool:
        """The user also has this app through a group assigned to it."""
        return bool(group_sources(conn, app_id, user_id))

    def _active_user(self, conn: sqlite3.Connection, user_id: str) -> User:
        user = self._load_user(conn, user_id)
        if user.status is UserStatus.DEPROVISIONED:
            raise OktaError(E_INACTIVE_USER_APPS)
        return user

    def _apply(self, app_user: AppUser, creds: _Credentials, given: JsonObject, now: int) -> None:
        if creds.user_name is not None:
            app_user.user_name = creds.user_name
        if creds.password:
            app_user.password_changed = now
        if given:
            app_user.profile = {**app_user.profile, **given}
        app_user.last_updated = now

    def _save_app_user(self, conn: sqlite3.Connection, app_user: AppUser) -> AppUser:
        p = app_user_params(app_user)  # every column but the key, assignment_id and created
        conn.execute(
            "UPDATE app_users SET direct = ?, status = ?, last_updated = ?, status_changed = ?,"
            " password_changed = ?, user_name = ?, external_id = ?, sync_state = ?,"
            " last_sync = ?, profile = ?, search = ? WHERE app_id = ? AND user_id = ?",
            (p[3], p[4], *p[6:], app_user.app_id, app_user.user_id),
        )
        return app_user

    def get_application_user(self, app_id: str, user_id: str) -> tuple[AppUser, User]:
        """GET /api/v1/apps/{appId}/users/{userId}: the app user, and its user (for expand)."""
        with self.db.read() as conn:
            self._load_app(conn, app_id)
            app_user = self._load_app_user(conn, app_id, user_id)
            return app_user, self._load_user(conn, user_id)

    def _load_app_user(self, conn: sqlite3.Connection, app_id: str, user_id: str) -> AppUser:
        app_user = self._find_app_user(conn, app_id, user_id)
        if app_user is None:
            raise not_found(user_id, APP_USER_KIND)
        return app_user

    def list_application_users(self, app_id: str, query: AppUserQuery) -> AppUserPage:
        """GET /api/v1/apps/{appId}/users: pages ordered by user id; `q` is a prefix match."""
        limit = page_limit(query.limit, APP_USERS_PAGE, APP_USERS_MAX_PAGE)
        clauses = ["app_id = ?"]
        params: list[object] = [app_id]
        if query.q:
            # SPEC queryAppUserQ: userName, firstName, lastName or email starts with q.
            clauses.append("instr(search, ?) > 0")
            params.append(SEPARATOR + query.q.casefold())
        if query.after:
            clauses.append("user_id > ?")
            params.append(query.after)
        with self.db.read() as conn:
            self._load_app(conn, app_id)
            rows = conn.execute(
                f"SELECT {APP_USER_COLUMNS} FROM app_users WHERE {' AND '.join(clauses)}"
                " ORDER BY user_id LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
            app_users = [row_to_app_user(r) for r in rows[:limit]]
            users: dict[str, User] = {}
            if query.expand == "user":
                users = {au.user_id: self._load_user(conn, au.user_id) for au in app_users}
        more = len(rows) > limit
        return AppUserPage(
            app_users, limit, app_users[-1].user_id if more and app_users else None, users
        )

    def update_application_user(
        self, app_id: str, user_id: str, body: Mapping[str, object]
    ) -> AppUser:
        """POST /api/v1/apps/{appId}/users/{userId}: credentials and/or profile (merged)."""
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            app_user = self._load_app_user(conn, app.id, user_id)
            self._active_user(conn, user_id)
            creds = _credentials(body.get("credentials"), app)
            given = app_user_profile(body.get("profile"), definition_for(app))
            self._apply(app_user, creds, given, self.now_ms())
            return self._save_app_user(conn, app_user)

    def unassign_user_from_application(self, app_id: str, user_id: str) -> None:
        """DELETE /api/v1/apps/{appId}/users/{userId}: the app user and its identity are gone.

        An app user that also comes through groups stays, with scope GROUP and its identity.
        """
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            app_user = self._load_app_user(conn, app_id, user_id)
            if self._group_sourced(conn, app_id, user_id):
                app_user.direct = False
                self._save_app_user(conn, app_user)
                return
            conn.execute(
                "DELETE FROM app_users WHERE app_id = ? AND user_id = ?", (app_id, user_id)
            )
            user = self.users._find(conn, user_id)
            self.users.log_event(
                conn, "application.user_membership.remove", user, _app_party(app.id, app.label)
            )

    def list_app_links(self, user_ref: str) -> list[AppLink]:
        """GET /api/v1/users/{id}/appLinks: a link per visible tile of each ACTIVE app assigned."""
        user = self.users.find_user(user_ref)
        if user is None:
            raise not_found(user_ref)
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT a.id, u.assignment_id FROM app_users u JOIN apps a ON a.id = u.app_id"
                " WHERE u.user_id = ? AND u.status != ? AND a.status = ?"
                " ORDER BY u.created, a.id",
                (user.id, AppUserStatus.DEPROVISIONED.value, AppStatus.ACTIVE.value),
            ).fetchall()
            assigned = [(self._load_app(conn, str(app_id)), str(aid)) for app_id, aid in rows]
        links: list[AppLink] = []
        for app, assignment_id in assigned:
            shown = app.visibility.get("appLinks")
            for name, on in shown.items() if isinstance(shown, dict) else ():
                if on is True:
                    link_id = app.link_ids.get(name, "")
                    links.append(AppLink(user.id, app, name, link_id, assignment_id, len(links)))
        return links


def new_app_user(
    ids: IdFactory,
    app: App,
    definition: AppDefinition,
    user: User,
    given: JsonObject,
    now: int,
    *,
    user_name_given: str | None = None,
    direct: bool = True,
) -> AppUser:
    """A new app user: its identity (`0ua…` id, externalId, immutableId) is made here, once."""
    assignment_id = ids.app_user_id()
    profile = {**definition.mapping(user.profile), **given}
    if definition.immutable_id and not profile.get("immutableId"):
        # Microsoft 365: "the application's backend logic substitutes the user's App ID as
        # the immutable ID when a user is newly assigned" (support.okta.com, handling
        # immutable ID issues). PARITY: the App ID is taken to be the app user's own id.
        profile["immutableId"] = assignment_id
    template = app.credentials.get("userNameTemplate")
    provisions = definition.provisions
    return AppUser(
        app_id=app.id,
        user_id=user.id,
        assignment_id=assignment_id,
        # An app that provisions pushes the account at once (STAGED is never seen here).
        status=AppUserStatus.PROVISIONED if provisions else AppUserStatus.ACTIVE,
        created=now,
        last_updated=now,
        status_changed=now,
        profile=profile,
        user_name=user_name_given
        or user_name(
            template.get("template") if isinstance(template, dict) else None, user.profile
        ),
        password_changed=None,
        external_id=ids.external_id() if provisions else None,
        sync_state="SYNCHRONIZED" if provisions else "DISABLED",
        last_sync=now if provisions else None,
        direct=direct,
    )


def group_sources(conn: sqlite3.Connection, app_id: str, user_id: str) -> list[str]:
    """The ids of the groups through which `user_id` has `app_id` (assigned groups it is in)."""
    rows = conn.execute(
        "SELECT ag.group_id FROM app_groups ag JOIN memberships m ON m.group_id = ag.group_id"
        " WHERE ag.app_id = ? AND m.user_id = ? ORDER BY ag.priority, ag.group_id",
        (app_id, user_id),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _credentials(raw: object, app: App) -> _Credentials:
    """An app user's `credentials`, refused (E0000041) where the app's scheme takes none."""
    if raw is None:
        return _Credentials(None, False)
    if not isinstance(raw, Mapping):
        raise validation_error("credentials", "The value must be an object")
    name = raw.get("userName")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= MAX_USER_NAME):
        raise validation_error("userName", f"The userName must be 1 to {MAX_USER_NAME} characters")
    password = raw.get("password")
    given_password = False
    if password is not None:
        value = password.get("value") if isinstance(password, Mapping) else None
        if not isinstance(value, str) or not value:
            raise validation_error("password", "The password value cannot be left blank")
        given_password = True
    scheme = app.credentials.get("scheme")
    refused = (
        scheme == "SHARED_USERNAME_AND_PASSWORD" and (name is not None or given_password)
    ) or (
        given_password
        and (app.sign_on_mode is not SignOnMode.BASIC_AUTH or scheme not in ADMIN_SETS_PASSWORD)
    )
    if refused:
        # Apps API, Application User Credentials object: the error and its one cause.
        raise OktaError(
            E_CREDENTIALS_NOT_FOR_SCHEME,
            causes=["User level credentials should not be provided for this scheme."],
        )
    return _Credentials(name, given_password)


def app_user_profile(raw: object, definition: AppDefinition) -> JsonObject:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise validation_error("profile", "The value must be an object")
    allowed = definition.profile_properties
    if allowed is not None and (unknown := [k for k in raw if k not in allowed]):
        # okta-blog-archive#2167: "Api validation failed: assignment", a cause per property.
        raise OktaError(
            E_API_VALIDATION, "assignment", causes=[f"Property '{k}' not found" for k in unknown]
        )
    return dict(raw)
