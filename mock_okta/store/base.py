"""What every part of the Users domain shares: rows, the transaction helpers, tokens."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
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
from mock_okta.groups import EVERYONE_DESCRIPTION, EVERYONE_NAME, GroupType, group_key
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
from mock_okta.profile import login_key
from mock_okta.schema import UserSchema, default_schema
from mock_okta.syslog import FAILURE, SUCCESS, Event, Party, SystemLog
from mock_okta.user_types import (
    DEFAULT_DESCRIPTION,
    DEFAULT_DISPLAY_NAME,
    DEFAULT_NAME,
    UserType,
    name_key,
)
from mock_okta.validation import CompiledSchema, Schemas

DUPLICATE_LOGIN = "An object with this field already exists in the current organization"
MAX_PAGE = 200
Q_DEFAULT_LIMIT = 10
TOKEN_SECONDS = 7 * 24 * 3600  # activation and reset tokens: Okta's default of 7 days

COLUMNS = (
    "id, login_key, status, created, activated, status_changed, last_login, last_updated,"
    " password_changed, type_id, profile, provider, password, recovery_question, failed_logins,"
    " version"
)

INSERT_USER = f"INSERT INTO users ({COLUMNS}) VALUES ({', '.join('?' * 16)})"
# What json.dumps(profile, ensure_ascii=False) writes, with the encoder built once.
_PROFILE_TEXT = json.JSONEncoder(ensure_ascii=False).encode


@cache
def insert_users(n: int) -> str:
    """INSERT_USER for `n` rows in one statement."""
    row = f"({', '.join('?' * 16)})"
    return f"INSERT INTO users ({COLUMNS}) VALUES {', '.join([row] * n)}"


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


# A row's text to its member by a dict lookup (an Enum's call is slower); unknown text still
# raises as the Enum's call does.
_STATUSES: dict[object, UserStatus] = {s.value: s for s in UserStatus}
_PROVIDERS: dict[object, ProviderType] = {p.value: p for p in ProviderType}


def row_to_user(row: tuple[Any, ...]) -> User:
    (uid, _key, status, created, activated, status_changed, last_login, last_updated,
     password_changed, type_id, profile, provider, password, recovery, failed,
     version) = row  # fmt: skip
    return User(
        id=str(uid),
        status=_STATUSES.get(status) or UserStatus(str(status)),
        created=int(created),
        last_updated=int(last_updated),
        profile=json.loads(str(profile)),
        provider=_PROVIDERS.get(provider) or ProviderType(str(provider)),
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
        _PROFILE_TEXT(user.profile),
        user.provider.value,
        password_to_json(user.password),
        recovery_to_json(user.recovery_question),
        user.failed_logins,
        user.version,
    )


def user_party(user: User) -> Party:
    """A user as an event's actor or target."""
    profile = user.profile
    name = f"{profile.get('firstName') or ''} {profile.get('lastName') or ''}".strip()
    return Party(user.id, "User", user.login, name or user.login)


class StoreBase:
    """All users' state. Methods return domain objects and raise OktaError."""

    syslog: SystemLog | None = None  # set by the org; None: no System Log events

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
        self.schemas = Schemas(self._load_schemas, login_must_be_email=settings.login_must_be_email)
        with self.db.write() as conn:
            self.default_type_id = self._meta_id(conn, "default_type_id", self.ids.user_type_id)
            self.everyone_id = self._meta_id(conn, "everyone_group_id", self.ids.group_id)
            # PARITY: createdBy/lastUpdatedBy name the API token's admin: one id per org.
            self.admin_id = self._meta_id(conn, "admin_id", self.ids.user_id)
            self.restore_defaults(conn)

    # ----- helpers

    def log_event(
        self,
        conn: sqlite3.Connection,
        event_type: str,
        user: User | None = None,
        *extra: Party,
        ok: bool = True,
        reason: str | None = None,
        actor: Party | None = None,
    ) -> None:
        """A System Log event about `user` (and `extra` targets), in `conn`'s transaction."""
        if self.syslog is None:
            return
        targets = ((user_party(user),) if user is not None else ()) + extra
        result = SUCCESS if ok else FAILURE
        self.syslog.record(conn, Event(event_type, targets, actor, result, reason))

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _meta_id(self, conn: sqlite3.Connection, key: str, make: Callable[[], str]) -> str:
        """An id the org keeps for good (across restarts and resets), made once."""
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return str(row[0])
        value = make()
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        return value

    def restore_defaults(self, conn: sqlite3.Connection) -> None:
        """What every org has from the start, made where missing: the default user type and
        its schema (with the start-up `--profile-property` names), and the Everyone group."""
        now = self.now_ms()
        seeded = tuple(sorted(self.settings.custom_profile_properties))
        row = conn.execute(
            "SELECT schema FROM user_types WHERE id = ?", (self.default_type_id,)
        ).fetchone()
        if row is None:
            user_type = UserType(
                self.default_type_id, DEFAULT_NAME, DEFAULT_DISPLAY_NAME, DEFAULT_DESCRIPTION,
                True, now, now, self.admin_id, self.admin_id,
            )  # fmt: skip
            conn.execute(
                "INSERT INTO user_types (id, name_key, type, schema) VALUES (?, ?, ?, ?)",
                (user_type.id, name_key(user_type.name), user_type.dumps(),
                 default_schema(now, seeded).dumps()),
            )  # fmt: skip
        else:
            schema = UserSchema.loads(str(row[0]))
            missing = [name for name in seeded if name not in schema.custom]
            if missing:  # named at this start-up, not yet in the org's schema
                extra = default_schema(now, tuple(missing)).custom
                schema = UserSchema({**schema.custom, **extra}, schema.base, schema.created, now)
                conn.execute(
                    "UPDATE user_types SET schema = ? WHERE id = ?",
                    (schema.dumps(), self.default_type_id),
                )
        conn.execute(
            "INSERT INTO groups (id, name_key, type, profile, created, last_updated,"
            " last_membership_updated) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                self.everyone_id, group_key(EVERYONE_NAME), GroupType.BUILT_IN.value,
                json.dumps({"name": EVERYONE_NAME, "description": EVERYONE_DESCRIPTION}),
                now, now, now,
            ),
        )  # fmt: skip
        self.schemas.invalidate()

    def _load_schemas(self) -> dict[str, UserSchema]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT id, schema FROM user_types").fetchall()
        return {str(type_id): UserSchema.loads(str(text)) for type_id, text in rows}

    def _schema(self, type_id: str) -> CompiledSchema:
        compiled = self.schemas.get(type_id)
        if compiled is None:
            # PARITY: Okta's answer to an unknown `type.id` on create is unconfirmed.
            raise validation_error("type", "Invalid user type")
        return compiled

    def _claim_unique(
        self, conn: sqlite3.Connection, user_id: str, values: list[tuple[str, str]]
    ) -> None:
        """Record the user's unique property values; another user's same value is refused."""
        for name, key in values:
            holder = conn.execute(
                "INSERT INTO unique_values (name, value, user_id) VALUES (?, ?, ?)"
                " ON CONFLICT (name, value) DO UPDATE SET user_id = user_id RETURNING user_id",
                (name, key, user_id),
            ).fetchone()
            if holder is not None and str(holder[0]) != user_id:
                raise validation_error(name, DUPLICATE_LOGIN)

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
            run(INSERT_USER, user_params(user))
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

    def _validate_profile(self, profile: object, type_id: str) -> Profile:
        return self._schema(type_id).validate(profile)

    def _credentials(self, raw: object, login: str) -> CredentialsInput:
        return parse_credentials(raw, login, self.ids.salt)

    def get_user(self, ref: str) -> User:
        """GET /api/v1/users/{id|login}."""
        with self.db.read() as conn:
            return self._load(conn, ref)
