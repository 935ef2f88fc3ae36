"""okta-sdk-python (3.x), unmodified, creates apps, assigns a user and reads the assignment back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_okta.testing import LiveServer
from tests.e2e import test_okta_sdk as users_sdk

okta = pytest.importorskip("okta", reason="okta-sdk-python is in the `test` extra")
from okta.models import (  # noqa: E402
    AddGroupRequest,
    ApplicationGroupAssignment,
    AppUserAssignRequest,
    AppUserCredentials,
    BookmarkApplication,
    CreateUserRequest,
    OktaUserGroupProfile,
    OpenIdConnectApplication,
)

# The live server of the SDK's user tests, shared rather than started twice.
live_server = users_sdk.live_server
server = users_sdk.server
LOGIN = "isaac.brock@example.com"


def test_sdk_assigns_a_user_to_an_app_and_reads_it_back(server: LiveServer) -> None:
    async def scenario() -> dict[str, Any]:
        client = users_sdk.sdk(server)
        body = CreateUserRequest(
            profile=users_sdk.user_profile(LOGIN),
            credentials=users_sdk.sha256_credentials(),
        )
        user, _, err = await client.create_user(body)
        assert err is None, err
        bookmark = BookmarkApplication.from_dict(
            {
                "name": "bookmark",
                "label": "Legacy portal",
                "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://legacy.example.com/"}},
            }
        )
        app, _, err = await client.create_application(bookmark)
        assert err is None, err
        request = AppUserAssignRequest(
            id=user.id, scope="USER", credentials=AppUserCredentials(user_name="ibrock")
        )
        assigned, _, err = await client.assign_user_to_application(app.id, request)
        assert err is None, err
        fetched, _, err = await client.get_application_user(app.id, user.id)
        assert err is None, err
        listed, _, err = await client.list_application_users(app.id)
        assert err is None, err
        links, _, err = await client.list_app_links(user.id)
        assert err is None, err
        got, _, err = await client.get_application(app.id)
        assert err is None, err
        _, _, err = await client.unassign_user_from_application(app.id, user.id)
        assert err is None, err
        _, _, gone = await client.get_application_user(app.id, user.id)
        return {
            "user": user,
            "app": app,
            "got": got,
            "assigned": assigned,
            "fetched": fetched,
            "listed": listed,
            "links": links,
            "gone": gone,
        }

    out = asyncio.run(scenario())
    user, app = out["user"], out["app"]
    assert type(app).__name__ == "BookmarkApplication"  # the SDK's discriminator chose it
    assert (app.name, app.label, app.status.value) == ("bookmark", "Legacy portal", "ACTIVE")
    assert out["got"].settings.app.url == "https://legacy.example.com/"
    for app_user in (out["assigned"], out["fetched"], out["listed"][0]):
        assert app_user.id == user.id
        assert app_user.scope == "USER"
        assert app_user.status.value == "ACTIVE"
        assert app_user.credentials.user_name == "ibrock"
        assert app_user.created.tzinfo is not None
        assert app_user.links.app.href == f"{server.url}/api/v1/apps/{app.id}"
    assert [(link.app_instance_id, link.label) for link in out["links"]] == [
        (app.id, "Legacy portal")
    ]
    assert out["gone"].status == 404
    assert out["gone"].error_code == "E0000007"


def test_sdk_creates_an_oidc_app_with_its_client_secret(server: LiveServer) -> None:
    async def scenario() -> tuple[Any, Any]:
        client = users_sdk.sdk(server)
        oidc = OpenIdConnectApplication.from_dict(
            {
                "name": "oidc_client",
                "label": "Customer portal",
                "signOnMode": "OPENID_CONNECT",
                "credentials": {
                    "oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}
                },
                "settings": {
                    "oauthClient": {
                        "redirect_uris": ["https://portal.example.com/callback"],
                        "grant_types": ["authorization_code"],
                        "application_type": "web",
                    }
                },
            }
        )
        created, _, err = await client.create_application(oidc)
        assert err is None, err
        fetched, _, err = await client.get_application(created.id)
        assert err is None, err
        return created, fetched

    created, fetched = asyncio.run(scenario())
    assert type(created).__name__ == "OpenIdConnectApplication"
    client = created.credentials.oauth_client
    assert client.client_id == created.id
    assert len(client.client_secret) == 64
    assert fetched.credentials.oauth_client.client_secret is None  # only on create and update
    assert fetched.settings.oauth_client.redirect_uris == ["https://portal.example.com/callback"]


def test_sdk_assigns_a_group_to_an_app_and_its_member_gets_it(server: LiveServer) -> None:
    async def scenario() -> dict[str, Any]:
        client = users_sdk.sdk(server)
        group, _, err = await client.add_group(
            AddGroupRequest(profile=OktaUserGroupProfile(name="Portal users"))
        )
        assert err is None, err
        body = CreateUserRequest(
            profile=users_sdk.user_profile("grace@example.com"),
            credentials=users_sdk.sha256_credentials(),
            group_ids=[group.id],
        )
        user, _, err = await client.create_user(body)
        assert err is None, err
        bookmark = BookmarkApplication.from_dict(
            {
                "name": "bookmark",
                "label": "Group portal",
                "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://portal.example.com/"}},
            }
        )
        app, _, err = await client.create_application(bookmark)
        assert err is None, err
        assigned, _, err = await client.assign_group_to_application(
            app.id, group.id, ApplicationGroupAssignment(priority=3)
        )
        assert err is None, err
        fetched, _, err = await client.get_application_group_assignment(app.id, group.id)
        assert err is None, err
        listed, _, err = await client.list_application_group_assignments(app.id)
        assert err is None, err
        app_user, _, err = await client.get_application_user(app.id, user.id)
        assert err is None, err
        _, _, err = await client.unassign_application_from_group(app.id, group.id)
        assert err is None, err
        _, _, gone = await client.get_application_user(app.id, user.id)
        return {
            "group": group,
            "assigned": assigned,
            "fetched": fetched,
            "listed": listed,
            "app_user": app_user,
            "gone": gone,
        }

    out = asyncio.run(scenario())
    for assignment in (out["assigned"], out["fetched"], out["listed"][0]):
        assert (assignment.id, assignment.priority) == (out["group"].id, 3)
        assert str(assignment.last_updated).endswith("Z")  # the SDK keeps it a string
    assert out["app_user"].scope == "GROUP"
    assert out["gone"].status == 404
