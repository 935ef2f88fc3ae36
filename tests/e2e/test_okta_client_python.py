"""okta-client-python (PyPI, Okta's OAuth client) gets tokens with the resource owner password
grant from the mock: discovery, the token call, and its own ID-token check against the JWKS."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.serving import OIDC_LOGIN as LOGIN
from tests.e2e.serving import oidc_org
from tests.helpers import PASSWORD, bcrypt_hash, with_hash

pytest.importorskip("okta_client", reason="okta-client-python is in the `test` extra")
from okta_client.authfoundation import (
    ClientSecretAuthorization,
    OAuth2Client,
    OAuth2ClientConfiguration,
)
from okta_client.oauth2auth import ResourceOwnerFlow


def test_resource_owner_flow_signs_an_imported_user_in() -> None:
    cli = {"grant_types": ["password"], "response_types": ["code"], "application_type": "web"}
    credentials = with_hash(bcrypt_hash(PASSWORD))
    with oidc_org(credentials, "CLI", "client_secret_post", cli) as (live, uid, oauth):
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
    assert token.access_token
    assert token.refresh_token
    assert token.id_token is not None
    assert token.id_token.subject == uid
    assert token.id_token.issuer == issuer
