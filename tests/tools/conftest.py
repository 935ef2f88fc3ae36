"""A small generated dataset shared by the tools tests, and helpers that read it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_okta.tools import dataset
from tests.conftest import Api

USERS = 240
SEED = 11


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def make_dataset(out: Path, *args: str) -> Path:
    """Run `mock-okta dataset` (bcrypt cost 4, in-process hashing) and return `out`."""
    code = dataset.main(["--out", str(out), "--bcrypt-cost", "4", "--jobs", "1", *args])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    return make_dataset(out, "--users", str(USERS), "--seed", str(SEED), "--bad", "5%")


@pytest.fixture(scope="session")
def users(dataset_dir: Path) -> list[dict[str, Any]]:
    return read_jsonl(dataset_dir / "users.jsonl")


@pytest.fixture(scope="session")
def oracle(dataset_dir: Path) -> dict[str, dict[str, Any]]:
    return {line["login"]: line for line in read_jsonl(dataset_dir / "oracle.jsonl")}


@pytest.fixture
def mock_api(api: Api) -> Api:
    """The in-process mock with rate limits and lockout out of the way (time does not move)."""
    response = api.call(
        "PUT",
        "/_mock/config",
        {"rateLimits": "off", "authnPerUserPerSecond": 100000, "lockoutAttempts": 0},
    )
    assert response.status_code == 200, response.get_json()
    return api
