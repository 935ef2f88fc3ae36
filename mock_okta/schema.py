"""Okta's user profile schema (SPEC tag Schema): base properties, custom properties, updates.

Each user type has one schema. Its `#base` properties are Okta's and fixed, except their
`permissions` and whether `firstName`/`lastName` are required (SPEC `UserSchemaBase`); its
`#custom` properties are the org's, kept as Okta's attribute objects. `validation.py` turns a
schema into the rules every create, update and replace checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from mock_okta.errors import OktaError, validation_error
from mock_okta.profile import DEFAULT_SCHEMA

TYPES: Final = ("string", "integer", "number", "boolean", "array")
ITEM_TYPES: Final = ("string", "integer", "number", "boolean")
ACTIONS: Final = ("READ_ONLY", "READ_WRITE", "HIDE")
SCOPES: Final = ("NONE", "SELF")
MASTERS: Final = ("PROFILE_MASTER", "OKTA", "OVERRIDE")
MUTABILITY: Final = ("READ_WRITE", "READ_ONLY", "IMMUTABLE", "WRITE_ONLY")
FORMATS: Final = (
    "country-code", "date-time", "email", "encrypted", "hashed", "language-code", "locale",
    "ref-id", "timezone", "uri",
)  # fmt: skip
# Okta's request attributes (SPEC UserSchemaAttribute); any other key is refused.
ATTRIBUTE_KEYS: Final = frozenset(
    {
        "title", "description", "type", "items", "enum", "oneOf", "default", "required",
        "minLength", "maxLength", "pattern", "format", "mutability", "scope", "permissions",
        "master", "unique", "externalName", "externalNamespace",
    }
)  # fmt: skip
NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
# PARITY: Okta has held `unique` as UNIQUE_VALIDATED/NOT_UNIQUE (older SDKs, terraform); the
# SPEC says boolean. Both are read; a boolean is returned.
_UNIQUE_WORDS: Final = {"UNIQUE_VALIDATED": True, "NOT_UNIQUE": False}

# Titles and formats of Okta's base properties, in Okta's order (a default schema as a real org
# returns it: flypenguin/okta-cli tests/testdata.py; the SPEC's UserSchema examples agree).
BASE_PROPERTIES: Final = (
    ("login", "Username", None), ("firstName", "First name", None),
    ("lastName", "Last name", None), ("middleName", "Middle name", None),
    ("honorificPrefix", "Honorific prefix", None), ("honorificSuffix", "Honorific suffix", None),
    ("email", "Primary email", "email"), ("title", "Title", None),
    ("displayName", "Display name", None), ("nickName", "Nickname", None),
    ("profileUrl", "Profile Url", "uri"), ("secondEmail", "Secondary email", "email"),
    ("mobilePhone", "Mobile phone", None), ("primaryPhone", "Primary phone", None),
    ("streetAddress", "Street address", None), ("city", "City", None), ("state", "State", None),
    ("zipCode", "Zip code", None), ("countryCode", "Country code", "country-code"),
    ("postalAddress", "Postal Address", None),
    ("preferredLanguage", "Preferred language", "language-code"),
    ("locale", "Locale", "locale"), ("timezone", "Time zone", "timezone"),
    ("userType", "User type", None), ("employeeNumber", "Employee number", None),
    ("costCenter", "Cost center", None), ("organization", "Organization", None),
    ("division", "Division", None), ("department", "Department", None),
    ("managerId", "ManagerId", None), ("manager", "Manager", None),
)  # fmt: skip
BASE_NAMES: Final = frozenset(name for name, _, _ in BASE_PROPERTIES)
NULLABLE_BASE: Final = ("firstName", "lastName")  # the base properties whose `required` changes
# PARITY: Okta's default permissions differ between orgs; the SPEC's examples show SELF
# READ_WRITE on base properties. Custom properties default to SELF READ_ONLY (a real org's
# dump, flypenguin/okta-cli tests/testdata.py) when a request gives none.
BASE_PERMISSIONS: Final = ({"principal": "SELF", "action": "READ_WRITE"},)
CUSTOM_PERMISSIONS: Final = ({"principal": "SELF", "action": "READ_ONLY"},)
MAX_ENUM: Final = 1000  # PARITY: Okta's limit on enum values is unconfirmed
INT_RANGE: Final = (-(2**63), 2**63 - 1)  # PARITY: Okta's integer range is unconfirmed

Attribute = dict[str, object]


@dataclass(frozen=True, slots=True)
class UserSchema:
    """One user type's schema: custom attributes in order, and the base changes made."""

    custom: Mapping[str, Attribute]
    base: Mapping[str, Attribute]  # name -> {"permissions": […], "required": bool}
    created: int
    last_updated: int

    def dumps(self) -> str:
        return json.dumps(
            {"custom": self.custom, "base": self.base, "created": self.created,
             "lastUpdated": self.last_updated},
            ensure_ascii=False,
        )  # fmt: skip

    @classmethod
    def loads(cls, text: str) -> UserSchema:
        raw = json.loads(text)
        return cls(dict(raw["custom"]), dict(raw["base"]), raw["created"], raw["lastUpdated"])

    def base_attribute(self, name: str) -> Attribute:
        """A base property as Okta shows it: title, type, limits, format, permissions."""
        rule = DEFAULT_SCHEMA[name]
        change = self.base.get(name, {})
        title, fmt = next((t, f) for n, t, f in BASE_PROPERTIES if n == name)
        out: Attribute = {"title": title, "type": "string"}
        if change.get("required", rule.required):
            out["required"] = True
        out["mutability"] = "READ_WRITE"
        out["scope"] = "NONE"
        # PARITY: the limits shown are the ones the mock enforces (OLD-USERS, SPEC UserProfile).
        if rule.min_length:
            out["minLength"] = rule.min_length
        if rule.max_length is not None:
            out["maxLength"] = rule.max_length
        if fmt is not None:
            out["format"] = fmt
        out["permissions"] = list(change.get("permissions") or BASE_PERMISSIONS)  # type: ignore[call-overload]
        out["master"] = {"type": "PROFILE_MASTER"}
        return out

    def required_base(self) -> list[str]:
        return [n for n, _, _ in BASE_PROPERTIES if "required" in self.base_attribute(n)]


def default_schema(now: int, seeded: tuple[str, ...] = ()) -> UserSchema:
    """The schema of a new org: the base, plus string properties named at start-up."""
    custom = {name: _seeded(name) for name in seeded}
    return UserSchema(custom, {}, now, now)


def _seeded(name: str) -> Attribute:
    return parse_attribute(name, {"title": name, "type": "string"})


# ----- reading attribute definitions


def _bad(name: str, cause: str) -> OktaError:
    # PARITY: Okta's cause texts for schema validation are unconfirmed; each names the property.
    return validation_error(name, cause)


def _typed(value: object, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) and INT_RANGE[0] <= value <= INT_RANGE[1]
    if kind == "number":
        return isinstance(value, int | float)
    return False


def value_fits(value: object, kind: str, items: str | None = None) -> bool:
    """Whether `value` is of the schema type `kind` (an array's items of `items`)."""
    if kind == "array":
        return isinstance(value, list) and all(_typed(v, items or "string") for v in value)
    return _typed(value, kind)


def _enum(name: str, raw: object, kind: str) -> list[object]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_ENUM:
        raise _bad(name, f"enum must be a list of 1 to {MAX_ENUM} values")
    if not all(_typed(v, kind) for v in raw):
        raise _bad(name, f"Every enum value must be of type {kind}")
    keys = [json.dumps(v) for v in raw]
    if len(set(keys)) != len(keys):
        raise _bad(name, "The enum values must be unique")
    return list(raw)


def _one_of(name: str, raw: object, enum: list[object] | None) -> list[object]:
    if enum is None:
        raise _bad(name, "oneOf is only supported together with enum")
    if not isinstance(raw, list) or not all(
        isinstance(o, Mapping) and isinstance(o.get("title"), str) for o in raw
    ):
        raise _bad(name, "oneOf must be a list of {const, title} objects")
    if [o.get("const") for o in raw] != enum:
        raise _bad(name, "oneOf must list the enum values, in the same order")
    return [{"const": o["const"], "title": o["title"]} for o in raw]


def _items(name: str, raw: object) -> Attribute:
    if not isinstance(raw, Mapping) or raw.get("type") not in ITEM_TYPES:
        raise _bad(name, f"An array needs items.type, one of {', '.join(ITEM_TYPES)}")
    kind = str(raw["type"])
    out: Attribute = {"type": kind}
    enum = _enum(name, raw["enum"], kind) if raw.get("enum") is not None else None
    if enum is not None:
        out["enum"] = enum
    if raw.get("oneOf") is not None:
        out["oneOf"] = _one_of(name, raw["oneOf"], enum)
    return out


def _permissions(name: str, raw: object) -> list[object]:
    if not isinstance(raw, list) or not all(
        isinstance(p, Mapping)
        and isinstance(p.get("principal"), str)
        and p.get("action") in ACTIONS
        for p in raw
    ):
        raise _bad(
            name, f"permissions must be a list of {{principal, action: {'|'.join(ACTIONS)}}}"
        )
    return [{"principal": p["principal"], "action": p["action"]} for p in raw]


def _length(name: str, raw: Mapping[str, object], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
        raise _bad(name, f"{key} must be a whole number from 0 to 1000000")
    return value


def _choice(name: str, raw: Mapping[str, object], key: str, allowed: tuple[str, ...]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if value not in allowed:
        raise _bad(name, f"{key} must be one of {', '.join(allowed)}")
    return str(value)


def parse_attribute(name: str, raw: object) -> Attribute:
    """A custom property definition checked and normalised, in the order Okta shows one."""
    if not NAME_RE.fullmatch(name):
        raise _bad(name, "A property name starts with a letter and has only letters, digits and _")
    if not isinstance(raw, Mapping):
        raise _bad(name, "The property definition must be an object")
    given = {k: v for k, v in raw.items() if v is not None}
    if unknown := sorted(set(given) - ATTRIBUTE_KEYS):
        raise _bad(name, f"Unknown attribute {unknown[0]!r}")
    kind = given.get("type")
    if kind not in TYPES:
        raise _bad(name, f"Unsupported type {kind!r}: use one of {', '.join(TYPES)}")
    title = given.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _bad(name, "title: The field cannot be left blank")
    out: Attribute = {"title": title}
    if "description" in given:
        if not isinstance(given["description"], str):
            raise _bad(name, "description must be a string")
        out["description"] = given["description"]
    out["type"] = kind
    items = None
    if kind == "array":
        out["items"] = _items(name, given.get("items"))
        items = str(out["items"]["type"])  # type: ignore[index]
    elif "items" in given:
        raise _bad(name, "items is only for an array")
    enum = None
    if "enum" in given:
        if kind == "array":
            raise _bad(name, "An array's enum goes in items.enum")
        enum = out["enum"] = _enum(name, given["enum"], str(kind))
    if "oneOf" in given:
        out["oneOf"] = _one_of(name, given["oneOf"], enum)
    if "default" in given:
        default = given["default"]
        if not value_fits(default, str(kind), items) or (enum is not None and default not in enum):
            raise _bad(name, f"The default must be a valid {kind} value of the property")
        out["default"] = default
    for flag in ("required",):
        if flag in given and not isinstance(given[flag], bool):
            raise _bad(name, f"{flag} must be true or false")
    out["required"] = bool(given.get("required", False))
    low, high = _length(name, given, "minLength"), _length(name, given, "maxLength")
    if (low is not None or high is not None) and kind != "string":
        raise _bad(name, "minLength and maxLength are only for a string")
    if low is not None and high is not None and low > high:
        raise _bad(name, "minLength cannot be more than maxLength")
    if low is not None:
        out["minLength"] = low
    if high is not None:
        out["maxLength"] = high
    if "pattern" in given:
        pattern = given["pattern"]
        if kind != "string" or not isinstance(pattern, str) or not _compiles(pattern):
            raise _bad(name, "pattern must be a regular expression, on a string")
        out["pattern"] = pattern
    if (fmt := _choice(name, given, "format", FORMATS)) is not None:
        out["format"] = fmt
    out["mutability"] = _choice(name, given, "mutability", MUTABILITY) or "READ_WRITE"
    out["scope"] = _choice(name, given, "scope", SCOPES) or "NONE"
    out["permissions"] = _permissions(name, given.get("permissions", list(CUSTOM_PERMISSIONS)))
    out["master"] = _master(name, given.get("master"))
    unique = _unique(name, given.get("unique", False))
    if unique and kind not in ("string", "integer", "number"):
        # PARITY: Okta documents unique for string, integer and number properties.
        raise _bad(name, "Only a string, integer or number property can be unique")
    out["unique"] = unique
    for key in ("externalName", "externalNamespace"):
        if key in given:
            if not isinstance(given[key], str):
                raise _bad(name, f"{key} must be a string")
            out[key] = given[key]
    return out


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError):
        return False
    return len(pattern) <= 1024


def _master(name: str, raw: object) -> Attribute:
    if raw is None:
        return {"type": "PROFILE_MASTER"}
    if not isinstance(raw, Mapping) or raw.get("type") not in MASTERS:
        raise _bad(name, f"master.type must be one of {', '.join(MASTERS)}")
    out: Attribute = {"type": raw["type"]}
    if isinstance(raw.get("priority"), list):
        out["priority"] = list(raw["priority"])
    return out


def _unique(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw in _UNIQUE_WORDS:
        return _UNIQUE_WORDS[raw]
    raise _bad(name, "unique must be true or false")


# ----- partial updates


@dataclass(frozen=True, slots=True)
class SchemaChange:
    schema: UserSchema
    removed: tuple[str, ...]  # custom properties gone: their values leave every profile
    now_unique: tuple[str, ...]  # custom properties that became unique
    no_longer_unique: tuple[str, ...]


def _properties(body: Mapping[str, object], part: str) -> Mapping[str, object]:
    definitions = body.get("definitions")
    if definitions is None:
        return {}
    if not isinstance(definitions, Mapping):
        raise validation_error("definitions", "The value must be an object")
    section = definitions.get(part)
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise validation_error(f"definitions.{part}", "The value must be an object")
    properties = section.get("properties")
    if properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise validation_error(f"definitions.{part}.properties", "The value must be an object")
    return properties


def update_schema(schema: UserSchema, body: object, now: int) -> SchemaChange:
    """POST …/meta/schemas/user/{id}: the properties given change; `null` removes one (SPEC)."""
    if not isinstance(body, Mapping):
        raise validation_error("schema", "The value must be an object")
    custom = dict(schema.custom)
    removed: list[str] = []
    for name, raw in _properties(body, "custom").items():
        folded = str(name).casefold()
        if raw is None:
            if name not in custom:
                raise _bad(str(name), f"Property name '{name}' is not defined in profile")
            del custom[name]
            removed.append(str(name))
            continue
        # Names that differ only in case collide, base names included (SPEC UserSchemaPublic).
        clash = next((n for n in (*BASE_NAMES, *custom) if n.casefold() == folded), None)
        if clash is not None and clash != name:
            raise _bad(str(name), f"The name collides with the property '{clash}'")
        if name in BASE_NAMES:
            raise _bad(str(name), "A base property cannot be defined in #custom")
        custom[str(name)] = parse_attribute(str(name), raw)
    base = {k: dict(v) for k, v in schema.base.items()}
    for name, raw in _properties(body, "base").items():
        base[str(name)] = _base_change(str(name), raw, base.get(str(name), {}))
    before = {n for n, a in schema.custom.items() if a.get("unique")}
    after = {n for n, a in custom.items() if a.get("unique")}
    changed = replace(schema, custom=custom, base=base, last_updated=now)
    return SchemaChange(
        changed,
        tuple(removed),
        tuple(sorted(after - before)),
        tuple(sorted((before - after) - set(removed))),
    )


def _base_change(name: str, raw: object, current: Attribute) -> Attribute:
    """Okta lets a base property change only its permissions, and firstName/lastName `required`."""
    if name not in BASE_NAMES:
        raise _bad(name, f"Property name '{name}' is not defined in profile")
    if raw is None:
        raise _bad(name, "A base property cannot be removed")
    if not isinstance(raw, Mapping):
        raise _bad(name, "The property definition must be an object")
    shown = UserSchema({}, {name: current}, 0, 0).base_attribute(name)
    change = dict(current)
    for key, value in raw.items():
        if value is None or value == shown.get(key):
            continue
        if key == "required" and name not in NULLABLE_BASE and value == ("required" in shown):
            continue
        if key == "permissions":
            change["permissions"] = _permissions(name, value)
        elif key == "required" and name in NULLABLE_BASE and isinstance(value, bool):
            change["required"] = value
        else:
            # PARITY: the SPEC allows a login `pattern` too; the mock keeps its login rules and
            # refuses every other base change.
            raise _bad(name, f"{key} of a base property cannot be changed")
    return change
