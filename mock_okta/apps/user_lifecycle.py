"""What a user's lifecycle does to its app users, inside the Users store's own transaction.

"Deactivating a user deprovisions them from an assigned app integration … If you reactivate the
user, their previous app integrations are reassigned" (help.okta.com, lcm-deprovision-user);
"assignments for apps marked as inactive are left untouched" (support.okta.com,
deprovisioning-behavior-when-an-app-is-inactive). Deleting the user loses them.
"""

from __future__ import annotations

import sqlite3

from mock_okta.apps.models import AppStatus, AppUserStatus


def deprovision_app_users(conn: sqlite3.Connection, user_id: str, now: int) -> None:
    """The user was deactivated: its app users in ACTIVE apps become DEPROVISIONED.

    PARITY: Okta's API view of a deprovisioned assignment is unconfirmed; the mock keeps the app
    user, with status DEPROVISIONED and (as SPEC AppUserStatus says) no externalId shown, so a
    reactivation can restore the same identity.
    """
    conn.execute(
        "UPDATE app_users SET status = ?, status_changed = ?, last_updated = ?"
        " WHERE user_id = ? AND status != ? AND app_id IN (SELECT id FROM apps WHERE status = ?)",
        (
            AppUserStatus.DEPROVISIONED.value,
            now,
            now,
            user_id,
            AppUserStatus.DEPROVISIONED.value,
            AppStatus.ACTIVE.value,
        ),
    )


def restore_app_users(conn: sqlite3.Connection, user_id: str, now: int) -> None:
    """The user was activated again: its app users come back with the same identity."""
    conn.execute(
        "UPDATE app_users SET status = CASE WHEN external_id IS NULL THEN ? ELSE ? END,"
        " status_changed = ?, last_updated = ? WHERE user_id = ? AND status = ?",
        (
            AppUserStatus.ACTIVE.value,
            AppUserStatus.PROVISIONED.value,
            now,
            now,
            user_id,
            AppUserStatus.DEPROVISIONED.value,
        ),
    )


def delete_app_users(conn: sqlite3.Connection, user_id: str) -> None:
    """The user was deleted: every assignment goes with it."""
    conn.execute("DELETE FROM app_users WHERE user_id = ?", (user_id,))
