"""The `faults` scenario's report says what was injected, what the tool met and how often it
sent a failed request again (issue 16, item 13); a run that met no fault says `not tested`."""

from __future__ import annotations

from typing import Any

from mock_okta.harness.observations import fault_facts

RULES = (
    {"path": "/api/v1/users*", "status": 503, "probability": 0.03, "seed": 1},
    {"path": "/api/v1/users*", "latencyMs": 200, "probability": 0.03, "seed": 2},
    {"method": "POST", "path": "/api/v1/users*", "drop": True, "count": 1},
)


def _entry(seq: int, login: str | None, kind: str | None = None) -> dict[str, Any]:
    return {
        "seq": seq,
        "method": "POST",
        "path": "/api/v1/users",
        "login": login,
        "fault": {"id": "flt1", "kind": kind} if kind else None,
    }


def test_injected_met_and_retried() -> None:
    entries = [
        _entry(1, "ada@example.com", "status 503"),
        _entry(2, "ada@example.com"),  # sent again: answered
        _entry(3, "bob@example.com", "latency"),  # slowed, not failed
        _entry(4, None, "drop"),  # its body is not kept: any later create counts
        _entry(5, "cy@example.com", "status 503"),  # never sent again
    ]
    assert dict(fault_facts(RULES, entries)) == {
        "injected": "503s on 3% of * /api/v1/users*; 200 ms latency on 3% of * /api/v1/users*;"
        " dropped connections on the next of POST /api/v1/users*",
        "faults met": "4 of the tool's 5 requests: 1 × drop, 1 × latency, 2 × status 503",
        "the tool retried": "1 of the 3 requests a fault failed (2 never sent again)",
    }


def test_every_failed_request_sent_again() -> None:
    entries = [_entry(1, "ada@example.com", "status 503"), _entry(2, "ada@example.com")]
    facts = dict(fault_facts(RULES[:1], entries))
    assert facts["the tool retried"] == "1 of the 1 requests a fault failed, each until answered"


def test_no_fault_met_is_not_tested() -> None:
    facts = dict(fault_facts(RULES, [_entry(1, "ada@example.com")]))
    assert facts["faults met"] == "0 of the tool's 1 requests: none"
    assert facts["the tool retried"] == "not tested: no request failed by a fault"
