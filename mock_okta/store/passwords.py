"""Passwords: change_password, verification for sign-in, lockout, and one-time tokens."""

from __future__ import annotations

from collections.abc import Callable

from mock_okta.errors import (
    E_CHANGE_PASSWORD_NOT_ALLOWED,
    E_CREDENTIALS_UPDATE_FAILED,
    ErrorSpec,
    OktaError,
)
from mock_okta.hashing import NativeHash, PasswordHash, verify
from mock_okta.models import (
    ProviderType,
    User,
    UserStatus,
)
from mock_okta.profile import password_problem
from mock_okta.store.base import (
    StoreBase,
    user_party,
)
from mock_okta.syslog import FAILURE, Event, Party


class PasswordOperations(StoreBase):
    """Changing and checking passwords, counting sign-ins, and one-time tokens."""

    def change_password(
        self,
        ref: str,
        old: object,
        new: object,
        *,
        policy_error: ErrorSpec = E_CREDENTIALS_UPDATE_FAILED,
        policy_cause: Callable[[str], str] = lambda problem: f"password: {problem}",
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
            raise OktaError(policy_error, causes=[policy_cause(problem)])
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
            self.log_event(conn, "user.account.update_password", current)
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
        self,
        user: User,
        *,
        success: bool,
        verified_password: str | None = None,
        hook: tuple[bool, str] | None = None,
    ) -> User:
        """Count a password attempt: a success resets the count; failures lock the user out.

        `verified_password` is an imported password that just verified: Okta re-hashes it into
        its own form, so later sign-ins never pay bcrypt or call the hook again.
        """
        runtime = self.runtime()
        with self.db.write() as conn:
            current = self._load(conn, user.id)
            me = user_party(current)
            if hook is not None:  # the hook's verdict: when SUCCESS, the legacy hash can go
                verified, answer = hook
                self.log_event(
                    conn, "user.import.password", current, ok=verified,
                    reason=None if verified else answer, actor=me,
                )  # fmt: skip
            self.log_event(
                conn, "user.session.start", current, ok=success,
                reason=None if success else "INVALID_CREDENTIALS", actor=me,
            )  # fmt: skip
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
                    self.log_event(conn, "user.account.lock", current, actor=me)
            return self._save(conn, current, touch=not success)

    def record_refused_sign_in(self, username: str, user: User | None, reason: str) -> None:
        """user.session.start FAILURE for a sign-in refused before any password check."""
        if self.syslog is None:
            return
        # PARITY: Okta's actor for an unknown login is undocumented: its login, type User.
        actor = user_party(user) if user else Party("unknown", "User", username, "unknown")
        targets = (actor,) if user else ()
        self.syslog.record_now(Event("user.session.start", targets, actor, FAILURE, reason))

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

    def issue_token(
        self, user_id: str, kind: str, seconds: float, *, token: str | None = None
    ) -> str:
        with self.db.write() as conn:
            token = token or self.ids.token(26)
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
