"""The contract's checks of custom fields and groups: each a pure function of what the harness
saw (the org's schema, groups and users, the journal, the tool's output), returning a verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from mock_okta.harness.checks import Json, Verdict, defect_kind, expected_users, shown
from mock_okta.profile import login_key

MAX_GROUP_IDS: Final = 20  # Okta's limit on `groupIds` when creating a user (SPEC Users tag)
CUSTOM_FIELDS: Final = "every custom field migrated with its type"
EXACT_GROUPS: Final = "every user in exactly the dataset's groups"
GROUP_IDS: Final = "no create with more than 20 groupIds"
CUSTOM_DEFECTS: Final = "defective custom values skipped or reported"
CUSTOM_DEFECT_KINDS: Final = frozenset({"custom-enum", "custom-type", "custom-duplicate"})


def _creates(entries: Sequence[Json]) -> list[Json]:
    return [e for e in entries if e["method"] == "POST" and e["path"] == "/api/v1/users"]


def _body(entry: Json) -> Mapping[str, Any]:
    body = entry.get("body")
    return body if isinstance(body, Mapping) else {}


def refused_for(entries: Sequence[Json], code: str) -> set[str]:
    """Login keys whose creates Okta refused with `code`, and that no create made."""
    refused, made = set(), set()
    for entry in _creates(entries):
        login = entry.get("login")
        if not login:
            continue
        if entry["status"] == 200:
            made.add(login_key(str(login)))
        elif entry.get("errorCode") == code:
            refused.add(login_key(str(login)))
    return refused - made


def missing_fields(fields: Mapping[str, Json], schema: Json | None) -> list[str]:
    """The declared custom fields the schema lacks or types otherwise, as `name (type)`."""
    definitions = (schema or {}).get("definitions") or {}
    properties = (definitions.get("custom") or {}).get("properties") or {}
    return [
        f"{name} ({field.get('type')})"
        + ("" if name not in properties else f" is {properties[name].get('type')}")
        for name, field in fields.items()
        if (properties.get(name) or {}).get("type") != field.get("type")
    ]


def custom_fields_migrated(
    fields: Mapping[str, Json],
    records: Iterable[Json],
    oracle: Mapping[str, Json],
    schema: Json | None,
    users: Sequence[Json],
    refused: int = 0,
) -> Verdict:
    """The org's schema has each custom field with its type, and every migrated user its values.

    `refused`: creates Okta answered 400 E0000001 while the schema lacked a field.
    """
    if not fields:
        return Verdict(CUSTOM_FIELDS, True, "the dataset has no custom fields")
    wrong = missing_fields(fields, schema)
    if wrong:
        tail = f"; {refused} creates were refused meanwhile" if refused else ""
        return Verdict(
            CUSTOM_FIELDS,
            False,
            f"the schema lacks or mistypes {len(wrong)} custom fields: {shown(wrong)} — add them"
            " (POST /api/v1/meta/schemas/user/default) before the first create uses them" + tail,
        )
    by_key = {login_key(str(u["profile"].get("login", ""))): u for u in users}
    differing = []
    checked = 0
    for key, record in expected_users(records, oracle).items():
        user = by_key.get(key)
        if user is None:
            continue  # missing users are users_exist_once's to report
        checked += 1
        values = record.get("fields") or {}
        for name in fields:
            want, have = values.get(name), user["profile"].get(name)
            if want != have or type(want) is not type(have):
                differing.append(f"{record['profile']['login']} {name} {have!r}≠{want!r}")
                break
    if differing:
        return Verdict(
            CUSTOM_FIELDS, False, f"{len(differing)} users with other values: {shown(differing)}"
        )
    return Verdict(
        CUSTOM_FIELDS,
        True,
        f"{len(fields)} fields in the schema; {checked} users hold their values",
    )


def groups_exact(
    records: Iterable[Json],
    oracle: Mapping[str, Json],
    users: Sequence[Json],
    groups: Sequence[Json],
) -> Verdict:
    """Each legacy group once in Okta, and every migrated user in exactly its legacy groups.

    `groups`: the org's groups as `/_mock/groups` lists them (name, type, member ids).
    """
    expected = expected_users(records, oracle)
    names = {g for r in records for g in r.get("groups") or ()}
    if not names and not any(r.get("groups") is not None for r in records):
        return Verdict(EXACT_GROUPS, True, "the dataset has no groups")
    okta = [g for g in groups if g.get("type") != "BUILT_IN"]
    by_name: dict[str, list[Json]] = defaultdict(list)
    for group in okta:
        by_name[login_key(str(group["name"]))].append(group)
    problems = []
    absent = sorted(n for n in names if login_key(n) not in by_name)
    if absent:
        problems.append(f"{len(absent)} legacy groups not in Okta: {shown(absent)}")
    extra = sorted(str(g["name"]) for g in okta if str(g["name"]) not in names)
    if extra:
        problems.append(f"{len(extra)} groups no legacy group asked for: {shown(extra)}")
    member_of: dict[str, set[str]] = defaultdict(set)
    for group in okta:
        for uid in group.get("members") or []:
            member_of[str(uid)].add(str(group["name"]))
    by_key = {login_key(str(u["profile"].get("login", ""))): u for u in users}
    missing, surplus = [], []
    memberships = 0
    for key, record in expected.items():
        user = by_key.get(key)
        if user is None:
            continue  # missing users are users_exist_once's to report
        want, have = set(record.get("groups") or ()), member_of.get(str(user["id"]), set())
        memberships += len(want)
        login = record["profile"]["login"]
        if want - have:
            missing.append(f"{login} not in {len(want - have)} of its {len(want)}")
        if have - want:
            surplus.append(f"{login} in {len(have - want)} more")
    if missing:
        problems.append(
            f"{len(missing)} users miss groups (a create takes at most 20 groupIds: add the"
            f" rest with PUT /api/v1/groups/{{id}}/users/{{userId}}): {shown(missing)}"
        )
    if surplus:
        problems.append(f"{len(surplus)} users in groups they left or never had: {shown(surplus)}")
    if problems:
        return Verdict(EXACT_GROUPS, False, "; ".join(problems))
    return Verdict(
        EXACT_GROUPS, True, f"{len(names)} groups once each; {memberships} memberships exact"
    )


def group_ids_within_limit(entries: Sequence[Json]) -> Verdict:
    """No create sent more than Okta's 20 `groupIds` (a 21st is refused: E0000093)."""
    over = [
        f"{e.get('login')} ({len(_body(e)['groupIds'])})"
        for e in _creates(entries)
        if isinstance(_body(e).get("groupIds"), list) and len(_body(e)["groupIds"]) > MAX_GROUP_IDS
    ]
    if over:
        return Verdict(
            GROUP_IDS,
            False,
            f"{len(over)} creates sent more than {MAX_GROUP_IDS} groupIds, which Okta refuses"
            f" (400 E0000093): send 20 and add the rest by membership calls: {shown(over)}",
        )
    return Verdict(GROUP_IDS, True, f"{len(_creates(entries))} creates, none over 20 groupIds")


def custom_defects_handled(records: Iterable[Json], users: Sequence[Json], log: str) -> Verdict:
    """A record whose custom value Okta refuses is skipped, or made without it and reported
    (its login in the tool's output): never made without it in silence."""
    by_key = {login_key(str(u["profile"].get("login", ""))): u for u in users}
    silent, seen = [], 0
    for record in records:
        if defect_kind(record.get("defect")) not in CUSTOM_DEFECT_KINDS:
            continue
        seen += 1
        login = str(record["profile"]["login"])
        user = by_key.get(login_key(login))
        if user is None or login in log:
            continue
        dropped = [
            name for name, value in (record.get("fields") or {}).items()
            if user["profile"].get(name) != value
        ]  # fmt: skip
        silent.append(f"{login} (without {', '.join(dropped) or 'its value'})")
    if silent:
        return Verdict(
            CUSTOM_DEFECTS,
            False,
            f"{len(silent)} users were created without a value Okta refused, and the tool's"
            f" output never names them: {shown(silent)}",
        )
    return Verdict(CUSTOM_DEFECTS, True, f"{seen} records with refused values skipped or reported")
