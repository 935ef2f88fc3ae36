"""The pytest plugin (entry point `pytest11`): installing mock-okta is enough to use it.

def test_migration(mock_okta):          # a live server, reset before this test
    run_my_tool(mock_okta.url, mock_okta.token)
    assert mock_okta.stats()["users"] == 3
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest

from mock_okta.config import Settings
from mock_okta.testing.client import ControlClient
from mock_okta.testing.inprocess import MockOkta
from mock_okta.testing.live import LiveServer


@pytest.fixture(scope="session")
def mock_okta_server() -> Iterator[LiveServer]:
    """One live mock for the session on a free port; MOCK_OKTA_* variables configure it."""
    settings = dataclasses.replace(Settings.from_env(os.environ), port=0)
    server = LiveServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def mock_okta(mock_okta_server: LiveServer) -> Iterator[ControlClient]:
    """The session's mock, reset for this test: `.url`, `.token` and the control-plane calls."""
    mock_okta_server.org.reset()
    mock_okta_server.org.server_errors.clear()
    yield mock_okta_server.client
    mock_okta_server.check_errors()


@pytest.fixture
def mock_okta_inprocess() -> Iterator[MockOkta]:
    """An empty in-process org at https://dev-123.okta.com for code that uses `requests`."""
    with MockOkta() as okta:
        yield okta
