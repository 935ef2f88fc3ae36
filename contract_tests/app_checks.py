"""The contract's checks of app assignments: each a pure function of what the harness saw.

An assignment is seen as the app user Okta shows: its scope and its app-side identity (the
`externalId` of a provisioned account, Microsoft 365's `profile.immutableId`). A user deleted
and created again loses its direct assignments, and an app that comes back through a group is
a new downstream account: the seed thread's warning, with the damage named per user.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import requests

from mock_okta.harness.checks import Json, Verdict, expected_users, shown
from mock_okta.tools.legacy_apps import accounts

APPS_AS_DATASET: Final = "every user has exactly the dataset's apps"
APPS_KEPT: Final = "app assignments kept (no delete and re-create)"
IDENTITY_KEPT: Final = "app-side identity kept (externalId, immutableId)"

# login key -> app label -> (scope, externalId, immutableId)
Assignments = dict[str, dict[str, tuple[Any, Any, Any]]]


def read_assignments(
    url: str, token: str, ids: Mapping[str, str], ca_file: str | None = None
) -> Assignments:
    """Every app's users, through Okta's API (`GET /api/v1/apps`, `…/users`, Link pages)."""
    session = requests.Session()
    session.headers["Authorization"] = f"SSWS {token}"
    verify: str | bool = ca_file or True
    logins = {uid: key for key, uid in ids.items()}
    out: Assignments = {key: {} for key in ids}

    def pages(first: str) -> list[Json]:
        items: list[Json] = []
        link: str | None = first
        while link:
            response = session.get(link, timeout=60, verify=verify)
            if response.status_code == 429:  # the harness's own reads: wait for the reset
                reset = float(response.headers.get("X-Rate-Limit-Reset", 0))
                time.sleep(min(max(0.1, reset - time.time()), 60))
                continue
            response.raise_for_status()
            items += response.json()
            link = response.links.get("next", {}).get("url")
        return items

    for app in pages(f"{url}/api/v1/apps?limit=200"):
        for au in pages(f"{url}/api/v1/apps/{app['id']}/users?limit=500"):
            key = logins.get(str(au["id"]))
            if key is not None:
                profile = au.get("profile") or {}
                out[key][str(app["label"])] = (
                    au.get("scope"),
                    au.get("externalId"),
                    profile.get("immutableId"),
                )
    return out


def apps_as_dataset(
    records: Sequence[Json],
    oracle: Mapping[str, Json],
    manifest_apps: Sequence[Json],
    seen: Assignments,
) -> Verdict:
    """Each migrated user holds exactly its app accounts: direct ones scope USER, the rest
    through their groups scope GROUP."""
    if not manifest_apps:
        return Verdict(APPS_AS_DATASET, True, "the dataset has no apps", tested=False)
    wrong = []
    for key, record in expected_users(records, oracle).items():
        if key not in seen:
            continue  # a missing user is users_exist_once's to report
        want = accounts(record.get("apps"), record.get("groups"), manifest_apps)
        have = {label: scope for label, (scope, _, _) in seen[key].items()}
        if have != want:
            wrong.append(f"{record['profile']['login']} (has {have or 'none'}, not {want})")
    if wrong:
        return Verdict(APPS_AS_DATASET, False, f"{len(wrong)} users: {shown(wrong)}")
    total = sum(len(a) for a in seen.values())
    return Verdict(APPS_AS_DATASET, True, f"{total} assignments as the dataset says")


def expected(
    records: Sequence[Json], oracle: Mapping[str, Json], manifest_apps: Sequence[Json]
) -> dict[str, set[str]]:
    """The app labels each migrated user should hold (direct, and through its groups)."""
    return {
        key: set(accounts(r.get("apps"), r.get("groups"), manifest_apps))
        for key, r in expected_users(records, oracle).items()
    }


def still_expected(before: Assignments, want: Mapping[str, set[str]]) -> Assignments:
    """`before`, of the users and apps the later dataset still gives them (a user who left a
    group rightly loses the app it brought)."""
    return {
        key: {label: v for label, v in apps.items() if label in want[key]}
        for key, apps in before.items()
        if key in want
    }


def assignments_kept(before: Assignments, after: Assignments) -> Verdict:
    """No user lost an app between premigration and go-live; names what each one lost."""
    if not any(before.values()):
        return Verdict(APPS_KEPT, True, "no assignments before", tested=False)
    lost = sorted(
        f"{key} ({', '.join(sorted(set(apps) - set(after[key])))})"
        for key, apps in before.items()
        if key in after and set(apps) - set(after[key])
    )
    if lost:
        return Verdict(
            APPS_KEPT,
            False,
            f"{len(lost)} users lost app assignments (deleted and created again?): {shown(lost)}",
        )
    return Verdict(APPS_KEPT, True, f"{sum(len(a) for a in before.values())} assignments kept")


def identity_kept(before: Assignments, after: Assignments) -> Verdict:
    """Every app kept its downstream account: the same externalId and immutableId."""
    if not any(before.values()):
        return Verdict(IDENTITY_KEPT, True, "no assignments before", tested=False)
    changed = sorted(
        f"{key} ({label})"
        for key, apps in before.items()
        for label, (_, external, immutable) in apps.items()
        if label in after.get(key, {}) and after[key][label][1:] != (external, immutable)
    )
    if changed:
        return Verdict(
            IDENTITY_KEPT,
            False,
            f"{len(changed)} app accounts got a new app-side identity, so the app no longer"
            f" matches its account (Microsoft 365's immutable ID): {shown(changed)}",
        )
    return Verdict(IDENTITY_KEPT, True, "every app account kept its identity")
