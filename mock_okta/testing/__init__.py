"""Testing helpers: the in-process mock, a live server, the control-plane client, the plugin."""

from __future__ import annotations

from mock_okta.testing.client import ControlClient, ControlError
from mock_okta.testing.inprocess import MockOkta, mock_okta
from mock_okta.testing.live import LiveServer

__all__ = ["ControlClient", "ControlError", "LiveServer", "MockOkta", "mock_okta"]
