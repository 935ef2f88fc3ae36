"""An event's body from its kind's template is the body built whole, whatever the request."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from itertools import product

import pytest

from mock_okta.clock import ManualClock
from mock_okta.db import Database
from mock_okta.ids import IdFactory
from mock_okta.syslog.events import (
    Event,
    Party,
    RequestInfo,
    SystemLog,
    _actor,
    _dumps,
    _uuid_text,
    bound,
    iso_ms,
)

ADMIN = Party("00uadmin", "User", "admin@mock-okta", "Mock Okta Admin")
USER = Party("00u1", "User", "zoë@example.com", 'Zoë "Z" \\ Ñandú')
EVENTS = [
    Event("user.lifecycle.create", (USER,)),
    Event("user.lifecycle.create", (USER, Party("00g1", "UserGroup"))),
    Event("user.session.start", (), ADMIN, "FAILURE", "INVALID_CREDENTIALS"),
    Event("user.account.lock", (USER,), debug={"threshold": "3", "requestUri": "/x"}),
    Event("custom", (USER,), message="A \u0000p mark-like message"),
]
REQUESTS = [
    None,
    RequestInfo("rid1", "10.0.0.1", "curl/8", "/api/v1/users", ADMIN, "00T1"),
    RequestInfo("rid2", "10.0.0.1", "curl/8", '/api/v1/users/zoë%40x/é"\\', ADMIN, "00T1"),
    RequestInfo('r "3" \\ é', "", 'UA "\u0000p" \\u0000r', "/api/v1/\u0000i", None, None),
]


def whole(log: SystemLog, event: Event, ms: int, request: RequestInfo | None) -> str:
    """The body as `record` built it before templates: drawn from a twin random source."""
    uuid = _uuid_text(log.ids.salt())
    return _dumps(log._body(event, iso_ms(ms), request, _actor(event, request), uuid))


@pytest.mark.parametrize("request_info", REQUESTS)
def test_templated_bodies_are_the_whole_bodies(request_info: RequestInfo | None) -> None:
    clock = ManualClock()
    log = SystemLog(Database(), clock, IdFactory(3))
    twin = SystemLog(Database(), clock, IdFactory(3))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE log_events (published, event_type, result, actor_id, targets, body)")
    expected = []
    with bound(request_info) if request_info else nullcontext():
        for event, step in product(EVENTS * 2, (1, 1001)):
            clock.advance(step / 1000)
            ms = int(clock.now() * 1000)
            log.record(conn, event)
            expected.append(whole(twin, event, ms, request_info))
    assert [r[0] for r in conn.execute("SELECT body FROM log_events")] == expected
    assert any(parts is not None for parts in log._templates.values())
