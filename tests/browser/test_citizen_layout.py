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
