"""`@okta/okta-sdk-nodejs` 8.x (npm), unmodified, against a live mock; authn then verifies."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from tests.helpers import DUPLICATE_LOGIN
from tests.node import NodeClients

PASSWORD = "Testing123!"

# Creates a hashed user, reads it by id, pages through every user two at a time with the SDK's
# own collection iterator, and reports what the SDK saw of a duplicate login.
SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const input = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: input.url, token: input.token, cacheMiddleware: null});
  const created = await client.userApi.createUser({body: input.user, activate: true});
  const fetched = await client.userApi.getUser({userId: created.id});
  for (const login of input.more) {
    await client.userApi.createUser({
      body: {profile: {login, email: login, firstName: 'Page', lastName: 'Turner'}},
      activate: false});
  }
  const listed = [];
  const users = await client.userApi.listUsers({limit: 2});
  await users.each(u => { listed.push(u.id); });
  let duplicate = null;
  try { await client.userApi.createUser({body: input.user}); }
  catch (e) { duplicate = {status: e.status, errorCode: e.errorCode, causes: e.errorCauses}; }
  console.log(JSON.stringify({
    id: created.id, status: created.status, provider: created.credentials.provider.type,
    fetchedLogin: fetched.profile.login, listed, duplicate}));
})().catch(e => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as live:
        yield live


def test_node_sdk_creates_a_hashed_user_pages_and_sees_oktas_errors(
    live_server: LiveServer, node_clients: NodeClients
) -> None:
    live_server.org.reset()
    login = "isaac.brock@example.com"
    digest = hashlib.sha256(b"MPu13OmY" + PASSWORD.encode()).digest()
    user = {
        "profile": {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock"},
        "credentials": {
            "password": {
                "hash": {
                    "algorithm": "SHA-256",
                    "salt": "MPu13OmY",
                    "saltOrder": "PREFIX",
                    "value": base64.b64encode(digest).decode(),
                }
            }
        },
    }
    more = [f"page.{i}@example.com" for i in range(4)]
    payload = {"url": live_server.url, "token": live_server.token, "user": user, "more": more}
    done = node_clients.run(SCRIPT, env={"MOCK_INPUT": json.dumps(payload)})
    assert done.returncode == 0, done.stderr
    seen = done.json()
    live_server.check_errors()

    assert seen["status"] == "ACTIVE"
    assert seen["provider"] == "IMPORT"
    assert seen["fetchedLogin"] == login
    assert len(seen["listed"]) == len(set(seen["listed"])) == 5
    assert seen["id"] in seen["listed"]
    assert seen["duplicate"] == {
        "status": 400,
        "errorCode": "E0000001",
        "causes": [{"errorSummary": DUPLICATE_LOGIN}],
    }
    # Three pages of two: the SDK followed every `Link: rel="next"`.
    pages = live_server.client.requests(method="GET", path="/api/v1/users")
    assert len(pages) == 3

    signed_in = requests.post(
        f"{live_server.url}/api/v1/authn",
        json={"username": login, "password": PASSWORD},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["status"] == "SUCCESS"
