"""The checks every scenario makes after its tool has run, in one place."""

from __future__ import annotations

from mock_okta.harness import checks, directory_checks
from mock_okta.harness.checks import Verdict
from mock_okta.harness.contract import Checked
from mock_okta.harness.runner import Dataset, ToolRun
from mock_okta.profile import login_key

NEEDS_JOURNAL = "needs the mock's request journal"


def finished(run: ToolRun) -> Verdict:
    return checks.tool_finished(run.mode, run.returncode, run.seconds, str(run.log))


def migrated(
    c: Checked,
    data: Dataset,
    run: ToolRun,
    *,
    status: str = "ACTIVE",
    sign_in: bool = True,
    earlier: Dataset | None = None,
) -> list[Verdict]:
    """The org after a run: complete, correct, nothing extra, and every customer can sign in."""
    org = c.s.org
    entries = [] if c.real else c.mock.journal()
    users = org.users()
    logins = [e["login"] for e in data.can_log_in()]
    schema = org.schema() if data.fields else None
    no_fields = bool(directory_checks.missing_fields(data.fields, schema))
    # Users Okta refused for a mistake a check below names are that check's to report.
    excused = dict.fromkeys(
        directory_checks.refused_for(entries, "E0000093"), directory_checks.GROUP_IDS
    )
    if no_fields:
        excused.update(
            dict.fromkeys(
                directory_checks.refused_for(entries, "E0000001"), directory_checks.CUSTOM_FIELDS
            )
        )
    verdicts = [
        finished(run),
        checks.users_exist_once(data.records, data.oracle, users, excused),
        # A user removed from the legacy system since `earlier` is rightly still in Okta
        # (deactivated, never deleted).
        checks.no_unexpected_users(
            data.records + (earlier.records if earlier else []), data.oracle, users
        ),
        checks.status_is(users, logins, status),
        directory_checks.custom_fields_migrated(
            data.fields,
            data.records,
            data.oracle,
            schema,
            users,
            sum(1 for k, v in excused.items() if v == directory_checks.CUSTOM_FIELDS),
        ),
        directory_checks.groups_exact(data.records, data.oracle, users, org.groups()),
        directory_checks.custom_defects_handled(
            data.records, users, run.log.read_text(errors="replace")
        ),
    ]
    if c.real:
        verdicts += [
            c.skipped("waits for X-Rate-Limit-Reset", NEEDS_JOURNAL),
            c.skipped("no plaintext for importable hashes", NEEDS_JOURNAL),
            c.skipped("defective records handled", NEEDS_JOURNAL),
            c.skipped(directory_checks.GROUP_IDS, NEEDS_JOURNAL),
        ]
    else:
        verdicts += [
            checks.waited_for_reset(entries, c.s.config.grace),
            checks.no_plaintext_for_importable(entries, data.records, users),
            checks.defects_handled(data.records, users, entries),
            directory_checks.group_ids_within_limit(entries),
        ]
    if sign_in:  # missing users are `users_exist_once`'s to report, not this check's
        present = {login_key(str(u["profile"].get("login", ""))) for u in users}
        expected = [e for e in data.can_log_in() if login_key(e["login"]) in present]
        verdicts.append(checks.users_log_in(org.sign_in(expected)))
    return verdicts
