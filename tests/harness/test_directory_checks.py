"""The harness's checks of custom fields and groups on hand-made observations: each passes the
right thing and names the wrong one."""

from __future__ import annotations

from typing import Any

from mock_okta.harness import checks, directory_checks
from tests.harness.test_checks import oracle, record, user

FIELDS = {"tier": {"type": "string", "enum": ["gold"]}, "points": {"type": "integer"}}


def rich(login: str, groups: list[str], defect: str | None = None, **fields: Any) -> dict[str, Any]:
    rec = record(login, defect=defect)
    rec["groups"] = groups
    rec["fields"] = fields
    return rec


RECORDS = [
    rich("a@example.com", ["Gold", "EU"], tier="gold", points=3),
    rich("b@example.com", ["EU"], points=0),
    rich("c@example.com", ["Gold"], "custom-enum", tier="diamond", points=1),
]
ORACLE = dict(
    [oracle("a@example.com"), oracle("b@example.com"), oracle("c@example.com", can=False, via=None)]
)
SCHEMA = {
    "definitions": {
        "custom": {"properties": {"tier": {"type": "string"}, "points": {"type": "integer"}}}
    }
}
USERS = [
    user("a@example.com", "00ua", tier="gold", points=3),
    user("b@example.com", "00ub", points=0),
]
GROUPS = [
    {"id": "00g0", "name": "Everyone", "type": "BUILT_IN", "members": None},
    {"id": "00g1", "name": "Gold", "type": "OKTA_GROUP", "members": ["00ua"]},
    {"id": "00g2", "name": "EU", "type": "OKTA_GROUP", "members": ["00ua", "00ub"]},
]


def test_custom_fields_pass_when_the_schema_and_every_value_are_there() -> None:
    verdict = directory_checks.custom_fields_migrated(FIELDS, RECORDS, ORACLE, SCHEMA, USERS)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "2 fields in the schema; 2 users hold their values"


def test_custom_fields_name_a_schema_without_them_or_of_another_type() -> None:
    empty = {"definitions": {"custom": {"properties": {}}}}
    verdict = directory_checks.custom_fields_migrated(FIELDS, RECORDS, ORACLE, empty, [], 40)
    assert not verdict.ok
    assert "lacks or mistypes 2 custom fields: tier (string), points (integer)" in verdict.reason
    assert "40 creates were refused" in verdict.reason
    typed = {"definitions": {"custom": {"properties": {**SCHEMA["definitions"]["custom"][
        "properties"], "points": {"type": "string"}}}}}  # fmt: skip
    verdict = directory_checks.custom_fields_migrated(FIELDS, RECORDS, ORACLE, typed, USERS)
    assert "points (integer) is string" in verdict.reason


def test_custom_fields_name_users_with_other_values_or_types() -> None:
    for wrong in ({"points": "3"}, {"points": 4}, {"tier": None}):
        users = [user("a@example.com", "00ua", **{"tier": "gold", "points": 3, **wrong}), USERS[1]]
        verdict = directory_checks.custom_fields_migrated(FIELDS, RECORDS, ORACLE, SCHEMA, users)
        assert not verdict.ok, wrong
        assert verdict.reason.startswith("1 users with other values: a@example.com")


def test_exact_groups_pass_and_name_missing_and_surplus_memberships() -> None:
    verdict = directory_checks.groups_exact(RECORDS, ORACLE, USERS, GROUPS)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "2 groups once each; 3 memberships exact"
    dropped = [GROUPS[0], {**GROUPS[1], "members": []}, GROUPS[2]]
    verdict = directory_checks.groups_exact(RECORDS, ORACLE, USERS, dropped)
    assert not verdict.ok
    assert "1 users miss groups" in verdict.reason
    assert "a@example.com not in 1 of its 2" in verdict.reason
    extra = [GROUPS[0], {**GROUPS[1], "members": ["00ua", "00ub"]}, GROUPS[2]]
    verdict = directory_checks.groups_exact(RECORDS, ORACLE, USERS, extra)
    assert "b@example.com in 1 more" in verdict.reason


def test_exact_groups_name_groups_missing_from_okta_or_invented() -> None:
    groups = [GROUPS[0], GROUPS[2], {"id": "00g9", "name": "Gold (2)", "type": "OKTA_GROUP"}]
    verdict = directory_checks.groups_exact(RECORDS, ORACLE, USERS, groups)
    assert not verdict.ok
    assert "1 legacy groups not in Okta: Gold" in verdict.reason
    assert "1 groups no legacy group asked for: Gold (2)" in verdict.reason


def test_a_dataset_without_groups_or_fields_passes_both() -> None:
    plain = [record("a@example.com")]
    assert directory_checks.groups_exact(plain, ORACLE, USERS, GROUPS).ok
    assert directory_checks.custom_fields_migrated({}, plain, ORACLE, None, USERS).ok


def create(login: str, ids: int, status: int = 200, code: str | None = None) -> dict[str, Any]:
    body = {"profile": {"login": login}, "groupIds": [f"00g{n}" for n in range(ids)]}
    return {
        "method": "POST",
        "path": "/api/v1/users",
        "status": status,
        "login": login,
        "errorCode": code,
        "body": body,
    }


def test_more_than_20_group_ids_on_a_create_is_named() -> None:
    assert directory_checks.group_ids_within_limit([create("a@example.com", 20)]).ok
    verdict = directory_checks.group_ids_within_limit(
        [create("a@example.com", 20), create("b@example.com", 27, 400, "E0000093")]
    )
    assert not verdict.ok
    assert "1 creates sent more than 20 groupIds" in verdict.reason
    assert "b@example.com (27)" in verdict.reason


def test_refused_for_counts_only_users_never_made() -> None:
    entries = [
        create("a@example.com", 21, 400, "E0000093"),
        create("b@example.com", 21, 400, "E0000093"),
        create("b@example.com", 20),
        create("c@example.com", 1, 400, "E0000001"),
    ]
    assert directory_checks.refused_for(entries, "E0000093") == {"a@example.com"}


def test_users_missing_for_another_checks_mistake_are_that_checks_to_report() -> None:
    excused = {"b@example.com": directory_checks.GROUP_IDS}
    verdict = checks.users_exist_once(RECORDS, ORACLE, USERS[:1], excused)
    assert verdict.ok, verdict.reason
    assert verdict.reason == (
        "1 users, profiles as in the dataset; 1 refused for what"
        " 'no create with more than 20 groupIds' reports"
    )
    assert not checks.users_exist_once(RECORDS, ORACLE, USERS[:1]).ok


def test_a_spoiled_custom_value_must_be_skipped_or_reported() -> None:
    assert directory_checks.custom_defects_handled(RECORDS, USERS, "").ok  # skipped
    made = [*USERS, user("c@example.com", "00uc", points=1)]
    verdict = directory_checks.custom_defects_handled(RECORDS, made, "created 2 users")
    assert not verdict.ok
    assert "c@example.com (without tier)" in verdict.reason
    reported = "c@example.com: tier 'diamond' dropped, not one of gold"
    assert directory_checks.custom_defects_handled(RECORDS, made, reported).ok
