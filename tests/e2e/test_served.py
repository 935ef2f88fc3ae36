"""The real server: limits exact across two workers (on gunicorn and on granian), dropped
connections, headers; the first two over HTTP and over HTTPS (`scheme_args`)."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
import requests

from tests.e2e.serving import AUTH, TOKEN, served


def _create(url: str, i: int) -> requests.Response:
    login = f"w.{i}@example.com"
    profile = {"login": login, "email": login, "firstName": "W", "lastName": str(i)}
    return requests.post(
        f"{url}/api/v1/users?activate=false", json={"profile": profile}, headers=AUTH, timeout=30
    )


def _workers(url: str) -> set[int]:
    got = requests.get(f"{url}/_mock/requests?limit=1000", headers=AUTH, timeout=30)
    return {e["worker"] for e in got.json()["entries"]}


def _until_both_workers_answer(url: str, token: str) -> None:
    """Warm up on another bucket (groups) until the journal shows two workers: a short burst
    of reads may otherwise all land on one, and the test would prove nothing across workers."""
    headers = {"Authorization": f"SSWS {token}"}
    groups = f"{url}/api/v1/groups"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for _ in range(20):
            list(pool.map(lambda _: requests.get(groups, headers=headers, timeout=30), range(8)))
            if len(_workers(url)) == 2:
                return
    raise AssertionError("only one of the two workers answered 160 requests")


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_two_workers_share_one_org_wide_allowance(
    tmp_path: Path, scheme_args: list[str], server: str
) -> None:
    # 40 a minute for the org, 20 for the one token (Okta's default share, 50 %)
    args = ["--workers", "2", "--db", str(tmp_path / "w.db"), "--limit", "users.collection=40"]
    args += ["--server", server]
    args += ["--token", "warm-token"]
    with served([*args, *scheme_args]) as url:
        assert url.startswith("https://" if scheme_args else "http://")
        _until_both_workers_answer(url, "warm-token")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda i: _create(url, i), range(60)))
        codes = [r.status_code for r in responses]
        assert codes.count(200) == 20
        assert codes.count(429) == 40
        entries = requests.get(f"{url}/_mock/requests?limit=1000", headers=AUTH, timeout=30).json()[
            "entries"
        ]
        assert len([e for e in entries if e["path"] == "/api/v1/users"]) == 60
        stats = requests.get(f"{url}/_mock/stats", headers=AUTH, timeout=30).json()
        assert stats["users"] == 20
        assert stats["buckets"]["users.collection"]["rateLimited"] == 40


def _list(url: str, token: str) -> int:
    headers = {"Authorization": f"SSWS {token}"}
    return requests.get(f"{url}/api/v1/users?limit=1", headers=headers, timeout=30).status_code


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_token_shares_are_exact_across_two_workers(tmp_path: Path, server: str) -> None:
    # users.collection=10: each token may use 5; the org's 10 still hold for a third token.
    args = ["--workers", "2", "--db", str(tmp_path / "t.db"), "--limit", "users.collection=10"]
    args += ["--server", server]
    args += ["--token", "second-token", "--token", "third-token", "--token", "warm-token"]
    with served(args) as url:
        _until_both_workers_answer(url, "warm-token")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            first = list(pool.map(lambda _: _list(url, TOKEN), range(12)))
            second = list(pool.map(lambda _: _list(url, "second-token"), range(12)))
            third = list(pool.map(lambda _: _list(url, "third-token"), range(12)))
        assert (first.count(200), second.count(200), third.count(200)) == (5, 5, 0)
        stats = requests.get(f"{url}/_mock/stats", headers=AUTH, timeout=30).json()
        assert [(t["requests"], t["rateLimited"]) for t in stats["tokens"][:3]] == [
            (12, 7),
            (12, 7),
            (12, 12),
        ]
        # a principal rate limit made on one worker holds on both
        token_b = stats["tokens"][1]["id"]
        body = {"principalId": token_b, "principalType": "SSWS_TOKEN", "defaultPercentage": 100}
        created = requests.post(
            f"{url}/api/v1/principal-rate-limits", json=body, headers=AUTH, timeout=30
        )
        assert created.status_code == 201, created.text
        requests.post(f"{url}/_mock/clock", json={"advance": 60}, headers=AUTH, timeout=30)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            again = list(pool.map(lambda _: _list(url, "second-token"), range(14)))
        assert again.count(200) == 10


def test_memory_store_refuses_several_workers() -> None:
    with (
        pytest.raises(AssertionError, match="cannot be shared by several workers"),
        served(["--workers", "2", "--db", ":memory:"], timeout=10),
    ):
        pass


def test_a_dropped_connection_is_a_connection_error_and_changes_nothing(
    tmp_path: Path, scheme_args: list[str]
) -> None:
    with served(["--db", str(tmp_path / "d.db"), *scheme_args]) as url:
        assert url.startswith("https://" if scheme_args else "http://")
        rule = {"method": "POST", "path": "/api/v1/users", "drop": True, "count": 1}
        requests.post(f"{url}/_mock/faults", json=rule, headers=AUTH, timeout=10)
        with pytest.raises(requests.ConnectionError):
            _create(url, 1)
        stats = requests.get(f"{url}/_mock/stats", headers=AUTH, timeout=10).json()
        assert stats["users"] == 0
        assert _create(url, 1).status_code == 200


def test_real_responses_carry_date_and_request_id(tmp_path: Path) -> None:
    with served(["--db", ":memory:"]) as url:
        response = requests.get(f"{url}/api/v1/users", headers=AUTH, timeout=10)
        assert response.headers["Date"].endswith("GMT")
        assert len(response.headers["X-Okta-Request-Id"]) == 27
        assert response.headers["X-Rate-Limit-Limit"] == "300"  # the token's half of 600
