"""The reference migrator with custom fields and groups: schema first, groups, at most 20
`groupIds` on create and the rest by membership calls, exact memberships after a delta, and
nothing repeated by a re-run. Expected values come from the dataset, never from the migrator."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.testing import LiveServer
from mock_okta.tools import dataset
from mock_okta.tools.legacy_fields import FIELDS
from tests.tools.test_migrate import Dataset, run, users_in

USERS = 80
REASON_OF_CUSTOM_DEFECT = {
    "custom-enum": "invalid-custom-field",
    "custom-type": "invalid-custom-field",
    "custom-duplicate": "duplicate-unique-value",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("rich")
    args = ["--users", str(USERS), "--seed", "9", "--bad", "10%", "--jobs", "1"]
    extra = ["--groups", "30", "--custom-fields", "--bcrypt-cost", "4", "--out", str(out)]
    assert dataset.main([*args, *extra]) == 0
    return Dataset(out)


@pytest.fixture(scope="module")
def later(base: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("rich-later")
    assert dataset.main(["--delta", str(base.dir), "--changed", "30%", "--out", str(out)]) == 0
    return Dataset(out)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    runtime = RuntimeConfig(rate_limits="off", authn_per_user_per_second=1000, lockout_attempts=0)
    with LiveServer(Settings(port=0, runtime=runtime)) as server:
        yield server


@pytest.fixture
def okta(live: LiveServer) -> Iterator[LiveServer]:
    live.client.reset()
    yield live
    live.check_errors()


def memberships(okta: LiveServer) -> dict[str, set[str]]:
    """Group names by user id, as the org holds them (Everyone left out)."""
    out: dict[str, set[str]] = {}
    for group in okta.client.groups():
        for uid in group["members"] or []:
            out.setdefault(uid, set()).add(group["name"])
    return out


def expected_users(data: Dataset) -> set[str]:
    """Logins that migrate: importable hashes, no defect of any kind."""
    return {login for login in data.hash_users() if "defect" not in data.by_login[login]}


def assert_directory(okta: LiveServer, data: Dataset) -> dict[str, dict[str, Any]]:
    users = users_in(okta)
    member = memberships(okta)
    for login in expected_users(data):
        line, user = data.by_login[login], users[login]
        assert member.get(user["id"], set()) == set(line["groups"]), login
        assert {k: user["profile"].get(k) for k in line["fields"]} == line["fields"], login
        assert set(FIELDS) - set(line["fields"]) <= {
            k for k in FIELDS if user["profile"].get(k) is None
        }
    return users


def create_bodies(okta: LiveServer, since: float = 0) -> list[dict[str, Any]]:
    return [
        e["body"]
        for e in okta.client.requests(method="POST", path="/api/v1/users", since=since or None)
        if isinstance(e.get("body"), dict)
    ]


def test_import_makes_the_schema_and_groups_then_users_in_exactly_their_groups(
    okta: LiveServer, base: Dataset, tmp_path: Path
) -> None:
    code, report = run(okta, base, tmp_path, "--mode", "import")
    assert code == 0, report["problems"]
    schema = requests.get(
        f"{okta.url}/api/v1/meta/schemas/user/default",
        headers={"Authorization": f"SSWS {okta.token}"},
        timeout=10,
    ).json()
    custom = schema["definitions"]["custom"]["properties"]
    assert {name: custom[name]["type"] for name in FIELDS} == {
        name: field["type"] for name, field in FIELDS.items()
    }
    assert custom["customerNumber"]["unique"] is True
    assert custom["tier"]["enum"] == FIELDS["tier"]["enum"]
    names = {g["name"] for g in okta.client.groups()} - {"Everyone"}
    assert names == {g for line in base.lines for g in line["groups"]}
    users = assert_directory(okta, base)
    assert set(users) == expected_users(base)
    # At most 20 groupIds on any create; the users in more than 20 joined the rest one by one.
    bodies = create_bodies(okta)
    assert max(len(b.get("groupIds", [])) for b in bodies) == 20
    over = [line for line in base.lines if len(line["groups"]) > 20 and "defect" not in line]
    assert over
    joins = okta.client.requests(method="PUT")
    assert len(joins) == sum(len(line["groups"]) - 20 for line in over) == report["joined"]
    assert report["groupsCreated"] == len(names)
    assert report["propertiesAdded"] == len(FIELDS)
    # The schema came before the first create, the groups too.
    journal = okta.client.requests()
    first_user = next(
        e["seq"] for e in journal if e["path"] == "/api/v1/users" and e["method"] == "POST"
    )
    assert all(
        e["seq"] < first_user
        for e in journal
        if e["method"] == "POST"
        and e["path"] in ("/api/v1/groups", "/api/v1/meta/schemas/user/default")
    )


def test_spoiled_custom_values_are_skipped_with_a_reason(
    okta: LiveServer, base: Dataset, tmp_path: Path
) -> None:
    code, report = run(okta, base, tmp_path)
    assert code == 0
    spoiled = {
        line["profile"]["login"]: REASON_OF_CUSTOM_DEFECT[line["defect"]["kind"]]
        for line in base.lines
        if line.get("defect", {}).get("kind") in REASON_OF_CUSTOM_DEFECT
    }
    assert set(spoiled.values()) == set(REASON_OF_CUSTOM_DEFECT.values())
    reasons = {p["login"]: p["reason"] for p in report["problems"]}
    assert {login: reasons[login] for login in spoiled} == spoiled
    assert not set(spoiled) & set(users_in(okta))
    assert Counter(spoiled.values()) <= Counter(report["skipped"])


@pytest.mark.parametrize("with_state", [True, False], ids=["state", "no-state"])
def test_a_rerun_repeats_nothing(
    okta: LiveServer, base: Dataset, tmp_path: Path, with_state: bool
) -> None:
    state = ["--state", str(tmp_path / "state.json")] if with_state else []
    assert run(okta, base, tmp_path, *state)[0] == 0
    since = time.time()
    code, report = run(okta, base, tmp_path, *state)
    assert code == 0, report["problems"]
    again = okta.client.requests(since=since)
    writes = [e for e in again if e["method"] in ("PUT", "DELETE") or (
        e["method"] == "POST" and e["status"] == 200
    )]  # fmt: skip
    assert writes == []
    assert (report["created"], report["joined"], report["left"], report["groupsCreated"]) == (
        0, 0, 0, 0,
    )  # fmt: skip
    assert_directory(okta, base)


def test_premigrate_delta_cutover_end_in_the_later_groups_and_fields(
    okta: LiveServer, base: Dataset, later: Dataset, tmp_path: Path
) -> None:
    state = ["--state", str(tmp_path / "state.json")]
    assert run(okta, base, tmp_path, "--mode", "premigrate", *state)[0] == 0
    ids = {login: u["id"] for login, u in users_in(okta).items()}
    code, report = run(okta, later, tmp_path, "--mode", "delta", *state)
    assert code == 0, report["problems"]
    assert report["joined"] > 0  # the delta moved some users between groups
    assert report["left"] > 0
    assert run(okta, later, tmp_path, "--mode", "cutover", *state)[0] == 0
    users = assert_directory(okta, later)
    for login, uid in ids.items():
        assert users[login]["id"] == uid  # never deleted and created again
    moved = [
        login
        for login in expected_users(later)
        if login in base.by_login
        and base.by_login[login]["groups"] != later.by_login[login]["groups"]
    ]
    assert moved


def test_without_a_state_file_groups_are_read_back_from_okta(
    okta: LiveServer, base: Dataset, later: Dataset, tmp_path: Path
) -> None:
    assert run(okta, base, tmp_path, "--mode", "premigrate")[0] == 0
    code, report = run(okta, later, tmp_path, "--mode", "delta")
    assert code == 0, report["problems"]
    gets = [e for e in okta.client.requests(method="GET") if e["path"].endswith("/groups")]
    assert gets  # memberships unknown without a state: listUserGroups first
    assert_directory(okta, later)


def test_a_schema_property_of_another_type_stops_the_run(
    okta: LiveServer, base: Dataset, tmp_path: Path
) -> None:
    body = {
        "definitions": {
            "custom": {"properties": {"loyaltyPoints": {"title": "P", "type": "string"}}}
        }
    }
    requests.post(
        f"{okta.url}/api/v1/meta/schemas/user/default",
        json=body,
        headers={"Authorization": f"SSWS {okta.token}"},
        timeout=10,
    ).raise_for_status()
    report = tmp_path / "r.json"
    from mock_okta.tools import migrate

    argv = ["--org", okta.url, "--token", okta.token, "--input", str(base.input)]
    assert migrate.main([*argv, "--report", str(report)]) == 2
    assert not report.exists()
    assert users_in(okta) == {}
