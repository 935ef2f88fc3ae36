"""Legacy password formats: how the old system stores a password, builds it, and checks it.

The record shapes (the `password` object of a dataset line):
- `{"scheme": "bcrypt", "hash": "$2b$10$<22-char salt><31-char checksum>"}` ($2a$ and $2y$ too)
- `{"scheme": "sha256"|"sha512"|"sha1"|"md5", "hex": "<lowercase hex>", "salt": "<text>"|null,
  "saltPosition": "prefix"|"suffix"|null}`: the digest of salt bytes + password bytes, in order
- `{"scheme": "pbkdf2_sha256"|"pbkdf2_sha512", "hash": "<algorithm>$<iterations>$<salt>$<b64>"}`
  (Django's format; the salt's UTF-8 bytes are the PBKDF2 salt)
- `{"scheme": "scrypt", "hash": "scrypt$<n>$<salt>$<r>$<p>$<b64>"}` (Django's format), or any
  other scheme: Okta cannot import these.

Pure and light (hashlib and bcrypt only): pool workers import this module alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import bcrypt

DIGEST_SCHEMES: Final = ("sha256", "sha512", "sha1", "md5")
PBKDF2_SCHEMES: Final = ("pbkdf2_sha256", "pbkdf2_sha512")
BCRYPT_PREFIXES: Final = ("2a", "2b", "2y")
SALT_POSITIONS: Final = ("prefix", "suffix")
DIGEST_SIZES: Final = {"sha256": 32, "sha512": 64, "sha1": 20, "md5": 16}
PBKDF2_KEY_SIZES: Final = {"pbkdf2_sha256": 32, "pbkdf2_sha512": 64}
SCRYPT_KEY_SIZE: Final = 64  # Django's ScryptPasswordHasher

_STANDARD64: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT64: Final = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TO_BCRYPT64: Final = str.maketrans(_STANDARD64, _BCRYPT64)
_BCRYPT_RE: Final = re.compile(r"\$(2[aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})")
_HEX_RE: Final = re.compile(r"(?:[0-9a-fA-F]{2})+")


class LegacyFormatError(ValueError):
    """A legacy password object that does not follow any known format."""


@dataclass(frozen=True, slots=True)
class BcryptLegacy:
    prefix: str  # "2a", "2b" or "2y"
    cost: int
    salt: str  # 22 characters of bcrypt's alphabet
    checksum: str  # 31 characters

    @property
    def hash(self) -> str:
        return f"${self.prefix}${self.cost:02d}${self.salt}{self.checksum}"


@dataclass(frozen=True, slots=True)
class DigestLegacy:
    scheme: str  # sha256, sha512, sha1, md5
    hex: str
    salt: str | None = None
    position: str | None = None  # "prefix" or "suffix"


@dataclass(frozen=True, slots=True)
class Pbkdf2Legacy:
    scheme: str  # pbkdf2_sha256 or pbkdf2_sha512
    iterations: int
    salt: str
    key: str  # standard Base64 of the derived key

    @property
    def digest(self) -> str:
        return self.scheme.removeprefix("pbkdf2_")

    @property
    def hash(self) -> str:
        return f"{self.scheme}${self.iterations}${self.salt}${self.key}"


@dataclass(frozen=True, slots=True)
class ScryptLegacy:
    n: int
    salt: str
    r: int
    p: int
    key: str

    @property
    def hash(self) -> str:
        return f"scrypt${self.n}${self.salt}${self.r}${self.p}${self.key}"


@dataclass(frozen=True, slots=True)
class OtherLegacy:
    """A scheme this module cannot check (argon2 and the like)."""

    scheme: str
    hash: str


LegacyPassword = BcryptLegacy | DigestLegacy | Pbkdf2Legacy | ScryptLegacy | OtherLegacy


# ----- the wire shape


def to_json(p: LegacyPassword) -> dict[str, object]:
    """The `password` object of a dataset line."""
    if isinstance(p, BcryptLegacy):
        return {"scheme": "bcrypt", "hash": p.hash}
    if isinstance(p, DigestLegacy):
        return {"scheme": p.scheme, "hex": p.hex, "salt": p.salt, "saltPosition": p.position}
    if isinstance(p, Pbkdf2Legacy):
        return {"scheme": p.scheme, "hash": p.hash}
    if isinstance(p, ScryptLegacy):
        return {"scheme": "scrypt", "hash": p.hash}
    return {"scheme": p.scheme, "hash": p.hash}


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise LegacyFormatError(f"password.{key} must be a non-empty string")
    return value


def parse_legacy(raw: object) -> LegacyPassword:
    """Read a dataset line's `password` object; LegacyFormatError says what is wrong."""
    if not isinstance(raw, Mapping):
        raise LegacyFormatError("the legacy password must be a JSON object with a 'scheme'")
    scheme = _text(raw, "scheme").lower()
    if scheme == "bcrypt":
        return parse_bcrypt(_text(raw, "hash"))
    if scheme in DIGEST_SCHEMES:
        return _parse_digest(scheme, raw)
    if scheme in PBKDF2_SCHEMES:
        return parse_pbkdf2(_text(raw, "hash"), scheme)
    if scheme == "scrypt":
        return parse_scrypt(_text(raw, "hash"))
    return OtherLegacy(scheme, str(raw.get("hash") or ""))


def parse_bcrypt(text: str) -> BcryptLegacy:
    match = _BCRYPT_RE.fullmatch(text)
    if match is None:
        raise LegacyFormatError(
            "password.hash must be a bcrypt string: $2a$, $2b$ or $2y$, a two-digit cost,"
            " then 22 salt and 31 checksum characters of ./A-Za-z0-9"
        )
    prefix, cost, salt, checksum = match.groups()
    return BcryptLegacy(prefix, int(cost), salt, checksum)


def _parse_digest(scheme: str, raw: Mapping[str, object]) -> DigestLegacy:
    hex_ = _text(raw, "hex")
    if not _HEX_RE.fullmatch(hex_) or len(hex_) != 2 * DIGEST_SIZES[scheme]:
        raise LegacyFormatError(
            f"password.hex must be the {DIGEST_SIZES[scheme] * 2}-character hex digest of {scheme}"
        )
    salt = raw.get("salt")
    position = raw.get("saltPosition")
    if salt is None or salt == "":
        return DigestLegacy(scheme, hex_.lower())
    if not isinstance(salt, str):
        raise LegacyFormatError("password.salt must be a string or null")
    if position not in SALT_POSITIONS:
        raise LegacyFormatError('password.saltPosition must be "prefix" or "suffix" with a salt')
    return DigestLegacy(scheme, hex_.lower(), salt, str(position))


def parse_pbkdf2(text: str, scheme: str | None = None) -> Pbkdf2Legacy:
    parts = text.split("$")
    if len(parts) != 4 or parts[0] not in PBKDF2_SCHEMES or not parts[1].isdigit():
        raise LegacyFormatError(
            "password.hash must be Django's pbkdf2_sha256$<iterations>$<salt>$<base64 key>"
        )
    if scheme is not None and parts[0] != scheme:
        raise LegacyFormatError(f"password.scheme is {scheme} but the hash says {parts[0]}")
    if _b64decode(parts[3]) is None:
        raise LegacyFormatError("the derived key in password.hash must be standard Base64")
    return Pbkdf2Legacy(parts[0], int(parts[1]), parts[2], parts[3])


def parse_scrypt(text: str) -> ScryptLegacy:
    parts = text.split("$")
    numbers = (parts[1], parts[3], parts[4]) if len(parts) == 6 else ()
    if parts[0] != "scrypt" or not numbers or not all(n.isdigit() for n in numbers):
        raise LegacyFormatError("password.hash must be Django's scrypt$<n>$<salt>$<r>$<p>$<b64>")
    return ScryptLegacy(int(parts[1]), parts[2], int(parts[3]), int(parts[4]), parts[5])


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# ----- building hashes (the legacy system's side)


def bcrypt_salt(raw: bytes) -> str:
    """16 random bytes in bcrypt's radix-64 alphabet (22 characters, canonical)."""
    return base64.b64encode(raw).decode("ascii")[:22].translate(_TO_BCRYPT64)


def salted(password: bytes, salt: bytes, position: str | None) -> bytes:
    return password + salt if position == "suffix" else salt + password


def make_digest(scheme: str, password: str, salt: str | None, position: str | None) -> str:
    data = salted(password.encode("utf-8"), (salt or "").encode("utf-8"), position)
    return hashlib.new(scheme, data).hexdigest()


def make_bcrypt(password: str, salt: str, cost: int, prefix: str = "2b") -> str:
    # $2a$, $2b$ and $2y$ compute alike for passwords under 255 bytes; the prefix is a label.
    full = bcrypt.hashpw(password.encode("utf-8"), f"$2b${cost:02d}${salt}".encode("ascii"))
    return f"${prefix}" + full.decode("ascii")[3:]


def make_pbkdf2(scheme: str, password: str, salt: str, iterations: int) -> str:
    key = hashlib.pbkdf2_hmac(
        scheme.removeprefix("pbkdf2_"),
        password.encode("utf-8"),
        salt.encode("utf-8"),
        iterations,
        dklen=PBKDF2_KEY_SIZES[scheme],
    )
    return f"{scheme}${iterations}${salt}${base64.b64encode(key).decode('ascii')}"


def make_scrypt(password: str, salt: str, n: int, r: int = 8, p: int = 1) -> str:
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt.encode("utf-8"), n=n, r=r, p=p, dklen=SCRYPT_KEY_SIZE
    )
    return f"scrypt${n}${salt}${r}${p}${base64.b64encode(key).decode('ascii')}"


# A slow hash to compute, possibly in another process: (kind, password, salt, param, extra).
Job = tuple[str, str, str, int, str]


def compute(job: Job) -> str:
    """Run one slow legacy hash; a pure function of the job, so any process gives the same."""
    kind, password, salt, param, extra = job
    if kind == "bcrypt":
        return make_bcrypt(password, salt, param, extra)
    if kind in PBKDF2_SCHEMES:
        return make_pbkdf2(kind, password, salt, param)
    if kind == "scrypt":
        return make_scrypt(password, salt, param)
    raise ValueError(f"unknown job kind {kind!r}")


def compute_all(jobs: Sequence[Job]) -> list[str]:
    return [compute(job) for job in jobs]


# ----- checking a password (the legacy system's login)


def verify_legacy(password: str, p: LegacyPassword) -> bool | None:
    """Whether the legacy system accepts `password`; None for schemes this module cannot check."""
    pw = password.encode("utf-8")
    if isinstance(p, BcryptLegacy):
        if len(pw) > 72:
            pw = pw[:72]
        return bcrypt.checkpw(pw, b"$2b" + p.hash[3:].encode("ascii"))
    if isinstance(p, DigestLegacy):
        candidate = make_digest(p.scheme, password, p.salt, p.position)
        return hmac.compare_digest(candidate, p.hex.lower())
    if isinstance(p, Pbkdf2Legacy):
        candidate = make_pbkdf2(p.scheme, password, p.salt, p.iterations)
        return hmac.compare_digest(candidate, p.hash)
    if isinstance(p, ScryptLegacy):
        return hmac.compare_digest(make_scrypt(password, p.salt, p.n, p.r, p.p), p.hash)
    return None
