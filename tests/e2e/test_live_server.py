"""End to end against a real threaded server (LiveServer): headers, races, restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from mock_okta.app import create_app
from mock_okta.config import Settings
from mock_okta.org import Org
from mock_okta.testing import LiveServer
from tests.helpers import (
    DUPLICATE_LOGIN,
    ERROR_ID,
    PASSWORD,
    bcrypt_hash,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

AUTH = {"Authorization": "SSWS test-token"}


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as live:
        yield live


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    live_server.org.reset()
    yield live_server
    live_server.check_errors()


def test_real_responses_carry_date_and_request_id(server: LiveServer) -> None:
    url = server.url
    login = "isaac@example.com"
    responses = [
        requests.post(
            f"{url}/api/v1/users",
            json={"profile": profile(login), "credentials": with_password()},
            headers=AUTH,
            timeout=10,
        ),
        requests.get(f"{url}/api/v1/users", headers=AUTH, timeout=10),
        requests.get(f"{url}/api/v1/users/{login}", headers=AUTH, timeout=10),
        requests.get(f"{url}/api/v1/users", timeout=10),  # 401
        requests.get(f"{url}/api/v1/nothing", headers=AUTH, timeout=10),  # 404
        requests.patch(f"{url}/api/v1/users", headers=AUTH, timeout=10),  # 405
        requests.post(
            f"{url}/api/v1/authn", json={"username": login, "password": PASSWORD}, timeout=10
        ),
        requests.post(f"{url}/api/v1/authn", json={"username": login, "password": "x"}, timeout=10),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 401, 404, 405, 200, 401]
    for response in responses:
        assert parsedate_to_datetime(response.headers["Date"]).tzinfo is not None
        assert response.headers["X-Okta-Request-Id"]
        assert response.headers["Content-Type"].startswith("application/json")
    assert len({r.headers["X-Okta-Request-Id"] for r in responses}) == len(responses)


def test_error_bodies_over_the_wire(server: LiveServer) -> None:
    response = requests.get(
        f"{server.url}/api/v1/users", headers={"Authorization": "SSWS x"}, timeout=10
    )
    body = response.json()
    assert body["errorCode"] == "E0000011"
    assert body["errorSummary"] == "Invalid token provided"
    assert body["errorLink"] == "E0000011"
    assert ERROR_ID.match(body["errorId"])
    assert body["errorCauses"] == []


@pytest.mark.parametrize("header", ["SSWS test-token", "SSWStest-token"])
def test_both_token_forms_over_the_wire(server: LiveServer, header: str) -> None:
    response = requests.get(
        f"{server.url}/api/v1/users", headers={"Authorization": header}, timeout=10
    )
    assert response.status_code == 200


def race(url: str, logins: list[str]) -> list[requests.Response]:
    """POST one create per login from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(logins))
    results: list[requests.Response] = []
    lock = threading.Lock()

    def create(login: str) -> None:
        session = requests.Session()
        body = {"profile": profile(login), "credentials": with_password()}
        barrier.wait()
        response = session.post(f"{url}/api/v1/users", json=body, headers=AUTH, timeout=10)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=create, args=(login,)) for login in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def test_concurrent_creates_of_one_login_exactly_one_wins(server: LiveServer) -> None:
    for round_ in range(5):
        login = f"race.{round_}@example.com"
        # The same login, spelt in two cases: Okta's uniqueness ignores case.
        results = race(server.url, [login, login.upper()])
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 400], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 400).json()
        assert loser["errorCode"] == "E0000001"
        assert loser["errorCauses"] == [{"errorSummary": DUPLICATE_LOGIN}]
    listed = requests.get(f"{server.url}/api/v1/users", headers=AUTH, timeout=10).json()
    assert len(listed) == 5


def test_users_survive_a_restart_on_the_same_file(tmp_path: Path) -> None:
    db = str(tmp_path / "okta.db")
    first = Org(Settings(db=db))
    try:
        api = create_app(org=first).test_client()
        created = api.post(
            "/api/v1/users",
            json={
                "profile": profile("isaac@example.com"),
                "credentials": with_hash(bcrypt_hash(PASSWORD)),
            },
            headers=AUTH,
        )
        assert created.status_code == 200
        staged = api.post(
            "/api/v1/users?activate=false",
            json={
                "profile": profile("staged@example.com"),
                "credentials": with_hash(sha_hash(PASSWORD)),
            },
            headers=AUTH,
        )
        assert staged.status_code == 200
    finally:
        first.close()

    second = Org(Settings(db=db))
    try:
        api = create_app(org=second).test_client()
        again = api.get("/api/v1/users/isaac@example.com", headers=AUTH)
        assert again.status_code == 200
        assert again.get_json() == created.get_json()
        assert api.get("/api/v1/users/staged@example.com", headers=AUTH).get_json()["status"] == (
            "STAGED"
        )
        signed_in = api.post(
            "/api/v1/authn", json={"username": "isaac@example.com", "password": PASSWORD}
        )
        assert signed_in.get_json()["status"] == "SUCCESS"
        duplicate = api.post(
            "/api/v1/users", json={"profile": profile("ISAAC@example.com")}, headers=AUTH
        )
        assert duplicate.status_code == 400
    finally:
        second.close()


def test_live_servers_restart_on_the_same_file(tmp_path: Path) -> None:
    db = str(tmp_path / "live.db")
    with LiveServer(Settings(port=0), db=db) as live:
        created = requests.post(
            f"{live.url}/api/v1/users",
            json={"profile": profile("isaac@example.com"), "credentials": with_password()},
            headers=AUTH,
            timeout=10,
        ).json()
        live.check_errors()
    with LiveServer(Settings(port=0), db=db) as live:
        fetched = requests.get(f"{live.url}/api/v1/users/{created['id']}", headers=AUTH, timeout=10)
        assert fetched.status_code == 200
        assert fetched.json()["profile"] == created["profile"]
        response = requests.post(
            f"{live.url}/api/v1/authn",
            json={"username": "isaac@example.com", "password": PASSWORD},
            timeout=10,
        )
        assert response.json()["status"] == "SUCCESS"
        live.check_errors()
