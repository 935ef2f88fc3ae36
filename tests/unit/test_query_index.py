"""The indexed `search`, `filter` and `q` answer exactly what a plain evaluation of each user does.

Random orgs (creates, profile updates, deletes, custom properties of every type: integers, reals,
booleans and arrays among the strings; case, diacritics, backslashes and LIKE's own characters
in values) and random expressions, numbers and booleans written bare or quoted; the
expected answer is computed here in Python, one user at a time, with SQL's three-valued logic
(a missing property is unknown, `not unknown` is unknown), each value compared by its type (a
string as folded text, a number as a number, a boolean with true or false, an array by any
element, as mock_okta.query.profile_comparison says Okta's search does). Both plans are
checked: starting from the index's candidates, and walking users in id order (when the
candidates are many).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mock_okta.store.users as store_users
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.db import CONTAINS_NAMES, DROP_PROFILE_INDEX
from mock_okta.ids import IdFactory
from mock_okta.models import User
from mock_okta.org import Org
from mock_okta.profile import login_key
from mock_okta.store import ListQuery

START = 1_700_000_000.0
CUSTOM = frozenset({"cost", "level", "score", "vip", "tags"})
CUSTOM_SCHEMA = {
    "definitions": {
        "custom": {
            "id": "#custom",
            "type": "object",
            "properties": {
                "cost": {"title": "Cost", "type": "string"},
                "level": {"title": "Level", "type": "integer"},
                "score": {"title": "Score", "type": "number"},
                "vip": {"title": "VIP", "type": "boolean"},
                "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}},
            },
        }
    }
}
TEXT_PROPERTIES = ("firstName", "lastName", "email", "login", "nickName", "cost")
# Small alphabets, so that values collide, share prefixes and differ only in case or accents.
CHARS = "aAbBcé\u00c9\u00df\\%_\"' \u0130"
LOCAL_CHARS = "aAbBé\u00df\\%_"

# Numbers as JSON holds them (integers and reals); each one's text, as SQLite writes it, is
# Python's str of it for these values.
SCORES = (0, 3, 2.5, -1.25, 10.0, 300)
NUMBER_LITERALS = ("0", "3", "2.5", "-1.25", "10", "10.0", "300", "-3")

TYPED_ATTRS = tuple(f"profile.{p}" for p in ("level", "score", "vip", "tags", "cost"))
ALL_ATTRS = (
    *(f"profile.{p}" for p in TEXT_PROPERTIES),
    *TYPED_ATTRS[:-1],
    "status",
    "lastUpdated",
    "id",
)

Truth = bool | None  # SQL's true, false and unknown
Check = Callable[[User], Truth]


def _text(alphabet: str = CHARS, min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=6)


@st.composite
def profiles(draw: st.DrawFn, n: int) -> dict[str, object]:
    local = draw(_text(LOCAL_CHARS))
    login = f"{local}{n}@x.io"
    profile: dict[str, object] = {
        "login": login,
        "email": draw(st.sampled_from([login, f"{draw(_text(LOCAL_CHARS))}@y.io"])),
        "firstName": draw(_text()),
        "lastName": draw(_text()),
    }
    for name in ("nickName", "cost"):
        if draw(st.booleans()):
            profile[name] = draw(_text())
    if draw(st.booleans()):
        profile["level"] = draw(st.integers(-3, 300))
    if draw(st.booleans()):
        profile["score"] = draw(st.sampled_from(SCORES))
    if draw(st.booleans()):
        profile["vip"] = draw(st.booleans())
    if draw(st.booleans()):
        profile["tags"] = draw(st.lists(_text(), max_size=3))
    return profile


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ----- the plain evaluation


def holds(op: str, order: int) -> bool:
    """Whether `op` holds between two values that compare as `order` (-1, 0 or 1)."""
    return {"eq": order == 0, "gt": order > 0, "ge": order >= 0, "lt": order < 0}.get(
        op, order <= 0
    )


def sql_compare(left: object, op: str, right: object) -> Truth:
    """A top-level attribute (a date's ms, a status, an id) against a value of its type: NULL
    is unknown."""
    if left is None:
        return None
    return holds(op, (left > right) - (left < right))  # type: ignore[operator]


def leaf(attr: str, op: str, value: object) -> Check:
    def check(user: User) -> Truth:
        if attr == "lastUpdated":
            return sql_compare(user.last_updated, op, value)
        if attr == "status":
            return sql_compare(user.status.value, op, str(value).upper())
        if attr == "id":
            return sql_compare(user.id, op, value)
        name = attr.removeprefix("profile.")
        got = user.profile.get(name)
        if op == "pr":
            return got is not None
        if got is None:
            return None  # unknown
        elements = got if isinstance(got, list) else [got]  # an array matches by any element
        return any(element_matches(e, op, str(value)) for e in elements)

    return check


def element_matches(got: object, op: str, value: str) -> bool:
    """One stored value against a search value, by the stored value's type."""
    wanted = value.casefold()
    if isinstance(got, bool):
        return op == "eq" and wanted == ("true" if got else "false")
    if isinstance(got, int | float):
        if op in ("sw", "co"):  # a number's text
            return str(got).startswith(wanted) if op == "sw" else wanted in str(got)
        if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value) is None:
            return False  # a number never equals, or sorts against, text
        number = float(value)
        return holds(op, (got > number) - (got < number))
    if isinstance(got, str):
        text = got.casefold()
        if op in ("sw", "co"):
            return text.startswith(wanted) if op == "sw" else wanted in text
        return holds(op, (text > wanted) - (text < wanted))
    return False


def filter_login(value: str) -> Check:
    return lambda user: login_key(user.login) == login_key(value)


def negate(inner: Check) -> Check:
    def check(user: User) -> Truth:
        got = inner(user)
        return None if got is None else not got

    return check


def both(left: Check, right: Check, operator: str) -> Check:
    def check(user: User) -> Truth:
        a, b = left(user), right(user)
        if operator == "and":
            return False if False in (a, b) else (None if None in (a, b) else True)
        return True if True in (a, b) else (None if None in (a, b) else False)

    return check


# ----- random expressions over a given org


@st.composite
def search_leaf(draw: st.DrawFn, users: list[User], attrs: tuple[str, ...]) -> tuple[str, Check]:
    attr = draw(st.sampled_from(attrs))
    holders = [u for u in users if u.profile.get(attr.removeprefix("profile."))]
    someone = draw(st.sampled_from(holders or users))  # one who has it, when anyone does
    if attr == "lastUpdated":
        op = draw(st.sampled_from(["eq", "gt", "ge", "lt", "le"]))
        ms = someone.last_updated + draw(st.sampled_from([-500, 0, 500]))
        return f"{attr} {op} {quoted(iso(ms))}", leaf(attr, op, ms)
    if attr == "status":
        status = draw(st.sampled_from([someone.status.value, "STAGED", "active"]))
        return f"status eq {quoted(status)}", leaf(attr, "eq", status)
    if attr == "id":
        op = draw(st.sampled_from(["eq", "gt", "lt"]))
        return f"id {op} {quoted(someone.id)}", leaf(attr, op, someone.id)
    name = attr.removeprefix("profile.")
    ops = ["eq", "sw", "pr", "gt", "ge", "lt", "le"] + (["co"] if name in CONTAINS_NAMES else [])
    op = draw(st.sampled_from(ops))
    if op == "pr":
        return f"{attr} pr", leaf(attr, op, None)
    own = someone.profile.get(name)
    listed_in = isinstance(own, list) and bool(own)
    if isinstance(own, list) and own:
        own = draw(st.sampled_from(own))  # an element of someone's array
    if isinstance(own, str) and own and (listed_in or draw(st.booleans())):
        start = draw(st.integers(0, len(own) - 1))
        end = draw(st.integers(start + 1, len(own)))
        piece = own if op == "eq" else own[start if op == "co" else 0 : end]
        value = draw(st.sampled_from([piece, piece.upper(), piece.swapcase()]))
        return f"{attr} {op} {quoted(value)}", leaf(attr, op, value)
    kinds = [_text(min_size=0)]
    if name in ("level", "score", "cost"):
        kinds.append(st.sampled_from(NUMBER_LITERALS))
    if name in ("vip", "cost"):
        kinds.append(st.sampled_from(["true", "false", "TRUE", "yes"]))
    value = draw(st.one_of(kinds))
    bare = value in NUMBER_LITERALS or value.lower() in ("true", "false", "yes")
    written = value if bare and draw(st.booleans()) else quoted(value)  # `gt 5` or `gt "5"`
    return f"{attr} {op} {written}", leaf(attr, op, value)


@st.composite
def search_expression(
    draw: st.DrawFn, users: list[User], attrs: tuple[str, ...] = ALL_ATTRS, depth: int = 0
) -> tuple[str, Check]:
    kind = draw(st.sampled_from(["leaf", "leaf", "not", "and", "or"] if depth < 3 else ["leaf"]))
    if kind == "leaf":
        return draw(search_leaf(users, attrs))
    if kind == "not":
        text, check = draw(search_expression(users, attrs, depth + 1))
        return f"not ({text})", negate(check)
    (a, left), (b, right) = (
        draw(search_expression(users, attrs, depth + 1)),
        draw(search_expression(users, attrs, depth + 1)),
    )
    return f"({a} {kind} {b})", both(left, right, kind)


@st.composite
def filter_expression(draw: st.DrawFn, users: list[User], depth: int = 0) -> tuple[str, Check]:
    kind = draw(st.sampled_from(["leaf", "leaf", "and", "or"] if depth < 2 else ["leaf"]))
    if kind != "leaf":
        (a, left), (b, right) = (
            draw(filter_expression(users, depth + 1)),
            draw(filter_expression(users, depth + 1)),
        )
        return f"({a} {kind} {b})", both(left, right, kind)
    someone = draw(st.sampled_from(users))
    attr = draw(st.sampled_from(["profile.login", "profile.email", "profile.lastName", "status"]))
    if attr == "status":
        return f"status eq {quoted(someone.status.value)}", leaf(attr, "eq", someone.status.value)
    value = str(someone.profile[attr.removeprefix("profile.")])
    value = draw(st.sampled_from([value, value.upper()]))
    check = filter_login(value) if attr == "profile.login" else leaf(attr, "eq", value)
    return f"{attr} eq {quoted(value)}", check


# ----- the org


@pytest.fixture(params=[5000, 1], ids=["from-candidates", "walking-ids"])
def org(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    monkeypatch.setattr(store_users, "FEW_CANDIDATES", request.param)
    settings = Settings(db=":memory:", custom_profile_properties=CUSTOM)
    org = Org(settings, clock=ManualClock(START), ids=IdFactory(3))
    yield org
    org.close()


@st.composite
def org_changes(draw: st.DrawFn) -> list[tuple[str, object]]:
    """Creates (one by one and seeded), then profile updates and deletes of some of them."""
    n = draw(st.integers(1, 14))
    steps: list[tuple[str, object]] = [("create", draw(profiles(i))) for i in range(n)]
    for _ in range(draw(st.integers(0, 5))):
        target = draw(st.integers(0, n - 1))
        kind = draw(st.sampled_from(["update", "delete", "deactivate"]))
        change = {"lastName": draw(_text()), "nickName": None} if kind == "update" else None
        steps.append((kind, (target, change)))
    return steps


def build(org: Org, steps: list[tuple[str, object]]) -> list[User]:
    org.reset()
    org.store.update_user_profile("default", CUSTOM_SCHEMA)  # typed custom properties
    assert isinstance(org.clock, ManualClock)
    ids: list[str] = []
    for kind, arg in steps:
        org.clock.advance(1.0)
        if kind == "create":  # one at a time, or through the bulk seed (trigrams at its end)
            password = {"password": {"value": "Zy9#Qk7*Wv"}}
            if len(ids) % 2:
                seeded = org.store.seed_users([{"profile": arg, "credentials": password}])
                ids.append(seeded[0].id)
            else:
                ids.append(org.store.create_user(arg, password, activate=len(ids) % 4 != 0).id)
            continue
        assert isinstance(arg, tuple)
        target, change = arg
        try:
            if kind == "update":
                org.store.update_user(ids[target], change, None)
            elif kind == "delete":
                org.store.delete_user(ids[target])
            else:
                org.store.deactivate_user(ids[target])
        except Exception:
            pass
    return [u for u in (org.store.find_user(i) for i in ids) if u is not None]


def listed(org: Org, limit: int, **query: str) -> list[str]:
    """Every page, followed by `after`."""
    out: list[str] = []
    after = None
    while True:
        page = org.store.list_users(ListQuery(limit=str(limit), after=after, **query))
        out.extend(u.id for u in page.users)
        if page.next_after is None:
            return out
        after = page.next_after


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Every attribute; and the typed ones alone (integers, reals, booleans, arrays and a string),
# so that their rarer cases (an array's element, a bare number) come up often.
@pytest.mark.parametrize("attrs", [ALL_ATTRS, TYPED_ATTRS], ids=["all", "typed"])
@SETTINGS
@given(steps=org_changes(), data=st.data(), limit=st.sampled_from([3, 200]))
def test_indexed_search_answers_as_a_plain_evaluation(
    org: Org,
    attrs: tuple[str, ...],
    steps: list[tuple[str, object]],
    data: st.DataObject,
    limit: int,
) -> None:
    users = build(org, steps)
    if not users:
        return
    text, check = data.draw(search_expression(users, attrs), label="search")
    expected = sorted(u.id for u in users if check(u) is True)
    assert listed(org, limit, search=text) == expected, text


@SETTINGS
@given(steps=org_changes(), data=st.data())
def test_indexed_filter_answers_as_a_plain_evaluation(
    org: Org, steps: list[tuple[str, object]], data: st.DataObject
) -> None:
    users = build(org, steps)
    if not users:
        return
    text, check = data.draw(filter_expression(users), label="filter")
    expected = sorted(u.id for u in users if check(u) is True)
    assert listed(org, 4, filter=text) == expected, text


@SETTINGS
@given(steps=org_changes(), data=st.data())
def test_indexed_q_answers_as_a_plain_evaluation(
    org: Org, steps: list[tuple[str, object]], data: st.DataObject
) -> None:
    users = build(org, steps)
    if not users:
        return
    someone = data.draw(st.sampled_from(users))
    name = data.draw(st.sampled_from(["firstName", "lastName", "email"]))
    own = str(someone.profile[name])
    prefix = data.draw(st.sampled_from([own[:1], own[:3].upper(), own, "zz"]))
    expected = sorted(
        u.id
        for u in users
        if u.status.value != "DEPROVISIONED"
        and any(
            str(u.profile[p]).casefold().startswith(prefix.casefold())
            for p in ("firstName", "lastName", "email")
        )
    )
    assert listed(org, 200, q=prefix) == expected, prefix


def test_a_store_from_before_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    first = Org(Settings(db=path))
    made = first.store.create_user(
        {"login": "old.timer@x.io", "email": "old.timer@x.io", "firstName": "Ol", "lastName": "D"}
    )
    first.close()
    with sqlite3.connect(path) as conn:  # as version 2 left it: users, no profile index
        for statement in DROP_PROFILE_INDEX:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
    second = Org(Settings(db=path))
    try:
        by_email = second.store.list_users(ListQuery(search='profile.email eq "OLD.timer@x.io"'))
        by_part = second.store.list_users(ListQuery(search='profile.login co "timer"'))
        assert [u.id for u in by_email.users] == [made.id]
        assert [u.id for u in by_part.users] == [made.id]
    finally:
        second.close()
