"""Groups (`/api/v1/groups`, SPEC tag Group): what a group is, and reading one from a request.

Okta groups of type OKTA_GROUP are made through the API; the built-in `Everyone` group holds
every user of the org, and neither its profile nor its members can be changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from mock_okta.errors import E_API_VALIDATION, E_TOO_MANY_TARGETS, OktaError, validation_error
from mock_okta.profile import has_control

MAX_GROUP_IDS: Final = 20  # SPEC Users tag, "Create user in group": only when creating a user
# PARITY: Okta's limits on a group's name and description are unconfirmed.
MAX_NAME: Final = 255
MAX_DESCRIPTION: Final = 1024
EVERYONE_NAME: Final = "Everyone"
EVERYONE_DESCRIPTION: Final = "All users in your organization"
OBJECT_CLASS: Final = "okta:user_group"


class GroupType(StrEnum):
    OKTA_GROUP = "OKTA_GROUP"
    BUILT_IN = "BUILT_IN"
    APP_GROUP = "APP_GROUP"


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    type: GroupType
    profile: Mapping[str, object]  # name, description
    created: int  # epoch milliseconds
    last_updated: int
    last_membership_updated: int

    @property
    def name(self) -> str:
        return str(self.profile.get("name", ""))


def group_key(name: str) -> str:
    """Group names are unique in the org."""
    # PARITY: Okta refuses a second group of the same name; whether case counts is unconfirmed
    # (taken as not, like logins).
    return name.casefold()


def parse_group_profile(raw: object) -> dict[str, object]:
    """`profile` of addGroup/replaceGroup: `name` (required) and `description` (SPEC
    OktaUserGroupProfile); any other property needs the group schema, which the mock keeps empty."""
    if not isinstance(raw, Mapping):
        raise validation_error("profile", "The field cannot be left blank")
    causes: list[str] = []
    first = ""
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        causes.append("name: The field cannot be left blank")
        first = "name"
    elif len(name) > MAX_NAME or has_control(name):
        causes.append(f"name: The value must be at most {MAX_NAME} printable characters")
        first = "name"
    description = raw.get("description")
    if description is not None and (
        not isinstance(description, str) or len(description) > MAX_DESCRIPTION
    ):
        causes.append(f"description: The value must be a string of at most {MAX_DESCRIPTION}")
        first = first or "description"
    for key in raw:
        if key not in ("name", "description"):
            # The body okta/okta-sdk-java#1609 shows for a group's undefined property.
            causes.append(f"Property name '{key}' is not defined in profile")
            first = first or str(key)
    if causes:
        raise OktaError(E_API_VALIDATION, first, causes=causes)
    profile: dict[str, object] = {"name": name}
    if description is not None:
        profile["description"] = description
    return profile


def parse_group_ids(raw: object) -> tuple[str, ...]:
    """`groupIds` of createUser: a list of at most 20 group ids (duplicates count once)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(g, str) and g for g in raw):
        raise validation_error("groupIds", "The value must be a list of group ids")
    ids = tuple(dict.fromkeys(raw))
    if len(ids) > MAX_GROUP_IDS:
        # The SPEC's ErrorCreateUserWithTooManyManyGroupsResponse, exactly.
        raise OktaError(E_TOO_MANY_TARGETS, causes=["The number of group targets is too large"])
    return ids
