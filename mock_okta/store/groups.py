"""Groups and memberships (SPEC tag Group, and listUserGroups), each one transaction.

A membership is a row keyed by (group, user), so concurrent assignments of one user to one
group end in one membership. The built-in Everyone group has no rows: every user is in it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

from mock_okta.errors import (
    E_ACCESS_DENIED,
    E_INVALID_PAGING,
    E_SEARCH_AND_FILTER,
    OktaError,
    not_found,
    validation_error,
)
from mock_okta.groups import Group, GroupType, group_key, parse_group_profile
from mock_okta.query import GROUP_FIELDS, compile_filter, compile_search
from mock_okta.store.base import COLUMNS, DUPLICATE_LOGIN, Page, StoreBase, row_to_user
from mock_okta.syslog import Party

GROUP_COLUMNS: Final = "id, type, profile, created, last_updated, last_membership_updated"
# SPEC listGroups: limit at most 10000; `q` returns at most 300 and has no pages.
MAX_GROUP_PAGE: Final = 10_000
Q_GROUP_LIMIT: Final = 300
# SPEC listGroupUsers: the default limit is 1000.
# PARITY: the largest page Okta returns of a group's members is unconfirmed; 1000 here.
MEMBER_PAGE: Final = 1000
GROUP_KIND: Final = "UserGroup"  # PARITY: the resource name Okta's 404 shows for a group


@dataclass(frozen=True, slots=True)
class GroupQuery:
    limit: str | None = None
    after: str | None = None
    filter: str | None = None
    search: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class GroupPage:
    groups: list[Group]
    limit: int
    next_after: str | None


def _group_sources() -> ModuleType:
    """App users through groups follow memberships (imported late: the apps package imports
    this store)."""
    from mock_okta.apps import group_sources

    return group_sources


def _group_party(group: Group) -> Party:
    name = str(group.profile.get("name") or "")
    return Party(group.id, "UserGroup", name, name)


def row_to_group(row: Sequence[Any]) -> Group:
    gid, kind, profile, created, updated, membership = row
    return Group(
        str(gid), GroupType(str(kind)), json.loads(str(profile)), created, updated, membership
    )


def _limit(text: str | None, default: int, most: int) -> int:
    if text is None or text == "":
        return default
    try:
        limit = int(text)
    except ValueError:
        raise OktaError(E_INVALID_PAGING) from None
    if limit < 1:
        raise OktaError(E_INVALID_PAGING)
    return min(limit, most)


class GroupOperations(StoreBase):
    """Create, read, replace, delete and list groups; assign and unassign their users."""

    def _load_group(self, conn: sqlite3.Connection, group_id: str) -> Group:
        row = conn.execute(
            f"SELECT {GROUP_COLUMNS} FROM groups WHERE id = ?", (group_id,)
        ).fetchone()
        if row is None:
            raise not_found(group_id, GROUP_KIND)
        return row_to_group(row)

    def _okta_group(self, conn: sqlite3.Connection, group_id: str) -> Group:
        """A group the API may change: Okta's own groups, never the built-in Everyone."""
        group = self._load_group(conn, group_id)
        if group.type is not GroupType.OKTA_GROUP:
            # PARITY: the SPEC says only OKTA_GROUP profiles and memberships can be changed;
            # Okta's answer for the built-in group is unconfirmed.
            raise OktaError(E_ACCESS_DENIED, detail=f"{group.type.value} group cannot change")
        return group

    def _insert_group(self, conn: sqlite3.Connection, profile: dict[str, object]) -> Group:
        now = self.now_ms()
        group = Group(self.ids.group_id(), GroupType.OKTA_GROUP, profile, now, now, now)
        try:
            conn.execute(
                f"INSERT INTO groups ({GROUP_COLUMNS}, name_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (group.id, group.type.value, json.dumps(profile, ensure_ascii=False), now, now,
                 now, group_key(group.name)),
            )  # fmt: skip
        except sqlite3.IntegrityError:
            # PARITY: the duplicate-name answer is taken to be a login's (E0000001, "name").
            raise validation_error("name", DUPLICATE_LOGIN) from None
        return group

    def add_group(self, profile: object) -> Group:
        """POST /api/v1/groups: an OKTA_GROUP with a unique name."""
        clean = parse_group_profile(profile)
        with self.db.write() as conn:
            return self._insert_group(conn, clean)

    def get_group(self, group_id: str) -> Group:
        """GET /api/v1/groups/{groupId}."""
        with self.db.read() as conn:
            return self._load_group(conn, group_id)

    def replace_group(self, group_id: str, profile: object) -> Group:
        """PUT /api/v1/groups/{groupId}: the whole profile."""
        clean = parse_group_profile(profile)
        with self.db.write() as conn:
            group = self._okta_group(conn, group_id)
            now = self.now_ms()
            try:
                conn.execute(
                    "UPDATE groups SET profile = ?, name_key = ?, last_updated = ? WHERE id = ?",
                    (json.dumps(clean, ensure_ascii=False), group_key(str(clean["name"])), now,
                     group.id),
                )  # fmt: skip
            except sqlite3.IntegrityError:
                raise validation_error("name", DUPLICATE_LOGIN) from None
            return Group(
                group.id, group.type, clean, group.created, now, group.last_membership_updated
            )

    def delete_group(self, group_id: str) -> None:
        """DELETE /api/v1/groups/{groupId}: its memberships go with it."""
        with self.db.write() as conn:
            group = self._okta_group(conn, group_id)
            conn.execute("DELETE FROM memberships WHERE group_id = ?", (group.id,))
            _group_sources().group_deleted(conn, group.id)
            conn.execute("DELETE FROM groups WHERE id = ?", (group.id,))

    def list_groups(self, query: GroupQuery) -> GroupPage:
        """GET /api/v1/groups: cursor pages ordered by id, as the users list."""
        if query.filter is not None and query.search is not None:
            raise OktaError(E_SEARCH_AND_FILTER)
        default = Q_GROUP_LIMIT if query.q is not None else MAX_GROUP_PAGE
        limit = _limit(query.limit, default, MAX_GROUP_PAGE)
        clauses: list[str] = ["1"]
        params: list[object] = []
        if query.filter is not None or query.search is not None:
            sql = (
                compile_filter(query.filter, GROUP_FIELDS)
                if query.filter is not None
                else compile_search(query.search or "", GROUP_FIELDS)
            )
            clauses.append(sql.where)
            params.extend(sql.params)
        elif query.q is not None:
            # `q` matches the start of the name (SPEC listGroups), ignoring case.
            prefix = query.q.casefold().replace("\\", "\\\\").replace("%", "\\%")
            clauses.append("name_key LIKE ? ESCAPE '\\'")
            params.append(prefix.replace("_", "\\_") + "%")
        if query.after and query.q is None:
            clauses.append("id > ?")
            params.append(query.after)
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {GROUP_COLUMNS} FROM groups WHERE {' AND '.join(clauses)}"
                " ORDER BY id LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        groups = [row_to_group(r) for r in rows[:limit]]
        more = len(rows) > limit and query.q is None
        return GroupPage(groups, limit, groups[-1].id if more and groups else None)

    def count_group_users(self, group: Group) -> int:
        with self.db.read() as conn:
            if group.type is GroupType.BUILT_IN:
                return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
            row = conn.execute(
                "SELECT COUNT(*) FROM memberships WHERE group_id = ?", (group.id,)
            ).fetchone()
            return int(row[0])

    # ----- memberships

    def _touch(self, conn: sqlite3.Connection, group_ids: Iterable[str], now: int) -> None:
        conn.executemany(
            "UPDATE groups SET last_membership_updated = ? WHERE id = ?",
            [(now, gid) for gid in group_ids],
        )

    def assign_user_to_group(self, group_id: str, user_ref: str) -> None:
        """PUT /api/v1/groups/{groupId}/users/{userId}: 204, also when already a member."""
        with self.db.write() as conn:
            group = self._okta_group(conn, group_id)
            user = self._load(conn, user_ref)
            added = conn.execute(
                "INSERT INTO memberships (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (group.id, user.id),
            ).rowcount
            if added:
                self._touch(conn, [group.id], self.now_ms())
                _group_sources().joined(conn, self.ids, self.now_ms(), user.id, [group.id])
                self.log_event(conn, "group.user_membership.add", user, _group_party(group))

    def unassign_user_from_group(self, group_id: str, user_ref: str) -> None:
        """DELETE /api/v1/groups/{groupId}/users/{userId}: 204, also when not a member."""
        with self.db.write() as conn:
            group = self._okta_group(conn, group_id)
            user = self._load(conn, user_ref)
            removed = conn.execute(
                "DELETE FROM memberships WHERE group_id = ? AND user_id = ?", (group.id, user.id)
            ).rowcount
            if removed:
                self._touch(conn, [group.id], self.now_ms())
                _group_sources().left(conn, user.id, group.id)
                self.log_event(conn, "group.user_membership.remove", user, _group_party(group))

    def _join(self, conn: sqlite3.Connection, user_id: str, group_ids: Sequence[str]) -> None:
        """Put a new user in `group_ids` (create's groupIds, seeds), in the caller's transaction."""
        if not group_ids:
            return
        joined = []
        for gid in group_ids:
            # PARITY: Okta's answer to an unknown id in `groupIds` is unconfirmed: the 404 a
            # membership call for it gets (E0000007 ... (UserGroup)), and no user is made.
            group = self._load_group(conn, gid)
            if group.type is GroupType.OKTA_GROUP:
                joined.append(gid)
            # Everyone needs no row: every user is in it.
        conn.executemany(
            "INSERT INTO memberships (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(gid, user_id) for gid in joined],
        )
        self._touch(conn, joined, self.now_ms())
        _group_sources().joined(conn, self.ids, self.now_ms(), user_id, joined)

    def _groups_named(
        self, conn: sqlite3.Connection, names: Iterable[str], known: dict[str, str]
    ) -> list[str]:
        """The ids of groups by name, creating the missing ones (bulk seeds); `known` caches."""
        ids = []
        for name in names:
            key = group_key(name)
            if key not in known:
                row = conn.execute("SELECT id FROM groups WHERE name_key = ?", (key,)).fetchone()
                known[key] = (
                    str(row[0])
                    if row
                    else self._insert_group(conn, parse_group_profile({"name": name})).id
                )
            ids.append(known[key])
        return ids

    def list_group_users(self, group_id: str, limit: str | None, after: str | None) -> Page:
        """GET /api/v1/groups/{groupId}/users: members ordered by id; Everyone has every user."""
        size = _limit(limit, MEMBER_PAGE, MEMBER_PAGE)
        with self.db.read() as conn:
            group = self._load_group(conn, group_id)
            if group.type is GroupType.BUILT_IN:
                # PARITY: Everyone lists every user, DEPROVISIONED ones too ("All users in your
                # organization"); its lastMembershipUpdated stays its creation time.
                rows = conn.execute(
                    f"SELECT {COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?",
                    (after or "", size + 1),
                ).fetchall()
            else:
                columns = ", ".join(f"u.{c.strip()}" for c in COLUMNS.split(","))
                rows = conn.execute(
                    f"SELECT {columns} FROM memberships m JOIN users u ON u.id = m.user_id"
                    " WHERE m.group_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?",
                    (group.id, after or "", size + 1),
                ).fetchall()
        users = [row_to_user(r) for r in rows[:size]]
        return Page(users, size, users[-1].id if len(rows) > size and users else None)

    def list_user_groups(self, user_ref: str) -> list[Group]:
        """GET /api/v1/users/{id}/groups: Everyone first, then the user's groups by id."""
        # PARITY: the order of Okta's answer is unconfirmed; the SPEC gives it no paging.
        with self.db.read() as conn:
            user = self._load(conn, user_ref)
            everyone = self._load_group(conn, self.everyone_id)
            columns = ", ".join(f"g.{c.strip()}" for c in GROUP_COLUMNS.split(","))
            rows = conn.execute(
                f"SELECT {columns} FROM memberships m JOIN groups g ON g.id = m.group_id"
                " WHERE m.user_id = ? ORDER BY g.id",
                (user.id,),
            ).fetchall()
        return [everyone, *(row_to_group(r) for r in rows)]

    def group_members(self, after: str | None, limit: int) -> list[tuple[Group, list[str]]]:
        """Groups with their members' ids (the control plane); Everyone's members are implicit."""
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {GROUP_COLUMNS} FROM groups WHERE id > ? ORDER BY id LIMIT ?",
                (after or "", limit),
            ).fetchall()
            out = []
            for row in rows:
                group = row_to_group(row)
                members = conn.execute(
                    "SELECT user_id FROM memberships WHERE group_id = ? ORDER BY user_id",
                    (group.id,),
                ).fetchall()
                out.append((group, [str(m[0]) for m in members]))
        return out
