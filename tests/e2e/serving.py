"""Start `mock-okta serve` (gunicorn) as a subprocess for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import requests

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from mock_okta.testing.served import ServeError
from mock_okta.testing.served import served as _served

TOKEN = "e2e-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}


@contextmanager
def served(args: Sequence[str], timeout: float = 30) -> Iterator[str]:
    """The server on a free port with the e2e token; AssertionError if it cannot start."""
    try:
        with _served(args, TOKEN, timeout) as url:
            yield url
    except ServeError as exc:
        raise AssertionError(str(exc)) from None


OIDC_LOGIN = "isaac.brock@example.com"


@contextmanager
def oidc_org(
    credentials: Mapping[str, Any], label: str, auth_method: str, client: Mapping[str, Any]
) -> Iterator[tuple[LiveServer, str, dict[str, str]]]:
    """A live mock with one user (OIDC_LOGIN, `credentials`) and one OIDC app (`label`, its
    token endpoint's `auth_method`, `client` settings); yields the server, the user's id and
    the app's oauthClient credentials. Server errors fail the test at the end."""
    with LiveServer(Settings(port=0)) as live:
        auth = {"Authorization": f"SSWS {live.token}"}
        profile = {"login": OIDC_LOGIN, "email": OIDC_LOGIN, "firstName": "I", "lastName": "B"}
        user = requests.post(
            f"{live.url}/api/v1/users",
            json={"profile": profile, "credentials": credentials},
            headers=auth,
            timeout=10,
        )
        assert user.status_code == 200, user.text
        app = {
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": auth_method}},
            "settings": {"oauthClient": dict(client)},
        }
        created = requests.post(f"{live.url}/api/v1/apps", json=app, headers=auth, timeout=10)
        assert created.status_code == 200, created.text
        yield live, user.json()["id"], created.json()["credentials"]["oauthClient"]
        live.check_errors()
