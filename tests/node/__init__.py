"""Real Node.js Okta clients (`@okta/okta-sdk-nodejs`, `@okta/okta-auth-js`) for the tests.

`package.json` pins them; `npm ci` installs them into `tests/node/node_modules` (not committed) the
first time a test asks for them. Tests skip with a reason where `node` or `npm` is missing; in CI
(`CI=true`) a failed install fails them instead, so a broken lock file cannot pass unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
INSTALL_SECONDS = 300


@dataclass(frozen=True)
class NodeResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The last line of stdout, parsed: scripts end with `console.log(JSON.stringify(...))`."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert lines, f"the script printed nothing; stderr:\n{self.stderr}"
        return json.loads(lines[-1])


class NodeClients:
    """Runs a Node.js script that can `require()` the pinned Okta clients."""

    def __init__(self, node: str) -> None:
        self.node = node

    def run(
        self, script: str, *, env: dict[str, str] | None = None, timeout: float = 60
    ) -> NodeResult:
        environ = {**os.environ, "NODE_PATH": str(MODULES), **(env or {})}
        done = subprocess.run(
            [self.node, "-e", script],
            capture_output=True,
            text=True,
            env=environ,
            timeout=timeout,
            cwd=HERE,
            check=False,
        )
        return NodeResult(done.returncode, done.stdout, done.stderr)


def _installed() -> bool:
    lock = HERE / "package-lock.json"
    stamp = MODULES / ".package-lock.json"  # npm writes it after a complete install
    return stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime


def node_clients() -> NodeClients:
    """Install the pinned clients once, or skip (fail in CI) saying why."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the Node.js Okta clients (Debian: nodejs, npm)")
    if not _installed():
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=INSTALL_SECONDS,
                check=False,
            )
            failure = done.stderr.strip()[-2000:] if done.returncode else None
        except subprocess.TimeoutExpired:
            failure = f"npm ci took longer than {INSTALL_SECONDS} s"
        if failure is not None:
            message = f"npm ci in {HERE} failed (is the npm registry reachable?):\n{failure}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    return NodeClients(node)
