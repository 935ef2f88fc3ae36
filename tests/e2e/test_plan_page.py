"""plan.html in headless Chromium (issue 16, item 12): the chart renders from the page alone,
nothing is requested, and every bar and label sits inside the SVG (no label cut off)."""

from __future__ import annotations

from pathlib import Path

from mock_okta.tools import plan
from tests.browser import BrowserPage


def test_plan_page_renders_every_phase_and_label_inside_its_chart(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    args = ["--users", "250000", "--groups", "200", "--memberships", "40000"]
    made = plan.make_plan(plan.inputs_from(plan._parser().parse_args(args)))
    (tmp_path / "plan.html").write_text(plan.render_html(made))
    page = browser_page.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto((tmp_path / "plan.html").as_uri())
    assert requested == [(tmp_path / "plan.html").as_uri()]
    box = page.locator("svg").bounding_box()
    assert box is not None
    assert box["width"] > 1000, "the chart is not squeezed into the text column"
    phases = page.locator("svg rect.phase")
    assert phases.count() == sum(len(s.phases) for s in made.strategies)
    outside = page.evaluate(
        """() => {
            const svg = document.querySelector('svg').getBoundingClientRect();
            return [...document.querySelectorAll('svg text, svg rect')]
                .map(el => [el.textContent || el.getAttribute('class'), el.getBoundingClientRect()])
                .filter(([, r]) => r.left < svg.left - 0.5 || r.right > svg.right + 0.5
                                   || r.top < svg.top - 0.5 || r.bottom > svg.bottom + 0.5)
                .map(([name]) => name);
        }"""
    )
    assert outside == []
    labels = page.locator("svg text").all_text_contents()
    for s in made.strategies:
        assert s.label in labels
    browser_page.screenshot("plan")
    assert browser_page.console_errors == []
