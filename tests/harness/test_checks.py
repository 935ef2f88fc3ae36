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


# ----- per-token rate limits and concurrency 429s (issue 14), and what the report says (16.7)


def limited(seq: int, epoch: float, token: str, reset: float, limit: int = 5) -> dict[str, Any]:
    rate = {"limit": limit, "remaining": 0, "reset": reset}
    return entry(seq, epoch, 429, token=token, rateLimit=rate)


def test_a_429_holds_back_only_the_token_it_answered() -> None:
    journal = [
        limited(1, 100.0, "00Ta", 110),
        entry(2, 100.5, token="00Tb"),  # the other token has its own share
        entry(3, 110.0, token="00Ta"),
    ]
    verdict = checks.waited_for_reset(journal, grace=0.25)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "waited for the reset after all 1 429s"
    journal.append(entry(4, 105.0, token="00Ta"))
    assert not checks.waited_for_reset(journal, grace=0.25).ok


def test_waiting_for_a_reset_is_not_tested_without_a_429() -> None:
    verdict = checks.waited_for_reset([entry(1, 1.0), entry(2, 2.0)], grace=0.25)
    assert (verdict.ok, verdict.tested) == (True, False)
    assert verdict.reason.startswith("not tested: the tool met no rate-limit 429")
    # a concurrency 429 is no rate-limit 429: its reset is only a suggestion
    busy = [limited(1, 1.0, "00Ta", 61, limit=0), entry(2, 1.5, token="00Ta")]
    assert not checks.waited_for_reset(busy, grace=0.25).tested


def test_a_tool_that_stalls_after_a_concurrency_429_is_told_so() -> None:
    journal = [
        limited(1, 100.0, "00Ta", 102, limit=0),
        entry(2, 100.1, token="00Ta"),  # already in flight: within the grace
        entry(3, 102.0, token="00Ta"),
    ]
    verdict = checks.concurrency_backoff(journal, grace=0.25, time_scale=60)
    assert (verdict.ok, verdict.tested) == (True, True)
    assert verdict.reason == (
        "stalled for the suggested reset after 1 concurrency 429s (the suggested reset: 120 s"
        " ahead): it waited 120 s each time (median, real-Okta seconds), while requests in flight"
        " end within seconds; back off briefly instead"
    )


def test_a_tool_that_backs_off_after_a_concurrency_429_is_told_so() -> None:
    journal = [
        limited(1, 100.0, "00Ta", 102, limit=0),
        entry(2, 100.5, token="00Ta"),
        limited(3, 101.0, "00Tb", 103, limit=0),
        entry(4, 101.3, token="00Tb"),
    ]
    verdict = checks.concurrency_backoff(journal, grace=0.25, time_scale=60)
    assert verdict.reason == (
        "retried sooner with backoff after 2 of 2 concurrency 429s (the suggested reset: 120 s"
        " ahead): median wait 30 s"
    )
    none = checks.concurrency_backoff([entry(1, 1.0)], grace=0.25, time_scale=60)
    assert (none.ok, none.tested) == (True, False)
    assert none.reason.startswith("not tested: the tool met no concurrency 429")


def test_the_ratelimit_facts_say_what_the_run_met() -> None:
    from mock_okta.harness.observations import rate_limit_facts

    def ok(seq: int, epoch: float, token: str, reset: float) -> dict[str, Any]:
        return entry(
            seq, epoch, token=token, rateLimit={"limit": 5, "remaining": 1, "reset": reset}
        )

    journal = [
        ok(1, 100.0, "00Ta", 101),
        ok(2, 100.1, "00Ta", 101),
        limited(3, 100.2, "00Ta", 101),
        ok(4, 101.0, "00Ta", 102),  # a pause of 0.8 s: 48 Okta seconds at 60x
        limited(5, 101.1, "00Ta", 130, limit=0),
        entry(6, 101.2, method="POST", path="/api/v1/authn", token=None),  # the harness's
    ]
    limits = {"users.collection": 10, "concurrency": 2}
    facts = dict(
        rate_limit_facts(journal, ["00Ta", "00Tb"], limits=limits, share=50, time_scale=60)
    )
    assert facts == {
        "ran at": "users.collection 10/min org-wide, 5/min per token; concurrency 2 org-wide,"
        " 1 per token (each token may use 50 %, Okta's default share); 60x: a 60 s window lasts"
        " 1 s here",
        "tokens": "{token} 5 requests, {token2} 0 requests: {token2} never used, so the tool had"
        " 50 % of each bucket; spread the calls over both tokens to go twice as fast",
        "429s met": "2: 1 of a token's share of a bucket, 1 concurrency",
        "pauses": "1 of 15 s or more: 48 s in all, the longest 48 s",
        "peak rate": "most requests answered in one window, against the limit:"
        " users.collection: {token} 2 of 5",
    }
