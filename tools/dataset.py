"""`mock-okta dataset`: a legacy user base with known plaintexts, byte-identical for a seed.

    mock-okta dataset --users 250000 --seed 42 --out data/
        [--mix bcrypt=40,sha256=20,sha512=10,sha1=10,md5=10,pbkdf2=10] [--bad 2%]
        [--groups 200] [--custom-fields] [--apps]
        [--bcrypt-cost 4] [--pbkdf2-iterations 4096] [--format jsonl|csv] [--jobs N]
    mock-okta dataset --delta data/ --changed 5% --out data-later/ [--days 7]

Writes users.jsonl (or users.csv), oracle.jsonl and manifest.json; formats in records.py and
legacy.py, groups and custom fields in legacy_fields.py, app accounts in legacy_apps.py. Slow
hashes (bcrypt, PBKDF2, scrypt) are computed by a process pool from inputs drawn in order by one
seeded Random, so the files do not depend on --jobs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from pathlib import Path
from random import Random
from typing import IO, Any, Final

import faker

from mock_okta import __version__
from mock_okta.tools import passwords
from mock_okta.tools.legacy import (
    DIGEST_SCHEMES,
    BcryptLegacy,
    Job,
    Pbkdf2Legacy,
    bcrypt_salt,
    compute,
    compute_all,
    make_digest,
    parse_bcrypt,
    parse_pbkdf2,
)
from mock_okta.tools.legacy_apps import apps_manifest, apps_rng, direct_apps
from mock_okta.tools.legacy_fields import (
    FIELDS,
    GroupDraw,
    extras_manifest,
    field_values,
    fields_rng,
    group_names,
    groups_rng,
)
from mock_okta.tools.names import NamePools, domain, local_part
from mock_okta.tools.records import (
    DEFECTS,
    SCHEMA_VERSION,
    DatasetWriter,
    LegacyUser,
    format_time,
    write_manifest,
)

DEFAULT_MIX: Final = "bcrypt=40,sha256=20,sha512=10,sha1=10,md5=10,pbkdf2=10"
MIX_SCHEMES: Final = (
    "bcrypt",
    "sha256",
    "sha512",
    "sha1",
    "md5",
    "pbkdf2",
    "pbkdf2_sha256",
    "pbkdf2_sha512",
)
AS_OF: Final = 1_735_689_600  # 2025-01-01T00:00:00Z; updatedAt lies in the five years before
HISTORY_SECONDS: Final = 5 * 365 * 86_400
SCRYPT_N: Final = 1024  # Django's default is 2**14; a legacy defect need not cost 40 ms
BLOCK: Final = 8192
POOL_THRESHOLD: Final = 256  # fewer slow hashes than this are computed in-process
RECENT: Final = 1000  # collision defects copy one of the last RECENT good logins
TOOL: Final = "mock-okta dataset"


class UsageError(ValueError):
    """A bad argument; the message says what to pass instead."""


def parse_percent(text: str, name: str) -> float:
    """`2%` or `2` (percent) as a fraction."""
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise UsageError(f"{name} takes a percentage such as 2% (got {text!r})") from None
    if not 0 <= value <= 100:
        raise UsageError(f"{name} must be from 0% to 100% (got {text!r})")
    return value / 100


def parse_mix(text: str) -> dict[str, float]:
    """`bcrypt=40,sha256=20,…` as weights by scheme."""
    mix: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition("=")
        name = name.strip().lower()
        if name not in MIX_SCHEMES:
            raise UsageError(f"--mix: unknown scheme {name!r}; use {', '.join(MIX_SCHEMES)}")
        try:
            mix[name] = float(weight)
        except ValueError:
            raise UsageError(f"--mix: {item!r} needs a number, as in {name}=20") from None
        if mix[name] < 0:
            raise UsageError(f"--mix: {name} cannot have a negative weight")
    if sum(mix.values()) <= 0:
        raise UsageError("--mix needs at least one scheme with a weight above 0")
    return mix


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Exact counts summing to `total` in proportion to `weights` (largest remainder)."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(s) for k, s in shares.items()}
    by_remainder = sorted(shares, key=lambda k: (counts[k] - shares[k], k))
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Options:
    users: int
    seed: int
    mix: dict[str, float]
    bad: float = 0.0
    bcrypt_cost: int = 4
    pbkdf2_iterations: int = 4096
    fmt: str = "jsonl"
    jobs: int = 1
    groups: int = 0  # legacy groups; 0: records carry none
    custom_fields: bool = False
    apps: bool = False  # app accounts (legacy_apps.py); through groups when there are groups

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "mix": {k: int(v) if v == int(v) else v for k, v in self.mix.items()},
            "bad": self.bad,
            "bcryptCost": self.bcrypt_cost,
            "pbkdf2Iterations": self.pbkdf2_iterations,
            "scryptN": SCRYPT_N,
        }
        if self.groups:
            out["groups"] = self.groups
        if self.custom_fields:
            out["customFields"] = True
        if self.apps:
            out["apps"] = True
        return out

    @property
    def defect_kinds(self) -> list[str]:
        """The defects a dataset can hold: custom-field ones only with custom fields."""
        return sorted(k for k, d in DEFECTS.items() if self.custom_fields or not d.custom)


@dataclass(slots=True)
class Pending:
    """Users whose slow hashes are still to compute, in order."""

    users: list[LegacyUser] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)

    def add(self, user: LegacyUser, job: Job) -> None:
        self.users.append(user)
        self.jobs.append(job)


class Hasher:
    """Runs slow legacy hashes in-process or over a pool; results come back in job order."""

    def __init__(self, pool: Pool | None, processes: int = 1) -> None:
        self.pool = pool
        self.processes = processes

    def finish(self, pending: Pending) -> None:
        if not pending.jobs:
            return
        if self.pool is None:
            results = compute_all(pending.jobs)
        else:
            chunk = max(1, len(pending.jobs) // (4 * self.processes))
            results = self.pool.map(compute, pending.jobs, chunksize=chunk)
        for user, (kind, *_), result in zip(pending.users, pending.jobs, results, strict=True):
            user.password = {"scheme": kind, "hash": result}
        pending.users.clear()
        pending.jobs.clear()


@contextmanager
def hasher(jobs: int, slow: int) -> Iterator[Hasher]:
    """A pool of `jobs` processes when there are enough slow hashes to pay for starting it."""
    if jobs <= 1 or slow < POOL_THRESHOLD:
        yield Hasher(None)
        return
    # spawn: safe whatever threads the caller runs, and the same on every platform.
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield Hasher(pool, jobs)


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, total: int, label: str, stream: IO[str] | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()

    def advance(self, n: int) -> None:
        self.done += n
        if self.enabled:
            filled = 30 * self.done // self.total
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done:,}/{self.total:,}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Generator:
    """Draws users and passwords from one seeded Random; the order of draws is the format."""

    def __init__(self, options: Options, rng: Random, pools: NamePools, used: set[str]) -> None:
        self.options = options
        self.rng = rng
        self.pools = pools
        self.used = used  # casefolded logins and emails
        self.recent: list[tuple[str, str, str]] = []
        self.variants: set[str] = set()  # logins of collision defects, as written
        self.fields_rng = fields_rng(options.seed)
        self.good_ids: list[int] = []  # custom-duplicate defects copy one of their numbers
        self.draw: GroupDraw | None = None
        self.apps_rng = apps_rng(options.seed)

    def extras(self, user: LegacyUser, index: int) -> None:
        """The user's legacy groups and custom fields, when the dataset has them."""
        if self.draw is not None:
            user.groups = self.draw.groups(index)
        if self.options.apps:
            user.apps = direct_apps(self.apps_rng)
        if self.options.custom_fields:
            user.fields = field_values(self.fields_rng, user.id)
            if user.defect is None:
                self.good_ids.append(user.id)
            elif user.defect == "custom-enum":
                user.fields["tier"] = "diamond"
            elif user.defect == "custom-type":
                user.fields["loyaltyPoints"] = "12,500"
            elif user.defect == "custom-duplicate":
                earlier = self.good_ids[int(self.fields_rng.random() * len(self.good_ids))]
                user.fields["customerNumber"] = f"C{earlier:08d}"

    # ----- profiles

    def _unique(self, local: str, dom: str) -> str:
        address = f"{local}@{dom}"
        while address in self.used:
            address = f"{local}{2 + int(self.rng.random() * 99998)}@{dom}"
        self.used.add(address)
        return address

    def user(self, user_id: int, updated: int) -> LegacyUser:
        """A good user; the password is set by `password` next."""
        rng = self.rng
        locale, first, last = self.pools.pick(rng)
        login = self._unique(local_part(rng, first.ascii, last.ascii), domain(rng))
        email = login
        if rng.random() < 0.1:
            email = self._unique(f"{first.ascii}.{last.ascii}", domain(rng))
        phone = self.pools.phone(rng, locale) if rng.random() < 0.8 else None
        return LegacyUser(
            user_id,
            login,
            email,
            first.text,
            last.text,
            phone,
            updated,
            {},
            passwords.password(rng),
        )

    def remember(self, user: LegacyUser) -> None:
        self.recent.append((user.login, user.first_name, user.last_name))
        if len(self.recent) > 2 * RECENT:
            del self.recent[:RECENT]

    def _collision(self) -> tuple[str, str, str] | None:
        """A login differing from a recent good one only in case, and its owner's names."""
        for _ in range(10 if self.recent else 0):
            login, first, last = self.recent[int(self.rng.random() * len(self.recent))]
            local, _, dom = login.partition("@")
            for variant in (
                ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + dom,
                local.upper() + "@" + dom,
                login.upper(),
            ):
                if variant != login and variant not in self.variants:
                    self.variants.add(variant)
                    return variant, first, last
        return None

    def defect_user(self, user_id: int, updated: int, kind: str, pending: Pending) -> LegacyUser:
        rng = self.rng
        original = self._collision() if kind == "login-collision" else None
        if original is not None:
            variant, first, last = original
            user = LegacyUser(
                user_id, variant, variant, first, last, None, updated, {}, passwords.password(rng)
            )
        else:
            user = self.user(user_id, updated)
            if kind == "login-collision":  # no login left to collide with (tiny datasets)
                kind = "missing-email"
        user.defect = kind
        if kind == "unsupported-scheme":
            salt = passwords.django_salt(rng)
            pending.add(user, ("scrypt", user.plaintext, salt, SCRYPT_N, ""))
            return user
        if DEFECTS[kind].custom:  # a good user whose custom value goes wrong (extras)
            user.password = self.digest(rng.choice(DIGEST_SCHEMES), user.plaintext)
            return user
        if kind == "login-too-long":
            local, _, dom = user.login.partition("@")
            tail = rng.randbytes(64).hex()
            long_local = f"{local}.{tail}"[: 101 - len(dom) + int(rng.random() * 20)]
            user.login = self._unique(long_local, dom)
            user.email = self._unique(f"{local}.{1000 + int(rng.random() * 9000)}", dom)
        elif kind == "missing-email":
            user.email = None
        user.password = self.digest(rng.choice(DIGEST_SCHEMES), user.plaintext)
        return user

    # ----- passwords

    def digest(self, scheme: str, plaintext: str, position: str | None = "") -> dict[str, object]:
        rng = self.rng
        if position == "":
            r = rng.random()
            position = None if r < 0.1 else "prefix" if r < 0.7 else "suffix"
        salt = passwords.salt(rng) if position else None
        return {
            "scheme": scheme,
            "hex": make_digest(scheme, plaintext, salt, position),
            "salt": salt,
            "saltPosition": position,
        }

    def password(self, user: LegacyUser, scheme: str, pending: Pending) -> None:
        """Set the user's legacy password for a --mix scheme (slow ones are queued)."""
        rng = self.rng
        if scheme == "bcrypt":
            r = rng.random()
            prefix = "2b" if r < 0.7 else "2a" if r < 0.9 else "2y"
            salt = bcrypt_salt(rng.randbytes(16))
            pending.add(user, ("bcrypt", user.plaintext, salt, self.options.bcrypt_cost, prefix))
        elif scheme.startswith("pbkdf2"):
            if scheme == "pbkdf2":
                scheme = "pbkdf2_sha256" if rng.random() < 0.8 else "pbkdf2_sha512"
            salt = passwords.django_salt(rng)
            pending.add(user, (scheme, user.plaintext, salt, self.options.pbkdf2_iterations, ""))
        else:
            user.password = self.digest(scheme, user.plaintext)

    def password_like(self, user: LegacyUser, old: Mapping[str, object], pending: Pending) -> None:
        """A new password hashed as the old one was (same scheme, cost, iterations, position)."""
        scheme = str(old.get("scheme"))
        if scheme == "bcrypt":
            was: BcryptLegacy = parse_bcrypt(str(old["hash"]))
            salt = bcrypt_salt(self.rng.randbytes(16))
            pending.add(user, ("bcrypt", user.plaintext, salt, was.cost, was.prefix))
        elif scheme.startswith("pbkdf2"):
            before: Pbkdf2Legacy = parse_pbkdf2(str(old["hash"]))
            salt = passwords.django_salt(self.rng)
            pending.add(user, (scheme, user.plaintext, salt, before.iterations, ""))
        else:
            position = old.get("saltPosition")
            user.password = self.digest(scheme, user.plaintext, str(position) if position else None)


def _plan(options: Options, rng: Random) -> tuple[list[str], dict[int, str]]:
    """The scheme of every good user, shuffled, and the defect kind at each bad position."""
    n_bad = min(round(options.users * options.bad), max(options.users - 1, 0))
    kinds = options.defect_kinds
    bad_kinds = [kinds[i % len(kinds)] for i in range(n_bad)]
    rng.shuffle(bad_kinds)
    positions = sorted(rng.sample(range(1, options.users), n_bad)) if n_bad else []
    counts = apportion(options.users - n_bad, options.mix)
    schemes = [scheme for scheme in sorted(counts) for _ in range(counts[scheme])]
    rng.shuffle(schemes)
    return schemes, dict(zip(positions, bad_kinds, strict=True))


def generate(options: Options, out: Path, progress: Progress | None = None) -> dict[str, object]:
    """Write the dataset to `out`; returns the manifest."""
    rng = Random(options.seed)
    pools = NamePools(options.seed)
    schemes, defects = _plan(options, rng)
    gen = Generator(options, rng, pools, set())
    names = group_names(options.groups)
    if names:
        gen.draw = GroupDraw(groups_rng(options.seed), names, options.users)
    fields = list(FIELDS) if options.custom_fields else []
    writer = DatasetWriter(out, options.fmt, fields=fields, groups=bool(names))
    scheme_counts: Counter[str] = Counter()
    defect_counts: Counter[str] = Counter()
    can_log_in = 0
    memberships: Counter[int] = Counter()  # users by their number of groups
    slow = sum(1 for s in schemes if s == "bcrypt" or s.startswith("pbkdf2")) + len(defects)
    good = iter(schemes)
    with hasher(options.jobs, slow) as pool:
        for start in range(0, options.users, BLOCK):
            block: list[LegacyUser] = []
            pending = Pending()
            for index in range(start, min(start + BLOCK, options.users)):
                updated = AS_OF - int(rng.random() * HISTORY_SECONDS)
                kind = defects.get(index)
                if kind is None:
                    user = gen.user(index + 1, updated)
                    gen.password(user, next(good), pending)
                    gen.remember(user)
                else:
                    user = gen.defect_user(index + 1, updated, kind, pending)
                    defect_counts[str(user.defect)] += 1
                gen.extras(user, index)
                block.append(user)
            pool.finish(pending)
            for user in block:
                scheme_counts[user.scheme] += 1
                memberships[len(user.groups or ())] += 1
                can_log_in += user.defect is None or DEFECTS[user.defect].can_log_in
            writer.write(block)
            if progress is not None:
                progress.advance(len(block))
    files = writer.close()
    manifest: dict[str, object] = {
        "tool": TOOL,
        "version": __version__,
        "schemaVersion": SCHEMA_VERSION,
        "faker": faker.VERSION,
        "seed": options.seed,
        "users": options.users,
        "format": options.fmt,
        "asOf": format_time(AS_OF),
        "options": options.to_json(),
        "counts": {
            "schemes": dict(sorted(scheme_counts.items())),
            "defects": {k: defect_counts.get(k, 0) for k in options.defect_kinds},
            "canLogIn": can_log_in,
            "cannotLogIn": options.users - can_log_in,
        },
        **extras_manifest(options.custom_fields, names, memberships),
        **({"apps": apps_manifest(names)} if options.apps else {}),
        "files": files,
    }
    write_manifest(out, manifest)
    return manifest


# ----- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta dataset",
        description="Generate legacy users (users.jsonl), their plaintexts (oracle.jsonl) and"
        " a manifest; or, with --delta, the same users a while later.",
    )
    p.add_argument("--users", type=int, help="number of legacy users to generate")
    p.add_argument("--seed", type=int, help="the same seed and arguments give the same bytes")
    p.add_argument("--out", type=Path, required=True, help="directory to write")
    p.add_argument("--mix", default=DEFAULT_MIX, help=f"scheme weights (default {DEFAULT_MIX})")
    p.add_argument(
        "--bad",
        nargs="?",
        const="2%",
        default="0%",
        help="share of deliberately bad records, labelled in 'defect' (--bad alone: 2%%)",
    )
    p.add_argument(
        "--groups",
        type=int,
        default=0,
        metavar="N",
        help="N legacy groups: a few large, a long tail, some users in more than 20 (25 or"
        " more for those); default 0, no groups",
    )
    p.add_argument(
        "--custom-fields",
        action="store_true",
        help="custom legacy fields (customerNumber unique, loyaltyPoints, newsletter, tier,"
        " favoriteStore), declared in the manifest; --bad then also spoils some values",
    )
    p.add_argument(
        "--apps",
        action="store_true",
        help="app accounts: each record lists its direct apps, the manifest declares the apps"
        " and the groups that bring them (with --groups); JSON Lines only",
    )
    p.add_argument("--bcrypt-cost", type=int, default=4, help="bcrypt cost (default 4)")
    p.add_argument(
        "--pbkdf2-iterations",
        type=int,
        default=4096,
        help="PBKDF2 iterations (default 4096, the least Okta imports)",
    )
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", dest="fmt")
    p.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes for slow hashes"
    )
    p.add_argument("--delta", type=Path, metavar="DIR", help="base dataset to move forward")
    p.add_argument("--changed", default="5%", help="with --delta: share of users touched")
    p.add_argument("--days", type=int, default=7, help="with --delta: how much later")
    return p


def options_from(args: argparse.Namespace) -> Options:
    if args.users is None or args.users < 1:
        raise UsageError("--users N (N >= 1) is required, or --delta DIR to move a dataset on")
    if not 4 <= args.bcrypt_cost <= 20:
        raise UsageError("--bcrypt-cost must be from 4 to 20 (Okta imports 1 to 20)")
    if args.pbkdf2_iterations < 4096:
        raise UsageError("--pbkdf2-iterations must be at least 4096, the least Okta imports")
    if not 0 <= args.groups <= 100_000:
        raise UsageError("--groups must be from 0 to 100000")
    if args.apps and args.fmt != "jsonl":
        raise UsageError("--apps needs --format jsonl (a CSV row has no place for a list of apps)")
    return Options(
        users=args.users,
        seed=args.seed if args.seed is not None else 0,
        mix=parse_mix(args.mix),
        bad=parse_percent(args.bad, "--bad"),
        bcrypt_cost=args.bcrypt_cost,
        pbkdf2_iterations=args.pbkdf2_iterations,
        fmt=args.fmt,
        jobs=max(1, args.jobs),
        groups=args.groups,
        custom_fields=args.custom_fields,
        apps=args.apps,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.delta is not None:
            from mock_okta.tools.delta import generate_delta

            changed = parse_percent(args.changed, "--changed")
            progress = Progress(0, "delta")
            manifest = generate_delta(
                args.delta,
                args.out,
                changed=changed,
                seed=args.seed,
                days=args.days,
                jobs=max(1, args.jobs),
                progress=progress,
            )
        else:
            options = options_from(args)
            progress = Progress(options.users, "users")
            manifest = generate(options, args.out, progress)
        progress.close()
    except UsageError as exc:
        parser.error(str(exc))
    print(f"wrote {args.out} ({manifest['users']} users): {counts_text(manifest['counts'])}")
    return 0


def counts_text(counts: object) -> str:
    """The manifest's counts in words (`bcrypt 8, sha256 4; can log in 20, …`), not a repr."""

    def flat(value: Any) -> str:
        if isinstance(value, Mapping):
            return ", ".join(f"{k} {v:,}" for k, v in value.items() if v) or "none"
        return f"{value:,}" if isinstance(value, int) else str(value)

    if not isinstance(counts, Mapping):
        return str(counts)
    return "; ".join(f"{key}: {flat(value)}" for key, value in counts.items())


if __name__ == "__main__":
    raise SystemExit(main())
