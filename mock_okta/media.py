"""Which request bodies Okta reads: JSON, as UTF-8, named so by Content-Type.

Okta's API is served by Spring (its catalogue names E0000021 "HTTP media type not supported
exception", Spring's HttpMediaTypeNotSupportedException): a body of another media type is
refused before the operation runs, with 400 E0000021, as real orgs answer a form-encoded body
(okta-sdk-python#309 on PUT /api/v1/apps/{id}/groups/{id}, #426 on GET /api/v1/users/{id}).
A request without a body is never refused for its Content-Type (lifecycle POSTs send none).
Pure: the app passes in the header and the first bytes of the body.
"""

from __future__ import annotations

import codecs
from typing import Final

from mock_okta.errors import E_MALFORMED_BODY, E_MEDIA_TYPE, OktaError

JSON_TYPES: Final = frozenset({"application/json"})
UTF8: Final = frozenset({"utf-8", "utf8"})
_WIDE_BOMS: Final = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


def body_problem(content_type: str | None, head: bytes) -> OktaError | None:
    """Why Okta would not read a request body that begins with `head`, or None if it would.

    `content_type` is the header as sent (None when absent); call only for a request that has
    a body.
    """
    if content_type is None or not content_type.strip():
        # PARITY: a body without Content-Type is read by Spring as application/octet-stream
        # and refused as any other media type; unconfirmed against a real org.
        return OktaError(E_MEDIA_TYPE, detail="a body without Content-Type")
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    # PARITY: Spring's Jackson converter also reads application/*+json; Okta's mapping for it
    # is unconfirmed, and taken as JSON.
    is_json = media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))
    if not is_json:
        return OktaError(E_MEDIA_TYPE, detail=f"Content-Type {media or '(empty)'} is not JSON")
    charset = _charset(params)
    if charset is not None and charset not in UTF8:
        # PARITY: Jackson reads UTF-16LE/BE and UTF-32 too; JSON between systems must be
        # UTF-8 (RFC 8259 §8.1), and the mock refuses the rest as a media type Okta does not
        # document.
        return OktaError(E_MEDIA_TYPE, detail=f"charset {charset} is not UTF-8")
    if head.startswith(_WIDE_BOMS) or _looks_wide(head):
        # PARITY: a UTF-16 or UTF-32 body labelled as (or presumed) UTF-8 is no UTF-8 JSON.
        return OktaError(E_MALFORMED_BODY, detail="body is UTF-16 or UTF-32, not UTF-8")
    # A UTF-8 byte order mark is allowed and ignored (RFC 8259 §8.1 lets a parser do so, and
    # Jackson does).
    return None


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _looks_wide(head: bytes) -> bool:
    """UTF-16/32 without a BOM: JSON's first character is ASCII, so a NUL is among two bytes."""
    return len(head) >= 2 and (head[0] == 0 or head[1] == 0)
