"""Compact JWS with RS256 (RFC 7515, RFC 7518 §3.3), on `cryptography`: sign and verify."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(value: Mapping[str, object]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def sign(key: rsa.RSAPrivateKey, kid: str, claims: Mapping[str, object]) -> str:
    header = b64url(_json({"kid": kid, "alg": "RS256"}))
    payload = b64url(_json(claims))
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def header_of(token: str) -> dict[str, object] | None:
    """The (unverified) JOSE header, or None when `token` is no compact JWS."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(unb64url(parts[0]))
    except (ValueError, UnicodeDecodeError):
        return None
    return header if isinstance(header, dict) else None


def verify(key: rsa.RSAPublicKey, token: str) -> dict[str, object] | None:
    """The claims when the RS256 signature verifies, else None (expiry is the caller's)."""
    header = header_of(token)
    if header is None or header.get("alg") != "RS256":
        return None
    head, payload, signature = token.split(".")
    try:
        key.verify(
            unb64url(signature),
            f"{head}.{payload}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        claims = json.loads(unb64url(payload))
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def half_hash(value: str) -> str:
    """`at_hash` (OIDC Core §3.1.3.6): the left half of SHA-256 of the token, base64url."""
    return b64url(hashlib.sha256(value.encode("ascii")).digest()[:16])


def s256(verifier: str) -> str:
    """PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier)))."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())
