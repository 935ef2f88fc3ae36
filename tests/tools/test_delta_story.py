"""The whole story of a re-migration, end to end, as a newcomer would tell it.

A legacy system's 50 customers are premigrated ACTIVE with their password hashes, in their
groups, with their app accounts (some direct, some through a group; Microsoft 365 keys each
account on an immutable ID made at first assignment). Before go-live, 5 customers change their
password in the legacy system. Okta takes a hash only while a user is STAGED, so the delta points
those 5 at the password import hook instead (Okta allows it on any status since 2023.06), and
the legacy system, through `mock-okta hook-server` serving the later dataset, verifies their
next sign-in. Everyone signs in; the 5 with their new password, and their old one then fails.
Nothing else moved: ids, memberships, app assignments and Microsoft 365's immutable IDs.

The same story told by a tool that deletes and re-creates the 5 instead (the forum thread's
workaround) shows exactly what that destroys.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.hooks import PASSWORD_IMPORT
from mock_okta.testing import LiveServer
from mock_okta.tools import dataset, migration
from mock_okta.tools.hook_server import HookApp, HookServer, LegacyUsers, parse_auth_header
from tests.tools.test_migrate import Dataset, run, sign_in, users_in

USERS = 50
CHANGED = 5
SECRET = "story-hook-secret"

Snapshot = dict[str, Any]


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("story")
    args = ["--users", str(USERS), "--seed", "13", "--mix", "bcrypt=50,sha256=50", "--jobs", "1"]
    assert dataset.main([*args, "--groups", "5", "--apps", "--out", str(out)]) == 0
    return Dataset(out)


def changed_passwords(before: Dataset, out: Path) -> tuple[Dataset, dict[str, str]]:
    """The legacy system a week later: 5 customers chose a new password (bcrypt, cost 4).

    Picks customers with a direct app and Microsoft 365 through a group, so that the story
    shows both kinds of assignment. Returns the later dataset and each one's new password.
    """
    out.mkdir()
    shutil.copy(before.dir / "manifest.json", out / "manifest.json")
    lines = [dict(line) for line in before.lines]
    picked = [
        line for line in lines if line.get("apps") and "All customers" in line.get("groups", [])
    ][:CHANGED]
    assert len(picked) == CHANGED, "the seed no longer gives enough customers with both"
    new: dict[str, str] = {}
    for line in picked:
        login = line["profile"]["login"]
        new[login] = f"New-{login.split('@')[0]}-2025!"
        hashed = bcrypt.hashpw(new[login].encode(), bcrypt.gensalt(4)).decode()
        line["password"] = {"scheme": "bcrypt", "hash": hashed}
        line["updatedAt"] = "2025-01-05T10:00:00Z"
    oracle = [
        {**entry, "password": new.get(login, entry["password"])}
        | ({"change": "password"} if login in new else {})
        for login, entry in before.oracle.items()
    ]
    (out / "users.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (out / "oracle.jsonl").write_text("".join(json.dumps(x) + "\n" for x in oracle))
    return Dataset(out), new


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


def api(okta: LiveServer, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(
        method,
        f"{okta.url}{path}",
        json=body,
        headers={"Authorization": f"SSWS {okta.token}"},
        timeout=30,
    )
    assert response.ok, response.text
    return response.json()


def snapshot(okta: LiveServer) -> Snapshot:
    """What a user's identity is made of, by login: id, groups, and per app its assignment's
    scope and app-side identity (externalId, Microsoft 365's immutableId)."""
    users = {u["id"]: login for login, u in users_in(okta).items()}
    groups: dict[str, set[str]] = {login: set() for login in users.values()}
    for group in okta.client.groups():
        for uid in group["members"] or []:
            groups[users[uid]].add(group["name"])
    apps: dict[str, dict[str, tuple[object, ...]]] = {login: {} for login in users.values()}
    for app in api(okta, "GET", "/api/v1/apps"):
        for au in api(okta, "GET", f"/api/v1/apps/{app['id']}/users?limit=500"):
            identity = (au["scope"], au["externalId"], au["profile"].get("immutableId"))
            apps[users[au["id"]]][app["label"]] = identity
    return {
        "ids": {login: uid for uid, login in users.items()},
        "groups": groups,
        "apps": apps,
    }


def register_hook(okta: LiveServer, later: Dataset) -> HookServer:
    users = LegacyUsers.from_file(later.dir / "users.jsonl")
    hook = HookServer(HookApp(users, parse_auth_header(f"Authorization: {SECRET}"))).start()
    channel = {
        "type": "HTTP",
        "version": "1.0.0",
        "config": {
            "uri": hook.url,
            "method": "POST",
            "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
        },
    }
    body = {"name": "Legacy", "type": PASSWORD_IMPORT, "version": "1.0.0", "channel": channel}
    api(okta, "POST", "/api/v1/inlineHooks", body)
    return hook


def premigrate(okta: LiveServer, before: Dataset, state: Path) -> Snapshot:
    """Premigration: every customer ACTIVE with its hash, groups and apps."""
    code, report = run(okta, before, state.parent, "--mode", "import", "--state", str(state))
    assert code == 0, report
    taken = snapshot(okta)
    assert len(taken["ids"]) == USERS
    assert sum(len(a) for a in taken["apps"].values()) > USERS  # most have two or three
    assert {"USER", "GROUP"} == {s for a in taken["apps"].values() for s, _, _ in a.values()}
    return taken


def test_the_delta_through_the_hook_keeps_every_identity(
    okta: LiveServer, before: Dataset, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    premigrated = premigrate(okta, before, state)
    later, new = changed_passwords(before, tmp_path / "later")
    hook = register_hook(okta, later)
    try:
        code, report = run(okta, later, tmp_path, "--mode", "delta", "--state", str(state))
        assert code == 0, report
        assert (report["hooked"], report["created"]) == (CHANGED, 0)  # nobody re-created
        # Everyone signs in: the 45 with the password Okta imported, the 5 through the hook.
        for login, entry in before.oracle.items():
            password = new.get(login, entry["password"])
            assert sign_in(okta, login, password) == 200, login
        for login in new:  # Okta now holds the new password; the old one fails
            assert sign_in(okta, login, before.oracle[login]["password"]) == 401, login
    finally:
        hook.stop()
    assert snapshot(okta) == premigrated


def recreate(self: migration.Migrator, record: Any, entry: Any) -> bool:
    """The forum thread's workaround: delete a user whose password changed and create it
    again with the new hash (which Okta takes on create)."""
    if entry.password not in (None, record.password_fp):
        path = self.client.user_path(entry.id)
        self._call("DELETE", path)
        self._call("DELETE", path)
        self._create(record)
        fresh = self.state.get(record.login)
        assert fresh is not None
        entry.id, entry.status, entry.password = fresh.id, fresh.status, fresh.password
        self._activate(entry)  # a delta creates STAGED; the customer was ACTIVE
        return True
    return PUSH(self, record, entry)


PUSH = migration.Migrator._push


def test_delete_and_recreate_shows_exactly_what_it_destroys(
    okta: LiveServer, before: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    premigrated = premigrate(okta, before, state)
    later, new = changed_passwords(before, tmp_path / "later")
    monkeypatch.setattr(migration.Migrator, "_push", recreate)
    code, report = run(okta, later, tmp_path, "--mode", "delta", "--state", str(state))
    assert code == 0, report
    after = snapshot(okta)
    for login, entry in before.oracle.items():  # they all sign in: the damage is elsewhere
        assert sign_in(okta, login, new.get(login, entry["password"])) == 200, login
    new_ids = {
        login for login in premigrated["ids"] if after["ids"][login] != premigrated["ids"][login]
    }
    assert new_ids == set(new)
    # Groups come back (the tool creates the user in them again) ...
    assert after["groups"] == premigrated["groups"]
    # ... but the direct assignments are gone, and every app that came back through a group
    # is a new account downstream: Microsoft 365 sees a new immutable ID.
    lost = {
        (login, label)
        for login in new
        for label, (scope, _, _) in premigrated["apps"][login].items()
        if label not in after["apps"][login]
    }
    assert lost == {
        (login, label)
        for login in new
        for label, (scope, _, _) in premigrated["apps"][login].items()
        if scope == "USER"
    }
    assert lost  # the picked customers all had a direct app
    office = {login: premigrated["apps"][login]["Microsoft 365"] for login in new}
    for login, (_, external_id, immutable_id) in office.items():
        _, external_after, immutable_after = after["apps"][login]["Microsoft 365"]
        assert immutable_after != immutable_id, login
        assert external_after != external_id, login
    unchanged = set(premigrated["ids"]) - set(new)
    assert {k: after["apps"][k] for k in unchanged} == {
        k: premigrated["apps"][k] for k in unchanged
    }
