"""`make typecheck`: mypy (strict) over mock_okta as it is installed, one name per module.

setuptools maps `tools/`, `load/` and `contract_tests/` to `mock_okta.tools`, `mock_okta.load`
and `mock_okta.harness` (pyproject's `package-dir`), which mypy cannot follow: it finds modules
by folder. So this builds the installed layout under build/typecheck/ (links to the real files;
copies where the system has no symlinks), runs mypy there with pyproject's settings, and prints
its findings with the real paths (`tools/plan.py:12: error: …`).

    .venv/bin/python -m tests.typecheck [mypy options]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEW = ROOT / "build" / "typecheck"
MAPPED = {"tools": "tools", "load": "load", "harness": "contract_tests"}  # as in pyproject


def _link(target: Path, link: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError:  # no symlinks here (some Windows setups): a copy does as well for mypy
        if target.is_dir():
            shutil.copytree(target, link, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(target, link)


def build_view() -> dict[str, str]:
    """The installed layout under VIEW, afresh; returns view path prefix → real path prefix."""
    shutil.rmtree(VIEW, ignore_errors=True)
    package = VIEW / "mock_okta"
    package.mkdir(parents=True)
    for entry in sorted((ROOT / "mock_okta").iterdir()):
        if entry.name != "__pycache__" and entry.name not in MAPPED:
            _link(entry, package / entry.name)
    prefixes = {}
    for name, folder in MAPPED.items():
        _link(ROOT / folder, package / name)
        prefixes[f"mock_okta/{name}/"] = f"{folder}/"
    return prefixes


def main(argv: list[str]) -> int:
    prefixes = build_view()
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
        + (argv or ["mock_okta"]),
        cwd=VIEW,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_CACHE_DIR": str(ROOT / ".mypy_cache")},
        check=False,
    )
    for line in (done.stdout + done.stderr).splitlines():
        for view, real in prefixes.items():
            if line.startswith(view):
                line = real + line[len(view) :]
                break
        print(line)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
