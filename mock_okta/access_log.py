"""gunicorn's access log (`--access-log`) with secrets redacted from the query string.

The request line, the query and the referer are logged with every secret-looking query value
replaced by the journal's rule (journal.is_secret_key); header and environ atoms whose names
look secret (`%({authorization}i)s`) are redacted too, should a format ever use them.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from mock_okta.journal import REDACTED, is_secret_key, redact_query, redact_uri


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger; only the atoms an access-log line is made of are changed."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        method = environ.get("REQUEST_METHOD", "")
        uri = redact_uri(str(environ.get("RAW_URI", "")))
        atoms["r"] = f"{method} {uri} {environ.get('SERVER_PROTOCOL', '')}"
        atoms["q"] = redact_query(str(environ.get("QUERY_STRING") or ""))
        atoms["f"] = redact_uri(str(environ.get("HTTP_REFERER", "-")))
        for name in list(atoms):
            # Header ({authorization}i) and environ ({query_string}e) atoms, by the same rule.
            if name.startswith("{") and name[-2:] in ("}i", "}e"):
                inner, value = name[1:-2], str(atoms[name])
                if is_secret_key(inner):
                    atoms[name] = REDACTED
                elif inner in ("raw_uri", "referer", "http_referer"):
                    atoms[name] = redact_uri(value)
                elif inner == "query_string":
                    atoms[name] = redact_query(value)
        return atoms
