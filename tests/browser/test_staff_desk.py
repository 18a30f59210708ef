"""The staff workspace in a real browser: the 工作台 after a real login has the staff
header and navigation, passes axe, does not scroll sideways on a phone, and 退出 signs
out with a POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import site_tour
from tests.browser.conftest import snap
from tests.browser.test_accessibility import OVERFLOW_JS, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("tour_clock")]


def test_staff_home_header_navigation_and_logout(page):
    world = site_tour.build_world()
    site_tour.staff_login(page, world)
    nav = page.get_by_role("navigation", name="工作导航")
    assert (
        nav.get_by_role("link", name="工作台").get_attribute("aria-current") == "page"
    )
    assert nav.get_by_role("link", name="依申请公开").count() == 1
    assert "修改密码" in page.locator("header").inner_text()
    assert page.locator("footer").inner_text().count("网站标识码") == 0
    found = serious_violations(page)
    assert not found, found
    snap(page, "staff-home-desktop")
    # 高对比度 from the staff header, and axe again in the dark theme
    page.get_by_role("button", name="高对比度").click()
    page.wait_for_load_state()
    assert "contrast" in (page.locator("html").get_attribute("class") or "")
    found = serious_violations(page)
    assert not found, found
    snap(page, "staff-home-contrast")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    site_tour.open_page(page, reverse("portal:staff_home"))
    assert reverse("portal:login") in page.url


def test_staff_pages_fit_a_phone(phone_page):
    world = site_tour.build_world()
    site_tour.staff_login(phone_page, world)
    for path in (reverse("portal:staff_home"), reverse("requests_app:staff_queue")):
        site_tour.open_page(phone_page, path)
        assert phone_page.evaluate(OVERFLOW_JS) == [], path
        found = serious_violations(phone_page)
        assert not found, (path, found)
        snap(phone_page, "staff-phone" + path.replace("/", "-"))
