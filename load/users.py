"""The scenarios: bulk import, go-live login storm, premigration delta sync, admin reads.

    locust -f load/locustfile.py ImportUser --headless -u 10 -r 10 --host URL --dataset DIR
    locust -f load/locustfile.py LoginUser --headless ... --dataset DIR --seed-org --rounds 2
    locust -f load/locustfile.py DeltaUser --headless ... --dataset LATER --base DIR --seed-org
    locust -f load/locustfile.py ImportUser AdminReader ...   # reads beside an import

ImportUser, LoginUser and DeltaUser work through the dataset once (leased per process, so
--processes N and master/worker runs never send a login twice) and end the run when done.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from locust import between, task
from locust.env import Environment
from locust.exception import StopUser

from mock_okta.load.data import (
    SEED_CHUNK,
    DataError,
    Item,
    create_body,
    credentials,
    delta_items,
    import_items,
    login_items,
    okta_time,
    parse_mix,
    seed_bodies,
    select_mix,
)
from mock_okta.load.feed import Feed
from mock_okta.load.okta import OktaUser
from mock_okta.load.options import option

log = logging.getLogger("mock_okta.load")
USERS = "/api/v1/users"
USER = "/api/v1/users/[id]"
USER_BY_LOGIN = "/api/v1/users/[login]"


def _directory(environment: Environment, name: str = "dataset") -> Path:
    text = str(option(environment, name) or "")
    if not text:
        raise DataError(f"--{name} DIR is required (a directory written by mock-okta dataset)")
    path = Path(text)
    return path.parent if path.is_file() else path


def _oracle(environment: Environment) -> Path | None:
    text = str(option(environment, "oracle") or "")
    return Path(text) if text else None


def seed_org(environment: Environment, items: Sequence[Item], status: str) -> int:
    """Create the users through /_mock/users (no rate limit); returns how many were created."""
    token = str(option(environment, "token")).split(",")[0].strip()
    url = f"{(environment.host or '').rstrip('/')}/_mock/users"
    bodies = seed_bodies(items, status)
    created = 0
    with requests.Session() as session:
        for start in range(0, len(bodies), SEED_CHUNK):
            chunk = bodies[start : start + SEED_CHUNK]
            r = session.post(
                url, json={"users": chunk}, headers={"Authorization": f"SSWS {token}"}, timeout=120
            )
            if r.status_code != 201:
                raise DataError(f"seeding {url} failed: {r.status_code} {r.text[:300]}")
            created += int(r.json()["created"])
    log.info("seeded %d %s users through /_mock/users", created, status)
    return created


class ItemUser(OktaUser):
    """A user that takes items from its scenario's feed until none are left."""

    abstract = True

    def on_start(self) -> None:
        super().on_start()
        # None when the scenario could not start (the coordinator logged why)
        self.feed: Feed | None = self.coordinator.feeds.get(self.scenario or "")

    def take(self) -> tuple[Item, int]:
        taken = self.feed.take() if self.feed is not None else None
        if taken is None:
            raise StopUser()
        return taken

    def _done(self) -> None:
        if self.feed is not None:
            self.feed.done()


class ImportUser(ItemUser):
    """Bulk import: one create per legacy user, with Okta's hash object for its password."""

    scenario = "import"
    weight = 10

    @classmethod
    def load_items(cls, environment: Environment) -> list[Item]:
        items = import_items(_directory(environment))
        return select_mix(items, parse_mix(str(option(environment, "mix"))))

    @task
    def create_user(self) -> None:
        item, _ = self.take()
        activate = str(option(self.environment, "activate"))
        try:
            self.call(
                "POST",
                USERS,
                params={"activate": activate},
                name=USERS,
                bucket="users.collection",
                json=create_body(item.user),
                expect=item.expect,
            )
        finally:
            self._done()


def _signed_in(body: Any) -> str | None:
    status = body.get("status") if isinstance(body, dict) else None
    return None if status == "SUCCESS" else f"authn status {status!r}, not SUCCESS"


class LoginUser(ItemUser):
    """Go-live login storm: primary authn with the oracle's plaintexts, --rounds times each.

    The first sign-in verifies the imported hash (bcrypt at its cost); the mock then re-hashes,
    as Okta does, so repeats are cheap: the stats name them [first] and [repeat].
    """

    scenario = "login"
    weight = 10

    @classmethod
    def load_items(cls, environment: Environment) -> list[Item]:
        items = login_items(_directory(environment), _oracle(environment))
        return select_mix(items, parse_mix(str(option(environment, "mix"))))

    @classmethod
    def rounds(cls, environment: Environment) -> int:
        return max(1, int(option(environment, "rounds")))

    @classmethod
    def prepare(cls, environment: Environment, items: Sequence[Item]) -> None:
        if option(environment, "seed_org"):
            seed_org(environment, items, "ACTIVE")

    @task
    def sign_in(self) -> None:
        item, round_ = self.take()
        try:
            self.call(
                "POST",
                "/api/v1/authn",
                name=f"/api/v1/authn [{'first' if round_ == 0 else 'repeat'}]",
                bucket="authn",
                json={"username": item.login, "password": item.password},
                check=_signed_in,
                auth=False,
            )
        finally:
            self._done()


class DeltaUser(ItemUser):
    """Premigration delta sync: push what changed in the legacy store since the premigration.

    Users were premigrated STAGED, so a changed password goes in as a hash update (Okta takes a
    hash only while STAGED); new users are created STAGED, removed ones deactivated. Now and
    then it lists what Okta changed since --since (`filter=lastUpdated gt "…"`).
    """

    scenario = "delta"
    weight = 10

    @classmethod
    def load_items(cls, environment: Environment) -> list[Item]:
        items = delta_items(_directory(environment), _oracle(environment))
        mix = parse_mix(str(option(environment, "mix")))
        return select_mix([i for i in items if i.change != "removed"], mix) if mix else items

    @classmethod
    def prepare(cls, environment: Environment, items: Sequence[Item]) -> None:
        options = environment.parsed_options
        if options is not None and not getattr(options, "since", ""):
            options.since = okta_time(time.time())  # sent on to workers with the spawn message
        if option(environment, "seed_org"):
            base = import_items(_directory(environment, "base"))
            seed_org(environment, base, "STAGED")

    @task(20)
    def sync_user(self) -> None:
        item, _ = self.take()
        try:
            self._sync(item)
        finally:
            self._done()

    def _sync(self, item: Item) -> None:
        found = self.call(
            "GET", item.user_path(), name=USER_BY_LOGIN, bucket="users.get", expect=(200, 404)
        )
        if item.change == "removed":
            if found.status == 200:
                path = f"{USERS}/{found.body['id']}"
                self.call("DELETE", path, name=USER, bucket="users.update", expect=(204,))
            return
        if found.status == 404:
            self.call(
                "POST",
                USERS,
                params={"activate": "false"},
                name=USERS,
                bucket="users.collection",
                json=create_body(item.user),
            )
            return
        if found.status != 200:
            return
        body: dict[str, object] = {"profile": create_body(item.user)["profile"]}
        if found.body.get("status") == "STAGED":
            body["credentials"] = credentials(item.user)
        path = f"{USERS}/{found.body['id']}"
        self.call("POST", path, name=USER, bucket="users.update", json=body)

    @task(1)
    def list_changed(self) -> None:
        since = str(option(self.environment, "since") or okta_time(time.time() - 3600))
        params = {"filter": f'lastUpdated gt "{since}"', "limit": str(self._page_size())}
        reply = self.call(
            "GET",
            USERS,
            params=params,
            name=f"{USERS}?filter=lastUpdated",
            bucket="users.collection",
        )
        if reply.link_next:
            self.call(
                "GET", reply.link_next, name=f"{USERS}?after=[cursor]", bucket="users.collection"
            )

    def _page_size(self) -> int:
        return max(1, min(200, int(option(self.environment, "page_size"))))


class AdminReader(OktaUser):
    """Background admin reads: pages of users, and single users by id. Runs until stopped."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        super().on_start()
        self.ids: list[str] = []
        self.next_page: str | None = None

    @task(1)
    def list_users(self) -> None:
        limit = max(1, min(200, int(option(self.environment, "page_size"))))
        if self.next_page:
            reply = self.call(
                "GET", self.next_page, name=f"{USERS}?after=[cursor]", bucket="users.collection"
            )
        else:
            reply = self.call(
                "GET",
                USERS,
                params={"limit": str(limit)},
                name=f"{USERS}?limit=[n]",
                bucket="users.collection",
            )
        self.next_page = reply.link_next
        if reply.status == 200 and isinstance(reply.body, list):
            self.ids = [str(u["id"]) for u in reply.body[:50]] or self.ids

    @task(3)
    def get_user(self) -> None:
        if not self.ids:
            self.list_users()
            return
        user_id = self.ids[int(time.time() * 1000) % len(self.ids)]
        self.call("GET", f"{USERS}/{user_id}", name=USER, bucket="users.get")
