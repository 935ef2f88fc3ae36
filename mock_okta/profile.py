"""Okta's default user profile properties, login normalisation, and the default password policy.

The schema as a whole (custom properties, validation of a profile) is `schema.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PropertyRule:
    min_length: int = 0
    max_length: int | None = None
    required: bool = False
    email: bool = False


# Okta's default user schema (OpenAPI `UserProfile`); lengths from the spec.
DEFAULT_SCHEMA: Final[Mapping[str, PropertyRule]] = {
    "login": PropertyRule(5, 100, required=True),
    "email": PropertyRule(5, 100, required=True, email=True),
    "secondEmail": PropertyRule(0, 100, email=True),
    "firstName": PropertyRule(1, 50, required=True),
    "lastName": PropertyRule(1, 50, required=True),
    "middleName": PropertyRule(),
    "honorificPrefix": PropertyRule(),
    "honorificSuffix": PropertyRule(),
    "title": PropertyRule(),
    "displayName": PropertyRule(),
    "nickName": PropertyRule(),
    "profileUrl": PropertyRule(),
    "primaryPhone": PropertyRule(0, 100),
    "mobilePhone": PropertyRule(0, 100),
    "streetAddress": PropertyRule(0, 1024),
    "city": PropertyRule(0, 128),
    "state": PropertyRule(0, 128),
    "zipCode": PropertyRule(0, 50),
    "countryCode": PropertyRule(0, 2),
    "postalAddress": PropertyRule(0, 4096),
    "preferredLanguage": PropertyRule(),
    "locale": PropertyRule(),
    "timezone": PropertyRule(),
    "userType": PropertyRule(),
    "employeeNumber": PropertyRule(),
    "costCenter": PropertyRule(),
    "organization": PropertyRule(),
    "division": PropertyRule(),
    "department": PropertyRule(),
    "managerId": PropertyRule(),
    "manager": PropertyRule(),
}

_EMAIL_RE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# PARITY: control characters and lone surrogates are refused; format characters (ZWJ in emoji,
# ZWNJ in Persian names, bidi marks) and code points newer than Python's Unicode table are kept.
_CONTROL_RE: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # categories Cc, Cs

# PARITY: cause texts seen in Okta answers ("The field cannot be left blank", "Does not match
# required pattern", "Username must be in the form of an email address"); the length and type
# messages are this mock's wording.
BLANK: Final = "The field cannot be left blank"
BAD_EMAIL: Final = "Does not match required pattern"
LOGIN_NOT_EMAIL: Final = "Username must be in the form of an email address"


def login_key(login: str) -> str:
    """Okta treats logins that differ only in case or diacritical marks as the same login."""
    if login.isascii():
        return login.lower()  # the same as below, for ASCII
    decomposed = unicodedata.normalize("NFKD", login)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def has_control(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def base_problems(
    name: str, value: object, rule: PropertyRule, *, login_must_be_email: bool
) -> list[str]:
    """The causes a base property's value earns (none when it is fine); a list, as every
    property of every create and seeded user is checked (a generator's set-up would cost more
    than the checks)."""
    if value is None or value == "":
        return [f"{name}: {BLANK}"] if rule.required else []
    if not isinstance(value, str):
        return [f"{name}: The value must be a string"]
    if has_control(value):
        return [f"{name}: {BAD_EMAIL}"]
    found = []
    if len(value) < rule.min_length:
        found.append(f"{name}: The field is too short")
    if rule.max_length is not None and len(value) > rule.max_length:
        found.append(f"{name}: The field is too long")
    if rule.email and not _EMAIL_RE.fullmatch(value):
        found.append(f"{name}: {BAD_EMAIL}")
    if name == "login" and login_must_be_email and not _EMAIL_RE.fullmatch(value):
        found.append(f"{name}: {LOGIN_NOT_EMAIL}")
    return found


# Okta's default password policy (OLD-USERS): 8+ characters, upper, lower, digit, no login part.
POLICY_MESSAGE: Final = (
    "Password requirements were not met. Password requirements: at least 8 characters,"
    " a lowercase letter, an uppercase letter, a number, no parts of your username."
)
MAX_PASSWORD_LENGTH: Final = 72
_LOGIN_PARTS_RE: Final = re.compile(r"[@._\-+,]")


def password_problem(password: object, login: str) -> str | None:
    """The cause text if `password` breaks the default policy, else None."""
    if not isinstance(password, str):
        return "The value must be a string"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password cannot exceed {MAX_PASSWORD_LENGTH} characters"
    # PARITY: "no parts of your username" taken as: no login part of 3+ characters, any case.
    parts = [p for p in _LOGIN_PARTS_RE.split(login.casefold()) if len(p) >= 3]
    if (
        len(password) < 8
        or not any(c.islower() for c in password)
        or not any(c.isupper() for c in password)
        or not any(c.isdigit() for c in password)
        or any(part in password.casefold() for part in parts)
    ):
        return POLICY_MESSAGE
    return None
