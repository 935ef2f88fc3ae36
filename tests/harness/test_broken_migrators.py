"""The harness catches each classic mistake, and names it: one broken migrator per mistake.

Each broken migrator is the reference migrator with one function patched
(tests/harness/broken/); the harness must fail exactly the check that names that mistake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND = (
    f"{sys.executable} -m tests.harness.broken.{{tool}} --org {{{{org_url}}}}"
    " --token {{token}} --input {{dataset}} --mode {{mode}} --state {{workdir}}/state.json"
)
CASES = {
    # broken migrator: (scenario, the one check that must fail, words its reason must say)
    "hex_digests": ("import", "every user logs in", "cannot sign in"),
    "literal_salts": ("import", "every user logs in", "cannot sign in"),
    "ignores_429": ("ratelimit", "waits for X-Rate-Limit-Reset", "before its reset"),
    "recreates_changed": ("delta", "ids stable (no delete and re-create)", "new id"),
    "drops_after_503": ("faults", "every user exists once", "missing"),
}


def _harness(tool: str, scenario: str, out: Path) -> dict[str, object]:
    args = [
        sys.executable, "-m", "mock_okta", "harness", "-m", scenario,
        "--migration-cmd", COMMAND.format(tool=tool).replace("{{", "{").replace("}}", "}"),
        "--harness-users", "80", "--report", str(out), "--harness-workdir", str(out / "work"),
    ]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = out / "report.json"
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, object] = json.loads(report.read_text())
    result["exit"] = done.returncode
    return result


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    base = tmp_path_factory.mktemp("broken")
    with ThreadPoolExecutor(2) as pool:
        futures = {
            tool: pool.submit(_harness, tool, scenario, base / tool)
            for tool, (scenario, _, _) in CASES.items()
        }
        return {tool: f.result() for tool, f in futures.items()}


@pytest.mark.parametrize("tool", list(CASES))
def test_the_harness_fails_exactly_the_check_that_names_the_mistake(
    results: dict[str, dict[str, object]], tool: str
) -> None:
    scenario, check, words = CASES[tool]
    result = results[tool]
    assert result["exit"] != 0
    (found,) = result["scenarios"]  # type: ignore[misc]
    assert found["name"] == scenario
    failed = {c["check"]: c["reason"] for c in found["checks"] if not c["ok"]}
    assert set(failed) == {check}, failed
    assert words in failed[check]
