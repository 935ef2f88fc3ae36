"""A short fuzz run from Okta's OpenAPI spec against a live mock, and tests of its checks.

The long run is `make fuzz` (tests/robustness/spec_fuzz.py): every served operation, and the
generated requests to the operations the mock does not serve.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mock_okta.testing.client import ControlClient

pytest.importorskip(
    "schemathesis", reason="the fuzz extra is not installed: pip install -e .[fuzz]"
)

from tests.robustness.spec_fuzz import (
    FUZZED,
    Fuzzer,
    ResponseChecker,
    _refs,
    all_operations,
    cut_spec,
    live_target,
    operations_in_tags,
    seed_org,
    served_operations,
    unserved_problems,
)


@pytest.fixture(scope="module")
def cut(okta_spec: dict[str, Any]) -> dict[str, Any]:
    return cut_spec(okta_spec, frozenset(FUZZED))


@pytest.fixture(scope="module")
def checker(cut: dict[str, Any]) -> ResponseChecker:
    return ResponseChecker(cut)


def test_cut_spec_has_the_operations_and_every_ref_they_reach(
    okta_spec: dict[str, Any], cut: dict[str, Any]
) -> None:
    ids = {
        op["operationId"]
        for item in cut["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert ids == set(FUZZED)
    refs: set[str] = set()
    _refs(cut, refs)
    for ref in refs:
        _, _, section, name = ref.split("/", 3)
        assert name in cut["components"][section], ref
    assert len(cut["components"]["schemas"]) < len(okta_spec["components"]["schemas"]) / 10


def test_the_checker_can_fail(checker: ResponseChecker) -> None:
    ok_error = (
        b'{"errorCode":"E0000007","errorSummary":"Not found: x","errorLink":"E0000007",'
        b'"errorId":"oae1","errorCauses":[]}'
    )
    assert checker.check("getUser", 404, "application/json", ok_error) == []
    bad = {
        "5xx": (500, ok_error.replace(b"E0000007", b"E0000009")),
        "unknown code": (404, ok_error.replace(b"E0000007", b"E9999999")),
        "code's status": (400, ok_error),
        "sixth field": (404, ok_error[:-1] + b',"message":"x"}'),
        "not JSON": (400, b"<html>Bad Request</html>"),
        "user status": (200, b'{"id":"00u1","status":"ENABLED"}'),
        "write-only": (200, b'{"id":"00u1","credentials":{"password":{"value":"leaked"}}}'),
        "unknown property": (200, b'{"id":"00u1","hashedPassword":"x"}'),
    }
    for what, (status, content) in bad.items():
        kind = "text/html" if content.startswith(b"<") else "application/json"
        assert checker.check("getUser", status, kind, content), what


# Every third fuzzed operation: users, lifecycle, credentials, hooks, principal rate limits.
SAMPLE = FUZZED[::3]


def test_short_fuzz_run_finds_nothing(okta_spec: dict[str, Any]) -> None:
    with live_target() as target:
        fuzzer = Fuzzer(okta_spec, target, served=SAMPLE)
        report = fuzzer.run(8, run_seed=20260)
    assert not report.findings, report.text()
    # The run reached the domain code: answers of every kind, for every operation sampled.
    assert report.requests >= 8 * len(SAMPLE), report.text()
    assert all(report.by_operation[name] for name in SAMPLE), report.text()
    statuses = {status for (_, status) in report.statuses}
    assert {200, 204, 400, 401, 403, 404} <= statuses, report.text()


def test_operations_the_mock_does_not_serve_answer_oktas_404(okta_spec: dict[str, Any]) -> None:
    """The rest of the fuzzed tags are excluded from fuzzing: each answers 404 E0000008."""
    excluded = {k: v for k, v in operations_in_tags(okta_spec).items() if k not in FUZZED}
    assert excluded, "every operation of the fuzzed tags is served: fuzz them all"
    with live_target() as target:
        session = requests.Session()
        pools = seed_org(ControlClient(target.url, target.token, session), session)
        user, hook = pools.user_refs[0], pools.hook_ids[0]
        for operation, label in excluded.items():
            method, path = label.split(" ", 1)
            for name in ("id", "userId", "inlineHookId"):
                path = path.replace("{" + name + "}", hook if name == "inlineHookId" else user)
            path = path.replace("{", "x").replace("}", "x")
            response = session.request(
                method, target.url + path, headers={"Authorization": f"SSWS {target.token}"}
            )
            assert response.status_code in (404, 405), (operation, response.text)
            assert response.json()["errorCode"] in ("E0000008", "E0000022"), operation
        assert target.server_errors() == []


def test_null_profile_properties_are_not_returned(checker: ResponseChecker) -> None:
    """Found by the long fuzz run: a PUT with `"department": null` answered a null department,
    which the spec's UserProfile does not allow; a null is no value, on create and replace."""
    nulls = {"department": None, "employeeNumber": None, "locale": None, "title": None}
    login = "nulls@example.com"
    body = {"profile": {"login": login, "email": login, "firstName": "N", "lastName": "U", **nulls}}
    with live_target() as target:
        session = requests.Session()
        headers = {"Authorization": f"SSWS {target.token}"}
        created = session.post(f"{target.url}/api/v1/users", json=body, headers=headers)
        replaced = session.put(
            f"{target.url}/api/v1/users/{created.json()['id']}", json=body, headers=headers
        )
        for name, response in (("createUser", created), ("replaceUser", replaced)):
            assert response.status_code == 200, response.text
            assert not set(nulls) & set(response.json()["profile"])
            assert checker.check(name, 200, "application/json", response.content) == []
        assert target.server_errors() == []


def test_every_operation_of_the_spec_is_served_or_not(okta_spec: dict[str, Any]) -> None:
    every = all_operations(okta_spec)
    served = served_operations(okta_spec)
    assert len(every) > 700
    assert set(FUZZED) <= served < set(every)
    assert {"createApplication", "listGroups", "getUserSchema"} <= served
    assert "listLogStreams" not in served


def test_the_unserved_check_can_fail() -> None:
    ok = (
        b'{"errorCode":"E0000008","errorSummary":"The requested path was not found",'
        b'"errorLink":"E0000008","errorId":"oae1","errorCauses":[]}'
    )
    assert unserved_problems(404, "application/json", ok) == []
    assert unserved_problems(500, "application/json", ok.replace(b"08", b"09"))
    assert unserved_problems(200, "application/json", b"{}")
    assert unserved_problems(404, "text/html", b"<h1>Not Found</h1>")
    assert unserved_problems(404, "application/json", ok.replace(b"E0000008", b"E0000007"))
