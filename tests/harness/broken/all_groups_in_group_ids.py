"""Sends every legacy group in `groupIds` on create, though Okta takes at most 20 there."""

from __future__ import annotations

from mock_okta.tools import migrate, migration

migration.OKTA_GROUP_IDS = 10_000  # type: ignore[attr-defined]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
