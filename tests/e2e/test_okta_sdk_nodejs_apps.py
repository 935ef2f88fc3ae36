"""`@okta/okta-sdk-nodejs` 8.x, unmodified, assigns a user to an app and reads it back."""

from __future__ import annotations

import json
from typing import Any

from mock_okta.testing import LiveServer
from tests.e2e import test_okta_sdk_nodejs as users_node
from tests.node import NodeClients

# The live server of the Node SDK's user tests, shared rather than started twice.
live_server = users_node.live_server

# Creates a user and a Microsoft 365 app, assigns the user, reads the app user back three ways
# (get, the app's user collection, the user's app links) and what Okta says to an unknown one.
SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const input = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: input.url, token: input.token, cacheMiddleware: null});
  const user = await client.userApi.createUser({body: input.user, activate: true});
  const app = await client.applicationApi.createApplication({application: input.app});
  const assigned = await client.applicationApi.assignUserToApplication({
    appId: app.id, appUser: {id: user.id, scope: 'USER'}});
  const fetched = await client.applicationApi.getApplicationUser({appId: app.id, userId: user.id});
  const listed = [];
  await (await client.applicationApi.listApplicationUsers({appId: app.id})).each(
    u => { listed.push(u.id); });
  const links = [];
  await (await client.userApi.listAppLinks({userId: user.id})).each(
    l => { links.push({app: l.appInstanceId, assignment: l.appAssignmentId}); });
  let missing = null;
  try { await client.applicationApi.getApplicationUser({appId: app.id, userId: '00uNoSuch'}); }
  catch (e) { missing = {status: e.status, errorCode: e.errorCode}; }
  console.log(JSON.stringify({
    userId: user.id, appId: app.id, appName: app.name, appStatus: app.status,
    assigned: {id: assigned.id, scope: assigned.scope, status: assigned.status,
               userName: assigned.credentials.userName, externalId: assigned.externalId,
               immutableId: assigned.profile.immutableId},
    fetched: {id: fetched.id, status: fetched.status, immutableId: fetched.profile.immutableId},
    listed, links, missing}));
})().catch(e => { console.error(e); process.exit(1); });
"""


def run(
    live: LiveServer, node: NodeClients, script: str, login: str, app: dict[str, Any]
) -> dict[str, Any]:
    """`script` on a reset org, given a user to create (`login`) and an app; what it printed."""
    live.org.reset()
    first, last = login.split("@")[0].title().split(".")
    payload = {
        "url": live.url,
        "token": live.token,
        "user": {
            "profile": {"login": login, "email": login, "firstName": first, "lastName": last},
            "credentials": {"password": {"value": users_node.PASSWORD}},
        },
        "app": app,
    }
    done = node.run(script, env={"MOCK_INPUT": json.dumps(payload)})
    assert done.returncode == 0, done.stderr
    live.check_errors()
    seen: dict[str, Any] = done.json()
    return seen


def test_node_sdk_assigns_a_user_to_an_app_and_reads_it_back(
    live_server: LiveServer, node_clients: NodeClients
) -> None:
    login = "isaac.brock@example.com"
    office365 = {
        "name": "office365",
        "label": "Microsoft Office 365",
        "signOnMode": "SAML_1_1",
        "settings": {"app": {"domain": "example.onmicrosoft.com", "msftTenant": "example"}},
    }
    seen = run(live_server, node_clients, SCRIPT, login, office365)

    assert (seen["appName"], seen["appStatus"]) == ("office365", "ACTIVE")
    assigned = seen["assigned"]
    assert assigned["id"] == seen["userId"]
    assert (assigned["scope"], assigned["status"], assigned["userName"]) == (
        "USER",
        "PROVISIONED",
        login,
    )
    assert len(assigned["externalId"]) == 32
    assert seen["fetched"] == {
        "id": seen["userId"],
        "status": "PROVISIONED",
        "immutableId": assigned["immutableId"],
    }
    assert seen["listed"] == [seen["userId"]]
    # The user's link carries the app user's own id: Microsoft 365's immutable ID.
    assert seen["links"] == [{"app": seen["appId"], "assignment": assigned["immutableId"]}]
    assert seen["missing"] == {"status": 404, "errorCode": "E0000007"}


# Assigns a group to the app: its member becomes an app user of scope GROUP; the group's
# assignment reads back alone and in the app's list; unassigning the group removes the app user.
GROUP_SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const input = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: input.url, token: input.token, cacheMiddleware: null});
  const user = await client.userApi.createUser({body: input.user, activate: true});
  const group = await client.groupApi.createGroup({group: {profile: {name: 'Gold customers'}}});
  await client.groupApi.assignUserToGroup({groupId: group.id, userId: user.id});
  const app = await client.applicationApi.createApplication({application: input.app});
  const assigned = await client.applicationApi.assignGroupToApplication({
    appId: app.id, groupId: group.id, applicationGroupAssignment: {priority: 0}});
  const fetched = await client.applicationApi.getApplicationGroupAssignment(
    {appId: app.id, groupId: group.id});
  const listed = [];
  await (await client.applicationApi.listApplicationGroupAssignments({appId: app.id})).each(
    a => { listed.push(a.id); });
  const member = await client.applicationApi.getApplicationUser({appId: app.id, userId: user.id});
  await client.applicationApi.unassignApplicationFromGroup({appId: app.id, groupId: group.id});
  let gone = null;
  try { await client.applicationApi.getApplicationUser({appId: app.id, userId: user.id}); }
  catch (e) { gone = {status: e.status, errorCode: e.errorCode}; }
  console.log(JSON.stringify({
    userId: user.id, groupId: group.id,
    assigned: {id: assigned.id, priority: assigned.priority}, fetched: fetched.id, listed,
    member: {id: member.id, scope: member.scope, userName: member.credentials.userName}, gone}));
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_node_sdk_assigns_a_group_to_an_app_and_its_member_follows(
    live_server: LiveServer, node_clients: NodeClients
) -> None:
    login = "kim.deal@example.com"
    bookmark = {
        "name": "bookmark",
        "label": "Portal",
        "signOnMode": "BOOKMARK",
        "settings": {"app": {"url": "https://portal.example.com"}},
    }
    seen = run(live_server, node_clients, GROUP_SCRIPT, login, bookmark)

    assert seen["assigned"] == {"id": seen["groupId"], "priority": 0}
    assert seen["fetched"] == seen["groupId"]
    assert seen["listed"] == [seen["groupId"]]
    assert seen["member"] == {"id": seen["userId"], "scope": "GROUP", "userName": login}
    assert seen["gone"] == {"status": 404, "errorCode": "E0000007"}
