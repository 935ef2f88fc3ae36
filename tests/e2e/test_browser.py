"""The browser fixture itself: Debian's Chromium reaches a live mock and reads its answer."""

from __future__ import annotations

import json

from mock_okta.config import Settings
from mock_okta.testing import LiveServer
from tests.browser import BrowserPage


def test_a_browser_without_a_token_gets_oktas_401_body(browser_page: BrowserPage) -> None:
    with LiveServer(Settings(port=0)) as live:
        response = browser_page.page.goto(f"{live.url}/api/v1/users")
        assert response is not None
        assert response.status == 401
        body = json.loads(browser_page.page.inner_text("body"))
        shot = browser_page.screenshot("unauthenticated")
        live.check_errors()
    assert body["errorCode"] == "E0000011"
    assert body["errorSummary"] == "Invalid token provided"
    assert shot.stat().st_size > 0
