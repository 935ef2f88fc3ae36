"""The mock's own dashboard (`/_mock/ui`): a page and a small script over the control plane's
JSON. `overview()` is the one figure the other endpoints lack: the org at a glance."""

from __future__ import annotations

from mock_okta.ui.overview import overview

__all__ = ["overview"]
