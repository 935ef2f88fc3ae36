"""The org's API tokens (`--token`), each with an identity as Okta gives one: `00T…`.

Principal rate limits name a token by that id (SPEC PrincipalRateLimitEntity `principalId`,
recorded ids such as `00T1cuuokxSImd8ST1d7`). Ids are derived from the token, so a token keeps
its id across restarts and seeds and no token is ever stored; the id cannot be turned back into
the token.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from mock_okta.ids import derived_id


@dataclass(frozen=True, slots=True)
class ApiToken:
    index: int  # its place among `--token`s: its block of rate windows and in-flight counts
    id: str  # 00T… (20 characters)
    owner_id: str  # 00u…: the admin the token acts for (createdBy of what it creates)


def api_token(index: int, token: str) -> ApiToken:
    # PARITY: a mock token has no admin user behind it; its owner id is derived like its own.
    return ApiToken(
        index,
        derived_id("00T", b"mock-okta-token", token),
        derived_id("00u", b"token-owner", token),
    )


class Tokens:
    """The tokens a server accepts, by value (to authenticate) and by id (to name them)."""

    def __init__(self, values: Sequence[str]) -> None:
        unique = dict.fromkeys(values)
        self._by_value = {value: api_token(i, value) for i, value in enumerate(unique)}
        self._by_id = {t.id: t for t in self._by_value.values()}

    def authenticate(self, value: str | None) -> ApiToken | None:
        return self._by_value.get(value) if value else None  # never an empty token

    def by_id(self, token_id: str) -> ApiToken | None:
        return self._by_id.get(token_id)

    def __iter__(self) -> Iterator[ApiToken]:
        return iter(self._by_value.values())

    def __len__(self) -> int:
        return len(self._by_value)
