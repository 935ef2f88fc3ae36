"""Okta-shaped identifiers and tokens from one injectable, seedable source of randomness."""

from __future__ import annotations

import hashlib
import os
import random
import string
import threading

_ALPHABET = string.ascii_letters + string.digits
_TOKEN_ALPHABET = _ALPHABET + "-_"
# A random byte to one of the 62 characters (b % 62: the first 8 a little likelier, 5 in 256
# against 4): one draw of bytes per request id, not a draw per character.
_BYTE_TO_CHAR = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))


class IdFactory:
    """Ids like Okta's: users `00u` + 17 characters (20 in all), apps `0oa…`, error ids `oae…`."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self._random = random.Random(seed if seed is not None else os.urandom(16))

    def _chars(self, n: int, alphabet: str = _ALPHABET) -> str:
        # What `"".join(self._random.choices(alphabet, k=n))` draws and makes, without its
        # per-call set-up: floor(random() * len) is int() for these non-negative floats.
        size = float(len(alphabet))
        with self._lock:
            draw = self._random.random
            return "".join([alphabet[int(draw() * size)] for _ in range(n)])

    def user_id(self) -> str:
        return "00u" + self._chars(17)

    def group_id(self) -> str:
        return "00g" + self._chars(17)

    def principal_rate_limit_id(self) -> str:
        return "prl" + self._chars(17)

    def hook_id(self) -> str:
        return "cal" + self._chars(17)

    def user_type_id(self) -> str:
        return "oty" + self._chars(17)

    def request_id(self) -> str:
        """27 characters, made for every request: unique, not uniform (see _BYTE_TO_CHAR)."""
        with self._lock:
            drawn = self._random.randbytes(27)
        return drawn.translate(_BYTE_TO_CHAR).decode("ascii")

    def error_id(self) -> str:
        return "oae" + self._chars(22)

    def token(self, n: int = 20) -> str:
        return self._chars(n, _TOKEN_ALPHABET)

    def salt(self) -> bytes:
        with self._lock:
            return self._random.randbytes(16)

    def salts(self, n: int) -> list[bytes]:
        """`n` draws of `salt()` in a row (the same bytes), under one lock."""
        with self._lock:
            return [self._random.randbytes(16) for _ in range(n)]

    def app_id(self) -> str:
        return "0oa" + self._chars(17)

    def app_user_id(self) -> str:
        return "0ua" + self._chars(17)

    def app_link_id(self) -> str:
        return "aln" + self._chars(17)

    def external_id(self) -> str:
        """A downstream account's id, like the SPEC's `70c14cc17d3745e8a9f98d599a68329c`."""
        return self._chars(32, "0123456789abcdef")


def derived_id(prefix: str, purpose: bytes, text: str) -> str:
    """An Okta-shaped id (prefix + 17 characters) that `text` always gives, and that cannot be
    turned back into it: for ids that must not depend on the random stream (tokens, the org)."""
    digest = hashlib.blake2b(text.encode(), digest_size=16, person=purpose).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(17):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return prefix + "".join(chars)
