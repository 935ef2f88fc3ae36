"""Assertions and builders shared by mock-okta's HTTP and end-to-end tests."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import bcrypt
import pytest

ERROR_ID = re.compile(r"^oae[A-Za-z0-9]{22}$")
USER_ID = re.compile(r"^00u[A-Za-z0-9]{17}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

PASSWORD = "Correct-Horse-9"  # meets Okta's default policy and shares nothing with the logins
DUPLICATE_LOGIN = "login: An object with this field already exists in the current organization"
STAGED_ONLY = "password: An imported password may only be specified for a user with status: STAGED"


def assert_error(
    response: Any,
    status: int,
    code: str,
    summary: str,
    causes: Sequence[str] | None = (),
) -> None:
    """An Okta error body, exactly; `causes=None` leaves errorCauses unchecked (but listed)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert body["errorCode"] == code
    assert body["errorSummary"] == summary
    assert body["errorLink"] == code
    assert ERROR_ID.match(body["errorId"]), body["errorId"]
    assert isinstance(body["errorCauses"], list)
    if causes is not None:
        assert body["errorCauses"] == [{"errorSummary": c} for c in causes]


def profile(login: str, **extra: object) -> dict[str, object]:
    return {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock", **extra}


def as_returned(sent: Mapping[str, object]) -> dict[str, object]:
    """A profile as Okta returns it: `mobilePhone` and `secondEmail` always there, null if unset."""
    return {"mobilePhone": None, "secondEmail": None, **sent}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sha_hash(
    password: str,
    algorithm: str = "SHA-256",
    salt: str = "MPu13OmY",
    order: str = "PREFIX",
) -> dict[str, object]:
    """Okta's hash object for a SHA/MD5 digest, computed here with hashlib."""
    name = {"SHA-512": "sha512", "SHA-256": "sha256", "SHA-1": "sha1", "MD5": "md5"}[algorithm]
    # SHA-256 uses the literal salt; SHA-512, SHA-1 and MD5 the Base64-decoded one (§2).
    raw = salt.encode() if algorithm == "SHA-256" else base64.b64decode(salt)
    pw = password.encode()
    data = raw + pw if order == "PREFIX" else pw + raw
    return {
        "algorithm": algorithm,
        "salt": salt,
        "saltOrder": order,
        "value": b64(hashlib.new(name, data).digest()),
    }


def bcrypt_hash(password: str, cost: int = 4) -> dict[str, object]:
    """Okta's split of a `$2b$` hash made here with the bcrypt library."""
    legacy = bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()
    return {"algorithm": "BCRYPT", "workFactor": cost, "salt": legacy[7:29], "value": legacy[29:]}


def pbkdf2_hash(password: str, digest: str = "SHA512_HMAC") -> dict[str, object]:
    salt = b"pbkdf2-salt-0001"
    name = {"SHA256_HMAC": "sha256", "SHA512_HMAC": "sha512"}[digest]
    derived = hashlib.pbkdf2_hmac(name, password.encode(), salt, 4096, 32)
    return {
        "algorithm": "PBKDF2",
        "iterationCount": 4096,
        "keySize": 32,
        "digestAlgorithm": digest,
        "salt": b64(salt),
        "value": b64(derived),
    }


def with_hash(hash_object: Mapping[str, object]) -> dict[str, object]:
    return {"password": {"hash": dict(hash_object)}}


def with_password(value: str = PASSWORD) -> dict[str, object]:
    return {"password": {"value": value}}


def serve_args(scheme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`mock-okta serve` flags for `scheme`: none for http; for https `--tls` with its CA in
    tmp_path/tls, trusted the way a user would, through REQUESTS_CA_BUNDLE."""
    if scheme == "http":
        return []
    tls_dir = tmp_path / "tls"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_dir / "ca.pem"))
    return ["--tls", "--tls-dir", str(tls_dir)]


GROUP_ID = re.compile(r"^00g[A-Za-z0-9]{17}$")
TYPE_ID = re.compile(r"^oty[A-Za-z0-9]{17}$")
SCHEMA_PATH = "/api/v1/meta/schemas/user/default"


def schema_change(**properties: object) -> dict[str, object]:
    """The body of a schema update: custom properties by name (None removes one)."""
    return {
        "definitions": {"custom": {"id": "#custom", "type": "object", "properties": properties}}
    }


def attribute(kind: str = "string", title: str | None = None, **extra: object) -> dict[str, object]:
    """A custom property definition as a client sends it."""
    return {"title": title or f"A {kind}", "type": kind, **extra}
