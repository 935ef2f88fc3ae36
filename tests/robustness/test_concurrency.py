"""Many clients on the same users at once, against the served mock with 1 and 2 workers.

Each family of operations is chosen so that the answers alone say which serial orders could
have produced them; the final state must be the one those orders end in. Every successful write
bumps a user's version (the ETag's second part), so the final version counts them exactly.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_okta.profile import login_key
from mock_okta.testing.served import ServedMock
from tests.robustness.serving import AUTH, PASSWORD, control, profile, serve, settled_counters

CLIENTS = 16


@dataclass
class Answer:
    family: str
    target: str
    op: str
    status: int
    body: Any
    etag: str | None


@pytest.fixture(
    params=[("gunicorn", 1), ("gunicorn", 2), ("granian", 2)],
    ids=["1-worker", "2-workers", "granian-2-workers"],
)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedMock]:
    http_server, workers = request.param
    args = ("--db", str(tmp_path / "race.db"), "--rate-limits", "off", "--server", http_server)
    server = serve(*args, "--workers", str(workers))
    try:
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def version(etag: str | None) -> int:
    assert etag is not None
    return int(etag.strip('W/"').split("-")[1], 16)


class Race:
    """Tasks run by CLIENTS threads that start together; every answer is kept."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.tasks: list[tuple[str, str, str, Callable[[requests.Session], requests.Response]]] = []
        self.answers: list[Answer] = []
        self.statuses: Counter[int] = Counter()
        self.sent = 0
        self._lock = threading.Lock()

    def add(
        self, family: str, target: str, op: str, call: Callable[[requests.Session], Any]
    ) -> None:
        self.tasks.append((family, target, op, call))

    def run(self, seed: int) -> None:
        random.Random(seed).shuffle(self.tasks)
        queue = list(reversed(self.tasks))
        start = threading.Barrier(CLIENTS)

        def client() -> None:
            session = requests.Session()
            start.wait()
            while True:
                with self._lock:
                    if not queue:
                        return
                    family, target, op, call = queue.pop()
                response = call(session)
                body = response.json() if response.content else None
                with self._lock:
                    self.sent += 1
                    self.statuses[response.status_code] += 1
                    self.answers.append(
                        Answer(
                            family,
                            target,
                            op,
                            response.status_code,
                            body,
                            response.headers.get("ETag"),
                        )
                    )

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    def of(self, family: str, target: str, op: str | None = None) -> list[Answer]:
        return [
            a
            for a in self.answers
            if a.family == family and a.target == target and (op is None or a.op == op)
        ]

    def get(self, session: requests.Session, ref: str) -> requests.Response:
        self.sent += 1
        response = session.get(f"{self.url}/api/v1/users/{ref}", headers=AUTH)
        self.statuses[response.status_code] += 1
        return response


def codes(answers: list[Answer]) -> Counter[tuple[int, str | None]]:
    return Counter(
        (a.status, a.body.get("errorCode") if isinstance(a.body, dict) else None) for a in answers
    )


def test_concurrent_writes_end_in_a_serial_state(server: ServedMock) -> None:
    url = server.url
    seeded = control(server).seed_users(
        [
            {
                "profile": profile(f"{name}@example.com"),
                "credentials": {"password": {"value": PASSWORD}},
            }
            for name in ("susp.0", "susp.1", "act.0", "act.1", "del.0", "del.1")
        ]
    )
    ids = {u["login"].split("@")[0]: u["id"] for u in seeded}
    race = Race(url)
    session = requests.Session()
    initial = {name: version(race.get(session, uid).headers["ETag"]) for name, uid in ids.items()}

    def post(path: str, body: object = None) -> Callable[[requests.Session], requests.Response]:
        return lambda s: s.post(f"{url}{path}", json=body, headers=AUTH)

    def delete(path: str) -> Callable[[requests.Session], requests.Response]:
        return lambda s: s.delete(f"{url}{path}", headers=AUTH)

    for name in ("susp.0", "susp.1", "act.0", "act.1"):
        uid = ids[name]
        family = name.split(".")[0]
        ops = ("suspend", "unsuspend") if family == "susp" else ("deactivate", "activate")
        for i in range(12):
            for op in ops:
                query = "?sendEmail=false" if op == "activate" else ""
                race.add(family, name, op, post(f"/api/v1/users/{uid}/lifecycle/{op}{query}"))
            nick = f"{name}-{i}"
            race.add(
                family,
                name,
                "update",
                post(f"/api/v1/users/{uid}", {"profile": {"nickName": nick}}),
            )
    for name in ("del.0", "del.1"):
        for _ in range(8):
            race.add("del", name, "delete", delete(f"/api/v1/users/{ids[name]}"))
    for name in ("cd.0", "cd.1"):  # create and delete the same login, by login
        login = f"{name}@example.com"
        body = {"profile": profile(login), "credentials": {"password": {"value": PASSWORD}}}
        for _ in range(12):
            race.add("cd", name, "create", post("/api/v1/users", body))
            race.add("cd", name, "delete", delete(f"/api/v1/users/{login}"))
    for variant in ("race@example.com", "RACE@example.com", "Race@Example.COM", "rácé@example.com"):
        for _ in range(3):
            body = {"profile": profile(variant)}
            race.add("unique", "race", "create", post("/api/v1/users", body))
    race.run(seed=len(race.tasks))

    # suspend/unsuspend: successes alternate from ACTIVE; failures are Okta's 400 E0000001.
    # deactivate/activate: the same from ACTIVE; failures are 403 E0000038 / E0000016.
    for name, (first, second, to, failures) in {
        "susp.0": ("suspend", "unsuspend", "SUSPENDED", {(400, "E0000001")}),
        "susp.1": ("suspend", "unsuspend", "SUSPENDED", {(400, "E0000001")}),
        "act.0": (
            "deactivate",
            "activate",
            "DEPROVISIONED",
            {(403, "E0000038"), (403, "E0000016")},
        ),
        "act.1": (
            "deactivate",
            "activate",
            "DEPROVISIONED",
            {(403, "E0000038"), (403, "E0000016")},
        ),
    }.items():
        family = name.split(".")[0]
        done = {
            op: sum(a.status == 200 for a in race.of(family, name, op)) for op in (first, second)
        }
        refused = codes([a for a in race.of(family, name) if a.status != 200])
        assert set(refused) <= failures, refused
        assert done[first] - done[second] in (0, 1), done
        final = race.get(session, ids[name])
        expected = to if done[first] == done[second] + 1 else "ACTIVE"
        assert final.json()["status"] == expected, (name, done)
        updates = race.of(family, name, "update")
        assert all(a.status == 200 for a in updates), codes(updates)
        versions = [version(a.etag) for a in updates]
        assert len(set(versions)) == len(versions), "two updates saw the same version"
        last = max(updates, key=lambda a: version(a.etag))
        assert final.json()["profile"]["nickName"] == last.body["profile"]["nickName"]
        writes = done[first] + done[second] + len(updates)
        assert version(final.headers["ETag"]) == initial[name] + writes

    # DELETE: the first deactivates, the second deletes, every other is 404.
    for name in ("del.0", "del.1"):
        answers = codes(race.of("del", name))
        assert answers == Counter({(204, None): 2, (404, "E0000007"): 6}), answers
        assert race.get(session, ids[name]).status_code == 404

    # create/delete of one login: the successes form (create, delete, delete)* in some order.
    for name in ("cd.0", "cd.1"):
        created = codes(race.of("cd", name, "create"))
        deleted = codes(race.of("cd", name, "delete"))
        assert set(created) <= {(200, None), (400, "E0000001")}, created
        assert set(deleted) <= {(204, None), (404, "E0000007")}, deleted
        c, k = created[(200, None)], deleted[(204, None)]
        assert c >= 1
        m, r = divmod(k, 2)
        final = race.get(session, f"{name}@example.com")
        if c == m:
            assert r == 0
            assert final.status_code == 404
        else:
            assert c == m + 1, (c, k)
            assert final.json()["status"] == ("DEPROVISIONED" if r else "ACTIVE")

    # A login stays unique: case and diacritic variants race, one wins.
    assert codes(race.of("unique", "race")) == Counter({(200, None): 1, (400, "E0000001"): 11})
    users = control(server).users()
    keys = [login_key(u["profile"]["login"]) for u in users]
    assert len(keys) == len(set(keys))
    assert keys.count("race@example.com") == 1

    # Counters are exact: every request sent once, with the statuses the clients saw.
    counters = settled_counters(server, race.sent)
    assert counters["requests"] == race.sent
    for status, count in race.statuses.items():
        assert counters[f"status.{status}"] == count, status
