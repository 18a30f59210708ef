"""The public layout in a real browser (issue 12 §3): the header search on a phone with
字体 大, 打印本页 buttons that exist only with JavaScript, and no text split at every
character."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.site_tour import open_page
from tests.browser.test_accessibility import OVERFLOW_JS
from tests.catalog.public_data import publish

# an element styled word-break: break-all (cut "14:30" or an e-mail address anywhere)
BREAK_ALL_JS = """() => [...document.querySelectorAll('main *, footer *')]
  .filter(el => getComputedStyle(el).wordBreak === 'break-all')
  .map(el => el.outerHTML.slice(0, 100))"""


def test_header_search_fits_a_phone_with_large_font_and_searches(phone_page, agency):
    notice = publish(agency=agency, title="关于春季防汛工作安排的通知")
    open_page(phone_page, "/display/?font=large&next=/")
    for path in (
        "/",
        reverse("catalog:notice_detail", args=[notice.uuid]),
        reverse("catalog:guide"),
        reverse("requests_app:landing"),
    ):
        open_page(phone_page, path)
        assert phone_page.evaluate(OVERFLOW_JS) == [], path
        box = phone_page.get_by_role("searchbox", name="检索政府信息").bounding_box()
        assert box is not None, path
        assert box["width"] >= 150, (path, box)
        assert phone_page.evaluate(BREAK_ALL_JS) == [], path
    phone_page.get_by_role("searchbox", name="检索政府信息").fill("防汛")
    phone_page.get_by_role("searchbox", name="检索政府信息").press("Enter")
    phone_page.wait_for_url("**/xxgk/?q=*")
    expect(
        phone_page.get_by_role("link", name="关于春季防汛工作安排的通知")
    ).to_be_visible()


def test_print_button_shows_with_javascript_only(page, nojs_page, agency):
    notice = publish(agency=agency, title="关于春季防汛工作安排的通知")
    url = reverse("catalog:notice_detail", args=[notice.uuid])
    open_page(page, url)
    expect(page.get_by_role("button", name="打印本页")).to_be_visible()
    open_page(nojs_page, url)
    expect(nojs_page.get_by_role("button", name="打印本页")).to_be_hidden()


def test_a_streamed_search_shows_its_total_under_the_heading_without_javascript(
    nojs_page, phone_page, agency
):
    """A first search whose total is not known sends the results first and the total
    after them (catalog/views.notice_list); the browser still shows 共 N 条 right under
    the heading, above the results, with JavaScript off and on a phone."""
    from tests.browser.test_accessibility import serious_violations
    from tests.catalog.public_data import at

    for day in range(1, 13):
        publish(
            agency=agency,
            title=f"关于第{day}批防汛物资调拨的通知",
            published_at=at(2025, 1, day),
        )
    for pg in (nojs_page, phone_page):
        pg.set_default_timeout(15_000)
        # a fresh query each time: a second visit would take the cached total
        words = "防汛" if pg is nojs_page else "物资调拨"
        open_page(pg, reverse("catalog:notice_list") + f"?q={words}&per_page=10")
        total = pg.locator(".results-count")
        expect(total).to_have_text("共 12 条")
        first = pg.locator(".results-list > li").first
        heading = pg.get_by_role("heading", name="检索结果")
        assert (
            heading.bounding_box()["y"]
            < total.bounding_box()["y"]
            < first.bounding_box()["y"]
        )
        expect(pg.get_by_role("link", name="下一页")).to_be_visible()
    # (scripts cannot be evaluated in the page without JavaScript: these on the phone)
    assert phone_page.evaluate(OVERFLOW_JS) == []
    assert serious_violations(phone_page) == []
