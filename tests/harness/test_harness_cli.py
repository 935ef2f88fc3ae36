"""`mock-okta harness` as a newcomer meets it: its own short help, a missing tool named once,
the tool run with the harness's own `bin` on PATH, a dataset of the team's own, and the report
in ./harness-report unless told otherwise (issue 16, items 2, 3, 6, 9 and 10)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_okta.harness import cli
from mock_okta.harness.commands import missing_command, not_found_in, tool_env
from mock_okta.harness.runner import HarnessConfig, Scenario

HARNESS = [sys.executable, "-m", "mock_okta", "harness"]
REFERENCE = (
    "mock-okta migrate --org {org_url} --token {token} --token {token2} --input {dataset}"
    " --mode {mode} --state {workdir}/state.json"
)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [*HARNESS, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def test_the_help_is_the_harness_own_options_first_then_a_pointer_to_pytest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "usage: mock-okta harness [options] [pytest options]"
    assert len(lines) < 80, len(lines)
    options = [line.split()[0] for line in lines if line.startswith("  --")]
    assert options[0] == "--migration-cmd"
    for name in ("--harness-dataset", "--harness-mix", "--report", "--harness-tls"):
        assert name in options
    assert "pytest options also work" in lines[-2]
    assert "mock-okta harness --pytest-help" in lines[-1]
    assert not any("--junitxml=path" in line or "--capture" in line for line in lines)


def test_pytest_help_is_there_when_asked_for(tmp_path: Path) -> None:
    done = _run(["--pytest-help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--junit-xml=path" in done.stdout
    assert "--harness-dataset" in done.stdout


def test_a_missing_tool_is_named_once_and_nothing_runs(tmp_path: Path) -> None:
    done = _run(["--migration-cmd", "no-such-migrator --org {org_url}"], tmp_path)
    assert done.returncode == 127
    assert done.stderr.strip().splitlines() == [
        "mock-okta harness: command not found: no-such-migrator (the first word of"
        " --migration-cmd; give a path, or put it on PATH)"
    ]
    assert "exited with status" not in done.stdout
    assert not (tmp_path / "harness-report").exists()


def test_a_program_the_tool_runs_that_is_missing_stops_the_harness_with_its_name(
    tmp_path: Path,
) -> None:
    command = "sh -c 'no-such-inner-step --org {org_url}'"
    done = _run(["-m", "import", "--harness-users", "5", "--migration-cmd", command], tmp_path)
    assert done.returncode == 127, done.stdout[-2000:]
    assert "command not found: no-such-inner-step" in done.stdout
    assert "every user exists once" not in done.stdout  # no cascade of failed checks


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("no-such-tool --x", "no-such-tool"),
        ("./bin/absent --x", "./bin/absent"),
        ("FOO=1 no-such-tool", "no-such-tool"),
        ("sh -c 'anything'", None),
        ("cd sub && ./tool", None),
        ("$TOOL --x", None),
        ("mock-okta migrate --org x", None),  # the harness's own bin is first on PATH
    ],
)
def test_missing_command(command: str, missing: str | None) -> None:
    assert missing_command(command, tool_env()) == missing


@pytest.mark.parametrize(
    ("log", "name"),
    [
        ("$ x\nsh: 1: frobnicate: not found\n", "frobnicate"),
        ("bash: frobnicate: command not found\n", "frobnicate"),
        ("migrated 3 users\n", None),
    ],
)
def test_not_found_in(log: str, name: str | None) -> None:
    assert not_found_in(log) == name


def test_the_tool_runs_with_the_harness_bin_first_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = tool_env()["PATH"].split(":")
    assert path == [str(Path(sys.executable).parent), "/usr/bin", "/bin"]


def test_own_dataset_reference_migrator_off_path_and_the_default_report(tmp_path: Path) -> None:
    """A team's dataset, the reference migrator by name with the venv not activated, and the
    report in ./harness-report, its path the last line."""
    dataset = tmp_path / "legacy"
    made = subprocess.run(
        [sys.executable, "-m", "mock_okta", "dataset", "--users", "25", "--seed", "3",
         "--out", str(dataset)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    assert missing_command("mock-okta", bare) == "mock-okta"  # not on PATH without the harness
    done = _run(
        ["-m", "import", "--harness-dataset", str(dataset), "--migration-cmd", REFERENCE],
        tmp_path,
        env=bare,
    )
    report = tmp_path / "harness-report"
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == (
        f"harness report: {report.resolve() / 'report.html'}"
        " (also report.md, report.json, junit.xml)"
    )
    (scenario,) = json.loads((report / "report.json").read_text())["scenarios"]
    assert all(check["ok"] for check in scenario["checks"]), scenario["checks"]
    exists = next(c for c in scenario["checks"] if c["check"] == "every user exists once")
    assert exists["reason"].startswith("25 users")
    log = (report / "work" / "import" / "tool-1-import.log").read_text()
    assert f"--input {dataset / 'users.jsonl'}" in log
    assert (report / "junit.xml").exists()


def test_a_dataset_folder_without_its_files_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    done = _run(["--harness-dataset", str(tmp_path / "legacy")], tmp_path)
    assert done.returncode == 4
    assert "--harness-dataset" in done.stderr
    assert "no users.jsonl or oracle.jsonl there" in done.stderr


def test_harness_mix_sets_the_generated_datasets_schemes(tmp_path: Path) -> None:
    config = HarnessConfig(mix="md5=1", groups=0, custom_fields=False, bad=0.0)
    data = Scenario("import", config, tmp_path, org=object()).dataset(users=12)  # type: ignore[arg-type]
    assert {r["password"]["scheme"] for r in data.records} == {"md5"}
    default = Scenario("import", HarnessConfig(groups=0, bad=0.0), tmp_path / "d", object())  # type: ignore[arg-type]
    assert len({r["password"]["scheme"] for r in default.dataset(users=60).records}) > 1


def test_a_bad_harness_mix_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(["--harness-mix", "rot13=1"], tmp_path)
    assert done.returncode == 4
    assert "--harness-mix: unknown scheme 'rot13'" in done.stderr


def test_harnesses_run_side_by_side_never_share_pytest_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two runs at once once shared /tmp/pytest-of-<user>, and pytest pruned one's folders."""
    seen: list[list[str]] = []

    def main(args: list[str]) -> int:
        basetemp = Path(args[args.index("--basetemp") + 1])
        assert basetemp.parent.is_dir()  # inside this run's own temporary folder, while it runs
        seen.append(args)
        return 0

    monkeypatch.setattr(cli.pytest, "main", main)
    for n in range(2):
        assert cli.main(["-m", "import", "--report", str(tmp_path / f"r{n}")]) == 0
    first, second = (Path(a[a.index("--basetemp") + 1]) for a in seen)
    assert first != second
    assert not first.parent.exists()  # removed with the run
    cli.main(["-m", "import", "--basetemp", str(tmp_path / "mine")])
    assert seen[-1].count("--basetemp") == 1  # the caller's own wins
