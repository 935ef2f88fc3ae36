"""The pytest plugin (entry point `pytest11`): installing mock-okta is enough to use it.

def test_migration(mock_okta):          # a live server, reset before this test
    run_my_tool(mock_okta.url, mock_okta.token)
    assert mock_okta.stats()["users"] == 3

def test_over_https(mock_okta_tls):     # the same over HTTPS: its CA in mock_okta_tls.ca_file
    run_my_tool(mock_okta_tls.url, mock_okta_tls.token, env=mock_okta_tls.ca_env())
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported by the fixtures that need them: a session without them stays light
    from mock_okta.testing.client import ControlClient
    from mock_okta.testing.inprocess import MockOkta
    from mock_okta.testing.live import LiveServer


@pytest.fixture(scope="session")
def mock_okta_server() -> Iterator[LiveServer]:
    """One live mock for the session on a free port; MOCK_OKTA_* variables configure it."""
    from mock_okta.config import Settings
    from mock_okta.testing.live import LiveServer

    settings = dataclasses.replace(Settings.from_env(os.environ), port=0)
    server = LiveServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def mock_okta(mock_okta_server: LiveServer) -> Iterator[ControlClient]:
    """The session's mock, reset for this test: `.url`, `.token` and the control-plane calls."""
    yield from _reset_for_test(mock_okta_server)


@pytest.fixture(scope="session")
def mock_okta_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live mock over HTTPS for the session; its local CA in MOCK_OKTA_TLS_DIR, else in a
    folder of the session's own."""
    from mock_okta.config import Settings
    from mock_okta.testing.live import LiveServer

    settings = Settings.from_env(os.environ)
    tls_dir = settings.tls_dir or str(tmp_path_factory.mktemp("mock-okta-tls"))
    server = LiveServer(dataclasses.replace(settings, port=0, tls=True, tls_dir=tls_dir)).start()
    yield server
    server.stop()


@pytest.fixture
def mock_okta_tls(mock_okta_tls_server: LiveServer) -> Iterator[ControlClient]:
    """The HTTPS mock, reset for this test: `.url` (https://), `.token`, `.ca_file`, `.ca_env()`
    and the control-plane calls (which trust the CA)."""
    yield from _reset_for_test(mock_okta_tls_server)


def _reset_for_test(server: LiveServer) -> Iterator[ControlClient]:
    server.org.reset()
    server.org.server_errors.clear()
    yield server.client
    server.check_errors()


@pytest.fixture
def mock_okta_inprocess() -> Iterator[MockOkta]:
    """An empty in-process org at https://dev-123.okta.com for code that uses `requests`."""
    from mock_okta.testing.inprocess import MockOkta

    with MockOkta() as okta:
        yield okta
