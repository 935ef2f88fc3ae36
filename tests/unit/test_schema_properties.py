"""Schema definitions and profile validation on generated input (Hypothesis): any definition
either parses or is refused with E0000001 naming the property; a parsed one accepts exactly
the values an independent reading of Okta's rules accepts, and nothing else escapes."""

from __future__ import annotations

from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="Hypothesis comes with the fuzz extra")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mock_okta.errors import OktaError  # noqa: E402
from mock_okta.schema import UserSchema, parse_attribute  # noqa: E402
from mock_okta.validation import CompiledSchema  # noqa: E402

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
KINDS = st.sampled_from(["string", "integer", "number", "boolean", "array", "date", None, 3])
ITEM_KINDS = st.sampled_from(["string", "integer", "number", "boolean", "array", None])
OPTIONAL = {
    "required": st.booleans() | JSON,
    "minLength": st.integers(-2, 12) | JSON,
    "maxLength": st.integers(-2, 12) | JSON,
    "enum": st.lists(st.text(max_size=3) | st.integers(0, 3), max_size=4) | JSON,
    "unique": st.booleans() | st.sampled_from(["UNIQUE_VALIDATED", "NOT_UNIQUE", "yes"]),
    "default": JSON,
    "pattern": st.sampled_from(["[a-z]+", "(", "x*"]) | JSON,
    "scope": st.sampled_from(["NONE", "SELF", "ALL"]),
    "colour": JSON,
}


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    """Mostly well-formed definitions (a title; items for an array), with any attribute given
    or left out, and sometimes junk in any of them."""
    kind = draw(KINDS)
    out: dict[str, Any] = {"type": kind, "title": draw(st.sampled_from(["Tier", "T"]) | JSON)}
    if kind == "array" or draw(st.integers(0, 9)) == 0:
        out["items"] = draw(
            st.fixed_dictionaries(
                {"type": ITEM_KINDS},
                optional={"enum": st.lists(st.text(max_size=2) | st.integers(0, 2), max_size=3)},
            )
            | JSON
        )
    for key, values in OPTIONAL.items():
        if draw(st.integers(0, 3)) == 0:
            out[key] = draw(values)
    return out


DEFINITION = definitions()


def fits(value: object, attribute: dict[str, Any]) -> bool:
    """Okta's rules for one value, read independently of validation.py."""
    kind = attribute["type"]
    checks = {
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**63,
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }
    if kind == "array":
        items = attribute["items"]
        ok = isinstance(value, list) and all(checks[items["type"]](v) for v in value)
        return ok and all(v in items.get("enum", value) for v in value)
    if not checks[kind](value):
        return False
    if "enum" in attribute and value not in attribute["enum"]:
        return False
    if isinstance(value, str):
        if value == "":
            return True  # blank: no value (required is another rule)
        if len(value) < attribute.get("minLength", 0):
            return False
        if len(value) > attribute.get("maxLength", 10**9):
            return False
        import re

        pattern = attribute.get("pattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            return False
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            return False
    return True


PROFILE = {
    "login": "ana@example.com",
    "email": "ana@example.com",
    "firstName": "A",
    "lastName": "B",
}


def attempt(call: Any, *args: Any) -> tuple[Any, OktaError | None]:
    """(result, None), or (None, the OktaError it raised): any other exception escapes."""
    try:
        return call(*args), None
    except OktaError as exc:
        return None, exc


def assert_e0000001(exc: OktaError, field: str) -> None:
    assert exc.spec.code == "E0000001"
    assert exc.summary == f"Api validation failed: {field}"
    assert exc.causes


@settings(max_examples=150, deadline=None)
@given(definition=DEFINITION, value=JSON)
def test_definitions_parse_or_are_refused_and_values_are_judged_as_okta_would(
    definition: dict[str, Any], value: object
) -> None:
    attribute, refused = attempt(parse_attribute, "x", definition)
    if refused is not None:
        assert_e0000001(refused, "x")
        assert refused.causes[0].startswith("x: ")
        return
    schema = CompiledSchema(UserSchema({"x": attribute}, {}, 0, 0))
    clean, invalid = attempt(schema.validate, {**PROFILE, "x": value})
    if invalid is not None:
        assert_e0000001(invalid, "x")
        if value is None or value == "":
            assert attribute.get("required")
            assert "default" not in attribute
        else:
            assert not fits(value, attribute), (attribute, value)
        return
    if value is None or (value == "" and attribute["type"] == "string"):
        assert clean.get("x") in (None, "", attribute.get("default"))
    else:
        assert fits(value, attribute), (attribute, value)
        assert clean["x"] == value


@settings(max_examples=60, deadline=None)
@given(body=JSON)
def test_any_json_as_a_schema_update_is_a_change_or_e0000001(body: object) -> None:
    from mock_okta.schema import default_schema, update_schema

    for wrapped in (body, {"definitions": body}, {"definitions": {"custom": {"properties": body}}}):
        _, refused = attempt(update_schema, default_schema(0), wrapped, 1)
        assert refused is None or refused.spec.code == "E0000001"


@pytest.mark.parametrize("kind", ["string", "integer", "number", "boolean", "array"])
def test_a_well_formed_definition_of_each_type_parses(kind: str) -> None:
    """The shape `definitions()` draws most often: a title, and items for an array."""
    raw: dict[str, Any] = {"type": kind, "title": "Tier"}
    if kind == "array":
        raw["items"] = {"type": "string"}
    assert parse_attribute("x", raw)["type"] == kind
