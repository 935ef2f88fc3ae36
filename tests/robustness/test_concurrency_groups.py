"""Many clients on one group at once, against the served mock with 1 and 2 workers: one group
per name, one membership per (group, user), and creates in groups that never half-happen."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import requests

from mock_okta.testing.served import ServedMock
from tests.robustness.serving import AUTH, control, profile, serve

CLIENTS = 16


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedMock]:
    db = tmp_path_factory.mktemp("groups") / "groups.db"
    server = serve("--db", str(db), "--rate-limits", "off", "--workers", str(request.param))
    try:
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def server(served: ServedMock) -> ServedMock:
    control(served).reset()
    return served


def together(call: Callable[[requests.Session, int], requests.Response]) -> list[requests.Response]:
    """`call` from CLIENTS threads released at the same moment; their answers."""
    start = threading.Barrier(CLIENTS)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        session = requests.Session()
        start.wait()
        response = call(session, n)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == CLIENTS
    return answers


def codes(answers: list[requests.Response]) -> Counter[tuple[int, str | None]]:
    return Counter(
        (a.status_code, a.json().get("errorCode") if a.content else None) for a in answers
    )


def test_sixteen_creates_of_one_group_name_end_in_one_group(server: ServedMock) -> None:
    url = f"{server.url}/api/v1/groups"
    answers = together(
        lambda s, n: s.post(
            url, json={"profile": {"name": "Gold" if n % 2 else "GOLD"}}, headers=AUTH
        )
    )
    assert codes(answers) == {(200, None): 1, (400, "E0000001"): CLIENTS - 1}
    groups = [g for g in control(server).groups() if g["type"] == "OKTA_GROUP"]
    assert len(groups) == 1
    (winner,) = [a.json() for a in answers if a.status_code == 200]
    assert groups[0]["id"] == winner["id"]


def test_concurrent_assignments_of_one_user_end_in_one_membership(server: ServedMock) -> None:
    (user,) = control(server).seed_users([{"profile": profile("one@example.com")}])
    group = requests.post(
        f"{server.url}/api/v1/groups", json={"profile": {"name": "Gold"}}, headers=AUTH
    ).json()
    path = f"{server.url}/api/v1/groups/{group['id']}/users/{user['id']}"
    answers = together(lambda s, n: s.put(path, headers=AUTH))
    assert codes(answers) == {(204, None): CLIENTS}
    (found,) = [g for g in control(server).groups() if g["id"] == group["id"]]
    assert found["members"] == [user["id"]]
    # And removals, with assignments racing them: whatever the order, one row or none.
    answers = together(
        lambda s, n: s.delete(path, headers=AUTH) if n % 2 else s.put(path, headers=AUTH)
    )
    assert codes(answers) == {(204, None): CLIENTS}
    (found,) = [g for g in control(server).groups() if g["id"] == group["id"]]
    assert found["members"] in ([], [user["id"]])


def test_concurrent_creates_in_groups_with_one_login_make_one_user_and_its_memberships(
    server: ServedMock,
) -> None:
    group = requests.post(
        f"{server.url}/api/v1/groups", json={"profile": {"name": "Gold"}}, headers=AUTH
    ).json()
    body = {"profile": profile("race@example.com"), "groupIds": [group["id"]]}
    answers = together(
        lambda s, n: s.post(f"{server.url}/api/v1/users?activate=false", json=body, headers=AUTH)
    )
    assert codes(answers) == {(200, None): 1, (400, "E0000001"): CLIENTS - 1}
    (winner,) = [a.json()["id"] for a in answers if a.status_code == 200]
    (found,) = [g for g in control(server).groups() if g["id"] == group["id"]]
    assert found["members"] == [winner]
    assert [u["id"] for u in control(server).users()] == [winner]


def test_every_worker_validates_with_the_schema_as_last_changed(server: ServedMock) -> None:
    """A schema change in one worker reaches the others before their next request."""
    schema = f"{server.url}/api/v1/meta/schemas/user/default"
    session = requests.Session()

    def creates(tag: str) -> Counter[int]:
        statuses: Counter[int] = Counter()
        for n in range(12):  # across workers: gunicorn hands connections to either
            body = {"profile": profile(f"{tag}.{n}@example.com", tier="gold")}
            fresh = requests.Session()  # a new connection each time
            statuses[
                fresh.post(f"{server.url}/api/v1/users", json=body, headers=AUTH).status_code
            ] += 1
        return statuses

    assert creates("before") == {400: 12}
    add = {"definitions": {"custom": {"properties": {"tier": {"title": "Tier", "type": "string"}}}}}
    assert session.post(schema, json=add, headers=AUTH).status_code == 200
    assert creates("added") == {200: 12}
    remove = {"definitions": {"custom": {"properties": {"tier": None}}}}
    assert session.post(schema, json=remove, headers=AUTH).status_code == 200
    assert creates("removed") == {400: 12}
    workers = {e["worker"] for e in control(server).requests(method="POST", path="/api/v1/users")}
    assert len(workers) == int(server.cmd[server.cmd.index("--workers") + 1])  # both, if two
