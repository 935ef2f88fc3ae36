"""`mock-okta serve --tls` (gunicorn): HTTPS from a local CA kept across restarts, no downgrade,
and every other behaviour as over HTTP (links, rate limits, time scale, journal)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
import requests
import trustme
from cryptography import x509

from mock_okta.testing.served import ServedMock
from tests.e2e.serving import AUTH, TOKEN
from tests.robustness.serving import raw_http


def serve(tmp_path: Path, *args: str) -> ServedMock:
    """The server over TLS on tmp_path's store, its CA in tmp_path/tls (`with` starts it)."""
    db = ["--db", str(tmp_path / "okta.db")]
    return ServedMock([*db, "--tls", "--tls-dir", str(tmp_path / "tls"), *args], TOKEN)


def create(url: str, ca: str, login: str) -> requests.Response:
    profile = {"login": login, "email": login, "firstName": "Tee", "lastName": "Ls"}
    return requests.post(
        f"{url}/api/v1/users?activate=false",
        json={"profile": profile},
        headers=AUTH,
        timeout=30,
        verify=ca,
    )


def test_serves_https_and_says_how_to_trust_its_ca(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        ca = str(tmp_path / "tls" / "ca.pem")
        assert server.url.startswith("https://127.0.0.1:")
        assert server.ca_file == ca
        log = server.log()
        assert f"serving {server.url}\n" in log
        assert f"  CA: {ca}\n" in log
        for variable in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"):
            assert f"export {variable}={ca}" in log
        assert f"curl --cacert {ca} -H 'Authorization: SSWS <your --token>' {server.url}" in log
        for key in ("ca-key.pem", "server-key.pem"):
            assert stat.S_IMODE((tmp_path / "tls" / key).stat().st_mode) == 0o600

        created = create(server.url, ca, "tee@example.com")
        assert created.status_code == 200, created.text
        user = created.json()
        # Links are built from the URL the client called: https, its host and port.
        assert user["_links"]["self"]["href"] == f"{server.url}/api/v1/users/{user['id']}"
        assert user["_links"]["activate"]["href"].startswith(f"{server.url}/api/v1/users/")
        listed = requests.get(
            f"{server.url}/api/v1/users?limit=1", headers=AUTH, timeout=30, verify=ca
        )
        assert listed.links["self"]["url"].startswith(f"{server.url}/api/v1/users")
        by_name = requests.get(
            f"{server.url.replace('127.0.0.1', 'localhost')}/api/v1/users/{user['id']}",
            headers=AUTH,
            timeout=30,
            verify=ca,
        )
        assert by_name.status_code == 200  # the certificate covers localhost too
        assert by_name.json()["_links"]["self"]["href"].startswith("https://localhost:")


def test_a_client_that_does_not_trust_the_ca_fails_and_http_gets_no_answer(
    tmp_path: Path,
) -> None:
    with serve(tmp_path) as server:
        certifi_only = requests.Session()
        certifi_only.trust_env = False  # this machine's REQUESTS_CA_BUNDLE stays out of it
        with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            certifi_only.get(f"{server.url}/api/v1/users", headers=AUTH, timeout=30)
        other = tmp_path / "other-ca.pem"  # and a CA of someone else's is no better
        trustme.CA().cert_pem.write_to_path(str(other))
        with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            requests.get(f"{server.url}/api/v1/users", headers=AUTH, timeout=30, verify=str(other))
        # Plain HTTP to the HTTPS port: no HTTP answer at all, so no silent downgrade.
        plain = server.url.replace("https://", "http://")
        status, head, _ = raw_http(plain, b"GET /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 0, head
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{plain}/api/v1/users", headers=AUTH, timeout=30)
        assert server.ca_file is not None
        stats = requests.get(
            f"{server.url}/_mock/stats", headers=AUTH, timeout=30, verify=server.ca_file
        )
        assert stats.json()["counters"].get("requests", 0) == 0  # none of these reached the API


def test_the_ca_survives_a_restart_so_a_client_configured_once_keeps_working(
    tmp_path: Path,
) -> None:
    ca = str(tmp_path / "tls" / "ca.pem")
    session = requests.Session()  # configured once, as a tool's config file would be
    session.trust_env = False
    session.verify = ca
    with serve(tmp_path) as first:
        assert create(first.url, ca, "before@example.com").status_code == 200
    ca_bytes = Path(ca).read_bytes()
    cert_bytes = (tmp_path / "tls" / "server.pem").read_bytes()

    with serve(tmp_path) as second:  # same folder: same CA, same certificate
        assert Path(ca).read_bytes() == ca_bytes
        assert (tmp_path / "tls" / "server.pem").read_bytes() == cert_bytes
        got = session.get(f"{second.url}/api/v1/users/before@example.com", headers=AUTH, timeout=30)
        assert got.status_code == 200, got.text

    with serve(tmp_path, "--tls-name", "okta.test") as third:  # new name: new cert, same CA
        assert Path(ca).read_bytes() == ca_bytes
        cert = x509.load_pem_x509_certificate((tmp_path / "tls" / "server.pem").read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert "okta.test" in names.get_values_for_type(x509.DNSName)
        assert "certificate for 127.0.0.1, localhost, okta.test" in third.log()
        got = session.get(f"{third.url}/api/v1/users", headers=AUTH, timeout=30)
        assert [u["profile"]["login"] for u in got.json()] == ["before@example.com"]


def test_a_teams_own_certificate(tmp_path: Path) -> None:
    theirs = trustme.CA(organization_name="Corp")
    leaf = theirs.issue_cert("127.0.0.1", "localhost")
    cert, key, their_ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "corp-ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    theirs.cert_pem.write_to_path(str(their_ca))
    args = ["--db", ":memory:", "--certfile", str(cert), "--keyfile", str(key)]
    with ServedMock(args, TOKEN, ca_file=str(their_ca)) as server:
        assert server.url.startswith("https://")
        assert f"tls: your certificate {cert} (clients trust its issuer)" in server.log()
        assert "  CA: " not in server.log()
        assert create(server.url, str(their_ca), "corp@example.com").status_code == 200
    assert not (tmp_path / "mock-okta-tls").exists()


def test_rate_limits_time_scale_and_journal_over_https(tmp_path: Path) -> None:
    # the whole org's 3 for the one token (Okta's default share would leave it 1)
    args = ("--limit", "users.collection=3", "--token-share", "100", "--time-scale", "60")
    with serve(tmp_path, *args) as server:
        assert server.ca_file is not None
        codes = [create(server.url, server.ca_file, f"r{i}@example.com") for i in range(5)]
        assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
        limited = codes[3]
        assert limited.json()["errorCode"] == "E0000047"
        assert limited.headers["X-Rate-Limit-Limit"] == "3"
        assert limited.headers["X-Rate-Limit-Remaining"] == "0"
        # A minute is a second at 60x: the reset is at most a second or two away (real epoch).
        assert int(limited.headers["X-Rate-Limit-Reset"]) <= time.time() + 2
        journal = requests.get(
            f"{server.url}/_mock/requests", headers=AUTH, timeout=30, verify=server.ca_file
        ).json()["entries"]
        assert [(e["method"], e["status"]) for e in journal] == [("POST", 200)] * 3 + [
            ("POST", 429)
        ] * 2
        assert [e["errorCode"] for e in journal[3:]] == ["E0000047", "E0000047"]
