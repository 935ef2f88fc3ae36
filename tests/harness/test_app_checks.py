"""The harness's app-assignment checks, as pure functions: each passes, fails and names what."""

from __future__ import annotations

from mock_okta.harness import app_checks
from mock_okta.tools.legacy_apps import apps_manifest

MANIFEST = apps_manifest(["All customers", "Mobile app users"])
ORACLE = {
    "ana@example.com": {"login": "ana@example.com", "canLogIn": True, "via": "hash"},
    "bo@example.com": {"login": "bo@example.com", "canLogIn": True, "via": "hash"},
}
RECORDS = [
    {
        "profile": {"login": "ana@example.com"},
        "groups": ["All customers"],
        "apps": ["Customer portal"],
    },
    {"profile": {"login": "bo@example.com"}, "groups": ["Mobile app users"], "apps": []},
]
BEFORE: app_checks.Assignments = {
    "ana@example.com": {
        "Customer portal": ("USER", None, None),
        "Microsoft 365": ("GROUP", "70c14cc17d3745e8a9f98d599a68329c", "0ua1"),
    },
    "bo@example.com": {"Store locator": ("GROUP", None, None)},
}


def test_apps_as_dataset_names_the_user_and_what_it_holds() -> None:
    assert app_checks.apps_as_dataset(RECORDS, ORACLE, MANIFEST, BEFORE).ok
    missing = {
        **BEFORE,
        "ana@example.com": {"Microsoft 365": BEFORE["ana@example.com"]["Microsoft 365"]},
    }
    verdict = app_checks.apps_as_dataset(RECORDS, ORACLE, MANIFEST, missing)
    assert not verdict.ok
    assert verdict.reason.startswith("1 users: ana@example.com (has {'Microsoft 365': 'GROUP'}")
    assert not app_checks.apps_as_dataset(RECORDS, ORACLE, [], BEFORE).tested


def test_assignments_kept_names_what_each_user_lost() -> None:
    assert app_checks.assignments_kept(BEFORE, BEFORE).ok
    after = {**BEFORE, "ana@example.com": {}}
    verdict = app_checks.assignments_kept(BEFORE, after)
    assert (verdict.ok, verdict.check) == (False, app_checks.APPS_KEPT)
    assert "1 users lost app assignments" in verdict.reason
    assert verdict.reason.endswith("ana@example.com (Customer portal, Microsoft 365)")


def test_identity_kept_fails_on_a_new_immutable_id_or_external_id() -> None:
    assert app_checks.identity_kept(BEFORE, BEFORE).ok
    for identity in (("GROUP", "70c14cc17d3745e8a9f98d599a68329c", "0ua2"), ("GROUP", "x", "0ua1")):
        after = {
            **BEFORE,
            "ana@example.com": {**BEFORE["ana@example.com"], "Microsoft 365": identity},
        }
        verdict = app_checks.identity_kept(BEFORE, after)
        assert not verdict.ok
        assert verdict.reason.endswith(": ana@example.com (Microsoft 365)")
    rescoped = {**BEFORE, "bo@example.com": {"Store locator": ("USER", None, None)}}
    assert app_checks.identity_kept(BEFORE, rescoped).ok  # the scope is not the identity


def test_a_user_who_left_a_group_rightly_loses_its_app() -> None:
    later = [RECORDS[0], {**RECORDS[1], "groups": []}]
    want = app_checks.expected(later, ORACLE, MANIFEST)
    assert want == {
        "ana@example.com": {"Customer portal", "Microsoft 365"},
        "bo@example.com": set(),
    }
    still = app_checks.still_expected(BEFORE, want)
    assert app_checks.assignments_kept(still, {**BEFORE, "bo@example.com": {}}).ok
