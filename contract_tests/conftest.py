"""The migration contract harness: options, markers, the `harness` fixture and the report.

    pytest contract_tests --migration-cmd "./my-tool --org {org_url} --token {token} \\
        --token {token2} --input {dataset} --mode {mode} --state {workdir}/state.json"

Without --migration-cmd the harness tests mock-okta's own reference migrator (its self-test).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mock_okta.config import parse_limits
from mock_okta.harness.commands import missing_command, tool_env
from mock_okta.harness.contract import REPORTS, Harness
from mock_okta.harness.report import write
from mock_okta.harness.runner import REFERENCE_COMMAND, HarnessConfig
from mock_okta.tools.dataset import DEFAULT_MIX, parse_mix

SCENARIOS = {
    "import": "one run of the tool (mode import) on a fresh org",
    "rerun": "the same import twice: nothing duplicated, nothing re-created",
    "delta": "premigrate, then the dataset's later state (mode delta), then cutover",
    "ratelimit": "a low rate limit, so the tool meets 429s and must wait for resets",
    "faults": "injected 503s, latency and dropped connections at a few percent",
    "hook": "unimportable hashes through the password import inline hook (mode hook)",
    "oidc": "after an import, every customer signs in through an OIDC app's code flow",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-okta harness", "migration contract harness")
    group.addoption(
        "--migration-cmd",
        default=None,
        metavar="COMMAND",
        help="the tool under test; placeholders {org_url} {token} {token2} {dataset}"
        " {workdir} {mode} {ca_file} (default: mock-okta's reference migrator)",
    )
    group.addoption(
        "--harness-tls",
        action="store_true",
        help="serve the mock over HTTPS: {org_url} is https://, its CA is {ca_file} and in"
        " REQUESTS_CA_BUNDLE, SSL_CERT_FILE and NODE_EXTRA_CA_CERTS",
    )
    group.addoption(
        "--harness-dataset",
        default=None,
        metavar="DIR",
        help="your own dataset instead of a generated one: DIR/users.jsonl and DIR/oracle.jsonl"
        " (as `mock-okta dataset` writes them; manifest.json for custom fields)",
    )
    group.addoption(
        "--harness-mix",
        default=DEFAULT_MIX,
        metavar="SCHEME=W,…",
        help=f"legacy hash schemes of the generated datasets (default {DEFAULT_MIX})",
    )
    group.addoption(
        "--harness-users", type=int, default=200, help="users per generated dataset (default 200)"
    )
    group.addoption(
        "--harness-seed", type=int, default=1, help="generated datasets' seed (default 1)"
    )
    group.addoption(
        "--harness-bad", type=float, default=0.05, help="share of defective records (0.05 = 5%%)"
    )
    group.addoption(
        "--harness-groups",
        type=int,
        default=30,
        help="legacy groups per dataset (0: none); above 20, some users are in more than 20",
    )
    group.addoption(
        "--harness-custom-fields",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="custom legacy fields in the datasets (default: on)",
    )
    group.addoption(
        "--rate-limits",
        default="workforce",
        metavar="PROFILE",
        help="the mock's rate-limit profile (default workforce)",
    )
    group.addoption(
        "--limit",
        action="append",
        default=[],
        metavar="BUCKET=N",
        help="override one bucket's per-minute limit (repeatable)",
    )
    group.addoption(
        "--time-scale",
        type=float,
        default=60.0,
        help="mock time compression (default 60: an Okta minute per second)",
    )
    group.addoption(
        "--harness-timeout",
        type=float,
        default=600.0,
        help="seconds each tool run may take (default 600)",
    )
    group.addoption(
        "--harness-grace",
        type=float,
        default=0.25,
        help="seconds after a 429 during which requests already in flight may land",
    )
    group.addoption(
        "--harness-workdir",
        default=None,
        metavar="DIR",
        help="where datasets, logs and mock stores go (default: DIR/work of --report, else a"
        " pytest tmp dir)",
    )
    group.addoption(
        "--report",
        default=None,
        metavar="DIR",
        help="write report.md, report.html, report.json and junit.xml to DIR, the tools' logs"
        " to DIR/work (mock-okta harness: default ./harness-report)",
    )
    group.addoption("--harness-cli", action="store_true", help=argparse.SUPPRESS)
    group.addoption(
        "--okta-target",
        choices=("mock", "real"),
        default="mock",
        help="'real' runs the checks that need no control plane against a real org",
    )
    group.addoption(
        "--hook-url",
        default=None,
        metavar="URL",
        help="your hook service (default: mock-okta hook-server)",
    )
    group.addoption(
        "--hook-auth", default=None, metavar="'HEADER: VALUE'", help="the header it expects"
    )
    group.addoption(
        "--okta-url",
        default=None,
        metavar="URL",
        help="the real org's URL (with --okta-target real)",
    )
    group.addoption(
        "--okta-token",
        default=None,
        metavar="TOKEN",
        help="its API token (with --okta-target real)",
    )
    group.addoption(
        "--okta-token2",
        default=None,
        metavar="TOKEN",
        help="a second API token of that org for {token2} (default: --okta-token again)",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in SCENARIOS.items():
        config.addinivalue_line("markers", f"{name}: harness scenario — {text}")
    config.stash[REPORTS] = []
    own_dataset(config.getoption("--harness-dataset"), 0)  # a usage error before any scenario
    try:
        parse_mix(config.getoption("--harness-mix"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc).replace("--mix", "--harness-mix")) from None


def pytest_sessionfinish(session: pytest.Session) -> None:
    reports = session.config.stash.get(REPORTS, [])
    target = session.config.getoption("--report", None)
    if target and reports:
        command = session.config.getoption("--migration-cmd") or "mock-okta migrate (reference)"
        write(reports, command, Path(target))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    target = terminalreporter.config.getoption("--report", None)
    if terminalreporter.config.getoption("--harness-cli", False):
        return  # `mock-okta harness` prints the report's path last, after pytest's summary
    if target and (Path(target) / "report.md").exists():
        terminalreporter.write_line(f"harness report: {Path(target).resolve() / 'report.md'}")


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Harness:
    option = request.config.getoption
    command = option("--migration-cmd") or REFERENCE_COMMAND
    missing = missing_command(command, tool_env())
    if missing:
        pytest.exit(
            f"mock-okta harness: command not found: {missing} (the first word of --migration-cmd;"
            " give a path, or put it on PATH)",
            returncode=127,
        )
    dataset, users = own_dataset(option("--harness-dataset"), option("--harness-users"))
    workdir = option("--harness-workdir")
    report = option("--report")
    config = HarnessConfig(
        command=command,
        dataset=dataset,
        mix=option("--harness-mix"),
        users=users,
        seed=option("--harness-seed"),
        rate_limits=option("--rate-limits"),
        limits=parse_limits(option("--limit")),
        time_scale=option("--time-scale"),
        timeout=option("--harness-timeout"),
        grace=option("--harness-grace"),
        bad=option("--harness-bad"),
        groups=option("--harness-groups"),
        custom_fields=option("--harness-custom-fields"),
        hook_url=option("--hook-url"),
        hook_auth=option("--hook-auth"),
        tls=option("--harness-tls"),
        workdir=Path(workdir)
        if workdir
        else Path(report).resolve() / "work"
        if report
        else tmp_path_factory.mktemp("harness"),
    )
    return Harness(config, request.config)


def own_dataset(directory: str | None, users: int) -> tuple[Path | None, int]:
    """--harness-dataset DIR, checked, and its number of users (it replaces --harness-users)."""
    if directory is None:
        return None, users
    path = Path(directory).resolve()
    missing = [name for name in ("users.jsonl", "oracle.jsonl") if not (path / name).is_file()]
    if missing:
        raise pytest.UsageError(
            f"--harness-dataset {directory}: no {' or '.join(missing)} there"
            " (make one with `mock-okta dataset --users 200 --out DIR`)"
        )
    with (path / "users.jsonl").open() as lines:
        return path, sum(1 for line in lines if line.strip())
