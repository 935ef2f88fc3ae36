"""Okta's hash object from a legacy password (the one implementation) and `mock-okta hash`.

    mock-okta hash --algorithm SHA-256 --password P [--salt S --salt-order PREFIX]
    mock-okta hash --algorithm BCRYPT --password P [--work-factor 10]
    mock-okta hash --from-legacy '{"scheme": "sha1", "hex": "…", "salt": "…",
                                   "saltPosition": "prefix"}'

Rules from reference.md §2: bcrypt is split into workFactor, salt and value (no `$2?$` prefix);
hex digests become the Base64 of the raw digest; Okta Base64-decodes the salt of SHA-512, SHA-1,
MD5 and PBKDF2 but reads a SHA-256 salt literally; PBKDF2 needs iterationCount >= 4096.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence

import bcrypt

from mock_okta.hashing import (
    DEFAULT_SHA256_SALT,
    DIGESTS,
    PBKDF2_DIGESTS,
    PBKDF2_MIN_ITERATIONS,
    DigestAlgorithm,
    HashAlgorithm,
    PasswordHash,
    SaltEncoding,
    SaltOrder,
)
from mock_okta.tools.legacy import (
    BcryptLegacy,
    DigestLegacy,
    LegacyFormatError,
    LegacyPassword,
    OtherLegacy,
    Pbkdf2Legacy,
    ScryptLegacy,
    bcrypt_salt,
    parse_legacy,
)

HOOK_FIX = (
    "use the password import inline hook: create the user with credentials.password.hook"
    ' {"type": "default"} and let the hook check the password against the legacy store'
)
MAX_WORK_FACTOR = 20
SCHEME_ALGORITHMS: Mapping[str, HashAlgorithm] = {
    "sha256": HashAlgorithm.SHA256,
    "sha512": HashAlgorithm.SHA512,
    "sha1": HashAlgorithm.SHA1,
    "md5": HashAlgorithm.MD5,
}
PBKDF2_ALGORITHMS: Mapping[str, DigestAlgorithm] = {
    "pbkdf2_sha256": DigestAlgorithm.SHA256_HMAC,
    "pbkdf2_sha512": DigestAlgorithm.SHA512_HMAC,
}


class EncodeError(ValueError):
    """A password Okta's hash object cannot carry; the message names the fix."""


class NeedsImportHook(EncodeError):
    """The legacy hash exists but Okta cannot import it: only the inline hook can migrate it."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def okta_salt(algorithm: HashAlgorithm, salt: bytes, sha256_salt: SaltEncoding) -> str:
    """The `salt` field that makes Okta use exactly the bytes `salt`."""
    # PARITY: Okta reads a SHA-256 salt as literal text (devforum 3613) but Base64-decodes the
    # others; `sha256_salt` follows the mock's --sha256-salt for an org that behaves otherwise.
    if algorithm is HashAlgorithm.SHA256 and sha256_salt is not SaltEncoding.BASE64:
        try:
            return salt.decode("utf-8")
        except UnicodeDecodeError:
            raise EncodeError(
                "Okta reads a SHA-256 salt as text, and this salt is not UTF-8 text: " + HOOK_FIX
            ) from None
    return _b64(salt)


def to_okta_hash(
    legacy: LegacyPassword | Mapping[str, object],
    *,
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT,
) -> PasswordHash:
    """Okta's `credentials.password.hash` for a legacy password (a dataset line's `password`)."""
    if isinstance(legacy, Mapping):
        try:
            legacy = parse_legacy(legacy)
        except LegacyFormatError as exc:
            raise EncodeError(str(exc)) from None
    if isinstance(legacy, BcryptLegacy):
        return _bcrypt(legacy)
    if isinstance(legacy, DigestLegacy):
        return _digest(legacy, sha256_salt)
    if isinstance(legacy, Pbkdf2Legacy):
        return _pbkdf2(legacy)
    scheme = "scrypt" if isinstance(legacy, ScryptLegacy) else legacy.scheme
    assert isinstance(legacy, ScryptLegacy | OtherLegacy)
    raise NeedsImportHook(f"Okta cannot import {scheme} hashes: {HOOK_FIX}")


def _bcrypt(legacy: BcryptLegacy) -> PasswordHash:
    if not 1 <= legacy.cost <= MAX_WORK_FACTOR:
        raise NeedsImportHook(
            f"Okta imports bcrypt with a cost of 1 to {MAX_WORK_FACTOR}, not {legacy.cost}:"
            f" {HOOK_FIX}"
        )
    # PARITY: the $2a$/$2b$/$2y$ prefix is dropped; Okta checks the split fields as bcrypt.
    return PasswordHash(HashAlgorithm.BCRYPT, legacy.checksum, legacy.salt, work_factor=legacy.cost)


def _digest(legacy: DigestLegacy, sha256_salt: SaltEncoding) -> PasswordHash:
    algorithm = SCHEME_ALGORITHMS[legacy.scheme]
    value = _b64(bytes.fromhex(legacy.hex))
    if legacy.salt is None:
        return PasswordHash(algorithm, value)
    order = SaltOrder.POSTFIX if legacy.position == "suffix" else SaltOrder.PREFIX
    salt = okta_salt(algorithm, legacy.salt.encode("utf-8"), sha256_salt)
    return PasswordHash(algorithm, value, salt, order)


def _pbkdf2(legacy: Pbkdf2Legacy) -> PasswordHash:
    if legacy.iterations < PBKDF2_MIN_ITERATIONS:
        raise NeedsImportHook(
            f"Okta imports PBKDF2 with at least {PBKDF2_MIN_ITERATIONS} iterations, not"
            f" {legacy.iterations}: {HOOK_FIX}"
        )
    key = base64.b64decode(legacy.key)
    # PARITY: Okta's PBKDF2 salt is taken as Base64 (as the spec says of every non-bcrypt
    # salt), so Django's salt text is sent as the Base64 of its UTF-8 bytes.
    return PasswordHash(
        HashAlgorithm.PBKDF2,
        _b64(key),
        _b64(legacy.salt.encode("utf-8")),
        iteration_count=legacy.iterations,
        key_size=len(key),
        digest_algorithm=PBKDF2_ALGORITHMS[legacy.scheme],
    )


def hash_password(
    algorithm: HashAlgorithm,
    password: str,
    *,
    salt: bytes | None = None,
    salt_order: SaltOrder = SaltOrder.PREFIX,
    work_factor: int = 10,
    iterations: int = PBKDF2_MIN_ITERATIONS,
    digest: DigestAlgorithm = DigestAlgorithm.SHA256_HMAC,
    key_size: int | None = None,
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT,
) -> PasswordHash:
    """Hash `password` the way Okta verifies `algorithm` (for BCRYPT, `salt` is 16 raw bytes)."""
    pw = password.encode("utf-8")
    if algorithm is HashAlgorithm.BCRYPT:
        if not 4 <= work_factor <= MAX_WORK_FACTOR:
            # Okta takes 1 to 20; the bcrypt library computes 4 and up.
            raise EncodeError(
                f"this tool hashes bcrypt with a workFactor of 4 to {MAX_WORK_FACTOR}"
            )
        if len(pw) > 72:
            raise EncodeError("bcrypt reads at most 72 bytes of a password; this one is longer")
        salt22 = bcrypt_salt(salt if salt is not None else os.urandom(16))
        full = bcrypt.hashpw(pw, f"$2b${work_factor:02d}${salt22}".encode()).decode()
        return PasswordHash(algorithm, full[29:], full[7:29], work_factor=work_factor)
    if algorithm is HashAlgorithm.PBKDF2:
        if iterations < PBKDF2_MIN_ITERATIONS:
            raise EncodeError(f"Okta needs iterationCount >= {PBKDF2_MIN_ITERATIONS}")
        raw_salt = salt if salt is not None else os.urandom(16)
        name = PBKDF2_DIGESTS[digest]
        size = key_size or hashlib.new(name).digest_size
        key = hashlib.pbkdf2_hmac(name, pw, raw_salt, iterations, dklen=size)
        return PasswordHash(
            algorithm,
            _b64(key),
            _b64(raw_salt),
            iteration_count=iterations,
            key_size=size,
            digest_algorithm=digest,
        )
    if not salt:
        return PasswordHash(algorithm, _b64(hashlib.new(DIGESTS[algorithm], pw).digest()))
    data = pw + salt if salt_order is SaltOrder.POSTFIX else salt + pw
    value = _b64(hashlib.new(DIGESTS[algorithm], data).digest())
    return PasswordHash(algorithm, value, okta_salt(algorithm, salt, sha256_salt), salt_order)


# ----- command line


def read_json_arg(text: str) -> object:
    """A JSON argument: inline, `@path`, a path to a file, or `-` for stdin."""
    if text == "-":
        source = sys.stdin.read()
    elif text.startswith("@") or (
        not text.lstrip().startswith(("{", "[")) and os.path.isfile(text)
    ):
        with open(text.removeprefix("@"), encoding="utf-8") as fh:
            source = fh.read()
    else:
        source = text
    return json.loads(source)


def legacy_password_of(data: object) -> object:
    """The `password` object of a dataset line, or the object itself when it is one."""
    if isinstance(data, Mapping) and "password" in data and "scheme" not in data:
        return data["password"]
    return data


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta hash",
        description="Print Okta's credentials.password.hash object as JSON.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--algorithm",
        choices=[a.value for a in HashAlgorithm],
        help="hash --password the way Okta verifies this algorithm",
    )
    source.add_argument(
        "--from-legacy",
        metavar="JSON",
        help="convert a legacy password object (or dataset line); @FILE or - for stdin",
    )
    p.add_argument("--password", help="the plaintext (with --algorithm)")
    p.add_argument(
        "--salt",
        help="the salt text as your system mixes it in (BCRYPT: 22 characters of ./A-Za-z0-9);"
        " the output holds it as Okta wants it",
    )
    p.add_argument("--salt-order", choices=[o.value for o in SaltOrder], default="PREFIX")
    p.add_argument("--work-factor", type=int, default=10, help="BCRYPT cost (default 10)")
    p.add_argument("--iterations", type=int, default=PBKDF2_MIN_ITERATIONS, help="PBKDF2")
    p.add_argument("--key-size", type=int, help="PBKDF2 derived key bytes (default: digest size)")
    p.add_argument(
        "--digest-algorithm", choices=[d.value for d in DigestAlgorithm], default="SHA256_HMAC"
    )
    add_sha256_salt_option(p)
    return p


def add_sha256_salt_option(parser: argparse.ArgumentParser) -> None:
    """`--sha256-salt`, the one setting where orgs may differ (see hashing.DEFAULT_SHA256_SALT)."""
    parser.add_argument(
        "--sha256-salt",
        choices=[e.value for e in SaltEncoding],
        default=DEFAULT_SHA256_SALT.value,
        help="how the target Okta reads a SHA-256 salt (default: literal, as Okta did in"
        " devforum thread 3613 and the mock does)",
    )


def _salt_bytes(algorithm: HashAlgorithm, salt: str | None) -> bytes | None:
    if salt is None:
        return None
    if algorithm is not HashAlgorithm.BCRYPT:
        return salt.encode("utf-8")
    decoded = _bcrypt_salt_bytes(salt)
    if decoded is None:
        raise EncodeError("a BCRYPT --salt is 22 characters of bcrypt's alphabet ./A-Za-z0-9")
    return decoded


def _bcrypt_salt_bytes(salt: str) -> bytes | None:
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    if len(salt) != 22 or any(c not in alphabet for c in salt):
        return None
    standard = salt.translate(
        str.maketrans(alphabet, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    )
    return base64.b64decode(standard + "==")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    sha256_salt = SaltEncoding(args.sha256_salt)
    try:
        if args.from_legacy is not None:
            try:
                data = read_json_arg(args.from_legacy)
            except (OSError, ValueError) as exc:
                parser.error(f"--from-legacy is not JSON or a readable file: {exc}")
            raw = legacy_password_of(data)
            if not isinstance(raw, Mapping):
                parser.error("--from-legacy must be a JSON object (a legacy password or line)")
            result = to_okta_hash(raw, sha256_salt=sha256_salt)
        else:
            if args.password is None:
                parser.error("--algorithm needs --password")
            algorithm = HashAlgorithm(args.algorithm)
            result = hash_password(
                algorithm,
                args.password,
                salt=_salt_bytes(algorithm, args.salt),
                salt_order=SaltOrder(args.salt_order),
                work_factor=args.work_factor,
                iterations=args.iterations,
                digest=DigestAlgorithm(args.digest_algorithm),
                key_size=args.key_size,
                sha256_salt=sha256_salt,
            )
    except EncodeError as exc:
        print(f"mock-okta hash: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_okta(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
