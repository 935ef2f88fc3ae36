"""`mock-okta doctor`: will Okta verify this password, and if not, what went wrong and the fix.

    mock-okta doctor HASH.json --password P          # a hash object (file, inline JSON, - or stdin)
    mock-okta doctor --legacy LINE-or-FILE-or-DIR [--oracle LINE-or-FILE] [--login L]
    mock-okta doctor --url http://127.0.0.1:8080 --token test-token --login L

The first reads Okta's hash object (or a whole create-user body) and explains it with
mock_okta.diagnosis. The second converts legacy records with encoder.py and checks each against
its oracle line. The third reads a running mock's request journal for the user's newest sign-in.
Exit status: 0 when the password will verify, 1 when it will not, 2 on a usage problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from mock_okta.diagnosis import DOCTOR_BUDGET, examine_object
from mock_okta.hashing import SaltEncoding, verify
from mock_okta.tools.encoder import (
    EncodeError,
    NeedsImportHook,
    add_sha256_salt_option,
    legacy_password_of,
    to_okta_hash,
)
from mock_okta.tools.legacy import LegacyFormatError, parse_legacy, verify_legacy
from mock_okta.tools.records import DEFECTS

OK, NOT_OK, USAGE = 0, 1, 2
AUTHN_PATH = "/api/v1/authn"
# The OIDC sign-ins that verify a password: the hosted page's form and the password grant.
OIDC_PATHS = ("/oauth2/*v1/signin", "/oauth2/*v1/token")


class Usage(Exception):
    """Something the user must change before the doctor can answer; says what."""


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str


# ----- input


def _load(text: str, what: str) -> object:
    """Inline JSON, a path to a JSON file, or - for stdin."""
    try:
        if text == "-":
            return json.loads(sys.stdin.read())
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return json.loads(Path(text).read_text(encoding="utf-8"))
    except OSError as exc:
        raise Usage(f"cannot read {what} {text!r}: {exc.strerror}") from None
    except ValueError as exc:
        raise Usage(f"{what} is not JSON ({exc}): pass one JSON object") from None


def _lines(text: str, what: str) -> list[dict[str, object]]:
    """JSON objects from inline JSON, a JSON or JSONL file, or stdin."""
    if text != "-" and not text.lstrip().startswith("{"):
        path = Path(text)
        try:
            content = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise Usage(f"cannot read {what} {text!r}: {exc.strerror}") from None
        try:
            items = [json.loads(line) for line in content.splitlines() if line.strip()]
        except ValueError:
            items = [_load(text, what)]
    else:
        items = [_load(text, what)]
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) != len(items) or not objects:
        raise Usage(f"{what} must hold JSON objects, one per line")
    return objects


def unwrap_hash(data: object) -> object:
    """The hash object inside a create-user body, a credentials or a password object."""
    for key in ("credentials", "password", "hash"):
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            data = data[key]
    return data


# ----- a hash object and a password


def check_hash(raw: object, password: str, sha256_salt: SaltEncoding) -> Verdict:
    finding = examine_object(password, unwrap_hash(raw), sha256_salt, budget=DOCTOR_BUDGET)
    return Verdict(finding.verifies, finding.explain())


# ----- legacy records and their oracle lines


def check_conversion(
    record: Mapping[str, object], oracle: Mapping[str, object], sha256_salt: SaltEncoding
) -> Verdict:
    """Convert one legacy record with encoder.py and check it against its oracle line."""
    plaintext = oracle.get("password")
    if not isinstance(plaintext, str):
        return Verdict(False, "the oracle line has no plaintext password")
    expected = oracle.get("canLogIn", True) is not False
    via = oracle.get("via")
    try:
        legacy = parse_legacy(legacy_password_of(record))
    except LegacyFormatError as exc:
        return Verdict(False, f"the legacy password cannot be read: {exc}")
    if verify_legacy(plaintext, legacy) is False:
        return Verdict(
            False,
            "the legacy hash does not match the oracle's plaintext, so no conversion can work:"
            " check that the record and the oracle line belong together",
        )
    try:
        h = to_okta_hash(legacy, sha256_salt=sha256_salt)
    except NeedsImportHook as exc:
        return Verdict(via == "hook", f"{exc} (the oracle expects {via or 'no login'})")
    except EncodeError as exc:
        return Verdict(False, f"the encoder cannot convert it: {exc}")
    if not verify(plaintext, h, sha256_salt):
        finding = examine_object(plaintext, h.to_okta(), sha256_salt)
        return Verdict(False, f"the converted hash will not verify: {finding.explain()}")
    profile = _profile_problem(record)
    if profile:
        return Verdict(True, f"the hash converts and verifies, but {profile}")
    if not expected:
        return Verdict(False, "the hash converts and verifies, but the oracle expects no login")
    return Verdict(True, f"Okta will verify the converted {h.algorithm.value} hash")


def _profile_problem(record: Mapping[str, object]) -> str | None:
    defect = record.get("defect")
    if isinstance(defect, Mapping) and isinstance(defect.get("kind"), str):
        known = DEFECTS.get(str(defect["kind"]))
        if known is not None:
            return f"{known.problem}: {known.okta}"
    profile = record.get("profile")
    if not isinstance(profile, Mapping):
        return None
    login = profile.get("login")
    if isinstance(login, str) and len(login) > 100:
        return DEFECTS["login-too-long"].okta
    if not profile.get("email"):
        return DEFECTS["missing-email"].okta
    return None


def _records(
    legacy: str, oracle: str | None, password: str | None
) -> Iterator[tuple[dict[str, object], dict[str, object] | None]]:
    """(record, oracle line or None) pairs, matched by login."""
    path = Path(legacy)
    if not legacy.lstrip().startswith("{") and path.is_dir():
        oracle = oracle or str(path / "oracle.jsonl")
        legacy = str(path / "users.jsonl")
        if not Path(legacy).exists():
            raise Usage(f"{path} has no users.jsonl: pass a dataset directory or a record")
    records = _lines(legacy, "--legacy")
    if oracle is not None:
        lines = _lines(oracle, "--oracle")
    elif password is not None and len(records) == 1:
        lines = [{"password": password}]
    else:
        raise Usage("pass --oracle with the oracle line (or oracle.jsonl) for these records")
    by_login = {str(line.get("login")): line for line in lines}
    for record in records:
        profile = record.get("profile")
        login = profile.get("login") if isinstance(profile, Mapping) else record.get("login")
        match = by_login.get(str(login))
        if match is None and len(records) == 1 and len(lines) == 1:
            match = lines[0]
        yield record, match


def _login_of(record: Mapping[str, object]) -> str:
    profile = record.get("profile")
    login = profile.get("login") if isinstance(profile, Mapping) else record.get("login")
    return str(login) if login is not None else "(no login)"


def check_legacy(
    legacy: str,
    oracle: str | None,
    login: str | None,
    sha256_salt: SaltEncoding,
    password: str | None = None,
) -> int:
    """Check every record (or the one with `login`); 0 when all behave as their oracle says."""
    checked = failed = 0
    for record, line in _records(legacy, oracle, password):
        name = _login_of(record)
        if login is not None and name.casefold() != login.casefold():
            continue
        checked += 1
        if line is None:
            verdict = Verdict(False, "no oracle line has this login")
        else:
            verdict = check_conversion(record, line, sha256_salt)
        failed += not verdict.ok
        if not verdict.ok or login is not None or checked == 1:
            print(f"{'ok' if verdict.ok else 'FAIL'} {name}: {verdict.reason}")
    if checked == 0:
        raise Usage(f"no legacy record has login {login!r}" if login else "no records")
    if checked > 1:
        print(f"{checked} records checked: {checked - failed} as the oracle says, {failed} not")
    return OK if failed == 0 else NOT_OK


# ----- a running mock's journal


def last_sign_in(url: str, token: str, login: str) -> Verdict:
    """The newest journal entry of a sign-in by `login`: POST /api/v1/authn, the OIDC hosted
    page's form, or the password grant."""
    entries: list[dict[str, object]] = []
    for path in (AUTHN_PATH, *OIDC_PATHS):
        entries += _journal(url, token, path, login)
    entries.sort(key=lambda e: str(e.get("time") or ""))
    newest = entries[-1] if entries else None
    failures = [e for e in entries if int(str(e.get("status") or 0)) >= 400]
    newest_failure = failures[-1] if failures else None
    if newest is None:
        raise Usage(
            f"no sign-in by {login} in {url}'s journal: sign in once through POST {AUTHN_PATH}"
            " (or the OIDC hosted page, or the password grant)"
            " and run again (the journal keeps only the latest requests)"
        )
    if newest is not newest_failure:
        reason = f"the newest sign-in ({newest.get('time')}) succeeded"
        if newest_failure is not None:
            reason += f"; the one before that failed: {_describe(newest_failure)}"
        return Verdict(True, reason)
    assert newest_failure is not None
    return Verdict(False, f"the newest sign-in failed: {_describe(newest_failure)}")


def _journal(url: str, token: str, path: str, login: str) -> list[dict[str, object]]:
    """Every journal entry of `path` (exact or glob) by `login`, oldest first."""
    session = requests.Session()
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    params: dict[str, str | int] = {"path": path, "limit": 1000}
    found: list[dict[str, object]] = []
    while True:
        try:
            response = session.get(
                f"{url.rstrip('/')}/_mock/requests", params=params, headers=headers, timeout=30
            )
        except requests.RequestException as exc:
            raise Usage(
                f"cannot reach {url} ({type(exc).__name__}): start the mock (mock-okta serve)"
                " or pass the right --url"
            ) from None
        if response.status_code in (401, 403):
            raise Usage(f"{url} refused the token: pass --token with the mock's API token")
        if response.status_code != 200:
            raise Usage(f"{url}/_mock/requests answered {response.status_code}: is it mock-okta?")
        page = response.json()
        for entry in page.get("entries", []):
            if str(entry.get("login") or "").casefold() == login.casefold():
                found.append(entry)
        if page.get("next") is None:
            break
        params["after"] = int(page["next"])
    return found


def _describe(entry: Mapping[str, object]) -> str:
    detail = entry.get("detail") or "the journal gives no detail"
    return f"{entry.get('time')} {entry.get('status')} {entry.get('errorCode')}: {detail}"


# ----- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta doctor",
        description="Say whether Okta will verify a password against an imported hash, and if"
        " not, the likely mistake and its fix.",
    )
    p.add_argument("hash", nargs="?", help="Okta hash object: a JSON file, inline JSON, or -")
    p.add_argument("--password", help="the plaintext that should verify")
    p.add_argument(
        "--legacy", help="legacy record(s): a JSON line, a users.jsonl, or a dataset dir"
    )
    p.add_argument(
        "--oracle", help="the oracle line(s): a JSON line or oracle.jsonl (or give --password)"
    )
    p.add_argument("--login", help="only this login (with --legacy); the user (with --url)")
    p.add_argument("--url", help="a running mock, e.g. http://127.0.0.1:8080")
    p.add_argument("--token", default="test-token", help="the mock's API token")
    add_sha256_salt_option(p)
    return p


def run(args: argparse.Namespace) -> int:
    sha256_salt = SaltEncoding(args.sha256_salt)
    if args.url is not None:
        if not args.login:
            raise Usage("--url needs --login: the user whose sign-in to explain")
        verdict = last_sign_in(args.url, args.token, args.login)
    elif args.legacy is not None:
        return check_legacy(args.legacy, args.oracle, args.login, sha256_salt, args.password)
    else:
        if args.hash is None and sys.stdin.isatty():
            raise Usage(
                "pass a hash object (a file, inline JSON or - for stdin), --legacy or --url"
            )
        if args.password is None:
            raise Usage("pass --password with the plaintext that should verify")
        verdict = check_hash(_load(args.hash or "-", "the hash object"), args.password, sha256_salt)
    print(verdict.reason)
    return OK if verdict.ok else NOT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except Usage as exc:
        print(f"mock-okta doctor: {exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    raise SystemExit(main())
