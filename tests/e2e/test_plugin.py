"""The pytest plugin as a migration team's repository would use it: installed, nothing else."""

from __future__ import annotations

import pytest

MIGRATION_TESTS = """
import requests

def _user(login):
    return {"profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"},
            "credentials": {"password": {"value": "Sup3r-secret"}}}

def test_live_server(mock_okta):
    headers = {"Authorization": f"SSWS {mock_okta.token}"}
    r = requests.post(mock_okta.url + "/api/v1/users", json=_user("a@example.com"),
                      headers=headers)
    assert r.status_code == 200
    assert mock_okta.stats()["users"] == 1
    assert mock_okta.requests(path="/api/v1/users")[0]["status"] == 200

def test_each_test_starts_empty(mock_okta):
    assert mock_okta.stats()["users"] == 0

def test_fault_and_clock(mock_okta):
    mock_okta.fault(path="/api/v1/users", status=503, count=1)
    headers = {"Authorization": f"SSWS {mock_okta.token}"}
    assert requests.get(mock_okta.url + "/api/v1/users", headers=headers).status_code == 503
    mock_okta.advance(60)
    assert mock_okta.config(lockoutAttempts=3)["lockoutAttempts"] == 3

def test_seed(mock_okta):
    created = mock_okta.seed_users([_user(f"s{i}@example.com") for i in range(50)])
    assert len(created) == 50

def test_in_process(mock_okta_inprocess):
    headers = {"Authorization": f"SSWS {mock_okta_inprocess.token}"}
    r = requests.post(mock_okta_inprocess.url + "/api/v1/users", json=_user("b@example.com"),
                      headers=headers)
    assert r.status_code == 200
    assert mock_okta_inprocess.client.stats()["users"] == 1
"""

OVER_HTTPS = """
import os, subprocess, sys
import pytest, requests

def test_https(mock_okta_tls):
    assert mock_okta_tls.url.startswith("https://127.0.0.1:")
    assert open(mock_okta_tls.ca_file).read().startswith("-----BEGIN CERTIFICATE-----")
    headers = {"Authorization": f"SSWS {mock_okta_tls.token}"}
    r = requests.post(mock_okta_tls.url + "/api/v1/users?activate=false", headers=headers,
                      json={"profile": {"login": "t@example.com", "email": "t@example.com",
                                        "firstName": "T", "lastName": "L"}},
                      verify=mock_okta_tls.ca_file)
    assert r.json()["_links"]["self"]["href"].startswith(mock_okta_tls.url)
    assert mock_okta_tls.stats()["users"] == 1  # the client trusts the CA too
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(mock_okta_tls.url + "/api/v1/users", headers=headers, verify=True)

def test_a_tool_given_ca_env(mock_okta_tls):
    assert mock_okta_tls.stats()["users"] == 0  # reset for each test
    env = {**os.environ, **mock_okta_tls.ca_env()}
    assert set(mock_okta_tls.ca_env()) == {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE",
                                          "NODE_EXTRA_CA_CERTS"}
    tool = ("import requests, sys; print(requests.get(sys.argv[1] + '/api/v1/users',"
            " headers={'Authorization': 'SSWS ' + sys.argv[2]}).status_code)")
    done = subprocess.run([sys.executable, "-c", tool, mock_okta_tls.url, mock_okta_tls.token],
                          env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "200", done.stderr

def test_http_is_still_there(mock_okta):
    assert mock_okta.url.startswith("http://") and mock_okta.ca_file is None
"""

SERVER_BUG = """
import requests
from mock_okta.store import Store

def test_server_bug(mock_okta, monkeypatch):
    def boom(self, ref):
        raise RuntimeError("kaboom inside the mock")
    monkeypatch.setattr(Store, "get_user", boom)
    r = requests.get(mock_okta.url + "/api/v1/users/x",
                     headers={"Authorization": f"SSWS {mock_okta.token}"})
    assert r.status_code == 500
    assert r.json()["errorCode"] == "E0000009"
"""


def test_fixtures_work_from_a_separate_repository(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_migration=MIGRATION_TESTS, test_https=OVER_HTTPS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_an_error_inside_the_server_fails_the_test_that_caused_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_bug=SERVER_BUG)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*mock-okta raised inside the server*"])
    result.stdout.fnmatch_lines(["*kaboom inside the mock*"])
