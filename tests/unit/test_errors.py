"""The error catalogue against Okta's own catalogue (../shared/okta/error-codes.json)."""

from __future__ import annotations

import json

from mock_okta.errors import CATALOGUE, E_API_VALIDATION, E_NOT_FOUND, OktaError
from tests.conftest import shared_okta_file


def test_every_entry_matches_oktas_catalogue() -> None:
    okta = {
        e["errorCode"]: e
        for e in json.loads(shared_okta_file("error-codes.json").read_text())["errors"]
    }
    for code, spec in CATALOGUE.items():
        assert code in okta, f"{code} is not in Okta's catalogue"
        assert spec.status == okta[code]["statusCode"], code
        assert spec.summary == okta[code]["errorSummary"], code


def test_codes_are_unique_and_templates_format() -> None:
    assert len({s.code for s in CATALOGUE.values()}) == len(CATALOGUE)
    for spec in CATALOGUE.values():
        assert "{" not in spec.render("x").replace("{x}", "")


DUPLICATE = "login: An object with this field already exists in the current organization"


def test_body_has_oktas_five_fields() -> None:
    err = OktaError(E_API_VALIDATION, "login", causes=[DUPLICATE])
    assert err.body("oaeXYZ") == {
        "errorCode": "E0000001",
        "errorSummary": "Api validation failed: login",
        "errorLink": "E0000001",
        "errorId": "oaeXYZ",
        "errorCauses": [{"errorSummary": DUPLICATE}],
    }
    assert OktaError(E_NOT_FOUND, "x").body("i")["errorCauses"] == []
