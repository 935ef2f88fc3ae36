"""Benchmark `mock-okta dataset`: users per second, without slow hashes on one core, and with.

    python -m mock_okta.tools.bench_dataset [--users 250000] [--slow-users 20000] [--jobs N]

Target (issue 5): at least 50,000 users/s on one core without bcrypt (250,000 users in 5 s).
CPU seconds are reported beside wall seconds because a busy machine stretches wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mock_okta.tools.dataset import Options, generate, parse_mix

TARGET_USERS_PER_SECOND = 50_000


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    mix: str
    users: int
    jobs: int


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    wall: float
    cpu: float  # this process and its pool workers

    def line(self) -> str:
        s = self.scenario
        return (
            f"{s.name:<44} {s.users:>8,} users  jobs={s.jobs}  wall {self.wall:6.2f} s"
            f" ({s.users / self.wall:>9,.0f} users/s)  cpu {self.cpu:6.2f} s"
            f" ({s.users / max(self.cpu, 1e-9):>9,.0f} users/cpu-s)"
        )


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(scenario: Scenario, seed: int = 1) -> Result:
    options = Options(
        users=scenario.users, seed=seed, mix=parse_mix(scenario.mix), jobs=scenario.jobs
    )
    with tempfile.TemporaryDirectory(prefix="mock-okta-bench-") as tmp:
        cpu, wall = _cpu(), time.perf_counter()
        generate(options, Path(tmp))
        return Result(scenario, time.perf_counter() - wall, _cpu() - cpu)


def scenarios(users: int, slow_users: int, jobs: int) -> list[Scenario]:
    digests = "sha256=40,sha512=20,sha1=20,md5=20"
    return [
        Scenario("no bcrypt or PBKDF2 (sha*, md5), one core", digests, users, 1),
        Scenario(
            "default mix, no bcrypt (PBKDF2 4096 at 17%)",
            "sha256=33,sha512=17,sha1=17,md5=16,pbkdf2=17",
            slow_users,
            jobs,
        ),
        Scenario(
            "default mix (bcrypt cost 4 at 40%, PBKDF2 10%)",
            "bcrypt=40,sha256=20,sha512=10,sha1=10,md5=10,pbkdf2=10",
            slow_users,
            jobs,
        ),
        Scenario("bcrypt only (cost 4)", "bcrypt=1", slow_users, jobs),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mock_okta.tools.bench_dataset")
    p.add_argument("--users", type=int, default=250_000, help="users for the one-core run")
    p.add_argument("--slow-users", type=int, default=20_000, help="users for the slow-hash runs")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    results = [run(s) for s in scenarios(args.users, args.slow_users, args.jobs)]
    for result in results:
        print(result.line())
    first = results[0]
    rate = first.scenario.users / max(first.cpu, 1e-9)
    verdict = "meets" if rate >= TARGET_USERS_PER_SECOND else "misses"
    print(f"one-core rate {rate:,.0f} users/cpu-s {verdict} the {TARGET_USERS_PER_SECOND:,} target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
