"""okta-sdk-python, unmodified: a custom schema property, a group, a hashed user created in it
with the property, and the group's members paged with the SDK's own cursor helper."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer

okta = pytest.importorskip("okta", reason="okta-sdk-python is in the `test` extra")
from okta.client import Client  # noqa: E402
from okta.models import (  # noqa: E402
    AddGroupRequest,
    CreateUserRequest,
    OktaUserGroupProfile,
    PasswordCredential,
    PasswordCredentialHash,
    PasswordCredentialHashAlgorithm,
    UserCredentialsWritable,
    UserProfile,
    UserSchema,
    UserSchemaAttribute,
    UserSchemaDefinitions,
    UserSchemaPublic,
)
from okta.pagination import PaginationHelper  # noqa: E402

PASSWORD = "Testing123!"


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=0)) as live:
        yield live


@pytest.fixture
def server(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
    live_server.org.reset()
    yield live_server
    live_server.check_errors()


def hashed() -> UserCredentialsWritable:
    digest = hashlib.sha256(b"MPu13OmY" + PASSWORD.encode()).digest()
    return UserCredentialsWritable(
        password=PasswordCredential(
            hash=PasswordCredentialHash(
                algorithm=PasswordCredentialHashAlgorithm.SHA_MINUS_256,
                salt="MPu13OmY",
                salt_order="PREFIX",
                value=base64.b64encode(digest).decode(),
            )
        )
    )


def person(login: str, **custom: object) -> UserProfile:
    return UserProfile.from_dict(
        {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock", **custom}
    )


def test_sdk_adds_a_property_and_a_group_creates_a_member_and_pages_members(
    server: LiveServer,
) -> None:
    login = "isaac.brock@example.com"

    async def scenario() -> dict[str, Any]:
        client = Client({"orgUrl": server.url, "token": server.token})
        tier = UserSchemaAttribute.from_dict(
            {"title": "Loyalty tier", "type": "string", "enum": ["gold", "silver"]}
        )
        schema = UserSchema(
            definitions=UserSchemaDefinitions(custom=UserSchemaPublic(properties={"tier": tier}))
        )
        updated, _, err = await client.update_user_profile("default", schema)
        assert err is None, err
        group, _, err = await client.add_group(
            AddGroupRequest(profile=OktaUserGroupProfile(name="Gold customers"))
        )
        assert err is None, err
        body = CreateUserRequest(
            profile=person(login, tier="gold"), credentials=hashed(), group_ids=[group.id]
        )
        user, _, err = await client.create_user(body)
        assert err is None, err
        for n in range(4):
            other = CreateUserRequest(profile=person(f"member.{n}@example.com", tier="silver"))
            extra, _, err = await client.create_user(other, activate=False)
            assert err is None, err
            _, _, err = await client.assign_user_to_group(group.id, extra.id)
            assert err is None, err
        seen: list[str] = []
        pages = 0
        after = None
        while True:
            members, response, err = await client.list_group_users(group.id, after=after, limit=2)
            assert err is None, err
            seen += [m.id for m in members]
            pages += 1
            after = PaginationHelper.extract_next_cursor(response.headers)
            if not after:
                break
        groups, _, err = await client.list_user_groups(user.id)
        assert err is None, err
        _, _, refused = await client.create_user(
            CreateUserRequest(profile=person("diamond@example.com", tier="diamond"))
        )
        return {
            "property": updated.definitions.custom.properties["tier"],
            "group": group,
            "user": user,
            "members": seen,
            "pages": pages,
            "groups": [g.profile.actual_instance.name for g in groups],
            "refused": refused,
        }

    out = asyncio.run(scenario())
    assert out["property"].type.value == "string"
    assert [e.actual_instance for e in out["property"].enum] == ["gold", "silver"]
    assert out["group"].type.value == "OKTA_GROUP"
    assert out["user"].status.value == "ACTIVE"
    assert out["user"].profile.additional_properties["tier"] == "gold"
    assert out["pages"] == 3
    assert len(out["members"]) == len(set(out["members"])) == 5
    assert out["user"].id in out["members"]
    assert out["groups"] == ["Everyone", "Gold customers"]
    assert out["refused"].status == 400
    assert out["refused"].error_code == "E0000001"
    signed_in = requests.post(
        f"{server.url}/api/v1/authn", json={"username": login, "password": PASSWORD}, timeout=10
    )
    assert signed_in.status_code == 200, signed_in.text
