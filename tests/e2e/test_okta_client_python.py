"""okta-client-python (PyPI, Okta's OAuth client) gets tokens with the resource owner password
grant from the mock: discovery, the token call, and its own ID-token check against the JWKS."""

from __future__ import annotations

import asyncio

import pytest
import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from tests.helpers import PASSWORD, bcrypt_hash, with_hash

pytest.importorskip("okta_client", reason="okta-client-python is in the `test` extra")
from okta_client.authfoundation import (
    ClientSecretAuthorization,
    OAuth2Client,
    OAuth2ClientConfiguration,
)
from okta_client.oauth2auth import ResourceOwnerFlow

LOGIN = "isaac.brock@example.com"


def test_resource_owner_flow_signs_an_imported_user_in() -> None:
    with LiveServer(Settings(port=0)) as live:
        auth = {"Authorization": f"SSWS {live.token}"}
        user = requests.post(
            f"{live.url}/api/v1/users",
            json={
                "profile": {"login": LOGIN, "email": LOGIN, "firstName": "I", "lastName": "B"},
                "credentials": with_hash(bcrypt_hash(PASSWORD)),
            },
            headers=auth,
            timeout=10,
        ).json()
        app = requests.post(
            f"{live.url}/api/v1/apps",
            json={
                "name": "oidc_client",
                "label": "CLI",
                "signOnMode": "OPENID_CONNECT",
                "credentials": {
                    "oauthClient": {"token_endpoint_auth_method": "client_secret_post"}
                },
                "settings": {
                    "oauthClient": {
                        "grant_types": ["password"],
                        "response_types": ["code"],
                        "application_type": "web",
                    }
                },
            },
            headers=auth,
            timeout=10,
        ).json()
        oauth = app["credentials"]["oauthClient"]
        config = OAuth2ClientConfiguration(
            issuer=f"{live.url}/oauth2/default",
            scope=["openid", "profile", "offline_access"],
            client_authorization=ClientSecretAuthorization(
                id=oauth["client_id"], secret=oauth["client_secret"]
            ),
        )
        flow = ResourceOwnerFlow(OAuth2Client(config))
        token = asyncio.run(flow.start(LOGIN, PASSWORD))
        with pytest.raises(Exception, match="invalid"):
            asyncio.run(ResourceOwnerFlow(OAuth2Client(config)).start(LOGIN, "Wrong-Horse-1"))
        issuer = f"{live.url}/oauth2/default"
        live.check_errors()
    assert token.access_token
    assert token.refresh_token
    assert token.id_token is not None
    assert token.id_token.subject == user["id"]
    assert token.id_token.issuer == issuer
