"""Parity mode (`--okta-target real`): only Okta's own API, never the control plane.

Pointed here at a served mock standing in for a preview org, with the control plane unused:
the import scenario runs, the journal checks say they were skipped, the rest skip with a reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mock_okta.testing.served import served

ROOT = Path(__file__).resolve().parents[2]


def test_real_target_runs_what_needs_no_control_plane(tmp_path: Path) -> None:
    token = "parity-token"
    with served(["--db", ":memory:", "--time-scale", "60"], token) as url:
        args = [
            sys.executable, "-m", "mock_okta", "harness", "--okta-target", "real",
            "--okta-url", url, "--okta-token", token, "--harness-users", "40",
            "--report", str(tmp_path), "--harness-workdir", str(tmp_path / "work"), "-rs",
        ]  # fmt: skip
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "needs the mock's control plane" in done.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    ran = {s["name"]: s for s in report["scenarios"]}
    assert set(ran) == {"import"}  # the others were skipped, not failed
    assert ran["import"]["ok"]
    reasons = {c["check"]: c["reason"] for c in ran["import"]["checks"]}
    assert reasons["waits for X-Rate-Limit-Reset"].startswith("skipped: needs the mock's")
    assert reasons["every user logs in"].endswith("signed in with their legacy password")
