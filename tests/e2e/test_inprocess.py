"""In-process mode: a `requests`-based migration function against the mock, no socket."""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests

from mock_okta.testing import MockOkta, mock_okta

ORG = "https://dev-123.okta.com"
HEADERS = {"Authorization": "SSWS test-token"}


def migrate(org_url: str, records: list[tuple[str, str, str]]) -> list[str]:
    """A tiny migration function of the kind a team would unit-test: returns created ids."""
    ids = []
    for login, salt, password in records:
        digest = base64.b64encode(hashlib.sha256(salt.encode() + password.encode()).digest())
        body = {
            "profile": {"login": login, "email": login, "firstName": "M", "lastName": "T"},
            "credentials": {
                "password": {
                    "hash": {
                        "algorithm": "SHA-256",
                        "salt": salt,
                        "saltOrder": "PREFIX",
                        "value": digest.decode(),
                    }
                }
            },
        }
        response = requests.post(f"{org_url}/api/v1/users", json=body, headers=HEADERS, timeout=5)
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


RECORDS = [(f"m.{i}@example.com", f"salt{i}", f"Passw0rd-{i}") for i in range(5)]


def test_create_list_and_sign_in_without_a_server() -> None:
    with mock_okta(ORG) as okta:
        ids = migrate(ORG, RECORDS)
        listed = requests.get(f"{ORG}/api/v1/users?limit=2", headers=HEADERS, timeout=5)
        assert [u["id"] for u in listed.json()] == sorted(ids)[:2]
        assert 'rel="next"' in listed.headers["Link"]
        signed_in = requests.post(
            f"{ORG}/api/v1/authn",
            timeout=5,
            json={"username": "m.3@example.com", "password": "Passw0rd-3"},
        )
        assert signed_in.json()["status"] == "SUCCESS"
        assert okta.client.stats()["users"] == 5
        logins = {e["login"] for e in okta.client.requests(path="/api/v1/users", method="POST")}
        assert logins == {login for login, _, _ in RECORDS}
        assert okta.org.store.count_users() == 5


def test_each_new_mock_starts_empty() -> None:
    okta = MockOkta(ORG)
    with okta:
        migrate(ORG, RECORDS[:1])
    with okta:
        assert okta.client.stats()["users"] == 0


def test_decorator_form() -> None:
    seen = []

    @mock_okta(ORG)
    def run() -> None:
        seen.append(requests.get(f"{ORG}/api/v1/users", headers=HEADERS, timeout=5).status_code)

    run()
    assert seen == [200]


def test_other_hosts_fail_unless_passed_through() -> None:
    with mock_okta(ORG), pytest.raises(requests.ConnectionError):
        requests.get("https://example.invalid/", timeout=5)


def test_injected_drop_raises_connection_error_and_creates_nothing() -> None:
    with mock_okta(ORG) as okta:
        okta.client.fault(method="POST", path="/api/v1/users", drop=True, count=1)
        with pytest.raises(requests.ConnectionError):
            migrate(ORG, RECORDS[:1])
        assert okta.client.stats()["users"] == 0
        assert migrate(ORG, RECORDS[:1])


def test_wrong_token_is_refused() -> None:
    with mock_okta(ORG, tokens=["other"]):
        response = requests.get(f"{ORG}/api/v1/users", headers=HEADERS, timeout=5)
        assert response.status_code == 401
        assert response.json()["errorCode"] == "E0000011"
