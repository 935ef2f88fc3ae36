"""Gives up on a record after one 503 and says nothing: the record is silently lost."""

from __future__ import annotations

from mock_okta.tools import migrate, migration, okta_client

okta_client.RETRY_STATUSES = frozenset()  # type: ignore[misc]
migration.Tally.fail = lambda self, line, login, reason, detail: None  # type: ignore[method-assign]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
