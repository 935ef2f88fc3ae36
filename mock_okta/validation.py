"""A user type's schema compiled into the checks a profile passes on create, update and replace.

`Schemas` keeps every type's compiled schema for the process; the org drops it when its
generation moves (a schema or type changed, in this worker or another), so a request never
reads the schema from the database.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from mock_okta.errors import E_API_VALIDATION, OktaError
from mock_okta.models import Profile
from mock_okta.profile import (
    BAD_EMAIL,
    BLANK,
    DEFAULT_SCHEMA,
    PropertyRule,
    base_problems,
    has_control,
)
from mock_okta.schema import UserSchema, value_fits

# PARITY: Okta's cause texts for a custom property's type, enum and pattern are unconfirmed;
# each names the property first, as Okta's other causes do.
_ARTICLE: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}
SHOWN_ENUM: Final = 10


def _key(value: object) -> tuple[str, object]:
    """A value compared as JSON compares it: 2 and 2.0 are one number, True is no number."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", float(value))
    return ("s", value) if isinstance(value, str) else ("j", json.dumps(value, sort_keys=True))


def unique_key(value: object) -> str:
    """How a unique property's value is compared: strings ignore case."""
    # PARITY: Okta checks unique string values without regard to case (its help pages on
    # unique attributes); numbers compare as numbers.
    if isinstance(value, str):
        return "s:" + value.casefold()
    return "n:" + repr(float(value)) if isinstance(value, int | float) else "j:" + str(value)


@dataclass(frozen=True, slots=True)
class CustomRule:
    kind: str
    items: str | None = None
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    enum: frozenset[tuple[str, object]] | None = None
    shown_enum: tuple[object, ...] = ()
    pattern: re.Pattern[str] | None = None
    unique: bool = False


def _rule(attribute: Mapping[str, object]) -> CustomRule:
    items = attribute.get("items")
    raw_enum = attribute.get("enum")
    if isinstance(items, Mapping):
        raw_enum = items.get("enum")
    enum = list(raw_enum) if isinstance(raw_enum, list) else None
    pattern = attribute.get("pattern")
    low, high = attribute.get("minLength"), attribute.get("maxLength")
    return CustomRule(
        kind=str(attribute["type"]),
        items=str(items["type"]) if isinstance(items, Mapping) else None,
        required=bool(attribute.get("required")),
        min_length=low if isinstance(low, int) else None,
        max_length=high if isinstance(high, int) else None,
        enum=frozenset(_key(v) for v in enum) if enum is not None else None,
        shown_enum=tuple(enum or ()),
        pattern=re.compile(pattern) if isinstance(pattern, str) else None,
        unique=bool(attribute.get("unique")),
    )


def _custom_problems(name: str, value: object, rule: CustomRule) -> Iterable[str]:
    if not value_fits(value, rule.kind, rule.items):
        if rule.kind == "array":
            yield f"{name}: The value must be an array of {rule.items or 'string'}s"
        else:
            yield f"{name}: The value must be {_ARTICLE[rule.kind]}"
        return
    values = value if isinstance(value, list) else [value]
    if rule.enum is not None and any(_key(v) not in rule.enum for v in values):
        allowed = ", ".join(json.dumps(v, ensure_ascii=False) for v in rule.shown_enum[:SHOWN_ENUM])
        more = ", …" if len(rule.shown_enum) > SHOWN_ENUM else ""
        yield f"{name}: The value is not one of the allowed values ({allowed}{more})"
    if isinstance(value, str):
        if has_control(value) or (rule.pattern is not None and not rule.pattern.fullmatch(value)):
            yield f"{name}: {BAD_EMAIL}"
        if rule.min_length is not None and len(value) < rule.min_length:
            yield f"{name}: The field is too short"
        if rule.max_length is not None and len(value) > rule.max_length:
            yield f"{name}: The field is too long"


class CompiledSchema:
    """The checks of one user type's schema; `validate` runs on every write of a profile."""

    def __init__(self, schema: UserSchema, *, login_must_be_email: bool = True) -> None:
        self.schema = schema
        self.login_must_be_email = login_must_be_email
        self.base: dict[str, PropertyRule] = dict(DEFAULT_SCHEMA)
        for name, change in schema.base.items():
            if "required" in change:
                self.base[name] = replace(self.base[name], required=bool(change["required"]))
        self.custom = {name: _rule(a) for name, a in schema.custom.items()}
        self.defaults = tuple(
            (name, a["default"]) for name, a in schema.custom.items() if "default" in a
        )
        self.required_base = tuple(n for n, r in self.base.items() if r.required)
        self.required_custom = tuple(n for n, r in self.custom.items() if r.required)
        self.unique = tuple(n for n, r in self.custom.items() if r.unique)

    def validate(self, profile: object) -> Profile:
        """A complete profile checked against the schema; every problem becomes a cause.

        A custom property left out (or null) takes its `default` (SPEC UserSchemaAttribute).
        """
        if not isinstance(profile, Mapping):
            raise OktaError(E_API_VALIDATION, "profile", causes=["profile: The field is required"])
        causes: list[str] = []
        first_field = ""
        clean: Profile = {}
        for name, value in profile.items():
            base = self.base.get(name)
            if base is not None:
                found = base_problems(
                    name, value, base, login_must_be_email=self.login_must_be_email
                )
            elif (custom := self.custom.get(name)) is not None:
                if value is None or (value == "" and custom.kind == "string"):
                    if value == "" and not custom.required:
                        clean[name] = value
                    continue  # a required one missing is reported below
                found = list(_custom_problems(name, value, custom))
            else:
                # PARITY: wording from an Okta answer quoted in stormpath-sdk-java#1335 (and for
                # groups, okta-sdk-java#1609); assumed the same for users.
                causes.append(f"Property name '{name}' is not defined in profile")
                first_field = first_field or str(name)
                continue
            if found:
                causes.extend(found)
                first_field = first_field or name
            elif value is not None:
                # PARITY: a null property is kept as no value, so none is returned as null (the
                # SPEC's UserProfile has department, employeeNumber, locale as not nullable).
                clean[name] = value
        for name, default in self.defaults:
            if clean.get(name) in (None, ""):
                clean[name] = json.loads(json.dumps(default))  # a copy: lists stay the schema's
        for name in self.required_base:
            if name not in profile:
                causes.append(f"{name}: {BLANK}")
                first_field = first_field or name
        for name in self.required_custom:
            if clean.get(name) in (None, ""):
                causes.append(f"{name}: {BLANK}")
                first_field = first_field or name
        if causes:
            raise OktaError(E_API_VALIDATION, first_field, causes=causes)
        return clean

    def unique_values(self, profile: Mapping[str, object]) -> list[tuple[str, str]]:
        """(property, comparison key) of each unique property the profile holds."""
        return [
            (name, unique_key(profile[name]))
            for name in self.unique
            if profile.get(name) not in (None, "")
        ]


class Schemas:
    """Every user type's compiled schema, for this process; `invalidate` when the org's changed."""

    def __init__(
        self, load: Callable[[], Mapping[str, UserSchema]], *, login_must_be_email: bool = True
    ) -> None:
        self._load = load
        self._login_must_be_email = login_must_be_email
        self._lock = threading.Lock()
        self._compiled: dict[str, CompiledSchema] | None = None
        self._version = 0  # bumped by every invalidate: a load that raced one is not kept

    def invalidate(self) -> None:
        with self._lock:
            self._version += 1
            self._compiled = None

    def _all(self) -> dict[str, CompiledSchema]:
        compiled = self._compiled
        if compiled is not None:
            return compiled
        with self._lock:
            version = self._version
        compiled = {
            type_id: CompiledSchema(s, login_must_be_email=self._login_must_be_email)
            for type_id, s in self._load().items()
        }
        with self._lock:
            if version == self._version:
                self._compiled = compiled
        return compiled

    def get(self, type_id: str) -> CompiledSchema | None:
        """The compiled schema of a user type; None when there is no such type."""
        return self._all().get(type_id)
