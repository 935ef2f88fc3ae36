"""Plaintext passwords and salts as people and legacy systems choose them, from a seeded Random.

Every password is at most 72 UTF-8 bytes (bcrypt reads no more).
"""

from __future__ import annotations

import base64
from random import Random
from typing import Final

from faker.providers.lorem.en_US import Provider as _Lorem

WORDS: Final[tuple[str, ...]] = tuple(sorted({str(w) for w in _Lorem.word_list if len(w) >= 4}))
# Non-ASCII words so UTF-8 matters: a hash over another encoding will not verify.
UNICODE_WORDS: Final = (
    "Grüße",
    "Straße",
    "café",
    "mañana",
    "contraseña",
    "pässwörd",
    "Łódź",
    "İstanbul",
    "пароль",
    "Москва",
    "東京",
    "パスワード",
    "密码",
    "비밀번호",
    "κωδικός",
    "كلمة",
    "ñandú",
    "smörgås",
)
SYMBOLS: Final = "!@#$%&*?.-_+=~^"
ALNUM: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
PRINTABLE: Final = ALNUM + SYMBOLS + "\"'\\/()[]{}<>;:, "
SALT_PUNCT: Final = ALNUM + "&*()#@!%^)("


def _table(alphabet: str) -> bytes:
    """A bytes.translate table mapping every byte onto `alphabet` (a slight bias is harmless)."""
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


_ALNUM_TABLE: Final = _table(ALNUM)
_PRINTABLE_TABLE: Final = _table(PRINTABLE)
_SALT_PUNCT_TABLE: Final = _table(SALT_PUNCT)


def _text(rng: Random, table: bytes, length: int) -> str:
    return rng.randbytes(length).translate(table).decode("ascii")


def _below(rng: Random, n: int) -> int:
    return int(rng.random() * n)  # randrange costs four times as much


def password(rng: Random) -> str:
    """One plaintext: word+digits, random characters, a passphrase or a non-ASCII word."""
    style = rng.random()
    if style < 0.4:
        word = WORDS[_below(rng, len(WORDS))].capitalize()
        return f"{word}{1 + _below(rng, 9999)}{SYMBOLS[_below(rng, len(SYMBOLS))]}"
    if style < 0.7:
        return _text(rng, _PRINTABLE_TABLE, 8 + _below(rng, 13))
    if style < 0.88:
        words = [WORDS[_below(rng, len(WORDS))] for _ in range(3 + _below(rng, 2))]
        return ("-" if rng.random() < 0.5 else " ").join(words)
    word = UNICODE_WORDS[_below(rng, len(UNICODE_WORDS))]
    return f"{word}{10 + _below(rng, 990)}{SYMBOLS[_below(rng, len(SYMBOLS))]}"


def salt(rng: Random) -> str:
    """A legacy salt as text: alphanumeric, hex, Base64 text, or punctuation-heavy."""
    style = rng.random()
    if style < 0.4:
        return _text(rng, _ALNUM_TABLE, 8 + _below(rng, 9))
    if style < 0.7:
        return rng.randbytes(8 if rng.random() < 0.5 else 16).hex()
    if style < 0.9:
        return base64.b64encode(rng.randbytes(12)).decode("ascii")
    return _text(rng, _SALT_PUNCT_TABLE, 12 + _below(rng, 11))


def django_salt(rng: Random) -> str:
    """Django's salt: 22 characters from letters and digits."""
    return _text(rng, _ALNUM_TABLE, 22)
