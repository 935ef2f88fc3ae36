"""The local CA and the server certificate (mock_okta/tls.py), and the TLS settings."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
import threading
from pathlib import Path

import pytest
import trustme
from cryptography import x509

from mock_okta import server, tls
from mock_okta.config import ConfigError, Settings
from mock_okta.tls import TlsError, TlsFiles


def sans(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {*names.get_values_for_type(x509.DNSName)} | {
        str(ip) for ip in names.get_values_for_type(x509.IPAddress)
    }


def issued_by(files: TlsFiles) -> bool:
    assert files.ca_file is not None
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    leaf = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    leaf.verify_directly_issued_by(ca)  # raises if another CA signed it
    return ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_first_start_makes_a_ca_and_a_certificate_for_the_local_names(tmp_path: Path) -> None:
    files = tls.local_ca(tmp_path / "tls", ["127.0.0.1", "localhost", "okta.test"])
    assert files.ca_file == tmp_path / "tls" / "ca.pem"
    assert files.certfile == tmp_path / "tls" / "server.pem"
    assert issued_by(files)
    assert sans(files.certfile) == {"127.0.0.1", "localhost", "okta.test"}
    for key in (tmp_path / "tls" / "ca-key.pem", files.keyfile):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    assert stat.S_IMODE(files.ca_file.stat().st_mode) & 0o044  # clients must read the CA
    leaf = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert lifetime <= dt.timedelta(days=tls.SERVER_DAYS + 1)


def test_a_restart_reuses_the_ca_and_the_certificate(tmp_path: Path) -> None:
    first = tls.local_ca(tmp_path, ["127.0.0.1", "localhost"])
    ca, cert, key = (p.read_bytes() for p in (tmp_path / "ca.pem", first.certfile, first.keyfile))
    second = tls.local_ca(tmp_path, ["127.0.0.1", "localhost"])
    assert second == first
    assert (tmp_path / "ca.pem").read_bytes() == ca
    assert (second.certfile.read_bytes(), second.keyfile.read_bytes()) == (cert, key)


def test_new_names_reissue_the_certificate_from_the_same_ca(tmp_path: Path) -> None:
    first = tls.local_ca(tmp_path, ["127.0.0.1", "localhost"])
    ca, cert = (tmp_path / "ca.pem").read_bytes(), first.certfile.read_bytes()
    second = tls.local_ca(tmp_path, ["127.0.0.1", "localhost", "mock.internal"])
    assert (tmp_path / "ca.pem").read_bytes() == ca
    assert second.certfile.read_bytes() != cert
    assert sans(second.certfile) == {"127.0.0.1", "localhost", "mock.internal"}
    assert issued_by(second)
    third = tls.local_ca(tmp_path, ["127.0.0.1", "localhost"])  # and back: the name is gone
    assert sans(third.certfile) == {"127.0.0.1", "localhost"}


def test_a_certificate_near_its_end_is_reissued(tmp_path: Path) -> None:
    files = tls.local_ca(tmp_path, ["localhost"])
    leaf = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    before = files.certfile.read_bytes()
    late = leaf.not_valid_after_utc - dt.timedelta(days=tls.RENEW_DAYS - 1)
    tls.local_ca(tmp_path, ["localhost"], now=late)
    renewed = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    assert files.certfile.read_bytes() != before
    assert renewed.not_valid_after_utc > late + dt.timedelta(days=tls.SERVER_DAYS - 2)
    assert issued_by(files)


def test_a_new_ca_gets_a_new_certificate(tmp_path: Path) -> None:
    files = tls.local_ca(tmp_path, ["localhost"])
    (tmp_path / "ca.pem").unlink()
    (tmp_path / "ca-key.pem").unlink()
    tls.local_ca(tmp_path, ["localhost"])
    assert issued_by(files)  # the old server.pem was not kept: the new CA signed a new one


def test_half_a_ca_is_refused_with_what_to_do(tmp_path: Path) -> None:
    tls.local_ca(tmp_path, ["localhost"])
    (tmp_path / "ca-key.pem").unlink()
    with pytest.raises(TlsError, match=r"cannot be read .*delete the folder to make a new CA"):
        tls.local_ca(tmp_path, ["localhost"])


def test_a_folder_that_cannot_be_written_is_refused_with_its_name(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(TlsError, match=r"--tls-dir .*file/tls cannot be used: .*Not a directory"):
        tls.local_ca(blocker / "tls", ["localhost"])


def test_two_servers_starting_at_once_share_one_ca(tmp_path: Path) -> None:
    results: list[TlsFiles] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        results.append(tls.local_ca(tmp_path, ["127.0.0.1", "localhost"]))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4
    assert issued_by(results[0])
    # The CA on disk is whole: its key signs what its certificate says.
    trustme.CA.from_pem(
        (tmp_path / "ca.pem").read_bytes(), (tmp_path / "ca-key.pem").read_bytes()
    ).issue_cert("localhost")
    assert not list(tmp_path.glob(".*.tmp"))


def test_server_names_add_the_bound_host_and_normalise(tmp_path: Path) -> None:
    settings = Settings(host="10.1.2.3", tls_names=("Okta.Test", "bücher.example", "::1", "x."))
    assert tls.server_names(settings) == (
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "okta.test",
        "xn--bcher-kva.example",
        "::1",
        "x",
    )
    assert tls.server_names(Settings(host="0.0.0.0")) == ("127.0.0.1", "localhost")
    files = tls.local_ca(tmp_path, tls.server_names(settings))
    assert sans(files.certfile) == {str(ipaddress.ip_address("::1")), *files.names}


@pytest.mark.parametrize("name", ["has space", "a/b", "user@example.com", "10.0.0.0/8", ""])
def test_a_name_that_is_no_host_is_refused(name: str) -> None:
    with pytest.raises(TlsError, match="neither a host name nor an IP address"):
        tls.server_names(Settings(tls_names=(name,)))


def test_the_default_folder_is_beside_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        tls.default_dir(str(tmp_path / "data" / "okta.db")) == tmp_path / "data" / "mock-okta-tls"
    )
    assert tls.default_dir("okta.db") == tmp_path / "mock-okta-tls"
    assert tls.default_dir(":memory:") == tmp_path / "mock-okta-tls"


def test_prepare_follows_the_settings(tmp_path: Path) -> None:
    assert tls.prepare(Settings()) is None
    files = tls.prepare(Settings(tls=True, db=str(tmp_path / "okta.db"), tls_names=("okta.test",)))
    assert files is not None
    assert files.ca_file == tmp_path / "mock-okta-tls" / "ca.pem"
    assert sans(files.certfile) == {"127.0.0.1", "localhost", "okta.test"}


def test_a_teams_own_certificate_is_served_as_it_is(tmp_path: Path) -> None:
    theirs = trustme.CA().issue_cert("okta.corp.example")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    theirs.cert_chain_pems[0].write_to_path(str(cert))
    theirs.private_key_pem.write_to_path(str(key))
    files = tls.prepare(Settings(certfile=str(cert), keyfile=str(key), db=str(tmp_path / "o.db")))
    assert files == TlsFiles(cert, key, None)
    assert not (tmp_path / "mock-okta-tls").exists()  # no CA of ours


def test_a_certificate_without_its_key_or_a_broken_one_is_refused(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    with pytest.raises(TlsError, match="--certfile and --keyfile go together"):
        tls.prepare(Settings(certfile=str(cert)))
    with pytest.raises(TlsError, match=r"cannot serve .*cert\.pem with .*key\.pem"):
        tls.prepare(Settings(certfile=str(cert), keyfile=str(tmp_path / "key.pem")))


def test_trust_env_names_the_ca_for_every_kind_of_client() -> None:
    assert tls.trust_env("/x/ca.pem") == {
        "REQUESTS_CA_BUNDLE": "/x/ca.pem",
        "SSL_CERT_FILE": "/x/ca.pem",
        "NODE_EXTRA_CA_CERTS": "/x/ca.pem",
    }


def test_tls_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "MOCK_OKTA_TLS": "true",
            "MOCK_OKTA_TLS_DIR": "/srv/tls",
            "MOCK_OKTA_TLS_NAMES": "okta.test, mock.internal",
            "MOCK_OKTA_CERTFILE": "/c.pem",
            "MOCK_OKTA_KEYFILE": "/k.pem",
        }
    )
    assert (settings.tls, settings.tls_dir) == (True, "/srv/tls")
    assert settings.tls_names == ("okta.test", "mock.internal")
    assert (settings.certfile, settings.keyfile) == ("/c.pem", "/k.pem")
    assert settings.scheme == "https"
    assert Settings.from_env({"MOCK_OKTA_TLS": "0"}).scheme == "http"
    assert Settings.from_env({"MOCK_OKTA_CERTFILE": "/c.pem"}).scheme == "https"
    with pytest.raises(ConfigError, match="MOCK_OKTA_TLS must be true or false, not 'maybe'"):
        Settings.from_env({"MOCK_OKTA_TLS": "maybe"})


def test_tls_flags_win_over_the_environment() -> None:
    args = server.build_parser().parse_args(
        ["--tls", "--tls-dir", "/d", "--tls-name", "a.test", "--tls-name", "b.test"]
    )
    settings = server.settings_from_args(args, {"MOCK_OKTA_TLS_NAMES": "c.test"})
    assert (settings.tls, settings.tls_dir, settings.tls_names) == (
        True,
        "/d",
        ("a.test", "b.test"),
    )


def test_serve_refuses_a_certificate_without_its_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert server.main(["--certfile", "/nowhere/cert.pem", "--db", ":memory:"]) == 2
    assert "--certfile and --keyfile go together" in capsys.readouterr().err


def test_the_banner_says_where_the_ca_is_and_how_to_trust_it(tmp_path: Path) -> None:
    files = tls.local_ca(tmp_path / "my tls", ["127.0.0.1", "localhost"])
    banner = tls.banner(files)
    ca = str(tmp_path / "my tls" / "ca.pem")
    assert "  tls: certificate for 127.0.0.1, localhost, issued by the local CA\n" in banner
    assert f"\n  CA: {ca}\n" in banner
    for variable, clients in tls.TRUST_VARIABLES:
        assert f"export {variable}='{ca}'" in banner  # quoted: the path has a space
        assert f"# {clients}" in banner
    assert tls.banner(None) == ""
    own = tls.banner(TlsFiles(Path("/c.pem"), Path("/k.pem"), None))
    assert own == "  tls: your certificate /c.pem (clients trust its issuer)\n"
