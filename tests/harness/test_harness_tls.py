"""`--harness-tls`: the harness serves the mock over HTTPS, so a tool that insists on https://
runs unmodified: {org_url} is https://, {ca_file} and REQUESTS_CA_BUNDLE name the mock's CA."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOL = [sys.executable, "-m", "tests.harness.https_only"]
COMMAND = (
    " ".join(TOOL) + " --ca {ca_file} --org {org_url} --token {token} --input {dataset}"
    " --mode {mode} --state {workdir}/state.json"
)


def test_a_tool_that_insists_on_https_passes_the_harness_over_tls(tmp_path: Path) -> None:
    args = [
        sys.executable, "-m", "mock_okta", "harness", "-m", "import", "--harness-tls",
        "--migration-cmd", COMMAND, "--harness-users", "40", "--report", str(tmp_path),
        "--harness-workdir", str(tmp_path / "work"),
    ]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (scenario,) = json.loads((tmp_path / "report.json").read_text())["scenarios"]
    assert scenario["name"] == "import"
    assert all(check["ok"] for check in scenario["checks"]), scenario["checks"]
    log = (tmp_path / "work" / "import" / "tool-1-import.log").read_text()
    ca = tmp_path / "work" / "tls" / "ca.pem"
    assert f"--ca {ca} --org https://127.0.0.1:" in log
    assert "complete" in log


def test_the_tool_refuses_http_so_the_test_above_proves_https(tmp_path: Path) -> None:
    plain = [*TOOL, "--ca", "", "--org", "http://127.0.0.1:9", "--token", "t", "--input", "x"]
    done = subprocess.run(plain, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "must start with https://" in done.stderr
