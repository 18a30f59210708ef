"""Journey: an applicant who lost the 查询码 gets a new one by e-mail (issue 12 §3/§5),
in a real phone browser; and axe on the pages the citizen work added (the 重新发送查询码
page in each state, a 年报 with the ARIA table roles of the phone card layout).

The live server is a thread of this process, so the mail the service sends after its
transaction commits lands in the locmem outbox (settings_test) that ``mailoutbox`` reads.
Time is pinned (ticking) to Wednesday 2026-03-04 in Beijing, for the live server too.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from requests_app.models import EventKind, RequestEvent
from requests_app.views.public import RESEND_SENT_MESSAGE
from tests.browser.axe import format_violations
from tests.browser.test_accessibility import serious_violations
from tests.factories import InfoRequestFactory

TZ = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 3, 4, 9, 30, tzinfo=TZ)
NEW_CODE = re.compile(r"新查询码：(.+)")  # groups of four, as the receipt shows it


@pytest.fixture
def pinned_time():
    with time_machine.travel(WEDNESDAY, tick=True):
        yield


def assert_axe_clean(page: Page, where: str) -> None:
    found = serious_violations(page)
    assert not found, f"{where}:\n{format_violations(found)}"


def look_up(page: Page, tracking_no: str, code: str) -> None:
    page.goto(reverse("requests_app:lookup"))
    page.get_by_label("申请编号", exact=False).fill(tracking_no)
    page.get_by_label("查询码", exact=False).fill(code)
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()


def test_lost_query_code_is_sent_again_by_mail_and_opens_the_case(
    pinned_time, phone_page: Page, agency, mailoutbox
):
    page = phone_page
    req = InfoRequestFactory(
        agency=agency,
        applicant_name="王小明",
        email="wang@example.com",
        description="请公开天元区2025年义务教育学校招生划片方案",
    )
    old_code = req.query_code
    mailoutbox.clear()  # the receipt of the application

    # from the lookup page, the link for a lost code
    page.goto(reverse("requests_app:lookup"))
    page.get_by_role("link", name="重新发送查询码").first.click()
    page.wait_for_url("**" + reverse("requests_app:lookup_resend"))
    expect(page.get_by_role("heading", level=1)).to_have_text("重新发送查询码")
    assert_axe_clean(page, "重新发送查询码")

    # nothing typed: the site's own message, tied to the field
    page.get_by_role("button", name="发送新的查询码").click()
    page.wait_for_load_state()
    number = page.get_by_label("申请编号")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("main")).to_contain_text("请填写申请编号")
    assert_axe_clean(page, "重新发送查询码（未填写）")
    assert mailoutbox == []

    # the number as a person might type it: lower case, a space around it
    typed = f" {req.tracking_no.lower()} "
    number.fill(typed)
    page.get_by_role("button", name="发送新的查询码").click()
    page.wait_for_load_state()
    answer = page.locator("#sent-message")
    expect(answer).to_contain_text(RESEND_SENT_MESSAGE)
    expect(answer).to_be_focused()  # announced after the reload
    expect(page.get_by_label("申请编号")).to_have_value("")  # nothing to reveal
    assert_axe_clean(page, "重新发送查询码（已发送）")

    # the new code arrives at the address on file
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["wang@example.com"]
    assert req.tracking_no in mail.subject
    new_code = NEW_CODE.search(mail.body).group(1).strip()
    assert "".join(new_code.split()) != "".join(old_code.split())
    assert "原来的查询码" in mail.body
    assert "不再有效" in mail.body

    # an unknown number gets the very same answer, and no mail goes anywhere
    page.get_by_label("申请编号").fill("YSQ-2026-999999")
    page.get_by_role("button", name="发送新的查询码").click()
    page.wait_for_load_state()
    expect(page.locator("#sent-message")).to_contain_text(RESEND_SENT_MESSAGE)
    assert len(mailoutbox) == 1

    # the old code no longer opens the case; the new one does
    look_up(page, req.tracking_no, old_code)
    expect(page.locator("#error-summary")).to_contain_text("申请编号或查询码不正确")
    look_up(page, req.tracking_no, new_code)
    page.wait_for_url("**" + reverse("requests_app:case"))
    expect(page.get_by_role("heading", level=1)).to_have_text("申请办理进度")
    expect(page.locator("main")).to_contain_text(req.tracking_no)
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("重新发送查询码")
    expect(timeline).not_to_contain_text(new_code)
    assert (
        RequestEvent.objects.filter(
            info_request=req, kind=EventKind.QUERY_CODE_REISSUED
        ).count()
        == 1
    )


def test_report_tables_keep_their_roles_in_the_phone_card_layout_and_pass_axe(
    phone_page: Page, agency, staff_user
):
    """Tables 二/三/四 as cards on a phone (report.css) are still tables to assistive
    technology (role=table/row/rowheader/cell from the template; the column headers
    hidden only visually), and axe finds nothing serious — on a phone, with 字体 大,
    and at desktop width where the national layout shows."""
    from disclosure import services
    from disclosure.models import AnnualReport
    from portal import roles
    from tests.disclosure.conftest import at, publish
    from tests.factories import StaffFactory

    approver = StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])
    report = services.report_open(
        agency=agency, year=2025, by=staff_user, now=at(2026, 1, 5, 9)
    )
    publish(report, admin=staff_user, approver=approver, now=at(2026, 1, 9, 10))
    report = AnnualReport.objects.get(pk=report.pk)
    url = reverse("disclosure:report_detail", args=[report.pk])

    page = phone_page
    page.goto(url)
    tables = page.get_by_role("table")
    assert tables.count() >= 3
    table3 = page.get_by_role("table", name=re.compile("三、"))
    expect(table3).to_have_count(1)
    # each card's heading is a row header, each value a cell; column headers stay
    expect(table3.locator("tbody").get_by_role("cell")).to_have_count(25 * 7)
    assert table3.get_by_role("rowheader").count() >= 25
    assert table3.get_by_role("columnheader").count() >= 7  # hidden visually only
    display = table3.locator("td").first.evaluate("el => getComputedStyle(el).display")
    assert display == "block"  # the card layout is on
    assert_axe_clean(page, "年报（手机）")

    page.goto("/display/?font=large&next=" + url)
    assert "font-large" in page.locator("html").get_attribute("class")
    assert_axe_clean(page, "年报（手机，字体 大）")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    display = table3.locator("td").first.evaluate("el => getComputedStyle(el).display")
    assert display == "table-cell"  # the national layout
    assert_axe_clean(page, "年报（桌面）")
