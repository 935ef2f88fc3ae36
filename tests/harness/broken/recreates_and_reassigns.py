"""Deletes and re-creates a user whose password changed, then assigns its apps again: nothing
looks lost, yet each app that keys its account on the Okta user (Microsoft 365's immutable ID,
a provisioned account's externalId) now holds a new identity, and the old account no longer
matches."""

from __future__ import annotations

from mock_okta.tools import migrate, migration

_push = migration.Migrator._push


def delete_create_and_reassign(self: migration.Migrator, record: object, entry: object) -> bool:
    if entry.password not in (None, record.password_fp):  # type: ignore[attr-defined]
        path = self.client.user_path(entry.id)  # type: ignore[attr-defined]
        self._call("DELETE", path)
        self._call("DELETE", path)
        self._create(record)  # type: ignore[arg-type]
        fresh = self.state.get(record.login)  # type: ignore[attr-defined]
        entry.id, entry.status = fresh.id, fresh.status  # type: ignore[attr-defined, union-attr]
        entry.password = fresh.password  # type: ignore[attr-defined, union-attr]
        entry.apps = []  # type: ignore[attr-defined]  # so that every direct app is assigned again
        return True
    return bool(_push(self, record, entry))  # type: ignore[arg-type]


migration.Migrator._push = delete_create_and_reassign  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
