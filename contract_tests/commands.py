"""The tool's command line: the environment it runs in, and a program the shell cannot find.

Standard library only: `mock-okta harness` checks the command before pytest starts.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path


class CommandNotFound(Exception):
    """The tool's command (or a program it runs) is not on the tool's PATH."""


SHELL_WORDS = frozenset(
    {"cd", "exec", "env", "export", "set", "true", "false", "test", "command", "builtin"}
    | {"eval", ".", "source", "[", "(", "{", "!"}
)


def tool_env() -> dict[str, str]:
    """The environment the tool runs in: the harness's own, its interpreter's `bin` first on
    PATH (so `mock-okta migrate …` works even when the venv is not activated)."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    rest = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != bin_dir]
    env["PATH"] = os.pathsep.join([bin_dir, *rest])
    return env


def missing_command(command: str, env: Mapping[str, str]) -> str | None:
    """The command's program when the shell could not find it on `env`'s PATH, else None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None  # the shell will say what is wrong with the quoting
    words = [w for w in words if not ("=" in w.split("/")[0] and w[0].isalpha())]  # VAR=x
    if not words or words[0] in SHELL_WORDS or any(c in words[0] for c in "$`{"):
        return None
    program = words[0]
    if "/" in program:
        return None if Path(program).exists() else program
    return None if shutil.which(program, path=env.get("PATH")) else program


def not_found_in(log: str) -> str | None:
    """The program a shell reported missing (`sh: 1: NAME: not found`, bash's `NAME: command
    not found`) in the tool's output, if it did."""
    for line in reversed(log.splitlines()):
        line = line.strip()
        if line.endswith(("command not found", ": not found", "No such file or directory")):
            parts = [p.strip() for p in line.split(":")]
            return parts[-2] if len(parts) >= 2 else line
    return None
