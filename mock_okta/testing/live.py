"""A live mock on a free port in a background thread (werkzeug), for tests; HTTPS with TLS."""

from __future__ import annotations

import dataclasses
import threading
import traceback

from werkzeug.serving import BaseWSGIServer, make_server

from mock_okta import tls
from mock_okta.app import create_app
from mock_okta.config import Settings
from mock_okta.db import MEMORY
from mock_okta.org import Org
from mock_okta.testing.client import ControlClient


class LiveServer:
    """`start()`, then `url`, `token` and `client`; `check_errors()` re-raises server bugs.

    With `settings.tls` (or a certfile) it serves HTTPS: `url` is https:// and `ca_file` the
    local CA's certificate (see mock_okta/tls.py), also on `client`.
    """

    def __init__(self, settings: Settings | None = None, *, db: str = MEMORY) -> None:
        """An empty in-memory org unless `db` names a SQLite file."""
        self.settings = dataclasses.replace(settings or Settings(), db=db)
        self.tls = tls.prepare(self.settings)
        self.org = Org(self.settings)
        self.app = create_app(org=self.org)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        self._server = make_server(self.settings.host, self.settings.port, self.app, threaded=True)
        if self.tls:
            # The handshake in each request's thread, not in the one accepting connections
            # (werkzeug's own ssl_context would let one silent client stall every other).
            context = tls.server_context(self.tls)
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self._server.ssl_context = context
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="mock-okta", daemon=True
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.port)

    @property
    def url(self) -> str:
        return f"{self.settings.scheme}://{self.settings.host}:{self.port}"

    @property
    def ca_file(self) -> str | None:
        """The CA to trust for an https:// url (None for http://, or a team's own certificate)."""
        return str(self.tls.ca_file) if self.tls and self.tls.ca_file else None

    @property
    def token(self) -> str:
        return self.settings.tokens[0]

    @property
    def client(self) -> ControlClient:
        return ControlClient(self.url, self.token, ca_file=self.ca_file)

    def check_errors(self) -> None:
        """Raise the first unexpected exception the server met since the last check."""
        errors = list(self.org.server_errors)
        self.org.server_errors.clear()
        if errors:
            text = "".join(traceback.format_exception(errors[0]))
            raise AssertionError(f"mock-okta raised inside the server:\n{text}") from errors[0]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.org.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
