"""Scenario `import`: one run of the tool on a fresh org."""

from __future__ import annotations

import pytest

from mock_okta.harness.contract import Harness
from mock_okta.harness.expectations import migrated

IMPORT: pytest.MarkDecorator = getattr(pytest.mark, "import")  # `import` is a Python keyword


@IMPORT
def test_import_lets_every_customer_sign_in_with_their_legacy_password(harness: Harness) -> None:
    with harness.scenario("import") as c:
        data = c.s.dataset()
        run = c.s.run_tool("import", data)
        c.expect(*migrated(c, data, run))
