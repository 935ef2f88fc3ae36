"""The contract's checks: each a pure function of what the harness saw, returning a verdict.

A verdict's reason names the users and requests involved, so a failure says what the tool did
wrong (responses' matchers return `(ok, reason)` the same way).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from mock_okta.profile import login_key

PROFILE_FIELDS: Final = ("login", "email", "firstName", "lastName", "mobilePhone")
SHOW: Final = 5  # offenders named in a reason


@dataclass(frozen=True, slots=True)
class Verdict:
    check: str
    ok: bool
    reason: str
    tested: bool = True  # False: nothing in this run could have failed it (the reason says why)


Json = Mapping[str, Any]


def shown(items: Sequence[str]) -> str:
    shown = ", ".join(items[:SHOW])
    return shown + (f" and {len(items) - SHOW} more" if len(items) > SHOW else "")


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S.%f")[:-3]


def expected_users(records: Iterable[Json], oracle: Mapping[str, Json]) -> dict[str, Json]:
    """Records a correct migration puts in Okta (by login key): importable, not removed."""
    out = {}
    for record in records:
        login = str(record["profile"]["login"])
        entry = oracle.get(login_key(login), {})
        if entry.get("canLogIn") and entry.get("via") != "hook" and not record.get("defect"):
            out[login_key(login)] = record
    return out


def tool_finished(mode: str, returncode: int | None, seconds: float, log: str) -> Verdict:
    if returncode is None:
        return Verdict(
            f"tool finished ({mode})", False, f"timed out after {seconds:.0f} s; see {log}"
        )
    if returncode != 0:
        return Verdict(
            f"tool finished ({mode})", False, f"exited with status {returncode}; see {log}"
        )
    return Verdict(f"tool finished ({mode})", True, f"exit 0 in {seconds:.1f} s")


def users_exist_once(
    records: Iterable[Json],
    oracle: Mapping[str, Json],
    users: Sequence[Json],
    excused: Mapping[str, str] | None = None,
) -> Verdict:
    """Every importable user exists exactly once, with the profile from the dataset.

    `excused` (login key -> check) are users Okta refused for a mistake another check names
    (too many groupIds, a schema without the custom fields): that check reports them, so one
    mistake fails one check.
    """
    excused = excused or {}
    expected = expected_users(records, oracle)
    found: dict[str, list[Json]] = defaultdict(list)
    for user in users:
        if user["status"] != "DEPROVISIONED":
            found[login_key(str(user["profile"].get("login", "")))].append(user)
    missing = [
        r["profile"]["login"] for k, r in expected.items() if k not in found and k not in excused
    ]
    elsewhere = Counter(excused[k] for k in expected if k not in found and k in excused)
    doubled = [found[k][0]["profile"]["login"] for k in expected if len(found.get(k, [])) > 1]
    differing = []
    for key, record in expected.items():
        if key not in found:
            continue
        have = found[key][0]["profile"]
        for name in PROFILE_FIELDS:
            want = record["profile"].get(name)
            if (have.get(name) or None) != (want or None):
                differing.append(f"{record['profile']['login']} {name} {have.get(name)!r}≠{want!r}")
                break
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing: {shown(missing)}")
    if doubled:
        problems.append(f"{len(doubled)} more than once: {shown(doubled)}")
    if differing:
        problems.append(f"{len(differing)} with another profile: {shown(differing)}")
    if problems:
        return Verdict("every user exists once", False, "; ".join(problems))
    reported = "".join(
        f"; {n} refused for what '{check}' reports" for check, n in elsewhere.items()
    )
    present = len(expected) - sum(elsewhere.values())
    return Verdict(
        "every user exists once", True, f"{present} users, profiles as in the dataset{reported}"
    )


def no_unexpected_users(
    records: Iterable[Json], oracle: Mapping[str, Json], users: Sequence[Json]
) -> Verdict:
    """Nothing in Okta that no legacy record asked for (a mangled or invented login)."""
    known = {login_key(str(r["profile"]["login"])) for r in records}
    strays = [
        str(u["profile"].get("login"))
        for u in users
        if login_key(str(u["profile"].get("login", ""))) not in known
    ]
    if strays:
        return Verdict(
            "no unexpected users",
            False,
            f"{len(strays)} users match no legacy login (mangled or invented?): {shown(strays)}",
        )
    return Verdict("no unexpected users", True, "every Okta user is a legacy user")


def users_present(logins: Iterable[str], users: Sequence[Json], label: str) -> Verdict:
    """Each of `logins` is in Okta (and not deactivated)."""
    present = {
        login_key(str(u["profile"].get("login", "")))
        for u in users
        if u["status"] != "DEPROVISIONED"
    }
    wanted = list(logins)
    missing = [login for login in wanted if login_key(login) not in present]
    if missing:
        return Verdict(label, False, f"{len(missing)} missing: {shown(missing)}")
    return Verdict(label, True, f"{len(wanted)} users present")


def users_log_in(attempts: Mapping[str, int], label: str = "every user logs in") -> Verdict:
    """`attempts`: login → HTTP status of `/api/v1/authn` with the oracle plaintext."""
    failed = sorted(login for login, status in attempts.items() if status != 200)
    if failed:
        return Verdict(
            label,
            False,
            f"{len(failed)} of {len(attempts)} cannot sign in with their legacy password"
            f" (wrong digest encoding or salt? try `mock-okta doctor --url … --login LOGIN`):"
            f" {shown(failed)}",
        )
    return Verdict(label, True, f"{len(attempts)} users signed in with their legacy password")


def old_passwords_refused(
    attempts: Mapping[str, int],
    label: str = "old passwords no longer work",
    what: str = "the password they had before the delta",
) -> Verdict:
    """After a delta run, a changed user's previous password no longer works (or any wrong one)."""
    accepted = sorted(login for login, status in attempts.items() if status == 200)
    if accepted:
        return Verdict(
            label,
            False,
            f"{len(accepted)} users still sign in with {what}: {shown(accepted)}",
        )
    return Verdict(label, True, f"{len(attempts)} refused")


def status_is(users: Sequence[Json], logins: Iterable[str], expected: str) -> Verdict:
    by_key = {login_key(str(u["profile"].get("login", ""))): u for u in users}
    wrong = []
    for login in logins:
        user = by_key.get(login_key(login))
        if user is not None and user["status"] != expected:
            wrong.append(f"{login} is {user['status']}")
    if wrong:
        return Verdict(f"users are {expected}", False, f"{len(wrong)} are not: {shown(wrong)}")
    return Verdict(f"users are {expected}", True, f"all {expected}")


def ids_stable(before: Mapping[str, str], after: Mapping[str, str]) -> Verdict:
    """No user was deleted and created again (a new id loses its app assignments)."""
    changed = sorted(
        login for login, uid in before.items() if login in after and after[login] != uid
    )
    if changed:
        return Verdict(
            "ids stable (no delete and re-create)",
            False,
            f"{len(changed)} users got a new id between runs — deleted and created again,"
            f" which loses their app assignments: {shown(changed)}",
        )
    return Verdict("ids stable (no delete and re-create)", True, f"{len(before)} ids unchanged")


def nothing_created(entries: Sequence[Json]) -> Verdict:
    """A re-run of the same migration creates no user."""
    created = [
        str(e.get("login")) for e in entries
        if e["method"] == "POST" and e["path"] == "/api/v1/users" and e["status"] == 200
    ]  # fmt: skip
    if created:
        return Verdict(
            "a re-run creates nothing",
            False,
            f"{len(created)} users created again: {shown(created)}",
        )
    return Verdict("a re-run creates nothing", True, "no user created by the second run")


def _concurrency(entry: Json) -> bool:
    """A concurrency 429: Limit 0 and Remaining 0 (RL2-concurrency)."""
    rate = entry.get("rateLimit") or {}
    return entry["status"] == 429 and rate.get("limit") == 0


def _by_token(entries: Sequence[Json], *, bucket: bool) -> dict[tuple[str, str], list[Json]]:
    groups: dict[tuple[str, str], list[Json]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e["seq"]):
        if entry.get("bucket"):
            key = (str(entry["bucket"]) if bucket else "", str(entry.get("token") or ""))
            groups[key].append(entry)
    return groups


def waited_for_reset(entries: Sequence[Json], grace: float) -> Verdict:
    """After a 429, nothing more to that bucket with that token before its X-Rate-Limit-Reset.

    Okta counts each API token's share apart, so a 429 holds back only the token it answered.
    Requests already in flight when the 429 was answered are allowed for `grace` seconds.
    Concurrency 429s are `concurrency_backoff`'s: their reset is only a suggestion.
    """
    met = 0
    offenders = []
    for (bucket, _token), items in _by_token(entries, bucket=True).items():
        for index, entry in enumerate(items):
            if entry["status"] != 429 or not entry.get("rateLimit") or _concurrency(entry):
                continue
            met += 1
            reset = float(entry["rateLimit"]["reset"])
            early = [
                e for e in items[index + 1 :]
                if entry["epoch"] + grace < e["epoch"] < reset
            ]  # fmt: skip
            if early:
                offenders.append(
                    f"after the 429 at {_when(entry['epoch'])} (request {entry['requestId']}),"
                    f" {len(early)} more {bucket} requests before its reset at {_when(reset)}"
                )
    check = "waits for X-Rate-Limit-Reset"
    if offenders:
        return Verdict(check, False, "; ".join(offenders[:SHOW]))
    if not met:
        return Verdict(
            check,
            True,
            "not tested: the tool met no rate-limit 429 (it stayed within"
            " X-Rate-Limit-Remaining, or the limit was never reached)",
            tested=False,
        )
    return Verdict(check, True, f"waited for the reset after all {met} 429s")


def concurrency_backoff(entries: Sequence[Json], grace: float, time_scale: float) -> Verdict:
    """After a concurrency 429, did the tool stall for the suggested reset or retry sooner?

    Real orgs put a concurrency 429's X-Rate-Limit-Reset a minute or two ahead, "only a
    suggested value" (RL2-monitor); a client that sleeps that long stalls (okta-sdk-python#270,
    okta-sdk-nodejs#409), one that backs off briefly goes on. Both are within the contract.
    """
    check = "after a concurrency 429"
    stalled: list[float] = []
    sooner: list[float] = []
    suggested: list[float] = []
    for _key, items in _by_token(entries, bucket=False).items():
        for index, entry in enumerate(items):
            if not _concurrency(entry):
                continue
            reset = float(entry["rateLimit"]["reset"])
            suggested.append(reset - entry["epoch"])
            after = [e for e in items[index + 1 :] if e["epoch"] > entry["epoch"] + grace]
            if not after:
                continue
            wait = after[0]["epoch"] - entry["epoch"]
            (stalled if after[0]["epoch"] >= reset - grace else sooner).append(wait)
    if not suggested:
        return Verdict(
            check,
            True,
            "not tested: the tool met no concurrency 429 (it never had more requests in flight"
            " than its token's share of the concurrency limit)",
            tested=False,
        )

    def okta(seconds: list[float]) -> str:
        return f"{sorted(seconds)[len(seconds) // 2] * time_scale:.0f} s"

    met = f"{len(suggested)} concurrency 429s (the suggested reset: {okta(suggested)} ahead)"
    if stalled and not sooner:
        return Verdict(
            check,
            True,
            f"stalled for the suggested reset after {met}: it waited {okta(stalled)} each time"
            " (median, real-Okta seconds), while requests in flight end within seconds;"
            " back off briefly instead",
        )
    return Verdict(
        check,
        True,
        f"retried sooner with backoff after {len(sooner)} of {met}: median wait"
        f" {okta(sooner) if sooner else 'n/a'}"
        + (f"; stalled for the reset after {len(stalled)}" if stalled else ""),
    )


def _sent_password_value(entry: Json) -> bool:
    body = entry.get("body") or {}
    credentials = body.get("credentials") if isinstance(body, Mapping) else None
    password = credentials.get("password") if isinstance(credentials, Mapping) else None
    return isinstance(password, Mapping) and password.get("value") is not None


def _sent_hash(entry: Json) -> bool:
    body = entry.get("body") or {}
    credentials = body.get("credentials") if isinstance(body, Mapping) else None
    password = credentials.get("password") if isinstance(credentials, Mapping) else None
    return isinstance(password, Mapping) and password.get("hash") is not None


def _user_ref(path: str) -> str | None:
    """`/api/v1/users/{ref}[/…]` → ref."""
    parts = path.split("/")
    return parts[4] if len(parts) > 4 and parts[:4] == ["", "api", "v1", "users"] else None


def _entry_login(entry: Json, id_login: Mapping[str, str]) -> str | None:
    if entry.get("login"):
        return str(entry["login"])
    ref = _user_ref(str(entry["path"]))
    return id_login.get(ref, ref) if ref else None


def no_plaintext_for_importable(
    entries: Sequence[Json], records: Iterable[Json], users: Sequence[Json]
) -> Verdict:
    """No plaintext password was sent for a user whose legacy hash Okta can import."""
    importable = {
        login_key(str(r["profile"]["login"]))
        for r in records
        if not r.get("defect") or defect_kind(r["defect"]) != "unsupported-scheme"
    }
    id_login = {str(u["id"]): str(u["profile"].get("login", "")) for u in users}
    sent = []
    for entry in entries:
        if entry["method"] in ("POST", "PUT") and _sent_password_value(entry):
            login = _entry_login(entry, id_login)
            if login and login_key(login) in importable:
                sent.append(login)
    if sent:
        return Verdict(
            "no plaintext for importable hashes",
            False,
            f"{len(sent)} requests set credentials.password.value for users whose hash Okta"
            f" imports (send credentials.password.hash instead): {shown(sent)}",
        )
    return Verdict("no plaintext for importable hashes", True, "only hashes were sent")


def defect_kind(defect: object) -> str:
    return str(defect.get("kind")) if isinstance(defect, Mapping) else str(defect)


def defects_handled(
    records: Iterable[Json], users: Sequence[Json], entries: Sequence[Json]
) -> Verdict:
    """Defective records were skipped or sent to the hook, never created with a garbage hash.

    Records Okta refuses (a login over 100 characters, no email, a login that differs from
    another only in case) cannot become users as they stand; `no_unexpected_users` catches a
    tool that mangles them into users who could not sign in with their own login.
    """
    present = {login_key(str(u["profile"].get("login", ""))) for u in users}
    id_login = {str(u["id"]): str(u["profile"].get("login", "")) for u in users}
    hashed = {
        login_key(login)
        for e in entries
        if e["method"] in ("POST", "PUT") and e["status"] == 200 and _sent_hash(e)
        and (login := _entry_login(e, id_login))
    }  # fmt: skip
    wrong = []
    seen = 0
    for record in records:
        if not record.get("defect"):
            continue
        seen += 1
        key = login_key(str(record["profile"]["login"]))
        if (
            defect_kind(record["defect"]) == "unsupported-scheme"
            and key in present
            and key in hashed
        ):
            wrong.append(
                f"{record['profile']['login']} ({record['password'].get('scheme')}) was created"
                " with a hash Okta cannot verify: skip it or use the password import hook"
            )
    if wrong:
        return Verdict("defective records handled", False, "; ".join(wrong[:SHOW]))
    return Verdict(
        "defective records handled", True, f"{seen} defective records kept out or hooked"
    )


def import_password_logged(
    events: Sequence[Json], hooked: Iterable[str], refused: Iterable[str]
) -> Verdict:
    """The System Log has one `user.import.password` SUCCESS per user who signed in through
    the hook, and a FAILURE for each user whose wrong password the hook refused."""
    label = "the System Log shows the hook's verdicts (user.import.password)"
    outcomes: dict[str, list[str]] = {}
    for event in events:
        for target in event.get("target") or []:
            if target.get("type") == "User":
                key = login_key(str(target.get("alternateId")))
                outcomes.setdefault(key, []).append(str(event["outcome"]["result"]))
    problems = []
    for login in hooked:
        successes = outcomes.get(login_key(login), []).count("SUCCESS")
        if successes != 1:
            problems.append(f"{login}: {successes} SUCCESS")
    for login in refused:
        if "FAILURE" not in outcomes.get(login_key(login), []):
            problems.append(f"{login}: no FAILURE")
    if problems:
        return Verdict(label, False, f"{len(problems)} wrong: {shown(problems)}")
    return Verdict(label, True, f"{len(events)} events: one SUCCESS per user, FAILURE when refused")


def hashes_safe_to_delete(safe: Sequence[str], hooked: Sequence[str]) -> Verdict:
    """`mock-okta migrate --mode hook-status` finds every hook user's legacy hash deletable."""
    label = "hook-status: every signed-in hook user's legacy hash is safe to delete"
    missing = sorted(set(hooked) - set(safe))
    if missing:
        return Verdict(label, False, f"{len(missing)} not reported safe: {shown(missing)}")
    return Verdict(label, True, f"{len(safe)} legacy hashes safe to delete")
