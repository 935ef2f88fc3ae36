"""Okta's imported password hashes: parsing, validation and one pure verifier per algorithm.

Rules: Okta's `PasswordCredentialHash` (management OpenAPI spec) and the documented examples in
`shared/okta/reference.md` §2. No Flask, no store.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import bcrypt

from mock_okta.errors import OktaError, validation_error


class HashAlgorithm(StrEnum):
    BCRYPT = "BCRYPT"
    SHA512 = "SHA-512"
    SHA256 = "SHA-256"
    SHA1 = "SHA-1"
    MD5 = "MD5"
    PBKDF2 = "PBKDF2"


class SaltOrder(StrEnum):
    PREFIX = "PREFIX"
    POSTFIX = "POSTFIX"


class DigestAlgorithm(StrEnum):
    SHA256_HMAC = "SHA256_HMAC"
    SHA512_HMAC = "SHA512_HMAC"


class SaltEncoding(StrEnum):
    """How Okta reads the `salt` of a SHA-256 hash."""

    LITERAL = "literal"  # the salt string's UTF-8 bytes
    BASE64 = "base64"  # the Base64-decoded salt, as for SHA-512, SHA-1 and MD5
    EITHER = "either"  # accept a password that verifies under either reading


# PARITY: SHA-256 uses the salt string literally, unlike SHA-512/SHA-1/MD5 which Base64-decode it.
# Evidence: Okta's own answer on devforum thread 3613 (salt "MPu13OmY" used as UTF-8, verified by
# logging in) against the SHA-512 support article (salt Base64-decoded). Configurable with
# `--sha256-salt` / MOCK_OKTA_SHA256_SALT for an org that behaves otherwise.
DEFAULT_SHA256_SALT: Final = SaltEncoding.LITERAL

DIGESTS: Final[Mapping[HashAlgorithm, str]] = {
    HashAlgorithm.SHA512: "sha512",
    HashAlgorithm.SHA256: "sha256",
    HashAlgorithm.SHA1: "sha1",
    HashAlgorithm.MD5: "md5",
}
PBKDF2_DIGESTS: Final[Mapping[DigestAlgorithm, str]] = {
    DigestAlgorithm.SHA256_HMAC: "sha256",
    DigestAlgorithm.SHA512_HMAC: "sha512",
}
BCRYPT_ALPHABET: Final = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_BCRYPT_RE: Final = re.compile(r"[./A-Za-z0-9]+")
_BASE64_RE: Final = re.compile(r"[A-Za-z0-9+/]*={0,2}")
PBKDF2_MIN_ITERATIONS: Final = 4096
# PARITY: the spec sets no maximum; Okta reads an integer field as a Java int.
MAX_INT: Final = 2**31 - 1
MAX_BCRYPT_PASSWORD_BYTES: Final = 72


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """Okta's hash object, validated."""

    algorithm: HashAlgorithm
    value: str
    salt: str | None = None
    salt_order: SaltOrder | None = None
    work_factor: int | None = None
    iteration_count: int | None = None
    key_size: int | None = None
    digest_algorithm: DigestAlgorithm | None = None

    def to_okta(self) -> dict[str, object]:
        """The hash object as Okta's API spells it."""
        out: dict[str, object] = {"algorithm": self.algorithm.value}
        if self.work_factor is not None:
            out["workFactor"] = self.work_factor
        if self.iteration_count is not None:
            out["iterationCount"] = self.iteration_count
        if self.key_size is not None:
            out["keySize"] = self.key_size
        if self.digest_algorithm:
            out["digestAlgorithm"] = self.digest_algorithm.value
        if self.salt is not None:
            out["salt"] = self.salt
        if self.salt_order:
            out["saltOrder"] = self.salt_order.value
        if self.value is not None:
            out["value"] = self.value
        return out


def decode_base64(text: str) -> bytes | None:
    """Standard Base64 with padding optional (Okta accepted unpadded SHA-256 values)."""
    if not _BASE64_RE.fullmatch(text):
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _invalid(message: str) -> OktaError:
    # PARITY: Okta's exact cause text for a malformed hash object is unconfirmed; the summary
    # and code follow the documented STAGED-only error ("Api validation failed: password").
    return validation_error("password", message)


def _int_field(raw: Mapping[str, object], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_INT <= value <= MAX_INT:
        raise _invalid(f"hash.{name} must be an integer")
    return value


def _str_field(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"hash.{name} must be a string")
    return value


_ALGORITHMS: Final[Mapping[str, HashAlgorithm]] = {a.value: a for a in HashAlgorithm}
_SALT_ORDERS: Final[Mapping[str, SaltOrder]] = {o.value: o for o in SaltOrder}


def parse_hash(raw: object) -> PasswordHash:
    """Validate Okta's `credentials.password.hash` object; refuse what Okta refuses at create."""
    if not isinstance(raw, Mapping):
        raise _invalid("hash must be an object")
    algorithm_text = _str_field(raw, "algorithm")
    if algorithm_text is None:
        raise _invalid("hash.algorithm is required")
    algorithm = _ALGORITHMS.get(algorithm_text)
    if algorithm is None:
        allowed = ", ".join(sorted(a.value for a in HashAlgorithm))
        raise _invalid(f"hash.algorithm must be one of {allowed}")
    value = _str_field(raw, "value")
    if not value:
        raise _invalid("hash.value is required")
    salt = _str_field(raw, "salt")
    order_text = _str_field(raw, "saltOrder")
    salt_order = None
    if order_text is not None:
        salt_order = _SALT_ORDERS.get(order_text)
        if salt_order is None:
            raise _invalid("hash.saltOrder must be PREFIX or POSTFIX")

    if algorithm is HashAlgorithm.BCRYPT:
        return _parse_bcrypt(raw, value, salt)
    if algorithm is HashAlgorithm.PBKDF2:
        return _parse_pbkdf2(raw, value, salt)
    if decode_base64(value) is None:
        raise _invalid(f"hash.value must be Base64 for {algorithm.value}")
    if salt and salt_order is None:
        raise _invalid("hash.saltOrder is required when a salt is given")
    return PasswordHash(algorithm, value, salt or None, salt_order if salt else None)


def _parse_bcrypt(raw: Mapping[str, object], value: str, salt: str | None) -> PasswordHash:
    work_factor = _int_field(raw, "workFactor")
    if work_factor is None or not 1 <= work_factor <= 20:
        raise _invalid("hash.workFactor must be an integer from 1 to 20 for BCRYPT")
    if salt is None or len(salt) != 22 or not _BCRYPT_RE.fullmatch(salt):
        raise _invalid("hash.salt must be 22 characters of bcrypt's alphabet ./A-Za-z0-9")
    if len(value) != 31 or not _BCRYPT_RE.fullmatch(value):
        raise _invalid("hash.value must be the 31-character bcrypt checksum")
    return PasswordHash(HashAlgorithm.BCRYPT, value, salt, work_factor=work_factor)


def _parse_pbkdf2(raw: Mapping[str, object], value: str, salt: str | None) -> PasswordHash:
    iterations = _int_field(raw, "iterationCount")
    if iterations is None or iterations < PBKDF2_MIN_ITERATIONS:
        raise _invalid(f"hash.iterationCount must be at least {PBKDF2_MIN_ITERATIONS}")
    key_size = _int_field(raw, "keySize")
    if key_size is None or not 1 <= key_size <= 1024:
        raise _invalid("hash.keySize must be the derived key length in bytes")
    digest_text = _str_field(raw, "digestAlgorithm")
    try:
        digest = DigestAlgorithm(digest_text or "")
    except ValueError:
        raise _invalid("hash.digestAlgorithm must be SHA256_HMAC or SHA512_HMAC") from None
    if not salt:
        raise _invalid("hash.salt is required for PBKDF2")
    if decode_base64(value) is None:
        raise _invalid("hash.value must be Base64 for PBKDF2")
    return PasswordHash(
        HashAlgorithm.PBKDF2,
        value,
        salt,
        iteration_count=iterations,
        key_size=key_size,
        digest_algorithm=digest,
    )


def salt_bytes(h: PasswordHash, sha256_salt: SaltEncoding) -> list[bytes]:
    """The byte strings Okta may have used as the salt (more than one only for EITHER)."""
    if not h.salt:
        return [b""]
    literal = h.salt.encode("utf-8")
    decoded = decode_base64(h.salt)
    if h.algorithm is HashAlgorithm.SHA256:
        if sha256_salt is SaltEncoding.LITERAL:
            return [literal]
        if sha256_salt is SaltEncoding.BASE64:
            return [decoded] if decoded is not None else []
        return [literal] + ([decoded] if decoded is not None else [])
    return [decoded] if decoded is not None else []


def _salted(password: bytes, salt: bytes, order: SaltOrder | None) -> bytes:
    return password + salt if order is SaltOrder.POSTFIX else salt + password


def _verify_digest(password: str, h: PasswordHash, sha256_salt: SaltEncoding) -> bool:
    expected = decode_base64(h.value)
    if expected is None:
        return False
    pw = password.encode("utf-8")
    return any(
        hmac.compare_digest(
            hashlib.new(DIGESTS[h.algorithm], _salted(pw, salt, h.salt_order)).digest(),
            expected,
        )
        for salt in salt_bytes(h, sha256_salt)
    )


def bcrypt_string(h: PasswordHash, prefix: str = "2b") -> bytes:
    """Rebuild `$2b$NN$<salt><value>` from Okta's split fields ($2a$/$2b$/$2y$ verify alike)."""
    return f"${prefix}${h.work_factor:02d}${h.salt}{h.value}".encode("ascii")


def _verify_bcrypt(password: str, h: PasswordHash, sha256_salt: SaltEncoding) -> bool:
    pw = password.encode("utf-8")[:MAX_BCRYPT_PASSWORD_BYTES]  # bcrypt reads 72 bytes at most
    try:
        return bcrypt.checkpw(pw, bcrypt_string(h))
    except ValueError:  # a salt bcrypt cannot decode never verifies
        return False


def _verify_pbkdf2(password: str, h: PasswordHash, sha256_salt: SaltEncoding) -> bool:
    expected = decode_base64(h.value)
    if expected is None or h.digest_algorithm is None or h.iteration_count is None:
        return False
    # PARITY: the PBKDF2 salt is Base64-decoded, as the spec says for every non-bcrypt salt;
    # Okta's documented PBKDF2 example could not be recovered to confirm it.
    return any(
        hmac.compare_digest(
            hashlib.pbkdf2_hmac(
                PBKDF2_DIGESTS[h.digest_algorithm],
                password.encode("utf-8"),
                salt,
                h.iteration_count,
                dklen=h.key_size,
            ),
            expected,
        )
        for salt in salt_bytes(h, sha256_salt)
    )


Verifier = Callable[[str, PasswordHash, SaltEncoding], bool]

VERIFIERS: Final[Mapping[HashAlgorithm, Verifier]] = {
    HashAlgorithm.BCRYPT: _verify_bcrypt,
    HashAlgorithm.SHA512: _verify_digest,
    HashAlgorithm.SHA256: _verify_digest,
    HashAlgorithm.SHA1: _verify_digest,
    HashAlgorithm.MD5: _verify_digest,
    HashAlgorithm.PBKDF2: _verify_pbkdf2,
}


def verify(password: str, h: PasswordHash, sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT) -> bool:
    """True when Okta would accept `password` against the imported hash `h`."""
    return VERIFIERS[h.algorithm](password, h, sha256_salt)


@dataclass(frozen=True, slots=True)
class NativeHash:
    """The mock's own fast form, stored after a first successful sign-in (as Okta re-hashes)."""

    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, password: str, salt: bytes) -> NativeHash:
        return cls(salt, hashlib.sha256(salt + password.encode("utf-8")).digest())

    def verify(self, password: str) -> bool:
        candidate = hashlib.sha256(self.salt + password.encode("utf-8")).digest()
        return hmac.compare_digest(candidate, self.digest)
