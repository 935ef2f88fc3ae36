"""`mock-okta hook-server`: a password import inline hook that checks passwords as the legacy
system would, from a dataset's users file, for rehearsing a just-in-time migration.

    mock-okta hook-server --dataset users.jsonl [--host 127.0.0.1] [--port 8081]
                          [--auth-header "Authorization: secret"]

It reads Okta's request (`data.context.credential.username` and `password`), finds the legacy
user by login (as spelt; else case-insensitively, or by the name before the @, when only one
login matches), checks the password with the legacy scheme's own rules (tools/legacy.py) and
answers VERIFIED or UNVERIFIED. With `--auth-header`, a request without that header gets 401
(and Okta's sign-in fails). It never reads the oracle. Behind gunicorn instead of its own
threaded server:

    gunicorn -k gthread --threads 8 -b 127.0.0.1:8081 \\
        'mock_okta.tools.hook_server:create_app("users.jsonl", "Authorization: secret")'
"""

from __future__ import annotations

import argparse
import csv
import hmac
import json
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from mock_okta.tools.legacy import (
    LegacyFormatError,
    LegacyPassword,
    parse_legacy,
    to_json,
    verify_legacy,
)
from mock_okta.tools.records import user_from_csv, user_from_json

ACTION_UPDATE: Final = "com.okta.action.update"
MAX_REQUEST_BYTES: Final = 64 * 1024
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def command(credential: str) -> dict[str, object]:
    """The hook's answer (SPEC PasswordImportResponse)."""
    return {"commands": [{"type": ACTION_UPDATE, "value": {"credential": credential}}]}


@dataclass(frozen=True, slots=True)
class Check:
    login: str | None  # the legacy login the username matched, if any
    credential: str  # VERIFIED or UNVERIFIED
    reason: str  # for the log: never the password


class LegacyUsers:
    """The legacy store as the hook sees it: each login's password, as the old system keeps it."""

    def __init__(self, passwords: Mapping[str, LegacyPassword]) -> None:
        self._passwords = dict(passwords)
        folded: dict[str, list[str]] = {}
        for login in passwords:
            folded.setdefault(login.casefold(), []).append(login)
            if "@" in login:
                folded.setdefault(login.split("@", 1)[0].casefold(), []).append(login)
        # another spelling finds a login only when it means exactly one
        self._unique = {key: logins[0] for key, logins in folded.items() if len(logins) == 1}

    def __len__(self) -> int:
        return len(self._passwords)

    @classmethod
    def from_file(cls, path: Path) -> LegacyUsers:
        """users.jsonl or users.csv of a dataset (or the dataset directory)."""
        if path.is_dir():
            csv_path = path / "users.csv"
            path = csv_path if csv_path.exists() else path / "users.jsonl"
        passwords: dict[str, LegacyPassword] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            if path.suffix == ".csv":
                users = (user_from_csv(row) for row in csv.DictReader(fh))
            else:
                users = (user_from_json(json.loads(text)) for text in fh if text.strip())
            for user in users:
                try:
                    passwords[user.login] = parse_legacy(user.password)
                except LegacyFormatError:
                    continue  # the legacy system could not log this user in either
        return cls(passwords)

    def check(self, username: str, password: str) -> Check:
        login = username if username in self._passwords else self._unique.get(username.casefold())
        if login is None:
            return Check(None, "UNVERIFIED", "no such legacy user")
        legacy = self._passwords[login]
        ok = verify_legacy(password, legacy)
        scheme = str(to_json(legacy)["scheme"])
        if ok is None:
            return Check(login, "UNVERIFIED", f"cannot check a {scheme} password")
        return Check(login, "VERIFIED" if ok else "UNVERIFIED", scheme)


def parse_auth_header(text: str | None) -> tuple[str, str] | None:
    """`"Authorization: secret"` to ("Authorization", "secret")."""
    if not text:
        return None
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or not value.strip():
        raise ValueError('--auth-header takes "Name: value", e.g. "Authorization: secret"')
    return name.strip(), value.strip()


class HookApp:
    """The hook as a WSGI application: POST Okta's request, get VERIFIED or UNVERIFIED."""

    def __init__(
        self,
        users: LegacyUsers,
        auth: tuple[str, str] | None = None,
        log: IO[str] | None = None,
    ) -> None:
        self.users = users
        self.auth = auth
        self.log = log
        self._log_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status, body, note = self._answer(environ)
        data = json.dumps(body).encode("utf-8")
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        if self.log is not None:
            ms = (time.perf_counter() - started) * 1000
            with self._log_lock:
                print(f"{status.split()[0]} {note} ({ms:.0f} ms)", file=self.log, flush=True)
        return [data]

    def _answer(self, environ: dict[str, Any]) -> tuple[str, object, str]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", {"error": "POST Okta's hook request"}, "not a POST"
        if self.auth is not None:
            name, expected = self.auth
            given = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return "401 Unauthorized", {"error": f"missing or wrong {name}"}, "bad auth header"
        credential = _credential(environ)
        if credential is None:
            error = "expected Okta's request: data.context.credential.username and password"
            return "400 Bad Request", {"error": error}, "not a password import request"
        check = self.users.check(*credential)
        note = f"{check.login or credential[0]}: {check.credential} ({check.reason})"
        return "200 OK", command(check.credential), note


def _credential(environ: dict[str, Any]) -> tuple[str, str] | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_REQUEST_BYTES:
        return None
    try:
        body = json.loads(environ["wsgi.input"].read(length))
        credential = body["data"]["context"]["credential"]
        username, password = credential["username"], credential["password"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    if isinstance(username, str) and isinstance(password, str):
        return username, password
    return None


def create_app(dataset: str, auth_header: str | None = None) -> HookApp:
    """The WSGI app for gunicorn: `'mock_okta.tools.hook_server:create_app("users.jsonl")'`."""
    return HookApp(LegacyUsers.from_file(Path(dataset)), parse_auth_header(auth_header), sys.stderr)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # HookApp logs one line per request itself


class HookServer:
    """The hook on its own threaded server: `start()`, `url`, `stop()` (port 0: a free one)."""

    def __init__(self, app: HookApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> HookServer:
        threading.Thread(
            target=self.server.serve_forever, args=(0.1,), name="hook-server", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta hook-server",
        description="Serve a password import inline hook that verifies passwords against a"
        " dataset's legacy hashes.",
    )
    p.add_argument("--dataset", required=True, type=Path, help="users.jsonl or users.csv")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081, help="0 picks a free port (default 8081)")
    p.add_argument("--auth-header", help='required header, e.g. "Authorization: secret"')
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        auth = parse_auth_header(args.auth_header)
    except ValueError as exc:
        parser.error(str(exc))
    if not args.dataset.exists():
        parser.error(f"--dataset {args.dataset} does not exist")
    users = LegacyUsers.from_file(args.dataset)
    server = HookServer(HookApp(users, auth, sys.stderr), args.host, args.port)
    print(f"hook-server: {server.url} verifies {len(users)} legacy users", flush=True)
    try:
        server.server.serve_forever(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
