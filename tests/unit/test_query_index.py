"""The indexed `search`, `filter` and `q` answer exactly what a plain evaluation of each user does.

Random orgs (creates, profile updates, deletes, custom properties, a number among the strings,
case, diacritics, backslashes and LIKE's own characters in values) and random expressions; the
expected answer is computed here in Python, one user at a time, with SQL's three-valued logic
(a missing property is unknown, `not unknown` is unknown). Both plans are checked: starting from
the index's candidates, and walking users in id order (when the candidates are many).
"""

from __future__ import annotations

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
CUSTOM = frozenset({"cost", "level"})
CUSTOM_SCHEMA = {
    "definitions": {
        "custom": {
            "id": "#custom",
            "type": "object",
            "properties": {
                "cost": {"title": "Cost", "type": "string"},
                "level": {"title": "Level", "type": "integer"},
            },
        }
    }
}
TEXT_PROPERTIES = ("firstName", "lastName", "email", "login", "nickName", "cost")
# Small alphabets, so that values collide, share prefixes and differ only in case or accents.
CHARS = "aAbBcé\u00c9\u00df\\%_\"' \u0130"
LOCAL_CHARS = "aAbBé\u00df\\%_"

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
    return profile


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ----- the plain evaluation


def sql_compare(left: object, op: str, right: object) -> Truth:
    """SQLite's comparison of a value without affinity: NULL is unknown, numbers sort first."""
    if left is None:
        return None
    if isinstance(left, int) != isinstance(right, int):
        order = -1 if isinstance(left, int) else 1
    else:
        order = (left > right) - (left < right)  # type: ignore[operator]
    return {"eq": order == 0, "ne": order != 0, "gt": order > 0, "ge": order >= 0}.get(
        op, order < 0 if op == "lt" else order <= 0
    )


def folded_property(user: User, name: str) -> object:
    value = user.profile.get(name)
    return value.casefold() if isinstance(value, str) else value


def leaf(attr: str, op: str, value: object) -> Check:
    def check(user: User) -> Truth:
        if attr == "lastUpdated":
            return sql_compare(user.last_updated, op, value)
        if attr == "status":
            return sql_compare(user.status.value, op, str(value).upper())
        if attr == "id":
            return sql_compare(user.id, op, value)
        name = attr.removeprefix("profile.")
        got = folded_property(user, name)
        if op == "pr":
            return got is not None
        if got is None:
            return None
        wanted = str(value).casefold()
        if op in ("sw", "co"):  # LIKE reads a number as its text
            text = str(got)
            return text.startswith(wanted) if op == "sw" else wanted in text
        return sql_compare(got, op, wanted)

    return check


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
def search_leaf(draw: st.DrawFn, users: list[User]) -> tuple[str, Check]:
    attr = draw(
        st.sampled_from(
            [f"profile.{p}" for p in (*TEXT_PROPERTIES, "level")] + ["status", "lastUpdated", "id"]
        )
    )
    someone = draw(st.sampled_from(users))
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
    ops = ["eq", "sw", "pr", "gt", "lt"] + (["co"] if name in CONTAINS_NAMES else [])
    op = draw(st.sampled_from(ops))
    if op == "pr":
        return f"{attr} pr", leaf(attr, op, None)
    own = someone.profile.get(name)
    if isinstance(own, str) and own and draw(st.booleans()):
        start = draw(st.integers(0, len(own) - 1))
        end = draw(st.integers(start + 1, len(own)))
        piece = own if op == "eq" else own[start if op == "co" else 0 : end]
        value = draw(st.sampled_from([piece, piece.upper(), piece.swapcase()]))
    else:
        value = draw(_text(min_size=0) if name != "level" else st.integers(0, 30).map(str))
    return f"{attr} {op} {quoted(value)}", leaf(attr, op, value)


@st.composite
def search_expression(draw: st.DrawFn, users: list[User], depth: int = 0) -> tuple[str, Check]:
    kind = draw(st.sampled_from(["leaf", "leaf", "not", "and", "or"] if depth < 3 else ["leaf"]))
    if kind == "leaf":
        return draw(search_leaf(users))
    if kind == "not":
        text, check = draw(search_expression(users, depth + 1))
        return f"not ({text})", negate(check)
    (a, left), (b, right) = (
        draw(search_expression(users, depth + 1)),
        draw(search_expression(users, depth + 1)),
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
    org.store.update_user_profile("default", CUSTOM_SCHEMA)  # `level` is a number
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


@SETTINGS
@given(steps=org_changes(), data=st.data(), limit=st.sampled_from([3, 200]))
def test_indexed_search_answers_as_a_plain_evaluation(
    org: Org, steps: list[tuple[str, object]], data: st.DataObject, limit: int
) -> None:
    users = build(org, steps)
    if not users:
        return
    text, check = data.draw(search_expression(users), label="search")
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
