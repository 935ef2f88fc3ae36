"""`OktaUser`: a FastHttpUser that behaves as Okta asks a good client to.

Every call goes through `call()`: it waits while the process's pacer says the bucket is used up,
validates the answer inside `self.rest(...)`, and on a 429 marks the sample a success under the
name `<name> [429]` (so it is counted apart from failures), waits until X-Rate-Limit-Reset, and
sends the request again. Expected non-2xx answers are named `<name> [<status> expected]`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import gevent  # type: ignore[import-untyped]
from locust import FastHttpUser, constant
from locust.env import Environment

from mock_okta.load.data import Item
from mock_okta.load.feed import Coordinator, coordinator
from mock_okta.load.options import option

Check = Callable[[Any], str | None]  # the parsed body -> why it is wrong, or None


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any
    link_next: str | None = None


def header(headers: Any, name: str) -> str | None:
    """One header's value (the first, if a server sent it more than once)."""
    value = headers.get(name) if headers is not None else None
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def next_link(headers: Any) -> str | None:
    """The `rel="next"` URL of Okta's Link headers, as a path with its query."""
    values = headers.get_all("Link", []) if hasattr(headers, "get_all") else []
    if not values and (one := header(headers, "Link")):
        values = [one]
    for value in values:
        for part in str(value).split(","):
            if 'rel="next"' in part and "<" in part:
                url = part[part.index("<") + 1 : part.index(">")]
                return url[url.index("/api/") :] if "/api/" in url else url
    return None


def describe(status: int, body: Any, error: object = None) -> str:
    if status == 0:
        return f"no answer: {error}"
    if isinstance(body, Mapping) and "errorCode" in body:
        causes = "; ".join(str(c.get("errorSummary")) for c in body.get("errorCauses") or [])
        return f"{status} {body['errorCode']}: {body.get('errorSummary')}" + (
            f" ({causes})" if causes else ""
        )
    return f"unexpected status {status}"


class OktaUser(FastHttpUser):
    abstract = True
    scenario: ClassVar[str | None] = None  # the feed it takes items from; None: no items
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.coordinator: Coordinator = coordinator(self.environment)
        token = str(option(self.environment, "token")).split(",")[0].strip()
        self.auth = {"Authorization": f"SSWS {token}"}

    # ----- what a scenario with items provides (feed.ScenarioUser)

    @classmethod
    def load_items(cls, environment: Environment) -> list[Item]:
        return []

    @classmethod
    def rounds(cls, environment: Environment) -> int:
        return 1

    @classmethod
    def prepare(cls, environment: Environment, items: Sequence[Item]) -> None:
        """In the coordinating process, before any user starts (e.g. seed the org)."""

    # ----- one Okta call

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        bucket: str,
        expect: Collection[int] = (200,),
        json: object = None,
        params: Mapping[str, str] | None = None,
        check: Check | None = None,
        auth: bool = True,
    ) -> Reply:
        """Send until the answer is not a 429; returns it (failures are already recorded)."""
        url = f"{path}?{urlencode(params)}" if params else path
        pacer = self.coordinator.pacer
        while True:
            pacer.wait(bucket)
            with self.rest(
                method, url, name=name, json=json, headers=self.auth if auth else None
            ) as resp:
                status = resp.status_code
                headers = resp.headers
                alone = pacer.observe(
                    bucket,
                    status,
                    header(headers, "X-Rate-Limit-Limit"),
                    header(headers, "X-Rate-Limit-Remaining"),
                    header(headers, "X-Rate-Limit-Reset"),
                )
                body = resp.js
                problem = check(body) if check is not None and status in expect else None
                if status == 429:
                    resp.success()
                    resp.request_meta["name"] = f"{name} [429]"
                elif status in expect and problem is None and status != 0:
                    resp.success()
                    if status >= 300:
                        resp.request_meta["name"] = f"{name} [{status} expected]"
                else:
                    resp.failure(problem or describe(status, body, getattr(resp, "error", None)))
                reply = Reply(status, body, next_link(headers) if status == 200 else None)
            if status != 429:
                return reply
            if alone > 0:
                gevent.sleep(alone)
