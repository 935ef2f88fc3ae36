"""okta-sdk-python, unmodified, meets the mock's rate limits and finishes: it waits for resets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.testing import LiveServer


@pytest.fixture
def limited_server() -> Iterator[LiveServer]:
    # 5 creates a minute at 30x: a 2-second window, so the SDK meets 429s within seconds.
    runtime = RuntimeConfig(limits={"users.collection": 5}, time_scale=30)
    with LiveServer(Settings(port=0, runtime=runtime)) as server:
        yield server
        server.check_errors()


def test_sdk_creates_more_users_than_a_window_allows(
    limited_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
    from okta.client import Client as OktaClient
    from okta.models import CreateUserRequest

    async def create_all() -> list[str]:
        client = OktaClient(
            {
                "orgUrl": limited_server.url,
                "token": limited_server.token,
                "rateLimit": {"maxRetries": 10},
            }
        )
        ids = []
        for i in range(8):
            login = f"sdk.{i}@example.com"
            body = CreateUserRequest.from_dict(
                {"profile": {"login": login, "email": login, "firstName": "S", "lastName": "K"}}
            )
            user, _, err = await client.create_user(body, activate=False)
            assert err is None, err
            ids.append(user.id)
        return ids

    ids = asyncio.run(create_all())
    assert len(set(ids)) == 8
    control = limited_server.client
    assert control.stats()["users"] == 8
    entries = control.requests(path="/api/v1/users", method="POST")
    refused = [e for e in entries if e["status"] == 429]
    assert refused, "the SDK never met a 429: the test proves nothing"
    for entry in refused:
        later = [e for e in entries if e["seq"] > entry["seq"]]
        if later:  # the SDK's next request waited for the reset of the window that refused it
            assert later[0]["epoch"] >= entry["rateLimit"]["reset"], (entry, later[0])
    assert sum(e["status"] == 200 for e in entries) == 8
