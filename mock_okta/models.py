"""Domain entities: users and the credentials the mock keeps for them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from mock_okta.hashing import (
    DigestAlgorithm,
    HashAlgorithm,
    NativeHash,
    PasswordHash,
    SaltOrder,
)


class UserStatus(StrEnum):
    STAGED = "STAGED"
    PROVISIONED = "PROVISIONED"
    ACTIVE = "ACTIVE"
    RECOVERY = "RECOVERY"
    LOCKED_OUT = "LOCKED_OUT"
    PASSWORD_EXPIRED = "PASSWORD_EXPIRED"
    SUSPENDED = "SUSPENDED"
    DEPROVISIONED = "DEPROVISIONED"


class ProviderType(StrEnum):
    OKTA = "OKTA"
    IMPORT = "IMPORT"
    ACTIVE_DIRECTORY = "ACTIVE_DIRECTORY"
    LDAP = "LDAP"
    FEDERATION = "FEDERATION"
    SOCIAL = "SOCIAL"


# Statuses in which a password sign-in can succeed.
CAN_SIGN_IN: Final = frozenset(
    {UserStatus.ACTIVE, UserStatus.PASSWORD_EXPIRED, UserStatus.LOCKED_OUT}
)


@dataclass(frozen=True, slots=True)
class HookPassword:
    """`credentials.password.hook`: the password is verified by the import inline hook."""

    type: str = "default"


StoredPassword = PasswordHash | NativeHash | HookPassword

Profile = dict[str, object]


@dataclass(frozen=True, slots=True)
class RecoveryQuestion:
    question: str
    answer: NativeHash


@dataclass(slots=True)
class User:
    id: str
    status: UserStatus
    created: int  # epoch milliseconds, as every timestamp here
    last_updated: int
    profile: Profile
    provider: ProviderType = ProviderType.OKTA
    password: StoredPassword | None = None
    recovery_question: RecoveryQuestion | None = None
    type_id: str = ""
    activated: int | None = None
    status_changed: int | None = None
    last_login: int | None = None
    password_changed: int | None = None
    failed_logins: int = 0
    version: int = 1
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        """A weak ETag that changes with every write (If-Match on update compares it)."""
        return f'W/"{self.last_updated:x}-{self.version:x}"'

    @property
    def login(self) -> str:
        login = self.profile.get("login")
        return login if isinstance(login, str) else ""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def password_to_json(password: StoredPassword | None) -> str | None:
    """The stored form of a credential (never leaves the store)."""
    if password is None:
        return None
    if isinstance(password, PasswordHash):
        return json.dumps({"kind": "hash", **password.to_okta()})
    if isinstance(password, NativeHash):
        return json.dumps(
            {"kind": "native", "salt": _b64(password.salt), "digest": _b64(password.digest)}
        )
    return json.dumps({"kind": "hook", "type": password.type})


def _opt_int(raw: dict[str, object], key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) else None


def password_from_json(text: str | None) -> StoredPassword | None:
    if text is None:
        return None
    raw = json.loads(text)
    kind = raw.get("kind")
    if kind == "native":
        return NativeHash(base64.b64decode(raw["salt"]), base64.b64decode(raw["digest"]))
    if kind == "hook":
        return HookPassword(str(raw.get("type", "default")))
    return PasswordHash(
        algorithm=HashAlgorithm(raw["algorithm"]),
        value=raw["value"],
        salt=raw.get("salt"),
        salt_order=SaltOrder(raw["saltOrder"]) if raw.get("saltOrder") else None,
        work_factor=_opt_int(raw, "workFactor"),
        iteration_count=_opt_int(raw, "iterationCount"),
        key_size=_opt_int(raw, "keySize"),
        digest_algorithm=(
            DigestAlgorithm(raw["digestAlgorithm"]) if raw.get("digestAlgorithm") else None
        ),
    )


def recovery_to_json(rq: RecoveryQuestion | None) -> str | None:
    if rq is None:
        return None
    return json.dumps(
        {"question": rq.question, "salt": _b64(rq.answer.salt), "digest": _b64(rq.answer.digest)}
    )


def recovery_from_json(text: str | None) -> RecoveryQuestion | None:
    if text is None:
        return None
    raw = json.loads(text)
    answer = NativeHash(base64.b64decode(raw["salt"]), base64.b64decode(raw["digest"]))
    return RecoveryQuestion(raw["question"], answer)
