"""HTTPS for `mock-okta serve --tls`: a local CA made once, and the server certificate it issues.

The CA (`ca.pem`, `ca-key.pem`) is created the first time and reused by every later start, so a
client told once to trust `ca.pem` keeps working across restarts. The server certificate
(`server.pem`, `server-key.pem`) covers 127.0.0.1, localhost, the bound host and every
`--tls-name`; it is issued again when the names change, when another CA signed it, or when it
nears its end. trustme (on `cryptography`) does the certificate work. Nothing here knows which
WSGI server serves the files: `prepare()` gives paths, `server_context()` an `ssl.SSLContext`,
`banner()` the start-up lines that say how to trust the CA.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import os
import shlex
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import idna
import trustme
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from mock_okta.config import ConfigError, Settings
from mock_okta.db import MEMORY

CA_CERT: Final = "ca.pem"
CA_KEY: Final = "ca-key.pem"
SERVER_CERT: Final = "server.pem"
SERVER_KEY: Final = "server-key.pem"
DIR_NAME: Final = "mock-okta-tls"
DEFAULT_NAMES: Final = ("127.0.0.1", "localhost")
# Apple's clients refuse TLS server certificates valid for longer than 825 days, whatever CA
# issued them (Apple support article HT210176); the CA itself may live long.
SERVER_DAYS: Final = 825
RENEW_DAYS: Final = 30
# Where each kind of client reads its trusted CAs from (all three read a PEM file).
TRUST_VARIABLES: Final = (
    ("REQUESTS_CA_BUNDLE", "requests, okta-cli"),
    ("SSL_CERT_FILE", "aiohttp, okta-sdk-python"),
    ("NODE_EXTRA_CA_CERTS", "Node SDKs"),
)
_ORGANIZATION: Final = "mock-okta"


class TlsError(ConfigError):
    """The TLS files cannot be used; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certfile: Path
    keyfile: Path
    ca_file: Path | None  # the CA a client trusts; None for a team's own certificate
    names: tuple[str, ...] = ()  # what the local CA's certificate covers


def default_dir(db: str) -> Path:
    """`mock-okta-tls/` in the store's folder (the current folder for `:memory:`, where the
    default store lives), so every store in one folder shares one CA."""
    folder = Path.cwd() if db == MEMORY else Path(db).resolve().parent
    return folder / DIR_NAME


def server_names(settings: Settings) -> tuple[str, ...]:
    """127.0.0.1, localhost, the host the server binds (unless a wildcard), then --tls-name."""
    wildcard = settings.host in ("", "0.0.0.0", "::")
    names = [*DEFAULT_NAMES, *([] if wildcard else [settings.host]), *settings.tls_names]
    return tuple(dict.fromkeys(_normal(n) for n in names))


def prepare(settings: Settings, *, now: dt.datetime | None = None) -> TlsFiles | None:
    """The files the server presents (None without TLS): a team's own, or the local CA's."""
    if settings.scheme != "https":
        return None
    if settings.certfile or settings.keyfile:
        if not (settings.certfile and settings.keyfile):
            raise TlsError("--certfile and --keyfile go together: give both")
        files = TlsFiles(Path(settings.certfile).resolve(), Path(settings.keyfile).resolve(), None)
        server_context(files)  # refuse now what the server would refuse on every connection
        return files
    directory = Path(settings.tls_dir) if settings.tls_dir else default_dir(settings.db)
    return local_ca(directory, server_names(settings), now=now)


def local_ca(directory: Path, names: Sequence[str], *, now: dt.datetime | None = None) -> TlsFiles:
    """The CA in `directory` (made if missing) and a current server certificate for `names`."""
    now = now or dt.datetime.now(dt.UTC)
    directory = directory.resolve()
    files = TlsFiles(
        directory / SERVER_CERT, directory / SERVER_KEY, directory / CA_CERT, tuple(names)
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with _locked(directory):  # two servers starting on one folder make one CA
            ca = _load_or_create_ca(directory)
            if not _current(files, ca, now):
                leaf = ca.issue_cert(
                    *names,
                    organization_name=_ORGANIZATION,
                    organization_unit_name="server",
                    not_before=now - dt.timedelta(days=1),
                    not_after=now + dt.timedelta(days=SERVER_DAYS),
                )
                _write(files.keyfile, leaf.private_key_pem.bytes(), private=True)
                _write(files.certfile, b"".join(p.bytes() for p in leaf.cert_chain_pems))
    except OSError as exc:
        raise TlsError(f"--tls-dir {directory} cannot be used: {exc}") from None
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """A server-side context presenting the certificate (for servers that take a context)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(files.certfile), str(files.keyfile))
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(
            f"cannot serve {files.certfile} with {files.keyfile}: {exc}"
            " (a PEM certificate, or chain, and its unencrypted PEM private key)"
        ) from None
    return context


def trust_env(ca_file: Path | str) -> dict[str, str]:
    """The variables that make requests and aiohttp trust the CA instead of their bundles, and
    Node trust it beside its own."""
    return {name: str(ca_file) for name, _ in TRUST_VARIABLES}


def banner(files: TlsFiles | None) -> str:
    """What the start-up lines say about HTTPS: the CA, and how each kind of client trusts it."""
    if files is None:
        return ""
    if files.ca_file is None:
        return f"  tls: your certificate {files.certfile} (clients trust its issuer)\n"
    ca = shlex.quote(str(files.ca_file))
    width = max(len(name) for name, _ in TRUST_VARIABLES) + 1 + len(ca)
    lines = [
        f"  tls: certificate for {', '.join(files.names)}, issued by the local CA",
        f"  CA: {files.ca_file}",
    ]
    for i, (name, clients) in enumerate(TRUST_VARIABLES):
        lead = "trust it:" if i == 0 else ""
        lines.append(f"  {lead:<9} export {name + '=' + ca:<{width}}  # {clients}")
    return "\n".join(lines) + "\n"


def _normal(name: str) -> str:
    """An IP address or a host name (IDNA, lower case; `*.` allowed) as the certificate says it."""
    name = name.strip().rstrip(".")
    try:
        return str(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        pass
    wildcard = name.startswith("*.")
    try:
        label = idna.encode(name.removeprefix("*."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise TlsError(f"--tls-name {name!r} is neither a host name nor an IP address") from None
    return ("*." if wildcard else "") + label


def _load_or_create_ca(directory: Path) -> trustme.CA:
    cert, key = directory / CA_CERT, directory / CA_KEY
    if not cert.exists() and not key.exists():
        ca = trustme.CA(organization_name=_ORGANIZATION, organization_unit_name="local CA")
        _write(key, ca.private_key_pem.bytes(), private=True)
        _write(cert, ca.cert_pem.bytes())
        return ca
    try:
        return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise TlsError(
            f"the local CA in {directory} cannot be read ({exc}): delete the folder to make a"
            f" new CA (clients must then trust the new {CA_CERT})"
        ) from None


def _current(files: TlsFiles, ca: trustme.CA, now: dt.datetime) -> bool:
    """The server certificate exists, is this CA's, covers exactly `names` and is not ending."""
    try:
        cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
        if not files.keyfile.exists():
            return False
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.cert_pem.bytes()))
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    covered = {*sans.get_values_for_type(x509.DNSName)}
    covered |= {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    ending = cert.not_valid_after_utc - dt.timedelta(days=RENEW_DAYS)
    return covered == set(files.names) and cert.not_valid_before_utc <= now < ending


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Replace `path` whole (a reader never sees half a key); keys are owner-only (0600)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with (directory / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
