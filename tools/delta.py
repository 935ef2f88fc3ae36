"""`mock-okta dataset --delta DIR --changed 5% --out DIR2`: the same legacy users a while later.

Of the touched share, 40% changed their password, 30% their profile (lastName and/or
mobilePhone; with custom fields their loyalty points too, and with groups one group joined or
left; app accounts are carried over, and new users draw theirs), 10% were removed, and 20% as
many new users joined. Changed and new users get an `updatedAt` after the base's `asOf`, so a
premigrate-then-delta tool finds them by timestamp.
The fresh oracle marks each line's `change`; removed users stay in it with canLogIn false.
Deliberately bad records are carried over untouched.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from random import Random

import faker

from mock_okta import __version__
from mock_okta.tools import passwords
from mock_okta.tools.dataset import (
    BLOCK,
    TOOL,
    Generator,
    Options,
    Pending,
    Progress,
    UsageError,
    hasher,
)
from mock_okta.tools.legacy_fields import FIELDS, GroupDraw, extras_manifest, group_names
from mock_okta.tools.names import NamePools
from mock_okta.tools.records import (
    DEFECTS,
    SCHEMA_VERSION,
    DatasetWriter,
    LegacyUser,
    format_time,
    parse_time,
    read_manifest,
    read_users,
    users_file,
    write_manifest,
)

SHARES = {"password": 0.4, "profile": 0.3, "removed": 0.1}  # the rest of the share is "new"


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def _options(manifest: dict[str, object], users: int, seed: int, jobs: int) -> Options:
    raw = manifest.get("options")
    opts = raw if isinstance(raw, dict) else {}
    mix = opts.get("mix")
    return Options(
        users=users,
        seed=seed,
        mix={str(k): _number(v, 0) for k, v in mix.items()} if isinstance(mix, dict) else {},
        bcrypt_cost=int(_number(opts.get("bcryptCost"), 4)),
        pbkdf2_iterations=int(_number(opts.get("pbkdf2Iterations"), 4096)),
        fmt=str(manifest.get("format") or "jsonl"),
        jobs=jobs,
        groups=int(_number(opts.get("groups"), 0)),
        custom_fields=bool(opts.get("customFields")),
        apps=bool(opts.get("apps")),
    )


def generate_delta(
    base: Path,
    out: Path,
    *,
    changed: float,
    seed: int | None = None,
    days: int = 7,
    jobs: int = 1,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Write the later dataset to `out`; returns its manifest."""
    try:
        manifest = read_manifest(base)
        users = list(read_users(base))
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(
            f"--delta {base}: not a dataset made by mock-okta dataset ({exc}); generate one first"
        ) from None
    if days < 1:
        raise UsageError("--days must be at least 1")
    base_seed = int(_number(manifest.get("seed"), 0))
    seed = base_seed if seed is None else seed
    options = _options(manifest, len(users), seed, jobs)
    if not options.mix:
        raise UsageError(f"--delta {base}: its manifest has no options.mix")
    rng = Random(f"mock-okta delta {base_seed} {seed} {changed!r} {days}")
    used = {u.login.casefold() for u in users} | {u.email.casefold() for u in users if u.email}
    gen = Generator(options, rng, NamePools(base_seed), used)
    names = group_names(options.groups)
    extras = Random(f"mock-okta delta extras {base_seed} {seed} {changed!r} {days}")
    if names:
        gen.draw = GroupDraw(extras, names, 0)
    gen.fields_rng = extras
    as_of = parse_time(str(manifest["asOf"]))
    later = as_of + days * 86_400

    def when() -> int:
        return as_of + 1 + int(rng.random() * (later - as_of))

    eligible = [i for i, u in enumerate(users) if u.defect is None]
    touched = round(len(users) * changed)
    quota = {kind: round(touched * share) for kind, share in SHARES.items()}
    while sum(quota.values()) > len(eligible):
        biggest = max(quota, key=lambda k: quota[k])
        quota[biggest] -= 1
    n_new = max(touched - sum(quota.values()), 0)
    chosen = rng.sample(eligible, sum(quota.values()))
    kinds: dict[int, str] = {}
    start = 0
    for share, count in quota.items():
        kinds.update((i, share) for i in chosen[start : start + count])
        start += count

    pending = Pending()
    kept: list[LegacyUser] = []
    removed: list[LegacyUser] = []
    for index, user in enumerate(users):
        kind = kinds.get(index)
        if kind == "removed":
            user.change = "removed"
            removed.append(user)
            continue
        if kind == "password":
            old = user.password
            user.plaintext = passwords.password(rng)
            gen.password_like(user, old, pending)
            user.updated, user.change = when(), "password"
        elif kind == "profile":
            r = rng.random()
            before = (user.last_name, user.mobile_phone)
            while (user.last_name, user.mobile_phone) == before:
                if r < 0.8:
                    user.last_name = gen.pools.pick(rng)[2].text
                if r >= 0.5:
                    user.mobile_phone = gen.pools.phone(rng, gen.pools.pick(rng)[0])
            _change_extras(user, names, extras)
            user.updated, user.change = when(), "profile"
        kept.append(user)
    schemes = sorted(options.mix)
    weights = [options.mix[s] for s in schemes]
    next_id = max((u.id for u in users), default=0) + 1
    for offset in range(n_new):
        user = gen.user(next_id + offset, when())
        gen.password(user, rng.choices(schemes, weights)[0], pending)
        gen.extras(user, -1)
        user.change = "new"
        kept.append(user)

    slow = len(pending.jobs)
    if progress is not None:
        progress.total = max(len(kept), 1)
    with hasher(jobs, slow) as pool:
        pool.finish(pending)
    fields = list(FIELDS) if options.custom_fields else []
    writer = DatasetWriter(out, options.fmt, fields=fields, groups=bool(names))
    for start in range(0, len(kept), BLOCK):
        writer.write(kept[start : start + BLOCK])
        if progress is not None:
            progress.advance(len(kept[start : start + BLOCK]))
    writer.write_oracle([u.oracle(removed=True) for u in removed])
    files = writer.close()

    changes = Counter(u.change for u in kept if u.change)
    schemes_count = Counter(u.scheme for u in kept)
    can = sum(1 for u in kept if u.defect is None or DEFECTS[u.defect].can_log_in)
    later_manifest: dict[str, object] = {
        "tool": TOOL,
        "version": __version__,
        "schemaVersion": SCHEMA_VERSION,
        "faker": faker.VERSION,
        "seed": seed,
        "users": len(kept),
        "format": options.fmt,
        "asOf": format_time(later),
        "options": options.to_json(),
        "counts": {
            "schemes": dict(sorted(schemes_count.items())),
            "defects": {k: sum(1 for u in kept if u.defect == k) for k in options.defect_kinds},
            "canLogIn": can,
            "cannotLogIn": len(kept) - can,
        },
        **extras_manifest(options.custom_fields, names, Counter(len(u.groups or ()) for u in kept)),
        **({"apps": manifest["apps"]} if "apps" in manifest else {}),
        "delta": {
            "base": {
                "seed": base_seed,
                "asOf": manifest["asOf"],
                "users": len(users),
                "sha256": _base_checksum(manifest, options.fmt),
            },
            "changed": changed,
            "days": days,
            "counts": {
                "password": changes.get("password", 0),
                "profile": changes.get("profile", 0),
                "new": changes.get("new", 0),
                "removed": len(removed),
            },
        },
        "files": files,
    }
    write_manifest(out, later_manifest)
    return later_manifest


def _change_extras(user: LegacyUser, names: list[str], rng: Random) -> None:
    """A profile change reaches the custom fields and groups too, when the dataset has them."""
    points = user.fields.get("loyaltyPoints") if user.fields is not None else None
    if user.fields is not None and isinstance(points, int):
        user.fields["loyaltyPoints"] = points + 1 + int(rng.random() * 500)
    if user.groups is not None and names:
        joinable = [n for n in names if n not in user.groups]
        if user.groups and (not joinable or rng.random() < 0.5):
            left = rng.choice(user.groups)
            user.groups = [g for g in user.groups if g != left]
        elif joinable:
            order = {name: n for n, name in enumerate(names)}
            chosen = {*user.groups, rng.choice(joinable)}
            user.groups = sorted(chosen, key=order.__getitem__)


def _base_checksum(manifest: dict[str, object], fmt: str) -> object:
    files = manifest.get("files")
    entry = files.get(users_file(fmt)) if isinstance(files, dict) else None
    return entry.get("sha256") if isinstance(entry, dict) else None
