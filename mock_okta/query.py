"""`filter` and `search` expressions of List Users, parsed and compiled to SQL.

Okta (reference.md §1): `filter` takes `eq` on status, id, profile.login/email/firstName/lastName
and `gt/ge/lt/le` on lastUpdated, with and/or but no `not`; `search` takes any profile property
plus id, status, created, activated, statusChanged, lastUpdated and type.id, with eq, sw, co (only
on firstName, lastName, email and login), gt/ge/lt/le, pr, and/or/not. Property names are
case-sensitive; operators and values are not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from mock_okta.errors import E_INVALID_SEARCH, OktaError
from mock_okta.profile import login_key

_TOKEN_RE: Final = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<str>(?:[^"\\]|\\.)*)"|(?P<word>[A-Za-z0-9_.:+\-]+))'
)
DATE_COLUMNS: Final = {
    "lastUpdated": "last_updated",
    "created": "created",
    "activated": "activated",
    "statusChanged": "status_changed",
}
COMPARISONS: Final = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
CONTAINS_PROPERTIES: Final = frozenset(
    {"profile.firstName", "profile.lastName", "profile.email", "profile.login"}
)
FILTER_EQ: Final = frozenset(
    {"status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"}
)

# PARITY: Okta's limits on an expression are unconfirmed. These keep the parser's recursion and
# SQLite's expression tree (at most 1000 deep) bounded: beyond them, 400 E0000031.
MAX_DEPTH: Final = 32
MAX_COMPARISONS: Final = 100


@dataclass(frozen=True, slots=True)
class Sql:
    where: str
    params: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Fields:
    """What a resource's expressions may name, and the columns behind the names."""

    dates: Mapping[str, str]  # date attribute -> column (epoch ms)
    filter_eq: frozenset[str]  # attributes `filter` takes with eq
    filter_dates: frozenset[str]  # date attributes `filter` also compares with gt/ge/lt/le
    contains: frozenset[str]  # attributes `co` may name
    upper: Mapping[str, str]  # attribute -> column whose values are upper case (status, type)
    columns: Mapping[str, str]  # other top-level attributes -> column
    login_key: bool = False  # `filter=profile.login eq` matches as logins are unique


USER_FIELDS: Final = Fields(
    dates=DATE_COLUMNS,
    filter_eq=FILTER_EQ,
    filter_dates=frozenset({"lastUpdated"}),
    contains=CONTAINS_PROPERTIES,
    upper={"status": "status"},
    columns={"id": "id", "type.id": "type_id"},
    login_key=True,
)
# Groups (SPEC listGroups): filter on id, type, lastUpdated, lastMembershipUpdated; search on
# any profile property and id, created, lastUpdated, lastMembershipUpdated, type; `co` only on
# profile.name and profile.description.
GROUP_FIELDS: Final = Fields(
    dates={
        "created": "created",
        "lastUpdated": "last_updated",
        "lastMembershipUpdated": "last_membership_updated",
    },
    filter_eq=frozenset({"id", "type"}),
    filter_dates=frozenset({"lastUpdated", "lastMembershipUpdated"}),
    contains=frozenset({"profile.name", "profile.description"}),
    upper={"type": "type"},
    columns={"id": "id"},
)


def _bad() -> OktaError:
    return OktaError(E_INVALID_SEARCH)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise _bad()
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        out.append((kind, value.replace('\\"', '"') if kind == "str" else value))
    return out


def parse_date_ms(text: str) -> int:
    """Okta's ISO 8601 timestamps (`2013-07-02T21:36:25.344Z`, offsets allowed) to epoch ms."""
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad() from None
    if dt.tzinfo is None:
        raise _bad()
    return int(dt.timestamp() * 1000)


class _Compiler:
    def __init__(self, text: str, *, search: bool, fields: Fields = USER_FIELDS) -> None:
        self.fields = fields
        self.tokens = _tokens(text)
        self.pos = 0
        self.search = search
        self.params: list[object] = []
        self.depth = 0
        self.comparisons = 0

    def compile(self) -> Sql:
        if not self.tokens:
            raise _bad()
        where = self._or()
        if self.pos != len(self.tokens):
            raise _bad()
        return Sql(where, tuple(self.params))

    def _peek_word(self) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "word":
            return self.tokens[self.pos][1].lower()
        return None

    def _next(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _bad()
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> str:
        parts = [self._and()]
        while self._peek_word() == "or":
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._factor()]
        while self._peek_word() == "and":
            self.pos += 1
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _factor(self) -> str:
        kind, value = self._next()
        if kind == "lp" or (kind == "word" and value.lower() == "not" and self.search):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _bad()
            if kind == "lp":
                inner = self._or()
                if self._next()[0] != "rp":
                    raise _bad()
                factor = f"({inner})"
            else:
                factor = f"NOT ({self._factor()})"
            self.depth -= 1
            return factor
        if kind != "word":
            raise _bad()
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise _bad()
        return self._comparison(value)

    def _comparison(self, attr: str) -> str:
        kind, op_text = self._next()
        op = op_text.lower()
        if kind != "word":
            raise _bad()
        if op == "pr" and self.search:
            return f"{self._column(attr, op)} IS NOT NULL"
        kind, value = self._next()
        if kind not in ("str", "word"):
            raise _bad()
        column = self._column(attr, op)
        if attr in self.fields.dates:
            if op not in COMPARISONS:
                raise _bad()
            self.params.append(parse_date_ms(value))
            return f"{column} {COMPARISONS[op]} ?"
        if attr == "id" and op in COMPARISONS:
            self.params.append(value)  # ids are case-sensitive
            return f"id {COMPARISONS[op]} ?"
        if attr in self.fields.upper and op in COMPARISONS:
            self.params.append(value.upper())
            return f"{column} {COMPARISONS[op]} ?"
        if attr == "profile.login" and op == "eq" and not self.search and self.fields.login_key:
            # PARITY: filter matches logins as Okta's uniqueness does (case and diacritics
            # ignored), though SPEC listUsers calls filter values case-sensitive; `search`
            # ignores case but keeps diacritics significant, as SPEC listUsers says.
            self.params.append(login_key(value))  # the unique index
            return "login_key = ?"
        folded = value.casefold()
        if op == "sw":
            self.params.append(_like_prefix(folded) + "%")
            return f"casefold({column}) LIKE ? ESCAPE '\\'"
        if op == "co":
            self.params.append("%" + _like_prefix(folded) + "%")
            return f"casefold({column}) LIKE ? ESCAPE '\\'"
        if op not in COMPARISONS:
            raise _bad()
        self.params.append(folded)
        return f"casefold({column}) {COMPARISONS[op]} ?"

    def _column(self, attr: str, op: str) -> str:
        fields = self.fields
        if not self.search:
            allowed = op == "eq" and attr in fields.filter_eq
            allowed |= attr in fields.filter_dates and op in ("eq", "gt", "ge", "lt", "le")
            if not allowed:
                raise _bad()
        elif op == "co" and attr not in fields.contains:
            raise _bad()
        if attr in fields.dates:
            return fields.dates[attr]
        if attr in fields.upper:
            return fields.upper[attr]
        if attr in fields.columns:
            return fields.columns[attr]
        if attr.startswith("profile.") and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", attr[8:]):
            return f"json_extract(profile, '$.{attr[8:]}')"
        raise _bad()


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_filter(text: str, fields: Fields = USER_FIELDS) -> Sql:
    return _Compiler(text, search=False, fields=fields).compile()


def compile_search(text: str, fields: Fields = USER_FIELDS) -> Sql:
    return _Compiler(text, search=True, fields=fields).compile()
