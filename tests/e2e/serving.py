"""Start `mock-okta serve` (gunicorn) as a subprocess for end-to-end tests."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import requests

TOKEN = "e2e-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}


@contextmanager
def served(args: Sequence[str], timeout: float = 30) -> Iterator[str]:
    """Run the server on a free port; yields its base URL and stops it afterwards."""
    cmd = [sys.executable, "-m", "mock_okta", "serve", "--port", "0", "--token", TOKEN, *args]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    url = None
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        found = re.search(r"serving (http://\S+)", line)
        if found:
            url = found.group(1)
            break
        if proc.poll() is not None:
            break
    if url is None:
        proc.kill()
        proc.wait(10)
        lines.append(proc.stderr.read())
        proc.stderr.close()
        raise AssertionError("mock-okta serve did not start:\n" + "".join(lines))
    try:
        for _ in range(100):  # every worker may still be booting
            try:
                requests.get(f"{url}/_mock/config", headers=AUTH, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.stderr.close()
