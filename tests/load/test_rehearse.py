"""`mock-okta rehearse`: the mock's projection of a time-scaled run agrees with the plan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.load.conftest import needs_locust

needs_locust()


def test_rehearsal_projection_agrees_with_the_plan(tmp_path: Path) -> None:
    # 301 users at 150/min (the rehearsal's one token gets half of the org's 300, Okta's
    # default share): three windows, the last with one create. With a nearly empty last
    # window the mock's share-of-a-window and the plan's finish-at-latency agree (summary notes).
    # At 60x each 60 s window lasts a real second (about 2 s of windows for 2 min of Okta time);
    # 150 creates a window leave the client room to use each window up even on a busy machine.
    cmd = [sys.executable, "-m", "mock_okta", "rehearse", "--users", "301", "--bad", "2%"]
    cmd += ["--limit", "users.collection=300", "--time-scale", "60", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"]
    assert summary["done"] == summary["items"] == 301
    plan = summary["plan"]["durationSeconds"]
    projected = summary["projection"]["oktaSeconds"]
    assert plan == 120.1
    assert summary["projection"]["buckets"]["users.collection"]["limitPerMinute"] == 150
    assert abs(projected - plan) / plan < 0.05, summary["projection"]
    assert summary["requests"]["failures"] == 0
    assert summary["requests"]["expectedErrors"] > 0  # the bad records: Okta refuses them
    for name in ("locust_stats.csv", "locust.html", "summary.md", "summary.png", "locust.log"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "projection vs plan" in proc.stdout


def test_rehearse_refuses_more_processes_than_clients(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "mock_okta", "rehearse", "--clients", "1", "--processes", "2"]
    proc = subprocess.run([*cmd, "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "--processes cannot exceed --clients" in proc.stderr
