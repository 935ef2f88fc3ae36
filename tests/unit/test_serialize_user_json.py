"""serialize.user_json is the encoding of serialize.user as the app sends it, for every shape."""

from __future__ import annotations

import json
from itertools import product

import pytest

from mock_okta import serialize
from mock_okta.hashing import NativeHash
from mock_okta.models import HookPassword, ProviderType, RecoveryQuestion, User, UserStatus

# As create_app configures Flask's provider: compact, keys in order, ASCII only.
APP_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)
PASSWORDS = [None, NativeHash(b"s", b"d"), HookPassword()]
PROFILES = [
    {"login": "a@example.com", "email": "a@example.com", "firstName": "A", "lastName": "B"},
    {"nickName": "Zoë 🦜", "login": "zoë@example.com", "mobilePhone": None, "n": 1.5, "l": [1]},
    {"displayName": 'a "quote", a \\ and \x01', "secondEmail": "x@example.com", "login": "x"},
]
BASES = ["http://localhost", "https://mock.example:8443", "http://hôst\\u0000", "http://a\x00b", ""]


def _user(status: UserStatus, password: object, profile: dict[str, object]) -> User:
    return User(
        id="00u1aB2cD3eF4gH5iJ6k",
        status=status,
        created=1_700_000_000_123,
        last_updated=1_700_000_500_000,
        profile=profile,
        provider=ProviderType.IMPORT if password is None else ProviderType.OKTA,
        password=password,  # type: ignore[arg-type]
        recovery_question=RecoveryQuestion("Who?", NativeHash(b"s", b"d")) if password else None,
        type_id="otyAbCdEfGhIjKlMnOpQ",
        activated=None if status is UserStatus.STAGED else 1_700_000_000_123,
        status_changed=1_700_000_100_000,
        last_login=1_700_000_200_999 if status is UserStatus.ACTIVE else None,
        password_changed=1_700_000_000_123 if password else None,
    )


@pytest.mark.parametrize(("status", "full"), list(product(UserStatus, (True, False))))
def test_user_json_is_the_user_object_encoded(status: UserStatus, full: bool) -> None:
    for password, profile, base in product(PASSWORDS, PROFILES, BASES):
        user = _user(status, password, profile)
        expected = APP_JSON.encode(serialize.user(user, base, full=full))
        assert serialize.user_json(user, base, full=full) == expected


def test_an_id_that_needs_escaping_is_escaped_in_every_link() -> None:
    user = _user(UserStatus.ACTIVE, None, PROFILES[0])
    user.id = 'odd"id\u00e9'
    expected = APP_JSON.encode(serialize.user(user, "http://localhost"))
    assert serialize.user_json(user, "http://localhost") == expected
