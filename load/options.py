"""Command-line options of the scenarios (Locust's own parser) and the fail-ratio guard.

Every option also reads an environment variable; `locust --help` lists them under mock-okta.
"""

from __future__ import annotations

import logging
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import events
from locust import stats as locust_stats
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING, WorkerRunner

log = logging.getLogger("mock_okta.load")
GUARD_MIN_REQUESTS = 20


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def add_options(parser: LocustArgumentParser) -> None:
    group = parser.add_argument_group("mock-okta", "options of the mock-okta scenarios")
    group.add_argument(
        "--token",
        env_var="MOCK_OKTA_TOKEN",
        default="test-token",
        help="API token sent as `SSWS <token>` (default test-token)",
    )
    group.add_argument(
        "--dataset",
        env_var="MOCK_OKTA_DATASET",
        default="",
        help="a directory written by `mock-okta dataset` (the later state for DeltaUser)",
    )
    group.add_argument(
        "--oracle",
        env_var="MOCK_OKTA_ORACLE",
        default="",
        help="plaintexts for LoginUser and DeltaUser (default DATASET/oracle.jsonl)",
    )
    group.add_argument(
        "--mix",
        env_var="MOCK_OKTA_MIX",
        default="",
        help="hash schemes to take from the dataset, with weights, e.g. bcrypt=40,sha256=60"
        " (default: every record)",
    )
    group.add_argument(
        "--activate",
        env_var="MOCK_OKTA_ACTIVATE",
        choices=("true", "false"),
        default="true",
        help="ImportUser: create ACTIVE users (true) or STAGED ones, as a premigration (false)",
    )
    group.add_argument(
        "--rounds",
        env_var="MOCK_OKTA_ROUNDS",
        type=int,
        default=1,
        help="LoginUser: sign-ins per user; the first costs the legacy hash, later ones do not",
    )
    group.add_argument(
        "--seed-org",
        env_var="MOCK_OKTA_SEED_ORG",
        action="store_true",
        default=False,
        help="before LoginUser/DeltaUser, put the users in the mock through /_mock/users"
        " (no rate limit): ACTIVE for logins, STAGED from --base for a delta",
    )
    group.add_argument(
        "--base",
        env_var="MOCK_OKTA_BASE",
        default="",
        help="DeltaUser with --seed-org: the premigrated dataset, seeded STAGED",
    )
    group.add_argument(
        "--since",
        env_var="MOCK_OKTA_SINCE",
        default="",
        help="DeltaUser: list users with filter=lastUpdated gt SINCE (default: the test start)",
    )
    group.add_argument(
        "--page-size",
        env_var="MOCK_OKTA_PAGE_SIZE",
        type=int,
        default=200,
        help="AdminReader and DeltaUser: limit= of list calls (default 200)",
    )
    group.add_argument(
        "--batch",
        env_var="MOCK_OKTA_BATCH",
        type=int,
        default=100,
        help="records a process leases at a time from the coordinating process (default 100)",
    )
    group.add_argument(
        "--align-start",
        env_var="MOCK_OKTA_ALIGN_START",
        choices=("true", "false"),
        default="true",
        help="send each bucket's first request on a whole second, so that under --time-scale"
        " the first rate-limit window is a whole one (default true)",
    )
    group.add_argument(
        "--fail-ratio-limit",
        env_var="MOCK_OKTA_FAIL_RATIO_LIMIT",
        type=float,
        default=0.05,
        help="stop the run with exit code 1 once more than this share of requests failed"
        " (429s are not failures; default 0.05)",
    )


def option(environment: Environment, name: str) -> Any:
    """A parsed option, or its default when Locust runs without a command line (tests)."""
    options = environment.parsed_options
    defaults = {
        "token": "test-token",
        "dataset": "",
        "oracle": "",
        "mix": "",
        "activate": "true",
        "rounds": 1,
        "seed_org": False,
        "base": "",
        "since": "",
        "page_size": 200,
        "batch": 100,
        "align_start": "true",
        "fail_ratio_limit": 0.05,
    }
    return getattr(options, name, defaults.get(name)) if options else defaults.get(name)


def _guard(environment: Environment) -> None:
    """Quit with exit code 1 when the fail ratio passes --fail-ratio-limit (stop_on_threshold)."""
    runner = environment.runner
    assert runner is not None
    limit = float(option(environment, "fail_ratio_limit"))
    while runner.state not in (STATE_STOPPING, STATE_STOPPED, STATE_CLEANUP):
        total = runner.stats.total
        if total.num_requests >= GUARD_MIN_REQUESTS and total.fail_ratio > limit:
            log.error(
                "fail ratio %.1f%% is over --fail-ratio-limit %.1f%%: stopping",
                total.fail_ratio * 100,
                limit * 100,
            )
            environment.process_exit_code = 1
            runner.quit()
            return
        gevent.sleep(1)


@events.init.add_listener  # type: ignore[untyped-decorator]
def start_guard(environment: Environment, **_kwargs: Any) -> None:
    if environment.runner is not None and not isinstance(environment.runner, WorkerRunner):
        gevent.spawn(_guard, environment)


HISTORY_SECONDS = 1  # Locust's default, 5, gives a 20-second rehearsal's HTML charts 3 points


@events.init.add_listener  # type: ignore[untyped-decorator]
def sample_history_every_second(environment: Environment, **_kwargs: Any) -> None:
    """One point a second in locust.html's charts (the history greenlet reads this each time)."""
    locust_stats.HISTORY_STATS_INTERVAL_SEC = HISTORY_SECONDS
