"""Every setting with its default, and the one place that reads MOCK_OKTA_* variables.

`Settings` is fixed for the life of a server. `RuntimeConfig` is the part a test may change while
it runs (`PUT /_mock/config`); it lives in the database so every worker sees the same values.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from mock_okta.hashing import DEFAULT_SHA256_SALT, SaltEncoding
from mock_okta.ratelimit import BUCKETS, CONCURRENCY, PROFILES

DEFAULT_TOKEN: Final = "test-token"
DEFAULT_DB: Final = "mock-okta.db"
HOOK_ON_UPDATE: Final = ("any", "staged")
TOKEN_LIMIT_HEADERS: Final = ("share", "org")
# Upper bounds of run-time settings: far beyond any real org, well inside what SQLite's 64-bit
# integers, the shared rate windows and datetime can hold (a larger value once broke writes).
MAX_PER_MINUTE: Final = 1_000_000_000
MAX_COUNT: Final = 1_000_000_000  # attempts, minutes, per-second limits
MAX_TIME_SCALE: Final = 1_000_000.0
MAX_SECONDS: Final = 86_400.0  # hook timeout, concurrency reset


class ConfigError(ValueError):
    """A setting that cannot be used; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    rate_limits: str = "workforce"  # a profile name from ratelimit.PROFILES
    limits: Mapping[str, int] = field(default_factory=dict)  # per-bucket overrides, per minute
    time_scale: float = 1.0
    concurrency_limit: int | None = None  # None: the profile's
    authn_per_user_per_second: int = 4
    lockout_attempts: int = 10  # Okta's default maxAttempts; 0 turns lockout off
    auto_unlock_minutes: int = 0  # Okta's default: no auto-unlock
    sha256_salt: SaltEncoding = DEFAULT_SHA256_SALT
    diagnose_failed_logins: bool = True
    # Each call to the password import inline hook waits this long (real seconds, not scaled).
    hook_timeout_seconds: float = 3.0
    # Which users an update may point at the password import hook: "any" status, as Okta has
    # allowed since 2023.06 (reference.md §7.4), or "staged" only, as before.
    hook_on_update: str = "any"
    # Each API token's share of every bucket and of the concurrency limit, in percent, unless a
    # principal rate limit sets its own (Okta's default: 50, DEVDOCS rl2-token-oauth).
    token_share: int = 50
    # PARITY: a concurrency 429's X-Rate-Limit-Reset is "only a suggested value"; real orgs put
    # it one to two minutes ahead (okta-sdk-python#270: 114 s; okta-sdk-nodejs#409). Okta seconds.
    concurrency_reset_seconds: float = 60.0
    # PARITY: which X-Rate-Limit-Limit a capped token sees is undocumented. "share": the token's
    # share, as recorded answers suggest (300 for POST /api/v1/users in an org whose bucket is
    # 600, 375 for /api/v1/sessions at 750); "org": the org-wide limit.
    token_limit_header: str = "share"
    # A list or search that runs longer is stopped and answered 503 E0000100.
    search_budget_ms: int = 2000
    # Refuse a body whose Content-Type the endpoint does not read (mock_okta/media.py), as
    # Okta does; off for a tool that must first be tested on everything else.
    media_type_check: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "rateLimits": self.rate_limits,
            "limits": dict(self.limits),
            "timeScale": self.time_scale,
            "concurrencyLimit": self.concurrency_limit,
            "authnPerUserPerSecond": self.authn_per_user_per_second,
            "lockoutAttempts": self.lockout_attempts,
            "autoUnlockMinutes": self.auto_unlock_minutes,
            "sha256Salt": self.sha256_salt.value,
            "diagnoseFailedLogins": self.diagnose_failed_logins,
            "hookTimeoutSeconds": self.hook_timeout_seconds,
            "hookOnUpdate": self.hook_on_update,
            "tokenShare": self.token_share,
            "concurrencyResetSeconds": self.concurrency_reset_seconds,
            "tokenLimitHeader": self.token_limit_header,
            "searchBudgetMs": self.search_budget_ms,
            "mediaTypeCheck": self.media_type_check,
        }

    def updated(self, changes: Mapping[str, object]) -> RuntimeConfig:
        """A copy with the wire-named `changes` applied; raises ConfigError naming a bad key."""
        names = {
            "rateLimits": "rate_limits",
            "limits": "limits",
            "timeScale": "time_scale",
            "concurrencyLimit": "concurrency_limit",
            "authnPerUserPerSecond": "authn_per_user_per_second",
            "lockoutAttempts": "lockout_attempts",
            "autoUnlockMinutes": "auto_unlock_minutes",
            "sha256Salt": "sha256_salt",
            "diagnoseFailedLogins": "diagnose_failed_logins",
            "hookTimeoutSeconds": "hook_timeout_seconds",
            "hookOnUpdate": "hook_on_update",
            "tokenShare": "token_share",
            "concurrencyResetSeconds": "concurrency_reset_seconds",
            "tokenLimitHeader": "token_limit_header",
            "searchBudgetMs": "search_budget_ms",
            "mediaTypeCheck": "media_type_check",
        }
        values: dict[str, object] = {}
        for key, value in changes.items():
            if key not in names:
                raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(names))}")
            values[names[key]] = _coerce(key, value)
        return dataclasses.replace(self, **values)  # type: ignore[arg-type]

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> RuntimeConfig:
        return cls().updated(raw)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _coerce(key: str, value: object) -> object:
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ConfigError(f"{key} must be {what}, not {value!r}")

    if key == "rateLimits":
        need(isinstance(value, str) and value in PROFILES, f"one of {', '.join(PROFILES)}")
        return value
    if key == "limits":
        need(isinstance(value, Mapping), "an object of bucket: per-minute limit")
        assert isinstance(value, Mapping)
        known = (*BUCKETS, CONCURRENCY)
        for bucket, limit in value.items():
            if bucket not in known:
                raise ConfigError(f"limits: unknown bucket {bucket!r}; known: {', '.join(known)}")
            if not _whole(limit, 0, MAX_PER_MINUTE):
                raise ConfigError(
                    f"limits.{bucket} must be a whole number from 0 to {MAX_PER_MINUTE},"
                    f" not {limit!r}"
                )
        return dict(value)
    if key == "tokenShare":
        need(_whole(value, 1, 100), "a whole number of percent from 1 to 100")
        return value
    if key == "tokenLimitHeader":
        need(value in TOKEN_LIMIT_HEADERS, " or ".join(TOKEN_LIMIT_HEADERS))
        return value
    if key in ("timeScale", "hookTimeoutSeconds", "concurrencyResetSeconds"):
        high = MAX_TIME_SCALE if key == "timeScale" else MAX_SECONDS
        ok = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and 0 < value <= high
        )
        need(ok, f"a number > 0 and <= {high:g}")
        return float(value)  # type: ignore[arg-type]
    if key == "searchBudgetMs":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 600_000
        need(ok, "a whole number of milliseconds from 1 to 600000")
        return value
    if key == "concurrencyLimit":
        if value is None:
            return None
        need(_whole(value, 1, MAX_PER_MINUTE), f"null or a whole number from 1 to {MAX_PER_MINUTE}")
        return value
    if key == "sha256Salt":
        try:
            return SaltEncoding(str(value))
        except ValueError:
            raise ConfigError(
                f"sha256Salt must be one of {', '.join(e.value for e in SaltEncoding)}"
            ) from None
    if key == "hookOnUpdate":
        need(value in HOOK_ON_UPDATE, " or ".join(HOOK_ON_UPDATE))
        return value
    if key in ("diagnoseFailedLogins", "mediaTypeCheck"):
        need(isinstance(value, bool), "true or false")
        return value
    need(_whole(value, 0, MAX_COUNT), f"a whole number from 0 to {MAX_COUNT}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = DEFAULT_DB
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    seed: int | None = None
    server: str = "gunicorn"  # or granian (mock_okta/granian_server.py)
    workers: int = 1
    threads: int = 128  # above the concurrency limit, so Okta's 429 can happen at all
    org_url: str | None = None  # links use the request's host unless set
    max_body_bytes: int = 1_048_576
    journal_limit: int = 200_000
    syslog_events: bool = True  # write System Log events (off only to measure their cost)
    syslog_retention: int = 100_000  # the newest events kept (Okta keeps 90 days)
    # String custom properties added to the default schema at start-up (--profile-property).
    custom_profile_properties: frozenset[str] = frozenset()
    login_must_be_email: bool = True
    access_log: bool = False
    tls: bool = False  # serve HTTPS with a certificate from the local CA (mock_okta/tls.py)
    tls_dir: str | None = None  # the CA and certificate; None: mock-okta-tls/ beside the store
    tls_names: tuple[str, ...] = ()  # names beyond 127.0.0.1 and localhost
    certfile: str | None = None  # a team's own certificate (and key): HTTPS without our CA
    keyfile: str | None = None
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)

    def __post_init__(self) -> None:
        check_tokens(self.tokens)

    @property
    def scheme(self) -> str:
        return "https" if self.tls or self.certfile or self.keyfile else "http"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from MOCK_OKTA_* variables; unset ones keep their defaults."""

        def get(name: str) -> str | None:
            value = environ.get(f"MOCK_OKTA_{name}")
            return value if value not in (None, "") else None

        base = cls()
        values: dict[str, object] = {}
        runtime: dict[str, object] = {}
        for name, key in (
            ("HOST", "host"),
            ("SERVER", "server"),
            ("DB", "db"),
            ("ORG_URL", "org_url"),
            ("TLS_DIR", "tls_dir"),
            ("CERTFILE", "certfile"),
            ("KEYFILE", "keyfile"),
        ):
            if (text := get(name)) is not None:
                values[key] = text
        for name, key in (
            ("PORT", "port"),
            ("SEED", "seed"),
            ("WORKERS", "workers"),
            ("THREADS", "threads"),
            ("MAX_BODY_BYTES", "max_body_bytes"),
            ("JOURNAL_LIMIT", "journal_limit"),
            ("SYSLOG_RETENTION", "syslog_retention"),
        ):
            if (text := get(name)) is not None:
                values[key] = _int(f"MOCK_OKTA_{name}", text)
        if (text := environ.get("MOCK_OKTA_TOKEN")) is not None:
            # Set but empty is a mistake (an unset CI secret, say), not "use the default".
            tokens = tuple(t.strip() for t in text.split(","))
            if not all(tokens):
                raise ConfigError(
                    f"MOCK_OKTA_TOKEN={text!r} holds an empty token: set it to the API token(s)"
                    f" clients send, comma-separated, or unset it to use {DEFAULT_TOKEN}"
                )
            values["tokens"] = tokens
        if (text := get("SYSLOG_EVENTS")) is not None:
            values["syslog_events"] = _bool("MOCK_OKTA_SYSLOG_EVENTS", text)
        if (text := get("TLS")) is not None:
            values["tls"] = _bool("MOCK_OKTA_TLS", text)
        if (text := get("TLS_NAMES")) is not None:
            values["tls_names"] = tuple(n.strip() for n in text.split(",") if n.strip())
        if (text := get("PROFILE_PROPERTIES")) is not None:
            values["custom_profile_properties"] = frozenset(
                p.strip() for p in text.split(",") if p.strip()
            )
        if (text := get("RATE_LIMITS")) is not None:
            runtime["rateLimits"] = text
        if (text := get("LIMITS")) is not None:
            runtime["limits"] = parse_limits(text.split(","))
        if (text := get("TIME_SCALE")) is not None:
            runtime["timeScale"] = _float("MOCK_OKTA_TIME_SCALE", text)
        if (text := get("CONCURRENCY_LIMIT")) is not None:
            runtime["concurrencyLimit"] = _int("MOCK_OKTA_CONCURRENCY_LIMIT", text)
        if (text := get("LOCKOUT_ATTEMPTS")) is not None:
            runtime["lockoutAttempts"] = _int("MOCK_OKTA_LOCKOUT_ATTEMPTS", text)
        if (text := get("SHA256_SALT")) is not None:
            runtime["sha256Salt"] = text
        if (text := get("HOOK_TIMEOUT")) is not None:
            runtime["hookTimeoutSeconds"] = _float("MOCK_OKTA_HOOK_TIMEOUT", text)
        if (text := get("HOOK_ON_UPDATE")) is not None:
            runtime["hookOnUpdate"] = text
        if (text := get("TOKEN_SHARE")) is not None:
            runtime["tokenShare"] = _int("MOCK_OKTA_TOKEN_SHARE", text)
        if (text := get("CONCURRENCY_RESET_SECONDS")) is not None:
            runtime["concurrencyResetSeconds"] = _float("MOCK_OKTA_CONCURRENCY_RESET_SECONDS", text)
        if (text := get("TOKEN_LIMIT_HEADER")) is not None:
            runtime["tokenLimitHeader"] = text
        if (text := get("MEDIA_TYPE_CHECK")) is not None:
            runtime["mediaTypeCheck"] = _bool("MOCK_OKTA_MEDIA_TYPE_CHECK", text)
        if runtime:
            values["runtime"] = base.runtime.updated(runtime)
        return dataclasses.replace(base, **values)  # type: ignore[arg-type]


def check_tokens(tokens: tuple[str, ...]) -> None:
    """Refuse a token no client can send: empty, blank, or with spaces around it.

    An empty token would make `Authorization: SSWS` with nothing after it authenticate.
    """
    for token in tokens:
        if not token.strip():
            raise ConfigError(
                f"an API token may not be empty or blank ({token!r}): give --token (or"
                f" MOCK_OKTA_TOKEN) the token clients send as `Authorization: SSWS <token>`,"
                f" or leave it out to use {DEFAULT_TOKEN}"
            )
        if token != token.strip():
            raise ConfigError(  # the token itself is a secret: never in the message
                "an API token may not begin or end with a space (a client's header loses it):"
                " remove the spaces around the --token (or MOCK_OKTA_TOKEN) value"
            )


def parse_limits(items: list[str] | tuple[str, ...]) -> dict[str, int]:
    """`["users.collection=300", ...]` to `{"users.collection": 300}`."""
    limits: dict[str, int] = {}
    for item in items:
        item = item.strip()
        if not item:
            continue
        bucket, sep, number = item.partition("=")
        if not sep or not bucket.strip():
            raise ConfigError(f"--limit takes BUCKET=N, e.g. users.collection=300; got {item!r}")
        limits[bucket.strip()] = _int(f"--limit {bucket}", number)
    return limits


def _int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {text!r}") from None


def _bool(name: str, text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {text!r}")


def _float(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {text!r}") from None
