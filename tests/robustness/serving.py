"""Shared helpers for the robustness tests: the served mock, raw HTTP, Okta error checks."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from mock_okta.errors import CATALOGUE
from mock_okta.testing.client import ControlClient
from mock_okta.testing.served import ServedMock

TOKEN = "robust-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}
PASSWORD = "Sturdy-Passw0rd-5"
FIVE_FIELDS = {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}


def serve(*args: str) -> ServedMock:
    return ServedMock(list(args), TOKEN).start()


def control(server: ServedMock) -> ControlClient:
    return ControlClient(server.url, TOKEN, ca_file=server.ca_file)


def settled_counters(server: ServedMock, requests_sent: int, timeout: float = 20) -> dict[str, int]:
    """The counters once they count `requests_sent` requests (each worker journals on its own
    writer thread, so another worker's last entries may land a moment after the answer)."""
    deadline = time.monotonic() + timeout
    while True:
        counters: dict[str, int] = control(server).stats()["counters"]
        if counters.get("requests", 0) >= requests_sent or time.monotonic() > deadline:
            return counters
        time.sleep(0.05)


def assert_okta_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """An Okta-shaped error with this status and code, from the catalogue."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == FIVE_FIELDS, body
    assert body["errorCode"] == code, body
    assert CATALOGUE[code].status == status
    assert body["errorLink"] == code
    return body


def raw_http(url: str, data: bytes, timeout: float = 10) -> tuple[int, bytes, bytes]:
    """Send bytes as they are; (status, head, body) of the answer, read until the server closes."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before it has read everything
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, head, body


def profile(login: str, **extra: object) -> dict[str, object]:
    return {"login": login, "email": login, "firstName": "Rob", "lastName": "Ust", **extra}
