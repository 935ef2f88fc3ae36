"""`mock-okta dataset --apps`: each record's direct app accounts, the manifest's apps and the
groups that bring them; a dataset without --apps is what it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_okta.tools import dataset
from mock_okta.tools.legacy_apps import APPS, accounts

ARGS = ["--users", "60", "--seed", "4", "--mix", "sha256=1", "--groups", "5", "--jobs", "1"]


def made(tmp_path: Path, name: str, *extra: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    out = tmp_path / name
    assert dataset.main([*ARGS, *extra, "--out", str(out)]) == 0
    lines = [json.loads(x) for x in (out / "users.jsonl").read_text().splitlines()]
    return lines, json.loads((out / "manifest.json").read_text())


def test_apps_are_declared_in_the_manifest_with_the_groups_that_bring_them(
    tmp_path: Path,
) -> None:
    lines, manifest = made(tmp_path, "apps", "--apps")
    assert manifest["options"]["apps"] is True
    assert manifest["apps"] == [
        {"label": "Customer portal", "app": APPS["Customer portal"][0], "groups": []},
        {"label": "Microsoft 365", "app": APPS["Microsoft 365"][0], "groups": ["All customers"]},
        {"label": "Store locator", "app": APPS["Store locator"][0], "groups": ["Mobile app users"]},
    ]
    direct = [line["apps"] for line in lines]
    assert all(isinstance(a, list) and set(a) <= set(APPS) for a in direct)
    assert 20 < sum("Customer portal" in a for a in direct) < 50  # 60% of 60, give or take
    assert not any("Store locator" in a for a in direct)  # only through its group
    scopes = [accounts(line["apps"], line["groups"], manifest["apps"]) for line in lines]
    assert {"USER", "GROUP"} <= {s for a in scopes for s in a.values()}


def test_apps_come_from_their_own_random_and_change_no_other_value(tmp_path: Path) -> None:
    plain, manifest = made(tmp_path, "plain")
    assert "apps" not in manifest
    assert all("apps" not in line for line in plain)
    apps, _ = made(tmp_path, "apps", "--apps")
    # The apps come from their own Random: every other value is drawn as before.
    assert [{k: v for k, v in line.items() if k != "apps"} for line in apps] == plain


def test_a_delta_carries_the_app_accounts_over(tmp_path: Path) -> None:
    lines, manifest = made(tmp_path, "base", "--apps")
    later = tmp_path / "later"
    assert (
        dataset.main(["--delta", str(tmp_path / "base"), "--changed", "20%", "--out", str(later)])
        == 0
    )
    moved = {
        line["profile"]["login"]: line
        for line in map(json.loads, (later / "users.jsonl").read_text().splitlines())
    }
    assert json.loads((later / "manifest.json").read_text())["apps"] == manifest["apps"]
    kept = [line for line in lines if line["profile"]["login"] in moved]
    assert all(moved[line["profile"]["login"]]["apps"] == line["apps"] for line in kept)
    assert all(isinstance(line.get("apps"), list) for line in moved.values())  # new users too


def test_apps_need_json_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        dataset.main([*ARGS, "--apps", "--format", "csv", "--out", str(tmp_path / "csv")])
    assert exit_.value.code == 2
    assert "--apps needs --format jsonl" in capsys.readouterr().err
