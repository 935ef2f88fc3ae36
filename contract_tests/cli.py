"""`mock-okta harness`: the contract harness from any repository, as one command.

    mock-okta harness --migration-cmd "./migrate --org {org_url} --token {token} \\
        --input {dataset} --mode {mode}" --report harness-report

Every option of `pytest contract_tests` is accepted (see `mock-okta harness --help`), plus
pytest's own (`-m "import or rerun"` selects scenarios, `-x` stops at the first failure).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--report" in args and not any(a.startswith("--junitxml") for a in args):
        report = Path(args[args.index("--report") + 1])
        args.append(f"--junitxml={report / 'junit.xml'}")
    with tempfile.TemporaryDirectory() as tmp:
        # An empty ini of our own: the calling repository's pytest settings stay out of it.
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\naddopts = -ra\n")
        code = pytest.main(
            [str(HERE), "-c", str(ini), "--rootdir", str(HERE), "-p", "no:cacheprovider", *args]
        )
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
