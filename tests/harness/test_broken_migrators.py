"""The harness catches each classic mistake, and names it: one broken migrator per mistake.

Each broken migrator is the reference migrator with one function patched
(tests/harness/broken/); the harness must fail exactly the check that names that mistake.
The harness's scenarios run in this process, as `mock-okta harness` runs them, on two served
mocks shared by every run (reset between runs) and two datasets made once.
"""

from __future__ import annotations

import contextlib
import queue
import shlex
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mock_okta.harness import test_delta, test_faults, test_hook, test_import, test_ratelimit
from mock_okta.harness.contract import REPORTS, Harness
from mock_okta.harness.report import as_json
from mock_okta.harness.runner import REFERENCE_COMMAND, HarnessConfig, Mock, generated
from mock_okta.testing.served import ServedMock

ROOT = Path(__file__).resolve().parents[2]
TOKEN, TOKEN2 = "broken-" + "1" * 16, "broken2-" + "2" * 16
USERS = 80
COMMAND = (
    f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -m tests.harness.broken.{{}}"
    " --org {{org_url}} --token {{token}} --input {{dataset}} --mode {{mode}}"
    " --state {{workdir}}/state.json"
)
SCENARIOS: dict[str, Callable[[Harness], None]] = {
    "import": test_import.test_import_lets_every_customer_sign_in_with_their_legacy_password,
    "delta": test_delta.test_premigrate_then_delta_then_cutover,
    "ratelimit": test_ratelimit.test_the_tool_waits_for_resets_and_still_finishes,
    "faults": test_faults.test_the_org_ends_complete_despite_faults,
    "hook": test_hook.test_unimportable_users_sign_in_through_the_hook_then_without_it,
}
CASES = {
    # broken migrator: (scenario, the check(s) that must fail, words the first's reason says)
    "hex_digests": ("import", "every user logs in", "cannot sign in"),
    "literal_salts": ("import", "every user logs in", "cannot sign in"),
    "ignores_429": ("ratelimit", "waits for X-Rate-Limit-Reset", "before its reset"),
    # Re-creating loses the direct apps (named per user) and the app-side identity of those
    # that come back through a group; re-assigning them still leaves the identity new.
    "recreates_changed": (
        "delta",
        (
            "app assignments kept (no delete and re-create)",
            "ids stable (no delete and re-create)",
            "app-side identity kept (externalId, immutableId)",
            "every user has exactly the dataset's apps",
        ),
        "(Customer portal)",
    ),
    "recreates_and_reassigns": (
        "delta",
        (
            "app-side identity kept (externalId, immutableId)",
            "ids stable (no delete and re-create)",
        ),
        "(Microsoft 365)",
    ),
    "drops_after_503": ("faults", "every user exists once", "missing"),
    "forgets_schema": ("import", "every custom field migrated with its type", "lacks"),
    "all_groups_in_group_ids": ("import", "no create with more than 20 groupIds", "E0000093"),
    "drops_memberships_over_20": ("import", "every user in exactly the dataset's groups", "miss"),
}


# Within the contract, but the report must tell them apart (issue 14, item 6).
REPORTED = {"stalls_on_concurrency": "ratelimit", "reference": "ratelimit"}
# Each of its concurrency 429s stalls a second or two: a quarter of the users meets enough.
SMALL = {"stalls_on_concurrency": USERS // 4}


class _Session:
    """What a Harness asks of pytest's config: the target and the reports' stash."""

    def __init__(self) -> None:
        self.stash = pytest.Stash()
        self.stash[REPORTS] = []

    def getoption(self, name: str) -> object:
        return {"--okta-target": "mock"}[name]


@pytest.fixture(scope="module")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[queue.Queue[Mock]]:
    """Two served mocks as the harness serves one (time scale 60, {token2}), one per worker."""
    base = tmp_path_factory.mktemp("mocks")
    free: queue.Queue[Mock] = queue.Queue()
    with contextlib.ExitStack() as stack:
        for n in range(2):
            args = ["--db", str(base / f"okta-{n}.db"), "--token", TOKEN2, "--time-scale", "60"]
            server = stack.enter_context(ServedMock(args, TOKEN))
            free.put(Mock(server.url, TOKEN, 60.0, token2=TOKEN2))
        yield free


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The harness's datasets of USERS users, made once: with apps for `delta`, else without;
    and the smaller one of SMALL's runs."""
    base, config = tmp_path_factory.mktemp("datasets"), HarnessConfig(users=USERS)
    return {
        "apps": generated(config, base / "apps", apps=True),
        "plain": generated(config, base / "plain"),
        "small": generated(config, base / "small", users=min(SMALL.values())),
    }


def _harness(
    tool: str,
    scenario: str,
    out: Path,
    mocks: queue.Queue[Mock],
    dataset: Path | None,
    hook_url: str | None = None,
) -> dict[str, Any]:
    """One harness scenario for `tool` on a free shared mock; the report's JSON and its exit."""
    command = REFERENCE_COMMAND if tool == "reference" else COMMAND.format(tool)
    config = HarnessConfig(
        command=command,
        users=SMALL.get(tool, USERS),
        dataset=dataset,
        workdir=out / "work",
        hook_url=hook_url,
    )
    session = _Session()
    mock = mocks.get()
    try:
        SCENARIOS[scenario](Harness(config, session, served=mock))  # type: ignore[arg-type]
        code = 0
    except (AssertionError, pytest.fail.Exception):
        code = 1  # as `mock-okta harness` exits for a failed scenario
    finally:
        mocks.put(mock)
    result = as_json(session.stash[REPORTS], command)
    result["exit"] = code
    return result


@pytest.fixture(scope="module")
def results(
    tmp_path_factory: pytest.TempPathFactory,
    mocks: queue.Queue[Mock],
    datasets: dict[str, Path],
) -> dict[str, dict[str, Any]]:
    base = tmp_path_factory.mktemp("broken")
    cases = {tool: scenario for tool, (scenario, _, _) in CASES.items()} | REPORTED
    kinds = {"delta": "apps"}
    with ThreadPoolExecutor(mocks.qsize()) as pool:
        futures = {
            tool: pool.submit(
                _harness,
                tool,
                scenario,
                base / tool,
                mocks,
                datasets["small" if tool in SMALL else kinds.get(scenario, "plain")],
            )
            for tool, scenario in sorted(cases.items(), key=lambda c: c[0] not in SMALL)
        }
        return {tool: f.result() for tool, f in futures.items()}


@pytest.mark.parametrize("tool", list(CASES))
def test_the_harness_fails_exactly_the_check_that_names_the_mistake(
    results: dict[str, dict[str, Any]], tool: str
) -> None:
    scenario, check, words = CASES[tool]
    result = results[tool]
    assert result["exit"] != 0
    (found,) = result["scenarios"]  # type: ignore[misc]
    assert found["name"] == scenario
    failed = {c["check"]: c["reason"] for c in found["checks"] if not c["ok"]}
    named = (check,) if isinstance(check, str) else check  # the first names the mistake
    assert set(failed) == set(named), failed
    assert words in failed[named[0]]


def _checks(result: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    (found,) = result["scenarios"]  # type: ignore[misc]
    return {c["check"]: c["reason"] for c in found["checks"]}, found["facts"]


def test_a_tool_that_stalls_for_a_concurrency_reset_is_told_so(
    results: dict[str, dict[str, Any]],
) -> None:
    reasons, facts = _checks(results["stalls_on_concurrency"])
    assert results["stalls_on_concurrency"]["exit"] == 0  # slow, not wrong
    assert "stalled for the suggested reset after" in reasons["after a concurrency 429"]
    assert "back off briefly instead" in reasons["after a concurrency 429"]
    assert "{token2} never used" in facts["tokens"]  # it was given one token only
    assert "concurrency" in facts["429s met"]


def test_the_reference_retries_a_concurrency_429_sooner_with_both_tokens(
    results: dict[str, dict[str, Any]],
) -> None:
    reasons, facts = _checks(results["reference"])
    assert results["reference"]["exit"] == 0
    assert reasons["after a concurrency 429"].startswith("retried sooner with backoff after")
    assert facts["tokens"].startswith("both used: {token} ")
    assert facts["ran at"].startswith("users.collection 20/min org-wide, 10/min per token;")
    assert "{token} 10 of 10" in facts["peak rate"]
    pauses = facts["pauses"]
    assert pauses.startswith("none") or " in all, the longest " in pauses


class _VerifiesEverything(BaseHTTPRequestHandler):
    """A broken password import hook: VERIFIED whatever the password."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"commands":[{"type":"com.okta.action.update","value":{"credential":"VERIFIED"}}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_hook_that_verifies_everything_is_caught(
    tmp_path: Path, mocks: queue.Queue[Mock]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VerifiesEverything)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        # The harness makes its own dataset here: the hook scenario asks for more defects.
        result = _harness("reference", "hook", tmp_path, mocks, None, hook_url=url)
    finally:
        server.shutdown()
        server.server_close()
    (found,) = result["scenarios"]  # type: ignore[misc]
    failed = {c["check"]: c["reason"] for c in found["checks"] if not c["ok"]}
    assert "a wrong password" in failed["the hook refuses a wrong password"]
    # Verifying the wrong password stored it, so the right one now fails too; nothing else.
    assert set(failed) <= {
        "the hook refuses a wrong password",
        "they sign in through the hook",
        "then without the hook",
        "the System Log shows the hook's verdicts (user.import.password)",
    }, failed
