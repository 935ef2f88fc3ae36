"""User types (`/api/v1/meta/types/user`, SPEC tag UserType): what a type is, and reading one.

Every org has the default type; up to nine more may be added. A type's `name` is fixed once
created; `displayName` and `description` change (partially by POST, wholly by PUT).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mock_okta.errors import validation_error

MAX_TYPES: Final = 10  # "You may add up to nine additional user types" (SPEC createUserType)
NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_TEXT: Final = 255  # PARITY: Okta's length limits on these fields are unconfirmed
# The default type as the SPEC's ListsAllUserTypes example shows it.
DEFAULT_NAME: Final = "user"
DEFAULT_DISPLAY_NAME: Final = "User"
DEFAULT_DESCRIPTION: Final = "Okta user profile template with default permission settings"


@dataclass(frozen=True, slots=True)
class UserType:
    id: str
    name: str
    display_name: str
    description: str | None
    default: bool
    created: int  # epoch milliseconds
    last_updated: int
    created_by: str
    last_updated_by: str

    @property
    def schema_id(self) -> str:
        """The id of the type's schema: `osc` and the type id's own characters."""
        return "osc" + self.id[3:]

    def dumps(self) -> str:
        return json.dumps(
            {
                "name": self.name,
                "displayName": self.display_name,
                "description": self.description,
                "default": self.default,
                "created": self.created,
                "lastUpdated": self.last_updated,
                "createdBy": self.created_by,
                "lastUpdatedBy": self.last_updated_by,
            },
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, type_id: str, text: str) -> UserType:
        raw = json.loads(text)
        return cls(
            type_id,
            raw["name"],
            raw["displayName"],
            raw["description"],
            raw["default"],
            raw["created"],
            raw["lastUpdated"],
            raw["createdBy"],
            raw["lastUpdatedBy"],
        )


def name_key(name: str) -> str:
    # PARITY: type names are taken as unique regardless of case.
    return name.casefold()


def _text(body: Mapping[str, object], key: str, *, required: bool) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise validation_error(key, "The field cannot be left blank")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise validation_error(key, "The value must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise validation_error(key, f"The value must be at most {MAX_TEXT} characters")
    return value


def _object(raw: object) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise validation_error("userType", "The value must be an object")
    return raw


def parse_new_type(raw: object) -> tuple[str, str, str | None]:
    """createUserType: name, displayName (both required) and description."""
    body = _object(raw)
    name = _text(body, "name", required=True)
    assert name is not None
    if not NAME_RE.fullmatch(name):
        raise validation_error(
            "name", "The name must start with A-Z or a-z and contain only A-Z, a-z, 0-9 or _"
        )
    display = _text(body, "displayName", required=True)
    assert display is not None
    return name, display, _text(body, "description", required=False)


def parse_type_change(raw: object, current: UserType, *, full: bool) -> tuple[str, str | None]:
    """updateUserType (the fields given) or replaceUserType (all, `name` unchanged)."""
    body = _object(raw)
    name = body.get("name")
    if full and name is None:
        raise validation_error("name", "The field cannot be left blank")
    if name is not None and name != current.name:
        raise validation_error("name", "The name of a user type cannot be changed")
    if full:
        display = _text(body, "displayName", required=True)
        assert display is not None
        return display, _text(body, "description", required=False)
    display = _text(body, "displayName", required=False) if "displayName" in body else None
    description = current.description
    if "description" in body:
        description = _text(body, "description", required=False)
    return display or current.display_name, description
