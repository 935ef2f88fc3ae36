"""`mock-okta serve`: the mock behind gunicorn (gthread workers, the default) or granian
(`--server granian`), never Flask's dev server."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import importlib.util
import os
import shlex
import socket
import ssl
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from mock_okta import tls
from mock_okta.app import create_app
from mock_okta.concurrency import MAX_WORKERS, Shared
from mock_okta.config import DEFAULT_TOKEN, ConfigError, Settings, parse_limits
from mock_okta.db import MEMORY
from mock_okta.org import Org
from mock_okta.tls import TlsFiles

SERVERS = ("gunicorn", "granian")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-okta serve",
        description="Serve a local Okta (Users, Groups, Apps, Authn and more) on HTTP, or HTTPS"
        " with --tls.",
        epilog="Every flag also reads MOCK_OKTA_<NAME> (e.g. MOCK_OKTA_PORT); flags win.",
    )
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--db", help="SQLite file (default mock-okta.db) or :memory:")
    parser.add_argument(
        "--token", action="append", help="API token to accept (repeatable; default test-token)"
    )
    parser.add_argument("--seed", type=int, help="seed ids and tokens for reproducible runs")
    parser.add_argument(
        "--rate-limits",
        metavar="PROFILE|FILE",
        help="workforce (default), customer-identity, one-app, integrator-free, off, or a JSON"
        " file of per-minute bucket limits",
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="BUCKET=N",
        help="per-minute limit for one bucket, e.g. users.collection=300 (repeatable)",
    )
    parser.add_argument(
        "--time-scale", type=float, help="make Okta's time windows N times shorter (default 1)"
    )
    parser.add_argument("--concurrency-limit", type=int, help="requests in flight org-wide")
    parser.add_argument(
        "--token-share",
        type=int,
        metavar="P",
        help="percent of every bucket (and of the concurrency limit) one API token may use"
        " (default 50, as in Okta; 100 turns the share off)",
    )
    parser.add_argument(
        "--token-limit-header",
        choices=("share", "org"),
        help="X-Rate-Limit-Limit of a capped token: its share (default) or the org's limit",
    )
    parser.add_argument(
        "--concurrency-reset-seconds",
        type=float,
        metavar="S",
        help="how far ahead a concurrency 429's X-Rate-Limit-Reset points (default 60, in Okta"
        " seconds)",
    )
    parser.add_argument(
        "--sha256-salt",
        choices=("literal", "base64", "either"),
        help="how SHA-256 salts are read (default literal, as Okta did in devforum thread 3613)",
    )
    parser.add_argument(
        "--hook-on-update",
        choices=("any", "staged"),
        help="which users an update may point at the password import hook: any status"
        " (default, as Okta since 2023.06) or staged only (older orgs)",
    )
    parser.add_argument(
        "--no-media-type-check",
        dest="media_type_check",
        action="store_false",
        default=None,
        help="read a body whatever its Content-Type (Okta answers 400 E0000021 to a body its"
        " endpoint does not read: JSON for the API, a form for OAuth)",
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        help="the HTTP server: gunicorn (default) or granian (Rust, faster; no drop faults)",
    )
    parser.add_argument("--workers", type=int, help="worker processes (default 1)")
    parser.add_argument("--threads", type=int, help="threads per worker (default 128)")
    parser.add_argument("--org-url", help="base URL for links (default: the request's host)")
    parser.add_argument(
        "--profile-property",
        action="append",
        default=[],
        metavar="NAME",
        help="add a string custom property to the default user schema at start-up, if missing"
        " (repeatable; the schema API changes it later)",
    )
    parser.add_argument("--access-log", action="store_true", help="log each request to stderr")
    tls = parser.add_argument_group("HTTPS")
    tls.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a local CA made once (trust its ca.pem)",
    )
    tls.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="where the CA and certificate live (default: mock-okta-tls/ beside the --db file;"
        " the current folder for :memory:)",
    )
    tls.add_argument(
        "--tls-name",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name or IP the certificate covers, beyond 127.0.0.1 and localhost"
        " (repeatable)",
    )
    tls.add_argument("--certfile", help="serve HTTPS with your own certificate (PEM) instead")
    tls.add_argument("--keyfile", help="the private key of --certfile (PEM)")
    return parser


def settings_from_args(args: argparse.Namespace, environ: dict[str, str]) -> Settings:
    """Defaults, then MOCK_OKTA_* variables, then flags."""
    settings = Settings.from_env(environ)
    values: dict[str, Any] = {}
    names = ("host", "port", "db", "seed", "server", "workers", "threads", "org_url")
    for name in (*names, "tls_dir", "certfile", "keyfile"):
        if getattr(args, name) is not None:
            values[name] = getattr(args, name)
    if args.token:
        values["tokens"] = tuple(args.token)
    if args.profile_property:
        values["custom_profile_properties"] = frozenset(args.profile_property)
    if args.access_log:
        values["access_log"] = True
    if args.tls:
        values["tls"] = True
    if args.tls_name:
        values["tls_names"] = tuple(args.tls_name)
    runtime: dict[str, object] = {}
    if args.rate_limits is not None:
        runtime.update(rate_limit_setting(args.rate_limits))
    if args.limit:
        runtime["limits"] = {**settings.runtime.limits, **parse_limits(args.limit)}
    if args.time_scale is not None:
        runtime["timeScale"] = args.time_scale
    if args.concurrency_limit is not None:
        runtime["concurrencyLimit"] = args.concurrency_limit
    if args.token_share is not None:
        runtime["tokenShare"] = args.token_share
    if args.token_limit_header is not None:
        runtime["tokenLimitHeader"] = args.token_limit_header
    if args.concurrency_reset_seconds is not None:
        runtime["concurrencyResetSeconds"] = args.concurrency_reset_seconds
    if args.sha256_salt is not None:
        runtime["sha256Salt"] = args.sha256_salt
    if args.hook_on_update is not None:
        runtime["hookOnUpdate"] = args.hook_on_update
    if args.media_type_check is not None:
        runtime["mediaTypeCheck"] = args.media_type_check
    if runtime:
        values["runtime"] = settings.runtime.updated(runtime)
    settings = dataclasses.replace(settings, **values)
    check(settings)
    return settings


def rate_limit_setting(value: str) -> dict[str, object]:
    """A profile name, or a JSON file of `{"bucket": per-minute}` (profile: workforce)."""
    path = Path(value)
    if path.suffix == ".json" or path.exists():
        import json

        try:
            limits = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--rate-limits {value}: cannot read a JSON object ({exc})") from None
        if not isinstance(limits, dict):
            raise ConfigError(f"--rate-limits {value}: the file must hold a JSON object")
        profile = str(limits.pop("profile", "workforce"))
        share = limits.pop("tokenShare", None)  # a team that sized its org otherwise
        return {"rateLimits": profile, "limits": limits} | (
            {"tokenShare": share} if share is not None else {}
        )
    return {"rateLimits": value}


def check(settings: Settings) -> None:
    from mock_okta.ratelimit import PROFILES

    if settings.runtime.rate_limits not in PROFILES:
        known = ", ".join(PROFILES)
        raise ConfigError(
            f"unknown rate-limit profile {settings.runtime.rate_limits!r}; use {known}"
        )
    if settings.db == MEMORY and settings.workers > 1:
        raise ConfigError("--db :memory: cannot be shared by several workers; use a file")
    if not 1 <= settings.workers <= MAX_WORKERS or settings.threads < 1:
        raise ConfigError(f"--workers must be 1 to {MAX_WORKERS} and --threads at least 1")
    if not settings.tokens:
        raise ConfigError("at least one --token is required")
    if settings.server not in SERVERS:
        raise ConfigError(f"unknown server {settings.server!r}; use {' or '.join(SERVERS)}")
    if settings.server == "granian" and importlib.util.find_spec("granian") is None:
        raise ConfigError("--server granian needs granian: pip install 'granian>=2.8,<2.9'")


class MockOktaServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with our settings; each worker builds its own app on the shared database."""

    def __init__(self, settings: Settings, tls: TlsFiles | None = None) -> None:
        self.settings = settings
        self.tls = tls
        # Before the fork: every worker sees this memory (a block per token).
        self.shared = Shared(tokens=len(settings.tokens))
        self.inflight_slot = 0
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options: dict[str, object] = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "worker_class": "gthread",
            "threads": s.threads,
            "keepalive": 5,
            "timeout": 120,
            "graceful_timeout": 5,
            "accesslog": "/dev/stderr" if s.access_log else None,  # as --help says; "-" is stdout
            "logger_class": "mock_okta.access_log.RedactingLogger",  # no secret in a query
            "errorlog": "-",
            "loglevel": "warning",
            "when_ready": self._announce,
            "pre_fork": self._pre_fork,
            "post_fork": self._post_fork,
            # PARITY: gunicorn answers requests over these limits itself (414 URI Too Long,
            # 431 Request Header Fields Too Large, 400 for a malformed request line) with a small
            # HTML page and closes the connection, as an edge proxy in front of Okta would.
            "limit_request_line": 8190,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
            **gunicorn_tls(self.tls),
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        publish = self.settings.db == MEMORY  # a file store was prepared before the fork
        org = Org(
            self.settings,
            publish=publish,
            shared=self.shared,
            inflight_slot=self.inflight_slot,
        )
        return create_app(org=org)

    def _pre_fork(self, server: Any, worker: Any) -> None:
        """Give the new worker a free in-flight slot (a replaced worker's slot is reused)."""
        used = {getattr(w, "mock_okta_slot", -1) for w in server.WORKERS.values()}
        worker.mock_okta_slot = min(set(range(MAX_WORKERS)) - used)

    def _post_fork(self, server: Any, worker: Any) -> None:
        self.inflight_slot = worker.mock_okta_slot

    def _announce(self, server: Any) -> None:
        host, port = server.LISTENERS[0].sock.getsockname()[:2]
        announce(self.settings, self.tls, host, port)


def announce(settings: Settings, files: TlsFiles | None, host: str, port: int) -> None:
    """The start-up banner on stderr (tests and the harness wait for its `serving` line)."""
    s = settings
    url = f"{s.scheme}://{host}:{port}"
    store = s.db if s.db == MEMORY else str(Path(s.db).resolve())
    runtime = s.runtime
    more = f" (+{len(s.tokens) - 1} more)" if len(s.tokens) > 1 else ""
    # A token of the user's own is a secret: logs (CI's included) never show it.
    token = s.tokens[0] if s.tokens[0] == DEFAULT_TOKEN else "<your --token>"
    ca = files.ca_file if files else None
    overrides = ", ".join(f"{bucket} {n}" for bucket, n in runtime.limits.items())
    limits_text = f" ({overrides})" if overrides else ""
    curl = f"curl --cacert {shlex.quote(str(ca))}" if ca else "curl"
    print(
        f"mock-okta {_version()} serving {url}\n"
        f"  token: {token}{more}"
        f"   store: {store}   workers: {s.workers} ({s.server})\n"
        f"  rate limits: {runtime.rate_limits}"
        f"{limits_text}"
        f", {runtime.token_share}% per token"
        f"   time scale: {runtime.time_scale:g}x\n"
        f"{tls.banner(files)}"
        f"  try: {curl} -H 'Authorization: SSWS {token}' {url}/api/v1/users",
        file=sys.stderr,
        flush=True,
    )


def gunicorn_tls(files: TlsFiles | None) -> dict[str, object]:
    """The TLS files in gunicorn's settings (granian takes the same as ssl_cert and ssl_key)."""
    if files is None:
        return {}
    built: list[ssl.SSLContext] = []

    def ssl_context(_conf: Any, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        # gunicorn builds a context (reading the files) per connection; one per worker will do.
        if not built:
            built.append(default())
        return built[0]

    # PARITY: HTTP/1.1 over TLS 1.2 or 1.3 (Python's defaults), no HTTP/2 by ALPN; whether
    # Okta's edge offers h2 is unconfirmed here, and every client tested speaks HTTP/1.1.
    return {
        "certfile": str(files.certfile),
        "keyfile": str(files.keyfile),
        "ssl_context": ssl_context,
    }


def port_taken(host: str, port: int) -> str | None:
    """One line with the fix when another process listens on host:port (gunicorn would retry
    for seconds, then print raw errors); None when the port is free, or 0 (any free one)."""
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return None  # gunicorn reports anything else itself
            other = port + 1 if port < 65535 else 8081
            return (
                f"mock-okta serve: port {port} on {host} is already in use (another mock-okta?);"
                f" pick another with --port {other}, MOCK_OKTA_PORT={other}"
                f' or make run ARGS="--port {other}"'
            )
    return None


def _version() -> str:
    from mock_okta import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_args(args, dict(os.environ))
        files = tls.prepare(settings)
    except ConfigError as exc:
        print(f"mock-okta serve: {exc}", file=sys.stderr)
        return 2
    taken = port_taken(settings.host, settings.port)
    if taken:
        print(taken, file=sys.stderr)
        return 2
    if settings.db != MEMORY:
        # Schema and start-up configuration, once. Every connection is closed before the fork:
        # one left to the garbage collector (the journal's) could close in the master later
        # and, as SQLite's last connection there, delete the WAL the workers write to.
        Org(settings, publish=True).close()
    if settings.server == "granian":
        from mock_okta import granian_server

        shared = Shared(tokens=len(settings.tokens))  # before the fork: every worker sees it
        granian_server.run(settings, files, shared, lambda h, p: announce(settings, files, h, p))
    else:
        MockOktaServer(settings, files).run()
    return 0
