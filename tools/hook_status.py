"""`mock-okta migrate --mode hook-status`: which legacy hashes are now safe to delete.

Okta's advice for a migration through the password import inline hook: delete a user's legacy
hash only after the System Log shows that user's `user.import.password` event with outcome
SUCCESS (SPEC, CreatePasswordImportInlineHook; reference.md §7.7). This reads those events
(`GET /api/v1/logs`, a bounded query over Okta's 90 days of retention, followed page by page)
and sorts the dataset's hook users into safe (a SUCCESS), refused (only FAILUREs: the legacy
system said no, or did not answer) and pending (no sign-in through the hook yet).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from mock_okta.tools.migration_records import login_key
from mock_okta.tools.okta_client import OktaClient

RETENTION_DAYS: Final = 90  # Okta keeps the System Log 90 days
IMPORT_EVENT: Final = "user.import.password"


@dataclass(slots=True)
class HookStatus:
    safe: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)  # login -> outcome reasons

    def to_json(self) -> dict[str, object]:
        return {
            "safeToDelete": self.safe,
            "refused": self.refused,
            "pending": self.pending,
            "failureReasons": self.failures,
        }


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def import_events(client: OktaClient, now: float | None = None) -> list[Mapping[str, object]]:
    """Every `user.import.password` event of the last 90 days, oldest first."""
    now = time.time() if now is None else now
    params = {
        "filter": f'eventType eq "{IMPORT_EVENT}"',
        "since": _iso(now - RETENTION_DAYS * 86400),
        "until": _iso(now + 1),  # bounded: the pages end (a poll's next link never does)
        "limit": "1000",
    }
    events: list[Mapping[str, object]] = []
    for reply in client.pages("/api/v1/logs", params):
        if not reply.ok:
            raise RuntimeError(f"GET /api/v1/logs: {reply.describe()}")
        if isinstance(reply.body, list):
            events += [e for e in reply.body if isinstance(e, Mapping)]
    return events


def _login(event: Mapping[str, object]) -> str | None:
    targets = event.get("target")
    for target in targets if isinstance(targets, list) else []:
        if isinstance(target, Mapping) and target.get("type") == "User":
            login = target.get("alternateId")
            return login if isinstance(login, str) else None
    return None


def hook_status(events: Iterable[Mapping[str, object]], hook_logins: Iterable[str]) -> HookStatus:
    """Sort `hook_logins` by what the System Log says the hook answered for each."""
    succeeded: set[str] = set()
    failures: dict[str, list[str]] = {}
    for event in events:
        login = _login(event)
        outcome = event.get("outcome")
        if login is None or not isinstance(outcome, Mapping):
            continue
        if outcome.get("result") == "SUCCESS":
            succeeded.add(login_key(login))
        else:
            failures.setdefault(login_key(login), []).append(str(outcome.get("reason") or ""))
    status = HookStatus()
    for login in hook_logins:
        key = login_key(login)
        if key in succeeded:
            status.safe.append(login)
        elif key in failures:
            status.refused.append(login)
            status.failures[login] = failures[key]
        else:
            status.pending.append(login)
    return status
