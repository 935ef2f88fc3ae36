"""`mock-okta dataset`: records that verify by their own rules, labelled defects, determinism."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mock_okta.tools import dataset
from mock_okta.tools.dataset import Progress
from mock_okta.tools.records import user_from_json, user_line
from tests.tools.conftest import USERS, make_dataset, read_jsonl
from tests.tools.legacy_rules import legacy_accepts

RESERVED_DOMAIN = re.compile(r"@([a-z0-9-]+\.)*(example\.(com|net|org)|[a-z0-9-]+\.example)$")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _profile(line: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = line["profile"]
    return profile


def test_every_legacy_record_verifies_against_its_oracle_plaintext(
    users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    assert len(users) == USERS
    for line in users:
        plaintext = oracle[_profile(line)["login"]]["password"]
        assert legacy_accepts(plaintext, line["password"]), line
        assert not legacy_accepts(plaintext + "x", line["password"]), line


def test_the_mix_and_the_legacy_formats_are_all_there(users: list[dict[str, Any]]) -> None:
    schemes = Counter(line["password"]["scheme"] for line in users)
    assert set(schemes) == {
        "bcrypt",
        "sha256",
        "sha512",
        "sha1",
        "md5",
        "pbkdf2_sha256",
        "pbkdf2_sha512",
        "scrypt",
    }
    good = sum(1 for line in users if "defect" not in line)
    # 40% of the good records are bcrypt, as the default --mix says.
    assert schemes["bcrypt"] == round(good * 0.4)
    prefixes = {
        line["password"]["hash"][:4] for line in users if "bcrypt" in line["password"]["scheme"]
    }
    assert prefixes == {"$2a$", "$2b$", "$2y$"}
    positions = {line["password"].get("saltPosition") for line in users}
    assert {None, "prefix", "suffix"} <= positions
    assert any(not p["password"].get("salt") for p in users if "hex" in p["password"])


def test_manifest_counts_and_checksums_match_the_files(
    dataset_dir: Path, users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    manifest = json.loads((dataset_dir / "manifest.json").read_text())
    for name in ("users.jsonl", "oracle.jsonl"):
        data = (dataset_dir / name).read_bytes()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["files"][name]["lines"] == data.count(b"\n") == USERS
    assert manifest["seed"] == 11
    assert manifest["users"] == USERS
    assert manifest["version"]
    counts = manifest["counts"]
    assert counts["schemes"] == dict(Counter(line["password"]["scheme"] for line in users))
    defects = Counter(line["defect"]["kind"] for line in users if "defect" in line)
    assert counts["defects"] == dict(defects)
    assert sum(defects.values()) == round(USERS * 0.05)
    assert counts["canLogIn"] == sum(1 for o in oracle.values() if o["canLogIn"])


def test_logins_and_emails_are_unique_and_profiles_look_real(
    users: list[dict[str, Any]],
) -> None:
    logins = [_profile(line)["login"] for line in users]
    emails = [_profile(line)["email"] for line in users if "email" in _profile(line)]
    assert len(set(logins)) == len(logins)
    assert len(set(emails)) == len(emails)
    good = [_profile(line) for line in users if "defect" not in line]
    folded = [p["login"].casefold() for p in good]
    assert len(set(folded)) == len(folded)
    assert len({line["id"] for line in users}) == len(users)
    names = [p["firstName"] + p["lastName"] for p in good]
    assert any(not n.isascii() for n in names), "Faker's unicode names are missing"
    for profile in good:
        assert RESERVED_DOMAIN.search(profile["login"]), profile["login"]
        assert RESERVED_DOMAIN.search(profile["email"]), profile["email"]
        assert 5 <= len(profile["login"]) <= 100
        assert 1 <= len(profile["firstName"]) <= 50
        assert 1 <= len(profile["lastName"]) <= 50
    for line in users:
        assert TIME.fullmatch(line["updatedAt"])
        assert line["updatedAt"] < "2025-01-01T00:00:00Z"


def test_defects_are_labelled_with_what_okta_does(
    users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    bad = [line for line in users if "defect" in line]
    assert {line["defect"]["kind"] for line in bad} == {
        "unsupported-scheme",
        "login-collision",
        "login-too-long",
        "missing-email",
    }
    good_exact = {_profile(line)["login"] for line in users if "defect" not in line}
    good_logins = {login.casefold() for login in good_exact}
    for line in bad:
        defect, profile = line["defect"], _profile(line)
        assert defect["problem"]
        assert defect["okta"]
        expect = oracle[profile["login"]]
        assert expect["defect"] == defect["kind"]
        if defect["kind"] == "unsupported-scheme":
            assert line["password"]["scheme"] == "scrypt"
            assert "inline hook" in defect["okta"]
            assert (expect["canLogIn"], expect["via"]) == (True, "hook")
            continue
        assert (expect["canLogIn"], expect["via"]) == (False, None)
        if defect["kind"] == "login-collision":
            assert profile["login"] not in good_exact
            assert profile["login"].casefold() in good_logins
        elif defect["kind"] == "login-too-long":
            assert len(profile["login"]) > 100
            assert len(profile["email"]) <= 100
        else:
            assert "email" not in profile


def test_fast_lines_are_the_json_of_each_record(users: list[dict[str, Any]]) -> None:
    for line in users:
        expected = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        assert user_line(user_from_json(line)) == expected


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    args = ("--users", "80", "--bad", "5%", "--seed", "3")
    first = make_dataset(tmp_path / "a", *args)
    second = make_dataset(tmp_path / "b", *args)
    other = make_dataset(tmp_path / "c", "--users", "80", "--bad", "5%", "--seed", "4")
    for name in ("users.jsonl", "oracle.jsonl", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "users.jsonl").read_bytes() != (other / "users.jsonl").read_bytes()
    assert (first / "oracle.jsonl").read_bytes() != (other / "oracle.jsonl").read_bytes()


def test_a_process_pool_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--users", "40", "--seed", "8", "--mix", "bcrypt=1,pbkdf2=1,sha1=1", "--bad", "10%")
    alone = make_dataset(tmp_path / "alone", *args)
    monkeypatch.setattr(dataset, "POOL_THRESHOLD", 1)
    pooled = tmp_path / "pooled"
    assert dataset.main(["--out", str(pooled), "--bcrypt-cost", "4", "--jobs", "2", *args]) == 0
    for name in ("users.jsonl", "oracle.jsonl", "manifest.json"):
        assert (alone / name).read_bytes() == (pooled / name).read_bytes(), name


def test_csv_holds_the_same_users_as_jsonl(tmp_path: Path) -> None:
    args = ("--users", "50", "--seed", "5", "--bad", "8%")
    jsonl = read_jsonl(make_dataset(tmp_path / "j", *args) / "users.jsonl")
    csv_dir = make_dataset(tmp_path / "c", *args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO((csv_dir / "users.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(jsonl)
    for row, line in zip(rows, jsonl, strict=True):
        profile = _profile(line)
        assert int(row["id"]) == line["id"]
        assert row["login"] == profile["login"]
        assert row["email"] == (profile.get("email") or "")
        assert (row["firstName"], row["lastName"]) == (profile["firstName"], profile["lastName"])
        assert row["updatedAt"] == line["updatedAt"]
        assert row["scheme"] == line["password"]["scheme"]
        assert row["hash"] == line["password"].get("hash", "")
        assert row["hex"] == line["password"].get("hex", "")
        assert row["salt"] == (line["password"].get("salt") or "")
        assert row["defect"] == line.get("defect", {}).get("kind", "")
    assert (csv_dir / "oracle.jsonl").read_bytes() == (tmp_path / "j" / "oracle.jsonl").read_bytes()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    piped, tty = io.StringIO(), _Tty()
    for stream in (piped, tty):
        bar = Progress(100, "users", stream)
        bar.advance(50)
        bar.advance(50)
        bar.close()
    assert piped.getvalue() == ""
    assert "\rusers [###############---------------] 50/100" in tty.getvalue()
    assert tty.getvalue().endswith("100/100\n")


@pytest.mark.parametrize(
    "args",
    [
        ["--seed", "1"],
        ["--users", "10", "--mix", "bcrypt=40,rot13=60"],
        ["--users", "10", "--mix", "bcrypt=0"],
        ["--users", "10", "--bad", "many"],
        ["--users", "10", "--pbkdf2-iterations", "1000"],
        ["--users", "10", "--bcrypt-cost", "3"],
    ],
)
def test_bad_arguments_are_usage_errors(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dataset.main(["--out", str(tmp_path / "x"), *args])
    assert exit_info.value.code == 2
    assert "mock-okta dataset: error:" in capsys.readouterr().err


# ----- --delta


@pytest.fixture(scope="module")
def base_and_later(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("delta")
    base = make_dataset(root / "base", "--users", "200", "--seed", "21", "--bad", "4%")
    later = root / "later"
    code = dataset.main(
        ["--delta", str(base), "--changed", "10%", "--out", str(later), "--jobs", "1"]
    )
    assert code == 0
    return base, later


def test_delta_moves_the_same_users_forward(base_and_later: tuple[Path, Path]) -> None:
    base, later = base_and_later
    before = {_profile(line)["login"]: line for line in read_jsonl(base / "users.jsonl")}
    after = {_profile(line)["login"]: line for line in read_jsonl(later / "users.jsonl")}
    oracle = {o["login"]: o for o in read_jsonl(later / "oracle.jsonl")}
    old_oracle = {o["login"]: o for o in read_jsonl(base / "oracle.jsonl")}
    manifest = json.loads((later / "manifest.json").read_text())
    counts = manifest["delta"]["counts"]
    assert counts == {"password": 8, "profile": 6, "new": 4, "removed": 2}
    assert manifest["asOf"] == "2025-01-08T00:00:00Z"
    changes = Counter(o.get("change") for o in oracle.values())
    assert changes == {None: 200 - 16, **counts}
    for login, line in oracle.items():
        change = line.get("change")
        if change == "removed":
            assert login in before
            assert login not in after
            assert line["canLogIn"] is False
            continue
        now = after[login]
        assert legacy_accepts(line["password"], now["password"])
        if change is None:
            assert now == before[login]
            assert line["password"] == old_oracle[login]["password"]
            continue
        assert now["updatedAt"] > "2025-01-01T00:00:00Z"
        assert now["updatedAt"] <= manifest["asOf"]
        if change == "new":
            assert login not in before
            assert now["id"] > max(b["id"] for b in before.values())
        elif change == "password":
            was = before[login]
            assert now["password"]["scheme"] == was["password"]["scheme"]
            assert not legacy_accepts(old_oracle[login]["password"], now["password"])
            assert now["profile"] == was["profile"]
        else:
            was = before[login]
            assert now["password"] == was["password"]
            assert now["profile"] != was["profile"]
            assert now["profile"]["login"] == login
    touched = [before[o["login"]] for o in oracle.values() if o.get("change") not in (None, "new")]
    assert len(touched) == 16
    assert all("defect" not in line for line in touched)


def test_delta_is_deterministic(base_and_later: tuple[Path, Path], tmp_path: Path) -> None:
    base, later = base_and_later
    again = tmp_path / "again"
    assert dataset.main(["--delta", str(base), "--changed", "10%", "--out", str(again)]) == 0
    for name in ("users.jsonl", "oracle.jsonl", "manifest.json"):
        assert (again / name).read_bytes() == (later / name).read_bytes(), name


def test_delta_of_a_directory_without_a_dataset_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dataset.main(["--delta", str(tmp_path), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert "generate one first" in capsys.readouterr().err
