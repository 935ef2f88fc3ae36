"""Principal rate limits (`/api/v1/principal-rate-limits`, SPEC tag PrincipalRateLimit): each
API token's share of every bucket and of the concurrency limit.

Answers and errors follow what a real org answered (okta-sdk-python's recorded cassettes,
2025): one entity per principal ("principalRateLimitMediated" for a second one), 404 for an
unknown token, a list that needs `filter=principalType eq "…"`. One row per entity; every
worker re-reads the shares through the org's configuration generation.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import astuple, dataclass, replace
from typing import Final

from mock_okta.clock import Clock
from mock_okta.db import Database
from mock_okta.errors import E_API_VALIDATION, E_INVALID_PAGING, OktaError, not_found
from mock_okta.ids import IdFactory
from mock_okta.tokens import ApiToken, Tokens

SSWS_TOKEN: Final = "SSWS_TOKEN"
OAUTH_CLIENT: Final = "OAUTH_CLIENT"
PRINCIPAL_TYPES: Final = (OAUTH_CLIENT, SSWS_TOKEN)  # SPEC PrincipalType
MEDIATED: Final = "principalRateLimitMediated"  # the field every recorded error names
NO_TYPE_FILTER: Final = (  # recorded, typo included
    'The provided filter parameter did not contain the required attrbute filter "principalType"'
)
DEFAULT_PAGE: Final = 20  # SPEC listPrincipalRateLimitEntities: default 20, maximum 50
MAX_PAGE: Final = 50
_TYPE_FILTER: Final = re.compile(r'\s*principalType\s+eq\s+"([A-Z_]+)"\s*')
COLUMNS: Final = (
    "id, principal_id, principal_type, percentage, concurrency_percentage, created, created_by,"
    " last_update, last_updated_by"
)


@dataclass(frozen=True, slots=True)
class PrincipalRateLimit:
    id: str
    principal_id: str
    principal_type: str
    percentage: int
    concurrency_percentage: int
    created: int  # epoch milliseconds
    created_by: str
    last_update: int
    last_updated_by: str


@dataclass(frozen=True, slots=True)
class Share:
    """A token's share, in percent of each bucket and of the concurrency limit."""

    percentage: int
    concurrency_percentage: int
    entity_id: str | None = None  # the principal rate limit that set it, if any


def _mediated(*causes: str) -> OktaError:
    return OktaError(E_API_VALIDATION, MEDIATED, causes=causes)


def _invalid(field: str, cause: str) -> OktaError:
    # PARITY: Okta's causes for a malformed entity are unconfirmed; the recorded errors all
    # name principalRateLimitMediated, so these do too, with the field in the cause.
    return _mediated(f"{field}: {cause}")


def _percent(raw: Mapping[str, object], field: str, default: int) -> int:
    value = raw.get(field)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        # PARITY: Okta's range is unconfirmed; its Admin Console slider goes from 0 to 100 %.
        raise _invalid(field, "The value must be a whole number from 0 to 100")
    return value


def _row(row: tuple[object, ...]) -> PrincipalRateLimit:
    ident, principal, kind, pct, concurrency, created, by, updated, updated_by = row
    return PrincipalRateLimit(
        str(ident),
        str(principal),
        str(kind),
        int(pct),  # type: ignore[call-overload]
        int(concurrency),  # type: ignore[call-overload]
        int(created),  # type: ignore[call-overload]
        str(by),
        int(updated),  # type: ignore[call-overload]
        str(updated_by),
    )


class PrincipalRateLimits:
    """Okta's four operations; methods raise OktaError. `changed` runs after every write."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdFactory,
        tokens: Tokens,
        default_share: Callable[[], int],
        changed: Callable[[], None],
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.tokens = tokens
        self.default_share = default_share
        self.changed = changed

    def _now_ms(self) -> int:
        # Okta answers these timestamps in whole seconds ("2025-09-22T17:31:41Z").
        return int(self.clock.now()) * 1000

    def _principal(self, raw: Mapping[str, object]) -> tuple[str, str]:
        principal_id, kind = raw.get("principalId"), raw.get("principalType")
        if not isinstance(principal_id, str) or not principal_id.strip():
            raise _invalid("principalId", "The field cannot be left blank")
        if kind not in PRINCIPAL_TYPES:
            raise _invalid(
                "principalType", f"The value must be one of {', '.join(PRINCIPAL_TYPES)}"
            )
        assert isinstance(kind, str)
        if kind == OAUTH_CLIENT or self.tokens.by_id(principal_id) is None:
            # PARITY: the mock has API tokens only; an OAuth 2.0 client is answered like a
            # token that does not exist (recorded: "… 00T… (Token)").
            raise not_found(principal_id, "Token" if kind == SSWS_TOKEN else "Application")
        return principal_id, kind

    def _load(self, conn: sqlite3.Connection, entity_id: str) -> PrincipalRateLimit:
        row = conn.execute(
            f"SELECT {COLUMNS} FROM principal_rate_limits WHERE id = ?", (entity_id,)
        ).fetchone()
        if row is None:
            raise not_found(entity_id, "PrincipalRateLimit")
        return _row(tuple(row))

    def create_principal_rate_limit(
        self, raw: Mapping[str, object], caller: ApiToken
    ) -> PrincipalRateLimit:
        """POST /api/v1/principal-rate-limits: one entity per principal."""
        principal_id, kind = self._principal(raw)
        default = self.default_share()
        now = self._now_ms()
        entity = PrincipalRateLimit(
            self.ids.principal_rate_limit_id(),
            principal_id,
            kind,
            _percent(raw, "defaultPercentage", default),
            _percent(raw, "defaultConcurrencyPercentage", default),
            now,
            caller.owner_id,
            now,
            caller.owner_id,
        )
        try:
            with self.db.write() as conn:
                conn.execute(
                    f"INSERT INTO principal_rate_limits ({COLUMNS}) VALUES ({', '.join('?' * 9)})",
                    astuple(entity),
                )
                self.db.bump_generation(conn)
        except sqlite3.IntegrityError:
            raise _mediated() from None  # recorded: a second entity for the same token
        self.changed()
        return entity

    # PARITY: the recorded org listed an entity for every token it had; whether Okta makes one
    # with each token is unconfirmed. Here a token has one once it is created, and until then
    # the org's default share (tokenShare) applies.
    def list_principal_rate_limit_entities(
        self, filter_text: str | None, limit: str | None = None, after: str | None = None
    ) -> tuple[list[PrincipalRateLimit], int, str | None]:
        """GET /api/v1/principal-rate-limits?filter=principalType eq "SSWS_TOKEN"; a page."""
        match = _TYPE_FILTER.fullmatch(filter_text or "")
        if match is None:
            raise _mediated(NO_TYPE_FILTER)
        size = _page_size(limit)
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM principal_rate_limits"
                " WHERE principal_type = ? AND id > ? ORDER BY id LIMIT ?",
                (match.group(1), after or "", size + 1),
            ).fetchall()
        entities = [_row(tuple(r)) for r in rows[:size]]
        more = len(rows) > size and entities
        return entities, size, entities[-1].id if more else None

    def get_principal_rate_limit_entity(self, entity_id: str) -> PrincipalRateLimit:
        """GET /api/v1/principal-rate-limits/{id}."""
        with self.db.read() as conn:
            return self._load(conn, entity_id)

    def replace_principal_rate_limit_entity(
        self, entity_id: str, raw: Mapping[str, object], caller: ApiToken
    ) -> PrincipalRateLimit:
        """PUT /api/v1/principal-rate-limits/{id}: percentages left out keep their values."""
        with self.db.write() as conn:
            current = self._load(conn, entity_id)
            principal_id, kind = self._principal(raw)
            if (principal_id, kind) != (current.principal_id, current.principal_type):
                # PARITY: whether Okta lets a replace move an entity to another principal is
                # unconfirmed; the mock keeps one entity per principal by refusing it.
                raise _invalid("principalId", "The principal of an entity cannot change")
            entity = replace(
                current,
                percentage=_percent(raw, "defaultPercentage", current.percentage),
                concurrency_percentage=_percent(
                    raw, "defaultConcurrencyPercentage", current.concurrency_percentage
                ),
                last_update=self._now_ms(),
                last_updated_by=caller.owner_id,
            )
            conn.execute(
                "UPDATE principal_rate_limits SET percentage = ?, concurrency_percentage = ?,"
                " last_update = ?, last_updated_by = ? WHERE id = ?",
                (
                    entity.percentage,
                    entity.concurrency_percentage,
                    entity.last_update,
                    entity.last_updated_by,
                    entity.id,
                ),
            )
            self.db.bump_generation(conn)
        self.changed()
        return entity

    def shares(self, conn: sqlite3.Connection) -> dict[str, Share]:
        """Each token's share set by an entity, by token id (in the caller's read)."""
        rows = conn.execute(
            "SELECT id, principal_id, percentage, concurrency_percentage"
            " FROM principal_rate_limits WHERE principal_type = ?",
            (SSWS_TOKEN,),
        ).fetchall()
        return {str(p): Share(int(pct), int(c), str(i)) for i, p, pct, c in rows}


def _page_size(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_PAGE
    try:
        size = int(text)
    except ValueError:
        raise OktaError(E_INVALID_PAGING) from None
    if size < 1:
        raise OktaError(E_INVALID_PAGING)
    return min(size, MAX_PAGE)
