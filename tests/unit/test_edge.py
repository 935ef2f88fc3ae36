"""edge.py: gunicorn's limits and access log in front of the app, for servers without them."""

from __future__ import annotations

import io
import socket
from typing import Any

import pytest
from gunicorn import util

from mock_okta.edge import Edge, error_page, over_limits, request_uri
from mock_okta.journal import REDACTED


def environ(path: str = "/api/v1/users", query: str = "", **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "m",
    }
    env.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return env


def ok_app(env: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def test_the_error_page_is_gunicorns_byte_for_byte() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        util.write_error(ours, 431, "Request Header Fields Too Large", "Too many headers")
        ours.shutdown(socket.SHUT_WR)
        sent = b"".join(iter(lambda: theirs.recv(65536), b""))
    assert sent.partition(b"\r\n\r\n")[2] == error_page(
        "Request Header Fields Too Large", "Too many headers"
    )


@pytest.mark.parametrize(
    ("env", "status"),
    [
        (environ("/api/v1/users/" + "a" * 9000), 414),
        (environ("/api/v1/users", "q=" + "a" * 8200), 414),
        (environ(**{f"X_FLOOD_{i}": "1" for i in range(150)}), 431),
        (environ(X_BIG="a" * 9000), 431),
    ],
)
def test_requests_over_gunicorns_limits_are_refused(env: dict[str, Any], status: int) -> None:
    refused = over_limits(env)
    assert refused is not None
    assert refused[0] == status
    started: list[tuple[str, list[tuple[str, str]]]] = []
    body = b"".join(Edge(ok_app)(env, lambda s, h: started.append((s, h))))
    assert started[0][0].startswith(str(status))
    assert ("Connection", "close") in started[0][1]
    assert body.startswith(b"<html>")


def test_requests_within_the_limits_reach_the_app() -> None:
    env = environ("/api/v1/users/" + "a" * 8000, **{f"X_H_{i}": "v" * 100 for i in range(90)})
    assert over_limits(env) is None
    assert b"".join(Edge(ok_app)(env, lambda s, h: None)) == b"ok"


def test_the_uri_is_rebuilt_as_sent() -> None:
    assert request_uri(
        environ("/a b/zo\xc3\xab", "x=%20")
    )  # PEP 3333: latin-1 == "/a%20b/zo%C3%AB?x=%20"
    assert request_uri({"RAW_URI": "/raw?x=1", "PATH_INFO": "/other"}) == "/raw?x=1"


def test_the_access_log_redacts_secrets_as_gunicorns_does() -> None:
    out = io.StringIO()
    env = environ(
        "/api/v1/users",
        "limit=5&password=Hunter2-secret&token=tok-secret",
        USER_AGENT="curl/8",
        REFERER="http://x/?sessionToken=ref-secret",
    )
    assert b"".join(Edge(ok_app, access_log=True, out=out)(env, lambda s, h: None)) == b"ok"
    line = out.getvalue()
    assert '"GET /api/v1/users?limit=5&password=' in line
    assert " 200 2 " in line
    assert '"curl/8"' in line
    assert line.count(REDACTED) == 3
    assert "secret" not in line


def test_no_access_log_unless_asked() -> None:
    out = io.StringIO()
    b"".join(Edge(ok_app, out=out)(environ(), lambda s, h: None))
    assert out.getvalue() == ""
