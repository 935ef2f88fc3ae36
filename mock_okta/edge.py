"""What gunicorn does in front of the app and granian does not: the request-line and header
limits (answered as gunicorn answers them) and the access log (secrets redacted).

A WSGI middleware, so the app behind it is the same Flask app whatever the server.
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO
from urllib.parse import quote

from mock_okta.journal import redact_uri

# gunicorn's defaults, which `mock-okta serve` sets on gunicorn too (server.py).
MAX_REQUEST_LINE = 8190
MAX_HEADER_FIELDS = 100
MAX_HEADER_FIELD_SIZE = 8190

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def request_uri(environ: dict[str, Any]) -> str:
    """The request's path?query as sent (granian gives the path decoded, with no RAW_URI)."""
    raw = environ.get("RAW_URI")
    if raw:
        return str(raw)
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "")
    return quote(path, safe="/:@!$&'()*+,;=-._~%") + (f"?{query}" if query else "")


def headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's header fields, as (name, value), from the environ."""
    fields = [
        (key[5:].replace("_", "-").title(), str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            fields.append((name, str(environ[key])))
    return fields


def over_limits(environ: dict[str, Any]) -> tuple[int, str, str] | None:
    """gunicorn's answer to a request over its limits (status, reason, message), or None."""
    line = len(environ.get("REQUEST_METHOD", "")) + len(request_uri(environ)) + 10
    if line > MAX_REQUEST_LINE:
        return 414, "Request-URI Too Long", f"Request Line is too large ({line} > 8190)"
    fields = headers(environ)
    if len(fields) > MAX_HEADER_FIELDS:
        return 431, "Request Header Fields Too Large", "Too many headers"
    for name, value in fields:
        if len(name) + len(value) + 2 > MAX_HEADER_FIELD_SIZE:
            return 431, "Request Header Fields Too Large", f"Header {name} is too large"
    return None


def error_page(reason: str, message: str) -> bytes:
    """gunicorn's error page (gunicorn.util.write_error), byte for byte."""
    return (
        f"<html>\n  <head>\n    <title>{reason}</title>\n  </head>\n  <body>\n"
        f"    <h1><p>{reason}</p></h1>\n    {html.escape(message)}\n  </body>\n</html>\n"
    ).encode("latin-1")


class Edge:
    """The app behind gunicorn's limits, with gunicorn's access-log line when asked for."""

    def __init__(self, app: WsgiApp, access_log: bool = False, out: TextIO | None = None) -> None:
        self.app = app
        self.access_log = access_log
        self.out = out

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        refused = over_limits(environ)
        if refused is not None:
            status, reason, message = refused
            page = error_page(reason, message)
            start_response(
                f"{status} {reason}",
                [
                    ("Connection", "close"),
                    ("Content-Type", "text/html"),
                    ("Content-Length", str(len(page))),
                ],
            )
            self._log(environ, status, len(page))
            return [page]
        if not self.access_log:
            return self.app(environ, start_response)
        seen: dict[str, Any] = {}

        def record(status: str, response_headers: list[tuple[str, str]], *exc: Any) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            seen["length"] = next(
                (v for k, v in response_headers if k.lower() == "content-length"), "-"
            )
            return start_response(status, response_headers, *exc)

        body = self.app(environ, record)
        self._log(environ, seen.get("status", 500), seen.get("length", "-"))
        return body

    def _log(self, environ: dict[str, Any], status: int, length: object) -> None:
        if not self.access_log:
            return
        # gunicorn's default access_log_format: %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s
        # "%(f)s" "%(a)s", with the query redacted as RedactingLogger does.
        uri = redact_uri(request_uri(environ))
        referer = redact_uri(str(environ.get("HTTP_REFERER", "-")))
        when = time.strftime("[%d/%b/%Y:%H:%M:%S %z]")
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} - - {when} "
            f'"{environ.get("REQUEST_METHOD", "")} {uri} {environ.get("SERVER_PROTOCOL", "")}"'
            f' {status} {length} "{referer}" "{environ.get("HTTP_USER_AGENT", "-")}"'
        )
        print(line, file=self.out or sys.stderr, flush=True)
