"""What the scenarios send, read from a dataset: no Locust here, so it is testable on its own.

A dataset directory is what `mock-okta dataset` writes (users.jsonl or users.csv, oracle.jsonl,
manifest.json). Every scenario works through a list of `Item`s; which process sends which item
is decided by `Ledger` leases (see feed.py), so no login is ever sent twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

from mock_okta.tools import records
from mock_okta.tools.dataset import apportion
from mock_okta.tools.encoder import EncodeError, NeedsImportHook, to_okta_hash
from mock_okta.tools.records import DEFECTS, LegacyUser, parse_time, read_manifest, read_users

# Defects whose create Okta refuses with 400 E0000001 (records.py DEFECTS): an expected answer.
REFUSED_DEFECTS: Final = frozenset(k for k, d in DEFECTS.items() if not d.can_log_in)
SEED_CHUNK: Final = 1000


class DataError(ValueError):
    """A dataset or option that cannot be used; the message says what to pass instead."""


@dataclass(frozen=True, slots=True)
class Item:
    """One legacy user as a scenario needs it."""

    login: str
    scheme: str
    user: LegacyUser
    password: str | None = None  # the oracle's plaintext (login storm)
    change: str | None = None  # the delta's kind: password, profile, new, removed
    expect: tuple[int, ...] = (200,)  # what Okta answers its create

    def user_path(self) -> str:
        return "/api/v1/users/" + quote(self.login, safe="@")


# ----- request bodies


def credentials(user: LegacyUser) -> dict[str, object]:
    """Okta's hash object for the legacy password, or the import hook when Okta has none."""
    try:
        return {"password": {"hash": to_okta_hash(user.password).to_okta()}}
    except NeedsImportHook:
        return {"password": {"hook": {"type": "default"}}}
    except EncodeError:
        return {}  # a malformed legacy hash: the user is created without a password


def create_body(user: LegacyUser) -> dict[str, object]:
    """POST /api/v1/users: the profile (nulls left out) and the converted credential."""
    profile = {k: v for k, v in user.profile().items() if v is not None}
    body: dict[str, object] = {"profile": profile}
    creds = credentials(user)
    if creds:
        body["credentials"] = creds
    return body


def seed_bodies(items: Iterable[Item], status: str) -> list[dict[str, object]]:
    """`POST /_mock/users` items (no rate limit) for users that Okta would accept."""
    return [
        {**create_body(i.user), "status": status}
        for i in items
        if i.user.defect not in REFUSED_DEFECTS
    ]


# ----- the hash mix


def parse_mix(text: str) -> dict[str, float]:
    """`bcrypt=40,sha256=60` as weights; `pbkdf2` names both PBKDF2 schemes; empty: all."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, weight = part.partition("=")
        try:
            value = float(weight) if sep else 1.0
        except ValueError:
            raise DataError(f"--mix: {part!r} needs a number, as in {name}=20") from None
        if value < 0 or not math.isfinite(value):
            raise DataError(f"--mix: {name} needs a weight of 0 or more")
        mix[name.strip().lower()] = value
    if mix and sum(mix.values()) <= 0:
        raise DataError("--mix needs at least one scheme with a weight above 0")
    return mix


def _mix_key(scheme: str, mix: Mapping[str, float]) -> str | None:
    if scheme in mix:
        return scheme
    if scheme.startswith("pbkdf2") and "pbkdf2" in mix:
        return "pbkdf2"
    return None


def select_mix(items: Sequence[Item], mix: Mapping[str, float]) -> list[Item]:
    """The largest part of `items` whose schemes come in the proportions of `mix`, in order."""
    if not mix:
        return list(items)
    by_key: dict[str, list[int]] = {}
    for n, item in enumerate(items):
        key = _mix_key(item.scheme, mix)
        if key is not None and mix[key] > 0:
            by_key.setdefault(key, []).append(n)
    wanted = {k: w for k, w in mix.items() if w > 0}
    whole = sum(wanted.values())
    if missing := sorted(k for k in wanted if k not in by_key):
        raise DataError(f"--mix: the dataset has no {', '.join(missing)} users")
    total = math.floor(min(len(by_key[k]) * whole / w for k, w in wanted.items()) + 1e-9)
    counts = apportion(total, wanted)
    chosen = sorted(n for k, idx in by_key.items() for n in idx[: counts[k]])
    return [items[n] for n in chosen]


# ----- reading datasets


def _items(users: Iterable[LegacyUser], oracle: Mapping[str, Mapping[str, object]]) -> list[Item]:
    out = []
    for user in users:
        line = oracle.get(user.login, {})
        change = line.get("change")
        out.append(Item(user.login, user.scheme, user, None, str(change) if change else None))
    return out


def read_oracle(path: Path) -> dict[str, dict[str, object]]:
    if not path.exists():
        raise DataError(f"no oracle at {path}: pass --oracle FILE (mock-okta dataset writes one)")
    return records.read_oracle(path)


def _check(directory: Path) -> None:
    if not ((directory / "users.jsonl").exists() or (directory / "users.csv").exists()):
        raise DataError(
            f"{directory} holds no users.jsonl or users.csv: pass --dataset DIR written by"
            " mock-okta dataset"
        )


def import_items(directory: Path) -> list[Item]:
    """Every legacy user of the dataset, in file order (bad records included: Okta refuses them).

    Logins that differ only in case collide: whichever create arrives first wins, the other gets
    400, and with many users sending at once either may arrive first.
    """
    _check(directory)
    users = list(read_users(directory))
    seen = Counter(u.login.casefold() for u in users)
    items = []
    for user in users:
        expect: tuple[int, ...] = (200,)
        if user.defect in REFUSED_DEFECTS:
            expect = (400,)
        if seen[user.login.casefold()] > 1:
            expect = (200, 400)
        items.append(Item(user.login, user.scheme, user, expect=expect))
    return items


def login_items(directory: Path, oracle_path: Path | None = None) -> list[Item]:
    """Users who can sign in with a password Okta holds (not via the hook), with plaintexts."""
    _check(directory)
    oracle = read_oracle(oracle_path or directory / "oracle.jsonl")
    out = []
    for user in read_users(directory):
        line = oracle.get(user.login)
        if line and line.get("canLogIn") and line.get("via") == "hash":
            out.append(Item(user.login, user.scheme, user, str(line["password"])))
    return out


def delta_since(directory: Path) -> int:
    """The base dataset's asOf: legacy records updated after it changed since premigration."""
    manifest = read_manifest(directory)
    delta = manifest.get("delta")
    base = delta.get("base") if isinstance(delta, Mapping) else None
    if not isinstance(base, Mapping) or "asOf" not in base:
        raise DataError(
            f"{directory} is not a later state: pass --dataset DIR written by"
            " mock-okta dataset --delta BASE --out DIR"
        )
    return parse_time(str(base["asOf"]))


def delta_items(directory: Path, oracle_path: Path | None = None) -> list[Item]:
    """What changed since premigration: records updated after the base's asOf, then removals."""
    _check(directory)
    since = delta_since(directory)
    oracle = read_oracle(oracle_path or directory / "oracle.jsonl")
    users = list(read_users(directory))
    changed = [u for u in users if u.updated > since and u.defect is None]
    items = _items(changed, oracle)
    present = {u.login for u in users}
    for login, line in oracle.items():
        if line.get("change") == "removed" and login not in present:
            ghost = LegacyUser(0, login, login, "", "", None, 0, {}, "")
            items.append(Item(login, "", ghost, None, "removed"))
    return items


def okta_time(epoch: float) -> str:
    """Okta's filter timestamp: `2025-01-01T00:00:00.000Z`."""
    import time

    whole = math.floor(epoch)
    millis = int((epoch - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"
