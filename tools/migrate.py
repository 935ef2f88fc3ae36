"""`mock-okta migrate`: the reference migration of legacy password hashes into Okta.

    mock-okta migrate --org URL --token T [--token T2 ...] --input users.jsonl
        [--mode import|premigrate|delta|cutover|hook|hook-status] [--workers 4]
        [--state FILE] [--report FILE]

- import: create every importable user ACTIVE with its hash, one call each.
- premigrate: the same, STAGED (`activate=false`), so the hash can still be replaced.
- delta: the legacy system's later state: push changed profiles and hashes to STAGED users,
  point an ACTIVE user whose password changed at the password import hook (Okta takes a hash
  only while STAGED; the hook on any status since 2023.06), create new users STAGED,
  deactivate removed ones (never delete and re-create: ids, groups and apps stay).
- cutover: activate every STAGED user of the dataset.
- hook: import, and create users whose hash Okta cannot import (scrypt, argon2) with the
  password import inline hook instead, so the legacy system verifies them at first sign-in.
- hook-status: change nothing; read the System Log's `user.import.password` events and report
  which of the dataset's hook users have signed in through the hook (their legacy hash is safe
  to delete), which the hook refused, and which have not signed in yet (hook_status.py).

Custom fields (declared in the dataset's manifest.json, `fields`) become custom schema
properties and legacy groups Okta groups before the first user; each user is created in at most
20 of its groups and joins the rest by membership calls (a delta also leaves groups). Apps
(the manifest's `apps`) are found by label or created, and assigned their legacy groups; each
user is then assigned its direct apps (a record's `apps`).

Records Okta cannot take are skipped with a reason. The run is paced by Okta's rate-limit
headers (okta_client.py), resumable from --state, and safe to repeat. Okta lets one API token use
half of each bucket by default: with several --token the workers take turns over them, each
token paced by its own headers, which doubles the rate with two. Exit status: 0 when every
importable record ended migrated, 1 otherwise, 2 on a usage problem.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import random
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final
from urllib.parse import urlparse

from mock_okta.hashing import SaltEncoding
from mock_okta.tools.encoder import add_sha256_salt_option
from mock_okta.tools.hook_status import hook_status, import_events
from mock_okta.tools.migration import DEPROVISIONED, Fatal, Migrator, Mode, Tally
from mock_okta.tools.migration_records import (
    Fields,
    Record,
    Rejected,
    Survey,
    collision,
    login_key,
    prepare,
    read_lines,
    survey,
    taken,
)
from mock_okta.tools.migration_state import Entry, Saver, State, StateError
from mock_okta.tools.okta_client import Backoff, OktaClient, Pacer, Stopped, Unavailable
from mock_okta.tools.records import manifest_fields, read_manifest

OK, INCOMPLETE, USAGE = 0, 1, 2
TOKEN_ENV: Final = "OKTA_API_TOKEN"
PROGRESS_EVERY: Final = 10.0  # seconds between plain progress lines when stderr is not a TTY


@dataclass(frozen=True, slots=True)
class Removal:
    """A user migrated earlier that the legacy system no longer has."""

    login: str
    entry: Entry


Task = Record | Removal


class Usage(Exception):
    """A command-line problem; the message says what to do instead."""


class Progress:
    """A bar on a terminal, a line every few seconds otherwise; both on stderr."""

    def __init__(
        self,
        tally: Tally,
        pacer: Pacer | Sequence[Pacer],
        total: int,
        stream: IO[str],
        every: float | None = None,
    ) -> None:
        self.tally, self.total, self.stream = tally, max(total, 1), stream
        self.pacers = [pacer] if isinstance(pacer, Pacer) else list(pacer)
        self.tty = stream.isatty()
        self.every = every if every is not None else 0.2 if self.tty else PROGRESS_EVERY
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)

    def start(self) -> Progress:
        self._thread.start()
        return self

    def _line(self) -> str:
        done, actions, skipped, failed = self.tally.snapshot()
        rate = done / max(time.monotonic() - self.started, 1e-9)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(actions.items()))
        extra = f"skipped {skipped}, failed {failed}"
        limited = any(p.paused_until > time.time() for p in self.pacers)
        return (
            f"{done:,}/{self.total:,} records ({counts or 'nothing yet'}; {extra}) "
            f"{rate:.1f}/s{' · waiting for rate-limit reset' if limited else ''}"
        )

    def _draw(self) -> None:
        if self.tty:
            filled = 24 * min(self.tally.snapshot()[0], self.total) // self.total
            bar = "#" * filled + "-" * (24 - filled)
            self.stream.write(f"\r\x1b[2Kmigrate [{bar}] {self._line()}")
        else:
            self.stream.write(f"migrate: {self._line()}\n")
        self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._draw()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self.tty:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def _tasks(
    args: argparse.Namespace,
    state: State,
    tally: Tally,
    salt: SaltEncoding,
    seen: Survey,
    fields: Fields,
) -> tuple[int, Iterator[Task]]:
    """How many tasks there are, and the tasks (records to migrate, then users to remove)."""
    migrated = {login_key(login): login for login in state.logins()}
    removed = []
    if args.mode is Mode.DELTA:
        removed = [
            Removal(login, entry)
            for login, entry in state.items()
            if login not in seen.logins and entry.status != DEPROVISIONED
        ]

    def generate() -> Iterator[Task]:
        for number, data in read_lines(args.input, fields):
            record = prepare(number, data, salt, hook=args.mode is Mode.HOOK, fields=fields)
            if isinstance(record, Record):
                rejected = collision(record, seen.owners, migrated) or taken(record, seen.values)
                if rejected is None:
                    yield record
                    continue
                record = rejected
            assert isinstance(record, Rejected)
            tally.skip(record)
            tally.finish()
        yield from removed

    return seen.total + len(removed), generate()


def _work(migrator: Migrator, tasks: queue.Queue[Task | None], fatal: list[str]) -> None:
    stop = migrator.client.pacer.stop
    while not stop.is_set():
        try:
            task = tasks.get(timeout=0.2)
        except queue.Empty:
            continue
        if task is None:
            return
        try:
            if isinstance(task, Record):
                migrator.migrate(task)
            else:
                migrator.remove(task.login, task.entry)
        except Stopped:
            return
        except Fatal as exc:
            fatal.append(str(exc))
            migrator.client.pacer.interrupt()
            return
        except Exception as exc:  # a bug must not lose the other records or hang the run
            login = task.login
            line = task.line if isinstance(task, Record) else None
            migrator.tally.fail(line, login, "internal-error", f"{type(exc).__name__}: {exc}")
            migrator.tally.finish()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the run like Ctrl-C: the state is saved before exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _preflight(client: OktaClient, org: str) -> None:
    """One cheap call first, so a wrong --org or --token stops the run before any work."""
    try:
        reply = client.call("GET", "/api/v1/users", params={"limit": "1"})
    except Unavailable as exc:
        raise Usage(f"cannot reach --org {org}: {exc}") from None
    if reply.status == 401:
        raise Usage(f"Okta refused the API token ({reply.describe()}): check --token")
    if not reply.ok:
        raise Usage(
            f"--org {org} answered GET /api/v1/users with {reply.describe()}: is it an Okta"
            " org, and may the token's admin manage users?"
        )


def report_hook_status(args: argparse.Namespace, token: str, out: IO[str]) -> int:
    """--mode hook-status: 0 when every hook user's legacy hash is safe to delete, else 1."""
    client = OktaClient(args.org, token, pacer=Pacer(1), timeout=args.timeout)
    salt = SaltEncoding(args.sha256_salt)
    fields = manifest_fields(args.input.parent)
    hooked = []
    for number, data in read_lines(args.input, fields):
        record = prepare(number, data, salt, hook=True, fields=fields)
        if isinstance(record, Record) and "hook" in record.password:
            hooked.append(record.login)
    try:
        events = import_events(client)
    except (RuntimeError, Unavailable) as exc:
        raise Fatal(f"cannot read the System Log: {exc}") from None
    status = hook_status(events, hooked)
    print(
        f"hook users: {len(hooked)}; legacy hash safe to delete: {len(status.safe)};"
        f" refused by the hook: {len(status.refused)}; not signed in yet: {len(status.pending)}",
        file=out,
    )
    for login in status.safe:
        print(f"safe to delete: {login}", file=out)
    if args.report:
        args.report.write_text(json.dumps({"mode": args.mode.value, **status.to_json()}, indent=2))
    return OK if len(status.safe) == len(hooked) else INCOMPLETE


def run(args: argparse.Namespace, tokens: Sequence[str], out: IO[str], err: IO[str]) -> int:
    if args.mode is Mode.HOOK_STATUS:
        return report_hook_status(args, tokens[0], out)
    started = time.monotonic()
    salt = SaltEncoding(args.sha256_salt)
    state = State.load(args.state, args.org)
    tally = Tally()
    stop = threading.Event()
    # Worker i uses token i mod N; each token has its own pacer, since Okta counts each token's
    # share of a bucket apart (and answers each token its own X-Rate-Limit-* headers).
    counts = [len(range(k, args.workers, len(tokens))) for k in range(len(tokens))]
    pacers = [Pacer(max(1, n), stop=stop) for n in counts]
    clients = [
        OktaClient(
            args.org,
            token,
            pacer=pacer,
            backoff=Backoff(
                base=args.retry_base, max_attempts=args.max_attempts, rng=random.Random(args.seed)
            ),
            timeout=args.timeout,
        )
        for token, pacer in zip(tokens, pacers, strict=True)
    ]
    lookup_first = args.mode is Mode.DELTA and len(state) == 0
    if lookup_first:
        print(
            "migrate: no state from a premigration (--state): every user is looked up by login"
            " and re-pushed, and users removed from the legacy system cannot be found",
            file=err,
        )
    migrators = [
        Migrator(client, state, args.mode, tally, lookup_first=lookup_first) for client in clients
    ]
    try:
        state.save(force=True)
    except OSError as exc:
        raise Usage(f"cannot write --state {args.state}: {exc.strerror}") from None
    for client in clients:
        _preflight(client, args.org)
    fields = manifest_fields(args.input.parent)
    seen = survey(args.input, salt, hook=args.mode is Mode.HOOK, fields=fields)
    if args.mode is not Mode.CUTOVER:  # what the users need, before the first of them
        try:
            migrators[0].ensure_schema(fields)
            apps = _manifest_apps(args.input.parent)
            app_groups = [g for a in apps for g in _names(a.get("groups"))]
            migrators[0].ensure_groups(list(dict.fromkeys([*seen.groups, *app_groups])))
            migrators[0].ensure_apps(apps)
            for other in migrators[1:]:
                other.apps = migrators[0].apps
        except Unavailable as exc:
            raise Fatal(f"Okta did not answer while preparing the org: {exc}") from None
    total, tasks = _tasks(args, state, tally, salt, seen, fields)
    work: queue.Queue[Task | None] = queue.Queue(maxsize=4 * args.workers)
    fatal: list[str] = []
    threads = [
        threading.Thread(
            target=_work,
            args=(migrators[i % len(migrators)], work, fatal),
            name=f"migrate-{i}",
            daemon=True,
        )
        for i in range(args.workers)
    ]
    pacer = pacers[0]  # every pacer shares `stop`: interrupting one stops them all
    saver = Saver(state).start()
    progress = Progress(tally, pacers, total, err).start()
    interrupted = False
    for thread in threads:
        thread.start()
    try:
        with _sigterm_as_interrupt():
            for task in tasks:
                while not pacer.stop.is_set():
                    try:
                        work.put(task, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if pacer.stop.is_set():
                    break
            for _ in threads:
                while any(t.is_alive() for t in threads):
                    try:
                        work.put(None, timeout=0.2)
                        break
                    except queue.Full:
                        continue
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if any(t.is_alive() for t in threads):  # interrupted, or the input failed mid-way
            pacer.interrupt()
            with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: stop waiting
                for thread in threads:
                    thread.join()
        progress.stop()
        saver.stop()
    summary = _summary(args, tally, clients, time.monotonic() - started, interrupted)
    summary["complete"] = not (interrupted or fatal or tally.failed)
    code = OK if summary["complete"] else INCOMPLETE
    if fatal:
        summary["fatal"] = fatal[0]
        code = USAGE
    summary["exitCode"] = code
    _print_summary(summary, tally, out)
    if fatal:
        print(f"mock-okta migrate: {fatal[0]}", file=err)
    if interrupted:
        hint = f" with --state {args.state}" if args.state else " (pass --state FILE next time)"
        print(f"mock-okta migrate: interrupted; run the same command again{hint}", file=err)
    if args.report is not None:
        report = {**summary, "problems": tally.problems}
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return code


def _manifest_apps(directory: Path) -> list[dict[str, object]]:
    """The apps a dataset's manifest declares (legacy_apps.py); none without a manifest."""
    try:
        apps = read_manifest(directory).get("apps")
    except (OSError, ValueError):
        return []
    return [dict(a) for a in apps if isinstance(a, dict)] if isinstance(apps, list) else []


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _summary(
    args: argparse.Namespace,
    tally: Tally,
    clients: Sequence[OktaClient],
    elapsed: float,
    interrupted: bool,
) -> dict[str, object]:
    migrated = tally.done - sum(tally.skipped.values()) - sum(tally.failed.values())
    return {
        "mode": args.mode.value,
        "org": args.org,
        "input": str(args.input),
        "records": tally.done,
        "migrated": migrated,
        **{k: tally.actions.get(k, 0) for k in ("created", "updated", "activated")},
        **{k: tally.actions.get(k, 0) for k in ("deactivated", "adopted", "unchanged")},
        "propertiesAdded": tally.actions.get("properties added", 0),
        "groupsCreated": tally.actions.get("groups created", 0),
        "joined": tally.actions.get("joined", 0),
        "left": tally.actions.get("left", 0),
        "appsCreated": tally.actions.get("apps created", 0),
        "appGroupsAssigned": tally.actions.get("app groups assigned", 0),
        "appsAssigned": tally.actions.get("apps assigned", 0),
        "appsUnassigned": tally.actions.get("apps unassigned", 0),
        "hooked": tally.actions.get("hooked", 0),  # ACTIVE users pointed at the import hook
        "skipped": dict(sorted(tally.skipped.items())),
        "failed": dict(sorted(tally.failed.items())),
        "requests": sum(c.stats.requests for c in clients),
        "retries": sum(c.stats.retries for c in clients),
        "rateLimited": sum(c.stats.rate_limited for c in clients),
        "rateLimitPauses": sum(c.pacer.pauses for c in clients),
        "rateLimitPausedSeconds": round(sum(c.pacer.paused_seconds for c in clients), 3),
        "tokens": [c.stats.requests for c in clients],  # requests made with each --token
        "elapsedSeconds": round(elapsed, 3),
        "recordsPerSecond": round(tally.done / elapsed, 2) if elapsed > 0 else None,
        "interrupted": interrupted,
    }


def _apps_line(s: dict[str, object]) -> list[str]:
    keys = ("appsCreated", "appGroupsAssigned", "appsAssigned", "appsUnassigned", "hooked")
    if not any(s[k] for k in keys):
        return []
    return [
        f"  apps created {s['appsCreated']}, groups assigned to apps {s['appGroupsAssigned']},"
        f" users assigned {s['appsAssigned']}, unassigned {s['appsUnassigned']},"
        f" pointed at the password import hook {s['hooked']}"
    ]


def _counts(counts: object) -> str:
    assert isinstance(counts, dict)
    total = sum(counts.values())
    return f"{total}" + (f" ({', '.join(f'{k} {v}' for k, v in counts.items())})" if total else "")


def _per_token(requests: object) -> str:
    assert isinstance(requests, list)
    return f"{len(requests)} ({', '.join(f'{n} requests' for n in requests)})"


def _print_summary(s: dict[str, object], tally: Tally, out: IO[str]) -> None:
    print(
        f"migrate {s['mode']}: {s['records']} records in {s['elapsedSeconds']} s"
        f" ({s['recordsPerSecond']}/s): {'complete' if s['complete'] else 'INCOMPLETE'}",
        f"  created {s['created']}, updated {s['updated']}, activated {s['activated']},"
        f" deactivated {s['deactivated']}, adopted {s['adopted']}, unchanged {s['unchanged']}",
        f"  schema properties added {s['propertiesAdded']}, groups created {s['groupsCreated']},"
        f" memberships added {s['joined']}, removed {s['left']}",
        *_apps_line(s),
        f"  skipped {_counts(s['skipped'])}",
        f"  failed {_counts(s['failed'])}",
        f"  requests {s['requests']}, retries {s['retries']}, 429s met {s['rateLimited']},"
        f" paused for rate limits {s['rateLimitPauses']} times ({s['rateLimitPausedSeconds']} s)",
        f"  tokens {_per_token(s['tokens'])}",
        sep="\n",
        file=out,
    )
    failures = [p for p in tally.problems if p["outcome"] == "failed"]
    for problem in failures[:10]:
        print(f"  failed: {problem['login']}: {problem['detail']}", file=out)
    if len(failures) > 10:
        print(f"  … and {len(failures) - 10} more failures (--report FILE lists all)", file=out)


# ----- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta migrate",
        description="Migrate legacy users and their password hashes into Okta (or the mock).",
    )
    p.add_argument("--org", required=True, help="the Okta org URL, e.g. https://dev-1.okta.com")
    p.add_argument(
        "--token",
        action="append",
        help=f"an Okta API token (default: ${TOKEN_ENV}); repeat it to spread the calls over"
        " several tokens, each with its own share of Okta's rate limits",
    )
    p.add_argument(
        "--input", type=Path, required=True, help="users.jsonl, users.csv, or their directory"
    )
    p.add_argument(
        "--mode",
        type=Mode,
        choices=list(Mode),
        default=Mode.IMPORT,
        help="import (default), premigrate, delta, cutover, hook (import; unimportable"
        " hashes go to the org's password import inline hook), or hook-status (report from"
        " the System Log which legacy hashes are safe to delete)",
    )
    p.add_argument("--workers", type=int, default=4, help="requests in flight at most (4)")
    p.add_argument("--state", type=Path, help="state file: resume, and know what a delta changed")
    p.add_argument("--report", type=Path, help="write the summary and every problem as JSON")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    p.add_argument("--max-attempts", type=int, default=8, help="tries per call on 5xx/drops")
    p.add_argument(
        "--retry-base", type=float, default=0.5, help="first retry waits 0.5-1x this (seconds)"
    )
    p.add_argument("--seed", type=int, help="seed the retry jitter (reproducible runs)")
    add_sha256_salt_option(p)
    return p


def _check(args: argparse.Namespace) -> list[str]:
    url = urlparse(args.org)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise Usage(f"--org {args.org!r} is not a URL: pass the org's, e.g. https://dev-1.okta.com")
    args.org = args.org.rstrip("/")
    tokens = list(dict.fromkeys(args.token or [os.environ.get(TOKEN_ENV) or ""]))
    if not all(tokens):
        raise Usage(f"no API token: pass --token T or set {TOKEN_ENV}")
    if args.input.is_dir():  # a dataset directory
        csv_input = args.input / "users.csv"
        args.input = csv_input if csv_input.exists() else args.input / "users.jsonl"
    if not args.input.is_file():
        raise Usage(
            f"--input {args.input}: no such file; make one with mock-okta dataset --out DIR"
            " (then --input DIR/users.jsonl)"
        )
    if not 1 <= args.workers <= 64:
        raise Usage("--workers must be from 1 to 64")
    if args.timeout <= 0 or args.retry_base < 0 or args.max_attempts < 1:
        raise Usage("--timeout must be above 0, --retry-base at least 0, --max-attempts 1 or more")
    if args.mode is Mode.DELTA and args.state is not None and not args.state.exists():
        raise Usage(
            f"--state {args.state} does not exist: pass the premigration's state file, or"
            " leave --state out to look every user up by login"
        )
    if len(tokens) > args.workers:
        raise Usage(f"--workers {args.workers} cannot use {len(tokens)} tokens: one worker each")
    return tokens


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        tokens = _check(args)
        return run(args, tokens, sys.stdout, sys.stderr)
    except (Usage, StateError, Fatal) as exc:
        print(f"mock-okta migrate: {exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    raise SystemExit(main())
