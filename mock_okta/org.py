"""One mock Okta org: everything the server holds, built in one place, free of Flask.

Runtime configuration and the virtual clock offset live in the database's `meta` table under a
generation number, so every worker process picks up a change on its next request.
"""

from __future__ import annotations

import json
import os
import threading
import time

from mock_okta.apps import Apps
from mock_okta.authn import Authn
from mock_okta.clock import MAX_OFFSET_SECONDS, Clock, SystemClock
from mock_okta.concurrency import Inflight, Shared
from mock_okta.config import ConfigError, RuntimeConfig, Settings
from mock_okta.db import Database
from mock_okta.diagnosis import diagnose
from mock_okta.faults import FaultError, FaultPlan, FaultRule, parse_rule
from mock_okta.hook_caller import HookCaller
from mock_okta.hooks import InlineHooks
from mock_okta.ids import IdFactory, derived_id
from mock_okta.journal import Journal
from mock_okta.oauth import AuthorizationServers
from mock_okta.principal_rate_limits import PrincipalRateLimits, Share
from mock_okta.ratelimit import CONCURRENCY, WINDOW_SECONDS, RateLimiter, limits_for, share_of
from mock_okta.store import Store
from mock_okta.syslog import LimitEvents, SystemLog
from mock_okta.tokens import ApiToken, Tokens


class Org:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        db: Database | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        publish: bool = True,
        shared: Shared | None = None,
        inflight_slot: int = 0,
    ) -> None:
        """`publish=False` in a worker: take the configuration the server published instead.

        `shared` is memory made before the server forks (in-flight counts, rate windows).
        """
        self.settings = settings or Settings()
        self.db = db or Database(self.settings.db)
        self.clock: Clock = clock or SystemClock()
        self._advanced = 0.0  # seconds an injected clock was advanced through this org
        self.ids = ids or IdFactory(self.settings.seed)
        self._runtime = self.settings.runtime
        self._limits: dict[str, int] = {}
        self._generation = -1
        self._seen_generation = -1
        self._lock = threading.Lock()
        self.server_errors: list[BaseException] = []
        self.pid = os.getpid()  # the worker process this org serves
        self.tokens = Tokens(self.settings.tokens)
        shared = self._shared = shared or Shared(tokens=len(self.tokens))
        self.db.on_generation = self._tell_workers
        if shared.tokens < len(self.tokens):
            raise ValueError(
                f"shared memory made for {shared.tokens} tokens, not {len(self.tokens)}"
            )
        self.limiter = RateLimiter(self.db, self.clock, shared.windows)
        self.inflight = Inflight(shared.inflight, inflight_slot)
        self._shares: dict[str, Share] = {}
        self._token_limits: dict[tuple[str, int], int | None] = {}  # until the next refresh
        self.principal_rate_limits = PrincipalRateLimits(
            self.db,
            self.clock,
            self.ids,
            self.tokens,
            lambda: self._runtime.token_share,
            self.refresh,
        )
        self.faults = FaultPlan(self.db)
        # The journal writer gets its own connection to a file store, so requests never wait
        # for a batch behind this process's lock (SQLite still orders the commits).
        journal_db = self.db if self.db.is_memory else Database(self.db.path)
        self.journal = Journal(
            journal_db, self.settings.journal_limit, pending=shared.pending, slot=inflight_slot
        )
        if publish:
            self.publish(self.settings.runtime)
        self.store = Store(self.db, self.clock, self.ids, self.settings, self.runtime)
        self.syslog = self.store.syslog = SystemLog(
            self.db,
            self.clock,
            self.ids,
            retention=self.settings.syslog_retention,
            enabled=self.settings.syslog_events,
        )
        self.limit_events = LimitEvents(self.syslog)
        self.refresh()
        self.apps = Apps(self.db, self.clock, self.ids, self.settings, self.store)
        # Stable for a store and reproducible under --seed, like the default user type it names.
        self.org_id = derived_id("00o", b"mock-okta-org", self.store.default_type_id)
        self.inline_hooks = InlineHooks(self.db, self.clock, self.ids)
        caller = HookCaller(
            self.inline_hooks, self.clock, self.ids, lambda: self._runtime.hook_timeout_seconds
        )
        self.authn = Authn(self.store, diagnose=diagnose, hook=caller)
        self.oauth = AuthorizationServers(
            self.db,
            self.clock,
            self.ids,
            self.store,
            self.apps,
            self.authn,
            lambda: self._runtime.time_scale,
            self.org_id,
        )

    # ----- shared runtime state

    def publish(self, runtime: RuntimeConfig) -> None:
        """Make `runtime` the configuration at start-up and after every reset."""
        with self.db.write() as conn:
            conn.execute("DELETE FROM rate_windows")  # windows do not outlive a restart
            for key, value in (
                ("startup_runtime", runtime.dumps()),
                ("runtime", runtime.dumps()),
                ("clock_offset", "0"),
            ):
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            self.db.bump_generation(conn)

    def sync(self) -> None:
        """Per request: pick up what another worker changed, if it changed anything.

        Every change bumps a generation in memory all workers share, so a request reads
        nothing from the database unless the configuration moved.
        """
        seen = self._shared.generation.get_obj().value  # one aligned load: no lock to wait for
        if seen != self._seen_generation:
            self._seen_generation = seen
            self.refresh()

    def refresh(self) -> None:
        """Re-read the shared configuration if its generation moved."""
        with self.db.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row[0]) if row else 0
            if generation == self._generation:
                return
            values = dict(
                conn.execute(
                    "SELECT key, value FROM meta WHERE key IN ('runtime', 'clock_offset', 'resets')"
                ).fetchall()
            )
            shares = self.principal_rate_limits.shares(conn)
        with self._lock:
            self._shares = shares
            self._token_limits = {}
            if "runtime" in values:
                self._runtime = RuntimeConfig.from_json(json.loads(values["runtime"]))
                self._limits = limits_for(self._runtime.rate_limits, self._runtime.limits)
            if "clock_offset" in values and isinstance(self.clock, SystemClock):
                self.clock.offset = float(values["clock_offset"])
            self.journal.resets = int(values.get("resets", 0))
            self.faults.reload()
            self.store.schemas.invalidate()  # a user type or schema may have changed
            if hasattr(self, "oauth"):
                self.oauth.keys.forget()  # another worker may have rotated the signing keys
            self._generation = generation

    def runtime(self) -> RuntimeConfig:
        return self._runtime

    def limit(self, bucket: str) -> int | None:
        """Per-minute limit of `bucket` (or the concurrency limit); None when unlimited."""
        if bucket == CONCURRENCY and self._runtime.concurrency_limit is not None:
            return self._runtime.concurrency_limit
        return self._limits.get(bucket)

    def share(self, token: ApiToken) -> Share:
        """The token's share: its principal rate limit's, else the org's default."""
        default = self._runtime.token_share
        return self._shares.get(token.id) or Share(default, default)

    def token_limit(self, bucket: str, token: ApiToken | None) -> int | None:
        """The most `token` may use of `bucket` (or of the concurrency limit); None: no cap."""
        if token is None:
            return None
        key = (bucket, token.index)
        if key not in self._token_limits:
            limit = self.limit(bucket)
            share = self.share(token)
            percent = share.concurrency_percentage if bucket == CONCURRENCY else share.percentage
            self._token_limits[key] = None if limit is None else share_of(limit, percent)
        return self._token_limits[key]

    def window(self, okta_seconds: float = WINDOW_SECONDS) -> float:
        """An Okta time window in real seconds, under the time scale."""
        return okta_seconds / self._runtime.time_scale

    def add_fault(self, raw: object) -> FaultRule:
        rule = parse_rule(raw, "flt" + self.ids.token(12))
        if rule.drop and self.settings.server == "granian":
            raise FaultError(
                "drop needs mock-okta serve --server gunicorn (the default): granian gives the"
                " app no connection to close"
            )
        self.faults.add(rule, self.clock.now())
        self._changed()
        return rule

    def rotate_oauth_keys(self, server: str) -> str:
        """A new signing key for an authorization server, for every worker; returns its kid."""
        kid = self.oauth.rotate_keys(server)
        self._changed()
        return kid

    def clear_faults(self) -> None:
        self.faults.clear()
        self._changed()

    def _changed(self) -> None:
        with self.db.write() as conn:
            self.db.bump_generation(conn)
        self.refresh()

    def _tell_workers(self) -> None:
        """After every commit that bumped the generation (`Database.write` calls it): every
        worker, this one included, re-reads the configuration on its next request."""
        with self._shared.generation.get_lock():
            self._shared.generation.value += 1

    def configure(self, changes: dict[str, object]) -> RuntimeConfig:
        """Apply wire-named changes to the runtime configuration for every worker."""
        with self.db.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'runtime'").fetchone()
            current = RuntimeConfig.from_json(json.loads(row[0])) if row else self._runtime
            updated = current.updated(changes)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'runtime'", (updated.dumps(),))
            self.db.bump_generation(conn)
        self.refresh()
        return updated

    def advance_clock(self, seconds: float) -> float:
        """Move virtual time forward for every worker; returns the new offset.

        Raises ConfigError, changing nothing, if time would move beyond MAX_OFFSET_SECONDS.
        """
        if isinstance(self.clock, SystemClock):
            with self.db.write() as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = 'clock_offset'").fetchone()
                offset = (float(row[0]) if row else 0.0) + seconds
                _check_offset(offset)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('clock_offset', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (repr(offset),),
                )
                self.db.bump_generation(conn)
            self.refresh()
            return offset
        _check_offset(self._advanced + seconds)  # an injected clock: this org's advances
        self.clock.advance(seconds)
        self._advanced += seconds
        return seconds

    def reset(self) -> None:
        """Empty the org: users, groups, user types and schemas, tokens, journal, counters and
        faults; the default type, its schema and Everyone as at start-up; configuration too.

        One transaction, which also counts the reset: every worker's journal then drops the
        entries it queued before it, so counters after a reset count only later requests.
        """
        self.limiter.reset()
        self.journal.discard()
        with self.db.read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'startup_runtime'").fetchone()
        startup = RuntimeConfig.from_json(json.loads(row[0])) if row else self.settings.runtime
        with self.db.write() as conn:
            self.db.clear_tables(conn)
            self.store.restore_defaults(conn)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'runtime'", (startup.dumps(),))
            conn.execute("UPDATE meta SET value = '0' WHERE key = 'clock_offset'")
            conn.execute("DELETE FROM meta WHERE key = 'plan'")  # the dashboard's (ui/plan.py)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('resets', '1')"
                " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            self.db.bump_generation(conn)
        self.ids.reseed(self.settings.seed)
        self.refresh()

    def bucket_stats(self) -> dict[str, dict[str, object]]:
        """Per bucket: requests, 429s, and the projected duration in real Okta.

        Projection = from the start of the first window to the later of the last request and
        the moment the last window's requests would have used their share of a full window,
        × time scale:
        a run that fills 20 windows of 60 s projects 20 minutes, however fast each was filled.
        """
        scale = self._runtime.time_scale
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT bucket, requests, limited, first_seen, origin, last_seen, window_start,"
                " window_seconds, window_used, window_limit FROM bucket_stats ORDER BY bucket"
            ).fetchall()
        out: dict[str, dict[str, object]] = {}
        for bucket, requests, limited, first, origin, last, start, window, used, limit in rows:
            observed = float(last) - float(first)
            share = float(window) * min(1.0, int(used) / int(limit)) if limit else 0.0
            done = max(float(last), float(start) + share) - float(origin)
            # Under --time-scale a window's nominal start can fall after a short burst's last
            # request (its end is on a whole second): never a negative duration.
            done = max(done, 0.0)
            out[str(bucket)] = {
                "requests": int(requests),
                "rateLimited": int(limited),
                "limitPerMinute": int(limit),
                "firstSeen": round(self.real_time(float(first)), 3),
                "start": round(self.real_time(float(origin)), 3),
                "observedSeconds": round(observed, 3),
                "projectedOktaSeconds": round(done * scale, 3),
            }
        return out

    def token_stats(self, counters: dict[str, int]) -> list[dict[str, object]]:
        """Per API token (by its id, never its value): its share and its own counts."""
        out: list[dict[str, object]] = []
        for token in self.tokens:
            share = self.share(token)
            prefix = f"token.{token.id}."
            requests = {
                name[len(prefix) + len("bucket.") :]: count
                for name, count in counters.items()
                if name.startswith(f"{prefix}bucket.")
            }
            buckets = {
                bucket: {
                    "requests": count,
                    "rateLimited": counters.get(f"{prefix}limited.{bucket}", 0),
                    "limitPerMinute": self.token_limit(bucket, token),
                }
                for bucket, count in sorted(requests.items())
            }
            out.append(
                {
                    "id": token.id,
                    "share": share.percentage,
                    "concurrencyShare": share.concurrency_percentage,
                    "principalRateLimitId": share.entity_id,
                    "requests": counters.get(f"{prefix}requests", 0),
                    "rateLimited": counters.get(f"{prefix}status.429", 0),
                    "inflight": self.inflight.total(token.index),
                    "buckets": buckets,
                }
            )
        return out

    def settle(self) -> None:
        """Make the journal and counters complete: write ours, wait for every other worker's."""
        self.journal.flush()
        deadline = time.monotonic() + 5.0
        while self.journal.unwritten() and time.monotonic() < deadline:
            time.sleep(self.journal.interval / 4)  # other workers flush within an interval

    def close(self) -> None:
        self.journal.close()
        if self.journal.db is not self.db:
            self.journal.db.close()
        self.db.close()

    def real_time(self, mock_time: float) -> float:
        """A mock-clock instant in real epoch seconds, for headers (Date is always real time)."""
        return mock_time - self.clock.offset


def _check_offset(offset: float) -> None:
    if not offset <= MAX_OFFSET_SECONDS:
        raise ConfigError(
            f"the clock may move at most {MAX_OFFSET_SECONDS:.0f} seconds (100 years) in all;"
            " POST /_mock/reset to start again"
        )
