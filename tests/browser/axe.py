"""Run axe-core (vendored, see vendor/README.md) in a Playwright page.

The script is evaluated through the DevTools protocol, so the portal's
Content-Security-Policy (no inline scripts) stays on while it runs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.1 A/AA plus best practices (landmarks, headings, region, …).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}


@cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, options: dict | None = None) -> list[dict]:
    """All violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    result = page.evaluate(
        "async (options) => { const r = await axe.run(document, options);"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),"
        " summary: n.failureSummary}))})); }",
        options or RUN_OPTIONS,
    )
    return result


def serious_violations(page, options: dict | None = None) -> list[dict]:
    return [v for v in run_axe(page, options) if v["impact"] in BLOCKING]


def format_violations(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def assert_no_serious_violations(page, options: dict | None = None) -> None:
    found = serious_violations(page, options)
    assert not found, (
        f"axe: serious/critical violations on {page.url}:\n{format_violations(found)}"
    )
