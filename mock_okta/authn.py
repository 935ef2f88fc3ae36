"""The Classic Authentication API's primary authentication (`POST /api/v1/authn`), as a domain.

Behaviour from reference.md §4 (AUTHN): SUCCESS with a one-time sessionToken, PASSWORD_EXPIRED
with a stateToken, and 401 E0000004 for everything else, lockout included (Okta's default policy
hides lockout failures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Protocol

from mock_okta.errors import (
    E_AUTHENTICATION_FAILED,
    E_AUTHN_WRONG_STATE,
    E_INVALID_TOKEN,
    E_PASSWORD_POLICY,
    OktaError,
    validation_error,
)
from mock_okta.hashing import PasswordHash, SaltEncoding
from mock_okta.hooks import NO_ACTIVE_HOOK, HookReport, RequestContext
from mock_okta.models import CAN_SIGN_IN, HookPassword, User, UserStatus
from mock_okta.profile import POLICY_MESSAGE
from mock_okta.store import Store

TRANSACTION_SECONDS: Final = 300  # sessionToken and stateToken live 5 minutes (AUTHN)
# The cause of a new password the policy refuses (AUTHN "Change password"; okta-auth-js's
# recorded answer test/support/xhr/password-expired-error-complexity.js, code E0000080).
AUTHN_POLICY_CAUSE: Final = (
    "Passwords must have at least 8 characters, a lowercase letter, an uppercase letter,"
    " a number, no parts of your username"
)

Diagnose = Callable[[str, PasswordHash, SaltEncoding], str]


class PasswordImportHook(Protocol):
    """Asks the org's password import inline hook whether a password is right."""

    def verify(self, username: str, password: str, context: RequestContext) -> HookReport: ...


@dataclass(frozen=True, slots=True)
class AuthnResult:
    status: str
    user: User
    expires_at: float
    session_token: str | None = None
    state_token: str | None = None
    hook: HookReport | None = None  # what the password import inline hook answered, if called


class HookRejected(OktaError):
    """401 E0000004 after the password import inline hook did not verify the password."""

    def __init__(self, detail: str, hook: HookReport) -> None:
        super().__init__(E_AUTHENTICATION_FAILED, detail=detail)
        self.hook = hook


def _failed(detail: str) -> OktaError:
    return OktaError(E_AUTHENTICATION_FAILED, detail=detail)


class Authn:
    def __init__(
        self,
        store: Store,
        *,
        diagnose: Diagnose | None = None,
        hook: PasswordImportHook | None = None,
    ) -> None:
        self.store = store
        self.diagnose = diagnose
        self.hook = hook

    def authn_primary(
        self,
        username: object,
        password: object,
        context: RequestContext | None = None,
        *,
        keep_session_token: bool = True,
    ) -> AuthnResult:
        """Primary authentication with username and password; `context` is for the hook.

        `keep_session_token=False` (the OAuth password grant) skips storing the sessionToken
        no one will exchange."""
        if not isinstance(username, str) or not username:
            raise validation_error("username", "The field cannot be left blank")
        if not isinstance(password, str):
            raise validation_error("password", "The field cannot be left blank")
        user = self.store.find_by_login(username)
        if user is None:
            # PARITY: the reason of an unknown login is the one SIEM queries use (UNKNOWN_USER,
            # okta/okta-sdk-python#131); Okta's docs list VERIFICATION_ERROR too.
            self.store.record_refused_sign_in(username, None, "UNKNOWN_USER")
            raise _failed("no user with this login")
        user = self.store.auto_unlock(user)
        if user.status not in CAN_SIGN_IN:
            # PARITY: Okta's reason for a user who may not sign in (STAGED, SUSPENDED...).
            self.store.record_refused_sign_in(username, user, "INVALID_CREDENTIALS")
            raise _failed(f"user status is {user.status.value}")
        if user.status is UserStatus.LOCKED_OUT:
            self.store.record_refused_sign_in(username, user, "LOCKED_OUT")
            raise _failed("user is LOCKED_OUT")
        hook: HookReport | None = None
        if isinstance(user.password, HookPassword):
            hook = self._ask_hook(username, password, context)
            ok, detail = hook.verified, f"password import inline hook: {hook.result}"
        else:
            ok, detail = self._verify(user, password)
        verdict = (hook.verified, str(hook.result)) if hook is not None else None
        if not ok:
            self.store.record_sign_in(user, success=False, hook=verdict)
            raise HookRejected(detail, hook) if hook is not None else _failed(detail)
        # An imported hash or a hook-verified password is stored in the mock's own form (Okta
        # re-hashes it), so the hook is never called again for this user.
        verified = password if isinstance(user.password, PasswordHash | HookPassword) else None
        user = self.store.record_sign_in(
            user, success=True, verified_password=verified, hook=verdict
        )
        return replace(self._result(user, keep_session_token), hook=hook)

    def _ask_hook(self, username: str, password: str, context: RequestContext | None) -> HookReport:
        """Called with no database lock held: the hook may take seconds to answer."""
        if self.hook is None:
            return NO_ACTIVE_HOOK
        if context is None:
            context = RequestContext("", "POST", "/api/v1/authn", "", "")
        return self.hook.verify(username, password, context)

    def _verify(self, user: User, password: str) -> tuple[bool, str]:
        stored = user.password
        if stored is None:
            return False, "user has no password"
        if self.store.check_password(user, password):
            return True, "password verified"
        if isinstance(stored, PasswordHash):
            reason = f"password does not verify against the imported {stored.algorithm} hash"
            if self.diagnose is not None and self.store.runtime().diagnose_failed_logins:
                reason = self.diagnose(password, stored, self.store.runtime().sha256_salt)
            return False, reason
        return False, "wrong password"

    def _result(self, user: User, keep_session_token: bool = True) -> AuthnResult:
        expires = self.store.clock.now() + TRANSACTION_SECONDS
        if user.status is UserStatus.PASSWORD_EXPIRED:
            token = self.store.issue_token(user.id, "state", TRANSACTION_SECONDS)
            return AuthnResult("PASSWORD_EXPIRED", user, expires, state_token=token)
        session = "00" + self.store.ids.token(40)
        if keep_session_token:  # so /v1/authorize can exchange it once (okta-auth-js, widget)
            self.store.issue_token(user.id, "session", TRANSACTION_SECONDS, token=session)
        return AuthnResult("SUCCESS", user, expires, session_token=session)

    def authn_cancel(self, state_token: object) -> None:
        """POST /api/v1/authn/cancel: revoke the transaction's state token."""
        # PARITY: a missing state token is refused like an expired one (AUTHN: 401 E0000011);
        # Okta's answer to a cancel without one is unconfirmed.
        if not isinstance(state_token, str) or self.store.token_user(state_token, "state") is None:
            raise OktaError(E_INVALID_TOKEN)
        self.store.consume_token(state_token)

    def authn_change_password(self, state_token: object, old: object, new: object) -> AuthnResult:
        """POST /api/v1/authn/credentials/change_password for a PASSWORD_EXPIRED transaction."""
        if not isinstance(state_token, str):
            raise OktaError(E_INVALID_TOKEN)
        user = self.store.token_user(state_token, "state")
        if user is None:
            raise OktaError(E_INVALID_TOKEN)
        if user.status is not UserStatus.PASSWORD_EXPIRED:
            raise OktaError(E_AUTHN_WRONG_STATE, causes=[E_AUTHN_WRONG_STATE.summary])
        user = self.store.change_password(
            user.id, old, new, policy_error=E_PASSWORD_POLICY, policy_cause=_policy_cause
        )
        self.store.consume_token(state_token)
        return self._result(user)


def _policy_cause(problem: str) -> str:
    return AUTHN_POLICY_CAUSE if problem == POLICY_MESSAGE else problem
