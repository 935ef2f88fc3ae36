"""The harness's checks on hand-made observations: each must pass the right thing and name the
wrong one."""

from __future__ import annotations

from typing import Any

from mock_okta.harness import checks


def record(login: str, scheme: str = "sha256", defect: str | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "profile": {
            "login": login,
            "email": login,
            "firstName": "F",
            "lastName": "L",
            "mobilePhone": None,
        },
        "password": {"scheme": scheme},
    }
    if defect:
        rec["defect"] = {"kind": defect}
    return rec


def oracle(login: str, can: bool = True, via: str | None = "hash") -> tuple[str, dict[str, Any]]:
    return login.casefold(), {"login": login, "password": "pw", "canLogIn": can, "via": via}


def user(login: str, uid: str = "00u1", status: str = "ACTIVE", **profile: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "status": status,
        "profile": {"login": login, "email": login, "firstName": "F", "lastName": "L", **profile},
    }


RECORDS = [
    record("a@example.com"),
    record("b@example.com"),
    record("c@example.com", "scrypt", "unsupported-scheme"),
]
ORACLE = dict(
    [oracle("a@example.com"), oracle("b@example.com"), oracle("c@example.com", via="hook")]
)


def test_users_exist_once_passes_a_complete_org() -> None:
    users = [user("a@example.com", "00ua"), user("B@example.com".lower(), "00ub")]
    verdict = checks.users_exist_once(RECORDS, ORACLE, users)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "2 users, profiles as in the dataset"


def test_users_exist_once_names_missing_and_differing_users() -> None:
    users = [user("a@example.com", firstName="Mallory")]
    verdict = checks.users_exist_once(RECORDS, ORACLE, users)
    assert not verdict.ok
    assert "1 missing: b@example.com" in verdict.reason
    assert "a@example.com firstName 'Mallory'≠'F'" in verdict.reason


def test_deprovisioned_users_do_not_count_as_present() -> None:
    users = [user("a@example.com"), user("b@example.com", status="DEPROVISIONED")]
    assert "missing: b@example.com" in checks.users_exist_once(RECORDS, ORACLE, users).reason


def test_unexpected_users_are_named() -> None:
    verdict = checks.no_unexpected_users(
        RECORDS, ORACLE, [user("a@example.com"), user("a.truncated@example.com")]
    )
    assert not verdict.ok
    assert "a.truncated@example.com" in verdict.reason
    assert checks.no_unexpected_users(RECORDS, ORACLE, [user("A@Example.com")]).ok


def test_sign_in_failures_point_to_the_doctor() -> None:
    verdict = checks.users_log_in({"a@example.com": 200, "b@example.com": 401})
    assert not verdict.ok
    assert "1 of 2 cannot sign in" in verdict.reason
    assert "mock-okta doctor" in verdict.reason
    assert "b@example.com" in verdict.reason
    assert checks.users_log_in({"a@example.com": 200}).ok


def test_old_passwords_must_be_refused() -> None:
    assert checks.old_passwords_refused({"a@example.com": 401}).ok
    verdict = checks.old_passwords_refused({"a@example.com": 200})
    assert not verdict.ok
    assert "a@example.com" in verdict.reason


def test_status_names_users_in_the_wrong_status() -> None:
    users = [user("a@example.com"), user("b@example.com", status="STAGED")]
    verdict = checks.status_is(users, ["a@example.com", "b@example.com"], "ACTIVE")
    assert not verdict.ok
    assert "b@example.com is STAGED" in verdict.reason


def test_a_new_id_means_deleted_and_created_again() -> None:
    assert checks.ids_stable({"a": "00u1"}, {"a": "00u1", "b": "00u2"}).ok
    verdict = checks.ids_stable({"a": "00u1", "b": "00u2"}, {"a": "00u9", "b": "00u2"})
    assert not verdict.ok
    assert "deleted and created again" in verdict.reason
    assert "a" in verdict.reason


def entry(seq: int, epoch: float, status: int = 200, **extra: Any) -> dict[str, Any]:
    base = {
        "seq": seq,
        "epoch": epoch,
        "status": status,
        "method": "POST",
        "path": "/api/v1/users",
        "bucket": "users.collection",
        "requestId": f"r{seq}",
        "login": None,
        "body": None,
        "rateLimit": {"limit": 10, "remaining": 0 if status == 429 else 5, "reset": 110},
    }
    base.update(extra)
    return base


def test_requests_between_a_429_and_its_reset_are_caught() -> None:
    journal = [entry(1, 100.0, 429), entry(2, 100.1), entry(3, 100.9), entry(4, 110.0)]
    verdict = checks.waited_for_reset(journal, grace=0.25)
    assert not verdict.ok
    assert "1 more users.collection requests before its reset" in verdict.reason
    assert "request r1" in verdict.reason


def test_waiting_for_the_reset_passes() -> None:
    journal = [
        entry(1, 100.0, 429),
        entry(2, 100.2),
        entry(3, 110.0),
        entry(4, 100.5, bucket="users.get"),
    ]  # another bucket is not held back
    verdict = checks.waited_for_reset(journal, grace=0.25)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "waited for the reset after all 1 429s"


def test_plaintext_for_an_importable_hash_is_caught_and_hooked_ones_allowed() -> None:
    plain = {"credentials": {"password": {"value": "[redacted]"}}}
    hashed = {"credentials": {"password": {"hash": {"algorithm": "SHA-256"}}}}
    journal = [
        entry(1, 1.0, login="a@example.com", body=plain),
        entry(2, 1.0, login="b@example.com", body=hashed),
        entry(3, 1.0, login="c@example.com", body=plain),
    ]
    verdict = checks.no_plaintext_for_importable(journal, RECORDS, [])
    assert not verdict.ok
    assert "a@example.com" in verdict.reason
    assert "c@example.com" not in verdict.reason
    by_id = [entry(1, 1.0, path="/api/v1/users/00ub", body=plain)]
    verdict = checks.no_plaintext_for_importable(by_id, RECORDS, [user("b@example.com", "00ub")])
    assert "b@example.com" in verdict.reason


def test_an_unimportable_hash_must_not_be_imported() -> None:
    hashed = {"credentials": {"password": {"hash": {"algorithm": "SHA-256"}}}}
    hooked = {"credentials": {"password": {"hook": {"type": "default"}}}}
    users = [user("c@example.com")]
    bad = checks.defects_handled(
        RECORDS, users, [entry(1, 1.0, login="c@example.com", body=hashed)]
    )
    assert not bad.ok
    assert "c@example.com (scrypt)" in bad.reason
    good = checks.defects_handled(
        RECORDS, users, [entry(1, 1.0, login="c@example.com", body=hooked)]
    )
    assert good.ok, good.reason


def test_a_rerun_must_create_nothing() -> None:
    assert checks.nothing_created([entry(1, 1.0, status=400, login="a@example.com")]).ok
    verdict = checks.nothing_created([entry(1, 1.0, login="a@example.com")])
    assert not verdict.ok
    assert "a@example.com" in verdict.reason


def test_tool_finished_reports_timeouts_and_exit_codes() -> None:
    assert checks.tool_finished("import", 0, 2.0, "log").ok
    assert "timed out" in checks.tool_finished("import", None, 600, "log").reason
    assert "status 3" in checks.tool_finished("import", 3, 1.0, "tool.log").reason
