"""Pages in a real browser: Debian's headless Chromium, driven by Playwright.

Browser builds cannot be downloaded here, so Playwright launches the system's `chromium`
(`.ci/run` installs Debian's package when it is missing; `MOCK_OKTA_CHROMIUM` names another).
Without one, or without Playwright, the tests skip and say why. Every page records what the
browser's console reported, so a test can assert that a page ran without errors.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Without these, Chromium keeps trying Google's hosts, which this machine's network refuses.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    path = os.environ.get("MOCK_OKTA_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip(
            "no chromium: install Debian's (apt-get install chromium; .ci/run does) or set"
            " MOCK_OKTA_CHROMIUM to a Chromium executable"
        )
    return path


@dataclass
class BrowserPage:
    """A Playwright page plus what its console said and where its screenshots go."""

    page: Any
    shots: Path
    console_errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and every later asyncio.run() (okta-sdk-python's tests) would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = chromium_path()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is in the `test` extra"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, tmp_path: Path) -> Iterator[BrowserPage]:
    """A fresh browser context (no cookies) and page; screenshots under the test's tmp_path.

    `MOCK_OKTA_SCREENSHOTS=DIR` also keeps a copy of each screenshot in DIR.
    """
    context = chromium.new_context()
    page = context.new_page()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    wrapped = BrowserPage(page, shots)
    page.on(
        "console",
        lambda message: (
            wrapped.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: wrapped.console_errors.append(str(error)))
    yield wrapped
    context.close()
    keep = os.environ.get("MOCK_OKTA_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots.glob("*.png"):
            shutil.copy(shot, Path(keep) / shot.name)
