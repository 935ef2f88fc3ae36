"""App users that come through groups, kept in step with memberships, in the caller's transaction.

A group assigned to an app gives each of its members an app user with scope GROUP (SPEC
assignGroupToApplication); the app user's identity is made at its first source and kept while
any source remains (the direct assignment or an assigned group the user is in). Losing the last
one, by unassigning the group, leaving it or the group being deleted, removes the app user.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from mock_okta.apps.assignments import definition_for, new_app_user
from mock_okta.apps.base import APP_COLUMNS, APP_USER_COLUMNS, app_user_params, row_to_app
from mock_okta.apps.models import App, AppStatus, AppUserStatus
from mock_okta.ids import IdFactory
from mock_okta.models import User, UserStatus
from mock_okta.store.base import COLUMNS, row_to_user

_INSERT = (
    f"INSERT INTO app_users ({APP_USER_COLUMNS}, search) VALUES ({', '.join('?' * 15)})"
    " ON CONFLICT DO NOTHING"
)
# An app user no group holds any more and that has no direct assignment.
_ORPHANS = (
    "DELETE FROM app_users WHERE app_id = ? AND direct = 0 AND user_id IN ({users})"
    " AND NOT EXISTS (SELECT 1 FROM app_groups ag JOIN memberships m ON m.group_id = ag.group_id"
    " WHERE ag.app_id = app_users.app_id AND m.user_id = app_users.user_id)"
)


def grant(
    conn: sqlite3.Connection,
    ids: IdFactory,
    now: int,
    app: App,
    users: Iterable[User],
    profile: dict[str, object],
) -> int:
    """Give `users` the app through a group: a new app user (direct = 0) for those without one.

    Returns how many were made. PARITY: the assignment profile of the group that first brings
    the app is applied to the new app user (null values left unset); a second group does not
    re-apply its own, and Okta's re-evaluation by priority is not modelled.
    """
    definition = definition_for(app)
    # A group's profile is shared; the immutable ID is each user's own (made below).
    profile = {k: v for k, v in profile.items() if v is not None and k != "immutableId"}
    made = 0
    for user in users:
        app_user = new_app_user(ids, app, definition, user, profile, now, direct=False)
        if user.status is UserStatus.DEPROVISIONED and app.status is AppStatus.ACTIVE:
            # As deactivation would have left it: reactivating the user restores it.
            app_user.status = AppUserStatus.DEPROVISIONED
        made += conn.execute(_INSERT, app_user_params(app_user)).rowcount
    return made


def prune(conn: sqlite3.Connection, app_id: str, user_ids: Sequence[str]) -> None:
    """Remove the app users of `user_ids` in `app_id` that have no source left."""
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        conn.execute(_ORPHANS.format(users=", ".join("?" * len(chunk))), (app_id, *chunk))


def prune_app(conn: sqlite3.Connection, app_id: str) -> None:
    """Remove every app user of `app_id` that has no source left."""
    conn.execute(_ORPHANS.replace("user_id IN ({users})", "1"), (app_id,))


def joined(
    conn: sqlite3.Connection, ids: IdFactory, now: int, user_id: str, group_ids: Sequence[str]
) -> None:
    """`user_id` joined `group_ids`: it gets the apps assigned to them that it lacks."""
    if not group_ids:
        return
    row = conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        return
    user = row_to_user(row)
    for app, profile in _apps_of(conn, group_ids):
        grant(conn, ids, now, app, [user], profile)


def left(conn: sqlite3.Connection, user_id: str, group_id: str) -> None:
    """`user_id` left `group_id`: app users it held alone go."""
    for app, _ in _apps_of(conn, [group_id]):
        prune(conn, app.id, [user_id])


def group_deleted(conn: sqlite3.Connection, group_id: str) -> None:
    """`group_id` is being deleted (its memberships already gone): its app assignments go."""
    apps = _apps_of(conn, [group_id])
    conn.execute("DELETE FROM app_groups WHERE group_id = ?", (group_id,))
    for app, _ in apps:
        prune_app(conn, app.id)


def _apps_of(
    conn: sqlite3.Connection, group_ids: Sequence[str]
) -> list[tuple[App, dict[str, object]]]:
    """The apps assigned to any of `group_ids`, each with the profile of its highest-priority
    assignment among them (the lowest number)."""
    columns = ", ".join(f"a.{c.strip()}" for c in APP_COLUMNS.split(","))
    marks = ", ".join("?" * len(group_ids))
    rows = conn.execute(
        f"SELECT {columns}, ag.profile FROM app_groups ag JOIN apps a ON a.id = ag.app_id"
        f" WHERE ag.group_id IN ({marks}) ORDER BY a.id, ag.priority DESC, ag.group_id DESC",
        tuple(group_ids),
    ).fetchall()
    found: dict[str, tuple[App, dict[str, object]]] = {}
    for row in rows:  # the last row of an app is its highest-priority assignment
        app = row_to_app(row[:-1])
        found[app.id] = (app, json.loads(str(row[-1])))
    return list(found.values())
