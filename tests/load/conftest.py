"""Fixtures for the Locust scenarios: datasets on disk, and Locust run in a subprocess.

Locust uses gevent, which monkey-patches the standard library: it never runs inside pytest.
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from mock_okta.testing.served import ServedMock
from mock_okta.tools import dataset as datasets
from mock_okta.tools.delta import generate_delta

TOKEN = "load-token"
LOCUSTFILE = Path(__file__).resolve().parents[2] / "load" / "locustfile.py"


def needs_locust() -> None:
    """Skip the calling module without Locust; never `import locust` in pytest (gevent)."""
    if importlib.util.find_spec("locust") is None:
        pytest.skip("the Locust scenarios need the `load` extra", allow_module_level=True)


@dataclass(frozen=True)
class LocustRun:
    code: int
    output: str
    rows: dict[tuple[str, str], dict[str, str]]  # (method, name) -> Locust's CSV row

    def requests(self, method: str, name: str) -> int:
        row = self.rows.get((method, name))
        return int(row["Request Count"]) if row else 0

    @property
    def failures(self) -> int:
        return sum(int(r["Failure Count"]) for r in self.rows.values())


def run_locust(
    url: str, out: Path, classes: Sequence[str], args: Sequence[str] = (), users: int = 4
) -> LocustRun:
    """`locust --headless` against `url`; its CSV read back."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *classes, "--headless"]
    cmd += ["-u", str(users), "-r", str(users), "--host", url, "--token", TOKEN]
    cmd += ["--csv", str(out / "locust"), "--only-summary", "--stop-timeout", "5", *args]
    if "-t" not in args:
        cmd += ["-t", "40s"]  # a safety net: the item scenarios end by themselves
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    rows = {}
    with (out / "locust_stats.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] != "Aggregated":
                rows[(row["Type"], row["Name"])] = row
    return LocustRun(proc.returncode, proc.stdout + proc.stderr, rows)


def make_dataset(out: Path, users: int, seed: int, bad: float = 0.0) -> Path:
    options = datasets.Options(
        users=users, seed=seed, mix=datasets.parse_mix(datasets.DEFAULT_MIX), bad=bad
    )
    datasets.generate(options, out)
    return out


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 legacy users, every scheme, 5% deliberately bad records."""
    return make_dataset(tmp_path_factory.mktemp("load") / "base", 120, seed=11, bad=0.05)


@pytest.fixture(scope="session")
def later(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same users later: 20% touched (password, profile, removed, new)."""
    out = tmp_path_factory.mktemp("load") / "later"
    generate_delta(dataset, out, changed=0.2)
    return out


@pytest.fixture(scope="module")
def mock() -> Iterator[ServedMock]:
    """One served mock per module, Okta's workforce limits at 60x; reset per test."""
    with ServedMock(["--db", ":memory:", "--time-scale", "60"], TOKEN) as server:
        yield server


@pytest.fixture
def url(mock: ServedMock) -> str:
    from mock_okta.testing.client import ControlClient

    ControlClient(mock.url, TOKEN).reset()
    return mock.url
