"""Side-by-side children for the in-process benchmarks (bench_pipeline, bench_seed).

Each side is one long-lived Python process running a benchmark's CHILD code from its own
checkout (this tree or `--baseline`), on its own SQLite file. It prints `ready`, then answers
each line it is sent with one number; `ask` sends a line and reads the number, so a benchmark
can take turns A B A B.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


class Side:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def ask(self, line: str) -> float:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(f"{line}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())


@contextmanager
def children(
    code: str, sides: Mapping[str, tuple[Path, Sequence[str]]]
) -> Iterator[dict[str, Side]]:
    """Start `code` once per side (`name: (checkout, argv)`), wait for each to be ready."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-c", code, *argv],
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, (root, argv) in sides.items()
    }
    try:
        for proc in started.values():
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        yield {name: Side(proc) for name, proc in started.items()}
    finally:
        for proc in started.values():
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(30)
