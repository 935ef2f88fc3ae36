"""Testing helpers: the in-process mock, a live server, the control-plane client, the plugin.

The names load on first use, so the pytest plugin (`mock_okta.testing.plugin`) costs a session
that does not use its fixtures nothing: no Flask, no `responses` (issue 16).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_okta.testing.client import ControlClient, ControlError
    from mock_okta.testing.inprocess import MockOkta, mock_okta
    from mock_okta.testing.live import LiveServer

__all__ = ["ControlClient", "ControlError", "LiveServer", "MockOkta", "mock_okta"]

_HOMES = {
    "ControlClient": "mock_okta.testing.client",
    "ControlError": "mock_okta.testing.client",
    "MockOkta": "mock_okta.testing.inprocess",
    "mock_okta": "mock_okta.testing.inprocess",
    "LiveServer": "mock_okta.testing.live",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
