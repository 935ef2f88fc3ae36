"""Groups assigned to apps (Okta's ApplicationGroups API): each member gets the app, scope GROUP.

`PUT /api/v1/apps/{appId}/groups/{groupId}` gives every member without the app a new app user
(`group_sources.grant`); `DELETE` removes the app users no other source holds. Memberships
changed later keep app users in step (`group_sources.joined` / `left`, called by the Groups
store in its own transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from mock_okta.apps import group_sources
from mock_okta.apps.assignments import app_user_profile, definition_for
from mock_okta.apps.base import AppsBase, like_prefix
from mock_okta.apps.models import AppGroup
from mock_okta.errors import not_found, validation_error
from mock_okta.groups import Group, GroupType
from mock_okta.store.base import COLUMNS, page_limit, row_to_user
from mock_okta.store.groups import GROUP_COLUMNS, GROUP_KIND, row_to_group

# SPEC queryGroupAssignmentLimit: default 20, maximum 200.
APP_GROUPS_PAGE: Final = 20
APP_GROUPS_MAX_PAGE: Final = 200
APP_GROUP_COLUMNS: Final = "app_id, group_id, priority, profile, last_updated"
MAX_PRIORITY: Final = 2**31 - 1  # SPEC: int32


@dataclass(frozen=True, slots=True)
class AppGroupQuery:
    limit: str | None = None
    after: str | None = None
    q: str | None = None
    expand: str | None = None


@dataclass(frozen=True, slots=True)
class AppGroupPage:
    app_groups: list[AppGroup]
    limit: int
    next_after: str | None
    groups: dict[str, Group] = field(default_factory=dict)  # group id -> group (expand=group)


def _row_to_app_group(row: tuple[object, ...]) -> AppGroup:
    app_id, group_id, priority, profile, updated = row
    return AppGroup(str(app_id), str(group_id), int(str(priority)), json.loads(str(profile)),
                    int(str(updated)))  # fmt: skip


class AppGroupOperations(AppsBase):
    """Group assignments: each operation one transaction with the app users it makes or drops."""

    def assign_group_to_application(
        self, app_id: str, group_id: str, body: Mapping[str, object]
    ) -> AppGroup:
        """PUT /api/v1/apps/{appId}/groups/{groupId}: assign (or replace) and grant its members.

        PARITY: a second PUT replaces the assignment's priority and profile and answers 200;
        app users already made keep theirs.
        """
        with self.db.write() as conn:
            app = self._load_app(conn, app_id)
            group = self._assignable_group(conn, group_id)
            profile = app_user_profile(body.get("profile"), definition_for(app))
            current = self._find_app_group(conn, app.id, group.id)
            priority = self._priority(conn, app.id, body.get("priority"), current)
            now = self.now_ms()
            conn.execute(
                f"INSERT INTO app_groups ({APP_GROUP_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (app_id, group_id) DO UPDATE SET priority = excluded.priority,"
                " profile = excluded.profile, last_updated = excluded.last_updated",
                (app.id, group.id, priority, json.dumps(profile, ensure_ascii=False), now),
            )
            columns = ", ".join(f"u.{c.strip()}" for c in COLUMNS.split(","))
            members = conn.execute(
                f"SELECT {columns} FROM memberships m JOIN users u ON u.id = m.user_id"
                " WHERE m.group_id = ? ORDER BY m.user_id",
                (group.id,),
            ).fetchall()
            group_sources.grant(
                conn, self.ids, now, app, (row_to_user(r) for r in members), profile
            )
            return AppGroup(app.id, group.id, priority, profile, now)

    def _assignable_group(self, conn: sqlite3.Connection, group_id: str) -> Group:
        row = conn.execute(
            f"SELECT {GROUP_COLUMNS} FROM groups WHERE id = ?", (group_id,)
        ).fetchone()
        if row is None:
            raise not_found(group_id, GROUP_KIND)
        group = row_to_group(row)
        if group.type is GroupType.BUILT_IN:
            # PARITY: Okta lets Everyone be assigned to an app; the mock keeps no membership
            # rows for Everyone, so it refuses rather than miss the users created later.
            raise validation_error(
                "id", "Assigning the Everyone group to an app is not modelled by the mock"
            )
        return group

    def _priority(
        self, conn: sqlite3.Connection, app_id: str, raw: object, current: AppGroup | None
    ) -> int:
        if raw is None:
            if current is not None:
                return current.priority
            # SPEC: "If a priority value isn't specified, then the next highest priority is
            # assigned by default": the first group 0, then one more than the largest.
            row = conn.execute(
                "SELECT MAX(priority) FROM app_groups WHERE app_id = ?", (app_id,)
            ).fetchone()
            return 0 if row[0] is None else int(row[0]) + 1
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_PRIORITY:
            raise validation_error("priority", "The priority must be a whole number >= 0")
        return raw

    def _find_app_group(
        self, conn: sqlite3.Connection, app_id: str, group_id: str
    ) -> AppGroup | None:
        row = conn.execute(
            f"SELECT {APP_GROUP_COLUMNS} FROM app_groups WHERE app_id = ? AND group_id = ?",
            (app_id, group_id),
        ).fetchone()
        return _row_to_app_group(row) if row is not None else None

    def get_application_group_assignment(
        self, app_id: str, group_id: str
    ) -> tuple[AppGroup, Group]:
        """GET /api/v1/apps/{appId}/groups/{groupId}: the assignment, and its group (expand)."""
        with self.db.read() as conn:
            self._load_app(conn, app_id)
            app_group = self._find_app_group(conn, app_id, group_id)
            row = conn.execute(
                f"SELECT {GROUP_COLUMNS} FROM groups WHERE id = ?", (group_id,)
            ).fetchone()
            if app_group is None or row is None:
                # PARITY: Okta's 404 for a group not assigned to the app is unconfirmed.
                raise not_found(group_id, GROUP_KIND)
            return app_group, row_to_group(row)

    def list_application_group_assignments(self, app_id: str, query: AppGroupQuery) -> AppGroupPage:
        """GET /api/v1/apps/{appId}/groups: pages ordered by group id; `q` a group-name prefix.

        PARITY: Okta's order and cursor are unconfirmed (the SPEC's example cursor is a
        number); here the group id orders the pages and is the `after` cursor.
        """
        limit = page_limit(query.limit, APP_GROUPS_PAGE, APP_GROUPS_MAX_PAGE)
        clauses = ["ag.app_id = ?"]
        params: list[object] = [app_id]
        if query.q:
            clauses.append("g.name_key LIKE ? ESCAPE '\\'")
            params.append(like_prefix(query.q.casefold()) + "%")
        if query.after:
            clauses.append("ag.group_id > ?")
            params.append(query.after)
        columns = ", ".join(f"ag.{c.strip()}" for c in APP_GROUP_COLUMNS.split(","))
        group_columns = ", ".join(f"g.{c.strip()}" for c in GROUP_COLUMNS.split(","))
        with self.db.read() as conn:
            self._load_app(conn, app_id)
            rows = conn.execute(
                f"SELECT {columns}, {group_columns} FROM app_groups ag"
                f" JOIN groups g ON g.id = ag.group_id WHERE {' AND '.join(clauses)}"
                " ORDER BY ag.group_id LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        width = len(APP_GROUP_COLUMNS.split(","))
        page = rows[:limit]
        app_groups = [_row_to_app_group(r[:width]) for r in page]
        groups = {}
        if query.expand == "group":
            groups = {str(r[1]): row_to_group(r[width:]) for r in page}
        more = len(rows) > limit
        return AppGroupPage(
            app_groups, limit, app_groups[-1].group_id if more and app_groups else None, groups
        )

    def unassign_application_from_group(self, app_id: str, group_id: str) -> None:
        """DELETE /api/v1/apps/{appId}/groups/{groupId}: members' app users no other source
        holds go, with their identity."""
        with self.db.write() as conn:
            self._load_app(conn, app_id)
            if self._find_app_group(conn, app_id, group_id) is None:
                raise not_found(group_id, GROUP_KIND)
            conn.execute(
                "DELETE FROM app_groups WHERE app_id = ? AND group_id = ?", (app_id, group_id)
            )
            members = [
                str(r[0])
                for r in conn.execute(
                    "SELECT user_id FROM memberships WHERE group_id = ?", (group_id,)
                ).fetchall()
            ]
            group_sources.prune(conn, app_id, members)
