"""`@okta/okta-sdk-nodejs` 8.x, unmodified: a custom schema property, a group, a hashed user
created in it with the property, and the group's members paged with the SDK's own iterator."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from tests.node import NodeClients

PASSWORD = "Testing123!"

SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const input = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: input.url, token: input.token, cacheMiddleware: null});
  const schema = await client.schemaApi.updateUserProfile({schemaId: 'default', userSchema: {
    definitions: {custom: {properties: {customerNumber: {
      title: 'Customer number', type: 'string', unique: true, maxLength: 12}}}}}});
  const group = await client.groupApi.createGroup({group: {profile: {name: 'Gold customers'}}});
  const user = await client.userApi.createUser({
    body: {...input.user, groupIds: [group.id]}, activate: true});
  for (const [n, login] of input.more.entries()) {
    const other = await client.userApi.createUser({body: {profile: {
      login, email: login, firstName: 'Page', lastName: 'Turner', customerNumber: 'C-' + n}},
      activate: false});
    await client.groupApi.assignUserToGroup({groupId: group.id, userId: other.id});
  }
  const members = [];
  const listed = await client.groupApi.listGroupUsers({groupId: group.id, limit: 2});
  await listed.each(u => { members.push(u.id); });
  const groups = [];
  await (await client.userApi.listUserGroups({userId: user.id})).each(g => {
    groups.push(g.profile.name); });
  let duplicate = null;
  try {
    await client.userApi.createUser({body: {profile: {...input.user.profile,
      login: 'copy@example.com', email: 'copy@example.com'}}});
  } catch (e) { duplicate = {status: e.status, errorCode: e.errorCode, causes: e.errorCauses}; }
  console.log(JSON.stringify({
    property: schema.definitions.custom.properties.customerNumber, groupType: group.type,
    id: user.id, status: user.status, customerNumber: user.profile.customerNumber,
    members, groups, duplicate}));
})().catch(e => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as live:
        yield live


def test_node_sdk_adds_a_property_and_a_group_and_pages_the_groups_members(
    live_server: LiveServer, node_clients: NodeClients
) -> None:
    live_server.org.reset()
    login = "isaac.brock@example.com"
    digest = hashlib.sha256(b"MPu13OmY" + PASSWORD.encode()).digest()
    user = {
        "profile": {
            "login": login,
            "email": login,
            "firstName": "Isaac",
            "lastName": "Brock",
            "customerNumber": "C-42",
        },
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
    more = [f"member.{i}@example.com" for i in range(4)]
    payload = {"url": live_server.url, "token": live_server.token, "user": user, "more": more}
    done = node_clients.run(SCRIPT, env={"MOCK_INPUT": json.dumps(payload)})
    assert done.returncode == 0, done.stderr
    seen = done.json()
    live_server.check_errors()

    assert seen["property"]["type"] == "string"
    assert seen["property"]["unique"] is True
    assert seen["groupType"] == "OKTA_GROUP"
    assert (seen["status"], seen["customerNumber"]) == ("ACTIVE", "C-42")
    assert len(seen["members"]) == len(set(seen["members"])) == 5
    assert seen["id"] in seen["members"]
    assert seen["groups"] == ["Everyone", "Gold customers"]
    assert seen["duplicate"] == {
        "status": 400,
        "errorCode": "E0000001",
        "causes": [
            {
                "errorSummary": "customerNumber: An object with this field already exists"
                " in the current organization"
            }
        ],
    }
    # Three pages of two: the SDK followed every `Link: rel="next"` of the members list.
    pages = live_server.client.requests(method="GET")
    assert sum(1 for e in pages if e["path"].endswith("/users") and "groups" in e["path"]) == 3
    signed_in = requests.post(
        f"{live_server.url}/api/v1/authn",
        json={"username": login, "password": PASSWORD},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
