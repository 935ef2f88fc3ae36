"""Creates each user in its first 20 groups (all Okta takes on create) and never adds the rest."""

from __future__ import annotations

from mock_okta.tools import migrate
from mock_okta.tools.migration import Migrator
from mock_okta.tools.migration_records import Record
from mock_okta.tools.migration_state import Entry


def no_memberships(self: Migrator, record: Record, entry: Entry) -> bool:
    entry.groups = list(record.groups or ())  # as if done
    return False


Migrator._sync_groups = no_memberships  # type: ignore[method-assign]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
