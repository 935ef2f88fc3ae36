"""What the Apps domain shares: rows, lookups and the clock."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Final

from mock_okta.apps.models import App, AppStatus, AppUser, AppUserStatus, SignOnMode
from mock_okta.clock import Clock
from mock_okta.config import Settings
from mock_okta.db import Database
from mock_okta.errors import not_found
from mock_okta.ids import IdFactory
from mock_okta.models import User
from mock_okta.store.base import COLUMNS, row_to_user

if TYPE_CHECKING:  # the Users store imports this package's user_lifecycle
    from mock_okta.store import Store

APP_COLUMNS: Final = (
    "id, name, label, status, sign_on_mode, created, last_updated, client_id, client_secret, body"
)
APP_USER_COLUMNS: Final = (
    "app_id, user_id, assignment_id, direct, status, created, last_updated, status_changed,"
    " password_changed, user_name, external_id, sync_state, last_sync, profile"
)
# PARITY: Okta's "{0}" for a missing app or assignment is unconfirmed; Okta's SDK tests show
# "Resource not found: <id> (AppInstance)".
APP_KIND: Final = "AppInstance"
APP_USER_KIND: Final = "AppUser"


def row_to_app(row: tuple[Any, ...]) -> App:
    (app_id, name, label, status, mode, created, updated, client_id, secret, body) = row
    data = json.loads(str(body))
    return App(
        id=str(app_id),
        name=str(name),
        label=str(label),
        status=AppStatus(str(status)),
        sign_on_mode=SignOnMode(str(mode)),
        created=int(created),
        last_updated=int(updated),
        settings=data["settings"],
        credentials=data["credentials"],
        visibility=data["visibility"],
        accessibility=data["accessibility"],
        features=tuple(data.get("features", ())),
        profile=data.get("profile"),
        client_id=None if client_id is None else str(client_id),
        client_secret=None if secret is None else str(secret),
        link_ids=dict(data.get("linkIds", {})),
    )


def app_params(app: App) -> tuple[object, ...]:
    body = {
        "settings": app.settings,
        "credentials": app.credentials,
        "visibility": app.visibility,
        "accessibility": app.accessibility,
        "features": list(app.features),
        "profile": app.profile,
        "linkIds": app.link_ids,
    }
    return (
        app.id,
        app.name,
        app.label,
        app.status.value,
        app.sign_on_mode.value,
        app.created,
        app.last_updated,
        app.client_id,
        app.client_secret,
        json.dumps(body, ensure_ascii=False),
    )


def row_to_app_user(row: tuple[Any, ...]) -> AppUser:
    (app_id, user_id, assignment_id, direct, status, created, updated, changed, password_changed,
     user_name, external_id, sync_state, last_sync, profile) = row  # fmt: skip
    return AppUser(
        app_id=str(app_id),
        user_id=str(user_id),
        assignment_id=str(assignment_id),
        direct=bool(direct),
        status=AppUserStatus(str(status)),
        created=int(created),
        last_updated=int(updated),
        status_changed=int(changed),
        password_changed=password_changed,
        user_name=user_name,
        external_id=external_id,
        sync_state=str(sync_state),
        last_sync=last_sync,
        profile=json.loads(str(profile)),
    )


SEARCH_FIELDS: Final = ("firstName", "lastName", "email")  # with userName (SPEC queryAppUserQ)
SEPARATOR: Final = "\x1f"


def search_key(au: AppUser) -> str:
    """What `q` matches, casefolded once at write time: each field follows a separator, so
    `instr(search, separator || q)` is a prefix match on any of them, in C."""
    values = [au.user_name, *(au.profile.get(f) for f in SEARCH_FIELDS)]
    return "".join(SEPARATOR + v.casefold() for v in values if isinstance(v, str))


def app_user_params(au: AppUser) -> tuple[object, ...]:
    """Every column in APP_USER_COLUMNS' order, then `search`."""
    return (
        au.app_id,
        au.user_id,
        au.assignment_id,
        int(au.direct),
        au.status.value,
        au.created,
        au.last_updated,
        au.status_changed,
        au.password_changed,
        au.user_name,
        au.external_id,
        au.sync_state,
        au.last_sync,
        json.dumps(au.profile, ensure_ascii=False),
        search_key(au),
    )


def like_prefix(text: str) -> str:
    """`text` escaped for a LIKE pattern with ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class AppsBase:
    """Apps and their users; users themselves belong to the Users store."""

    def __init__(
        self, db: Database, clock: Clock, ids: IdFactory, settings: Settings, users: Store
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.settings = settings
        self.users = users

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _load_app(self, conn: sqlite3.Connection, app_id: str) -> App:
        row = conn.execute(f"SELECT {APP_COLUMNS} FROM apps WHERE id = ?", (app_id,)).fetchone()
        if row is None:
            raise not_found(app_id, APP_KIND)
        return row_to_app(row)

    def _save_app(self, conn: sqlite3.Connection, app: App) -> App:
        app.last_updated = self.now_ms()
        conn.execute(
            "UPDATE apps SET name = ?, label = ?, status = ?, sign_on_mode = ?, created = ?,"
            " last_updated = ?, client_id = ?, client_secret = ?, body = ? WHERE id = ?",
            (*app_params(app)[1:], app.id),
        )
        return app

    def _load_user(self, conn: sqlite3.Connection, user_id: str) -> User:
        """An Okta user by id (app assignment paths and bodies take ids, not logins)."""
        row = conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise not_found(user_id)
        return row_to_user(row)

    def _find_app_user(self, conn: sqlite3.Connection, app_id: str, user_id: str) -> AppUser | None:
        row = conn.execute(
            f"SELECT {APP_USER_COLUMNS} FROM app_users WHERE app_id = ? AND user_id = ?",
            (app_id, user_id),
        ).fetchone()
        return row_to_app_user(row) if row is not None else None
