"""The harness's counts add up (issue 16, item 15): the report says how a correct tool handles
each record, and a login that differs from an earlier one only in case leaves the earlier
user checked (Okta holds it and refuses the later one)."""

from __future__ import annotations

import json
from pathlib import Path

from mock_okta.harness.contract import dataset_counts
from mock_okta.harness.runner import Dataset


def _write(directory: Path, records: list[dict[str, object]], oracle: list[dict[str, object]]):
    directory.mkdir()
    (directory / "users.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (directory / "oracle.jsonl").write_text("".join(json.dumps(e) + "\n" for e in oracle))


def _record(login: str, defect: str | None = None) -> dict[str, object]:
    record: dict[str, object] = {"profile": {"login": login}}
    if defect:
        record["defect"] = {"kind": defect}
    return record


def test_a_case_collision_keeps_the_earlier_user_checked_and_the_counts_add_up(
    tmp_path: Path,
) -> None:
    records = [
        _record("ada@example.com"),
        _record("hook@example.com"),
        _record("Ada@example.com", "login-collision"),
        _record("bad@example.com", "missing-email"),
    ]
    oracle = [
        {"login": "ada@example.com", "canLogIn": True, "via": "hash"},
        {"login": "hook@example.com", "canLogIn": True, "via": "hook"},
        {"login": "Ada@example.com", "canLogIn": False, "defect": "login-collision"},
        {"login": "bad@example.com", "canLogIn": False, "defect": "missing-email"},
    ]
    _write(tmp_path / "legacy", records, oracle)
    data = Dataset.load(tmp_path / "legacy")
    assert [e["login"] for e in data.can_log_in()] == ["ada@example.com"]
    assert dataset_counts(data.records, data.oracle) == (
        "4 records: 1 to create with their hash (the users checked below), 1 through the"
        " password import hook, 2 a correct tool skips (defective)"
    )
