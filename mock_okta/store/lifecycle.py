"""Okta's user lifecycle: activate, reactivate, deactivate, suspend, unsuspend, unlock,
reset_password, expire_password (reference.md §1 table, statuses and errors)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from mock_okta.apps.user_lifecycle import deprovision_app_users, restore_app_users
from mock_okta.errors import (
    E_ALREADY_ACTIVE,
    E_API_VALIDATION,
    E_PASSWORD_RESET_FAILED,
    E_UNLOCK_NOT_ALLOWED,
    E_WRONG_USER_STATUS,
    OktaError,
)
from mock_okta.hashing import NativeHash
from mock_okta.models import (
    ProviderType,
    User,
    UserStatus,
)
from mock_okta.store.base import (
    IssuedToken,
    StoreBase,
)


class LifecycleOperations(StoreBase):
    """Status transitions, each allowed only from the statuses Okta documents."""

    def _transition(
        self,
        ref: str,
        change: Callable[[sqlite3.Connection, User], IssuedToken | None],
        event_type: str,
    ) -> tuple[User, IssuedToken | None]:
        with self.db.write() as conn:
            user = self._load(conn, ref)
            token = change(conn, user)
            if event_type:
                self.log_event(conn, event_type, user)
            return self._save(conn, user), token

    def activate_user(self, ref: str) -> tuple[User, IssuedToken]:
        """lifecycle/activate: STAGED/DEPROVISIONED to ACTIVE (PROVISIONED with no password)."""

        def change(conn: sqlite3.Connection, user: User) -> IssuedToken:
            if user.status not in (UserStatus.STAGED, UserStatus.DEPROVISIONED):
                # PARITY: Okta documents E0000016 for an active user; used for every other status.
                raise OktaError(E_ALREADY_ACTIVE)
            if user.status is UserStatus.DEPROVISIONED:
                restore_app_users(conn, user.id, self.now_ms())
            has_password = user.password is not None
            self._set_status(user, UserStatus.ACTIVE if has_password else UserStatus.PROVISIONED)
            user.activated = user.status_changed
            return self._issue(conn, user.id, "activation")

        user, token = self._transition(ref, change, "user.lifecycle.activate")
        assert token is not None
        return user, token

    def reactivate_user(self, ref: str) -> tuple[User, IssuedToken]:
        """lifecycle/reactivate: PROVISIONED (or RECOVERY) only; else 403 E0000038."""

        def change(conn: sqlite3.Connection, user: User) -> IssuedToken:
            if user.status not in (UserStatus.PROVISIONED, UserStatus.RECOVERY):
                raise OktaError(E_WRONG_USER_STATUS)
            return self._issue(conn, user.id, "activation")

        user, token = self._transition(ref, change, "user.lifecycle.reactivate")
        assert token is not None
        return user, token

    def deactivate_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is UserStatus.DEPROVISIONED:
                # PARITY: Okta's answer for deactivating a deactivated user is unconfirmed.
                raise OktaError(E_WRONG_USER_STATUS)
            self._set_status(user, UserStatus.DEPROVISIONED)
            deprovision_app_users(conn, user.id, self.now_ms())

        return self._transition(ref, change, "user.lifecycle.deactivate")[0]

    def suspend_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.ACTIVE:
                # Okta documents 400 E0000001 here (and 403 E0000038 for reactivate).
                # PARITY: the cause text is unconfirmed.
                raise OktaError(
                    E_API_VALIDATION, "status", causes=["Cannot suspend a user that is not active"]
                )
            self._set_status(user, UserStatus.SUSPENDED)

        return self._transition(ref, change, "user.lifecycle.suspend")[0]

    def unsuspend_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.SUSPENDED:
                raise OktaError(
                    E_API_VALIDATION,
                    "status",
                    causes=["Cannot unsuspend a user that is not suspended"],
                )
            self._set_status(user, UserStatus.ACTIVE)

        return self._transition(ref, change, "user.lifecycle.unsuspend")[0]

    def unlock_user(self, ref: str) -> User:
        def change(conn: sqlite3.Connection, user: User) -> None:
            if user.status is not UserStatus.LOCKED_OUT:
                # The cause recorded from a real org (okta-sdk-python's cassettes, 2025).
                raise OktaError(E_UNLOCK_NOT_ALLOWED, causes=["The user is not locked out."])
            self._set_status(user, UserStatus.ACTIVE)
            user.failed_logins = 0

        return self._transition(ref, change, "user.account.unlock")[0]

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

        user, token = self._transition(ref, change, "user.account.reset_password")
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

        user = self._transition(ref, change, "user.account.expire_password")[0]
        return user, temp[0] if temp else None
