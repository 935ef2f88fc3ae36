"""`okta-cli` (PyPI, flypenguin), unmodified, in a venv of its own for the tests.

It pins all its dependencies exactly, and its `pyyaml==6.0.1` conflicts with okta-sdk-python's
`PyYAML>=6.0.2`, so it cannot join the `test` extra: the first test that asks for it installs
`requirements.txt` into `tests/okta_cli/.venv` (not committed). Tests skip with a reason when
that install fails; in CI (`CI=true`) they fail instead, as `tests/node` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
REQUIREMENTS = HERE / "requirements.txt"
STAMP = VENV / ".installed"
INSTALL_SECONDS = 300


@dataclass(frozen=True)
class OktaCli:
    """Runs `okta-cli ARGS` in `home`, its configuration under home/.config (XDG_CONFIG_HOME)."""

    executable: Path

    def config_file(self, home: Path) -> Path:
        """Where `okta-cli config new` writes its profiles (appdirs' user_config_dir)."""
        return home / ".config" / "okta-cli" / "config.json"

    def run(
        self, *args: str, home: Path, env: Mapping[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """`env` (default: this process's environment) with HOME and XDG_CONFIG_HOME in `home`."""
        environ = {**(os.environ if env is None else env)}
        environ.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})
        return subprocess.run(
            [str(self.executable), *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=home,  # `users bulk-add` writes its result files to the current folder
            timeout=timeout,
            check=False,
        )


def okta_cli() -> OktaCli:
    """Install okta-cli once, or skip (fail in CI) saying why."""
    executable = VENV / "bin" / "okta-cli"
    if not (STAMP.exists() and STAMP.stat().st_mtime >= REQUIREMENTS.stat().st_mtime):
        failure = _install()
        if failure is not None:
            message = f"installing okta-cli into {VENV} failed (is PyPI reachable?):\n{failure}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        STAMP.touch()
    return OktaCli(executable)


def _install() -> str | None:
    try:
        venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
        done = subprocess.run(
            [
                str(VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"pip install took longer than {INSTALL_SECONDS} s"
    except OSError as exc:
        return f"cannot make a venv with {sys.executable}: {exc}"
    return done.stderr.strip()[-2000:] if done.returncode else None
