"""Tiny helpers shared by the routes: the current org, the JSON body, query flags, links."""

from __future__ import annotations

import json
import re
from typing import Final

from flask import Response, current_app, g, request

from mock_okta.errors import E_MALFORMED_BODY, OktaError, validation_error
from mock_okta.org import Org

_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


def current_org() -> Org:
    org = current_app.extensions["mock_okta"]
    assert isinstance(org, Org)
    return org


def json_object(*, optional: bool = False) -> dict[str, object]:
    """The request body as a JSON object, or 400 E0000003 when it is not one."""
    data = request.get_data(cache=True)
    if not data.strip():
        if optional:
            return {}
        raise OktaError(E_MALFORMED_BODY, detail="empty body")
    try:
        body = json.loads(data, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OktaError(E_MALFORMED_BODY, detail="body is not JSON") from None
    if not isinstance(body, dict):
        raise OktaError(E_MALFORMED_BODY, detail="body is not a JSON object")
    if _SURROGATE_ESCAPE.search(data) and _has_lone_surrogate(body):
        # PARITY: a lone surrogate is no Unicode text; Okta's answer to one is unconfirmed.
        raise OktaError(E_MALFORMED_BODY, detail="body has a lone UTF-16 surrogate")
    g.json_body = body
    return body


def _has_lone_surrogate(body: object) -> bool:
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _not_json(constant: str) -> object:
    """NaN and Infinity are Python's extensions, not JSON: Okta's parser refuses them."""
    raise ValueError(constant)


def flag(name: str, default: bool) -> bool:
    """A boolean query parameter; Okta reads `true`/`false`."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    # PARITY: Okta's answer to a non-boolean flag is unconfirmed.
    raise validation_error(name, "The value must be true or false")


def base_url() -> str:
    """The org URL links are built from: the configured one, else the request's host."""
    configured = current_org().settings.org_url
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


def no_content() -> Response:
    """204 with no body, so no Content-Type either."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def type_id(body: dict[str, object]) -> str | None:
    """`type.id` of a user body (createUser, replaceUser), if given."""
    user_type = body.get("type")
    if user_type is None:
        return None
    if not isinstance(user_type, dict) or not isinstance(user_type.get("id"), str):
        raise validation_error("type", "The value must be an object with an id")
    return str(user_type["id"])
