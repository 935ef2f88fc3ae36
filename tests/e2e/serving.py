"""Start `mock-okta serve` (gunicorn) as a subprocess for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from mock_okta.testing.served import ServeError
from mock_okta.testing.served import served as _served

TOKEN = "e2e-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}


@contextmanager
def served(args: Sequence[str], timeout: float = 30) -> Iterator[str]:
    """The server on a free port with the e2e token; AssertionError if it cannot start."""
    try:
        with _served(args, TOKEN, timeout) as url:
            yield url
    except ServeError as exc:
        raise AssertionError(str(exc)) from None
