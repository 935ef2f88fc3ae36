"""In-process mode: every `requests` call to the org URL is answered by the Flask app, no socket.

    from mock_okta.testing import mock_okta

    with mock_okta(org_url="https://dev-123.okta.com") as okta:
        requests.post("https://dev-123.okta.com/api/v1/users", ...)
        assert okta.client.stats()["users"] == 1

Built on `responses`: calls to other hosts fail with `ConnectionError` (responses' default)
unless listed in `passthrough`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import requests
import responses

from mock_okta.app import DROPPED_HEADER, create_app
from mock_okta.config import DEFAULT_TOKEN, Settings
from mock_okta.db import MEMORY
from mock_okta.org import Org
from mock_okta.testing.client import ControlClient

P = ParamSpec("P")
R = TypeVar("R")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


class MockOkta:
    """A context manager and decorator; each `with` (or decorated call) starts an empty org."""

    def __init__(
        self,
        org_url: str = "https://dev-123.okta.com",
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        settings: Settings | None = None,
        passthrough: Iterable[str] = (),
    ) -> None:
        self.org_url = org_url.rstrip("/")
        base = settings or Settings()
        self.settings = dataclasses.replace(
            base, db=MEMORY, tokens=tuple(tokens), org_url=self.org_url
        )
        self.passthrough = tuple(passthrough)
        self._mock: responses.RequestsMock | None = None
        self._org: Org | None = None

    @property
    def org(self) -> Org:
        assert self._org is not None, "use mock_okta() as a context manager or decorator"
        return self._org

    @property
    def token(self) -> str:
        return self.settings.tokens[0]

    @property
    def url(self) -> str:
        return self.org_url

    @property
    def client(self) -> ControlClient:
        """The control-plane client, answered in-process like every other call."""
        return ControlClient(self.org_url, self.token)

    def __enter__(self) -> MockOkta:
        self._org = Org(self.settings)
        client = create_app(org=self._org).test_client()
        pattern = re.compile(re.escape(self.org_url) + r"(/.*)?")

        def answer(request: requests.PreparedRequest) -> Any:
            url = urlsplit(request.url or "")
            body = request.body.encode() if isinstance(request.body, str) else request.body
            response = client.open(
                url.path,
                method=request.method or "GET",
                query_string=url.query,
                headers=dict(request.headers),
                data=body or b"",
                base_url=self.org_url,
            )
            if response.headers.get(DROPPED_HEADER):
                return requests.ConnectionError("mock-okta: connection dropped (injected fault)")
            headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
            headers.append(("Date", formatdate(usegmt=True)))
            return response.status_code, headers, response.get_data()

        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._mock.start()
        for method in _METHODS:
            self._mock.add_callback(method, pattern, callback=answer)
        for host in self.passthrough:
            self._mock.add_passthru(host)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None
        if self._org is not None:
            self._org.close()

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with self:
                return func(*args, **kwargs)

        return wrapper


def mock_okta(
    org_url: str = "https://dev-123.okta.com",
    *,
    tokens: Iterable[str] = (DEFAULT_TOKEN,),
    settings: Settings | None = None,
    passthrough: Iterable[str] = (),
) -> MockOkta:
    """An in-process mock Okta for code that uses `requests` (context manager or decorator)."""
    return MockOkta(org_url, tokens=tokens, settings=settings, passthrough=passthrough)
