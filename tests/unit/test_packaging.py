"""Every package of the project ships: pyproject's explicit list names each one (issue 16 made
the list explicit, so a new subpackage left out of it would be missing from a built wheel)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_under_mock_okta_and_the_mapped_folders_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    folders = {"mock_okta": ROOT / "mock_okta"} | {
        name: ROOT / folder for name, folder in config["setuptools"]["package-dir"].items()
    }
    found = set()
    for name, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder).parts
            found.add(".".join((name, *relative)))
    assert found - listed == set()
    assert listed - found == set()
