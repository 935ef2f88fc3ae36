"""Never adds the custom fields to Okta's schema, so every create that carries one is refused."""

from __future__ import annotations

from mock_okta.tools import migrate
from mock_okta.tools.migration import Migrator


def no_schema(self: Migrator, fields: object) -> int:
    return 0


Migrator.ensure_schema = no_schema  # type: ignore[method-assign]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
