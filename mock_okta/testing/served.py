"""`mock-okta serve` in a subprocess on a free port, for end-to-end tests and the harness."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import requests


class ServeError(RuntimeError):
    """The server did not start; the message holds what it printed."""


@contextmanager
def served(args: Sequence[str], token: str, timeout: float = 30) -> Iterator[str]:
    """Run `mock-okta serve --port 0 --token TOKEN ARGS`; yields its URL, stops it afterwards."""
    cmd = [sys.executable, "-m", "mock_okta", "serve", "--port", "0", "--token", token, *args]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    url = None
    lines = []
    deadline = time.time() + timeout
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
        raise ServeError("mock-okta serve did not start:\n" + "".join(lines))
    try:
        headers = {"Authorization": f"SSWS {token}"}
        for _ in range(100):  # every worker may still be booting
            try:
                requests.get(f"{url}/_mock/config", headers=headers, timeout=2)
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
            proc.wait(10)
        proc.stderr.close()
