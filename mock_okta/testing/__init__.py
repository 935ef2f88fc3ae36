"""Testing helpers: a live server, the control-plane client, and the pytest plugin."""

from __future__ import annotations

from mock_okta.testing.client import ControlClient, ControlError
from mock_okta.testing.live import LiveServer

__all__ = ["ControlClient", "ControlError", "LiveServer"]
