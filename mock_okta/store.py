"""The Users domain: every user operation Okta documents, each one SQLite transaction.

Operation names follow Okta's (createUser, getUser, listUsers, updateUser, replaceUser,
deleteUser, activateUser, ...). State transitions and their errors are from reference.md §1.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mock_okta.clock import Clock
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.credentials import STAGED_ONLY, CredentialsInput, parse_credentials
from mock_okta.db import Database
from mock_okta.errors import (
    E_ALREADY_ACTIVE,
    E_API_VALIDATION,
    E_CHANGE_PASSWORD_NOT_ALLOWED,
    E_CREDENTIALS_UPDATE_FAILED,
    E_INVALID_PAGING,
    E_NEXT_LOGIN_NEEDS_ACTIVATE,
    E_NEXT_LOGIN_NEEDS_PASSWORD,
    E_PASSWORD_RESET_FAILED,
    E_SEARCH_AND_FILTER,
    E_UNLOCK_NOT_ALLOWED,
    E_WRONG_USER_STATUS,
    ErrorSpec,
    OktaError,
    not_found,
    validation_error,
)
from mock_okta.hashing import NativeHash, PasswordHash, verify
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
from mock_okta.profile import login_key, password_problem, validate_profile
from mock_okta.query import Sql, compile_filter, compile_search

DUPLICATE_LOGIN = "An object with this field already exists in the current organization"
MAX_PAGE = 200
Q_DEFAULT_LIMIT = 10
TOKEN_SECONDS = 7 * 24 * 3600  # activation and reset tokens: Okta's default of 7 days

_COLUMNS = (
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


def _row_to_user(row: tuple[Any, ...]) -> User:
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


def _user_params(user: User) -> tuple[object, ...]:
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


class Store:
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
        row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (ref,)).fetchone()
        if row is not None:
            return _row_to_user(row)
        return self._find_login(conn, ref)

    def _find_login(self, conn: sqlite3.Connection, login: str) -> User | None:
        key = login_key(login)
        row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE login_key = ?", (key,)).fetchone()
        if row is None and "@" not in key:
            # Okta also finds a user by the short name before the @, when it is unique
            # (OLD-USERS "ambiguous name resolution"; AUTHN `username`).
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM users WHERE login_key >= ? AND login_key < ? LIMIT 2",
                (key + "@", key + chr(ord("@") + 1)),
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _row_to_user(row) if row is not None else None

    def _load(self, conn: sqlite3.Connection, ref: str) -> User:
        user = self._find(conn, ref)
        if user is None:
            raise not_found(ref)
        return user

    def _insert(self, conn: sqlite3.Connection, user: User) -> None:
        try:
            conn.execute(
                f"INSERT INTO users ({_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                _user_params(user),
            )
        except sqlite3.IntegrityError as exc:
            if "login_key" in str(exc):
                raise validation_error("login", DUPLICATE_LOGIN) from None
            raise

    def _save(self, conn: sqlite3.Connection, user: User, *, touch: bool = True) -> User:
        if touch:
            user.last_updated = self.now_ms()
        user.version += 1
        params = _user_params(user)
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

    # ----- create, read

    def create_user(
        self,
        profile: object,
        credentials: object = None,
        *,
        activate: bool = True,
        provider: bool = False,
        next_login: str | None = None,
        type_id: str | None = None,
    ) -> User:
        """POST /api/v1/users: STAGED, PROVISIONED, ACTIVE or PASSWORD_EXPIRED, as Okta decides."""
        clean = self._validate_profile(profile)
        creds = self._credentials(credentials, str(clean.get("login") or ""))
        if next_login is not None:
            if next_login != "changePassword":
                raise validation_error("nextLogin", "The value must be changePassword")
            # The SPEC examples repeat the summary as the one cause.
            if not activate:
                spec = E_NEXT_LOGIN_NEEDS_ACTIVATE
                raise OktaError(spec, causes=[spec.summary])
            if creds.password is None:
                spec = E_NEXT_LOGIN_NEEDS_PASSWORD
                raise OktaError(spec, causes=[spec.summary])
        if type_id not in (None, self.default_type_id):
            # PARITY: only the default user type exists in the mock.
            raise validation_error("type", "Invalid user type")
        if not activate:
            status = UserStatus.STAGED
        elif next_login:
            status = UserStatus.PASSWORD_EXPIRED
        elif creds.password is not None or provider:
            status = UserStatus.ACTIVE
        else:
            status = UserStatus.PROVISIONED
        user = self._new_user(clean, creds, status)
        with self.db.write() as conn:
            self._insert(conn, user)
        return user

    def _new_user(self, profile: Profile, creds: CredentialsInput, status: UserStatus) -> User:
        now = self.now_ms()
        return User(
            id=self.ids.user_id(),
            status=status,
            created=now,
            last_updated=now,
            profile=dict(profile),
            provider=creds.provider_type,
            password=creds.password,
            recovery_question=creds.recovery_question,
            type_id=self.default_type_id,
            activated=None if status is UserStatus.STAGED else now,
            status_changed=None if status is UserStatus.STAGED else now,
            # passwordChanged is set for a value, a hash and a hook alike (SPEC examples
            # create-user-with-password-import-inline-hook-response and friends).
            password_changed=now if creds.password is not None else None,
        )

    def seed_users(self, items: object) -> list[User]:
        """Bulk-create for the control plane: validated like create_user, one transaction.

        Each item is `{"profile": …, "credentials": …, "status": "ACTIVE"}`; status defaults to
        ACTIVE with a password and PROVISIONED without one.
        """
        if not isinstance(items, list):
            raise validation_error("users", "users must be a list of user objects")
        users: list[User] = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise validation_error(f"users[{index}]", "must be an object")
            try:
                clean = self._validate_profile(item.get("profile"))
                creds = self._credentials(item.get("credentials"), str(clean.get("login") or ""))
                default = UserStatus.ACTIVE if creds.password else UserStatus.PROVISIONED
                status = UserStatus(str(item.get("status") or default.value))
            except OktaError as exc:
                raise OktaError(
                    exc.spec, f"users[{index}]", causes=[f"users[{index}].{c}" for c in exc.causes]
                ) from None
            except ValueError:
                raise validation_error(f"users[{index}].status", "unknown status") from None
            users.append(self._new_user(clean, creds, status))
        with self.db.write() as conn:
            for index, user in enumerate(users):
                try:
                    self._insert(conn, user)
                except OktaError:
                    raise validation_error(f"users[{index}].login", DUPLICATE_LOGIN) from None
        return users

    def get_user(self, ref: str) -> User:
        """GET /api/v1/users/{id|login}."""
        with self.db.read() as conn:
            return self._load(conn, ref)

    def find_user(self, ref: str) -> User | None:
        with self.db.read() as conn:
            return self._find(conn, ref)

    def find_by_login(self, username: str) -> User | None:
        """The user a sign-in name means: the login or its unique short name, never the id."""
        with self.db.read() as conn:
            return self._find_login(conn, username)

    def count_users(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])

    def list_users(self, query: ListQuery) -> Page:
        """GET /api/v1/users: cursor pages ordered by id; `after` is the last id seen."""
        if query.filter is not None and query.search is not None:
            raise OktaError(E_SEARCH_AND_FILTER)
        limit = _page_limit(query.limit, Q_DEFAULT_LIMIT if query.q is not None else MAX_PAGE)
        clauses: list[str] = []
        params: list[object] = []
        if query.filter is not None or query.search is not None:
            sql: Sql = (
                compile_filter(query.filter)
                if query.filter is not None
                else compile_search(query.search or "")
            )
            clauses.append(sql.where)
            params.extend(sql.params)
        else:
            # Plain listing and `q` leave out DEPROVISIONED users; filter and search do not.
            clauses.append("status != 'DEPROVISIONED'")
            if query.q is not None:
                prefix = query.q.casefold().replace("\\", "\\\\").replace("%", "\\%")
                prefix = prefix.replace("_", "\\_") + "%"
                clauses.append(
                    "("
                    + " OR ".join(
                        f"casefold(json_extract(profile, '$.{p}')) LIKE ? ESCAPE '\\'"
                        for p in ("firstName", "lastName", "email")
                    )
                    + ")"
                )
                params.extend([prefix] * 3)
        if query.after:
            clauses.append("id > ?")
            params.append(query.after)
        where = " AND ".join(clauses)
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM users WHERE {where} ORDER BY id LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        users = [_row_to_user(r) for r in rows[:limit]]
        more = len(rows) > limit and query.q is None  # `q` has no pagination
        return Page(users, limit, users[-1].id if more and users else None)

    # ----- update, replace, delete

    def update_user(self, ref: str, profile: object, credentials: object) -> User:
        """POST /api/v1/users/{id}: partial update; a null property removes it."""
        return self._update(ref, profile, credentials, replace_profile=False)

    def replace_user(self, ref: str, profile: object, credentials: object) -> User:
        """PUT /api/v1/users/{id}: profile properties left out are deleted."""
        if profile is None:
            raise validation_error("profile", "The field cannot be left blank")
        return self._update(ref, profile, credentials, replace_profile=True)

    def _update(
        self, ref: str, profile: object, credentials: object, *, replace_profile: bool
    ) -> User:
        with self.db.write() as conn:
            user = self._load(conn, ref)
            if profile is not None:
                if not isinstance(profile, Mapping):
                    raise validation_error("profile", "The value must be an object")
                merged = dict(profile) if replace_profile else {**user.profile, **profile}
                if not replace_profile:
                    merged = {k: v for k, v in merged.items() if v is not None}
                user.profile = dict(self._validate_profile(merged))
            if credentials is not None:
                self._apply_credentials(user, self._credentials(credentials, user.login))
            return self._save(conn, user)

    def _apply_credentials(self, user: User, creds: CredentialsInput) -> None:
        if creds.imported and user.status is not UserStatus.STAGED:
            # PARITY: wording from the forum thread (seeds/000); Okta's code is presumed E0000001.
            raise validation_error("password", STAGED_ONLY)
        if creds.password is not None:
            user.password = creds.password
            user.provider = creds.provider_type
            user.password_changed = self.now_ms()
        if creds.recovery_question is not None:
            user.recovery_question = creds.recovery_question

    def delete_user(self, ref: str) -> bool:
        """DELETE /api/v1/users/{id}: deactivate first, delete once DEPROVISIONED (True: gone)."""
        with self.db.write() as conn:
            user = self._load(conn, ref)
            if user.status is not UserStatus.DEPROVISIONED:
                self._set_status(user, UserStatus.DEPROVISIONED)
                self._save(conn, user)
                return False
            conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
            conn.execute("DELETE FROM tokens WHERE user_id = ?", (user.id,))
            return True

    # ----- lifecycle

    def _transition(
        self, ref: str, change: Callable[[sqlite3.Connection, User], IssuedToken | None]
    ) -> tuple[User, IssuedToken | None]:
        with self.db.write() as conn:
            user = self._load(conn, ref)
            token = change(conn, user)
            return self._save(conn, user), token

    def activate_user(self, ref: str) -> tuple[User, IssuedToken]:
        """lifecycle/activate: STAGED/DEPROVISIONED to ACTIVE (PROVISIONED with no password)."""

        def change(conn: sqlite3.Connection, user: User) -> IssuedToken:
            if user.status not in (UserStatus.STAGED, UserStatus.DEPROVISIONED):
                # PARITY: Okta documents E0000016 for an active user; used for every other status.
                raise OktaError(E_ALREADY_ACTIVE)
            has_password = user.password is not None
            self._set_status(user, UserStatus.ACTIVE if has_password else UserStatus.PROVISIONED)
            user.activated = user.status_changed
            return self._issue(conn, user.id, "activation")

        user, token = self._transition(ref, change)
        assert token is not None
        return user, token

    def reactivate_user(self, ref: str) -> tuple[User, IssuedToken]:
        """lifecycle/reactivate: PROVISIONED (or RECOVERY) only; else 403 E0000038."""

        def change(conn: sqlite3.Connection, user: User) -> IssuedToken:
            if user.status not in (UserStatus.PROVISIONED, UserStatus.RECOVERY):
                raise OktaError(E_WRONG_USER_STATUS)
            return self._issue(conn, user.id, "activation")

        user, token = self._transition(ref, change)
        assert token is not None
        return user, token

    def deactivate_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is UserStatus.DEPROVISIONED:
                # PARITY: Okta's answer for deactivating a deactivated user is unconfirmed.
                raise OktaError(E_WRONG_USER_STATUS)
            self._set_status(user, UserStatus.DEPROVISIONED)

        return self._transition(ref, change)[0]

    def suspend_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.ACTIVE:
                # Okta documents 400 E0000001 here (and 403 E0000038 for reactivate).
                # PARITY: the cause text is unconfirmed.
                raise OktaError(
                    E_API_VALIDATION, "status", causes=["Cannot suspend a user that is not active"]
                )
            self._set_status(user, UserStatus.SUSPENDED)

        return self._transition(ref, change)[0]

    def unsuspend_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.SUSPENDED:
                raise OktaError(
                    E_API_VALIDATION,
                    "status",
                    causes=["Cannot unsuspend a user that is not suspended"],
                )
            self._set_status(user, UserStatus.ACTIVE)

        return self._transition(ref, change)[0]

    def unlock_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.LOCKED_OUT:
                raise OktaError(E_UNLOCK_NOT_ALLOWED)
            self._set_status(user, UserStatus.ACTIVE)
            user.failed_logins = 0

        return self._transition(ref, change)[0]

    def reset_password(self, ref: str) -> tuple[User, IssuedToken]:
        """lifecycle/reset_password: to RECOVERY; the user cannot sign in until the reset ends."""

        def change(conn: sqlite3.Connection, user: User) -> IssuedToken:
            if user.status in (
                UserStatus.STAGED,
                UserStatus.DEPROVISIONED,
                UserStatus.SUSPENDED,
            ):
                # PARITY: which statuses Okta refuses, and with which code, is unconfirmed.
                raise OktaError(E_PASSWORD_RESET_FAILED)
            self._set_status(user, UserStatus.RECOVERY)
            return self._issue(conn, user.id, "reset")

        user, token = self._transition(ref, change)
        assert token is not None
        return user, token

    def expire_password(self, ref: str, *, temp_password: bool = False) -> tuple[User, str | None]:
        """lifecycle/expire_password[_with_temp_password]: to PASSWORD_EXPIRED."""
        temp: list[str] = []

        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status not in (
                UserStatus.ACTIVE,
                UserStatus.PASSWORD_EXPIRED,
                UserStatus.RECOVERY,
                UserStatus.LOCKED_OUT,
            ):
                raise OktaError(E_WRONG_USER_STATUS)
            if temp_password:
                value = self.ids.token(8) + "aA1"
                temp.append(value)
                user.password = NativeHash.of(value, self.ids.salt())
                user.provider = ProviderType.OKTA
                user.password_changed = self.now_ms()
            elif user.password is None:
                raise OktaError(E_WRONG_USER_STATUS)
            self._set_status(user, UserStatus.PASSWORD_EXPIRED)

        user = self._transition(ref, change)[0]
        return user, temp[0] if temp else None

    def change_password(
        self,
        ref: str,
        old: object,
        new: object,
        *,
        policy_error: ErrorSpec = E_CREDENTIALS_UPDATE_FAILED,
    ) -> User:
        """credentials/change_password: the old password must verify; RECOVERY/EXPIRED to ACTIVE."""
        allowed = (
            UserStatus.STAGED,
            UserStatus.ACTIVE,
            UserStatus.PASSWORD_EXPIRED,
            UserStatus.RECOVERY,
        )
        user = self.get_user(ref)
        if user.status not in allowed or user.password is None:
            raise OktaError(E_CHANGE_PASSWORD_NOT_ALLOWED)
        if not isinstance(old, str) or not self.check_password(user, old):
            raise OktaError(
                E_CREDENTIALS_UPDATE_FAILED,
                causes=["oldPassword: The credentials provided were incorrect."],
            )
        problem = password_problem(new, user.login)
        if problem:
            # PARITY: E0000014 with the policy cause (Users API) and E0000080 (Authn API).
            raise OktaError(policy_error, causes=[f"password: {problem}"])
        assert isinstance(new, str)
        with self.db.write() as conn:
            current = self._load(conn, ref)
            if current.version != user.version:
                raise OktaError(E_CREDENTIALS_UPDATE_FAILED)
            current.password = NativeHash.of(new, self.ids.salt())
            current.provider = ProviderType.OKTA
            current.password_changed = self.now_ms()
            if current.status in (UserStatus.RECOVERY, UserStatus.PASSWORD_EXPIRED):
                self._set_status(current, UserStatus.ACTIVE)
            return self._save(conn, current)

    # ----- passwords (used by authn)

    def check_password(self, user: User, password: str) -> bool:
        """Verify against whatever the user has; a hook user is never verified here."""
        stored = user.password
        if isinstance(stored, NativeHash):
            return stored.verify(password)
        if isinstance(stored, PasswordHash):
            return verify(password, stored, self.runtime().sha256_salt)
        return False

    def record_sign_in(
        self, user: User, *, success: bool, verified_password: str | None = None
    ) -> User:
        """Count a password attempt: a success resets the count; failures lock the user out.

        `verified_password` is an imported password that just verified: Okta re-hashes it into
        its own form, so later sign-ins never pay bcrypt or call the hook again.
        """
        runtime = self.runtime()
        with self.db.write() as conn:
            current = self._load(conn, user.id)
            if success:
                current.failed_logins = 0
                current.last_login = self.now_ms()
                if verified_password is not None and current.password == user.password:
                    current.password = NativeHash.of(verified_password, self.ids.salt())
            else:
                current.failed_logins += 1
                limit = runtime.lockout_attempts
                if (
                    limit
                    and current.failed_logins >= limit
                    and current.status
                    in (
                        UserStatus.ACTIVE,
                        UserStatus.PASSWORD_EXPIRED,
                    )
                ):
                    self._set_status(current, UserStatus.LOCKED_OUT)
            return self._save(conn, current, touch=not success)

    def auto_unlock(self, user: User) -> User:
        """Unlock a LOCKED_OUT user whose auto-unlock time (if any) has passed."""
        minutes = self.runtime().auto_unlock_minutes
        if user.status is not UserStatus.LOCKED_OUT or not minutes or user.status_changed is None:
            return user
        unlock_at = user.status_changed + minutes * 60_000 / self.runtime().time_scale
        if self.now_ms() < unlock_at:
            return user
        with self.db.write() as conn:
            current = self._load(conn, user.id)
            if current.status is UserStatus.LOCKED_OUT:
                self._set_status(current, UserStatus.ACTIVE)
                current.failed_logins = 0
                return self._save(conn, current)
            return current

    def issue_token(self, user_id: str, kind: str, seconds: float) -> str:
        with self.db.write() as conn:
            token = self.ids.token(26)
            conn.execute(
                "INSERT INTO tokens (token, kind, user_id, expires_at) VALUES (?, ?, ?, ?)",
                (token, kind, user_id, self.clock.now() + seconds / self.runtime().time_scale),
            )
            return token

    def token_user(self, token: str, kind: str) -> User | None:
        """The user a live token of `kind` belongs to, or None."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT user_id, expires_at FROM tokens WHERE token = ? AND kind = ?",
                (token, kind),
            ).fetchone()
            if row is None or float(row[1]) < self.clock.now():
                return None
            return self._find(conn, str(row[0]))

    def consume_token(self, token: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM tokens WHERE token = ?", (token,))


def _page_limit(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    try:
        limit = int(text)
    except ValueError:
        raise OktaError(E_INVALID_PAGING) from None
    if limit < 1:
        raise OktaError(E_INVALID_PAGING)
    return min(limit, MAX_PAGE)  # Okta caps a page at the maximum rather than refusing
