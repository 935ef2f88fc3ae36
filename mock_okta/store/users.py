"""Create, read, list, update, replace and delete users (Okta's User operations)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Final

from mock_okta.apps.user_lifecycle import delete_app_users, deprovision_app_users
from mock_okta.credentials import STAGED_ONLY, CredentialsInput
from mock_okta.db import (
    INDEX_DEFERRED,
    INDEX_SEED_VALUES,
    INSERT_TEXT,
    QueryBudgetExceeded,
    text_key,
    user_text,
)
from mock_okta.errors import (
    E_ETAG_MISMATCH,
    E_NEXT_LOGIN_NEEDS_ACTIVATE,
    E_NEXT_LOGIN_NEEDS_PASSWORD,
    E_SEARCH_AND_FILTER,
    E_SEARCH_UNAVAILABLE,
    OktaError,
    validation_error,
)
from mock_okta.groups import group_key, parse_group_ids
from mock_okta.models import (
    HookPassword,
    Profile,
    User,
    UserStatus,
)
from mock_okta.profile import login_key
from mock_okta.query import (
    Candidates,
    Sql,
    compile_filter,
    compile_search,
    folded_sql,
    profile_prefix,
)
from mock_okta.store.base import (
    COLUMNS,
    DUPLICATE_LOGIN,
    MAX_PAGE,
    Q_DEFAULT_LIMIT,
    ListQuery,
    Page,
    insert_users,
    page_limit,
    row_to_user,
    user_params,
    user_party,
)
from mock_okta.store.groups import GroupOperations
from mock_okta.syslog import Event, Party

_EXPIRE_AT_ONCE = "Could not create user. To create a user and expire their password immediately,"
NEXT_LOGIN_NEEDS_ACTIVATE = f"{_EXPIRE_AT_ONCE} `activate` must be true."
NEXT_LOGIN_NEEDS_PASSWORD = f"{_EXPIRE_AT_ONCE} a password must be specified."

# Beyond this many candidates from an index, a page is found faster by walking users in id order.
FEW_CANDIDATES: Final = 5000
# Users a statement of the bulk seed (16 parameters each, within SQLite's 32,766).
SEED_ROWS: Final = 500


class UserOperations(GroupOperations):
    """Create, read, list, update, replace and delete users (created in groups, too)."""

    def create_user(
        self,
        profile: object,
        credentials: object = None,
        *,
        activate: bool = True,
        provider: bool = False,
        next_login: str | None = None,
        type_id: str | None = None,
        group_ids: object = None,
    ) -> User:
        """POST /api/v1/users: STAGED, PROVISIONED, ACTIVE or PASSWORD_EXPIRED, as Okta decides.

        With `groupIds` (at most 20) the user is created in those groups, in one transaction.
        """
        type_id = type_id or self.default_type_id
        schema = self._schema(type_id)
        groups = parse_group_ids(group_ids)
        clean = schema.validate(profile)
        creds = self._credentials(credentials, str(clean.get("login") or ""))
        if next_login is not None:
            if next_login != "changePassword":
                raise validation_error("nextLogin", "The value must be changePassword")
            # The cause is the SPEC's example text (ErrorCreateUserWithExpiredPassword…): the
            # summary again, with the backticks and the final period the catalogue's lacks.
            if not activate:
                raise OktaError(E_NEXT_LOGIN_NEEDS_ACTIVATE, causes=[NEXT_LOGIN_NEEDS_ACTIVATE])
            if creds.password is None:
                raise OktaError(E_NEXT_LOGIN_NEEDS_PASSWORD, causes=[NEXT_LOGIN_NEEDS_PASSWORD])
        if not activate:
            status = UserStatus.STAGED
        elif next_login:
            status = UserStatus.PASSWORD_EXPIRED
        elif creds.password is not None or provider:
            status = UserStatus.ACTIVE
        else:
            status = UserStatus.PROVISIONED
        user = self._new_user(clean, creds, status, type_id)
        unique = schema.unique_values(clean)
        if not groups and not unique and (self.syslog is None or not self.syslog.enabled):
            self._insert(None, user)  # one statement: the hot path
            return user
        with self.db.write() as conn:
            self._insert(conn, user)
            self._claim_unique(conn, user.id, unique)
            self._join(conn, user.id, groups)
            self._log_created(conn, user, groups)
        return user

    def _log_created(self, conn: sqlite3.Connection, user: User, group_ids: Sequence[str]) -> None:
        """user.lifecycle.create, then .activate unless STAGED, then each group joined."""
        if self.syslog is None:
            return
        party = user_party(user)
        events = [Event("user.lifecycle.create", (party,))]
        if user.status is not UserStatus.STAGED:
            events.append(Event("user.lifecycle.activate", (party,)))
        for gid in group_ids:
            if gid != self.everyone_id:
                events.append(Event("group.user_membership.add", (party, Party(gid, "UserGroup"))))
        self.syslog.record_many(conn, events)

    def _new_user(
        self, profile: Profile, creds: CredentialsInput, status: UserStatus, type_id: str
    ) -> User:
        now = self.now_ms()
        return User(
            id=self.ids.user_id(),
            status=status,
            created=now,
            last_updated=now,
            profile=dict(profile),
            provider=creds.provider_type,
            password=creds.password,
            recovery_question=creds.recovery_question,
            type_id=type_id,
            activated=None if status is UserStatus.STAGED else now,
            # A STAGED user's statusChanged is its created time in recent recordings (older
            # ones had null).
            status_changed=now,
            # passwordChanged is set for a value, a hash and a hook alike (SPEC examples
            # create-user-with-password-import-inline-hook-response and friends).
            password_changed=now if creds.password is not None else None,
        )

    def seed_users(self, items: object) -> list[User]:
        """Bulk-create for the control plane: validated like create_user, one transaction.

        Each item is `{"profile": …, "credentials": …, "status": "ACTIVE", "groups": [names]}`;
        status defaults to ACTIVE with a password and PROVISIONED without one; groups are made
        when missing; the profile may hold the default type's custom properties.
        """
        if not isinstance(items, list):
            raise validation_error("users", "users must be a list of user objects")
        schema = self._schema(self.default_type_id)
        prepared: list[tuple[User, list[str]]] = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise validation_error(f"users[{index}]", "must be an object")
            try:
                clean = schema.validate(item.get("profile"))
                creds = self._credentials(item.get("credentials"), str(clean.get("login") or ""))
                given = item.get("status")
                if not given:
                    status = UserStatus.ACTIVE if creds.password else UserStatus.PROVISIONED
                else:
                    status = UserStatus(str(given))
                names = item.get("groups") or []
                if not isinstance(names, list) or not all(
                    isinstance(n, str) and n.strip() for n in names
                ):
                    raise validation_error("groups", "groups must be a list of group names")
            except OktaError as exc:
                raise OktaError(
                    exc.spec, f"users[{index}]", causes=[f"users[{index}].{c}" for c in exc.causes]
                ) from None
            except ValueError:
                raise validation_error(f"users[{index}].status", "unknown status") from None
            user = self._new_user(clean, creds, status, self.default_type_id)
            prepared.append((user, list(dict.fromkeys(names))))
        known: dict[str, str] = {}
        with self.db.write() as conn:
            users = [user for user, _ in prepared]
            conn.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (INDEX_DEFERRED,))
            try:
                # In id order, each b-tree filled from left to right; many rows a statement, as
                # the insert trigger makes SQLite journal every statement's pages (the rows are
                # the same).
                rows = sorted(map(user_params, users), key=_first)
                for start in range(0, len(rows), SEED_ROWS):
                    chunk = rows[start : start + SEED_ROWS]
                    conn.execute(insert_users(len(chunk)), list(chain.from_iterable(chunk)))
            except sqlite3.IntegrityError as exc:
                if "login_key" not in str(exc):
                    raise
                raise validation_error(_first_duplicate(conn, users), DUPLICATE_LOGIN) from None
            conn.execute("DELETE FROM meta WHERE key = ?", (INDEX_DEFERRED,))
            conn.execute(INDEX_SEED_VALUES, (json.dumps([u.id for u in users]),))
            texts = sorted((text_key(u.id), u.id, user_text(u.profile)) for u in users)
            conn.executemany(INSERT_TEXT, texts)
            for index, (user, names) in enumerate(prepared):
                unique = schema.unique_values(user.profile)
                if not unique and not names:
                    continue
                try:
                    self._claim_unique(conn, user.id, unique)
                    self._join(conn, user.id, self._groups_named(conn, names, known))
                except OktaError as exc:
                    field = exc.causes[0].partition(":")[0] if exc.causes else ""
                    raise OktaError(
                        exc.spec,
                        f"users[{index}].{field}",
                        causes=[f"users[{index}].{c}" for c in exc.causes],
                    ) from None
            if self.syslog is not None and self.syslog.enabled:
                self.syslog.record_many(conn, _seed_events(prepared, known, self.everyone_id))
        return users

    def find_user(self, ref: str) -> User | None:
        with self.db.read() as conn:
            return self._find(conn, ref)

    def find_by_login(self, username: str) -> User | None:
        """The user a sign-in name means: the login or its unique short name, never the id."""
        with self.db.read() as conn:
            return self._find_login(conn, username)

    def count_users(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])

    def list_users(self, query: ListQuery) -> Page:
        """GET /api/v1/users: cursor pages ordered by id; `after` is the last id seen."""
        if query.filter is not None and query.search is not None:
            raise OktaError(E_SEARCH_AND_FILTER)
        limit = page_limit(query.limit, Q_DEFAULT_LIMIT if query.q is not None else MAX_PAGE)
        if query.filter is not None:
            sql = compile_filter(query.filter)
        elif query.search is not None:
            sql = compile_search(query.search)
        elif query.q is not None:
            sql = q_prefix(query.q)
        else:
            # Plain listing and `q` leave out DEPROVISIONED users; filter and search do not.
            sql = Sql("status != 'DEPROVISIONED'", ())
        clauses, params = [sql.where], list(sql.params)
        if query.after:
            clauses.append("id > ?")
            params.append(query.after)
        where = " AND ".join(clauses)
        budget = self.runtime().search_budget_ms / 1000
        try:
            with self.db.read(budget) as conn:
                if sql.candidates is not None and _few(conn, sql.candidates):
                    where = f"id IN ({sql.candidates.select}) AND {where}"
                    params[:0] = sql.candidates.params
                rows = conn.execute(
                    f"SELECT {COLUMNS} FROM users WHERE {where} ORDER BY id LIMIT ?",
                    (*params, limit + 1),
                ).fetchall()
        except QueryBudgetExceeded:
            # PARITY: Okta says an overly complex or long search "can result in an error"
            # (SPEC listUsers); its catalogue's answer for a search it cannot run is E0000100.
            raise OktaError(E_SEARCH_UNAVAILABLE, detail="search time budget spent") from None
        users = [row_to_user(r) for r in rows[:limit]]
        more = len(rows) > limit and query.q is None  # `q` has no pagination
        return Page(users, limit, users[-1].id if more and users else None)

    # ----- update, replace, delete

    def update_user(
        self,
        ref: str,
        profile: object,
        credentials: object,
        *,
        if_match: str | None = None,
        type_id: str | None = None,
    ) -> User:
        """POST /api/v1/users/{id}: partial update; a null property removes it."""
        return self._update(
            ref, profile, credentials, replace_profile=False, if_match=if_match, type_id=type_id
        )

    def replace_user(
        self,
        ref: str,
        profile: object,
        credentials: object,
        *,
        if_match: str | None = None,
        type_id: str | None = None,
    ) -> User:
        """PUT /api/v1/users/{id}: profile properties left out are deleted; `type` may change."""
        if profile is None:
            raise validation_error("profile", "The field cannot be left blank")
        return self._update(
            ref, profile, credentials, replace_profile=True, if_match=if_match, type_id=type_id
        )

    def _update(
        self,
        ref: str,
        profile: object,
        credentials: object,
        *,
        replace_profile: bool,
        if_match: str | None,
        type_id: str | None,
    ) -> User:
        with self.db.write() as conn:
            user = self._load(conn, ref)
            if if_match and if_match != user.etag:  # checked in the write's own transaction
                raise OktaError(E_ETAG_MISMATCH)
            before = self._schema(user.type_id)
            if type_id is not None and type_id != user.type_id:
                if not replace_profile:
                    # Only a full replace (PUT) changes a user's type (SPEC replaceUser).
                    # PARITY: Okta's answer to a type change in a partial update is unconfirmed.
                    raise validation_error(
                        "type", "A user's type changes only with a full replace (PUT)"
                    )
                user.type_id = type_id
            schema = self._schema(user.type_id)
            if profile is not None or schema is not before:
                given = user.profile if profile is None else profile
                if not isinstance(given, Mapping):
                    raise validation_error("profile", "The value must be an object")
                merged = dict(given) if replace_profile else {**user.profile, **given}
                if not replace_profile:
                    merged = {k: v for k, v in merged.items() if v is not None}
                user.profile = dict(schema.validate(merged))
                self.log_event(conn, "user.account.update_profile", user)
            if credentials is not None:
                had = user.password
                self._apply_credentials(user, self._credentials(credentials, user.login))
                if user.password is not had:
                    self.log_event(conn, "user.account.update_password", user)
            if before.unique or schema.unique:
                conn.execute("DELETE FROM unique_values WHERE user_id = ?", (user.id,))
                self._claim_unique(conn, user.id, schema.unique_values(user.profile))
            return self._save(conn, user)

    def _apply_credentials(self, user: User, creds: CredentialsInput) -> None:
        if creds.imported and user.status is not UserStatus.STAGED:
            # Since 2023.06 the import hook may be set on a user in any status; a hash stays
            # STAGED-only (reference.md §7.4). PARITY: that update's request and answer are
            # undocumented: the mock answers as for any update (provider IMPORT, status kept).
            hook = isinstance(creds.password, HookPassword)
            if not (hook and self.runtime().hook_on_update == "any"):
                # PARITY: wording from the forum thread (seeds/000); code presumed E0000001.
                raise validation_error("password", STAGED_ONLY)
        if creds.password is not None:
            user.password = creds.password
            user.provider = creds.provider_type
            user.password_changed = self.now_ms()
        if creds.recovery_question is not None:
            user.recovery_question = creds.recovery_question

    def delete_user(self, ref: str) -> bool:
        """DELETE /api/v1/users/{id}: deactivate first, delete once DEPROVISIONED (True: gone)."""
        with self.db.write() as conn:
            user = self._load(conn, ref)
            if user.status is not UserStatus.DEPROVISIONED:
                self._set_status(user, UserStatus.DEPROVISIONED)
                deprovision_app_users(conn, user.id, self.now_ms())
                self.log_event(conn, "user.lifecycle.deactivate", user)
                self._save(conn, user)
                return False
            self.log_event(conn, "user.lifecycle.delete.initiated", user)
            conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
            conn.execute("DELETE FROM tokens WHERE user_id = ?", (user.id,))
            delete_app_users(conn, user.id)
            conn.execute("DELETE FROM memberships WHERE user_id = ?", (user.id,))
            conn.execute("DELETE FROM unique_values WHERE user_id = ?", (user.id,))
            return True


# A seeded status that no create gives, logged as the lifecycle call that leads to it.
_SEEDED_STATUS_EVENT: Final[Mapping[UserStatus, str]] = {
    UserStatus.SUSPENDED: "user.lifecycle.suspend",
    UserStatus.DEPROVISIONED: "user.lifecycle.deactivate",
    UserStatus.LOCKED_OUT: "user.account.lock",
    UserStatus.PASSWORD_EXPIRED: "user.account.expire_password",
}


def _seed_events(
    prepared: Sequence[tuple[User, list[str]]], group_ids: Mapping[str, str], everyone: str
) -> list[Event]:
    """What the API create logs for each seeded user (create, activate unless STAGED, groups).

    PARITY: the bulk seed is the mock's own, not an Okta call; its events name the API token's
    admin as the actor, as an import through POST /api/v1/users would, and `requestUri`
    (debugData) says `/_mock/users`. A status no create gives (SUSPENDED, DEPROVISIONED...)
    adds the event of the lifecycle call that leads to it.
    """
    events: list[Event] = []
    for user, names in prepared:
        target = user_party(user)
        targets = (target,)  # one tuple: record_many serialises it once
        events.append(Event("user.lifecycle.create", targets))
        if user.status is not UserStatus.STAGED:
            events.append(Event("user.lifecycle.activate", targets))
        if (follow := _SEEDED_STATUS_EVENT.get(user.status)) is not None:
            events.append(Event(follow, targets))
        for name in names:
            gid = group_ids.get(group_key(name))
            if gid is not None and gid != everyone:
                events.append(Event("group.user_membership.add", (target, Party(gid, "UserGroup"))))
    return events


def _first(row: tuple[object, ...]) -> str:
    return str(row[0])


def _first_duplicate(conn: sqlite3.Connection, users: list[User]) -> str:
    """Which item of a refused seed repeats a login (of the org, or of an earlier item)."""
    seen: set[str] = set()
    ours = {user.id for user in users}  # rows go in in id order: any of them may be in
    for index, user in enumerate(users):
        key = login_key(user.login)
        row = conn.execute("SELECT id FROM users WHERE login_key = ?", (key,)).fetchone()
        if key in seen or (row is not None and row[0] not in ours):  # not this seed's own row
            return f"users[{index}].login"
        seen.add(key)
    return "users"


def q_prefix(text: str) -> Sql:
    """`q`: a prefix of firstName, lastName or email, DEPROVISIONED users left out."""
    folded = text.casefold()
    prefix = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    names = ("firstName", "lastName", "email")
    found = [profile_prefix(name, folded) for name in names]
    where = " OR ".join(
        f"{folded_sql(column)} LIKE ? ESCAPE '\\'"
        for column in (f"json_extract(profile, '$.{n}')" for n in names)
    )
    candidates = None
    if all(found):
        picked = [c for c in found if c is not None]
        candidates = Candidates(
            " UNION ALL ".join(c.select for c in picked),
            tuple(x for c in picked for x in c.params),
            picked[0].rank,
        )
    return Sql(f"status != 'DEPROVISIONED' AND ({where})", (prefix,) * 3, candidates)


def _few(conn: sqlite3.Connection, candidates: Candidates) -> bool:
    """Whether the index narrows the org enough to start from it.

    Many candidates mean many matches, so walking the users in id order meets a page of them
    soon; few mean the walk would be long, and the candidates are looked up instead.
    """
    row = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM ({candidates.select}) LIMIT ?)",
        (*candidates.params, FEW_CANDIDATES),
    ).fetchone()
    return int(row[0]) < FEW_CANDIDATES
