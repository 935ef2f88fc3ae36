"""Name pools drawn from Faker once per seed, then combined with a seeded `random.Random`.

Faker per record costs tens of microseconds; a pool costs a few hundred draws per locale, and
picking from it costs two `random()` calls. Unicode names come from the non-English locales;
logins and emails use an ASCII transliteration (faker.decode.unidecode) on reserved domains
(RFC 2606 `example.*` and `.example`), so a rehearsal can never mail a real person.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import import_module
from random import Random
from typing import Final

from faker import Generator as FakerGenerator
from faker.decode import unidecode

# (locale, weight in percent, country calling code)
LOCALES: Final = (
    ("en_US", 28, "1"),
    ("en_GB", 6, "44"),
    ("de_DE", 8, "49"),
    ("fr_FR", 7, "33"),
    ("es_ES", 5, "34"),
    ("es_MX", 4, "52"),
    ("pt_BR", 6, "55"),
    ("it_IT", 4, "39"),
    ("pl_PL", 4, "48"),
    ("nl_NL", 3, "31"),
    ("tr_TR", 3, "90"),
    ("ru_RU", 4, "7"),
    ("ja_JP", 4, "81"),
    ("zh_CN", 5, "86"),
    ("ko_KR", 2, "82"),
    ("hi_IN", 3, "91"),
    ("el_GR", 1, "30"),
    ("ar_AA", 2, "971"),
    ("sv_SE", 1, "46"),
)
POOL_SIZE: Final = 400
DOMAINS: Final = (
    "example.com",
    "example.com",
    "example.com",
    "example.net",
    "example.net",
    "example.org",
    "mail.example",
    "post.example",
    "inbox.example",
    "customers.example",
)
_NOT_LOGIN: Final = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Part:
    """One name: the text, its JSON literal (pre-encoded), and its ASCII form for logins."""

    text: str
    json: str
    ascii: str


def _part(text: str) -> Part:
    ascii_ = _NOT_LOGIN.sub("", unidecode(text).lower())[:20]
    return Part(text, json.dumps(text, ensure_ascii=False), ascii_ or "user")


class NamePools:
    """Per-locale pools of first and last names and a 100-slot locale table for weighting."""

    def __init__(self, seed: int) -> None:
        self.firsts: list[list[Part]] = []
        self.lasts: list[list[Part]] = []
        self.codes: list[str] = []
        self.table: list[int] = []
        for index, (locale, weight, code) in enumerate(LOCALES):
            # Faker's person provider alone: a full Faker(locale) costs 50 ms to build.
            fake = FakerGenerator()
            fake.add_provider(import_module(f"faker.providers.person.{locale}").Provider)
            fake.seed_instance(seed * 1009 + index)
            firsts = {fake.format("first_name") for _ in range(POOL_SIZE)}
            lasts = {fake.format("last_name") for _ in range(POOL_SIZE)}
            self.firsts.append([_part(t) for t in sorted(firsts) if 0 < len(t) <= 50])
            self.lasts.append([_part(t) for t in sorted(lasts) if 0 < len(t) <= 50])
            self.codes.append(code)
            self.table.extend([index] * weight)

    def pick(self, rng: Random) -> tuple[int, Part, Part]:
        """A locale index and a first and last name from it."""
        locale = self.table[int(rng.random() * len(self.table))]
        firsts, lasts = self.firsts[locale], self.lasts[locale]
        return (
            locale,
            firsts[int(rng.random() * len(firsts))],
            lasts[int(rng.random() * len(lasts))],
        )

    def last(self, rng: Random, locale: int) -> Part:
        lasts = self.lasts[locale]
        return lasts[int(rng.random() * len(lasts))]

    def phone(self, rng: Random, locale: int) -> str:
        number = 100_000_000 + int(rng.random() * 900_000_000)
        return f"+{self.codes[locale]} {number // 1_000_000} {number % 1_000_000:06d}"


def local_part(rng: Random, first: str, last: str) -> str:
    """A plausible mailbox name from ASCII name parts."""
    style = rng.random()
    if style < 0.45:
        return f"{first}.{last}"
    if style < 0.6:
        return f"{first[0]}{last}"
    if style < 0.7:
        return f"{first}_{last}"
    if style < 0.85:
        return f"{first}.{last}{1 + int(rng.random() * 99)}"
    return f"{first}{1950 + int(rng.random() * 60)}"


def domain(rng: Random) -> str:
    return DOMAINS[int(rng.random() * len(DOMAINS))]
