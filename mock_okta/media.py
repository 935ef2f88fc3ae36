"""Which request bodies Okta reads, per family of endpoints: JSON for the API, forms for OAuth.

Okta's API is served by Spring (its catalogue names E0000021 "HTTP media type not supported
exception", Spring's HttpMediaTypeNotSupportedException): a body of another media type is
refused before the operation runs, with 400 E0000021, as real orgs answer a form-encoded body
(okta-sdk-python#309 on PUT /api/v1/apps/{id}/groups/{id}, #426 on GET /api/v1/users/{id}).
Its authorization servers read forms (RFC 6749 §4.1.3) and answer a JSON body with the same
E0000021 in the API's shape, not an OAuth error (a JSON POST to /oauth2/v1/token:
Kong/volcano-agent-sdk#21, okta-sdk-python#429).
A request without a body is never refused for its Content-Type (lifecycle POSTs send none).
Pure: the app passes in the path, the header and the first bytes of the body.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final

from mock_okta.errors import E_MALFORMED_BODY, E_MEDIA_TYPE, OktaError


@dataclass(frozen=True, slots=True)
class Reads:
    """The media types one family of endpoints reads."""

    name: str  # for the journal's detail: "JSON", "a form"
    types: frozenset[str]
    # PARITY: Spring's Jackson converter also reads application/*+json; Okta's mapping for it
    # is unconfirmed, and taken as JSON.
    json_suffix: bool

    def accepts(self, media: str) -> bool:
        if media in self.types:
            return True
        return self.json_suffix and media.startswith("application/") and media.endswith("+json")


JSON: Final = Reads("JSON", frozenset({"application/json"}), json_suffix=True)
# PARITY: multipart/form-data on the OAuth endpoints is unconfirmed; only the form encoding
# RFC 6749 names is read.
FORM: Final = Reads("a form", frozenset({"application/x-www-form-urlencoded"}), json_suffix=False)
# Path prefixes and what they read; every other path (the API, the control plane) reads JSON.
FAMILIES: Final = (("/oauth2/", FORM),)
UTF8: Final = frozenset({"utf-8", "utf8"})
_WIDE_BOMS: Final = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


def reads(path: str) -> Reads:
    """The media types the endpoint at `path` reads."""
    for prefix, family in FAMILIES:
        if path.startswith(prefix):
            return family
    return JSON


def body_problem(path: str, content_type: str | None, head: bytes) -> OktaError | None:
    """Why Okta would not read a body beginning with `head` sent to `path`, or None if it would.

    `content_type` is the header as sent (None when absent); call only for a request that has
    a body.
    """
    family = reads(path)
    if content_type is None or not content_type.strip():
        # PARITY: a body without Content-Type is read by Spring as application/octet-stream
        # and refused as any other media type; unconfirmed against a real org.
        return OktaError(E_MEDIA_TYPE, detail="a body without Content-Type")
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if not family.accepts(media):
        return OktaError(
            E_MEDIA_TYPE, detail=f"Content-Type {media or '(empty)'} is not {family.name}"
        )
    charset = _charset(params)
    if charset is not None and charset not in UTF8:
        # PARITY: Jackson reads UTF-16LE/BE and UTF-32 too; JSON between systems must be
        # UTF-8 (RFC 8259 §8.1), and the mock refuses the rest as a media type Okta does not
        # document.
        return OktaError(E_MEDIA_TYPE, detail=f"charset {charset} is not UTF-8")
    if head.startswith(_WIDE_BOMS) or _looks_wide(head):
        # PARITY: a UTF-16 or UTF-32 body labelled as (or presumed) UTF-8 is no UTF-8 body.
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
    """UTF-16/32 without a BOM: the first character is ASCII, so a NUL is among two bytes."""
    return len(head) >= 2 and (head[0] == 0 or head[1] == 0)
