"""The dashboard (`/_mock/ui`) in headless Chromium during a small rehearsal: it signs in with
the token, its counts move as users are created, the plan's curve and the creates share one
chart, a failed sign-in shows the doctor's diagnosis, and the console stays clean. Screenshots
go to the test's tmp_path (and MOCK_OKTA_SCREENSHOTS)."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import requests

from mock_okta.config import RuntimeConfig, Settings
from mock_okta.testing import LiveServer
from tests.browser import BrowserPage

PASSWORD = "Correct-Horse-9"
SALT = "MPu13OmY"
WRONG_ORDER = "saltOrder is PREFIX, but the digest is of password then salt"


@pytest.fixture
def live() -> Iterator[LiveServer]:
    runtime = RuntimeConfig(limits={"users.collection": 300})
    with LiveServer(Settings(port=0, runtime=runtime)) as server:
        yield server
        server.check_errors()


def _user(login: str) -> dict[str, Any]:
    return {"profile": {"login": login, "email": login, "firstName": "A", "lastName": "B"}}


def _load(url: str, stop: threading.Event, created: list[int]) -> None:
    """Creates users, a few a second, until told to stop: the rehearsal the page watches."""
    session = requests.Session()
    session.headers["Authorization"] = "SSWS test-token"
    i = 0
    while not stop.wait(0.05):
        response = session.post(f"{url}/api/v1/users", json=_user(f"load{i}@example.com"))
        created.append(response.status_code)
        i += 1


def _misencoded(login: str) -> dict[str, Any]:
    """A SHA-256 hash of password then salt, declared PREFIX: the doctor's classic."""
    digest = base64.b64encode(hashlib.sha256((PASSWORD + SALT).encode()).digest()).decode()
    hashed = {"algorithm": "SHA-256", "salt": SALT, "saltOrder": "PREFIX", "value": digest}
    return {**_user(login), "credentials": {"password": {"hash": hashed}}}


def _chart(page: Any) -> dict[str, Any]:
    """The chart's polylines as [x, y] pairs, and its data attributes."""
    return dict(
        page.evaluate(
            """() => {
              const svg = document.querySelector('#created-chart');
              const points = (cls) => (svg.querySelector('polyline.' + cls)
                ?.getAttribute('points') ?? '').split(' ').filter(Boolean)
                .map((p) => p.split(',').map(Number));
              return { plan: points('plan'), actual: points('actual'),
                       planPoints: svg.dataset.planPoints };
            }"""
        )
    )


def _number(page: Any, selector: str) -> int:
    return int(page.inner_text(selector).replace(",", ""))


def test_dashboard_follows_a_rehearsal(browser_page: BrowserPage, live: LiveServer) -> None:
    page = browser_page.page
    auth = {"Authorization": "SSWS test-token"}
    assert requests.post(f"{live.url}/api/v1/users", json=_misencoded("ana@example.com"),
                         headers=auth).ok  # fmt: skip
    plan = {"users": 400, "durationSeconds": 40, "label": "adaptive, 1 worker"}
    assert requests.put(f"{live.url}/_mock/plan", json=plan, headers=auth).ok
    stop, created = threading.Event(), []
    load = threading.Thread(target=_load, args=(live.url, stop, created), daemon=True)
    load.start()
    try:
        page.goto(f"{live.url}/_mock/ui")
        browser_page.screenshot("dashboard-sign-in")
        page.fill("#token", "test-token")
        page.click("#sign-in button[type=submit]")
        page.wait_for_function("Number(document.querySelector('#users-total').textContent) > 1")
        first = _number(page, "#users-total")
        total = "document.querySelector('#users-total').textContent.replace(/,/g, '')"
        page.wait_for_function(f"Number({total}) > {first + 3}")
        assert requests.post(
            f"{live.url}/api/v1/authn", json={"username": "ana@example.com", "password": PASSWORD}
        ).status_code == 401  # fmt: skip
        page.wait_for_selector(f"#failed td:has-text('{WRONG_ORDER}')")
        page.wait_for_selector("#buckets td:has-text('users.collection')")
        page.wait_for_selector("#journal td:has-text('/api/v1/users')")
        page.wait_for_function("document.querySelector('#created-chart').dataset.actualPoints > 3")
        later = _number(page, "#users-total")
        shot = browser_page.screenshot("dashboard")
        chart = _chart(page)
        status = page.inner_text("#plan-status")
        legend = page.inner_text("#created-legend")
        # The form: a user count alone, at one token's share (50%) of users.collection (300).
        page.fill("#plan-users", "3000")
        page.click("#plan-form button[type=submit]")
        page.wait_for_selector("#legend-plan:has-text('3,000 users in 20 min 0 s')")
        assert requests.get(f"{live.url}/_mock/plan", headers=auth).json()["plan"]["series"] == [
            [0, 0],
            [1200, 3000],
        ]
        page.click("#plan-clear")
        page.wait_for_selector("#plan-status:has-text('No plan')")
        assert page.locator("#created-chart polyline.plan").count() == 0
    finally:
        stop.set()
        load.join()
    assert later > first
    assert "ana@example.com" in page.inner_text("#failed")
    assert "Fix: set saltOrder to POSTFIX" in page.inner_text("#failed")
    assert "ACTIVE" in page.inner_text("#users-by-status")
    # The plan's curve and the creates on the same axes, from the first create, with a legend.
    assert chart["plan"][0] == [56, 156]  # (0 s, 0 users): the axes' origin
    assert chart["plan"][-1][0] == 590  # the plan's end is the axis's end
    assert len(chart["actual"]) >= 4
    assert chart["actual"][0] == [56, 156]
    assert all(b[0] >= a[0] and b[1] <= a[1] for a, b in pairwise(chart["actual"]))  # cumulative
    assert chart["planPoints"] == "2"
    assert "plan (adaptive, 1 worker): 400 users in 40 s" in legend
    assert "created:" in legend
    assert re.fullmatch(r"(ahead of|behind) plan by [\d,]+ users \(plan expects [\d,]+ by now\)"
                        r"|on plan \(plan expects [\d,]+ by now\)", status), status  # fmt: skip
    assert set(created) == {200}
    assert browser_page.console_errors == []
    assert shot.stat().st_size > 10_000


def test_a_wrong_token_is_refused_and_the_page_holds_no_data(
    browser_page: BrowserPage, live: LiveServer
) -> None:
    page = browser_page.page
    auth = {"Authorization": "SSWS test-token"}
    kept = _user("kept@example.com")
    assert requests.post(f"{live.url}/api/v1/users", json=kept, headers=auth).ok
    response = page.goto(f"{live.url}/_mock/ui")
    assert response is not None
    assert response.status == 200
    assert "kept@example.com" not in page.content()
    page.fill("#token", "not-the-token")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in-error:has-text('The token was refused')")
    assert page.is_visible("#sign-in")
    assert not page.is_visible("#dashboard")
    assert requests.get(f"{live.url}/_mock/overview").status_code == 401
