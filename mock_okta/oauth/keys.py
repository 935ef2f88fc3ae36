"""The authorization servers' signing keys: RSA 2048, kept in the store (so tokens verify after
a restart), made on first use, rotated by `POST /_mock/oauth/keys/rotate`.

Okta publishes the current key and the previous one after a rotation (Keys API: "Okta rotates
keys ... the previous key stays in /v1/keys"), so tokens signed before a rotation still verify.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_okta.clock import Clock
from mock_okta.db import Database
from mock_okta.ids import IdFactory
from mock_okta.oauth import jwt

KEPT: Final = 2  # the active key and the one before it


class SigningKeys:
    def __init__(self, db: Database, clock: Clock, ids: IdFactory) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self._cache: dict[str, list[tuple[str, rsa.RSAPrivateKey, bool]]] = {}
        self._lock = threading.Lock()

    def _load(self, server: str) -> list[tuple[str, rsa.RSAPrivateKey, bool]]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT kid, private_pem, active FROM oauth_keys WHERE server = ?"
                " ORDER BY rowid DESC",
                (server,),
            ).fetchall()
        keys = []
        for kid, pem, active in rows:
            key = serialization.load_pem_private_key(str(pem).encode(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            keys.append((str(kid), key, bool(active)))
        return keys

    def _keys(self, server: str) -> list[tuple[str, rsa.RSAPrivateKey, bool]]:
        with self._lock:
            keys = self._cache.get(server)
            if keys is None or not any(active for _, _, active in keys):
                keys = self._load(server)
                if not keys:
                    with self.db.write() as conn:
                        if not conn.execute(
                            "SELECT 1 FROM oauth_keys WHERE server = ?", (server,)
                        ).fetchone():
                            self._add(conn, server)
                    keys = self._load(server)
                self._cache[server] = keys
            return keys

    def _add(self, conn: sqlite3.Connection, server: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        conn.execute("UPDATE oauth_keys SET active = 0 WHERE server = ?", (server,))
        conn.execute(
            "INSERT INTO oauth_keys (kid, server, private_pem, created, active)"
            " VALUES (?, ?, ?, ?, 1)",
            (thumbprint(key.public_key()), server, pem, self.clock.now()),
        )
        stale = conn.execute(
            "SELECT kid FROM oauth_keys WHERE server = ? ORDER BY rowid DESC LIMIT -1 OFFSET ?",
            (server, KEPT),
        ).fetchall()
        conn.executemany("DELETE FROM oauth_keys WHERE kid = ?", stale)

    def rotate(self, server: str) -> str:
        """A new active key; the previous one stays published. Returns the new kid."""
        with self._lock, self.db.write() as conn:
            self._add(conn, server)
        with self._lock:
            self._cache.pop(server, None)
        return self._keys(server)[0][0]

    def forget(self) -> None:
        """Drop the cache (after another worker rotated, or a reset)."""
        with self._lock:
            self._cache.clear()

    def sign(self, server: str, claims: dict[str, object]) -> str:
        kid, key, _ = next(k for k in self._keys(server) if k[2])
        return jwt.sign(key, kid, claims)

    def verify(self, server: str, token: str) -> dict[str, object] | None:
        header = jwt.header_of(token)
        if header is None:
            return None
        for attempt in range(2):
            for kid, key, _ in self._keys(server):
                if kid == header.get("kid"):
                    return jwt.verify(key.public_key(), token)
            if attempt == 0:
                self.forget()  # another worker may have rotated
        return None

    def jwks(self, server: str) -> dict[str, object]:
        """GET /v1/keys: the public keys as a JWK Set (RFC 7517)."""
        out = []
        for kid, key, _ in self._keys(server):
            numbers = key.public_key().public_numbers()
            out.append(
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "kid": kid,
                    "use": "sig",
                    "e": jwt.b64url(_bytes(numbers.e)),
                    "n": jwt.b64url(_bytes(numbers.n)),
                }
            )
        return {"keys": out}


def thumbprint(key: rsa.RSAPublicKey) -> str:
    """The key's kid: its JWK thumbprint (RFC 7638), unique to the key."""
    numbers = key.public_numbers()
    members = {"e": jwt.b64url(_bytes(numbers.e)), "kty": "RSA", "n": jwt.b64url(_bytes(numbers.n))}
    text = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return jwt.b64url(hashlib.sha256(text.encode()).digest())


def _bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")
