"""The org at a glance, for the dashboard: users by status, groups, apps, creates over time.

The created-users curve is cumulative and in Okta time (the org's clock × the time scale,
which is what a plan speaks), from the first create to the later of the last create and the
plan's end, in at most `MAX_POINTS` steps of a round length: readable for a 30-second
rehearsal and for a 14-hour one alike.
"""

from __future__ import annotations

from typing import Final

from mock_okta.db import Database
from mock_okta.ui.plan import load_plan

MAX_POINTS: Final = 120
# Step lengths in Okta seconds: the first at which the axis needs at most MAX_POINTS steps.
STEPS: Final = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                43200, 86400)  # fmt: skip


def step_seconds(span: float) -> int:
    """The round step (Okta seconds) that covers `span` in at most MAX_POINTS steps."""
    for step in STEPS:
        if span <= step * MAX_POINTS:
            return step
    days = -(-span // (86400 * MAX_POINTS))
    return int(days) * 86400


def overview(db: Database, now_ms: int, time_scale: float = 1.0) -> dict[str, object]:
    """Counts, the cumulative users-created curve and the plan beside it."""
    with db.read() as conn:
        by_status = dict(conn.execute("SELECT status, COUNT(*) FROM users GROUP BY status"))
        groups = conn.execute("SELECT COUNT(*) FROM groups").fetchone()[0]
        apps = dict(conn.execute("SELECT status, COUNT(*) FROM apps GROUP BY status"))
        # Apart, each is one step down the users_created index; together, a scan.
        first = conn.execute("SELECT MIN(created) FROM users").fetchone()[0]
        last = conn.execute("SELECT MAX(created) FROM users").fetchone()[0]
        plan = load_plan(conn)
        events = conn.execute("SELECT COUNT(*) FROM log_events").fetchone()[0]
        journal = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0]
        total = sum(by_status.values())
        okta = time_scale / 1000  # Okta seconds per org-clock millisecond
        span = (last - first) * okta if first is not None else 0.0
        if plan is not None:
            span = max(span, plan.duration_s)
        step = step_seconds(max(span, 1.0))
        series: list[list[float]] = []
        if first is not None:
            last_t = (last - first) * okta
            step_ms = step / okta
            # One range count on the users_created index per step: a 250,000-user org in
            # milliseconds, where a GROUP BY over the table reads every row.
            rows = conn.execute(
                "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?1)"
                " SELECT (SELECT COUNT(*) FROM users WHERE created >= ?2 + i * ?3"
                " AND created < ?2 + (i + 1) * ?3) FROM s",
                (int(last_t // step), first, step_ms),
            ).fetchall()
            series.append([0.0, 0])
            done = 0
            for i, (count,) in enumerate(rows):
                done += int(count)
                series.append([round(min((i + 1) * step, last_t), 3), done])
            series[-1][1] = total  # every user was created by the last create
    now_s = (now_ms - first) * okta if first is not None else 0.0
    created: dict[str, object] = {
        "firstMs": first,
        "lastMs": last,
        "timeScale": time_scale,
        "stepSeconds": step,
        "spanSeconds": round(max(span, 1.0), 3),
        "nowSeconds": round(now_s, 3),
        "total": total,
        "series": series,  # [Okta seconds from the first create, users created by then]
    }
    planned: dict[str, object] | None = None
    if plan is not None:
        expected = round(plan.expected(now_s)) if first is not None else 0
        planned = {**plan.to_json(), "expectedNow": expected, "aheadBy": total - expected}
    return {
        "users": {"total": total, "byStatus": by_status},
        "groups": int(groups),
        "apps": {"total": sum(apps.values()), "byStatus": apps},
        "systemLogEvents": int(events),
        "journalSeq": int(journal),  # where the dashboard starts reading the journal
        "created": created,
        "plan": planned,
    }
