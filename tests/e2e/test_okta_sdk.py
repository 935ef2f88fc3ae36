"""The official okta-sdk-python (3.x), unmodified, against a live mock; authn then verifies.

The SDK needs OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true to accept an http:// org URL.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from tests.helpers import DUPLICATE_LOGIN

okta = pytest.importorskip("okta", reason="okta-sdk-python is in the `test` extra")
from okta.client import Client  # noqa: E402
from okta.models import (  # noqa: E402
    CreateUserRequest,
    PasswordCredential,
    PasswordCredentialHash,
    PasswordCredentialHashAlgorithm,
    UpdateUserRequest,
    UserCredentialsWritable,
    UserProfile,
    UserStatus,
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


def sdk(server: LiveServer) -> Client:
    return Client({"orgUrl": server.url, "token": server.token})


def authn(server: LiveServer, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/authn",
        json={"username": username, "password": password},
        timeout=10,
    )


def user_profile(login: str) -> UserProfile:
    return UserProfile(firstName="Isaac", lastName="Brock", email=login, login=login)


def sha256_credentials() -> UserCredentialsWritable:
    value = base64.b64encode(hashlib.sha256(b"MPu13OmY" + PASSWORD.encode()).digest()).decode()
    hash_object = PasswordCredentialHash(
        algorithm=PasswordCredentialHashAlgorithm.SHA_MINUS_256,
        salt="MPu13OmY",
        salt_order="PREFIX",
        value=value.rstrip("="),
    )
    return UserCredentialsWritable(password=PasswordCredential(hash=hash_object))


def bcrypt_credentials() -> UserCredentialsWritable:
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    hash_object = PasswordCredentialHash(
        algorithm=PasswordCredentialHashAlgorithm.BCRYPT,
        work_factor=4,
        salt=legacy[7:29],
        value=legacy[29:],
    )
    return UserCredentialsWritable(password=PasswordCredential(hash=hash_object))


@pytest.mark.parametrize(
    "credentials", [sha256_credentials, bcrypt_credentials], ids=["sha256", "bcrypt"]
)
def test_sdk_creates_a_hashed_user_reads_it_back_and_authn_verifies(
    server: LiveServer, credentials: Any
) -> None:
    login = "isaac.brock@example.com"

    async def scenario() -> tuple[Any, Any, list[Any]]:
        client = sdk(server)
        body = CreateUserRequest(profile=user_profile(login), credentials=credentials())
        created, _, err = await client.create_user(body)
        assert err is None, err
        by_id, _, err = await client.get_user(created.id)
        assert err is None, err
        by_login, _, err = await client.get_user(login)
        assert err is None, err
        listed, _, err = await client.list_users()
        assert err is None, err
        return created, (by_id, by_login), listed

    created, (by_id, by_login), listed = asyncio.run(scenario())
    assert created.status == UserStatus.ACTIVE
    assert created.credentials.provider.type.value == "IMPORT"
    assert created.credentials.password is not None  # `{}`: a password exists
    assert created.created is not None
    assert created.created.tzinfo is not None
    assert by_id.id == by_login.id == created.id
    assert by_id.profile.login == login
    assert by_id.links.var_self.href == f"{server.url}/api/v1/users/{created.id}"
    assert [u.id for u in listed] == [created.id]

    response = authn(server, login, PASSWORD)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "SUCCESS"
    assert response.json()["_embedded"]["user"]["id"] == created.id
    assert authn(server, login, PASSWORD + "x").status_code == 401


def test_sdk_pages_through_users_with_the_link_header(server: LiveServer) -> None:
    async def scenario() -> tuple[list[str], int]:
        client = sdk(server)
        for i in range(5):
            body = CreateUserRequest(profile=user_profile(f"page.{i}@example.com"))
            _, _, err = await client.create_user(body, activate=False)
            assert err is None, err
        seen: list[str] = []
        after = None
        pages = 0
        while True:
            users, response, err = await client.list_users(limit=2, after=after)
            assert err is None, err
            seen += [u.id for u in users]
            pages += 1
            after = PaginationHelper.extract_next_cursor(response.headers)
            if not after:
                return seen, pages

    seen, pages = asyncio.run(scenario())
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5


def test_sdk_filter_and_search(server: LiveServer) -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        client = sdk(server)
        for name in ("isaac", "eric"):
            body = CreateUserRequest(profile=user_profile(f"{name}@example.com"))
            await client.create_user(body, activate=False)
        filtered, _, err = await client.list_users(filter='profile.login eq "eric@example.com"')
        assert err is None, err
        searched, _, err = await client.list_users(search='profile.login sw "isa"')
        assert err is None, err
        return filtered, searched

    filtered, searched = asyncio.run(scenario())
    assert [u.profile.login for u in filtered] == ["eric@example.com"]
    assert [u.profile.login for u in searched] == ["isaac@example.com"]


def test_sdk_sees_oktas_errors(server: LiveServer) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        client = sdk(server)
        body = CreateUserRequest(profile=user_profile("isaac@example.com"))
        await client.create_user(body)
        _, _, duplicate = await client.create_user(body)
        _, _, missing = await client.get_user("nobody@example.com")
        bad_token = Client({"orgUrl": server.url, "token": "wrong"})
        _, _, unauthorized = await bad_token.list_users()
        return duplicate, missing, unauthorized

    duplicate, missing, unauthorized = asyncio.run(scenario())
    assert duplicate.status == 400
    assert duplicate.error_code == "E0000001"
    assert duplicate.error_causes == [{"errorSummary": DUPLICATE_LOGIN}]
    assert missing.status == 404
    assert missing.error_code == "E0000007"
    assert unauthorized.status == 401
    assert unauthorized.error_code == "E0000011"


def test_sdk_lifecycle_update_and_delete(server: LiveServer) -> None:
    login = "isaac@example.com"

    async def scenario() -> dict[str, Any]:
        client = sdk(server)
        body = CreateUserRequest(profile=user_profile(login), credentials=sha256_credentials())
        user, _, err = await client.create_user(body, activate=False)
        assert err is None, err
        out: dict[str, Any] = {"created": user.status}
        token, _, err = await client.activate_user(user.id, send_email=False)
        assert err is None, err
        out["token"] = token.activation_token
        for op in ("suspend_user", "unsuspend_user"):
            _, _, err = await getattr(client, op)(user.id)
            assert err is None, (op, err)
        updated, _, err = await client.update_user(
            user.id, UpdateUserRequest.from_dict({"profile": {"nickName": "Ike"}})
        )
        assert err is None, err
        out["nick"] = updated.profile.nick_name
        out["login"] = updated.profile.login
        _, _, reactivate = await client.reactivate_user(user.id)
        out["reactivate"] = reactivate
        for _ in range(2):
            _, response, err = await client.delete_user(user.id)
            assert err is None, err
            out.setdefault("deletes", []).append(response.status_code)
        _, _, gone = await client.get_user(user.id)
        out["gone"] = gone
        return out

    out = asyncio.run(scenario())
    assert out["created"] == UserStatus.STAGED
    assert out["token"]
    assert (out["nick"], out["login"]) == ("Ike", login)
    assert out["reactivate"].error_code == "E0000038"
    assert out["deletes"] == [204, 204]
    assert out["gone"].error_code == "E0000007"
