"""Why a password does not verify against an imported hash: the likely mistake, and its fix.

Pure: no Flask, no store. Each known mistake (reference.md §2, devforum threads 3613 and 11620)
is undone in turn, alone and in pairs, until a reading verifies; the sentence names what was
undone. Digest variants cost microseconds; bcrypt and PBKDF2 variants are few, and every
diagnosis has one time budget (half a second on the server): a PBKDF2 derivation that would not
fit in what is left is not started, and the sentence says what the budget left unchecked.
Sentences name fields and settings, never the password, the salt or the hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

import bcrypt

from mock_okta.errors import OktaError
from mock_okta.hashing import (
    DEFAULT_SHA256_SALT,
    DIGESTS,
    MAX_BCRYPT_PASSWORD_BYTES,
    PBKDF2_DIGESTS,
    PBKDF2_MIN_ITERATIONS,
    DigestAlgorithm,
    HashAlgorithm,
    PasswordHash,
    SaltEncoding,
    SaltOrder,
    bcrypt_string,
    decode_base64,
    parse_hash,
    salt_bytes,
    verify,
)

HOOK_FIX: Final = "use the password import inline hook instead of importing this hash"
# Seconds a diagnosis may take: a failed sign-in on the server stays cheap, the doctor looks
# further. bcrypt work is planned from it in cost-10 checks (~70 ms each), never less than four
# checks at the declared cost; PBKDF2 derivations are timed (2,000,000 iterations take ~1 s).
SERVER_BUDGET: Final = 0.5
DOCTOR_BUDGET: Final = 16.0
CALIBRATION_ITERATIONS: Final = 2000  # a PBKDF2 derivation timed to estimate the real ones
MIN_BCRYPT_CHECKS: Final = 4
DIGEST_SIZES: Final = {alg: hashlib.new(name).digest_size for alg, name in DIGESTS.items()}
UTF16: Final = ("utf-16-le", "utf-16-be", "utf-16")
_HEX_RE: Final = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BCRYPT64: Final = r"[./A-Za-z0-9]"
_BCRYPT_FULL_RE: Final = re.compile(
    rf"\$(2[abxy]?)\$(\d\d)\$({_BCRYPT64}{{22}})({_BCRYPT64}{{31}})"
)
_BCRYPT_PREFIX_RE: Final = re.compile(r"\$(2[abxy]?)\$(\d\d)\$(.*)")
_BCRYPT_TEXT_RE: Final = re.compile(rf"{_BCRYPT64}+")
UNCHECKED: Final = "\x00"  # between what was checked and what the budget left unchecked
UNIMPORTABLE: Final = ("ARGON", "SCRYPT", "CRYPT", "SSHA", "NTLM", "WHIRLPOOL", "SHA3")


@dataclass(frozen=True, slots=True)
class Mistake:
    code: str
    what: str
    fix: str


# Codes, for tests and tools to match on (the sentences may change).
HEX_VALUE: Final = "hex-value"
SALT_NOT_ENCODED: Final = "salt-not-encoded"
SALT_ENCODED: Final = "salt-encoded"
SALT_DOUBLE_ENCODED: Final = "salt-double-encoded"
SALT_NOT_USED: Final = "salt-not-used"
SALT_ORDER: Final = "salt-order-swapped"
SALT_ORDER_MISSING: Final = "salt-order-missing"
ALGORITHM_LABEL: Final = "algorithm-label"
ALGORITHM_NAME: Final = "algorithm-name"
PASSWORD_UTF16: Final = "password-utf16"
BCRYPT_NOT_SPLIT: Final = "bcrypt-not-split"
BCRYPT_SPLIT_WRONG: Final = "bcrypt-split-wrong"
BCRYPT_PREFIX: Final = "bcrypt-prefix"
WORK_FACTOR: Final = "work-factor"
FIELD_TYPE: Final = "field-type"
VALUE_URLSAFE: Final = "value-urlsafe"
PBKDF2_NOT_SPLIT: Final = "pbkdf2-not-split"
PBKDF2_DIGEST: Final = "pbkdf2-digest"
KEY_SIZE: Final = "key-size"
NEEDS_HOOK: Final = "needs-import-hook"


@dataclass(slots=True)
class Budget:
    """The time one diagnosis may take, on an injected timer (seconds, monotonic)."""

    seconds: float
    timer: Callable[[], float] = time.perf_counter
    started: float = field(init=False)
    ran_out: bool = False

    def __post_init__(self) -> None:
        self.started = self.timer()

    def allows(self, estimate: float = 0.0) -> bool:
        """Whether work estimated at `estimate` seconds fits in what is left; once not, never."""
        if not self.ran_out and self.timer() - self.started + estimate > self.seconds:
            self.ran_out = True
        return not self.ran_out


@dataclass(frozen=True, slots=True)
class Finding:
    """What `examine` found: whether Okta verifies, and the mistakes that explain why not."""

    verifies: bool
    algorithm: str = ""
    mistakes: tuple[Mistake, ...] = ()
    confirmed: bool = False  # undoing `mistakes` makes the password verify
    refused: str | None = None  # why Okta refuses the object at create, if it does
    checked: str = ""
    unchecked: str = ""  # what the time budget left unchecked, if it ran out
    budget: float = 0.0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.mistakes)

    def reason(self) -> str:
        """The mistakes and their fix, or why none was found."""
        what = "; and ".join(m.what for m in self.mistakes)
        fix = "; ".join(dict.fromkeys(m.fix for m in self.mistakes))
        if self.mistakes and self.confirmed:
            return f"{what}. Fix: {fix}."
        if self.mistakes:
            return (
                f"no known variant verifies with this password; but {what}."
                f" Fix: {fix}, then check the password."
            )
        if self.refused:
            return "fix the field the cause names, then check again."
        if self.unchecked:
            checked = f" (checked {self.checked})" if self.checked else ""
            return (
                f"no known variant verifies{checked}; the diagnosis ran out of its"
                f" {self.budget:g} s time budget before checking {self.unchecked}"
                " (mock-okta doctor looks further)."
            )
        return (
            f"no known variant verifies (checked {self.checked}), so the password is probably"
            " not the one this hash was made from."
        )

    def explain(self) -> str:
        """One sentence: the verdict, the most likely mistake, and the fix."""
        label = f"{self.algorithm} hash" if self.algorithm else "hash"
        if self.verifies:
            return f"Okta will verify this password against this {label}."
        if self.refused:
            return f"Okta refuses this hash object at create ({self.refused}): {self.reason()}"
        return f"The password does not verify against this {label}: {self.reason()}"


# ----- entry points


def diagnose(
    password: str,
    h: PasswordHash,
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT,
    *,
    budget: float = SERVER_BUDGET,
    timer: Callable[[], float] = time.perf_counter,
) -> str:
    """The sentence for a failed sign-in's journal `detail` (the seam in authn.Authn).

    The sign-in has already found that the password does not verify: that is not done again.
    """
    finding = examine(password, h, sha256_salt, budget=budget, timer=timer, failed=True)
    if finding.verifies:
        return finding.explain()
    return f"password does not verify against the imported {h.algorithm.value} hash: " + (
        finding.reason()
    )


def examine(
    password: str,
    h: PasswordHash,
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT,
    *,
    budget: float = SERVER_BUDGET,
    timer: Callable[[], float] = time.perf_counter,
    failed: bool = False,
) -> Finding:
    """Whether `password` verifies against `h` and, if not, the mistakes that explain it.

    `failed`: the caller knows it does not verify. All the work fits in `budget` seconds on
    `timer`, the check of `h` itself aside.
    """
    algorithm = h.algorithm.value
    if not failed and verify(password, h, sha256_salt):
        return Finding(True, algorithm)
    clock = Budget(budget, timer)
    if h.algorithm is HashAlgorithm.BCRYPT:
        mistakes, checked = _bcrypt(password, h, clock)
    elif h.algorithm is HashAlgorithm.PBKDF2:
        mistakes, checked = _pbkdf2(password, h, clock)
    else:
        mistakes, checked = _digest(password, h, sha256_salt, clock)
    if mistakes is not None:
        return Finding(False, algorithm, mistakes, confirmed=True)
    if clock.ran_out:
        done, _, left = checked.partition(UNCHECKED)
        return Finding(False, algorithm, _hints(h), checked=done, unchecked=left, budget=budget)
    return Finding(False, algorithm, _hints(h), checked=checked)


def examine_object(
    password: str,
    raw: object,
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT,
    *,
    budget: float = DOCTOR_BUDGET,
) -> Finding:
    """As `examine`, for a hash object as a tool would send it, refused at create or not."""
    try:
        h = parse_hash(raw)
    except OktaError as exc:
        refused = f"{exc.spec.code} {'; '.join(exc.causes) or exc.summary}"
        repairs, repaired = _repair(password, raw)
        if not repairs or repaired is None:
            final = any(m.code == NEEDS_HOOK for m in repairs)
            return Finding(False, _algorithm_of(raw), repairs, confirmed=final, refused=refused)
        try:
            fixed = parse_hash(repaired)
        except OktaError:
            return Finding(False, _algorithm_of(raw), repairs, refused=refused)
        sub = examine(password, fixed, sha256_salt, budget=budget)
        return Finding(
            False,
            fixed.algorithm.value,
            repairs + sub.mistakes,
            confirmed=sub.verifies or sub.confirmed,
            refused=refused,
        )
    return examine(password, h, sha256_salt, budget=budget)


def _algorithm_of(raw: object) -> str:
    value = raw.get("algorithm") if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) else ""


# ----- SHA-512, SHA-256, SHA-1, MD5


def _hex_digest(value: str) -> bytes | None:
    if _HEX_RE.fullmatch(value) and len(value) // 2 in DIGEST_SIZES.values():
        return bytes.fromhex(value)
    return None


def _salted(password: bytes, salt: bytes, order: SaltOrder | None) -> bytes:
    return password + salt if order is SaltOrder.POSTFIX else salt + password


def _salt_readings(
    h: PasswordHash, sha256_salt: SaltEncoding
) -> list[tuple[Mistake | None, bytes]]:
    if not h.salt:
        return [(None, b"")]
    name = h.algorithm.value
    okta = salt_bytes(h, sha256_salt)
    readings: list[tuple[Mistake | None, bytes]] = [(None, s) for s in okta]
    literal = h.salt.encode("utf-8")
    decoded = decode_base64(h.salt)
    if literal not in okta:
        readings.append(
            (
                Mistake(
                    SALT_NOT_ENCODED,
                    f"the salt was sent as the text it is, but Okta Base64-decodes the salt of"
                    f" {name}",
                    "send the Base64 encoding of the salt's bytes as salt",
                ),
                literal,
            )
        )
    if decoded is not None and decoded not in okta:
        readings.append(
            (
                Mistake(
                    SALT_ENCODED,
                    f"the salt was Base64-encoded, but Okta uses a {name} salt as the text it is",
                    "send the salt text itself, not its Base64 (the mock reads SHA-256 salts"
                    " literally; see --sha256-salt)",
                ),
                decoded,
            )
        )
    twice = decode_base64(decoded.decode("ascii", "replace")) if decoded else None
    if twice is not None and twice not in okta and twice != literal:
        readings.append(
            (
                Mistake(
                    SALT_DOUBLE_ENCODED,
                    "the salt was Base64-encoded twice",
                    "Base64-encode the salt's raw bytes once",
                ),
                twice,
            )
        )
    readings.append(
        (
            Mistake(
                SALT_NOT_USED,
                "the digest was computed without the salt",
                "omit salt and saltOrder, or send the salt the digest was computed with",
            ),
            b"",
        )
    )
    return readings


def _order_readings(h: PasswordHash) -> list[tuple[Mistake | None, SaltOrder | None]]:
    if not h.salt:
        return [(None, h.salt_order)]
    given = h.salt_order or SaltOrder.PREFIX
    other = SaltOrder.POSTFIX if given is SaltOrder.PREFIX else SaltOrder.PREFIX
    shape = "password then salt" if other is SaltOrder.POSTFIX else "salt then password"
    swapped = Mistake(
        SALT_ORDER,
        f"saltOrder is {given.value}, but the digest is of {shape}",
        f"set saltOrder to {other.value}",
    )
    return [(None, given), (swapped, other)]


def _utf16() -> Mistake:
    return Mistake(
        PASSWORD_UTF16,
        "the password was hashed as UTF-16, and Okta hashes its UTF-8 bytes",
        "Okta cannot verify UTF-16 hashes: " + HOOK_FIX,
    )


def _encodings() -> list[tuple[Mistake | None, str]]:
    utf16 = _utf16()
    return [(None, "utf-8")] + [(utf16, e) for e in UTF16]


def _label(declared: HashAlgorithm, size: int) -> tuple[HashAlgorithm, Mistake] | None:
    for algorithm, digest_size in DIGEST_SIZES.items():
        if digest_size == size and algorithm is not declared:
            return algorithm, Mistake(
                ALGORITHM_LABEL,
                f"the digest is {size} bytes, the size of {algorithm.value}, not {declared.value}",
                f"set algorithm to {algorithm.value}",
            )
    return None


Candidate = tuple[tuple[Mistake, ...], HashAlgorithm, bytes, bytes, SaltOrder | None, str]


def _digest_candidates(h: PasswordHash, sha256_salt: SaltEncoding) -> Iterator[Candidate]:
    values: list[tuple[Mistake | None, bytes]] = []
    decoded = decode_base64(h.value)
    if decoded is not None:
        values.append((None, decoded))
    hex_digest = _hex_digest(h.value)
    if hex_digest is not None:
        values.append(
            (
                Mistake(
                    HEX_VALUE,
                    "the value is a hex digest, but Okta reads value as Base64",
                    "send the Base64 of the raw digest bytes (hex-decode, then Base64-encode)",
                ),
                hex_digest,
            )
        )
    found: list[tuple[int, int, Candidate]] = []
    dims = (values, _salt_readings(h, sha256_salt), _order_readings(h), _encodings())
    for index, combo in enumerate(itertools.product(*dims)):
        (vm, expected), (sm, salt), (om, order), (em, encoding) = combo
        if om is not None and not salt:
            continue  # the order of an empty salt changes nothing
        mistakes = tuple(m for m in (vm, sm, om, em) if m is not None)
        algorithm = h.algorithm
        if len(expected) != DIGEST_SIZES[algorithm]:
            relabel = _label(algorithm, len(expected))
            if relabel is None:
                continue
            algorithm, label = relabel
            mistakes += (label,)
        if 0 < len(mistakes) <= 2:
            found.append(
                (len(mistakes), index, (mistakes, algorithm, expected, salt, order, encoding))
            )
    for _, _, candidate in sorted(found, key=lambda f: (f[0], f[1])):
        yield candidate


def _digest(
    password: str, h: PasswordHash, sha256_salt: SaltEncoding, budget: Budget
) -> tuple[tuple[Mistake, ...] | None, str]:
    for mistakes, algorithm, expected, salt, order, encoding in _digest_candidates(h, sha256_salt):
        if not budget.allows():
            return None, f"some variants{UNCHECKED}the rest of the digest variants"
        try:
            pw = password.encode(encoding)
        except UnicodeEncodeError:
            continue
        actual = hashlib.new(DIGESTS[algorithm], _salted(pw, salt, order)).digest()
        if hmac.compare_digest(actual, expected):
            return mistakes, ""
    return None, "hex and Base64 values, salt encodings and order, algorithm labels, UTF-16"


def _hints(h: PasswordHash) -> tuple[Mistake, ...]:
    """Unconfirmed but telling: shapes that are wrong whatever the password."""
    if h.algorithm in DIGEST_SIZES:
        if _hex_digest(h.value) is not None:
            return (
                Mistake(
                    HEX_VALUE,
                    "the value looks like a hex digest, and Okta reads value as Base64",
                    "send the Base64 of the raw digest bytes",
                ),
            )
        decoded = decode_base64(h.value)
        size = DIGEST_SIZES[h.algorithm]
        if decoded is not None and len(decoded) != size:
            return (
                Mistake(
                    ALGORITHM_LABEL,
                    f"the value decodes to {len(decoded)} bytes, and a {h.algorithm.value}"
                    f" digest has {size}",
                    "check that algorithm matches the digest and value is its Base64",
                ),
            )
    if h.algorithm is HashAlgorithm.PBKDF2:
        decoded = decode_base64(h.value)
        if decoded is not None and h.key_size != len(decoded):
            return (_key_size(h.key_size, len(decoded)),)
    return ()


# ----- BCRYPT


def _bcrypt_checks(
    password: str, h: PasswordHash, budget: float
) -> Iterator[tuple[Mistake, bytes, int]]:  # `budget` in seconds, planned in cost-10 checks
    """(mistake, password bytes, cost) to try, cheapest first, within the budget."""
    declared = h.work_factor or 10
    allowed = max(budget * 2.0**10, MIN_BCRYPT_CHECKS * 2.0**declared)  # in cost-0 rounds
    options: list[tuple[float, Mistake, bytes, int]] = []
    pw = password.encode("utf-8")
    for cost in range(4, 21):
        if cost != declared:
            mistake = Mistake(
                WORK_FACTOR,
                f"workFactor is {declared}, but the hash was made with cost {cost}",
                f"set workFactor to {cost}, the two digits after the $2?$ prefix",
            )
            options.append((2.0**cost, mistake, pw, cost))
    options.append((2.0**declared, _utf16(), password.encode("utf-16-le"), declared))
    spent = 0.0
    for rounds, mistake, data, cost in sorted(options, key=lambda o: o[0]):
        spent += rounds
        if spent > allowed:
            return
        yield mistake, data, cost


def _bcrypt(
    password: str, h: PasswordHash, budget: Budget
) -> tuple[tuple[Mistake, ...] | None, str]:
    costs: list[str] = []
    planned = list(_bcrypt_checks(password, h, budget.seconds))
    for index, (mistake, data, cost) in enumerate(planned):
        if not budget.allows():
            left = sorted({str(c) for m, _, c in planned[index:] if m.code == WORK_FACTOR}, key=int)
            done = f"workFactor {', '.join(sorted(costs, key=int))}" if costs else ""
            return None, f"{done}{UNCHECKED}workFactor {', '.join(left) or 'variants'}"
        if mistake.code == WORK_FACTOR:
            costs.append(str(cost))
        candidate = bcrypt_string(replace(h, work_factor=cost))
        try:
            if bcrypt.checkpw(data[:MAX_BCRYPT_PASSWORD_BYTES], candidate):
                return (mistake,), ""
        except ValueError:
            continue
    return None, f"workFactor {', '.join(sorted(costs, key=int))} and UTF-16"


# ----- PBKDF2


def _key_size(given: int | None, size: int) -> Mistake:
    return Mistake(
        KEY_SIZE,
        f"keySize is {given}, but the value decodes to {size} bytes",
        f"set keySize to {size}",
    )


def _pbkdf2(
    password: str, h: PasswordHash, budget: Budget
) -> tuple[tuple[Mistake, ...] | None, str]:
    expected = decode_base64(h.value)
    if expected is None or h.salt is None or h.digest_algorithm is None:
        return None, "nothing: the value is not Base64"
    pw = password.encode("utf-8")
    base: tuple[Mistake, ...] = ()
    if h.key_size != len(expected):
        base = (_key_size(h.key_size, len(expected)),)
    salts: list[tuple[Mistake | None, bytes]] = [
        (None, s) for s in salt_bytes(h, SaltEncoding.BASE64)
    ]
    salts.append(
        (
            Mistake(
                SALT_NOT_ENCODED,
                "the salt was sent as the text it is, but Okta Base64-decodes the PBKDF2 salt",
                "send the Base64 encoding of the salt's bytes as salt",
            ),
            h.salt.encode("utf-8"),
        )
    )
    other = (
        DigestAlgorithm.SHA512_HMAC
        if h.digest_algorithm is DigestAlgorithm.SHA256_HMAC
        else DigestAlgorithm.SHA256_HMAC
    )
    digests: list[tuple[Mistake | None, DigestAlgorithm]] = [
        (None, h.digest_algorithm),
        (
            Mistake(
                PBKDF2_DIGEST,
                f"the key was derived with {other.value}, not {h.digest_algorithm.value}",
                f"set digestAlgorithm to {other.value}",
            ),
            other,
        ),
    ]
    combos = sorted(
        itertools.product(salts, digests),
        key=lambda c: (c[0][0] is not None) + (c[1][0] is not None),
    )
    iterations = max(h.iteration_count or PBKDF2_MIN_ITERATIONS, 1)
    per_iteration: dict[DigestAlgorithm, float] = {}  # seconds, timed on the budget's timer
    done: list[str] = []
    for (sm, salt), (dm, digest) in combos:
        mistakes = base + tuple(m for m in (sm, dm) if m is not None)
        if not mistakes:
            continue
        if digest not in per_iteration:
            before = budget.timer()
            hashlib.pbkdf2_hmac(PBKDF2_DIGESTS[digest], pw, salt, CALIBRATION_ITERATIONS)
            per_iteration[digest] = (budget.timer() - before) / CALIBRATION_ITERATIONS
        if not budget.allows(per_iteration[digest] * iterations):
            checked = ", ".join(done)
            left = f"{_reading(mistakes)} at {iterations} iterations, and the rest"
            return None, f"{checked}{UNCHECKED}{left}"
        actual = hashlib.pbkdf2_hmac(
            PBKDF2_DIGESTS[digest], pw, salt, iterations, dklen=len(expected)
        )
        if hmac.compare_digest(actual, expected):
            return mistakes, ""
        done.append(_reading(mistakes))
    return None, "keySize, salt encoding and digestAlgorithm"


def _reading(mistakes: tuple[Mistake, ...]) -> str:
    """A PBKDF2 reading in a few words: what it undoes."""
    words = {
        KEY_SIZE: "the decoded keySize",
        SALT_NOT_ENCODED: "the salt as text",
        PBKDF2_DIGEST: "the other digestAlgorithm",
    }
    return " with ".join(words.get(m.code, m.code) for m in mistakes)


# ----- hash objects Okta refuses at create


def _normal(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _repair(password: str, raw: object) -> tuple[tuple[Mistake, ...], dict[str, object] | None]:
    """Undo the mistakes that make Okta refuse an object; (mistakes, repaired object)."""
    if not isinstance(raw, Mapping):
        return (), None
    fixed = dict(raw)
    mistakes: list[Mistake] = []
    algorithm = fixed.get("algorithm")
    if isinstance(algorithm, str) and algorithm not in {a.value for a in HashAlgorithm}:
        wanted = {_normal(a.value): a.value for a in HashAlgorithm}.get(_normal(algorithm))
        if wanted is None:
            if any(_normal(algorithm).startswith(u) for u in UNIMPORTABLE):
                return (
                    Mistake(
                        NEEDS_HOOK,
                        f"Okta cannot import {algorithm} hashes",
                        HOOK_FIX,
                    ),
                ), None
            return (), None
        mistakes.append(
            Mistake(ALGORITHM_NAME, "algorithm is not spelled as Okta spells it", f"send {wanted}")
        )
        fixed["algorithm"] = algorithm = wanted
    if algorithm == HashAlgorithm.BCRYPT.value:
        mistakes += _repair_bcrypt(password, fixed)
    elif algorithm == HashAlgorithm.PBKDF2.value:
        more = _repair_pbkdf2(fixed)
        if more and more[-1].code == NEEDS_HOOK:
            return tuple(mistakes + more), None
        mistakes += more
    elif isinstance(algorithm, str):
        mistakes += _repair_digest(password, fixed)
    return tuple(mistakes), fixed


def _int_text(fixed: dict[str, object], key: str) -> list[Mistake]:
    value = fixed.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        fixed[key] = int(value)
        return [Mistake(FIELD_TYPE, f"{key} was sent as a string", f"send {key} as a JSON number")]
    return []


def _split(prefix: str, cost: str, rest: str, where: str) -> Mistake:
    return Mistake(
        BCRYPT_NOT_SPLIT if where == "whole" else BCRYPT_PREFIX,
        (
            f"value holds the whole ${prefix}$ bcrypt string"
            if where == "whole"
            else f"the ${prefix}${cost}$ prefix was left in {where}"
        ),
        "split the string: workFactor = the cost after the $2?$ prefix, salt = the next 22"
        " characters, value = the last 31; send no $2?$ prefix",
    )


def _repair_bcrypt(password: str, fixed: dict[str, object]) -> list[Mistake]:
    mistakes = _int_text(fixed, "workFactor")
    value = fixed.get("value")
    salt = fixed.get("salt")
    value = value if isinstance(value, str) else ""
    salt = salt if isinstance(salt, str) else ""
    whole = _BCRYPT_FULL_RE.fullmatch(value)
    if whole:
        prefix, cost, fixed["salt"], fixed["value"] = whole.groups()
        if fixed.get("workFactor") is None:
            fixed["workFactor"] = int(cost)
        return [*mistakes, _split(prefix, cost, "", "whole")]
    for field_name, text in (("salt", salt), ("value", value)):
        match = _BCRYPT_PREFIX_RE.fullmatch(text)
        if match:
            prefix, cost, rest = match.groups()
            fixed[field_name] = rest
            if fixed.get("workFactor") is None:
                fixed["workFactor"] = int(cost)
            mistakes.append(_split(prefix, cost, rest, field_name))
    salt, value = str(fixed.get("salt") or ""), str(fixed.get("value") or "")
    joined_ok = _BCRYPT_TEXT_RE.fullmatch(salt + value) and len(salt) + len(value) == 53
    if joined_ok and (len(salt), len(value)) != (22, 31):
        splits = (
            [(salt + value)[:22], (salt + value)[22:]],
            [(value + salt)[:22], (value + salt)[22:]],
        )
        fixed["salt"], fixed["value"] = splits[0]
        for s, v in splits:
            candidate = dict(fixed, salt=s, value=v)
            try:
                if verify(password, parse_hash(candidate)):
                    fixed["salt"], fixed["value"] = s, v
                    break
            except OktaError:
                continue
        mistakes.append(
            Mistake(
                BCRYPT_SPLIT_WRONG,
                f"the bcrypt string was split at the wrong place (salt {len(salt)} and value"
                f" {len(value)} characters)",
                "salt = the 22 characters after $2?$NN$, value = the 31 after those",
            )
        )
    return mistakes


def _repair_pbkdf2(fixed: dict[str, object]) -> list[Mistake]:
    mistakes = _int_text(fixed, "iterationCount") + _int_text(fixed, "keySize")
    value = fixed.get("value")
    if isinstance(value, str) and value.count("$") == 3 and value.startswith("pbkdf2_"):
        scheme, count, salt_text, key = value.split("$")
        hmac_name = {"pbkdf2_sha256": "SHA256_HMAC", "pbkdf2_sha512": "SHA512_HMAC"}.get(scheme)
        decoded = decode_base64(key)
        if hmac_name and count.isdigit() and decoded is not None:
            fixed.update(
                value=key,
                salt=base64.b64encode(salt_text.encode("utf-8")).decode("ascii"),
                iterationCount=int(count),
                keySize=len(decoded),
                digestAlgorithm=hmac_name,
            )
            mistakes.append(
                Mistake(
                    PBKDF2_NOT_SPLIT,
                    "value holds the whole Django pbkdf2 string",
                    "split it: iterationCount, salt = Base64 of the salt text's bytes, value ="
                    " the Base64 key, keySize = its length in bytes, digestAlgorithm",
                )
            )
    iterations = fixed.get("iterationCount")
    if isinstance(iterations, int) and iterations < PBKDF2_MIN_ITERATIONS:
        mistakes.append(
            Mistake(
                NEEDS_HOOK,
                f"Okta imports PBKDF2 with at least {PBKDF2_MIN_ITERATIONS} iterations, and this"
                f" hash has {iterations}",
                HOOK_FIX,
            )
        )
        return mistakes
    digest = fixed.get("digestAlgorithm")
    if isinstance(digest, str) and digest not in {d.value for d in DigestAlgorithm}:
        wanted = {"SHA256": "SHA256_HMAC", "SHA512": "SHA512_HMAC"}.get(
            _normal(digest).replace("HMAC", "")
        )
        if wanted:
            fixed["digestAlgorithm"] = wanted
            mistakes.append(
                Mistake(
                    ALGORITHM_NAME,
                    "digestAlgorithm is not spelled as Okta spells it",
                    f"send {wanted}",
                )
            )
    decoded = decode_base64(str(fixed.get("value") or ""))
    if decoded is not None and fixed.get("keySize") is None:
        fixed["keySize"] = len(decoded)
        mistakes.append(_key_size(None, len(decoded)))
    return mistakes


def _repair_digest(password: str, fixed: dict[str, object]) -> list[Mistake]:
    mistakes: list[Mistake] = []
    value = fixed.get("value")
    if isinstance(value, str) and decode_base64(value) is None:
        urlsafe = value.strip().translate(str.maketrans("-_", "+/"))
        if decode_base64(urlsafe) is not None:
            fixed["value"] = urlsafe
            mistakes.append(
                Mistake(
                    VALUE_URLSAFE,
                    "value is URL-safe Base64 (with - or _) or has spaces",
                    "send standard Base64 (+ and /)",
                )
            )
    if fixed.get("salt") and fixed.get("saltOrder") is None:
        fixed["saltOrder"] = SaltOrder.PREFIX.value
        for order in SaltOrder:
            try:
                if verify(password, parse_hash(dict(fixed, saltOrder=order.value))):
                    fixed["saltOrder"] = order.value
                    break
            except OktaError:
                break
        mistakes.append(
            Mistake(
                SALT_ORDER_MISSING,
                "a salt was sent without saltOrder",
                f"send saltOrder {fixed['saltOrder']} (PREFIX: salt then password)",
            )
        )
    return mistakes
