"""The README's shell recipes, run as a reader would paste them, against a served mock.

A block is run when the line above its fence is `<!-- runnable … -->`: `runnable: node` needs
the pinned Node SDK, `runnable: continues the block above` runs in one shell with the block
before it. `http://127.0.0.1:8080` becomes the served mock's URL and `make run &` is left
out (the test serves the mock itself). The curl recipe runs twice: the store persists, and the
recipe must work again (issue 16, item 14). The salt table is checked row by row.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.testing.client import ControlClient
from mock_okta.testing.served import ServedMock

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARK = re.compile(r"^<!-- runnable(?::\s*(.*?))?\s*-->$")
TOKEN = "test-token"
OKTA_ERROR = re.compile(r'"errorCode":\s*"E\d')


@dataclass(frozen=True)
class Block:
    line: int  # the fence's line in README.md
    kind: str  # "" | "node" | "continues the block above" | the curl recipe's note
    script: str


def runnable_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        mark = MARK.match(line)
        if not mark:
            continue
        assert lines[i + 1] == "```sh", f"README.md:{i + 1}: a runnable mark needs a ```sh block"
        end = lines.index("```", i + 2)
        kind, script = mark.group(1) or "", "\n".join(lines[i + 2 : end]) + "\n"
        if kind.startswith("continues"):  # one shell: the earlier block's variables hold
            first = blocks.pop()
            kind, script = first.kind, first.script + script
        blocks.append(Block(i + 2, kind, script))
    return blocks


BLOCKS = runnable_blocks(README.read_text())


def _adapted(script: str, url: str) -> str:
    kept = [line for line in script.splitlines() if not line.startswith("make run")]
    return "\n".join(kept).replace("http://127.0.0.1:8080", url) + "\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    store = tmp_path_factory.mktemp("readme") / "mock-okta.db"
    with ServedMock(["--db", str(store)], TOKEN) as server:
        yield server


def _bash(script: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PATH": path, **(env or {})},
    )


def test_the_readme_marks_its_runnable_blocks() -> None:
    kinds = [b.kind for b in BLOCKS]
    assert kinds[0].startswith("the test suite runs this block twice"), kinds
    assert "node" in kinds
    assert len(BLOCKS) >= 8


def test_the_curl_recipe_waits_for_the_server_and_runs_twice(
    served: ServedMock, tmp_path: Path
) -> None:
    (recipe,) = [b for b in BLOCKS if "twice" in b.kind]
    assert recipe.script.startswith("make run &"), "the recipe starts the server"
    script = _adapted(recipe.script, served.url)
    for run in (1, 2):
        done = _bash(script, tmp_path)
        assert done.returncode == 0, (run, done.stderr)
        assert not OKTA_ERROR.search(done.stdout), (run, done.stdout[:2000])
        assert re.search(r'"status":\s*"SUCCESS"', done.stdout), (run, done.stdout[:2000])
        assert '"status":"ACTIVE"' in done.stdout.replace(" ", ""), (run, done.stdout[:2000])
    users = ControlClient(served.url, TOKEN).users()
    assert [u["profile"]["login"] for u in users].count("isaac.brock@example.com") == 1


def test_every_other_runnable_block_runs_without_an_okta_error(
    served: ServedMock, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """In README order, after the curl recipe (the SDK blocks list the users it made)."""
    node_env: dict[str, str] = {}
    if any(b.kind == "node" for b in BLOCKS):
        from tests.node import MODULES

        request.getfixturevalue("node_clients")  # installs the pinned SDK, or skips
        node_env = {"NODE_PATH": str(MODULES)}
    for block in BLOCKS:
        if "twice" in block.kind:
            continue
        script = _adapted(block.script, served.url)
        done = _bash(script, tmp_path, node_env if block.kind == "node" else None)
        where = f"README.md:{block.line}"
        assert done.returncode == 0, (where, done.stderr[-2000:], done.stdout[-2000:])
        assert not OKTA_ERROR.search(done.stdout), (where, done.stdout[:2000])
        if "OKTA_TESTING_TESTINGDISABLEHTTPSCHECK" in block.script or block.kind == "node":
            assert "isaac.brock@example.com" in done.stdout, (where, done.stdout, done.stderr)


# The README's salt table, row by row: built as the table says, the user signs in.
PASSWORD = "Testing123!"
SALT = b"MySalt"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _salt_rows() -> dict[str, dict[str, object]]:
    pbkdf2 = hashlib.pbkdf2_hmac("sha512", PASSWORD.encode(), SALT, 4096, dklen=64)
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    rows: dict[str, dict[str, object]] = {
        "SHA-256": {
            "algorithm": "SHA-256", "salt": "MySalt", "saltOrder": "PREFIX",
            "value": _b64(hashlib.sha256(SALT + PASSWORD.encode()).digest()),
        },
        "PBKDF2": {
            "algorithm": "PBKDF2", "salt": _b64(SALT), "iterationCount": 4096, "keySize": 64,
            "digestAlgorithm": "SHA512_HMAC", "value": _b64(pbkdf2),
        },
        "BCRYPT": {
            "algorithm": "BCRYPT", "workFactor": 4, "salt": legacy[7:29], "value": legacy[29:],
        },
    }  # fmt: skip
    for algorithm, name in (("SHA-512", "sha512"), ("SHA-1", "sha1"), ("MD5", "md5")):
        digest = hashlib.new(name, SALT + PASSWORD.encode()).digest()
        rows[algorithm] = {
            "algorithm": algorithm, "salt": _b64(SALT), "saltOrder": "PREFIX",
            "value": _b64(digest),
        }  # fmt: skip
    return rows


def test_the_readme_salt_table_names_each_algorithm_as_the_test_builds_it() -> None:
    text = README.read_text()
    table = text[text.index("| `algorithm` | `salt` you send |") :]
    table = table[: table.index("\n\n")]
    assert "| `SHA-256` | the salt **as it is**" in table
    assert (
        "| `SHA-512`, `SHA-1`, `MD5` | the **Base64 of the salt bytes** (`MySalt` → `TXlTYWx0`)"
        in table
    )
    assert _b64(SALT) == "TXlTYWx0"
    assert "| `PBKDF2` | the Base64 of the salt bytes" in table


@pytest.mark.parametrize("algorithm", ["SHA-256", "SHA-512", "SHA-1", "MD5", "PBKDF2", "BCRYPT"])
def test_a_hash_built_by_the_salt_table_signs_in(served: ServedMock, algorithm: str) -> None:
    login = f"salt.{algorithm.lower()}@example.com"
    auth = {"Authorization": f"SSWS {TOKEN}"}
    hash_object = _salt_rows()[algorithm]
    created = requests.post(
        f"{served.url}/api/v1/users?activate=true",
        headers=auth,
        json={
            "profile": {"login": login, "email": login, "firstName": "Salt", "lastName": "Rule"},
            "credentials": {"password": {"hash": hash_object}},
        },
        timeout=30,
    )
    assert created.status_code == 200, created.text
    signed_in = requests.post(
        f"{served.url}/api/v1/authn", json={"username": login, "password": PASSWORD}, timeout=30
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["status"] == "SUCCESS"
