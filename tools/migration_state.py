"""The migrator's state file: per login, the Okta id, status and fingerprints migrated.

    {"version": 1, "org": "https://dev-1.okta.com", "groups": {"Gold": "00g…", …}, "users": {
      "ana@example.com": {"id": "00u…", "status": "STAGED", "password": "9f…", "profile": "3c…",
        "groups": ["Gold", …], "apps": ["Customer portal", …]},
      …}}

Fingerprints are short SHA-256s of the legacy password object and of the profile sent, so a
delta run knows what changed since the premigration; `null` means not known (a user adopted from
Okta without a state file). `groups` are the legacy groups the user was put in (absent: not
known, or the input has none) and the Okta id of each legacy group; `apps` the labels of the
apps assigned to the user directly (those through groups follow the memberships). Written
atomically (temp file, fsync, rename), at least every second while the run changes it, and at
exit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

VERSION: Final = 1
PROFILE_FIELDS: Final = ("login", "email", "firstName", "lastName", "mobilePhone")


class StateError(ValueError):
    """A state file that cannot be used; the message says what to do."""


@dataclass(slots=True)
class Entry:
    id: str
    status: str
    password: str | None  # fingerprint of the legacy password migrated; None: unknown
    profile: str | None
    groups: list[str] | None = None  # legacy groups the user is in, in Okta; None: unknown
    apps: list[str] | None = None  # labels of the apps assigned to it directly; None: unknown

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "status": self.status,
            "password": self.password,
            "profile": self.profile,
        }
        if self.groups is not None:
            out["groups"] = self.groups
        if self.apps is not None:
            out["apps"] = self.apps
        return out


def fingerprint(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def profile_fingerprint(
    profile: Mapping[str, object], names: Iterable[str] = PROFILE_FIELDS
) -> str:
    """The same for a record's profile and for Okta's copy of it (absent and null are equal),
    over `names`: the five default fields, and a dataset's custom ones."""
    return fingerprint({k: profile[k] for k in names if profile.get(k) is not None})


def _entry(login: str, raw: object) -> Entry:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise StateError(f"state entry for {login!r} has no Okta id")
    password, profile, groups = raw.get("password"), raw.get("profile"), raw.get("groups")
    apps = raw.get("apps")
    return Entry(
        str(raw["id"]),
        str(raw.get("status") or "STAGED"),
        password if isinstance(password, str) else None,
        profile if isinstance(profile, str) else None,
        [str(g) for g in groups] if isinstance(groups, list) else None,
        [str(a) for a in apps] if isinstance(apps, list) else None,
    )


class State:
    """Entries by login, shared by the workers; `save()` writes the file if anything changed."""

    def __init__(self, path: Path | None, org: str) -> None:
        self.path = path
        self.org = org
        self._entries: dict[str, Entry] = {}
        self._lines: dict[str, str] = {}  # pre-encoded JSON per login: cheap to save often
        self._groups: dict[str, str] = {}  # legacy group name -> Okta group id
        self._lock = threading.Lock()
        self._dirty = False
        self._saving = threading.Lock()

    @classmethod
    def load(cls, path: Path | None, org: str) -> State:
        """The state in `path` (a fresh one if it does not exist yet) for `org`."""
        state = cls(path, org)
        if path is None or not path.exists():
            return state
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateError(
                f"--state {path} is not a readable state file ({exc}); pass another path, or"
                " move it away to start over"
            ) from None
        if not isinstance(data, Mapping) or not isinstance(data.get("users"), Mapping):
            raise StateError(f"--state {path} is not a mock-okta migrate state file")
        if data.get("org") not in (None, org):
            raise StateError(
                f"--state {path} records a migration to {data.get('org')}, not {org}: pass"
                " that --org, or another --state file for this org"
            )
        for login, raw in data["users"].items():
            state._set(str(login), _entry(str(login), raw))
        groups = data.get("groups")
        if isinstance(groups, Mapping):
            state._groups = {str(k): str(v) for k, v in groups.items()}
        state._dirty = False
        return state

    def group_id(self, name: str) -> str | None:
        with self._lock:
            return self._groups.get(name)

    def set_group(self, name: str, group_id: str) -> None:
        with self._lock:
            self._groups[name] = group_id
            self._dirty = True

    def get(self, login: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(login)
            return None if entry is None else dataclasses.replace(entry)

    def set(self, login: str, entry: Entry) -> None:
        with self._lock:
            self._set(login, entry)

    def _set(self, login: str, entry: Entry) -> None:
        self._entries[login] = entry
        self._lines[login] = (
            json.dumps(login, ensure_ascii=False) + ": " + json.dumps(entry.to_json())
        )
        self._dirty = True

    def logins(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def items(self) -> Iterator[tuple[str, Entry]]:
        for login in self.logins():
            entry = self.get(login)
            if entry is not None:
                yield login, entry

    def __len__(self) -> int:
        return len(self._entries)

    def save(self, *, force: bool = False) -> bool:
        """Write the file atomically if it changed (or `force`); True when written."""
        if self.path is None:
            return False
        with self._saving:
            with self._lock:
                if not (self._dirty or force):
                    return False
                body = ",\n  ".join(self._lines.values())
                self._dirty = False
            head: dict[str, object] = {"version": VERSION, "org": self.org}
            with self._lock:
                if self._groups:
                    head["groups"] = dict(self._groups)
            header = json.dumps(head, ensure_ascii=False)[:-1]
            text = f'{header}, "users": {{\n  {body}\n}}}}\n'
            directory = self.path.parent if str(self.path.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with self._lock:
                    self._dirty = True
                Path(tmp).unlink(missing_ok=True)
                raise
            return True


class Saver:
    """Saves the state every `interval` seconds in a background thread, and once at `stop()`."""

    def __init__(self, state: State, interval: float = 1.0) -> None:
        self.state = state
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="state-saver", daemon=True)

    def start(self) -> Saver:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.state.save()
            except OSError as exc:  # a full disk, say: keep migrating, keep trying
                print(f"migrate: cannot save the state file: {exc}", file=sys.stderr)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.state.save()
