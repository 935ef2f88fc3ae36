"""The `credentials` object of create and update requests, parsed into what the store keeps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mock_okta.errors import validation_error
from mock_okta.hashing import NativeHash, parse_hash
from mock_okta.models import HookPassword, ProviderType, RecoveryQuestion, StoredPassword
from mock_okta.profile import password_problem

STAGED_ONLY = "An imported password may only be specified for a user with status: STAGED"


@dataclass(frozen=True, slots=True)
class CredentialsInput:
    password: StoredPassword | None = None
    imported: bool = False  # a hash or a hook: written only on create or while STAGED
    recovery_question: RecoveryQuestion | None = None
    provider: tuple[ProviderType, str] | None = None

    @property
    def provider_type(self) -> ProviderType:
        if self.provider is not None:
            return self.provider[0]
        return ProviderType.IMPORT if self.imported else ProviderType.OKTA


def parse_credentials(raw: object, login: str, salt: Callable[[], bytes]) -> CredentialsInput:
    """Validate `credentials`; a plain password is checked against the default policy."""
    if raw is None:
        return CredentialsInput()
    if not isinstance(raw, Mapping):
        raise validation_error("credentials", "The value must be an object")
    password: StoredPassword | None = None
    imported = False
    pw = raw.get("password")
    if pw is not None:
        if not isinstance(pw, Mapping):
            raise validation_error("password", "The value must be an object")
        value, hashed, hook = pw.get("value"), pw.get("hash"), pw.get("hook")
        if (value is not None) + (hashed is not None) + (hook is not None) > 1:
            # PARITY: Okta's answer to more than one of value/hash/hook is unconfirmed.
            raise validation_error("password", "Only one of value, hash or hook may be given")
        if value is not None:
            problem = password_problem(value, login)
            if problem:
                raise validation_error("password", problem)
            password = NativeHash.of(str(value), salt())
        elif hashed is not None:
            password = parse_hash(hashed)
            imported = True
        elif hook is not None:
            password = _parse_hook(hook)
            imported = True
    recovery, provider = raw.get("recovery_question"), raw.get("provider")
    return CredentialsInput(
        password,
        imported,
        None if recovery is None else _parse_recovery(recovery, salt),
        None if provider is None else _parse_provider(provider),
    )


def _parse_hook(raw: object) -> HookPassword:
    if not isinstance(raw, Mapping) or raw.get("type") != "default":
        raise validation_error("password", 'hook.type must be "default"')
    return HookPassword("default")


def _parse_recovery(raw: object, salt: Callable[[], bytes]) -> RecoveryQuestion | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise validation_error("recovery_question", "The value must be an object")
    question, answer = raw.get("question"), raw.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise validation_error("recovery_question", "The field cannot be left blank")
    if not isinstance(answer, str) or len(answer) < 4:
        # PARITY: Okta's default recovery policy wants an answer of at least 4 characters.
        raise validation_error("recovery_question", "The answer must be at least 4 characters")
    return RecoveryQuestion(question, NativeHash.of(answer.casefold(), salt()))


def _parse_provider(raw: object) -> tuple[ProviderType, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise validation_error("provider", "The value must be an object")
    try:
        kind = ProviderType(str(raw.get("type", "OKTA")))
    except ValueError:
        raise validation_error("provider", "Unknown provider type") from None
    return kind, str(raw.get("name") or kind.value)
