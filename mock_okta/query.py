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

from mock_okta.db import CONTAINS_NAMES
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
# PARITY: no `ne`: SPEC listUsers says search doesn't support it ("use `lt ... or ... gt`"),
# and listGroups lists no such operator; either answers 400 E0000031 here.
COMPARISONS: Final = {"eq": "=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
CONTAINS_PROPERTIES: Final = frozenset(
    {"profile.firstName", "profile.lastName", "profile.email", "profile.login"}
)
FILTER_EQ: Final = frozenset(
    {"status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"}
)


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
    indexed: bool = False  # the users' profile index answers candidates (db.PROFILE_INDEX)


USER_FIELDS: Final = Fields(
    dates=DATE_COLUMNS,
    filter_eq=FILTER_EQ,
    filter_dates=frozenset({"lastUpdated"}),
    contains=CONTAINS_PROPERTIES,
    upper={"status": "status"},
    columns={"id": "id", "type.id": "type_id"},
    login_key=True,
    indexed=True,
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

# PARITY: Okta's limits on an expression are unconfirmed. These keep the parser's recursion and
# SQLite's expression tree (at most 1000 deep) bounded: beyond them, 400 E0000031.
MAX_DEPTH: Final = 32
MAX_COMPARISONS: Final = 100


@dataclass(frozen=True, slots=True)
class Candidates:
    """A SELECT of user ids that holds every match (and maybe more), answered from an index."""

    select: str
    params: tuple[object, ...]
    rank: int  # a guess at selectivity, lowest first: which side of an `and` to start from


@dataclass(frozen=True, slots=True)
class Sql:
    """`where` is the exact condition; `candidates`, when an index can answer, a superset."""

    where: str
    params: tuple[object, ...]
    candidates: Candidates | None = None


# Ranks of Candidates, most selective first.
_BY_ID, _BY_LOGIN, _BY_VALUE, _BY_PREFIX, _BY_TRIGRAMS, _BY_DATE, _BY_STATUS = range(7)
_INDEXED_DATES: Final = frozenset({"lastUpdated"})  # users_last_updated


def _bad() -> OktaError:
    return OktaError(E_INVALID_SEARCH)


def _unescape(text: str) -> str:
    # PARITY: a backslash makes the next character literal (`\\` is one backslash, `\"` a
    # quote), as in JSON and SCIM filter strings; Okta documents no other escape in values.
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


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
        out.append((kind, _unescape(value) if kind == "str" else value))
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


@dataclass(frozen=True, slots=True)
class _Part:
    where: str
    params: tuple[object, ...]
    candidates: Candidates | None


class _Compiler:
    def __init__(self, text: str, *, search: bool, fields: Fields = USER_FIELDS) -> None:
        self.fields = fields
        self.tokens = _tokens(text)
        self.pos = 0
        self.search = search
        self.depth = 0
        self.comparisons = 0

    def compile(self) -> Sql:
        if not self.tokens:
            raise _bad()
        part = self._or()
        if self.pos != len(self.tokens):
            raise _bad()
        # Candidates come from the users' profile index; other resources are scanned.
        return Sql(part.where, part.params, part.candidates if self.fields.indexed else None)

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

    def _or(self) -> _Part:
        parts = [self._and()]
        while self._peek_word() == "or":
            self.pos += 1
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        found = [p.candidates for p in parts]
        union = None
        if all(found):  # every side answered by an index: their union holds every match
            picked = [c for c in found if c is not None]
            union = Candidates(
                " UNION ALL ".join(c.select for c in picked),
                tuple(x for c in picked for x in c.params),
                max(c.rank for c in picked),
            )
        return _joined(parts, " OR ", union)

    def _and(self) -> _Part:
        parts = [self._factor()]
        while self._peek_word() == "and":
            self.pos += 1
            parts.append(self._factor())
        if len(parts) == 1:
            return parts[0]
        found = [p.candidates for p in parts if p.candidates is not None]
        return _joined(parts, " AND ", min(found, key=lambda c: c.rank) if found else None)

    def _factor(self) -> _Part:
        kind, value = self._next()
        if kind == "lp" or (kind == "word" and value.lower() == "not" and self.search):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _bad()
            if kind == "lp":
                inner = self._or()
                if self._next()[0] != "rp":
                    raise _bad()
                factor = _Part(f"({inner.where})", inner.params, inner.candidates)
            else:
                inner = self._factor()  # `not` keeps no candidates: its matches are the rest
                factor = _Part(f"NOT ({inner.where})", inner.params, None)
            self.depth -= 1
            return factor
        if kind != "word":
            raise _bad()
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise _bad()
        return self._comparison(value)

    def _comparison(self, attr: str) -> _Part:
        kind, op_text = self._next()
        op = op_text.lower()
        if kind != "word":
            raise _bad()
        if op == "pr" and self.search:
            return _Part(f"{self._column(attr, op)} IS NOT NULL", (), None)
        kind, value = self._next()
        if kind not in ("str", "word"):
            raise _bad()
        column = self._column(attr, op)
        found: Candidates | None
        if attr in self.fields.dates:
            if op not in COMPARISONS:
                raise _bad()
            ms = parse_date_ms(value)
            where = f"{column} {COMPARISONS[op]} ?"
            indexed = attr in _INDEXED_DATES
            found = Candidates(f"SELECT id FROM users WHERE {where}", (ms,), _BY_DATE)
            return _Part(where, (ms,), found if indexed else None)
        if attr == "id" and op in COMPARISONS:
            where = f"id {COMPARISONS[op]} ?"  # ids are case-sensitive
            found = Candidates("SELECT ?", (value,), _BY_ID) if op == "eq" else None
            return _Part(where, (value,), found)
        if attr in self.fields.upper and op in COMPARISONS:
            upper = value.upper()
            found = Candidates("SELECT id FROM users WHERE status = ?", (upper,), _BY_STATUS)
            keep = op == "eq" and attr == "status"
            return _Part(f"{column} {COMPARISONS[op]} ?", (upper,), found if keep else None)
        if attr == "profile.login" and op == "eq" and not self.search and self.fields.login_key:
            # PARITY: filter matches logins as Okta's uniqueness does (case and diacritics
            # ignored), though SPEC listUsers calls filter values case-sensitive; `search`
            # ignores case but keeps diacritics significant, as SPEC listUsers says.
            key = login_key(value)  # the unique index
            found = Candidates("SELECT id FROM users WHERE login_key = ?", (key,), _BY_LOGIN)
            return _Part("login_key = ?", (key,), found)
        if attr.startswith("profile."):
            return profile_comparison(attr[len("profile.") :], op, value)
        folded = value.casefold()
        if op in ("sw", "co"):
            pattern = _like_pattern(folded, op)
            return _Part(f"{folded_sql(column)} LIKE ? ESCAPE '\\'", (pattern,), None)
        if op not in COMPARISONS:
            raise _bad()
        return _Part(f"{folded_sql(column)} {COMPARISONS[op]} ?", (folded,), None)

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


def profile_comparison(name: str, op: str, value: str) -> _Part:
    """`profile.<name> <op> <value>` compared by the type of what each user holds.

    PARITY: Okta's search runs on a typed search index; these rules are the mock's reading of
    SPEC listUsers ("Properties that have array values": any element may match) and of what a
    typed index does: a string compares as folded text; a number compares numerically with a
    number (quoted or not: `profile.points gt 5` and `gt "5"` alike) and, for `sw`, as its
    text; a boolean equals `true` or `false`; a value of another type never matches. A
    property the user lacks (or holds as null) is unknown, as in SQL, so `not` leaves it out.
    """
    folded = value.casefold()
    parts: list[str] = []
    params: list[object] = []
    if op in ("sw", "co"):
        parts.append(
            "{t} IN ('text', 'integer', 'real') AND " + folded_sql("{x}") + " LIKE ? ESCAPE '\\'"
        )
        params.append(_like_pattern(folded, op))
    elif op in COMPARISONS:
        parts.append("{t} = 'text' AND " + folded_sql("{x}") + f" {COMPARISONS[op]} ?")
        params.append(folded)
        number = _number(value)
        if number is not None:
            parts.append(f"{{t}} IN ('integer', 'real') AND {{x}} {COMPARISONS[op]} ?")
            params.append(number)
        if op == "eq" and folded in ("true", "false"):
            parts.append("{t} = ?")
            params.append(folded)
    else:
        raise _bad()
    test = " OR ".join(f"({p})" for p in parts)
    path = f"'$.{name}'"
    each = test.format(t="e.type", x="e.value")
    whole = test.format(t=f"json_type(profile, {path})", x=f"json_extract(profile, {path})")
    kind = f"json_type(profile, {path})"
    where = (
        f"(CASE WHEN {kind} IS NULL OR {kind} = 'null' THEN NULL WHEN {kind} = 'array'"
        f" THEN EXISTS (SELECT 1 FROM json_each(profile, {path}) AS e WHERE {each})"
        f" ELSE {whole} END)"
    )
    return _Part(where, (*params, *params), _profile_candidates(name, op, folded))


def _profile_candidates(name: str, op: str, folded: str) -> Candidates | None:
    """A superset of the users `profile_comparison` matches, from the profile index. It holds
    each top-level value as folded text: numbers as SQLite writes them (so the candidates ask
    SQLite for the same text), booleans as 1 and 0, arrays as their JSON (so every user holding
    an array of that name is a candidate, and the condition looks inside)."""
    if op == "co":
        return profile_substring(name, folded)
    if op == "sw":
        found = profile_prefix(name, folded)
    elif op == "eq":
        values: list[str] = ["?"]
        params: list[object] = [folded]
        number = _number(folded)
        if number is not None and abs(number) < 2**53:  # as SQLite writes a REAL or INTEGER
            values.append("CAST(CAST(? AS REAL) AS TEXT)")
            params.append(number)
            if float(number).is_integer():
                values.append("CAST(CAST(? AS INTEGER) AS TEXT)")
                params.append(number)
        elif number is not None:
            return None
        if folded in ("true", "false"):
            values.append("?")
            params.append("1" if folded == "true" else "0")
        found = Candidates(
            f"SELECT user_id FROM profile_values WHERE name = ? AND value IN ({', '.join(values)})",
            (name, *params),
            _BY_VALUE,
        )
    else:
        return None
    if found is None:
        return None
    arrays = Candidates(  # arrays: their JSON starts with `[`
        "SELECT user_id FROM profile_values WHERE name = ? AND value >= '[' AND value < '\\'",
        (name,),
        found.rank,
    )
    return Candidates(
        f"{found.select} UNION ALL {arrays.select}", (*found.params, *arrays.params), found.rank
    )


_NUMBER_RE: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _number(text: str) -> int | float | None:
    """A JSON number in a search value, as SQLite compares it; else None."""
    if not _NUMBER_RE.fullmatch(text):
        return None
    number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    digits = text.lstrip("-")
    if digits.isdigit() and len(digits) <= 19 and -(2**63) <= int(text) < 2**63:
        return int(text)
    return number  # a fraction, an exponent, or past SQLite's 64-bit integers: a REAL


def _like_pattern(folded: str, op: str) -> str:
    pattern = _like_prefix(folded) + "%"
    return "%" + pattern if op == "co" else pattern


def folded_sql(expr: str) -> str:
    """Python's casefold of `expr` in SQL; ASCII text folds in SQLite itself, without a Python
    callback (which would take the GIL from every other request for each row)."""
    ascii_text = f"typeof({expr}) = 'text' AND {expr} NOT GLOB '*[^ -~]*'"
    return f"(CASE WHEN {ascii_text} THEN lower({expr}) ELSE casefold({expr}) END)"


def _joined(parts: list[_Part], operator: str, candidates: Candidates | None) -> _Part:
    where = "(" + operator.join(p.where for p in parts) + ")"
    return _Part(where, tuple(x for p in parts for x in p.params), candidates)


def profile_prefix(name: str, folded: str) -> Candidates | None:
    """Users whose property `name` starts with `folded`: a range of the profile index."""
    end = _successor(folded)
    if end is None:
        return None  # every user with the property, or no upper bound: no index narrows it
    return Candidates(
        "SELECT user_id FROM profile_values WHERE name = ? AND value >= ? AND value < ?",
        (name, folded, end),
        _BY_PREFIX,
    )


def profile_substring(name: str, folded: str) -> Candidates | None:
    """Users whose property `name` contains `folded` (3+ characters): its trigrams, all found."""
    if len(folded) < 3 or name not in CONTAINS_NAMES:
        return None
    # Three trigrams at most (first, middle, last): FTS5 leapfrogs from the rarest of them, and
    # every further common trigram costs a walk of its whole list.
    last = len(folded) - 3
    grams = {folded[i : i + 3] for i in (0, last // 2, last)}
    match = " AND ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
    return Candidates(
        "SELECT user_id FROM user_text WHERE user_text MATCH ?",
        (match,),
        _BY_TRIGRAMS,
    )


def _successor(text: str) -> str | None:
    """The least string after every string that starts with `text` (code point order)."""
    while text and ord(text[-1]) == 0x10FFFF:
        text = text[:-1]
    if not text:
        return None
    last = ord(text[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:
        last = 0xE000  # surrogates are never stored
    return text[:-1] + chr(last)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_filter(text: str, fields: Fields = USER_FIELDS) -> Sql:
    return _Compiler(text, search=False, fields=fields).compile()


def compile_search(text: str, fields: Fields = USER_FIELDS) -> Sql:
    return _Compiler(text, search=True, fields=fields).compile()
