"""The browser harness itself: the home page loads, with its stylesheet and script,
nothing from another host and no console error."""

from __future__ import annotations

import pytest


def test_home_page_loads_with_its_own_assets(page):
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1, .site-title").first.is_visible()
    # the stylesheet applied (the skip link is moved off-screen by site.css)
    skip = page.locator("a.skip-link, a[href='#main']").first
    assert skip.count() == 1
    box = skip.bounding_box()
    assert box is None or box["y"] < 0 or box["x"] < 0 or box["width"] <= 1


@pytest.mark.parametrize("path", ["/", "/xxgk/"])
def test_a_resource_from_another_host_is_caught(page, path):
    """An image from another host is refused by the Content-Security-Policy, and the
    harness sees it (it would fail a test that did not expect it)."""
    page.goto(path)
    page.evaluate(
        "() => { const i = document.createElement('img');"
        " i.src = 'http://example.invalid/x.png'; document.body.append(i); }"
    )
    page.wait_for_timeout(300)
    seen = page.watch.foreign_requests + page.watch.console_errors
    assert any(
        "example.invalid" in text or "Content Security Policy" in text for text in seen
    ), seen
    page.watch.foreign_requests.clear()
    page.watch.console_errors.clear()


def test_axe_runs_under_the_csp_and_finds_a_planted_violation(page):
    """axe-core loads despite the Content-Security-Policy and reports a real problem
    (an image without alt text), so a clean scan elsewhere means something."""
    from tests.browser.axe import serious_violations

    page.goto("/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'planted';"
        " document.querySelector('main').append(b); }"
    )
    found = serious_violations(page)
    assert any(v["id"] == "button-name" for v in found), found


def test_an_error_page_is_not_a_console_error_but_a_missing_stylesheet_is(page):
    response = page.goto("/xxgk/no-such-notice/")
    assert response.status == 404
    assert page.watch.console_errors == []
    page.evaluate(
        "() => { const l = document.createElement('link'); l.rel = 'stylesheet';"
        " l.href = '/static/css/missing.css'; document.head.append(l); }"
    )
    page.wait_for_load_state("networkidle")
    assert page.watch.failed_resources == [
        f"404 {page.url.split('/xxgk')[0]}/static/css/missing.css"
    ]
    page.watch.failed_resources.clear()
    page.watch.console_errors.clear()
