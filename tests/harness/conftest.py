"""The harness's scenario markers, for its scenarios run inside these tests (--strict-markers)."""

from __future__ import annotations

import pytest

from mock_okta.harness.conftest import SCENARIOS


def pytest_configure(config: pytest.Config) -> None:
    for name, text in SCENARIOS.items():
        config.addinivalue_line("markers", f"{name}: harness scenario — {text}")
