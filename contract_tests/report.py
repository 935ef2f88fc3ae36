"""The harness's readable report: Markdown and HTML, beside pytest's JUnit XML."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from mock_okta.harness.checks import Verdict
from mock_okta.harness.runner import ToolRun


@dataclass(slots=True)
class ScenarioReport:
    name: str
    verdicts: list[Verdict] = field(default_factory=list)
    runs: list[ToolRun] = field(default_factory=list)
    requests: int = 0
    rate_limited: int = 0
    projected_seconds: float = 0.0
    time_scale: float = 1.0
    rate_limits: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # what the run was, in words

    @property
    def ok(self) -> bool:
        return bool(self.verdicts) and all(v.ok for v in self.verdicts)

    @property
    def result(self) -> str:
        """pass, FAIL, or pass with the number of checks the run could not test."""
        if not self.ok:
            return "FAIL"
        untested = sum(not v.tested for v in self.verdicts)
        return f"pass ({untested} not tested)" if untested else "pass"

    @property
    def tool_seconds(self) -> float:
        return sum(r.seconds for r in self.runs)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def verdict_word(v: Verdict) -> str:
    return "pass" if v.ok and v.tested else "not tested" if v.ok else "FAIL"


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def markdown(reports: list[ScenarioReport], command: str) -> str:
    passed = sum(r.ok for r in reports)
    lines = [
        "# Migration contract report",
        "",
        f"Tool: `{command}`",
        "",
        f"**{passed} of {len(reports)} scenarios passed.**",
        "",
        "| Scenario | Result | Requests | 429s met | Tool time | Same run in real Okta |",
        "|---|---|---|---|---|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.name} | {r.result if r.ok else '**FAIL**'} | {r.requests} | {r.rate_limited}"
            f" | {duration(r.tool_seconds)} | {duration(r.projected_seconds)}"
            f" ({r.rate_limits}, {r.time_scale:g}x) |"
        )
    for r in reports:
        lines += ["", f"## {r.name}", ""]
        if r.facts:
            lines += ["| The run | |", "|---|---|"]
            lines += [f"| {name} | {_cell(text)} |" for name, text in r.facts]
            lines.append("")
        lines += ["| Check | Verdict | Reason |", "|---|---|---|"]
        for v in r.verdicts:
            reason = v.reason.replace("|", "\\|")
            word = verdict_word(v)
            lines.append(f"| {v.check} | {'**FAIL**' if word == 'FAIL' else word} | {reason} |")
        for run in r.runs:
            code = "timed out" if run.returncode is None else f"exit {run.returncode}"
            lines.append(f"\n`{run.mode}`: {code} in {duration(run.seconds)}, log `{run.log}`")
    return "\n".join(lines) + "\n"


def _chart(reports: list[ScenarioReport]) -> str:
    """Horizontal bars: each scenario's projected duration in real Okta."""
    if not reports:
        return ""
    longest = max(r.projected_seconds for r in reports) or 1.0
    row, width, label = 28, 420, 110
    bars = []
    for i, r in enumerate(reports):
        w = max(2.0, r.projected_seconds / longest * width)
        colour = "#2e7d32" if r.ok else "#c62828"
        y = i * row
        bars.append(
            f'<text x="0" y="{y + 18}" font-size="13">{html.escape(r.name)}</text>'
            f'<rect x="{label}" y="{y + 4}" width="{w:.1f}" height="18" fill="{colour}"/>'
            f'<text x="{label + w + 6:.1f}" y="{y + 18}" font-size="12">'
            f"{duration(r.projected_seconds)}</text>"
        )
    height = row * len(reports)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label + width + 90}" height="{height}"'
        f' role="img" aria-label="projected duration in real Okta">{"".join(bars)}</svg>'
    )


def html_page(reports: list[ScenarioReport], command: str) -> str:
    rows = []
    for r in reports:
        result = r.result
        rows.append(
            f"<tr class={'pass' if r.ok else 'fail'}><td>{html.escape(r.name)}</td>"
            f"<td>{html.escape(result)}</td>"
            f"<td>{r.requests}</td><td>{r.rate_limited}</td><td>{duration(r.tool_seconds)}</td>"
            f"<td>{duration(r.projected_seconds)} ({html.escape(r.rate_limits)},"
            f" {r.time_scale:g}x)</td></tr>"
        )
    details = []
    for r in reports:
        checks = "".join(
            f"<tr class={'pass' if v.ok else 'fail'}><td>{html.escape(v.check)}</td>"
            f"<td>{verdict_word(v)}</td><td>{html.escape(v.reason)}</td></tr>"
            for v in r.verdicts
        )
        facts = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(text)}</td></tr>"
            for name, text in r.facts
        )
        details.append(
            f"<h2>{html.escape(r.name)}</h2>"
            + (f"<table><tr><th>The run</th><th></th></tr>{facts}</table>" if facts else "")
            + "<table><tr><th>Check</th><th>Verdict</th>"
            f"<th>Reason</th></tr>{checks}</table>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
        "text-align:left;vertical-align:top}tr.fail td{background:#fdecea}tr.pass td:nth-child(2)"
        "{color:#2e7d32}"
    )
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Migration contract report</title>"
        f"<style>{style}</style></head><body><h1>Migration contract report</h1>"
        f"<p>Tool: <code>{html.escape(command)}</code></p>"
        f"<p><b>{sum(r.ok for r in reports)} of {len(reports)} scenarios passed.</b></p>"
        "<table><tr><th>Scenario</th><th>Result</th><th>Requests</th><th>429s met</th>"
        f"<th>Tool time</th><th>Same run in real Okta</th></tr>{''.join(rows)}</table>"
        f"<h2>Projected duration in real Okta</h2>{_chart(reports)}{''.join(details)}"
        "</body></html>\n"
    )


def as_json(reports: list[ScenarioReport], command: str) -> dict[str, object]:
    """The same report for machines (a CI step, or the project's own tests)."""
    return {
        "command": command,
        "passed": sum(r.ok for r in reports),
        "scenarios": [
            {
                "name": r.name,
                "ok": r.ok,
                "requests": r.requests,
                "rateLimited": r.rate_limited,
                "toolSeconds": round(r.tool_seconds, 3),
                "projectedOktaSeconds": round(r.projected_seconds, 3),
                "rateLimits": r.rate_limits,
                "facts": dict(r.facts),
                "checks": [
                    {"check": v.check, "ok": v.ok, "tested": v.tested, "reason": v.reason}
                    for v in r.verdicts
                ],
            }
            for r in reports
        ],
    }


def write(reports: list[ScenarioReport], command: str, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md = directory / "report.md"
    page = directory / "report.html"
    data = directory / "report.json"
    md.write_text(markdown(reports, command))
    page.write_text(html_page(reports, command))
    data.write_text(json.dumps(as_json(reports, command), indent=2) + "\n")
    return [md, page, data]
