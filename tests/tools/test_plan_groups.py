"""`mock-okta plan --groups N --memberships N` (or --dataset DIR): group creates and the
membership calls beyond the 20 groupIds of a create, in their own buckets, worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_okta.tools import plan
from tests.tools.conftest import make_dataset, read_jsonl

# No latency, so each bucket takes whole windows: the last window's requests land at once.
ARGS = [
    "--users", "1200", "--limit", "users.collection=600", "--limit", "groups.collection=500",
    "--limit", "groups.item=1000", "--latency-ms", "0", "--workers", "10", "--token-share", "100",
]  # fmt: skip


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert plan.main([*args, "--json"]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_groups_and_memberships_are_counted_in_their_buckets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = plan_json(capsys, *ARGS, "--groups", "100", "--memberships", "3000")
    strategies = {s["key"]: s for s in out["strategies"]}  # type: ignore[attr-defined]
    # 1,200 creates at 600/min: windows at 0 and 60 s. 100 groups at 500/min: one window, 0 s.
    # 3,000 memberships at 1,000/min: windows at 0, 60 and 120 s.
    assert strategies["adaptive"]["duration_s"] == 60
    assert strategies["groups-after"]["duration_s"] == 0 + 60 + 120
    assert strategies["groups-alongside"]["duration_s"] == max(60, 120)
    assert strategies["groups-after"]["requests"] == 1200 + 100 + 3000
    assert strategies["groups-after"]["rejected"] == 0
    bounds = {b["name"]: b for b in out["bounds"]}  # type: ignore[attr-defined]
    assert (bounds["groups.item"]["calls"], bounds["groups.item"]["seconds"]) == (3000, 120)
    assert bounds["groups.collection"]["calls"] == 100
    (note,) = [n for n in out["notes"] if n.startswith("Groups:")]  # type: ignore[attr-defined]
    assert "add 2.0 min (+200.0%) to the adaptive 60 s" in note
    assert "alongside the creates, in their own bucket, 60 s (+100.0%)" in note


def test_without_groups_the_plan_has_no_group_rows(capsys: pytest.CaptureFixture[str]) -> None:
    out = plan_json(capsys, *ARGS)
    keys = [s["key"] for s in out["strategies"]]  # type: ignore[attr-defined]
    assert not {"groups-after", "groups-alongside"} & set(keys)
    assert not any(n.startswith("Groups:") for n in out["notes"])  # type: ignore[attr-defined]


def test_dataset_gives_users_groups_and_memberships(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_dataset(tmp_path / "d", "--users", "90", "--groups", "30", "--seed", "2")
    capsys.readouterr()  # the dataset's own output
    lines = read_jsonl(data / "users.jsonl")
    beyond = sum(max(len(line["groups"]) - 20, 0) for line in lines)
    assert beyond > 0
    out = plan_json(capsys, "--dataset", str(data), "--latency-ms", "0")
    inputs = out["inputs"]
    assert inputs["users"] == 90  # type: ignore[index]
    assert inputs["groups"] == len({g for line in lines for g in line["groups"]})  # type: ignore[index]
    assert inputs["memberships"] == beyond  # type: ignore[index]


def test_table_rows_name_the_groups_and_memberships(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan.main([*ARGS, "--groups", "100", "--memberships", "3000"]) == 0
    table = capsys.readouterr().out
    assert "adaptive; 100 groups first, 3,000 memberships after the users" in table
    assert "adaptive; 100 groups first, 3,000 memberships alongside the creates" in table


def test_without_users_or_a_dataset_it_says_what_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        plan.main(["--groups", "3"])
    assert exc.value.code == 2
    assert "--users N (or --dataset DIR) is required" in capsys.readouterr().err
