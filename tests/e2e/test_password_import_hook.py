"""The password import inline hook end to end: the mock calls a REAL HTTP hook on 127.0.0.1.

The hook here is a threaded `http.server` on a free port that answers from a script and records
what it received. Behaviour from reference.md §2 (OLD-PWHOOK, HOOKS, SPEC PasswordImport*).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from mock_okta.config import Settings
from mock_okta.hashing import NativeHash
from mock_okta.hooks import RequestContext
from mock_okta.models import HookPassword
from mock_okta.org import Org
from mock_okta.testing import LiveServer
from tests.conftest import Api
from tests.helpers import PASSWORD, assert_error, with_password

LOGIN = "isaac.brock@example.com"
TYPED = "Legacy-Secret-9931"  # what the user types: only the hook may ever see it
SECRET = "hook-shared-secret"
PASSWORD_IMPORT = "com.okta.user.credential.password.import"
HOOK_USER = {"password": {"hook": {"type": "default"}}}
NOW = "2023-11-14T22:13:20.000Z"  # the ManualClock's start


def command(credential: str) -> dict[str, Any]:
    return {"commands": [{"type": "com.okta.action.update", "value": {"credential": credential}}]}


VERIFIED = command("VERIFIED")
UNVERIFIED = command("UNVERIFIED")


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-able, or bytes as they are
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedHook:
    """A real hook service: answers in script order (then the last one again), records calls."""

    def __init__(self) -> None:
        self.script: list[Answer] = [Answer(body=VERIFIED)]
        self.received: list[Received] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = hook.script.pop(0) if len(hook.script) > 1 else hook.script[0]
                time.sleep(answer.delay)
                data = answer.body
                if data is not None and not isinstance(data, bytes):
                    data = json.dumps(data).encode()
                try:
                    self.send_response(answer.status)
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    if data is not None:
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if data is not None:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the mock gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.stopped = False
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/passwordImport"

    def answer(self, *answers: Answer) -> None:
        self.script = list(answers)

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def hook_server() -> Iterator[ScriptedHook]:
    server = ScriptedHook()
    yield server
    server.stop()


def register_hook(api: Api, uri: str) -> dict[str, Any]:
    body = {
        "name": "Legacy password check",
        "type": PASSWORD_IMPORT,
        "version": "1.0.0",
        "channel": {
            "type": "HTTP",
            "version": "1.0.0",
            "config": {
                "uri": uri,
                "headers": [{"key": "X-Extra", "value": "extra-value"}],
                "method": "POST",
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": SECRET},
            },
        },
    }
    response = api.call("POST", "/api/v1/inlineHooks", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    return created


@pytest.fixture
def hooked(api: Api, hook_server: ScriptedHook) -> dict[str, Any]:
    """An ACTIVE password import hook at `hook_server`, and a user created with the hook."""
    hook = register_hook(api, hook_server.url)
    created = api.create_user(LOGIN, credentials=HOOK_USER)
    assert created.status_code == 200, created.get_data(as_text=True)
    return {"hook": hook, "user": created.get_json()}


def assert_failed(response: Any) -> None:
    assert_error(response, 401, "E0000004", "Authentication failed")


def journal(api: Api) -> list[dict[str, Any]]:
    response = api.call("GET", "/_mock/requests?path=/api/v1/authn")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.get_json()["entries"]
    return entries


def counters(api: Api) -> dict[str, int]:
    result: dict[str, int] = api.call("GET", "/_mock/stats").get_json()["counters"]
    return result


# ----- users made with the hook (issue 8, item 2)


def test_user_created_with_the_hook_is_active_with_provider_import(api: Api, org: Org) -> None:
    body = api.create_user(LOGIN, credentials=HOOK_USER).get_json()
    assert body["status"] == "ACTIVE"
    assert body["credentials"] == {"password": {}, "provider": {"type": "IMPORT", "name": "IMPORT"}}
    assert body["_links"]["self"]["href"].endswith(f"/api/v1/users/{body['id']}")
    assert org.store.get_user(body["id"]).password == HookPassword("default")
    staged = api.create_user("staged@example.com", "?activate=false", credentials=HOOK_USER)
    assert staged.get_json()["status"] == "STAGED"
    assert staged.get_json()["credentials"]["provider"]["type"] == "IMPORT"


def test_hook_type_other_than_default_is_refused(api: Api) -> None:
    credentials = {"password": {"hook": {"type": "custom"}}}
    response = api.create_user(LOGIN, credentials=credentials)
    assert_error(
        response,
        400,
        "E0000001",
        "Api validation failed: password",
        ['password: hook.type must be "default"'],
    )


# ----- what the hook answers


def test_verified_signs_in_and_the_hook_is_never_called_again(
    api: Api, org: Org, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(Answer(body=VERIFIED))
    first = api.authn(LOGIN, TYPED)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "SUCCESS"
    assert len(hook_server.received) == 1
    stored = org.store.get_user(hooked["user"]["id"])
    assert isinstance(stored.password, NativeHash)  # no longer a hook: the mock's own hash
    assert stored.password.verify(TYPED)
    second = api.authn(LOGIN, TYPED)
    assert second.get_json()["status"] == "SUCCESS"
    assert_failed(api.authn(LOGIN, "Not-The-Password-1"))
    assert len(hook_server.received) == 1  # neither sign-in asked the hook


def test_the_request_is_oktas_documented_shape(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    response = api.authn(LOGIN, TYPED)
    assert response.status_code == 200
    (call,) = hook_server.received
    assert call.path == "/passwordImport"
    assert call.headers["Authorization"] == SECRET
    assert call.headers["X-Extra"] == "extra-value"
    assert call.headers["Content-Type"] == "application/json"
    body = call.json()
    assert list(body) == [
        "eventId",
        "eventTime",
        "eventType",
        "eventTypeVersion",
        "contentType",
        "cloudEventVersion",
        "source",
        "data",
    ]
    assert re.fullmatch(r"[A-Za-z0-9]{22}", body["eventId"])
    assert body["eventTime"] == NOW
    assert body["eventType"] == PASSWORD_IMPORT
    assert body["eventTypeVersion"] == "1.0"
    assert body["contentType"] == "application/json"
    assert body["cloudEventVersion"] == "0.1"
    assert body["source"] == f"http://localhost/api/v1/inlineHooks/{hooked['hook']['id']}"
    assert body["data"] == {
        "context": {
            "request": {
                "id": response.headers["X-Okta-Request-Id"],
                "method": "POST",
                "url": {"value": "/api/v1/authn"},
                "ipAddress": "127.0.0.1",
            },
            # Okta's contract: the hook gets the password as the user typed it
            "credential": {"username": LOGIN, "password": TYPED},
        },
        "action": {"credential": "UNVERIFIED"},
    }


def test_the_username_is_sent_as_the_user_typed_it(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    assert api.authn("ISAAC.BROCK@example.com", TYPED).status_code == 200
    assert hook_server.received[0].json()["data"]["context"]["credential"]["username"] == (
        "ISAAC.BROCK@example.com"
    )


def test_unverified_fails_and_the_next_sign_in_asks_again(
    api: Api, org: Org, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(Answer(body=UNVERIFIED), Answer(body=VERIFIED))
    assert_failed(api.authn(LOGIN, TYPED))
    assert org.store.get_user(hooked["user"]["id"]).password == HookPassword("default")
    assert api.authn(LOGIN, TYPED).status_code == 200
    assert len(hook_server.received) == 2


def test_empty_204_is_the_default_action(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(Answer(status=204))
    assert_failed(api.authn(LOGIN, TYPED))
    assert len(hook_server.received) == 1  # a 2xx is never retried
    assert journal(api)[-1]["hook"]["result"] == "204"


def test_slow_hook_times_out_after_one_retry(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    assert api.call("PUT", "/_mock/config", {"hookTimeoutSeconds": 0.3}).status_code == 200
    hook_server.answer(Answer(body=VERIFIED, delay=0.8))
    started = time.perf_counter()
    assert_failed(api.authn(LOGIN, TYPED))
    elapsed = time.perf_counter() - started
    assert len(hook_server.received) == 2
    assert 0.6 <= elapsed < 1.5  # two waits of 0.3 s, never the hook's 0.8 s
    entry = journal(api)[-1]["hook"]
    assert [a["answer"] for a in entry["attempts"]] == ["timeout", "timeout"]
    assert entry["retried"] is True


def test_default_timeout_is_three_seconds(api: Api) -> None:
    assert api.call("GET", "/_mock/config").get_json()["hookTimeoutSeconds"] == 3.0


def test_500_then_verified_signs_in_on_the_retry(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(Answer(status=500, body={"error": "boom"}), Answer(body=VERIFIED))
    response = api.authn(LOGIN, TYPED)
    assert response.status_code == 200, response.get_json()
    assert len(hook_server.received) == 2
    assert hook_server.received[0].body == hook_server.received[1].body  # the same event
    entry = journal(api)[-1]["hook"]
    assert [(a["answer"], a["status"]) for a in entry["attempts"]] == [
        ("HTTP 500", 500),
        ("VERIFIED", 200),
    ]


def test_500_twice_fails(api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]) -> None:
    hook_server.answer(Answer(status=503))
    assert_failed(api.authn(LOGIN, TYPED))
    assert len(hook_server.received) == 2


def test_400_fails_without_a_retry(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(Answer(status=400, body={"error": "bad"}), Answer(body=VERIFIED))
    assert_failed(api.authn(LOGIN, TYPED))
    assert len(hook_server.received) == 1


def test_redirect_is_not_followed(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_server.answer(
        Answer(status=302, headers={"Location": "/elsewhere"}), Answer(body=VERIFIED)
    )
    assert_failed(api.authn(LOGIN, TYPED))
    assert [r.path for r in hook_server.received] == ["/passwordImport"]
    assert journal(api)[-1]["hook"]["result"] == "redirect 302"


@pytest.mark.parametrize(
    ("body", "result"),
    [
        (b"OK", "invalid response"),
        (b"", "invalid response"),
        ({"commands": []}, "no command"),
        (
            {"commands": [{"type": "com.okta.action.update", "value": {"credential": "YES"}}]},
            "no command",
        ),
    ],
)
def test_answers_other_than_verified_fail_without_a_retry(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any], body: Any, result: str
) -> None:
    hook_server.answer(Answer(body=body), Answer(body=VERIFIED))
    assert_failed(api.authn(LOGIN, TYPED))
    assert len(hook_server.received) == 1
    assert journal(api)[-1]["hook"]["result"] == result


def test_an_answer_over_256_kb_is_a_failed_call(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    # SPEC: "The size of your response payload must be less than 256 KB."
    padding = " " * (256 * 1024)  # JSON allows the whitespace: the verdict itself is VERIFIED
    too_large = json.dumps(VERIFIED).encode() + padding.encode()
    hook_server.answer(Answer(body=too_large), Answer(body=VERIFIED))
    assert_failed(api.authn(LOGIN, TYPED))
    assert len(hook_server.received) == 1  # a failed answer, not retried
    entry = journal(api)[-1]["hook"]
    assert entry["result"] == "too large"
    assert entry["verified"] is False
    assert counters(api)["hooks.failed"] == 1
    # exactly 256 KiB is still taken
    at_limit = json.dumps(VERIFIED).encode()
    at_limit += b" " * (256 * 1024 - len(at_limit))
    hook_server.answer(Answer(body=at_limit))
    assert api.authn(LOGIN, TYPED).status_code == 200


def test_the_hook_is_told_the_sign_in_endpoint_actually_called(
    org: Org, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    # The route passes the path it serves; an Identity Engine sign-in would pass its own.
    context = RequestContext("req1", "POST", "/idp/idx/challenge/answer", "10.0.0.1", "http://o")
    result = org.authn.authn_primary(LOGIN, TYPED, context)
    assert result.status == "SUCCESS"
    (call,) = hook_server.received
    request = call.json()["data"]["context"]["request"]
    assert request == {
        "id": "req1",
        "method": "POST",
        "url": {"value": "/idp/idx/challenge/answer"},
        "ipAddress": "10.0.0.1",
    }


def test_unreachable_hook_fails_after_a_retry(api: Api, hook_server: ScriptedHook) -> None:
    uri = hook_server.url
    hook_server.stop()  # nothing listens there any more
    register_hook(api, uri)
    api.create_user(LOGIN, credentials=HOOK_USER)
    assert_failed(api.authn(LOGIN, TYPED))
    entry = journal(api)[-1]["hook"]
    assert [a["answer"] for a in entry["attempts"]] == ["connection error", "connection error"]


def test_no_active_hook_fails_without_a_call(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    hook_id = hooked["hook"]["id"]
    api.call("POST", f"/api/v1/inlineHooks/{hook_id}/lifecycle/deactivate")
    assert_failed(api.authn(LOGIN, TYPED))
    assert hook_server.received == []
    assert journal(api)[-1]["hook"]["result"] == "no active hook"
    api.call("POST", f"/api/v1/inlineHooks/{hook_id}/lifecycle/activate")
    assert api.authn(LOGIN, TYPED).status_code == 200


def test_users_with_a_password_never_call_the_hook(
    api: Api, hook_server: ScriptedHook, hooked: dict[str, Any]
) -> None:
    api.create_user("plain@example.com", credentials=with_password())
    assert api.authn("plain@example.com", PASSWORD).status_code == 200
    assert_failed(api.authn("plain@example.com", "Wrong-Password-1"))
    assert hook_server.received == []
    assert "hook" not in journal(api)[-1]


# ----- the journal and stats (issue 8, item 4)


def test_journal_and_stats_record_each_call_never_the_password(
    api: Api,
    hook_server: ScriptedHook,
    hooked: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    hook_server.answer(Answer(body=UNVERIFIED), Answer(status=500), Answer(body=VERIFIED))
    assert_failed(api.authn(LOGIN, TYPED))
    assert api.authn(LOGIN, TYPED).status_code == 200
    entries = journal(api)
    assert [e["status"] for e in entries] == [401, 200]
    failed, signed_in = (e["hook"] for e in entries)
    assert failed["id"] == hooked["hook"]["id"]
    assert failed["uri"] == hook_server.url
    assert failed["result"] == "UNVERIFIED"
    assert failed["verified"] is False
    assert failed["retried"] is False
    assert signed_in["result"] == "VERIFIED"
    assert signed_in["verified"] is True
    assert signed_in["retried"] is True
    assert [a["answer"] for a in signed_in["attempts"]] == ["HTTP 500", "VERIFIED"]
    for attempt in (*failed["attempts"], *signed_in["attempts"]):
        assert 0 < attempt["latencyMs"] < 1000
    assert signed_in["latencyMs"] == pytest.approx(
        sum(a["latencyMs"] for a in signed_in["attempts"]), abs=0.01
    )
    stats = counters(api)
    assert stats["hooks.calls"] == 3
    assert stats["hooks.verified"] == 1
    assert stats["hooks.unverified"] == 1
    assert stats["hooks.failed"] == 1
    assert stats["hooks.retries"] == 1
    # the hook got the password; nothing the mock keeps or prints has it
    assert all(TYPED in r.body.decode() for r in hook_server.received)
    requests_text = api.call("GET", "/_mock/requests").get_data(as_text=True)
    stats_text = api.call("GET", "/_mock/stats").get_data(as_text=True)
    assert LOGIN in requests_text  # the journal is there, and readable
    for text in (requests_text, stats_text, caplog.text, *capsys.readouterr()):
        assert TYPED not in text


# ----- over real sockets both ways


def test_a_slow_hook_does_not_hold_the_store(hook_server: ScriptedHook) -> None:
    """While one sign-in waits for the hook, the mock keeps answering other requests."""
    with LiveServer(Settings(port=0)) as live:
        auth = {"Authorization": f"SSWS {live.token}"}
        hook = {
            "name": "slow",
            "type": PASSWORD_IMPORT,
            "version": "1.0.0",
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {"uri": hook_server.url, "method": "POST"},
            },
        }
        assert requests.post(f"{live.url}/api/v1/inlineHooks", json=hook, headers=auth).ok
        user = {"profile": _profile(LOGIN), "credentials": HOOK_USER}
        assert requests.post(f"{live.url}/api/v1/users", json=user, headers=auth).ok
        hook_server.answer(Answer(body=VERIFIED, delay=0.6))
        result: dict[str, Any] = {}

        def sign_in() -> None:
            response = requests.post(
                f"{live.url}/api/v1/authn", json={"username": LOGIN, "password": TYPED}
            )
            result["status"] = response.status_code

        signing_in = threading.Thread(target=sign_in)
        signing_in.start()
        while not hook_server.received:
            time.sleep(0.01)
        started = time.perf_counter()
        other = {"profile": _profile("other@example.com"), "credentials": with_password()}
        assert requests.post(f"{live.url}/api/v1/users", json=other, headers=auth).ok
        assert requests.get(f"{live.url}/api/v1/users/other@example.com", headers=auth).ok
        quick = time.perf_counter() - started
        signing_in.join()
        assert result["status"] == 200
        assert quick < 0.4, f"other requests waited {quick:.3f}s for the hook"
        live.check_errors()


def _profile(login: str) -> dict[str, object]:
    return {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock"}
