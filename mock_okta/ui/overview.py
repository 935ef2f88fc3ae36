"""The org at a glance, for the dashboard: users by status, groups, apps, creates over time."""

from __future__ import annotations

from mock_okta.db import Database

SERIES_BUCKETS = 60  # the newest buckets of the created-users series


def overview(db: Database, bucket_ms: int = 10_000) -> dict[str, object]:
    """Counts and the users-created series (per `bucket_ms` of the org's clock, newest last)."""
    with db.read() as conn:
        by_status = dict(conn.execute("SELECT status, COUNT(*) FROM users GROUP BY status"))
        groups = conn.execute("SELECT COUNT(*) FROM groups").fetchone()[0]
        apps = dict(conn.execute("SELECT status, COUNT(*) FROM apps GROUP BY status"))
        rows = conn.execute(
            "SELECT created / ? AS bucket, COUNT(*) FROM users GROUP BY bucket"
            " ORDER BY bucket DESC LIMIT ?",
            (bucket_ms, SERIES_BUCKETS),
        ).fetchall()
        events = conn.execute("SELECT COUNT(*) FROM log_events").fetchone()[0]
        journal = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]
    series = [{"at": int(b) * bucket_ms, "created": int(n)} for b, n in reversed(rows)]
    return {
        "users": {"total": sum(by_status.values()), "byStatus": by_status},
        "groups": int(groups),
        "apps": {"total": sum(apps.values()), "byStatus": apps},
        "systemLogEvents": int(events),
        "journalSeq": int(journal),  # where the dashboard starts reading the journal
        "created": {"bucketMs": bucket_ms, "series": series},
    }
