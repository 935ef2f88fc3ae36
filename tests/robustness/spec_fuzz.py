"""Fuzz the mock with requests generated from Okta's own OpenAPI spec (schemathesis 4).

The spec (../shared/okta/management-openapi.yaml, 3.4 MB) is read once and cut down in memory to
the users, lifecycle, credentials and inline-hook operations the mock serves, with their `$ref`
closure; schemathesis generates valid (positive) and invalid (negative) requests from it, plus
the spec's own examples. Each response is checked for:

- no 5xx, no dropped connection, no exception inside the server;
- a body valid against the spec's schema for that operation and status, where the spec has one
  (read-only validation: a write-only property such as a password in a response fails);
- every error in Okta's five-field shape with a code from `mock_okta.errors.CATALOGUE` and the
  catalogue's status.

Requests are steered towards the org's state: most carry the API token, and most path ids name
users (in every status) and hooks that exist, so the generated bodies reach the domain code.

`--operations all` (the default of `make fuzz`) takes every operation of the full spec (732):
those the mock's routes match are fuzzed and checked as above; every other one is sent
generated valid requests, and must answer Okta's 404 E0000008 (405 E0000022 where the path is
served with other methods, 401 E0000011 without the token), never a 5xx. `--operations core`
keeps to FUZZED, the users, lifecycle, credentials, hooks and principal rate limits.

A short run is `tests/robustness/test_spec_fuzz.py` (in `make test`); the long one is
`make fuzz`, i.e. `python -m tests.robustness.spec_fuzz --requests 10000`.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import random
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import requests
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from schemathesis.core.errors import SchemathesisError

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.errors import CATALOGUE
from mock_okta.profile import DEFAULT_SCHEMA
from mock_okta.testing.client import ControlClient
from mock_okta.testing.live import LiveServer
from mock_okta.testing.served import ServedMock
from mock_okta.tokens import api_token

SPEC_NAME: Final = "management-openapi.yaml"
SPEC_URI: Final = "urn:okta:management-openapi"
TOKEN: Final = "fuzz-token"
PASSWORD: Final = "Fuzz-Passw0rd-42"
TAGS: Final = frozenset({"User", "UserLifecycle", "UserCred", "InlineHook", "PrincipalRateLimit"})

# The operations of those tags that the mock serves (design.md, "Okta API surface").
FUZZED: Final = (
    "createUser",
    "listUsers",
    "getUser",
    "updateUser",
    "replaceUser",
    "deleteUser",
    "activateUser",
    "reactivateUser",
    "deactivateUser",
    "suspendUser",
    "unsuspendUser",
    "unlockUser",
    "resetPassword",
    "expirePassword",
    "expirePasswordWithTempPassword",
    "changePassword",
    "createInlineHook",
    "listInlineHooks",
    "getInlineHook",
    "updateInlineHook",
    "replaceInlineHook",
    "deleteInlineHook",
    "activateInlineHook",
    "deactivateInlineHook",
    "listPrincipalRateLimitEntities",
    "createPrincipalRateLimitEntity",
    "getPrincipalRateLimitEntity",
    "replacePrincipalRateLimitEntity",
)
NOT_SERVED: Final = "not served by the mock (outside design.md's API surface): 404 E0000008"
FIVE_FIELDS: Final = frozenset({"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"})


def spec_path() -> Path:
    """Okta's spec beside the repository (../shared/okta), or where MOCK_OKTA_SHARED_OKTA says."""
    default = Path(__file__).resolve().parents[3] / "shared" / "okta"
    return Path(os.environ.get("MOCK_OKTA_SHARED_OKTA", str(default))) / SPEC_NAME


def load_spec(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return spec


def _refs(node: object, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref)
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def cut_spec(spec: Mapping[str, Any], operation_ids: frozenset[str]) -> dict[str, Any]:
    """Only the operations named, and every component they reach through `$ref`."""
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        kept = {
            method: op
            for method, op in item.items()
            if isinstance(op, dict) and op.get("operationId") in operation_ids
        }
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[path] = kept
    components: dict[str, dict[str, Any]] = {
        "securitySchemes": dict(spec["components"].get("securitySchemes", {}))
    }
    todo: set[str] = set()
    _refs(paths, todo)
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        node = spec["components"][section][name]
        components.setdefault(section, {})[name] = node
        _refs(node, todo)
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": paths,
        "components": components,
    }


def all_operations(spec: Mapping[str, Any]) -> dict[str, str]:
    """operationId -> "METHOD path" for every operation of the spec."""
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def served_operations(spec: Mapping[str, Any]) -> frozenset[str]:
    """The operations whose method and path one of the mock's routes matches."""
    import re

    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    from mock_okta.app import create_app

    app = create_app(Settings(db=":memory:"))
    adapter = app.url_map.bind("localhost")
    served = set()
    for operation, label in all_operations(spec).items():
        method, path = label.split(" ", 1)
        try:
            adapter.match(re.sub(r"\{[^}]+\}", "x1", path), method)
        except RequestRedirect:
            pass  # a trailing slash away: served
        except HTTPException:
            continue
        served.add(operation)
    app.extensions["mock_okta"].close()
    return frozenset(served)


# Unserved operations: what they may answer (never a 5xx, always Okta's shape).
UNSERVED_ANSWERS: Final = {401: "E0000011", 404: "E0000008", 405: "E0000022"}


def operations_in_tags(spec: Mapping[str, Any]) -> dict[str, str]:
    """operationId -> "METHOD path" for every operation of the fuzzed tags."""
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and TAGS & set(op.get("tags", ())):
                found[op["operationId"]] = f"{method.upper()} {path}"
    return found


# ----- checking responses


@dataclasses.dataclass(frozen=True)
class Finding:
    operation: str
    kind: str  # 5xx, connection, server-exception, schema, error-shape
    status: int | None
    message: str
    reproduce: str = ""

    @property
    def key(self) -> tuple[str, str, int | None, str]:
        return (self.operation, self.kind, self.status, self.message.splitlines()[0][:160])


@dataclasses.dataclass(frozen=True)
class Exclusion:
    """A finding where the mock follows Okta's documented behaviour and the spec disagrees."""

    operation: str
    kind: str
    status: int
    contains: str  # a substring of the finding's message
    reason: str  # the PARITY note

    def matches(self, finding: Finding) -> bool:
        return (
            self.operation in ("*", finding.operation)
            and finding.kind == self.kind
            and finding.status == self.status
            and self.contains in finding.message
        )


# PARITY: the spec and Okta's documented behaviour disagree here; the mock follows the docs.
EXCLUSIONS: Final[tuple[Exclusion, ...]] = tuple(
    Exclusion(
        "*",
        "schema",
        200,
        f"accessibility/{name}: None for not nullable",
        f"an app's accessibility.{name} is null in Okta's answers (okta-developer-docs apps"
        " examples, recorded answers) though the spec says it is not nullable",
    )
    for name in ("errorRedirectUrl", "loginRedirectUrl")
)


def _absolute(node: object) -> object:
    """A copy of a spec node whose local `$ref`s point into the registry's copy of the spec."""
    if isinstance(node, dict):
        return {
            k: (f"{SPEC_URI}{v}" if k == "$ref" and isinstance(v, str) else _absolute(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


class ResponseChecker:
    """Checks one response against the cut spec and Okta's error contract."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI,
            Resource.from_contents(copy.deepcopy(dict(spec)), default_specification=DRAFT4),
        )
        self._validators: dict[tuple[str, str], Any] = {}
        self._operations: dict[str, dict[str, Any]] = {}
        for item in spec["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    self._operations[op["operationId"]] = op

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            _, _, section, name = node["$ref"].split("/", 3)
            node = self.spec["components"][section][name]
        return node

    def response_schema(self, operation: str, status: int) -> Any | None:
        """The spec's JSON schema for this status, or None where the spec defines none."""
        responses = self._operations[operation].get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        response = self._resolve(response)
        if not isinstance(response, dict):
            return None
        media = response.get("content", {}).get("application/json")
        return media.get("schema") if isinstance(media, dict) else None

    def _validator(self, operation: str, status: int, schema: Any) -> Any:
        key = (operation, str(status))
        if key not in self._validators:
            self._validators[key] = OAS30ReadValidator(
                _absolute(schema), registry=self.registry, format_checker=oas30_format_checker
            )
        return self._validators[key]

    def check(
        self, operation: str, status: int, content_type: str, content: bytes
    ) -> list[tuple[str, str]]:
        """`[(kind, message), …]` for what is wrong with this response; empty when fine."""
        problems: list[tuple[str, str]] = []
        if status >= 500:
            problems.append(("5xx", f"{status}: {content[:300]!r}"))
        body: Any = None
        if content:
            if not content_type.startswith("application/json"):
                if status >= 400:
                    problems.append(
                        ("error-shape", f"not JSON ({content_type}): {content[:200]!r}")
                    )
                return problems
            try:
                body = json.loads(content)
            except ValueError as exc:
                return [*problems, ("schema", f"invalid JSON ({exc}): {content[:200]!r}")]
        if status >= 400:
            problems.extend(("error-shape", m) for m in error_shape_problems(status, body))
        schema = self.response_schema(operation, status)
        if schema is not None:
            try:
                self._validator(operation, status, schema).validate(body)
            except ValidationError as exc:
                where = "/".join(str(p) for p in exc.absolute_path) or "(body)"
                problems.append(("schema", f"{where}: {exc.message[:300]}"))
            problems.extend(("schema", m) for m in self._unknown_properties(schema, body))
        return problems

    def _unknown_properties(self, schema: Any, body: Any) -> list[str]:
        """Top-level properties the spec's schema does not define (as the e2e test does)."""
        known = self._properties(schema)
        if known is None or not isinstance(body, dict):
            return []
        unknown = sorted(set(body) - known)
        return [f"properties not in the spec: {unknown}"] if unknown else []

    def _properties(self, schema: Any) -> set[str] | None:
        """The properties an object schema (allOf included) defines; None when it is open."""
        resolved = self._resolve(schema)
        if not isinstance(resolved, dict) or resolved.get("additionalProperties"):
            return None
        if "discriminator" in resolved:
            return None  # a subtype (BookmarkApplication…) adds its own: open here
        if "allOf" in resolved:
            known: set[str] = set(resolved.get("properties", {}))
            for member in resolved["allOf"]:
                more = self._properties(member)
                if more is None:
                    return None
                known |= more
            return known
        properties = resolved.get("properties")
        return set(properties) if properties else None


def error_shape_problems(status: int, body: Any) -> list[str]:
    """Okta's five fields, a catalogued code, the catalogue's status, errorLink == errorCode."""
    if not isinstance(body, dict):
        return [f"error body is not an object: {str(body)[:200]}"]
    problems = []
    if set(body) != FIVE_FIELDS:
        problems.append(f"fields {sorted(body)} are not Okta's five")
    code = body.get("errorCode")
    spec = CATALOGUE.get(code) if isinstance(code, str) else None
    if spec is None:
        problems.append(f"errorCode {code!r} is not in the catalogue")
    elif spec.status != status:
        problems.append(f"{code} is {spec.status} in the catalogue, answered {status}")
    if body.get("errorLink") != code:
        problems.append(f"errorLink {body.get('errorLink')!r} != errorCode {code!r}")
    for name in ("errorSummary", "errorId"):
        if not isinstance(body.get(name), str) or not body.get(name):
            problems.append(f"{name} is not a non-empty string")
    causes = body.get("errorCauses")
    if not isinstance(causes, list) or not all(
        isinstance(c, dict) and set(c) == {"errorSummary"} and isinstance(c["errorSummary"], str)
        for c in causes
    ):
        problems.append(f"errorCauses is not a list of {{errorSummary}}: {causes!r}"[:300])
    return problems


# ----- the org each operation is fuzzed against


SEED_STATUSES: Final = (
    ("STAGED", "value"),
    ("STAGED", None),
    ("PROVISIONED", None),
    ("ACTIVE", "value"),
    ("ACTIVE", "hash"),
    ("ACTIVE", "hook"),
    ("SUSPENDED", "value"),
    ("DEPROVISIONED", "value"),
    ("RECOVERY", "value"),
    ("PASSWORD_EXPIRED", "value"),
    ("LOCKED_OUT", "value"),
)
SHA256_HASH: Final = {
    # sha256("fuzzsalt" + PASSWORD), the literal salt as Okta reads SHA-256 salts (reference §2)
    "algorithm": "SHA-256",
    "salt": "fuzzsalt",
    "saltOrder": "PREFIX",
}


def _seed_credentials(kind: str | None) -> dict[str, object] | None:
    import base64
    import hashlib

    if kind == "value":
        return {"password": {"value": PASSWORD}}
    if kind == "hash":
        digest = hashlib.sha256(b"fuzzsalt" + PASSWORD.encode()).digest()
        return {"password": {"hash": {**SHA256_HASH, "value": base64.b64encode(digest).decode()}}}
    if kind == "hook":
        return {"password": {"hook": {"type": "default"}}}
    return None


@dataclasses.dataclass
class Pools:
    user_refs: list[str]  # ids and logins of users in every status
    hook_ids: list[str]


def seed_org(client: ControlClient, session: requests.Session) -> Pools:
    """Reset the org, then users in every status and two inline hooks (one ACTIVE)."""
    client.reset()
    users = []
    for index, (status, kind) in enumerate(SEED_STATUSES):
        login = f"seed.{status.lower()}.{index}@example.com"
        item: dict[str, object] = {
            "profile": {"login": login, "email": login, "firstName": "Fuzz", "lastName": status},
            "status": status,
        }
        if (credentials := _seed_credentials(kind)) is not None:
            item["credentials"] = credentials
        users.append(item)
    created = client.seed_users(users)
    refs = [u["id"] for u in created] + [u["login"] for u in created[::3]]
    headers = {"Authorization": f"SSWS {client.token}"}
    hooks = []
    for name, kind in (
        ("fuzz import", "com.okta.user.credential.password.import"),
        ("fuzz registration", "com.okta.user.pre-registration"),
    ):
        hook = {
            "name": name,
            "type": kind,
            "version": "1.0.0",
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {
                    "uri": "http://127.0.0.1:9/hook",
                    "method": "POST",
                    "authScheme": {"type": "HEADER", "key": "Authorization", "value": "s3cret"},
                },
            },
        }
        response = session.post(f"{client.url}/api/v1/inlineHooks", json=hook, headers=headers)
        response.raise_for_status()
        hooks.append(response.json()["id"])
    session.post(
        f"{client.url}/api/v1/inlineHooks/{hooks[1]}/lifecycle/deactivate", headers=headers
    ).raise_for_status()
    return Pools(refs, hooks)


# ----- targets: the in-process LiveServer (werkzeug) or the served mock (gunicorn)


class Target:
    url: str
    token: str = TOKEN

    def server_errors(self) -> list[str]:
        raise NotImplementedError


class LiveTarget(Target):
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.token = server.token

    def server_errors(self) -> list[str]:
        try:
            self.server.check_errors()
        except AssertionError as exc:
            return [str(exc)]
        return []


class ServedTarget(Target):
    def __init__(self, server: ServedMock) -> None:
        self.server = server
        self.url = server.url
        self._seen = 0

    def server_errors(self) -> list[str]:
        log = self.server.log()
        new, self._seen = log[self._seen :], len(log)
        return [new] if "Traceback" in new or "internal error" in new else []


FUZZ_SETTINGS: Final = Settings(  # port 0: a free port, never another program's 8080
    port=0, tokens=(TOKEN,), runtime=RuntimeConfig(rate_limits="off", lockout_attempts=0)
)


@contextmanager
def live_target() -> Iterator[Target]:
    with LiveServer(FUZZ_SETTINGS) as server:
        yield LiveTarget(server)


@contextmanager
def served_target(db: Path, workers: int = 1) -> Iterator[Target]:
    args = ["--db", str(db), "--rate-limits", "off", "--workers", str(workers)]
    with ServedMock(args, TOKEN) as server:
        ControlClient(server.url, TOKEN).config(lockoutAttempts=0)
        yield ServedTarget(server)


# ----- the run


@dataclasses.dataclass
class Report:
    requests: int = 0
    not_sent: int = 0  # the client refused to send what was generated (e.g. a header with \n)
    by_operation: Counter[str] = dataclasses.field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = dataclasses.field(default_factory=Counter)
    findings: dict[tuple[str, str, int | None, str], tuple[Finding, int]] = dataclasses.field(
        default_factory=dict
    )
    excluded: Counter[str] = dataclasses.field(default_factory=Counter)
    ungenerated: set[str] = dataclasses.field(default_factory=set)  # no invalid case exists
    seconds: float = 0.0
    served: tuple[str, ...] = FUZZED
    unserved: tuple[str, ...] = ()
    unserved_statuses: Counter[int] = dataclasses.field(default_factory=Counter)

    def add(self, finding: Finding) -> None:
        for exclusion in EXCLUSIONS:
            if exclusion.matches(finding):
                self.excluded[exclusion.reason] += 1
                return
        first, count = self.findings.get(finding.key, (finding, 0))
        self.findings[finding.key] = (first, count + 1)

    @property
    def failures(self) -> int:
        return sum(count for _, count in self.findings.values())

    def text(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.0f} s"
            f" ({self.not_sent} generated requests the client could not send),"
            f" {self.failures} failures in {len(self.findings)} distinct findings",
            "",
            f"{'operation':34} {'requests':>8}  statuses",
        ]
        for operation in self.served:
            statuses = sorted((s, n) for (op, s), n in self.statuses.items() if op == operation)
            spread = " ".join(f"{s}:{n}" for s, n in statuses)
            lines.append(f"{operation:34} {self.by_operation[operation]:>8}  {spread}")
        if self.unserved:
            spread = " ".join(f"{s}:{n}" for s, n in sorted(self.unserved_statuses.items()))
            sent = sum(self.unserved_statuses.values())
            lines.append(f"{len(self.unserved)} operations not served{'':5} {sent:>8}  {spread}")
        if self.ungenerated:
            lines.append(f"not generated ({len(self.ungenerated)}): {sorted(self.ungenerated)}")
        for reason, count in self.excluded.items():
            lines.append(f"excluded ({count}): {reason}")
        for finding, count in self.findings.values():
            lines += [
                "",
                f"FINDING x{count}: {finding.operation} {finding.kind} {finding.status}",
                finding.message,
                finding.reproduce,
            ]
        return "\n".join(lines)


class Fuzzer:
    """Runs generated cases for each operation against a target and checks every response."""

    def __init__(
        self,
        spec: Mapping[str, Any],
        target: Target,
        served: tuple[str, ...] = FUZZED,
        unserved: tuple[str, ...] = (),
    ) -> None:
        import schemathesis

        self.served, self.unserved = served, unserved
        self.cut = cut_spec(spec, frozenset(served) | frozenset(unserved))
        self.checker = ResponseChecker(self.cut)
        self.target = target
        self.session = requests.Session()
        self.client = ControlClient(target.url, target.token, self.session)
        self.schema = schemathesis.openapi.from_dict(self.cut)
        self.operations = {
            op.definition.raw["operationId"]: op
            for op in (result.ok() for result in self.schema.get_all_operations())
        }
        self.report = Report(served=served, unserved=unserved)
        self._examples_done = False
        self._pools: Pools | None = None

    def run(self, per_operation: int, *, run_seed: int = 0) -> Report:
        """One round: `per_operation` generated cases per operation and mode (valid, then
        invalid), each mode on a freshly seeded org; the spec's examples in the first round."""
        from schemathesis import GenerationMode

        started = time.monotonic()
        for name in self.unserved:
            # Valid requests only: an unserved path answers the same whatever the body.
            if self._pools is None:
                self._pools = seed_org(self.client, self.session)
            strategy = self.operations[name].as_strategy(generation_mode=GenerationMode.POSITIVE)
            count = max(1, per_operation // 4)
            self._drive(name, strategy, self._pools, count, run_seed, unserved=True)
            for error in self.target.server_errors():
                self.report.add(Finding(name, "server-exception", None, error))
        for name in self.served:
            operation = self.operations[name]
            for index, mode in enumerate((GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
                pools = seed_org(self.client, self.session)
                if mode is GenerationMode.POSITIVE and not self._examples_done:
                    self._examples(name, operation, pools)
                strategy = operation.as_strategy(generation_mode=mode)
                self._drive(name, strategy, pools, per_operation, run_seed * 2 + index)
            for error in self.target.server_errors():
                self.report.add(Finding(name, "server-exception", None, error))
        self._examples_done = True
        self.report.seconds += time.monotonic() - started
        return self.report

    def _examples(self, name: str, operation: Any, pools: Pools) -> None:
        for strategy in self.schema.get_strategies_from_examples(operation):
            self._drive(name, strategy, pools, 1, 0)

    def _drive(
        self,
        name: str,
        strategy: Any,
        pools: Pools,
        examples: int,
        run_seed: int,
        *,
        unserved: bool = False,
    ) -> None:
        @seed(run_seed)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(st.tuples(strategy, st.integers(0, 2**20)))
        def exercise(drawn: tuple[Any, int]) -> None:
            case, pick = drawn
            self._exercise(name, case, pools, random.Random(pick), unserved=unserved)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # hypothesis' notes on generated data are not ours
            try:
                exercise()
            except (Unsatisfiable, SchemathesisError):
                # e.g. no invalid value for a plain string, or a pattern it cannot generate
                self.report.ungenerated.add(name)

    def _exercise(
        self, name: str, case: Any, pools: Pools, rnd: random.Random, *, unserved: bool = False
    ) -> None:
        steer(case, pools, self.target.token, rnd)
        try:
            response = case.call(base_url=self.target.url, session=self.session, timeout=30)
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL, ValueError):
            self.report.not_sent += 1  # requests refused to send it: nothing reached the mock
            return
        except requests.RequestException as exc:
            self.report.requests += 1
            self.report.add(Finding(name, "connection", None, repr(exc), _curl(case)))
            return
        self.report.requests += 1
        content_type = (response.headers.get("content-type") or [""])[0]
        if unserved:
            self.report.unserved_statuses[response.status_code] += 1
            for message in unserved_problems(response.status_code, content_type, response.content):
                self.report.add(
                    Finding(name, "unserved", response.status_code, message, _curl(case))
                )
            return
        self.report.by_operation[name] += 1
        self.report.statuses[(name, response.status_code)] += 1
        for kind, message in self.checker.check(
            name, response.status_code, content_type, response.content
        ):
            self.report.add(Finding(name, kind, response.status_code, message, _curl(case)))


def unserved_problems(status: int, content_type: str, content: bytes) -> list[str]:
    """What is wrong with an unserved operation's answer: anything but Okta's 401/404/405."""
    try:
        body = json.loads(content) if content_type.startswith("application/json") else None
    except ValueError:
        body = None
    if status not in UNSERVED_ANSWERS or not isinstance(body, dict):
        return [f"answered {status} ({content_type}): {content[:200]!r}"]
    problems = error_shape_problems(status, body)
    if body.get("errorCode") != UNSERVED_ANSWERS[status]:
        problems.append(f"{status} with {body.get('errorCode')}, not {UNSERVED_ANSWERS[status]}")
    return problems


def steer(case: Any, pools: Pools, token: str, rnd: random.Random) -> None:
    """Point most cases at existing users and hooks, with the API token (a few without)."""
    path = case.path_parameters
    if path:
        for key in ("id", "userId"):
            if key in path and rnd.random() < 0.75:
                path[key] = rnd.choice(pools.user_refs)
        if "inlineHookId" in path and rnd.random() < 0.75:
            path["inlineHookId"] = rnd.choice(pools.hook_ids)
    if case.headers is None:
        case.headers = {}
    if rnd.random() < 0.9:
        case.headers["Authorization"] = f"SSWS {token}"
    body = case.body
    if isinstance(body, dict) and "principalId" in body and rnd.random() < 0.5:
        body["principalId"] = api_token(0, token).id  # the fuzz token itself
        body["principalType"] = "SSWS_TOKEN"
    if isinstance(body, dict) and isinstance(body.get("oldPassword"), dict) and rnd.random() < 0.5:
        body["oldPassword"]["value"] = PASSWORD
    if isinstance(body, dict) and isinstance(body.get("profile"), dict) and rnd.random() < 0.5:
        # A profile the default schema takes, so the credentials beside it reach the store.
        login = f"gen.{rnd.randrange(10**9)}@example.com"
        kept = {k: v for k, v in body["profile"].items() if k in DEFAULT_SCHEMA}
        body["profile"] = {
            **kept,
            "login": login,
            "email": login,
            "firstName": "G",
            "lastName": "N",
        }


def _curl(case: Any) -> str:
    try:
        return str(case.as_curl_command())
    except Exception:
        return repr(case)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.robustness.spec_fuzz",
        description="Fuzz mock-okta with requests generated from Okta's OpenAPI spec.",
    )
    parser.add_argument("--requests", type=int, default=10_000, help="at least this many")
    parser.add_argument("--spec", type=Path, default=None, help=f"Okta's {SPEC_NAME}")
    parser.add_argument("--seed", type=int, default=None, help="default: random, printed")
    parser.add_argument(
        "--target", choices=("served", "live"), default="served", help="gunicorn or werkzeug"
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (served)")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--operations",
        choices=("all", "core"),
        default="all",
        help="all: every operation of the spec (unserved ones must answer Okta's 404); core:"
        " the users, lifecycle, credentials, hooks and principal rate limits",
    )
    args = parser.parse_args(argv)
    path = args.spec or spec_path()
    if not path.exists():
        print(f"{path} not found: set --spec or MOCK_OKTA_SHARED_OKTA", file=sys.stderr)
        return 2
    run_seed = args.seed if args.seed is not None else random.randrange(2**31)
    spec = load_spec(path)
    served: tuple[str, ...] = FUZZED
    unserved: tuple[str, ...] = ()
    if args.operations == "all":
        matched = served_operations(spec)
        served = tuple(sorted(matched))
        unserved = tuple(sorted(set(all_operations(spec)) - matched))
    per_round = 2 * len(served) + len(unserved) // 4
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = (
            served_target(Path(tmp) / "fuzz.db", args.workers)
            if args.target == "served"
            else live_target()
        )
        with target as t:
            fuzzer = Fuzzer(spec, t, served, unserved)
            round_ = 0
            while (left := args.requests - fuzzer.report.requests) > 0:
                per_operation = max(1, min(200, -(-left // per_round)))
                fuzzer.run(per_operation, run_seed=run_seed + round_)
                round_ += 1
                print(f"round {round_}: {fuzzer.report.requests} requests", file=sys.stderr)
    text = f"seed {run_seed}, target {args.target}\n" + fuzzer.report.text()
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 1 if fuzzer.report.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
