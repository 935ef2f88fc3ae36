"""`mock-okta harness`: the contract harness from any repository, as one command.

    mock-okta harness --migration-cmd "./migrate --org {org_url} --token {token} \\
        --input {dataset} --mode {mode}"

Every option of `pytest contract_tests` is accepted (see `mock-okta harness --help`), plus
pytest's own (`-m "import or rerun"` selects scenarios, `-x` stops at the first failure). The
report goes to ./harness-report unless `--report DIR` says otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mock_okta.harness.commands import missing_command, tool_env

HERE = Path(__file__).resolve().parent
DEFAULT_REPORT = "harness-report"
PYTEST_HELP = "--pytest-help"
WIDTH = 30  # the help column


class _Options:
    """Records `pytest_addoption`'s options, for a help of the harness's own."""

    def __init__(self) -> None:
        self.options: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def getgroup(self, *_args: object) -> _Options:
        return self

    def addoption(self, *names: str, **kwargs: Any) -> None:
        self.options.append((names, kwargs))


def short_help() -> str:
    """The harness's options first, then a pointer to pytest's (`--pytest-help`)."""
    from mock_okta.harness import conftest

    recorded = _Options()
    conftest.pytest_addoption(recorded)  # type: ignore[arg-type]
    lines = [
        "usage: mock-okta harness [options] [pytest options]",
        "",
        "Runs your migration tool against a fresh local Okta per scenario and checks the org.",
        "",
        "options:",
    ]
    for names, kwargs in recorded.options:
        if kwargs.get("help") == argparse.SUPPRESS:
            continue
        action = kwargs.get("action")
        if action == "store_true":
            flag = names[0]
        elif action is argparse.BooleanOptionalAction:
            flag = f"{names[0]}, --no-{names[0][2:]}"
        elif "choices" in kwargs:
            flag = f"{names[0]} {{{','.join(kwargs['choices'])}}}"
        else:
            number = kwargs.get("type") in (int, float)
            flag = f"{names[0]} {kwargs.get('metavar') or ('N' if number else 'VALUE')}"
        text = str(kwargs.get("help", "")).replace("%%", "%")
        wrapped = textwrap.wrap(text, 98 - WIDTH, break_on_hyphens=False) or [""]
        if len(flag) > WIDTH - 4:
            lines.append(f"  {flag}")
            lines += [f"{'':<{WIDTH}}{line}" for line in wrapped]
        else:
            lines.append(f"  {flag:<{WIDTH - 2}}{wrapped[0]}")
            lines += [f"{'':<{WIDTH}}{line}" for line in wrapped[1:]]
    lines += [
        "",
        'scenarios (select with -m, e.g. -m "import or rerun"):',
        *(f"  {name:<10} {text}" for name, text in conftest.SCENARIOS.items()),
        "",
        "pytest options also work (-m NAME, -x, -k, -v, --junitxml …):",
        f"  `mock-okta harness {PYTEST_HELP}` lists them.",
    ]
    return "\n".join(lines)


def _value(args: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "-h" in args or "--help" in args:
        print(short_help())
        return 0
    report = _value(args, "--report")
    if PYTEST_HELP in args:
        args = [a for a in args if a != PYTEST_HELP] + ["--help"]
    elif report is None:
        report = DEFAULT_REPORT
        args += ["--report", report]
    if (command := _value(args, "--migration-cmd")) and (
        missing := missing_command(command, tool_env())
    ):
        print(
            f"mock-okta harness: command not found: {missing} (the first word of"
            " --migration-cmd; give a path, or put it on PATH)",
            file=sys.stderr,
        )
        return 127
    if report and not any(a.startswith("--junitxml") for a in args):
        args.append(f"--junitxml={Path(report) / 'junit.xml'}")
    with tempfile.TemporaryDirectory() as tmp:
        # An empty ini of our own: the calling repository's pytest settings stay out of it.
        ini = Path(tmp) / "pytest.ini"
        # Plugins of other packages the harness never uses stay unloaded (a faster start).
        ini.write_text(
            "[pytest]\naddopts = -ra -p no:locust -p no:schemathesis -p no:faker"
            " -p no:hypothesispytest\n"
        )
        # A temporary folder of this run's own: harnesses run side by side never share one.
        own_tmp = (
            [] if any(a.startswith("--basetemp") for a in args) else ["--basetemp", f"{tmp}/tmp"]
        )
        code = pytest.main(
            [str(HERE), "-c", str(ini), "--rootdir", str(HERE), "-p", "no:cacheprovider"]
            + ([] if "--help" in args else ["--harness-cli"])
            + own_tmp
            + args
        )
    written = Path(report or DEFAULT_REPORT).resolve() / "report.html"
    if report and written.exists() and "--help" not in args:
        print(f"harness report: {written} (also report.md, report.json, junit.xml)")
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
