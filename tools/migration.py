"""What the migrator does for one legacy record in each mode; the Okta calls behind it.

Every mode converges the org towards the record, so a re-run or a resumed run repeats nothing:
create (ACTIVE in `import`, STAGED otherwise) or adopt the user Okta already holds, push a
changed profile or hash (a hash only while STAGED), then activate in `import` and `cutover`.

Before any user, the org gets what the records need: a custom schema property for each custom
field (a create that uses an undefined one is refused), and each legacy group. A user is
created in at most 20 groups (`groupIds`, Okta's limit on create); the rest, and any later
change, are membership calls. Apps are found by label or created, and assigned their groups;
a user's direct apps are assigned after it is created. In `delta`, a user past STAGED whose
password changed is pointed at the password import hook, never deleted and created again.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from mock_okta.tools.legacy_fields import OKTA_GROUP_IDS, okta_attribute
from mock_okta.tools.migration_records import COLLISION, REFUSED, Fields, Record, Rejected
from mock_okta.tools.migration_state import Entry, State, profile_fingerprint
from mock_okta.tools.okta_client import OktaClient, Reply, Unavailable

SCHEMA: Final = "/api/v1/meta/schemas/user/default"

STAGED: Final = "STAGED"
ACTIVE: Final = "ACTIVE"
DEPROVISIONED: Final = "DEPROVISIONED"
DUPLICATE_CAUSE: Final = "login: An object with this field already exists"
STAGED_ONLY_CAUSE: Final = "may only be specified for a user with status: STAGED"

# Reasons a record that Okta could take did not end migrated.
UNAVAILABLE: Final = "okta-unavailable"
NOT_STAGED: Final = "not-staged"
STALE: Final = "changed-since-premigration"
NOT_IN_OKTA: Final = "not-in-okta"
GONE: Final = "gone-from-okta"
WRONG_STATUS: Final = "wrong-status"
OKTA_ERROR: Final = "okta-error"


class Mode(StrEnum):
    IMPORT = "import"
    PREMIGRATE = "premigrate"
    DELTA = "delta"
    CUTOVER = "cutover"
    HOOK = "hook"  # import, with the password import hook for hashes Okta cannot take
    HOOK_STATUS = "hook-status"  # report, from the System Log, which legacy hashes can go


class Fatal(Exception):
    """Nothing more can succeed (the token is refused); the message says what to fix."""


@dataclass(slots=True)
class Tally:
    """What happened, counted across workers."""

    actions: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, object]] = field(default_factory=list)
    done: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def action(self, name: str) -> None:
        with self._lock:
            self.actions[name] += 1

    def finish(self) -> None:
        with self._lock:
            self.done += 1

    def snapshot(self) -> tuple[int, dict[str, int], int, int]:
        """done, actions, skipped and failed, read consistently while workers count."""
        with self._lock:
            skipped, failed = sum(self.skipped.values()), sum(self.failed.values())
            return self.done, dict(self.actions), skipped, failed

    def skip(self, rejected: Rejected) -> None:
        with self._lock:
            self.skipped[rejected.reason] += 1
            self._note(rejected.line, rejected.login, "skipped", rejected.reason, rejected.detail)

    def fail(self, line: int | None, login: str, reason: str, detail: str) -> None:
        with self._lock:
            self.failed[reason] += 1
            self._note(line, login, "failed", reason, detail)

    def _note(
        self, line: int | None, login: str | None, outcome: str, reason: str, detail: str
    ) -> None:
        self.problems.append(
            {"line": line, "login": login, "outcome": outcome, "reason": reason, "detail": detail}
        )


@dataclass(frozen=True, slots=True)
class OktaUser:
    id: str
    status: str
    login: str
    profile: Mapping[str, object]

    @classmethod
    def of(cls, body: object) -> OktaUser | None:
        if not isinstance(body, dict) or not isinstance(body.get("profile"), dict):
            return None
        profile: dict[str, object] = body["profile"]
        # Activation is asynchronous: a user on its way to ACTIVE counts as ACTIVE (SPEC).
        status = body.get("transitioningToStatus") or body.get("status")
        return cls(str(body.get("id")), str(status), str(profile.get("login")), profile)


def _is_duplicate(reply: Reply) -> bool:
    return reply.status == 400 and any(c.startswith(DUPLICATE_CAUSE) for c in reply.causes)


def _is_taken(reply: Reply) -> bool:
    return reply.status == 400 and any("already exists" in c for c in reply.causes)


class Migrator:
    """Migrates records one at a time; safe to call from many workers."""

    def __init__(
        self, client: OktaClient, state: State, mode: Mode, tally: Tally, *, lookup_first: bool
    ) -> None:
        self.client = client
        self.state = state
        self.mode = mode
        self.tally = tally
        self.lookup_first = lookup_first  # delta without a state file: GET by login, re-push
        self.want_active = mode in (Mode.IMPORT, Mode.CUTOVER, Mode.HOOK)
        self.managed: dict[str, str] = {}  # Okta id -> legacy group name, for the input's groups
        self.apps: dict[str, str] = {}  # app label -> Okta app id (ensure_apps)

    # ----- the org: schema properties and groups, before any user

    def ensure_schema(self, fields: Fields) -> int:
        """Add every declared custom field the default schema lacks; the number added."""
        if not fields:
            return 0
        reply = self._call("GET", SCHEMA)
        definitions = reply.body.get("definitions") if isinstance(reply.body, dict) else None
        if not reply.ok or not isinstance(definitions, dict):
            raise Fatal(f"cannot read the org's user schema: {reply.describe()}")
        custom = definitions.get("custom") or {}
        existing = custom.get("properties") or {} if isinstance(custom, dict) else {}
        missing = {}
        for name, declared in fields.items():
            have = existing.get(name)
            if have is None:
                missing[name] = okta_attribute(name, declared)
            elif have.get("type") != declared.get("type"):
                raise Fatal(
                    f"the org's schema has {name} as {have.get('type')}, the input as"
                    f" {declared.get('type')}: fix one of them first"
                )
        if missing:
            body = {"definitions": {"custom": {"id": "#custom", "type": "object",
                                               "properties": missing}}}  # fmt: skip
            reply = self._call("POST", SCHEMA, body=body)
            if not reply.ok:
                raise Fatal(f"cannot add {', '.join(missing)} to the schema: {reply.describe()}")
        for _ in missing:
            self.tally.action("properties added")
        return len(missing)

    def _okta_groups(self) -> dict[str, str]:
        """The org's groups: name (casefolded, as Okta keeps them unique) -> id."""
        found: dict[str, str] = {}
        for reply in self.client.pages("/api/v1/groups", {"limit": "200"}):
            if not reply.ok or not isinstance(reply.body, list):
                raise Fatal(f"cannot list the org's groups: {reply.describe()}")
            for group in reply.body:
                name = group.get("profile", {}).get("name") if isinstance(group, dict) else None
                if isinstance(name, str):
                    found[name.casefold()] = str(group["id"])
        return found

    def ensure_groups(self, names: list[str]) -> int:
        """Find or create each legacy group; the number created."""
        if not names:
            return 0
        known = self._okta_groups()
        created = 0
        for name in names:
            group_id = known.get(name.casefold())
            if group_id is None:
                reply = self._call("POST", "/api/v1/groups", body={"profile": {"name": name}})
                if reply.ok and isinstance(reply.body, dict):
                    group_id = str(reply.body["id"])
                    created += 1
                    self.tally.action("groups created")
                elif _is_taken(reply):  # a lost answer to our own create, or a racing tool
                    group_id = self._okta_groups().get(name.casefold())
                if group_id is None:
                    raise Fatal(f"cannot create the group {name!r}: {reply.describe()}")
            self.state.set_group(name, group_id)
            self.managed[group_id] = name
        return created

    def ensure_apps(self, apps: Sequence[Mapping[str, object]]) -> int:
        """Find each app by label (or create it), then assign it its legacy groups; the number
        of apps created. Returns the label -> id map in `self.apps` too."""
        if not apps:
            return 0
        known: dict[str, str] = {}
        for reply in self.client.pages("/api/v1/apps", {"limit": "200"}):
            if not reply.ok or not isinstance(reply.body, list):
                raise Fatal(f"cannot list the org's apps: {reply.describe()}")
            for app in reply.body:
                if isinstance(app, dict) and isinstance(app.get("label"), str):
                    known.setdefault(str(app["label"]), str(app["id"]))
        created = 0
        for entry in apps:
            label, body = str(entry.get("label")), entry.get("app")
            app_id = known.get(label)
            if app_id is None:
                reply = self._call("POST", "/api/v1/apps", body=body)
                if not reply.ok or not isinstance(reply.body, dict):
                    raise Fatal(f"cannot create the app {label!r}: {reply.describe()}")
                app_id = str(reply.body["id"])
                created += 1
                self.tally.action("apps created")
            self.apps[label] = app_id
            groups = entry.get("groups")
            for name in groups if isinstance(groups, list) else ():
                group_id = self._group_id(str(name))
                path = f"/api/v1/apps/{app_id}/groups/{group_id}"
                if self._call("GET", path).ok:
                    continue
                reply = self._call("PUT", path, body={})
                if not reply.ok:
                    raise Fatal(f"cannot assign {name!r} to {label!r}: {reply.describe()}")
                self.tally.action("app groups assigned")
        return created

    # ----- Okta calls

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: object = None,
    ) -> Reply:
        reply = self.client.call(method, path, params=params, body=body)
        if reply.status == 401:
            raise Fatal(f"Okta refused the API token ({reply.describe()}): check --token")
        if reply.status == 403 and reply.error_code == "E0000006":
            raise Fatal(
                f"the API token may not manage users ({reply.describe()}): use a token of an"
                " admin who can create and update users"
            )
        return reply

    def find(self, login: str) -> OktaUser | None:
        """The user whose login is `login` (whatever its case), or None."""
        if "/" in login:  # such a login can only be found by a filter (reference.md §1)
            escaped = login.replace("\\", "\\\\").replace('"', '\\"')
            reply = self._call(
                "GET", "/api/v1/users", params={"filter": f'profile.login eq "{escaped}"'}
            )
            users = reply.body if reply.ok and isinstance(reply.body, list) else []
            found = [u for u in map(OktaUser.of, users) if u is not None]
        else:
            reply = self._call("GET", self.client.user_path(login))
            found = [u for u in [OktaUser.of(reply.body)] if u is not None] if reply.ok else []
        if not reply.ok and reply.status != 404:
            raise _Failed(OKTA_ERROR, f"looking up the login: {reply.describe()}")
        matches = [u for u in found if u.login.casefold() == login.casefold()]
        return matches[0] if matches else None

    def _lifecycle(self, user_id: str, action: str) -> Reply:
        path = f"{self.client.user_path(user_id)}/lifecycle/{action}"
        return self._call("POST", path, params={"sendEmail": "false"})

    # ----- one record

    def migrate(self, record: Record) -> None:
        """Bring Okta in line with `record` as the mode says; tallies the outcome."""
        entry = self.state.get(record.login)
        try:
            if self.mode is Mode.CUTOVER:
                self._cutover(record, entry)
            else:
                self._converge(record, entry)
        except _Failed as failure:
            self.tally.fail(record.line, record.login, failure.reason, failure.detail)
        except _Skipped as skipped:
            self.tally.skip(skipped.rejected)
        except Unavailable as exc:
            self.tally.fail(record.line, record.login, UNAVAILABLE, str(exc))
        self.tally.finish()

    def _converge(self, record: Record, entry: Entry | None) -> None:
        known = entry is not None
        if entry is None and self.lookup_first:
            found = self.find(record.login)
            entry = self._adopt(record, found, assume_ours=False) if found else None
        if entry is None:
            entry = self._create(record)
            if entry is None:  # created as it should be; groups beyond 20 still to join
                created = self.state.get(record.login)
                if created is not None and (record.groups is not None or record.apps):
                    try:
                        self._sync_groups(record, created)
                        self._sync_apps(record, created)
                    finally:
                        self.state.set(record.login, created)
                return
        try:
            changed = self._push(record, entry)
            activated = self._activate(entry) if self.want_active else False
            moved = self._sync_groups(record, entry)
            moved = self._sync_apps(record, entry) or moved
        finally:
            self.state.set(record.login, entry)
        if known and not (changed or activated or moved):
            self.tally.action("unchanged")

    def _create(self, record: Record) -> Entry | None:
        """A new user, or the one Okta already holds under this login; None when created."""
        body: dict[str, object] = {
            "profile": {k: v for k, v in record.profile.items() if v is not None},
            "credentials": {"password": record.password},
        }
        # At most 20 groups on create (SPEC "Create user in group"); the rest by membership.
        first = list(record.groups or ())[:OKTA_GROUP_IDS]
        if first:
            body["groupIds"] = [self._group_id(name) for name in first]
        activate = "true" if self.want_active else "false"
        reply = self._call("POST", "/api/v1/users", params={"activate": activate}, body=body)
        if reply.ok:
            user = OktaUser.of(reply.body)
            if user is None:
                raise _Failed(OKTA_ERROR, "Okta answered the create without a user")
            groups = first if record.groups is not None else None
            entry = Entry(user.id, user.status, record.password_fp, record.profile_fp, groups)
            self.state.set(record.login, entry)
            self.tally.action("created")
            return None
        if _is_duplicate(reply):
            # An earlier attempt whose answer was lost may have created it; or a previous run.
            found = self.find(record.login)
            if found is None:
                raise _Failed(OKTA_ERROR, "Okta says the login exists, yet cannot find it")
            return self._adopt(record, found, assume_ours=reply.uncertain)
        if reply.status == 400:
            raise _Skipped(Rejected(record.line, record.login, REFUSED, reply.describe()))
        raise _Failed(OKTA_ERROR, f"create: {reply.describe()}")

    def _adopt(self, record: Record, found: OktaUser, *, assume_ours: bool) -> Entry:
        if found.login != record.login:
            detail = f"Okta already holds {found.login!r}; logins ignore case"
            raise _Skipped(Rejected(record.line, record.login, COLLISION, detail))
        profile_fp = profile_fingerprint(found.profile, record.profile)
        expected = ACTIVE if self.want_active else STAGED
        # The hash cannot be read back: it is known only when our own lost create made the user.
        ours = assume_ours and profile_fp == record.profile_fp and found.status == expected
        self.tally.action("adopted")
        return Entry(found.id, found.status, record.password_fp if ours else None, profile_fp)

    def _push(self, record: Record, entry: Entry) -> bool:
        """Send a changed profile, and a changed hash while STAGED; True when sent."""
        staged = entry.status == STAGED
        push_profile = entry.profile != record.profile_fp
        # An adopted user past STAGED keeps whatever hash it has: unknown, and unchangeable.
        push_password = entry.password != record.password_fp and (
            staged or entry.password is not None
        )
        body: dict[str, object] = {}
        if push_profile:
            body["profile"] = record.profile  # None clears a property in a partial update
        if push_password and staged:
            body["credentials"] = {"password": record.password}
        rehook = push_password and not staged and self.mode is Mode.DELTA
        if rehook:
            # Past STAGED, Okta takes no hash; since 2023.06 it takes the password import hook
            # on a user in any status (reference.md §7.4): the next sign-in asks the legacy
            # system, with the new password, and the id, groups and apps stay.
            body["credentials"] = {"password": {"hook": {"type": "default"}}}
        if body:
            reply = self._call("POST", self.client.user_path(entry.id), body=body)
            if reply.status == 404:
                raise _Failed(GONE, f"user {entry.id} is no longer in Okta (deleted outside)")
            if reply.status == 400 and any(STAGED_ONLY_CAUSE in c for c in reply.causes):
                if rehook:
                    raise _Failed(
                        NOT_STAGED,
                        f"the org refuses the import hook for {entry.id} ({entry.status}), as"
                        f" orgs before 2023.06 do: {reply.describe()}; reset the password instead",
                    )
                raise _Failed(NOT_STAGED, f"{entry.id} left STAGED meanwhile: {reply.describe()}")
            if not reply.ok:
                raise _Failed(OKTA_ERROR, f"update: {reply.describe()}")
            user = OktaUser.of(reply.body)
            entry.status = user.status if user else entry.status
            entry.profile = record.profile_fp
            if "credentials" in body:
                entry.password = record.password_fp
            self.tally.action("updated")
            if rehook:
                self.tally.action("hooked")
        if push_password and not staged and not rehook:
            raise _Failed(
                NOT_STAGED,
                f"the password changed after {entry.id} left STAGED ({entry.status}): Okta takes"
                " a hash only while a user is STAGED; reset the password or use the import hook",
            )
        return bool(body)

    def _activate(self, entry: Entry) -> bool:
        if entry.status == ACTIVE:
            return False
        if entry.status != STAGED:
            raise _Failed(WRONG_STATUS, f"{entry.id} is {entry.status}; only STAGED is activated")
        reply = self._lifecycle(entry.id, "activate")
        # E0000016: already active; E0000112: still being activated (reference.md §1).
        if reply.ok or reply.error_code in ("E0000016", "E0000112"):
            entry.status = ACTIVE
            if reply.ok:
                self.tally.action("activated")
            return reply.ok
        if reply.status == 404:
            raise _Failed(GONE, f"user {entry.id} is no longer in Okta (deleted outside)")
        raise _Failed(OKTA_ERROR, f"activate: {reply.describe()}")

    def _cutover(self, record: Record, entry: Entry | None) -> None:
        if entry is None:
            found = self.find(record.login)
            if found is None:
                raise _Failed(NOT_IN_OKTA, "not in Okta: run --mode premigrate (or delta) first")
            if found.login != record.login:
                detail = f"Okta holds {found.login!r}; logins ignore case"
                raise _Skipped(Rejected(record.line, record.login, COLLISION, detail))
            fp = profile_fingerprint(found.profile, record.profile)
            entry = Entry(found.id, found.status, None, fp)
        elif entry.password not in (None, record.password_fp) and entry.status == STAGED:
            raise _Failed(
                STALE,
                "the password changed since it was migrated: run --mode delta with this --state"
                " first (a hash cannot be sent after activation)",
            )
        try:
            if not self._activate(entry):
                self.tally.action("unchanged")
        finally:
            self.state.set(record.login, entry)

    # ----- memberships

    def _group_id(self, name: str) -> str:
        group_id = self.state.group_id(name)
        if group_id is None:
            raise _Failed(OKTA_ERROR, f"the group {name!r} is not in Okta (ensure_groups first)")
        return group_id

    def _user_groups(self, user_id: str) -> list[str]:
        """The input's groups the user is in, read from Okta (when the state does not know)."""
        reply = self._call("GET", f"{self.client.user_path(user_id)}/groups")
        if reply.status == 404:
            raise _Failed(GONE, f"user {user_id} is no longer in Okta (deleted outside)")
        if not reply.ok or not isinstance(reply.body, list):
            raise _Failed(OKTA_ERROR, f"listing the user's groups: {reply.describe()}")
        ids = [str(g.get("id")) for g in reply.body if isinstance(g, dict)]
        return [self.managed[i] for i in ids if i in self.managed]

    def _sync_groups(self, record: Record, entry: Entry) -> bool:
        """Put the user in exactly the record's groups (of the input's groups); True on change."""
        if record.groups is None:
            return False
        have = entry.groups if entry.groups is not None else self._user_groups(entry.id)
        want = list(record.groups)
        joins = [name for name in want if name not in have]
        leaves = [name for name in have if name not in want]
        if not joins and not leaves:
            entry.groups = want
            return False
        entry.groups = None  # unknown until every call below is answered
        for name, method, action in (
            *((n, "PUT", "joined") for n in joins),
            *((n, "DELETE", "left") for n in leaves),
        ):
            path = f"/api/v1/groups/{self._group_id(name)}/users/{entry.id}"
            reply = self._call(method, path)
            if reply.status == 404:
                raise _Failed(GONE, f"{method} {path}: {reply.describe()}")
            if not reply.ok:
                raise _Failed(OKTA_ERROR, f"membership of {name!r}: {reply.describe()}")
            self.tally.action(action)
        entry.groups = want
        return True

    # ----- direct app assignments (those through groups follow the memberships)

    def _sync_apps(self, record: Record, entry: Entry) -> bool:
        """Assign the record's direct apps and unassign the ones it lost; True on change."""
        if record.apps is None:
            return False
        have = entry.apps or []
        want = list(record.apps)
        joins = [label for label in want if label not in have]
        leaves = [label for label in have if label not in want]
        entry.apps = None  # unknown until every call below is answered
        for label in joins:
            app_id = self._app_id(label)
            reply = self._call(
                "POST", f"/api/v1/apps/{app_id}/users", body={"id": entry.id, "scope": "USER"}
            )
            if not reply.ok:
                raise _Failed(OKTA_ERROR, f"assigning {label!r}: {reply.describe()}")
            self.tally.action("apps assigned")
        for label in leaves:
            reply = self._call("DELETE", f"/api/v1/apps/{self._app_id(label)}/users/{entry.id}")
            if not reply.ok and reply.status != 404:
                raise _Failed(OKTA_ERROR, f"unassigning {label!r}: {reply.describe()}")
            self.tally.action("apps unassigned")
        entry.apps = want
        return bool(joins or leaves)

    def _app_id(self, label: str) -> str:
        app_id = self.apps.get(label)
        if app_id is None:
            raise _Failed(OKTA_ERROR, f"the app {label!r} is not in the manifest's apps")
        return app_id

    # ----- users gone from the legacy system

    def remove(self, login: str, entry: Entry) -> None:
        """Deactivate a user the legacy system no longer has; never delete (ids must stay)."""
        try:
            reply = self._lifecycle(entry.id, "deactivate")
            if reply.ok:
                entry.status = DEPROVISIONED
                self.tally.action("deactivated")
            elif reply.status == 404 or reply.error_code == "E0000038":  # gone or already so
                entry.status = DEPROVISIONED
                self.tally.action("unchanged")
            else:
                raise _Failed(OKTA_ERROR, f"deactivate: {reply.describe()}")
            self.state.set(login, entry)
        except _Failed as failure:
            self.tally.fail(None, login, failure.reason, failure.detail)
        except Unavailable as exc:
            self.tally.fail(None, login, UNAVAILABLE, str(exc))
        self.tally.finish()


class _Failed(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _Skipped(Exception):
    def __init__(self, rejected: Rejected) -> None:
        super().__init__(rejected.detail)
        self.rejected = rejected
