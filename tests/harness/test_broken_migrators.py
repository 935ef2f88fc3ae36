"""The harness catches each classic mistake, and names it: one broken migrator per mistake.

Each broken migrator is the reference migrator with one function patched
(tests/harness/broken/); the harness must fail exactly the check that names that mistake.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND = (
    f"{sys.executable} -m tests.harness.broken.{{tool}} --org {{{{org_url}}}}"
    " --token {{token}} --input {{dataset}} --mode {{mode}} --state {{workdir}}/state.json"
)
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


def _harness(
    tool: str, scenario: str, out: Path, extra: list[str] | None = None
) -> dict[str, object]:
    command = COMMAND.format(tool=tool).replace("{{", "{").replace("}}", "}")
    if tool == "reference":
        command = command.replace("tests.harness.broken.reference", "mock_okta migrate")
        command = command.replace("--token {token}", "--token {token} --token {token2}")
    args = [
        sys.executable, "-m", "mock_okta", "harness", "-m", scenario, "--migration-cmd", command,
        "--harness-users", "80", "--report", str(out), "--harness-workdir", str(out / "work"),
        *(extra or []),
    ]  # fmt: skip
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = out / "report.json"
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, object] = json.loads(report.read_text())
    result["exit"] = done.returncode
    return result


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    base = tmp_path_factory.mktemp("broken")
    with ThreadPoolExecutor(2) as pool:
        cases = {tool: scenario for tool, (scenario, _, _) in CASES.items()} | REPORTED
        futures = {
            tool: pool.submit(_harness, tool, scenario, base / tool)
            for tool, scenario in cases.items()
        }
        return {tool: f.result() for tool, f in futures.items()}


@pytest.mark.parametrize("tool", list(CASES))
def test_the_harness_fails_exactly_the_check_that_names_the_mistake(
    results: dict[str, dict[str, object]], tool: str
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


def _checks(result: dict[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    (found,) = result["scenarios"]  # type: ignore[misc]
    return {c["check"]: c["reason"] for c in found["checks"]}, found["facts"]


def test_a_tool_that_stalls_for_a_concurrency_reset_is_told_so(
    results: dict[str, dict[str, object]],
) -> None:
    reasons, facts = _checks(results["stalls_on_concurrency"])
    assert results["stalls_on_concurrency"]["exit"] == 0  # slow, not wrong
    assert "stalled for the suggested reset after" in reasons["after a concurrency 429"]
    assert "back off briefly instead" in reasons["after a concurrency 429"]
    assert "{token2} never used" in facts["tokens"]  # it was given one token only
    assert "concurrency" in facts["429s met"]


def test_the_reference_retries_a_concurrency_429_sooner_with_both_tokens(
    results: dict[str, dict[str, object]],
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


def test_a_hook_that_verifies_everything_is_caught(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VerifiesEverything)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = _harness("reference", "hook", tmp_path, ["--hook-url", url])
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
