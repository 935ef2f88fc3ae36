"""Each Locust scenario, headless for a few seconds against a served mock: no unexpected failure."""

from __future__ import annotations

from pathlib import Path

from mock_okta.load.data import import_items, login_items, seed_bodies
from mock_okta.testing.client import ControlClient
from tests.load.conftest import TOKEN, LocustRun, needs_locust, run_locust

needs_locust()


def _assert_clean(run: LocustRun) -> None:
    assert run.code == 0, run.output[-3000:]
    assert run.failures == 0, run.output[-3000:]


def test_import_creates_every_record_once_and_expects_okta_to_refuse_bad_ones(
    url: str, dataset: Path, tmp_path: Path
) -> None:
    run = run_locust(url, tmp_path, ["ImportUser"], ["--dataset", str(dataset)])
    _assert_clean(run)
    items = import_items(dataset)
    refused = sum(1 for i in items if i.expect == (400,))
    assert refused > 0
    created = run.requests("POST", "/api/v1/users")
    assert created + run.requests("POST", "/api/v1/users [400 expected]") == len(items)
    assert ControlClient(url, TOKEN).stats()["users"] == created


def test_login_storm_signs_everyone_in_first_then_again(
    url: str, dataset: Path, tmp_path: Path
) -> None:
    args = ["--dataset", str(dataset), "--seed-org", "--rounds", "2"]
    run = run_locust(url, tmp_path, ["LoginUser"], args)
    _assert_clean(run)
    users = len(login_items(dataset))
    assert run.requests("POST", "/api/v1/authn [first]") == users
    assert run.requests("POST", "/api/v1/authn [repeat]") == users


def test_delta_pushes_what_changed_into_staged_users(
    url: str, dataset: Path, later: Path, tmp_path: Path
) -> None:
    args = ["--dataset", str(later), "--base", str(dataset), "--seed-org"]
    run = run_locust(url, tmp_path, ["DeltaUser"], args)
    _assert_clean(run)
    assert run.requests("POST", "/api/v1/users/[id]") > 0  # STAGED updates, hashes included
    assert run.requests("GET", "/api/v1/users/[login] [404 expected]") > 0  # new users
    assert run.requests("POST", "/api/v1/users") > 0
    assert run.requests("DELETE", "/api/v1/users/[id]") > 0  # removed users
    journal = ControlClient(url, TOKEN).requests(method="POST", status=400)
    assert journal == []  # no hash was refused: each went to a STAGED user


def test_admin_reads_page_and_get_users(url: str, dataset: Path, tmp_path: Path) -> None:
    ControlClient(url, TOKEN).seed_users(seed_bodies(import_items(dataset), "ACTIVE"))
    run = run_locust(url, tmp_path, ["AdminReader"], ["--page-size", "20", "-t", "4s"])
    _assert_clean(run)
    assert run.requests("GET", "/api/v1/users?limit=[n]") > 0
    assert run.requests("GET", "/api/v1/users/[id]") > 0


def test_429_waits_for_the_reset_and_is_not_a_failure(
    url: str, dataset: Path, tmp_path: Path
) -> None:
    # 80 a minute for the org, 40 for the one token Locust sends (Okta's default share)
    ControlClient(url, TOKEN).config(limits={"users.collection": 80})
    run = run_locust(url, tmp_path, ["ImportUser"], ["--dataset", str(dataset)], users=6)
    _assert_clean(run)
    assert run.requests("POST", "/api/v1/users [429]") > 0
    limited = ControlClient(url, TOKEN).stats()["buckets"]["users.collection"]["rateLimited"]
    assert limited == run.requests("POST", "/api/v1/users [429]")
    assert limited <= 6 * 3  # at most one per user and window: nobody retries at once


def test_two_processes_split_the_logins(url: str, dataset: Path, tmp_path: Path) -> None:
    args = ["--dataset", str(dataset), "--processes", "2", "--batch", "10"]
    run = run_locust(url, tmp_path, ["ImportUser"], args, users=4)
    _assert_clean(run)
    items = import_items(dataset)
    sent = run.requests("POST", "/api/v1/users") + run.requests(
        "POST", "/api/v1/users [400 expected]"
    )
    assert sent == len(items)  # each login sent once across both processes
    creates = ControlClient(url, TOKEN).requests(method="POST", path="/api/v1/users")
    logins = [e["login"] for e in creates if e["status"] != 429]
    assert len(logins) == len(set(logins)) == len(items)
