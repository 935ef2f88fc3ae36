"""`mock-okta dataset --groups N --custom-fields`: legacy groups with a realistic spread, custom
fields declared for Okta's schema, spoiled values labelled with what Okta does with them."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mock_okta.tools.legacy_fields import FIELDS, okta_attribute, value_problem
from mock_okta.tools.records import read_users, user_from_json, user_line
from tests.conftest import Api
from tests.tools.conftest import make_dataset, read_jsonl

USERS = 300
CUSTOM_DEFECTS = {"custom-enum", "custom-type", "custom-duplicate"}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rich")
    args = ("--users", str(USERS), "--seed", "21", "--bad", "6%", "--groups", "40")
    return make_dataset(out, *args, "--custom-fields")


@pytest.fixture(scope="module")
def lines(rich: Path) -> list[dict[str, Any]]:
    return read_jsonl(rich / "users.jsonl")


def test_groups_have_a_few_large_ones_a_long_tail_and_users_in_more_than_20(
    rich: Path, lines: list[dict[str, Any]]
) -> None:
    manifest = json.loads((rich / "manifest.json").read_text())
    names = manifest["groups"]["names"]
    assert len(names) == len(set(names)) == 40
    sizes = Counter(g for line in lines for g in line["groups"])
    assert set(sizes) <= set(names)
    ranked = sorted(sizes.values(), reverse=True)
    assert ranked[0] > USERS / 2  # "All customers"
    assert sum(1 for n in ranked if n < USERS / 20) >= 15  # a long tail of small groups
    per_user = [len(line["groups"]) for line in lines]
    over = sum(1 for n in per_user if n > 20)
    assert over == manifest["groups"]["usersInMoreThan20"] >= 1
    assert sum(per_user) == manifest["groups"]["memberships"]
    assert max(per_user) == manifest["groups"]["mostGroupsOfAUser"] <= 30
    for line in lines:  # in the manifest's order, each once
        assert line["groups"] == sorted(set(line["groups"]), key=names.index)


def test_custom_fields_are_declared_and_good_records_fit_them(
    rich: Path, lines: list[dict[str, Any]]
) -> None:
    manifest = json.loads((rich / "manifest.json").read_text())
    assert manifest["fields"] == {name: dict(field) for name, field in FIELDS.items()}
    assert manifest["options"]["customFields"] is True
    good = [line for line in lines if "defect" not in line]
    kinds = Counter(type(v).__name__ for line in good for v in line["fields"].values())
    assert set(kinds) == {"str", "int", "bool"}
    numbers = [line["fields"]["customerNumber"] for line in good]
    assert len(numbers) == len(set(numbers))
    for line in good:
        for name, value in line["fields"].items():
            assert value_problem(name, FIELDS[name], value) is None, (name, value)
    tiers = Counter(line["fields"]["tier"] for line in good)
    assert set(tiers) <= set(FIELDS["tier"]["enum"])  # type: ignore[arg-type]
    assert tiers["bronze"] > tiers["platinum"]


def test_spoiled_custom_values_are_labelled_in_the_oracle(
    rich: Path, lines: list[dict[str, Any]]
) -> None:
    oracle = {e["login"]: e for e in read_jsonl(rich / "oracle.jsonl")}
    spoiled = [line for line in lines if line.get("defect", {}).get("kind") in CUSTOM_DEFECTS]
    assert {line["defect"]["kind"] for line in spoiled} == CUSTOM_DEFECTS
    good_numbers = {line["fields"]["customerNumber"] for line in lines if "defect" not in line}
    for line in spoiled:
        kind, fields = line["defect"]["kind"], line["fields"]
        entry = oracle[line["profile"]["login"]]
        assert (entry["defect"], entry["canLogIn"], entry["via"]) == (kind, False, None)
        assert "E0000001" in line["defect"]["okta"]
        if kind == "custom-enum":
            assert value_problem("tier", FIELDS["tier"], fields["tier"]) is not None
        elif kind == "custom-type":
            assert isinstance(fields["loyaltyPoints"], str)
        else:
            assert fields["customerNumber"] in good_numbers


def test_without_the_options_records_carry_neither(tmp_path: Path) -> None:
    plain = read_jsonl(
        make_dataset(tmp_path / "p", "--users", "30", "--bad", "10%") / "users.jsonl"
    )
    assert all("groups" not in line and "fields" not in line for line in plain)
    assert all(line.get("defect", {}).get("kind") not in CUSTOM_DEFECTS for line in plain)


def test_rich_datasets_are_deterministic_and_lines_round_trip(
    tmp_path: Path, rich: Path, lines: list[dict[str, Any]]
) -> None:
    again = make_dataset(
        tmp_path / "again", "--users", str(USERS), "--seed", "21", "--bad", "6%",
        "--groups", "40", "--custom-fields",
    )  # fmt: skip
    for name in ("users.jsonl", "oracle.jsonl", "manifest.json"):
        assert (again / name).read_bytes() == (rich / name).read_bytes(), name
    for line in lines:
        expected = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        assert user_line(user_from_json(line)) == expected


def test_csv_holds_groups_and_typed_fields(tmp_path: Path) -> None:
    args = ("--users", "60", "--seed", "4", "--bad", "10%", "--groups", "30", "--custom-fields")
    jsonl = read_jsonl(make_dataset(tmp_path / "j", *args) / "users.jsonl")
    csv_dir = make_dataset(tmp_path / "c", *args, "--format", "csv")
    header = next(csv.reader(io.StringIO((csv_dir / "users.csv").read_text())))
    assert header[-6:] == ["groups", *FIELDS]
    read = list(read_users(csv_dir))
    assert [u.groups for u in read] == [line["groups"] for line in jsonl]
    assert [u.fields for u in read] == [line["fields"] for line in jsonl]


def test_delta_carries_groups_and_fields_and_changes_some(tmp_path: Path, rich: Path) -> None:
    from mock_okta.tools import dataset

    later = tmp_path / "later"
    assert dataset.main(["--delta", str(rich), "--changed", "20%", "--out", str(later)]) == 0
    before = {line["id"]: line for line in read_jsonl(rich / "users.jsonl")}
    after = {line["id"]: line for line in read_jsonl(later / "users.jsonl")}
    oracle = {e["login"]: e for e in read_jsonl(later / "oracle.jsonl")}
    moved = [i for i in after if i in before and after[i]["groups"] != before[i]["groups"]]
    assert moved
    for i in moved:
        assert oracle[after[i]["profile"]["login"]]["change"] == "profile"
        assert len(set(after[i]["groups"]) ^ set(before[i]["groups"])) == 1
    new = [line for i, line in after.items() if i not in before]
    assert new
    assert all("groups" in line and "fields" in line for line in new)
    manifest = json.loads((later / "manifest.json").read_text())
    assert manifest["groups"]["memberships"] == sum(len(x["groups"]) for x in after.values())


def test_every_record_is_what_okta_says_once_the_schema_exists(
    mock_api: Api, lines: list[dict[str, Any]]
) -> None:
    """Good records are created with their fields; each spoiled one fails as its label says."""
    from mock_okta.tools.encoder import NeedsImportHook, to_okta_hash

    properties = {name: okta_attribute(name, field) for name, field in FIELDS.items()}
    changed = mock_api.call(
        "POST",
        "/api/v1/meta/schemas/user/default",
        {"definitions": {"custom": {"properties": properties}}},
    )
    assert changed.status_code == 200, changed.get_json()
    fields_seen = 0
    for line in lines:
        kind = line.get("defect", {}).get("kind")
        if kind in ("login-collision", "login-too-long", "missing-email"):
            continue
        try:
            credentials = {"password": {"hash": to_okta_hash(line["password"]).to_okta()}}
        except NeedsImportHook:
            credentials = {"password": {"hook": {"type": "default"}}}
        profile = {**line["profile"], **line["fields"]}
        created = mock_api.call(
            "POST", "/api/v1/users", {"profile": profile, "credentials": credentials}
        )
        if kind in CUSTOM_DEFECTS:
            assert created.status_code == 400, line
            body = created.get_json()
            assert body["errorCode"] == "E0000001"
            field = {"custom-enum": "tier", "custom-type": "loyaltyPoints"}.get(
                kind, "customerNumber"
            )
            assert body["errorSummary"] == f"Api validation failed: {field}"
            continue
        assert created.status_code == 200, created.get_json()
        stored = created.get_json()["profile"]
        assert {k: stored[k] for k in line["fields"]} == line["fields"]
        fields_seen += 1
    assert fields_seen > USERS * 0.8
