"""`search` on custom properties that are not strings: numbers, booleans and arrays.

SPEC listUsers: search takes "any user profile attribute, including custom-defined attributes"
and "properties that have array values" (any element matching returns the user); it does not
support `ne`. Before, the mock compared every value as text: `profile.points gt 5` found nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest

from tests.conftest import Api
from tests.helpers import assert_error

SCHEMA = {
    "definitions": {
        "custom": {
            "id": "#custom",
            "type": "object",
            "properties": {
                "points": {"title": "Points", "type": "integer"},
                "score": {"title": "Score", "type": "number"},
                "vip": {"title": "VIP", "type": "boolean"},
                "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}},
                "code": {"title": "Code", "type": "string"},
            },
        }
    }
}
USERS = {
    "ada": {"points": 3, "score": 1.5, "vip": True, "tags": ["Gold", "beta"], "code": "10"},
    "bob": {"points": 10, "score": 2.5, "vip": False, "tags": ["beta"], "code": "x"},
    "cy": {"points": 7, "score": 10.0, "vip": True, "tags": []},
    "dee": {},  # none of them
}


@pytest.fixture
def found(api: Api) -> Callable[[str], list[str]]:
    response = api.call("POST", "/api/v1/meta/schemas/user/default", SCHEMA)
    assert response.status_code == 200, response.get_data(as_text=True)
    for name, extra in USERS.items():
        api.created_id(f"{name}@example.com", profile=extra)

    def search(expression: str) -> list[str]:
        response = api.call("GET", "/api/v1/users?search=" + quote(expression))
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(u["profile"]["login"].split("@")[0] for u in response.get_json())

    return search


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("profile.points gt 5", ["bob", "cy"]),  # a bare number
        ('profile.points gt "5"', ["bob", "cy"]),  # a quoted one compares the same
        ("profile.points eq 10", ["bob"]),
        ("profile.points eq 10.0", ["bob"]),
        ("profile.points le 7", ["ada", "cy"]),
        ("profile.score ge 2.5", ["bob", "cy"]),
        ("profile.score eq 10", ["cy"]),  # 10.0 stored
        ("profile.score lt -1", []),
        ("profile.vip eq true", ["ada", "cy"]),
        ('profile.vip eq "TRUE"', ["ada", "cy"]),  # values ignore case
        ("profile.vip eq false", ["bob"]),
        ('profile.vip eq "1"', []),  # a boolean is not a number
        ('profile.tags eq "beta"', ["ada", "bob"]),  # any element
        ('profile.tags eq "gold"', ["ada"]),
        ('profile.tags sw "go"', ["ada"]),
        ("profile.tags pr", ["ada", "bob", "cy"]),  # an empty array is present
        ('not (profile.tags eq "gold")', ["bob", "cy"]),  # without it is unknown, not true
        ("profile.code eq 10", ["ada"]),  # a string holding digits is still text
        ('profile.code gt "1"', ["ada", "bob"]),
        ('profile.points eq "abc"', []),  # a number never equals text
        ('profile.points sw "1"', ["bob"]),  # sw reads a number as its text
        ("profile.points lt 1.5e1", ["ada", "bob", "cy"]),
        ("profile.points lt 123456789012345678901234567890", ["ada", "bob", "cy"]),  # > 2**63
        ("profile.points eq 123456789012345678901234567890", []),
        ("profile.points gt -9223372036854775809", ["ada", "bob", "cy"]),
        ("profile.points gt " + "9" * 5000, []),  # past a float: text, which no number equals
        ("profile.points gt 5 and profile.vip eq true", ["cy"]),
        ('profile.points lt 5 or profile.tags eq "beta"', ["ada", "bob"]),
    ],
)
def test_a_typed_property_is_compared_by_its_type(
    found: Callable[[str], list[str]], expression: str, names: list[str]
) -> None:
    assert found(expression) == names


@pytest.mark.parametrize(
    "expression",
    ["profile.points ne 10", 'profile.firstName ne "Isaac"', 'status ne "STAGED"'],
)
def test_ne_is_not_a_search_operator(api: Api, expression: str) -> None:
    # SPEC listUsers: "The `ne` (not equal) operator isn't supported, but you can obtain the
    # same result by using `lt ... or ... gt`."
    response = api.call("GET", "/api/v1/users?search=" + quote(expression))
    assert_error(response, 400, "E0000031", "Invalid search criteria.")
