"""Clients that insist on HTTPS, unmodified, against the mock over TLS (the `mock_okta_tls`
fixture), trusting only its CA: okta-sdk-python without OKTA_TESTING_TESTINGDISABLEHTTPSCHECK,
okta-cli and @okta/okta-sdk-nodejs. Without the CA each fails with a certificate error."""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_okta.testing import ControlClient
from mock_okta.tls import trust_env
from tests.helpers import PASSWORD
from tests.node import NodeClients
from tests.okta_cli import OktaCli

SALT = "MPu13OmY"
# Every variable through which this machine (or CI) might point clients at another CA store.
CA_VARIABLES = (
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "OKTA_TESTING_TESTINGDISABLEHTTPSCHECK",
)


def environment(tmp_path: Path, ca_file: str | None) -> dict[str, str]:
    """This environment with no CA store but the mock's (none at all when `ca_file` is None)."""
    env = {k: v for k, v in os.environ.items() if k not in CA_VARIABLES}
    empty = tmp_path / "no-system-cas"
    empty.mkdir(exist_ok=True)
    env["SSL_CERT_DIR"] = str(empty)  # not even OpenSSL's default folder of system CAs
    if ca_file:
        env.update(trust_env(ca_file))
    return env


def sha256_user(login: str) -> dict[str, Any]:
    digest = hashlib.sha256(SALT.encode() + PASSWORD.encode()).digest()
    return {
        "profile": {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock"},
        "credentials": {
            "password": {
                "hash": {
                    "algorithm": "SHA-256",
                    "salt": SALT,
                    "saltOrder": "PREFIX",
                    "value": base64.b64encode(digest).decode(),
                }
            }
        },
    }


def signs_in(mock: ControlClient, login: str) -> str:
    response = requests.post(
        f"{mock.url}/api/v1/authn",
        json={"username": login, "password": PASSWORD},
        timeout=30,
        verify=mock.ca_file,
    )
    return str(response.json().get("status"))


# okta-sdk-python reads its trusted CAs when aiohttp is imported (SSL_CERT_FILE), so it runs in a
# process of its own, as a team's tool would.
SDK_SCRIPT = """
import asyncio, json, os
from okta.client import Client
from okta.models import CreateUserRequest

given = json.loads(os.environ["MOCK_INPUT"])

async def main():
    client = Client({"orgUrl": given["url"], "token": given["token"]})
    created, _, err = await client.create_user(CreateUserRequest.from_dict(given["user"]))
    if err is not None:
        return {"error": str(err)}
    fetched, _, err = await client.get_user(given["user"]["profile"]["login"])
    if err is not None:
        return {"error": str(err)}
    return {"id": created.id, "status": created.status.value,
            "provider": created.credentials.provider.type.value,
            "fetchedId": fetched.id, "self": fetched.links.var_self.href}

print(json.dumps(asyncio.run(main())))
"""


def run_sdk(mock: ControlClient, env: dict[str, str], user: dict[str, Any]) -> dict[str, Any]:
    given = {"url": mock.url, "token": mock.token, "user": user}
    done = subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT],
        env={**env, "MOCK_INPUT": json.dumps(given)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_okta_sdk_python_over_https_trusting_only_the_mocks_ca(
    mock_okta_tls: ControlClient, tmp_path: Path
) -> None:
    pytest.importorskip("okta", reason="okta-sdk-python is in the `test` extra")
    assert mock_okta_tls.url.startswith("https://")
    assert mock_okta_tls.ca_file is not None
    login = "isaac.brock@example.com"
    seen = run_sdk(mock_okta_tls, environment(tmp_path, mock_okta_tls.ca_file), sha256_user(login))
    assert "error" not in seen, seen
    assert (seen["status"], seen["provider"]) == ("ACTIVE", "IMPORT")
    assert seen["fetchedId"] == seen["id"]
    assert seen["self"] == f"{mock_okta_tls.url}/api/v1/users/{seen['id']}"
    assert signs_in(mock_okta_tls, login) == "SUCCESS"  # the imported hash verifies


def test_okta_sdk_python_without_the_ca_fails_with_a_certificate_error(
    mock_okta_tls: ControlClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("okta", reason="okta-sdk-python is in the `test` extra")
    from okta.client import Client

    monkeypatch.delenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", raising=False)

    async def call() -> Any:
        # This process's default trust store (aiohttp's, made at import) has no mock CA in it.
        client = Client({"orgUrl": mock_okta_tls.url, "token": mock_okta_tls.token})
        executor = client.get_request_executor()
        request, error = await executor.create_request("GET", "/api/v1/users", {}, {})
        assert error is None, error
        _, _, error = await executor.execute(request)
        return error

    error = asyncio.run(call())
    assert "certificate verify failed" in str(error), error
    assert mock_okta_tls.requests() == []


NODE_SCRIPT = """
const okta = require('@okta/okta-sdk-nodejs');
const given = JSON.parse(process.env.MOCK_INPUT);
(async () => {
  const client = new okta.Client({orgUrl: given.url, token: given.token, cacheMiddleware: null});
  const created = await client.userApi.createUser({body: given.user, activate: true});
  const fetched = await client.userApi.getUser({userId: created.id});
  console.log(JSON.stringify({id: created.id, status: created.status,
    provider: created.credentials.provider.type, self: fetched._links.self.href}));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def test_node_sdk_over_https_with_node_extra_ca_certs(
    mock_okta_tls: ControlClient, node_clients: NodeClients
) -> None:
    login = "node.tls@example.com"
    given = {"url": mock_okta_tls.url, "token": mock_okta_tls.token, "user": sha256_user(login)}
    assert mock_okta_tls.ca_file is not None
    env = {"MOCK_INPUT": json.dumps(given), "NODE_EXTRA_CA_CERTS": mock_okta_tls.ca_file}
    done = node_clients.run(NODE_SCRIPT, env=env)
    assert done.returncode == 0, done.stderr
    seen = done.json()
    assert (seen["status"], seen["provider"]) == ("ACTIVE", "IMPORT")
    assert seen["self"] == f"{mock_okta_tls.url}/api/v1/users/{seen['id']}"
    assert signs_in(mock_okta_tls, login) == "SUCCESS"


def test_node_sdk_without_the_ca_fails_with_a_certificate_error(
    mock_okta_tls: ControlClient, node_clients: NodeClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
    given = {"url": mock_okta_tls.url, "token": mock_okta_tls.token, "user": sha256_user("n@x.io")}
    done = node_clients.run(NODE_SCRIPT, env={"MOCK_INPUT": json.dumps(given)})
    assert done.returncode == 1
    assert re.search(r"unable to (verify the first|get local issuer) certificate", done.stderr), (
        done.stderr
    )
    assert mock_okta_tls.stats()["users"] == 0


CSV_USERS = [
    ("ada.lovelace@example.com", "Ada", "Lovelace"),
    ("zoë.ångström@example.com", "Zoë", "Ångström"),
    ("lukasz.nowak@example.com", "Łukasz", "Nowak"),
    ("grace.hopper@example.com", "Grace", "Hopper"),
    ("alan.turing@example.com", "Alan", "Turing"),
]


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "profile.login",
                "profile.email",
                "profile.firstName",
                "profile.lastName",
                "credentials.password.value",
            ]
        )
        for login, first, last in CSV_USERS:
            writer.writerow([login, login, first, last, PASSWORD])


def test_okta_cli_bulk_adds_users_from_a_csv_over_https_and_lists_them(
    mock_okta_tls: ControlClient, okta_cli: OktaCli, tmp_path: Path
) -> None:
    env = environment(tmp_path, mock_okta_tls.ca_file)
    # `config new` refuses http:// URLs; over HTTPS the mock is configured like a real org.
    new = okta_cli.run(
        "config", "new", "--name", "mock", "--url", mock_okta_tls.url,
        "--token", mock_okta_tls.token, home=tmp_path, env=env,
    )  # fmt: skip
    assert new.returncode == 0, new.stderr
    assert json.loads(okta_cli.config_file(tmp_path).read_text()) == {
        "profiles": {"mock": {"url": mock_okta_tls.url, "token": mock_okta_tls.token}}
    }
    write_csv(tmp_path / "users.csv")

    added = okta_cli.run("users", "bulk-add", "users.csv", home=tmp_path, env=env)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "    0 errors" in added.stdout, added.stdout
    (result,) = tmp_path.glob("okta-bulk-add-*-added.json")
    assert len(json.loads(result.read_text())) == len(CSV_USERS)

    listed = okta_cli.run("users", "list", "--json", home=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    users = json.loads(listed.stdout)
    assert sorted(u["profile"]["login"] for u in users) == sorted(u[0] for u in CSV_USERS)
    assert {u["status"] for u in users} == {"ACTIVE"}
    assert {u["profile"]["firstName"] for u in users} == {u[1] for u in CSV_USERS}
    assert mock_okta_tls.stats()["users"] == len(CSV_USERS)
    for login, _, _ in CSV_USERS:
        assert signs_in(mock_okta_tls, login) == "SUCCESS", login


def test_okta_cli_without_the_ca_fails_with_a_certificate_error(
    mock_okta_tls: ControlClient, okta_cli: OktaCli, tmp_path: Path
) -> None:
    config = okta_cli.config_file(tmp_path)
    config.parent.mkdir(parents=True)
    profile = {"url": mock_okta_tls.url, "token": mock_okta_tls.token}  # its JSON profile
    config.write_text(json.dumps({"profiles": {"mock": profile}}))
    listed = okta_cli.run("users", "list", home=tmp_path, env=environment(tmp_path, None))
    assert listed.returncode != 0
    assert "COMMUNICATION_ERROR" in listed.stderr, listed.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in listed.stderr, listed.stderr
    assert mock_okta_tls.requests() == []
