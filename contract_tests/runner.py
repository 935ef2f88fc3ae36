"""What a scenario does: a fresh mock, a dataset, the tool under test, and what Okta holds after.

The tool is any command (a template with {org_url}, {token}, {token2}, {dataset}, {workdir},
{mode}, and {ca_file} with --harness-tls); it runs against a real `mock-okta serve` on a free
port, so it may be written in any language. {token2} is a second API token of the same org: Okta
lets each token use only half of a bucket by default, so a tool that spreads its calls over both
goes twice as fast. Over TLS its environment names the mock's CA (REQUESTS_CA_BUNDLE,
SSL_CERT_FILE, NODE_EXTRA_CA_CERTS), so a tool that insists on https:// runs unmodified.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

import requests

from mock_okta.harness.app_checks import Assignments, read_assignments
from mock_okta.harness.commands import CommandNotFound, not_found_in, tool_env
from mock_okta.profile import login_key
from mock_okta.testing.client import ControlClient
from mock_okta.testing.served import ServedMock
from mock_okta.tls import trust_env
from mock_okta.tools.dataset import DEFAULT_MIX, Options, parse_mix
from mock_okta.tools.dataset import generate as generate_dataset
from mock_okta.tools.delta import generate_delta
from mock_okta.tools.records import manifest_fields, read_manifest

REFERENCE_COMMAND = (
    f"{shlex.quote(sys.executable)} -m mock_okta migrate --org {{org_url}} --token {{token}}"
    " --token {token2} --input {dataset} --mode {mode} --state {workdir}/state.json"
)
HARNESS_LIMITS = {"authn": 1_000_000}  # the harness's own sign-ins must not meet limits
OIDC_LIMITS = {"oauth2.authorize": 1_000_000, "oauth2.token": 1_000_000}
OIDC_REDIRECT = "http://127.0.0.1/harness/callback"  # never followed: the code is read from it
SCHEMA = "/api/v1/meta/schemas/user/default"


@dataclass(frozen=True, slots=True)
class HarnessConfig:
    command: str = REFERENCE_COMMAND
    users: int = 200
    seed: int = 1
    rate_limits: str = "workforce"
    limits: Mapping[str, int] = field(default_factory=dict)
    time_scale: float = 60.0
    timeout: float = 600.0
    grace: float = 0.25
    bad: float = 0.05
    groups: int = 30  # legacy groups in each dataset (0: none); more than 20 for some users
    custom_fields: bool = True
    workdir: Path = Path("harness-work")
    hook_url: str | None = None  # a team's own hook service; default: mock-okta hook-server
    hook_auth: str | None = None  # "Header: value" the hook service expects
    tls: bool = False  # serve the mock over HTTPS (its CA in the harness workdir's tls/)
    dataset: Path | None = None  # a team's own dataset (users.jsonl + oracle.jsonl), else made
    mix: str = DEFAULT_MIX  # legacy schemes of the datasets the harness makes


@dataclass(frozen=True, slots=True)
class Dataset:
    dir: Path
    records: list[dict[str, Any]]
    oracle: dict[str, dict[str, Any]]  # by login key
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # declared custom fields
    apps: list[dict[str, Any]] = field(default_factory=list)  # declared apps (legacy_apps.py)

    @property
    def path(self) -> Path:
        return self.dir / "users.jsonl"

    @classmethod
    def load(cls, directory: Path) -> Dataset:
        records = [json.loads(x) for x in (directory / "users.jsonl").read_text().splitlines() if x]
        oracle: dict[str, dict[str, Any]] = {}
        for line in (directory / "oracle.jsonl").read_text().splitlines():
            if line:
                entry = json.loads(line)
                # A login that differs from an earlier one only in case is refused by Okta: the
                # earlier user is the one Okta holds, so its entry stays (the first one wins).
                oracle.setdefault(login_key(entry["login"]), entry)
        # A team's own dataset may come without a manifest (no apps declared, then).
        has_manifest = (directory / "manifest.json").is_file()
        apps = read_manifest(directory).get("apps") if has_manifest else None
        declared = [dict(a) for a in apps] if isinstance(apps, list) else []
        return cls(directory, records, oracle, manifest_fields(directory), declared)

    def can_log_in(self, *, via: str = "hash") -> list[dict[str, Any]]:
        return [e for e in self.oracle.values() if e.get("canLogIn") and e.get("via") == via]


def generated(
    config: HarnessConfig,
    out: Path,
    *,
    users: int | None = None,
    bad: float | None = None,
    apps: bool = False,
) -> Path:
    """A dataset as the harness makes one for a scenario (`config`'s size, seed, mix, defects)."""
    options = Options(
        users=users or config.users,
        seed=config.seed,
        mix=parse_mix(config.mix),
        bad=config.bad if bad is None else bad,
        groups=config.groups,
        custom_fields=config.custom_fields,
        apps=apps,
    )
    generate_dataset(options, out)
    return out


@dataclass(frozen=True, slots=True)
class ToolRun:
    mode: str
    returncode: int | None  # None: killed at the time limit
    seconds: float
    log: Path


def sign_in(
    url: str, entries: Sequence[Mapping[str, Any]], ca_file: str | None = None
) -> dict[str, int]:
    """`POST /api/v1/authn` with each entry's login and password; login → HTTP status."""
    session = requests.Session()
    out = {}
    for entry in entries:
        response = session.post(
            f"{url}/api/v1/authn",
            json={"username": entry["login"], "password": entry["password"]},
            timeout=60,
            verify=ca_file or True,
        )
        out[str(entry["login"])] = response.status_code
    return out


def oidc_sign_in(
    url: str,
    entries: Sequence[Mapping[str, Any]],
    client: tuple[str, str],
    ca_file: str | None = None,
) -> dict[str, int]:
    """Each entry through the authorization code flow with PKCE of `client` on
    /oauth2/default, the hosted form posted over HTTP; login → the status of the step that
    failed (401 from the hosted page for a password that does not verify), 200 when /token
    gave an ID token for the user."""
    out = {}
    verify = ca_file or True
    base = f"{url}/oauth2/default/v1"
    for entry in entries:
        session = requests.Session()  # a new browser: no session cookie
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        params = {
            "client_id": client[0],
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": OIDC_REDIRECT,
            "state": "harness",
            "nonce": secrets.token_urlsafe(8),
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        page = session.get(f"{base}/authorize", params=params, timeout=60, verify=verify)
        if page.status_code != 200:
            out[str(entry["login"])] = page.status_code
            continue
        form = dict(re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page.text))
        form.update(username=entry["login"], password=entry["password"])
        back = session.post(
            f"{base}/signin", data=form, timeout=60, verify=verify, allow_redirects=False
        )
        if back.status_code != 302:
            out[str(entry["login"])] = back.status_code
            continue
        code = parse_qs(urlsplit(back.headers["Location"]).query).get("code", [""])[0]
        token = session.post(
            f"{base}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": OIDC_REDIRECT,
                "code_verifier": verifier,
            },
            auth=client,
            timeout=60,
            verify=verify,
        )
        ok = token.status_code == 200 and "id_token" in token.json()
        out[str(entry["login"])] = 200 if ok else token.status_code
    return out


class OrgView(Protocol):
    """What every scenario can ask of the org, mock or real."""

    url: str
    token: str
    token2: str
    time_scale: float
    ca_file: str | None

    def users(self) -> list[dict[str, Any]]: ...

    def ids(self) -> dict[str, str]: ...

    def groups(self) -> list[dict[str, Any]]: ...

    def schema(self) -> dict[str, Any] | None: ...

    def sign_in(self, entries: Sequence[Mapping[str, Any]]) -> dict[str, int]: ...

    def assignments(self) -> Assignments: ...


class Mock:
    """A served mock for one scenario, seen only through HTTP (control plane and Okta's API)."""

    def __init__(
        self,
        url: str,
        token: str,
        time_scale: float,
        ca_file: str | None = None,
        token2: str = "",
    ) -> None:
        self.url = url
        self.token = token
        self.token2 = token2 or token
        self.time_scale = time_scale
        self.ca_file = ca_file  # https://: the mock's CA
        self.control = ControlClient(url, token, ca_file=ca_file)

    def users(self) -> list[dict[str, Any]]:
        return self.control.users()

    def ids(self) -> dict[str, str]:
        return {login_key(u["profile"]["login"]): u["id"] for u in self.users()}

    def groups(self) -> list[dict[str, Any]]:
        """Every group with its members' ids (`/_mock/groups`)."""
        return self.control.groups()

    def schema(self) -> dict[str, Any] | None:
        response = requests.get(
            f"{self.url}{SCHEMA}", headers=self._auth, timeout=30, verify=self.ca_file or True
        )
        return response.json() if response.ok else None

    def assignments(self) -> Assignments:
        """Each user's apps (by login key): scope and app-side identity, from Okta's API."""
        return read_assignments(self.url, self.token, self.ids(), self.ca_file)

    def journal(self) -> list[dict[str, Any]]:
        return self.control.requests()

    def token_ids(self) -> list[str]:
        """The ids (00T…) of {token} and {token2}, as the journal names them."""
        return [str(t["id"]) for t in self.control.stats()["tokens"]]

    def sign_in(self, entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """`/api/v1/authn` with each entry's password; login → status. Limits lifted first."""
        config = self.control.config()
        self.control.config(
            limits={**config["limits"], **HARNESS_LIMITS}, authnPerUserPerSecond=1_000_000
        )
        out = sign_in(self.url, entries, self.ca_file)
        self.control.config(
            limits=config["limits"], authnPerUserPerSecond=config["authnPerUserPerSecond"]
        )
        return out

    def oidc_sign_in(self, entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Each entry through an OIDC app's code flow (made here); limits lifted first."""
        body = {
            "name": "oidc_client",
            "label": "harness OIDC app",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {
                "oauthClient": {
                    "redirect_uris": [OIDC_REDIRECT],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    "application_type": "web",
                }
            },
        }
        created = requests.post(
            f"{self.url}/api/v1/apps",
            json=body,
            headers=self._auth,
            timeout=30,
            verify=self.ca_file or True,
        )
        created.raise_for_status()
        oauth = created.json()["credentials"]["oauthClient"]
        config = self.control.config()
        lifted = {**config["limits"], **HARNESS_LIMITS, **OIDC_LIMITS}
        self.control.config(limits=lifted, authnPerUserPerSecond=1_000_000)
        client = (oauth["client_id"], oauth["client_secret"])
        out = oidc_sign_in(self.url, entries, client, self.ca_file)
        self.control.config(
            limits=config["limits"], authnPerUserPerSecond=config["authnPerUserPerSecond"]
        )
        return out

    def register_hook(self, uri: str, auth: str | None) -> str:
        """Create and activate the org's password import inline hook; returns its id."""
        config: dict[str, object] = {"uri": uri, "method": "POST"}
        if auth:
            key, _, value = auth.partition(":")
            config["authScheme"] = {"type": "HEADER", "key": key.strip(), "value": value.strip()}
        body = {
            "name": "legacy password import (harness)",
            "type": "com.okta.user.credential.password.import",
            "version": "1.0.0",
            "channel": {"type": "HTTP", "version": "1.0.0", "config": config},
        }
        response = requests.post(
            f"{self.url}/api/v1/inlineHooks",
            json=body,
            headers=self._auth,
            timeout=30,
            verify=self.ca_file or True,
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def system_log(self, event_type: str) -> list[dict[str, Any]]:
        """Every System Log event of `event_type` so far (a bounded query, page by page)."""
        until = time.strftime("%Y-%m-%dT%H:%M:%S.999Z", time.gmtime(time.time() + 86400))
        url: str | None = f"{self.url}/api/v1/logs"
        params: dict[str, str] | None = {
            "filter": f'eventType eq "{event_type}"', "since": "2000-01-01T00:00:00.000Z",
            "until": until, "limit": "1000",
        }  # fmt: skip
        events: list[dict[str, Any]] = []
        while url:
            response = requests.get(
                url, params=params, headers=self._auth, timeout=60, verify=self.ca_file or True
            )
            response.raise_for_status()
            events += response.json()
            url, params = response.links.get("next", {}).get("url"), None
        return events

    def deactivate_hook(self, hook_id: str) -> None:
        requests.post(
            f"{self.url}/api/v1/inlineHooks/{hook_id}/lifecycle/deactivate",
            headers=self._auth,
            timeout=30,
            verify=self.ca_file or True,
        ).raise_for_status()

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"SSWS {self.token}"}

    def projected_seconds(self, stats: Mapping[str, Any]) -> float:
        """The same traffic in real Okta: earliest first request to latest projected end."""
        buckets = stats["buckets"]
        if not buckets:
            return 0.0
        start = min(b["start"] for b in buckets.values())
        end = max(
            b["start"] + b["projectedOktaSeconds"] / self.time_scale for b in buckets.values()
        )
        return float(end - start) * self.time_scale


class RealOrg:
    """A real Okta org (parity mode): only Okta's own API, no control plane, no journal."""

    def __init__(self, url: str, token: str, token2: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.token2 = token2 or token  # without a second token, {token2} is the first again
        self.time_scale = 1.0
        self.ca_file: str | None = None  # a real org's certificate is publicly trusted
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"SSWS {token}"
        self.logins: list[str] = []  # the dataset's, set by the scenario

    def _get(self, path: str) -> requests.Response:
        while True:
            response = self.session.get(f"{self.url}{path}", timeout=60)
            if response.status_code != 429:
                return response
            time.sleep(
                max(0.0, float(response.headers.get("X-Rate-Limit-Reset", 0)) - time.time()) + 1
            )

    def users(self) -> list[dict[str, Any]]:
        found = []
        for login in self.logins:
            response = self._get(f"/api/v1/users/{quote(login, safe='@')}")
            if response.status_code == 200:
                found.append(response.json())
        return found

    def ids(self) -> dict[str, str]:
        return {login_key(u["profile"]["login"]): u["id"] for u in self.users()}

    def groups(self) -> list[dict[str, Any]]:
        """The groups the dataset's users are in, from each user's listUserGroups."""
        found: dict[str, dict[str, Any]] = {}
        for user in self.users():
            response = self._get(f"/api/v1/users/{user['id']}/groups")
            for group in response.json() if response.status_code == 200 else []:
                entry = found.setdefault(
                    group["id"],
                    {"id": group["id"], "name": group["profile"]["name"], "type": group["type"],
                     "members": []},
                )  # fmt: skip
                entry["members"].append(user["id"])
        return list(found.values())

    def schema(self) -> dict[str, Any] | None:
        response = self._get(SCHEMA)
        return response.json() if response.status_code == 200 else None

    def sign_in(self, entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        return sign_in(self.url, entries)

    def assignments(self) -> Assignments:
        return read_assignments(self.url, self.token, self.ids())


class Scenario:
    """One scenario's mock, datasets and tool runs, plus everything the report needs."""

    def __init__(self, name: str, config: HarnessConfig, workdir: Path, org: OrgView) -> None:
        self.name = name
        self.config = config
        self.workdir = workdir
        self.org = org
        self.runs: list[ToolRun] = []
        self.tool_stats: dict[str, Any] | None = None
        self.datasets: list[Dataset] = []  # as handed to the tool, for the report's counts

    def dataset(
        self, *, users: int | None = None, bad: float | None = None, apps: bool = False
    ) -> Dataset:
        """The team's own dataset (--harness-dataset), else one made for this scenario."""
        if self.config.dataset is not None:
            dataset = Dataset.load(self.config.dataset)
            if isinstance(self.org, RealOrg):
                self.org.logins = [str(r["profile"]["login"]) for r in dataset.records]
            self.datasets.append(dataset)
            return dataset
        dataset = Dataset.load(
            generated(self.config, self.workdir / "dataset", users=users, bad=bad, apps=apps)
        )
        if isinstance(self.org, RealOrg):
            self.org.logins = [str(r["profile"]["login"]) for r in dataset.records]
        self.datasets.append(dataset)
        return dataset

    def later(self, base: Dataset, changed: float = 0.2) -> Dataset:
        out = self.workdir / "dataset-later"
        generate_delta(base.dir, out, changed=changed)
        return Dataset.load(out)

    @contextlib.contextmanager
    def hook_service(self, dataset: Dataset) -> Iterator[tuple[str, str | None]]:
        """The hook service under test (--hook-url), or mock-okta's legacy-verifying one."""
        if self.config.hook_url:
            yield self.config.hook_url, self.config.hook_auth
            return
        auth = "Authorization: harness-" + secrets.token_hex(8)
        cmd = [
            sys.executable, "-m", "mock_okta", "hook-server", "--dataset", str(dataset.path),
            "--port", "0", "--auth-header", auth,
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        try:
            first = proc.stdout.readline()
            if not first.startswith("hook-server: http"):
                raise RuntimeError(f"mock-okta hook-server did not start: {first!r}")
            yield first.split()[1], auth
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()

    def run_tool(self, mode: str, dataset: Dataset) -> ToolRun:
        command = self.config.command.format(
            org_url=self.org.url,
            token=self.org.token,
            token2=self.org.token2,
            dataset=shlex.quote(str(dataset.path)),
            workdir=shlex.quote(str(self.workdir)),
            mode=mode,
            ca_file=shlex.quote(self.org.ca_file or ""),
        )
        env = {**tool_env(), **(trust_env(self.org.ca_file) if self.org.ca_file else {})}
        log = self.workdir / f"tool-{len(self.runs) + 1}-{mode}.log"
        started = time.monotonic()
        with log.open("w") as out:
            out.write(f"$ {command}\n")
            out.flush()
            proc = subprocess.Popen(
                command,
                shell=True,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
            try:
                code: int | None = proc.wait(self.config.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = None
        run = ToolRun(mode, code, time.monotonic() - started, log)
        self.runs.append(run)
        if code == 127:  # the shell's "command not found": every check after it would cascade
            missing = not_found_in(log.read_text(errors="replace"))
            raise CommandNotFound(f"command not found: {missing or command} (see {log})")
        if isinstance(self.org, Mock):  # the tool's traffic, before the harness's own checks
            self.tool_stats = self.org.control.stats()
        return run


def _fresh(workdir: Path) -> Path:
    if workdir.exists():
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


@contextlib.contextmanager
def scenario(
    name: str, config: HarnessConfig, extra_args: Sequence[str] = ()
) -> Iterator[Scenario]:
    """A fresh mock (its own SQLite file) and work folder for one scenario."""
    workdir = _fresh(config.workdir / name)
    token = "harness-" + secrets.token_hex(8)
    token2 = "harness2-" + secrets.token_hex(8)
    args = [
        "--db", str(workdir / "okta.db"),
        "--token", token2,
        "--rate-limits", config.rate_limits,
        "--time-scale", str(config.time_scale),
        *(f"--limit={bucket}={n}" for bucket, n in config.limits.items()),
        *(["--tls", "--tls-dir", str(config.workdir / "tls")] if config.tls else []),
        *extra_args,
    ]  # fmt: skip
    with ServedMock(args, token) as server:
        mock = Mock(server.url, token, config.time_scale, server.ca_file, token2)
        yield Scenario(name, config, workdir, mock)


@contextlib.contextmanager
def reused_scenario(name: str, config: HarnessConfig, mock: Mock) -> Iterator[Scenario]:
    """One scenario on a mock already served (`--time-scale`, {token2} as `scenario` gives them):
    reset, then the scenario's limits through the control plane; a fresh org, no new server."""
    workdir = _fresh(config.workdir / name)
    mock.control.reset()
    mock.control.config(
        rateLimits=config.rate_limits, timeScale=config.time_scale, limits=dict(config.limits)
    )
    yield Scenario(name, config, workdir, mock)


@contextlib.contextmanager
def real_scenario(
    name: str, config: HarnessConfig, url: str, token: str, token2: str | None = None
) -> Iterator[Scenario]:
    """Parity mode: the same scenario against a real (preview) org."""
    yield Scenario(name, config, _fresh(config.workdir / name), RealOrg(url, token, token2))
