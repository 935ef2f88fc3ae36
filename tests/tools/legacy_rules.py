"""The legacy schemes' own rules, written here with hashlib and bcrypt: never the tool's code."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import bcrypt

BCRYPT_RE = re.compile(r"\$(2[aby])\$(\d\d)\$[./A-Za-z0-9]{53}")


def legacy_accepts(password: str, stored: dict[str, Any]) -> bool:
    """Whether the legacy system that stored `stored` lets `password` in."""
    pw = password.encode("utf-8")
    scheme = stored["scheme"]
    if scheme == "bcrypt":
        assert BCRYPT_RE.fullmatch(stored["hash"]), stored
        return bcrypt.checkpw(pw, stored["hash"].encode("ascii"))
    if scheme in ("sha256", "sha512", "sha1", "md5"):
        assert stored["hex"] == stored["hex"].lower()
        salt = (stored["salt"] or "").encode("utf-8")
        assert stored["saltPosition"] in (("prefix", "suffix") if salt else (None,))
        data = pw + salt if stored["saltPosition"] == "suffix" else salt + pw
        return hashlib.new(scheme, data).hexdigest() == stored["hex"]
    if scheme in ("pbkdf2_sha256", "pbkdf2_sha512"):
        algorithm, iterations, salt_text, b64 = stored["hash"].split("$")
        assert algorithm == scheme
        key = base64.b64decode(b64, validate=True)
        digest = scheme.removeprefix("pbkdf2_")
        derived = hashlib.pbkdf2_hmac(
            digest, pw, salt_text.encode("utf-8"), int(iterations), dklen=len(key)
        )
        return derived == key
    if scheme == "scrypt":
        name, n, salt_text, r, p, b64 = stored["hash"].split("$")
        assert name == "scrypt"
        key = base64.b64decode(b64, validate=True)
        derived = hashlib.scrypt(
            pw, salt=salt_text.encode("utf-8"), n=int(n), r=int(r), p=int(p), dklen=len(key)
        )
        return derived == key
    raise AssertionError(f"unexpected scheme {scheme}")
