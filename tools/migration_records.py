"""Legacy records as the migrator sees them: read, checked against what Okta accepts, converted.

A record Okta cannot take is rejected from its data alone (never from a dataset's `defect`
label, which a real legacy export does not have): a password scheme Okta cannot import, a
profile outside Okta's default schema, a custom field's value outside its declaration (the
dataset manifest's `fields`), a login that differs only in case from an earlier one, a unique
field's value an earlier record holds.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from mock_okta.hashing import SaltEncoding
from mock_okta.tools.encoder import EncodeError, NeedsImportHook, to_okta_hash
from mock_okta.tools.legacy_fields import value_problem
from mock_okta.tools.migration_state import PROFILE_FIELDS, fingerprint, profile_fingerprint
from mock_okta.tools.records import user_from_csv

Fields = Mapping[str, Mapping[str, object]]  # declared custom fields: name -> definition
NO_FIELDS: Final[Fields] = MappingProxyType({})

NEEDS_HOOK: Final = "needs-import-hook"
BAD_HASH: Final = "unconvertible-hash"
INVALID_PROFILE: Final = "invalid-profile"
COLLISION: Final = "login-collision"
DUPLICATE: Final = "duplicate-record"
UNREADABLE: Final = "unreadable-record"
REFUSED: Final = "refused-by-okta"
BAD_FIELD: Final = "invalid-custom-field"
UNDECLARED_FIELD: Final = "undeclared-custom-field"
TAKEN_VALUE: Final = "duplicate-unique-value"

# Okta's default profile schema (reference.md §1, OLD-USERS): (required, min, max) characters.
LIMITS: Final[Mapping[str, tuple[bool, int, int]]] = {
    "login": (True, 5, 100),
    "email": (True, 5, 100),
    "firstName": (True, 1, 50),
    "lastName": (True, 1, 50),
}


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    login: str
    profile: dict[str, object]  # the fields sent to Okta (five, and custom); None clears one
    password: dict[str, object]  # credentials.password: {"hash": …} or {"hook": …}
    password_fp: str
    profile_fp: str
    groups: tuple[str, ...] | None = None  # legacy group names; None: the input has none
    unique: tuple[tuple[str, str], ...] = ()  # (field, value key) of unique custom fields
    apps: tuple[str, ...] | None = None  # labels of the direct app accounts; None: none given

    @property
    def key(self) -> str:
        return login_key(self.login)


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    login: str | None
    reason: str
    detail: str


def login_key(login: str) -> str:
    """Okta's logins are unique regardless of letter case."""
    # PARITY: Okta may fold more (the mock also folds diacritics); its 400 answer decides those.
    return login.casefold()


def read_lines(
    path: Path, fields: Fields = NO_FIELDS
) -> Iterator[tuple[int, Mapping[str, object] | str]]:
    """(line number, the record as a users.jsonl object) or (line number, why it is unreadable)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    yield number, user_from_csv(row, fields=fields).to_json()
                except (KeyError, ValueError) as exc:
                    yield number, f"not a users.csv row ({exc})"
        return
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                yield number, f"not JSON ({exc})"
                continue
            yield number, data if isinstance(data, Mapping) else "not a JSON object"


def _profile_problem(profile: Mapping[str, object]) -> str | None:
    for name, (required, low, high) in LIMITS.items():
        value = profile.get(name)
        if value is None or value == "":
            if required:
                return f"{name} is missing; Okta's default profile requires it"
            continue
        if not isinstance(value, str):
            return f"{name} is not a string"
        if not low <= len(value) <= high:
            return f"{name} has {len(value)} characters; Okta takes {low} to {high}"
    return None


HOOK: Final = {"hook": {"type": "default"}}


def _custom(
    number: int, login: str, raw: object, fields: Fields
) -> tuple[dict[str, object], tuple[tuple[str, str], ...]] | Rejected:
    """The declared custom fields of a record (None for those it lacks), and its unique ones."""
    given = raw if isinstance(raw, Mapping) else {}
    if undeclared := sorted(set(given) - set(fields)):
        detail = f"{undeclared[0]} is not declared in the dataset's manifest (fields)"
        return Rejected(number, login, UNDECLARED_FIELD, detail)
    values: dict[str, object] = {}
    unique = []
    for name, declared in fields.items():
        value = given.get(name)
        if value is not None:
            problem = value_problem(name, declared, value)
            if problem is not None:
                return Rejected(number, login, BAD_FIELD, f"{problem}; Okta would refuse it")
            if declared.get("unique"):
                # As the mock and Okta compare unique values: text without regard to case.
                unique.append((name, value.casefold() if isinstance(value, str) else repr(value)))
        values[name] = value
    return values, tuple(unique)


def prepare(
    number: int,
    data: Mapping[str, object] | str,
    sha256_salt: SaltEncoding,
    *,
    hook: bool = False,
    fields: Fields = NO_FIELDS,
) -> Record | Rejected:
    """The record ready to send, or why Okta cannot take it.

    With `hook`, a password Okta cannot import goes to the password import inline hook.
    """
    if isinstance(data, str):
        return Rejected(number, None, UNREADABLE, data)
    raw_profile, password = data.get("profile"), data.get("password")
    login = raw_profile.get("login") if isinstance(raw_profile, Mapping) else None
    if not isinstance(login, str) or not isinstance(password, Mapping):
        return Rejected(number, None, UNREADABLE, "needs profile.login and a password object")
    assert isinstance(raw_profile, Mapping)
    profile = {name: raw_profile.get(name) for name in PROFILE_FIELDS}
    problem = _profile_problem(profile)
    if problem is not None:
        return Rejected(number, login, INVALID_PROFILE, problem)
    custom = _custom(number, login, data.get("fields"), fields)
    if isinstance(custom, Rejected):
        return custom
    profile.update(custom[0])
    raw_groups = data.get("groups")
    groups = tuple(str(g) for g in raw_groups) if isinstance(raw_groups, list) else None
    raw_apps = data.get("apps")
    apps = tuple(str(a) for a in raw_apps) if isinstance(raw_apps, list) else None
    try:
        credential: dict[str, object] = {
            "hash": to_okta_hash(password, sha256_salt=sha256_salt).to_okta()
        }
    except NeedsImportHook as exc:
        if not hook:
            return Rejected(number, login, NEEDS_HOOK, str(exc))
        credential = dict(HOOK)
    except EncodeError as exc:
        return Rejected(number, login, BAD_HASH, str(exc))
    return Record(
        number,
        login,
        profile,
        credential,
        fingerprint(password),
        profile_fingerprint(profile, profile),
        groups,
        custom[1],
        apps,
    )


@dataclass(slots=True)
class Survey:
    """A first pass over the input: who owns each login key and each unique field value, every
    login present, and every legacy group (in first-seen order)."""

    total: int = 0
    owners: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> first (line, login)
    logins: set[str] = field(default_factory=set)
    values: dict[tuple[str, str], int] = field(default_factory=dict)  # unique value -> first line
    groups: dict[str, None] = field(default_factory=dict)


def survey(
    path: Path, sha256_salt: SaltEncoding, *, hook: bool = False, fields: Fields = NO_FIELDS
) -> Survey:
    seen = Survey()
    for number, data in read_lines(path, fields):
        seen.total += 1
        record = prepare(number, data, sha256_salt, hook=hook, fields=fields)
        if isinstance(record, Record):
            if seen.owners.setdefault(record.key, (number, record.login))[0] == number:
                for value in record.unique:
                    seen.values.setdefault(value, number)
            seen.groups.update(dict.fromkeys(record.groups or ()))
        if record.login is not None:
            seen.logins.add(record.login)
    return seen


def taken(record: Record, values: Mapping[tuple[str, str], int]) -> Rejected | None:
    """Rejected when an earlier record holds one of this record's unique field values."""
    for value in record.unique:
        line = values.get(value, record.line)
        if line != record.line:
            detail = f"{value[0]} is the same as line {line}'s, and Okta keeps it unique"
            return Rejected(record.line, record.login, TAKEN_VALUE, detail)
    return None


def collision(
    record: Record, owners: Mapping[str, tuple[int, str]], migrated: Mapping[str, str]
) -> Rejected | None:
    """Rejected when another record, or a user migrated earlier, holds the login's key."""
    earlier = migrated.get(record.key)
    if earlier is not None and earlier != record.login:
        detail = f"Okta already holds {earlier!r} from an earlier run; logins ignore case"
        return Rejected(record.line, record.login, COLLISION, detail)
    if earlier is not None:
        return None
    line, login = owners.get(record.key, (record.line, record.login))
    if line == record.line:
        return None
    if login == record.login:
        return Rejected(record.line, record.login, DUPLICATE, f"same login as line {line}")
    detail = f"differs only in case from {login!r} (line {line}); Okta logins ignore case"
    return Rejected(record.line, record.login, COLLISION, detail)
