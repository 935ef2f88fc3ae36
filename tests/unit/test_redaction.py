"""Redaction by rule (issue #20 item 5): secret-looking keys anywhere in a body or a query
string, in the journal and in gunicorn's access log."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from mock_okta.access_log import RedactingLogger
from mock_okta.journal import REDACTED, is_secret_key, redact, redact_query

SECRET = [
    "password", "passwd", "pass", "PASS", "pwd", "user_pwd", "passCode", "passphrase",
    "token", "apiToken", "api_token", "access_token", "refresh_token", "stateToken",
    "secret", "client_secret", "clientSecret", "X-Api-Key", "api-key", "privateKey",
    "Authorization", "credential", "value", "salt", "hash", "answer", "code", "code_verifier",
]  # fmt: skip
PLAIN = ["login", "email", "limit", "after", "filter", "keySize", "workFactor", "salted", "id"]


@pytest.mark.parametrize("key", SECRET)
def test_secret_looking_keys_are_secret(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", PLAIN)
def test_other_keys_are_not(key: str) -> None:
    assert not is_secret_key(key)


def test_redact_finds_secrets_at_any_depth_and_keeps_the_rest() -> None:
    body = {
        "profile": {"login": "a@example.com", "pass": "p1"},
        "passwd": "p2",
        "extra": [{"legacy": {"user_pwd": "p3", "apiToken": "t1", "n": 3}}, "free text"],
        "tokens": ["t2", "t3"],
        "passwordChanged": None,
    }
    assert redact(body) == {
        "profile": {"login": "a@example.com", "pass": REDACTED},
        "passwd": REDACTED,
        "extra": [{"legacy": {"user_pwd": REDACTED, "apiToken": REDACTED, "n": 3}}, "free text"],
        "tokens": [REDACTED, REDACTED],
        "passwordChanged": None,
    }


def test_redact_query_keeps_what_is_not_secret_as_sent() -> None:
    query = "login=a%40example.com&password=p%20w&api%5Ftoken=t&limit=5&passwd&q=pass"
    assert redact_query(query) == (
        f"login=a%40example.com&password={REDACTED}&api%5Ftoken={REDACTED}&limit=5&passwd&q=pass"
    )


def test_the_access_log_redacts_the_request_line_query_and_referer() -> None:
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/users?limit=2&token=tok-Marker&passwd=pw-Marker",
        "QUERY_STRING": "limit=2&token=tok-Marker&passwd=pw-Marker",
        "PATH_INFO": "/api/v1/users",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://app.example.com/cb?code=code-Marker&state=s",
        "HTTP_AUTHORIZATION": "SSWS ssws-Marker",
    }
    request = SimpleNamespace(headers=[("AUTHORIZATION", "SSWS ssws-Marker")])
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=3))
    assert atoms["r"] == f"GET /api/v1/users?limit=2&token={REDACTED}&passwd={REDACTED} HTTP/1.1"
    assert atoms["q"] == f"limit=2&token={REDACTED}&passwd={REDACTED}"
    assert atoms["f"] == f"https://app.example.com/cb?code={REDACTED}&state=s"
    assert "Marker" not in repr(atoms)
