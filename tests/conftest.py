"""Shared fixtures for mock-okta's own tests."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_okta.app import create_app
from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.ids import IdFactory
from mock_okta.org import Org

pytest_plugins = ("pytester", "tests.browser")

SHARED_OKTA = Path(__file__).resolve().parents[2] / "shared" / "okta"
TOKEN = "test-token"
AUTH = {"Authorization": f"SSWS {TOKEN}"}


def shared_okta_file(name: str) -> Path:
    """A file of Okta's from ../shared/okta/, or skip saying where to get it."""
    path = Path(os.environ.get("MOCK_OKTA_SHARED_OKTA", str(SHARED_OKTA))) / name
    if not path.exists():
        pytest.skip(
            f"{name} not found at {path}: get Okta's file (okta-developer-docs"
            " data/error-codes.json, okta-management-openapi-spec"
            " dist/current/management-minimal.yaml) and set"
            " MOCK_OKTA_SHARED_OKTA to its folder"
        )
    return path


@pytest.fixture(scope="session")
def okta_spec() -> dict[str, Any]:
    """Okta's management OpenAPI spec (3.4 MB of YAML), read once per session."""
    import yaml

    path = shared_okta_file("management-openapi.yaml")
    with path.open("rb") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return loaded


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def org(clock: ManualClock) -> Iterator[Org]:
    org = Org(Settings(db=":memory:", seed=7), clock=clock, ids=IdFactory(7))
    yield org
    org.close()


@pytest.fixture
def app(org: Org) -> Flask:
    return create_app(org=org)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """Small helper over the Flask test client, in the spirit of flaskr's AuthActions."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {**AUTH, **kwargs.pop("headers", {})}
        if body is not None and not isinstance(body, bytes | str):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        return self.client.open(path, method=method, data=body, headers=headers, **kwargs)

    def create_user(
        self, login: str = "isaac.brock@example.com", query: str = "", **extra: Any
    ) -> Any:
        profile = {
            "login": login,
            "email": login,
            "firstName": "Isaac",
            "lastName": "Brock",
            **extra.pop("profile", {}),
        }
        return self.call("POST", f"/api/v1/users{query}", {"profile": profile, **extra})

    def created_id(
        self, login: str = "isaac.brock@example.com", query: str = "", **extra: Any
    ) -> str:
        """Create a user that must be accepted; its id."""
        response = self.create_user(login, query, **extra)
        assert response.status_code == 200, response.get_data(as_text=True)
        return str(response.get_json()["id"])

    def authn(self, username: str, password: str) -> Any:
        return self.client.post("/api/v1/authn", json={"username": username, "password": password})


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture(scope="session")
def node_clients() -> Any:
    """The pinned Node.js Okta clients (`tests/node/`), or a skip that says what is missing."""
    from tests.node import node_clients as install

    return install()


@pytest.fixture(scope="session")
def okta_cli() -> Any:
    """okta-cli (PyPI) in its own venv (`tests/okta_cli/`), or a skip that says what failed."""
    from tests.okta_cli import okta_cli as install

    return install()


@pytest.fixture(params=["http", "https"])
def scheme_args(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Run the test over HTTP, then over HTTPS: extra `mock-okta serve` flags (see serve_args)."""
    from tests.helpers import serve_args

    return serve_args(request.param, tmp_path, monkeypatch)
