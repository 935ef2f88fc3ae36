"""A harness session and its scenarios: what the scenario tests use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace

import pytest

from mock_okta.harness.checks import Json, Verdict, expected_users
from mock_okta.harness.commands import CommandNotFound
from mock_okta.harness.report import ScenarioReport
from mock_okta.harness.runner import (
    HarnessConfig,
    Mock,
    Scenario,
    real_scenario,
    reused_scenario,
    scenario,
)
from mock_okta.profile import login_key

REPORTS = pytest.StashKey[list[ScenarioReport]]()


class Harness:
    def __init__(
        self, config: HarnessConfig, pytest_config: pytest.Config, served: Mock | None = None
    ) -> None:
        self.config = config
        self.pytest_config = pytest_config
        self.served = served  # a mock already served: each scenario resets it, none is started

    @property
    def real(self) -> bool:
        return bool(self.pytest_config.getoption("--okta-target") == "real")

    @contextmanager
    def scenario(
        self,
        name: str,
        *,
        limits: dict[str, int] | None = None,
        needs_control_plane: bool = False,
    ) -> Iterator[Checked]:
        config = self.config
        if limits:
            config = replace(config, limits={**config.limits, **limits})
        if self.real and needs_control_plane:
            pytest.skip(f"{name} needs the mock's control plane (faults, limits, journal)")
        report = ScenarioReport(
            name, time_scale=config.time_scale, rate_limits=limits_label(config)
        )
        self.pytest_config.stash[REPORTS].append(report)
        if self.real:
            url = self.pytest_config.getoption("--okta-url")
            token = self.pytest_config.getoption("--okta-token")
            token2 = self.pytest_config.getoption("--okta-token2")
            if not url or not token:
                pytest.fail("--okta-target real needs --okta-url and --okta-token")
            report.time_scale, report.rate_limits = 1.0, "your org"
            with stop_if_not_found(), real_scenario(name, config, url, token, token2) as s:
                yield Checked(s, report)
            return
        served = self.served
        fresh = reused_scenario(name, config, served) if served else scenario(name, config)
        with stop_if_not_found(), fresh as s:
            checked = Checked(s, report)
            try:
                yield checked
            finally:
                checked.collect()


@contextmanager
def stop_if_not_found() -> Iterator[None]:
    """A tool the shell cannot find fails every scenario the same way: say so once, and stop."""
    try:
        yield
    except CommandNotFound as exc:
        pytest.exit(f"mock-okta harness: {exc}", returncode=127)


def dataset_counts(records: Sequence[Json], oracle: Mapping[str, Json]) -> str:
    """The dataset's records as a correct tool handles them; the parts add up to the whole."""
    importable = len(expected_users(records, oracle))
    hooked = sum(
        1 for r in records if oracle.get(login_key(str(r["profile"]["login"])), {}).get("via")
        == "hook" and oracle[login_key(str(r["profile"]["login"]))].get("canLogIn")
    )  # fmt: skip
    rest = len(records) - importable - hooked
    return (
        f"{len(records):,} records: {importable:,} to create with their hash (the users checked"
        f" below), {hooked:,} through the password import hook, {rest:,} a correct tool skips"
        " (defective)"
    )


def limits_label(config: HarnessConfig) -> str:
    """The limits a scenario runs at, for the report: the profile and what overrides it."""
    overrides = ", ".join(
        f"{bucket} {n}" + ("" if bucket == "concurrency" else "/min")
        for bucket, n in config.limits.items()
    )
    return f"{config.rate_limits}{'; ' + overrides if overrides else ''}"


class Checked:
    """A scenario plus its verdicts: `expect()` records them in the report, then asserts."""

    def __init__(self, scenario: Scenario, report: ScenarioReport) -> None:
        self.s = scenario
        self.report = report

    @property
    def real(self) -> bool:
        return not isinstance(self.s.org, Mock)

    @property
    def mock(self) -> Mock:
        """The mock's own side (control plane, journal): not there against a real org."""
        assert isinstance(self.s.org, Mock), "this scenario needs the mock"
        return self.s.org

    def expect(self, *verdicts: Verdict) -> None:
        self.report.verdicts.extend(verdicts)
        failed = [v for v in verdicts if not v.ok]
        assert not failed, "\n".join(f"{v.check}: {v.reason}" for v in failed)

    def skipped(self, check: str, why: str) -> Verdict:
        return Verdict(check, True, f"skipped: {why}")

    def collect(self) -> None:
        """Totals of the tool's own traffic for the report (the harness's checks excluded)."""
        self.report.runs = list(self.s.runs)
        if self.s.datasets:
            data = self.s.datasets[0]
            self.report.facts.insert(0, ("dataset", dataset_counts(data.records, data.oracle)))
        mock = self.s.org
        stats = self.s.tool_stats
        if isinstance(mock, Mock) and stats is not None:
            self.report.requests = int(stats["counters"].get("requests", 0))
            self.report.rate_limited = int(stats["counters"].get("status.429", 0))
            self.report.projected_seconds = mock.projected_seconds(stats)
