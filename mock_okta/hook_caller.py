"""Calls the org's password import inline hook over HTTP, as Okta does (reference.md §2).

Each attempt waits at most the hook timeout (3 s, HOOKS/OLD-PWHOOK); a timeout, a connection
error or a 5xx is retried once; a 2xx, 3xx or 4xx never is, and redirects are not followed.
No lock is held while the hook answers: only the lookup of the active hook reads the database.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Final

import requests

from mock_okta import serialize
from mock_okta.clock import Clock
from mock_okta.hooks import (
    NO_ACTIVE_HOOK,
    HookAttempt,
    HookChannel,
    HookReport,
    InlineHooks,
    RequestContext,
)
from mock_okta.ids import IdFactory

# "The size of your response payload must be less than 256 KB" (SPEC, inline hook responses):
# a larger answer is a failed call, whatever it says.
# PARITY: KB read as 1024 bytes; an answer of exactly 256 KiB is still taken.
MAX_RESPONSE_BYTES: Final = 256 * 1024
ANSWERED: Final = frozenset({"VERIFIED", "UNVERIFIED", "204", "no command"})
ACTION_UPDATE: Final = "com.okta.action.update"


class _Late(Exception):
    """The hook's body was still arriving when the timeout ran out."""


class HookCaller:
    """The `PasswordImportHook` of an org: finds its ACTIVE hook and asks it over HTTP."""

    def __init__(
        self,
        hooks: InlineHooks,
        clock: Clock,
        ids: IdFactory,
        timeout: Callable[[], float],
    ) -> None:
        self.hooks = hooks
        self.clock = clock
        self.ids = ids
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc from the mock's environment
            self._local.session = session
        return session

    def verify(self, username: str, password: str, context: RequestContext) -> HookReport:
        """Ask the ACTIVE password import hook; VERIFIED is the only answer that signs in."""
        hook = self.hooks.active_password_import_hook()
        if hook is None:
            return NO_ACTIVE_HOOK
        payload = serialize.password_import_request(
            event_id=self.ids.request_id()[:22],
            event_time=int(self.clock.now() * 1000),
            source=f"{context.org_url}/api/v1/inlineHooks/{hook.id}",
            context=context,
            username=username,
            password=password,
        )
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        attempts = [self._attempt(hook.channel, body)]
        if _retryable(attempts[0]):
            attempts.append(self._attempt(hook.channel, body))
        last = attempts[-1]
        return HookReport(
            hook.id, hook.channel.uri, last.answer == "VERIFIED", last.answer, tuple(attempts)
        )

    def _attempt(self, channel: HookChannel, body: bytes) -> HookAttempt:
        timeout = self.timeout()
        started = time.perf_counter()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers.update({h.key: h.value for h in channel.headers})
        if channel.auth_scheme is not None:
            headers[channel.auth_scheme.key] = channel.auth_scheme.value
        status: int | None = None
        try:
            with self._session().post(
                channel.uri,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            ) as response:
                status = response.status_code
                content = _read(response, started + timeout)
            answer = _answer(status, content)
        except (requests.Timeout, _Late):
            answer = "timeout"
        except requests.RequestException:
            answer = "connection error"
        latency = round((time.perf_counter() - started) * 1000, 3)
        return HookAttempt(answer, status, latency)


def _read(response: requests.Response, deadline: float) -> bytes | None:
    """The body, or None when it is larger than Okta would take."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(8192):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        if time.perf_counter() > deadline:
            raise _Late
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, content: bytes | None) -> str:
    if 300 <= status < 400:
        return f"redirect {status}"
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if status == 204:
        return "204"  # the default action: UNVERIFIED
    if content is None:
        return "too large"
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "invalid response"
    commands = data.get("commands") if isinstance(data, dict) else None
    if not isinstance(commands, list):
        return "invalid response"
    verdict = "no command"
    for command in commands:
        if not isinstance(command, dict) or command.get("type") != ACTION_UPDATE:
            continue
        value = command.get("value")
        credential = value.get("credential") if isinstance(value, dict) else None
        if credential in ("VERIFIED", "UNVERIFIED"):
            verdict = str(credential)
    return verdict


def _retryable(attempt: HookAttempt) -> bool:
    """A timeout or a 5xx is retried once (HOOKS); so is a refused connection.

    PARITY: whether Okta retries a refused or reset connection is unconfirmed.
    """
    if attempt.answer in ("timeout", "connection error"):
        return True
    return attempt.status is not None and attempt.status >= 500
