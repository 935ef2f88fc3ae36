"""okta-sdk-python and `@okta/okta-sdk-nodejs`, unmodified, meet the mock's rate limits and
finish: they wait for resets. The 429s they meet are their token's (half the bucket, Okta's
default share) while the org-wide bucket still has room."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.testing import LiveServer
from mock_okta.tokens import Tokens
from tests.node import NodeClients

ORG_LIMIT = 10  # creates a minute org-wide: 5 for each token
CREATES = 8


@pytest.fixture
def limited_server() -> Iterator[LiveServer]:
    # At 30x a window lasts 2 seconds, so the SDKs meet 429s within seconds.
    runtime = RuntimeConfig(limits={"users.collection": ORG_LIMIT}, time_scale=30)
    settings = Settings(port=0, runtime=runtime, tokens=("sdk-token", "other-token"))
    with LiveServer(settings) as server:
        yield server
        server.check_errors()


def assert_waited_for_its_tokens_resets(server: LiveServer) -> None:
    entries = server.client.requests(path="/api/v1/users", method="POST")
    token = Tokens(["sdk-token"]).authenticate("sdk-token")
    assert token is not None
    assert {e["token"] for e in entries} == {token.id}
    refused = [e for e in entries if e["status"] == 429]
    assert refused, "the SDK never met a 429: the test proves nothing"
    for entry in refused:
        # the token's share was used up, not the org's bucket
        assert entry["rateLimit"]["limit"] == ORG_LIMIT // 2, entry
        later = [e for e in entries if e["seq"] > entry["seq"]]
        if later:  # the SDK's next request waited for the reset of the window that refused it
            assert later[0]["epoch"] >= entry["rateLimit"]["reset"], (entry, later[0])
    assert sum(e["status"] == 200 for e in entries) == CREATES
    stats = server.client.stats()
    assert stats["users"] == CREATES
    assert stats["tokens"][0]["rateLimited"] == len(refused)
    assert stats["tokens"][1]["requests"] == 0


def test_python_sdk_waits_out_its_tokens_share(
    limited_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
    from okta.client import Client as OktaClient
    from okta.models import CreateUserRequest

    async def create_all() -> list[str]:
        client = OktaClient(
            {"orgUrl": limited_server.url, "token": "sdk-token", "rateLimit": {"maxRetries": 10}}
        )
        ids = []
        for i in range(CREATES):
            login = f"sdk.{i}@example.com"
            body = CreateUserRequest.from_dict(
                {"profile": {"login": login, "email": login, "firstName": "S", "lastName": "K"}}
            )
            user, _, err = await client.create_user(body, activate=False)
            assert err is None, err
            ids.append(user.id)
        return ids

    ids = asyncio.run(create_all())
    assert len(set(ids)) == CREATES
    assert_waited_for_its_tokens_resets(limited_server)


NODE_SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const input = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: input.url, token: input.token, cacheMiddleware: null});
  const ids = [];
  for (let i = 0; i < input.count; i++) {
    const login = `node.${i}@example.com`;
    const user = await client.userApi.createUser({
      body: {profile: {login, email: login, firstName: 'N', lastName: 'D'}}, activate: false});
    ids.push(user.id);
  }
  console.log(JSON.stringify({ids}));
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_node_sdk_waits_out_its_tokens_share(
    limited_server: LiveServer, node_clients: NodeClients
) -> None:
    payload: dict[str, Any] = {"url": limited_server.url, "token": "sdk-token", "count": CREATES}
    done = node_clients.run(NODE_SCRIPT, env={"MOCK_INPUT": json.dumps(payload)})
    assert done.returncode == 0, done.stderr
    assert len(set(done.json()["ids"])) == CREATES
    assert_waited_for_its_tokens_resets(limited_server)
