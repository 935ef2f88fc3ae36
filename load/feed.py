"""Per-process state of a run: the items each scenario works through, and the shared pacing.

Item numbers are leased from a `Ledger` in the coordinating process (Locust's master, or the
only process) over Locust's custom messages, so processes and workers never send the same
login. When every item of every scenario is done, the coordinating process quits the run.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import gevent  # type: ignore[import-untyped]
from gevent.event import Event  # type: ignore[import-untyped]
from locust import events
from locust.env import Environment
from locust.runners import WORKER_REPORT_INTERVAL, MasterRunner, WorkerRunner
from locust.stats import CSV_STATS_INTERVAL_SEC

from mock_okta.load.data import DataError, Item
from mock_okta.load.ledger import Ledger
from mock_okta.load.options import option

log = logging.getLogger("mock_okta.load")
LEASE = "mock-okta:lease"  # worker -> master: {"scenario"}
BATCH = "mock-okta:batch"  # master -> worker: {"scenario", "start", "stop"}; empty: no more
DONE = "mock-okta:done"  # worker -> master: {"scenario", "count"} once its leases are done


class ScenarioUser(Protocol):
    """What a user class with items provides (see users.py)."""

    scenario: str | None

    @classmethod
    def load_items(cls, environment: Environment) -> list[Item]: ...

    @classmethod
    def rounds(cls, environment: Environment) -> int: ...

    @classmethod
    def prepare(cls, environment: Environment, items: Sequence[Item]) -> None: ...


class Pacer:
    """One process's pause per request name: until X-Rate-Limit-Reset, shared by its users."""

    def __init__(self, align: bool) -> None:
        self.align = align
        self.until: dict[str, float] = {}
        self.limit: dict[str, int] = {}

    def wait(self, key: str) -> None:
        now = time.time()
        if key not in self.until:
            # under --time-scale the mock ends windows on whole seconds: start on one too
            self.until[key] = math.floor(now) + 1.0 if self.align else 0.0
        pause = self.until[key] - now
        if pause > 0:
            gevent.sleep(pause)

    def observe(
        self, key: str, status: int, limit: str | None, remaining: str | None, reset: str | None
    ) -> float:
        """Learn from one answer; returns how long this user alone must wait (a 429 not shared)."""
        if reset is None or limit is None:
            return 1.0 if status == 429 else 0.0
        reset_at, limit_n = float(reset), int(limit)
        if status != 429:
            self.limit[key] = limit_n
            if remaining == "0":  # the window is used up: nobody in this process sends more
                self.until[key] = max(self.until.get(key, 0.0), reset_at)
            return 0.0
        if limit_n == self.limit.get(key, limit_n) and limit_n > 0:
            self.until[key] = max(self.until.get(key, 0.0), reset_at)
            return 0.0
        # a concurrency 429 (Limit 0) or a per-user authn limit: only this request waits
        return max(0.0, min(reset_at - time.time(), 1.0))


@dataclass(slots=True)
class Feed:
    """The item numbers this process holds for one scenario; users take them one at a time."""

    scenario: str
    items: list[Item]
    rounds: int
    coordinator: Coordinator
    queue: deque[int] = field(default_factory=deque)
    arrived: Event = field(default_factory=Event)
    asking: bool = False
    ended: bool = False
    inflight: int = 0
    completed: int = 0
    reported: bool = False

    def take(self) -> tuple[Item, int] | None:
        """The next (item, round), waiting for a lease if need be; None once all are done."""
        while True:
            if len(self.queue) <= self.coordinator.batch // 2 and not self.ended:
                self._ask()
            if self.queue:
                n = self.queue.popleft()
                self.inflight += 1
                return self.items[n % len(self.items)], n // len(self.items)
            if self.ended:
                return None
            self.arrived.clear()
            self.arrived.wait(1.0)

    def done(self) -> None:
        self.inflight -= 1
        self.completed += 1
        self._finish_if_done()

    def _ask(self) -> None:
        if self.asking:
            return
        self.asking = True
        self.coordinator.ask(self.scenario)

    def receive(self, numbers: range) -> None:
        self.asking = False
        if not numbers:
            self.ended = True
        self.queue.extend(numbers)
        self.arrived.set()
        self._finish_if_done()

    def _finish_if_done(self) -> None:
        if self.ended and not self.queue and self.inflight == 0 and not self.reported:
            self.reported = True
            self.coordinator.report(self.scenario, self.completed)


class Coordinator:
    """A process's feeds and pacer; in the coordinating process, also the ledgers."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.ledgers: dict[str, Ledger] = {}
        self.feeds: dict[str, Feed] = {}
        self.pacer = Pacer(option(environment, "align_start") == "true")
        self.batch = max(1, int(option(environment, "batch")))
        self.finished = False
        runner = environment.runner
        if isinstance(runner, MasterRunner):
            runner.register_message(LEASE, self._on_lease)
            runner.register_message(DONE, self._on_done)
        elif isinstance(runner, WorkerRunner):
            runner.register_message(BATCH, self._on_batch)

    @property
    def coordinating(self) -> bool:
        return not isinstance(self.environment.runner, WorkerRunner)

    @property
    def sending(self) -> bool:
        return not isinstance(self.environment.runner, MasterRunner)

    def start(self) -> None:
        """At test start: read each scenario's items; lease from a fresh ledger."""
        self.ledgers.clear()
        self.feeds.clear()
        self.finished = False
        self.pacer = Pacer(option(self.environment, "align_start") == "true")
        self.batch = max(1, int(option(self.environment, "batch")))
        for cls in self._selected():
            scenario: str | None = getattr(cls, "scenario", None)
            if scenario is None or scenario in self.feeds or scenario in self.ledgers:
                continue
            try:
                self._load(scenario, cast(ScenarioUser, cls))
            except (DataError, OSError, ValueError) as exc:
                log.error("mock-okta: %s: %s", scenario, exc)
                self.environment.process_exit_code = 2
                self._quit("cannot start")
                return
        if self.coordinating and self.ledgers and all(x.complete for x in self.ledgers.values()):
            gevent.spawn_later(0.5, self._quit, "nothing to send")

    def _selected(self) -> list[type[Any]]:
        """The user classes of this run. A worker started on its own (`locust --worker`) knows
        every class of the locustfile, so the master passes its selection in the options it
        sends with the spawn message."""
        classes: list[type[Any]] = list(self.environment.user_classes)
        options = self.environment.parsed_options
        if options is None:
            return classes
        if self.coordinating:
            options.mock_okta_user_classes = [c.__name__ for c in classes]
            return classes
        names = getattr(options, "mock_okta_user_classes", None)
        return classes if names is None else [c for c in classes if c.__name__ in names]

    def _load(self, scenario: str, user: ScenarioUser) -> None:
        items = user.load_items(self.environment)
        rounds = user.rounds(self.environment) if items else 0
        if self.coordinating:
            user.prepare(self.environment, items)
            self.ledgers[scenario] = Ledger(len(items) * rounds, self.batch)
            log.info("%s: %d items x %d round(s)", scenario, len(items), rounds)
        if self.sending:
            self.feeds[scenario] = Feed(scenario, items, rounds, self)

    # ----- leases

    def ask(self, scenario: str) -> None:
        runner = self.environment.runner
        if isinstance(runner, WorkerRunner):
            runner.send_message(LEASE, {"scenario": scenario})
        else:
            self.feeds[scenario].receive(self.ledgers[scenario].lease())

    def report(self, scenario: str, count: int) -> None:
        runner = self.environment.runner
        if isinstance(runner, WorkerRunner):
            runner.send_message(DONE, {"scenario": scenario, "count": count})
        else:
            self._finish(scenario, count)

    def _on_lease(self, environment: Environment, msg: Any, **_kwargs: Any) -> None:
        scenario = msg.data["scenario"]
        runner = environment.runner
        assert isinstance(runner, MasterRunner)
        ledger = self.ledgers.get(scenario)
        numbers = ledger.lease(max(runner.worker_count, 1)) if ledger else range(0)
        data = {"scenario": scenario, "start": numbers.start, "stop": numbers.stop}
        runner.send_message(BATCH, data, client_id=msg.node_id)

    def _on_batch(self, environment: Environment, msg: Any, **_kwargs: Any) -> None:
        feed = self.feeds.get(msg.data["scenario"])
        if feed is not None:
            feed.receive(range(msg.data["start"], msg.data["stop"]))

    def _on_done(self, environment: Environment, msg: Any, **_kwargs: Any) -> None:
        self._finish(msg.data["scenario"], int(msg.data["count"]))

    def _finish(self, scenario: str, count: int) -> None:
        ledger = self.ledgers.get(scenario)
        if ledger is None:
            return
        ledger.finish(count)
        if not self.finished and all(x.complete for x in self.ledgers.values()):
            done = ", ".join(f"{k} {x.done:,}" for k, x in self.ledgers.items())
            self._quit(f"every item done ({done})")

    def _quit(self, why: str) -> None:
        if self.finished:
            return
        self.finished = True
        log.info("mock-okta: %s; stopping", why)
        runner = self.environment.runner
        if runner is None:
            return

        def stop_then_quit() -> None:
            # Locust writes its CSV once a second and not at exit: let it write the last
            # samples. A master first waits for every worker's next report; a master's stop()
            # would drop its workers until they are ready again, and quit() would miss them.
            if isinstance(runner, MasterRunner):
                gevent.sleep(WORKER_REPORT_INTERVAL)
            else:
                runner.stop()
            gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.5)
            runner.quit()

        gevent.spawn(stop_then_quit)


_COORDINATORS: weakref.WeakKeyDictionary[Environment, Coordinator] = weakref.WeakKeyDictionary()


def coordinator(environment: Environment) -> Coordinator:
    found = _COORDINATORS.get(environment)
    if found is None:
        found = _COORDINATORS[environment] = Coordinator(environment)
    return found


@events.init.add_listener  # type: ignore[untyped-decorator]
def _install(environment: Environment, **_kwargs: Any) -> None:
    coordinator(environment)  # message handlers must be registered before the test starts


@events.test_start.add_listener  # type: ignore[untyped-decorator]
def _start(environment: Environment, **_kwargs: Any) -> None:
    coordinator(environment).start()
