"""What every part of the Users domain shares: rows, the transaction helpers, tokens."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_okta.clock import Clock
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.credentials import CredentialsInput, parse_credentials
from mock_okta.db import Database
from mock_okta.errors import (
    E_INVALID_PAGING,
    OktaError,
    not_found,
    validation_error,
)
from mock_okta.ids import IdFactory
from mock_okta.models import (
    Profile,
    ProviderType,
    User,
    UserStatus,
    password_from_json,
    password_to_json,
    recovery_from_json,
    recovery_to_json,
)
from mock_okta.profile import login_key, validate_profile

DUPLICATE_LOGIN = "An object with this field already exists in the current organization"
MAX_PAGE = 200
Q_DEFAULT_LIMIT = 10
TOKEN_SECONDS = 7 * 24 * 3600  # activation and reset tokens: Okta's default of 7 days

COLUMNS = (
    "id, login_key, status, created, activated, status_changed, last_login, last_updated,"
    " password_changed, type_id, profile, provider, password, recovery_question, failed_logins,"
    " version"
)


@dataclass(frozen=True, slots=True)
class ListQuery:
    limit: str | None = None
    after: str | None = None
    filter: str | None = None
    search: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    users: list[User]
    limit: int
    next_after: str | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    kind: str


def page_limit(text: str | None, default: int, maximum: int = MAX_PAGE) -> int:
    """A `limit` query parameter: 400 E0000029 unless a whole number >= 1; capped at `maximum`."""
    if text is None or text == "":
        return default
    try:
        limit = int(text)
    except ValueError:
        raise OktaError(E_INVALID_PAGING) from None
    if limit < 1:
        raise OktaError(E_INVALID_PAGING)
    return min(limit, maximum)  # Okta caps a page at the maximum rather than refusing


def row_to_user(row: tuple[Any, ...]) -> User:
    (uid, _key, status, created, activated, status_changed, last_login, last_updated,
     password_changed, type_id, profile, provider, password, recovery, failed,
     version) = row  # fmt: skip
    return User(
        id=str(uid),
        status=UserStatus(str(status)),
        created=int(created),
        last_updated=int(last_updated),
        profile=json.loads(str(profile)),
        provider=ProviderType(str(provider)),
        password=password_from_json(password if password is None else str(password)),
        recovery_question=recovery_from_json(recovery if recovery is None else str(recovery)),
        type_id=str(type_id),
        activated=activated,
        status_changed=status_changed,
        last_login=last_login,
        password_changed=password_changed,
        failed_logins=int(failed),
        version=int(version),
    )


def user_params(user: User) -> tuple[object, ...]:
    return (
        user.id,
        login_key(user.login),
        user.status.value,
        user.created,
        user.activated,
        user.status_changed,
        user.last_login,
        user.last_updated,
        user.password_changed,
        user.type_id,
        json.dumps(user.profile, ensure_ascii=False),
        user.provider.value,
        password_to_json(user.password),
        recovery_to_json(user.recovery_question),
        user.failed_logins,
        user.version,
    )


class StoreBase:
    """All users' state. Methods return domain objects and raise OktaError."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdFactory,
        settings: Settings,
        runtime: Callable[[], RuntimeConfig],
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.settings = settings
        self.runtime = runtime
        self.default_type_id = self._default_type_id()

    # ----- helpers

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _default_type_id(self) -> str:
        with self.db.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'default_type_id'").fetchone()
            if row:
                return str(row[0])
            type_id = self.ids.user_type_id()
            conn.execute("INSERT INTO meta (key, value) VALUES ('default_type_id', ?)", (type_id,))
            return type_id

    def _find(self, conn: sqlite3.Connection, ref: str) -> User | None:
        row = conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = ?", (ref,)).fetchone()
        if row is not None:
            return row_to_user(row)
        return self._find_login(conn, ref)

    def _find_login(self, conn: sqlite3.Connection, login: str) -> User | None:
        key = login_key(login)
        row = conn.execute(f"SELECT {COLUMNS} FROM users WHERE login_key = ?", (key,)).fetchone()
        if row is None and "@" not in key:
            # Okta also finds a user by the short name before the @, when it is unique
            # (OLD-USERS "ambiguous name resolution"; AUTHN `username`).
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM users WHERE login_key >= ? AND login_key < ? LIMIT 2",
                (key + "@", key + chr(ord("@") + 1)),
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return row_to_user(row) if row is not None else None

    def _load(self, conn: sqlite3.Connection, ref: str) -> User:
        user = self._find(conn, ref)
        if user is None:
            raise not_found(ref)
        return user

    def _insert(self, conn: sqlite3.Connection | None, user: User) -> None:
        """Insert in `conn`'s transaction, or on its own (one statement is atomic)."""
        run = conn.execute if conn is not None else self.db.execute_one
        try:
            run(f"INSERT INTO users ({COLUMNS}) VALUES ({', '.join('?' * 16)})", user_params(user))
        except sqlite3.IntegrityError as exc:
            if "login_key" in str(exc):
                raise validation_error("login", DUPLICATE_LOGIN) from None
            raise

    def _save(self, conn: sqlite3.Connection, user: User, *, touch: bool = True) -> User:
        if touch:
            user.last_updated = self.now_ms()
        user.version += 1
        params = user_params(user)
        try:
            conn.execute(
                "UPDATE users SET login_key = ?, status = ?, created = ?, activated = ?,"
                " status_changed = ?, last_login = ?, last_updated = ?, password_changed = ?,"
                " type_id = ?, profile = ?, provider = ?, password = ?, recovery_question = ?,"
                " failed_logins = ?, version = ? WHERE id = ?",
                (*params[1:], user.id),
            )
        except sqlite3.IntegrityError:
            raise validation_error("login", DUPLICATE_LOGIN) from None
        return user

    def _set_status(self, user: User, status: UserStatus) -> None:
        now = self.now_ms()
        if status is UserStatus.ACTIVE and user.status in (
            UserStatus.STAGED,
            UserStatus.PROVISIONED,
            UserStatus.DEPROVISIONED,
        ):
            user.activated = now
        user.status = status
        user.status_changed = now

    def _issue(self, conn: sqlite3.Connection, user_id: str, kind: str) -> IssuedToken:
        token = self.ids.token(20)
        expires = self.clock.now() + TOKEN_SECONDS / self.runtime().time_scale
        conn.execute(
            "INSERT INTO tokens (token, kind, user_id, expires_at) VALUES (?, ?, ?, ?)",
            (token, kind, user_id, expires),
        )
        return IssuedToken(token, kind)

    def _validate_profile(self, profile: object) -> Profile:
        return validate_profile(
            profile,
            custom_properties=self.settings.custom_profile_properties,
            login_must_be_email=self.settings.login_must_be_email,
        )

    def _credentials(self, raw: object, login: str) -> CredentialsInput:
        return parse_credentials(raw, login, self.ids.salt)

    def get_user(self, ref: str) -> User:
        """GET /api/v1/users/{id|login}."""
        with self.db.read() as conn:
            return self._load(conn, ref)
