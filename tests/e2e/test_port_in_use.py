"""`mock-okta serve` on a port another process holds: one line with the fix, at once (issue 16,
item 11), instead of gunicorn's retries and raw errors; its banner and the dataset's summary
in words, not Python reprs (item 15)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

from mock_okta.server import port_taken


def test_a_taken_port_is_one_line_naming_the_three_ways_to_pick_another() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mock_okta", "serve", "--port", str(port), "--db", ":memory:"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    other = port + 1
    assert done.stderr.splitlines() == [
        f"mock-okta serve: port {port} on 127.0.0.1 is already in use (another mock-okta?);"
        f' pick another with --port {other}, MOCK_OKTA_PORT={other} or make run ARGS="--port'
        f' {other}"'
    ]


def test_a_free_port_and_port_zero_are_not_taken() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_taken("127.0.0.1", port) is None
    assert port_taken("127.0.0.1", 0) is None


def test_the_banner_and_the_dataset_summary_read_as_words_not_python_reprs(
    tmp_path: Path,
) -> None:
    from mock_okta.testing.served import ServedMock

    with ServedMock(["--db", ":memory:", "--limit", "users.collection=300"], "t") as server:
        banner = server.log()
    assert "rate limits: workforce (users.collection 300), 50% per token" in banner
    assert "{'" not in banner
    done = subprocess.run(
        [sys.executable, "-m", "mock_okta", "dataset", "--users", "12", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "{'" not in done.stdout
    assert "; canLogIn: 12; cannotLogIn: 0" in done.stdout
    assert re.search(r"schemes: bcrypt \d+, ", done.stdout), done.stdout
