"""Journey (issue 5 §1): an admin fills the year's annual report, meets a failing check,
fixes it, sends the report for review; a reviewer approves it; the admin publishes;
a citizen opens it in the 政府信息公开年报 column and downloads the XLSX, whose numbers
are those of the page.

The year's data (a 行政规范性文件 in the catalog, three applications, a 行政复议 case)
is built through the services, dated in 2025; the journey itself runs on Monday
2026-01-12 in the browser.

Which check can an admin's input break? Tables 三 and 四 and the first block of table
二 are computed (R1–R6 hold for them by construction); the admin types only the four
manual cells of table 二, the narratives and the 信息处理费 figures. Of R1–R7 only R7
constrains those cells (non-negative integers, the fee in 万元 with at most 4
decimals), and the edit form enforces it on input: a fee with five decimals is refused
with a message naming the cell, and everything typed is kept. Blank manual cells are
R7 warnings naming each cell until they are filled.
"""

from __future__ import annotations

import io
from datetime import date

import time_machine
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal import roles
from tests.browser.conftest import snap
from tests.browser.journey import at, expect_message, log_in, more_windows
from tests.factories import AgencyFactory, StaffFactory

OVERVIEW = "2025年，区教育局坚持以公开为常态、不公开为例外，全年主动公开政府信息，依法办理政府信息公开申请。"
PROBLEMS = "政策解读形式还不够丰富。2026年将增加图解、问答等解读形式。"
ROW_NEW = "一、本年新收政府信息公开申请数量"
ROW_OUT = "四、结转下年度继续办理"
TITLE = "天元区教育局2025年政府信息公开工作年度报告"
OTHER_SECTIONS = {
    "二、主动公开政府信息情况": "本年度主动公开情况见下表。",
    "三、收到和处理政府信息公开申请情况": "本年度依申请公开情况见下表。",
    "四、政府信息公开行政复议、行政诉讼情况": "本年度无行政复议、行政诉讼案件。",
    "六、其他需要报告的事项": "无其他需要报告的事项。",
}


def _year_2025(agency, handler, admin):
    """What the 2025 report is computed from, built through the services."""
    from catalog import services as catalog
    from catalog.models import Genre
    from disclosure import services as disclosure
    from requests_app.outcomes import ApplicantKind, Outcome
    from tests.disclosure.requests_world import apply, reply

    with time_machine.travel(at(2025, 3, 5, 9), tick=False):
        notice = catalog.notice_create(
            owner_agency=agency,
            by=admin,
            title="天元区义务教育阶段学校招生入学管理办法",
            genre=Genre.objects.get(name="行政规范性文件"),
            written_date=date(2025, 3, 1),
        )
        catalog.notice_publish(notice=notice, by=admin, now=at(2025, 3, 5, 9))
    disclosed = apply(agency, ApplicantKind.NATURAL, date(2025, 3, 3), handler)
    reply(disclosed, handler, Outcome.DISCLOSED, date(2025, 3, 20))
    partial = apply(agency, ApplicantKind.COMMERCIAL, date(2025, 6, 2), handler)
    reply(partial, handler, Outcome.PARTIAL, date(2025, 6, 20))
    apply(
        agency, ApplicantKind.NATURAL, date(2025, 12, 22), handler
    )  # still open at the year's end
    disclosure.appeal_case_save(
        agency=agency,
        by=admin,
        kind="reconsideration",
        case_number="株天复〔2025〕3号",
        filed_year=2025,
        filed_date=date(2025, 7, 1),
        result="upheld",
        decided_date=date(2025, 8, 29),
        note="",
        info_request=partial,
    )


def _cell(table, row_label: str, nth: int):
    """The ``nth`` data cell (0-based) of the row headed ``row_label`` in a report table."""
    header = table.page.get_by_role("rowheader", name=row_label, exact=True)
    row = table.get_by_role("row").filter(has=header)
    return row.locator("td").nth(nth)


def test_admin_fills_checks_sends_for_review_publishes_and_citizen_downloads_xlsx(
    page, browser, live_server, request
):
    agency = AgencyFactory(
        name="天元区教育局", short_name="区教育局", org_code="00001434-9"
    )
    admin = StaffFactory(
        username="chenadmin", first_name="陈管理", agency=agency, roles=[roles.ADMIN]
    )
    handler = StaffFactory(
        username="lihan", first_name="李承办", agency=agency, roles=[roles.HANDLER]
    )
    StaffFactory(
        username="zhangsh", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )
    _year_2025(agency, handler, admin)

    with (
        time_machine.travel(at(2026, 1, 12, 9, 0), tick=True),
        more_windows(browser, live_server, request) as open_window,
    ):
        # --- the admin opens the 2025 draft: computed cells are filled, manual ones flagged
        page.goto("/staff/")
        log_in(page, "chenadmin")
        page.get_by_role("link", name="进入年度报告").click()
        expect(page.get_by_label("年度")).to_have_value("2025")
        page.get_by_role("button", name="打开该年度报告").click()
        expect(page.locator(".workflow-state")).to_contain_text("草稿")
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        table3 = page.locator("#table3")
        expect(_cell(table3, ROW_NEW, 0)).to_have_text("2")  # 自然人
        expect(_cell(table3, ROW_NEW, 1)).to_have_text("1")  # 商业企业
        expect(_cell(table3, ROW_NEW, 6)).to_have_text("3")  # 总计
        expect(_cell(table3, ROW_OUT, 0)).to_have_text("1")
        table2 = page.locator("#table2")
        expect(_cell(table2, "行政规范性文件", 0)).to_have_text("1")  # 本年制发件数
        checks = page.get_by_role("region", name="数据核对（R1–R7）", exact=True)
        expect(checks).to_contain_text("全部核对通过")
        for cell in (
            "表二“行政许可”“本年处理决定数量”未填写，按 0 计",
            "表二“行政事业性收费”“本年收费金额（单位：万元）”未填写，按 0 计",
        ):
            expect(checks.locator("li.check-warning", has_text=cell)).to_be_visible()

        # --- fills the manual cells and the narrative; a fee with five decimals is refused
        page.get_by_role("link", name="编辑文字和填报数据").click()
        page.get_by_label("行政许可 本年处理决定数量").fill("126")
        page.get_by_label("行政处罚 本年处理决定数量").fill("31")
        page.get_by_label("行政强制 本年处理决定数量").fill("2")
        page.get_by_label("行政事业性收费 本年收费金额（单位：万元）").fill("12.34567")
        page.get_by_label("一、总体情况").fill(OVERVIEW)
        page.get_by_label("五、存在的主要问题及改进情况").fill(PROBLEMS)
        # every section is written out: publication refuses empty ones (issue 10 §3)
        for label, text in OTHER_SECTIONS.items():
            page.get_by_label(label).fill(text)
        page.get_by_role("button", name="保存").click()

        summary = page.locator(".error-summary")
        expect(summary).to_contain_text(
            "行政事业性收费 本年收费金额（单位：万元）：最多 4 位小数（单位：万元）"
        )
        fee = page.get_by_label("行政事业性收费 本年收费金额（单位：万元）")
        expect(fee).to_have_value("12.34567")
        expect(page.get_by_label("行政许可 本年处理决定数量")).to_have_value(
            "126"
        )  # nothing typed is lost
        expect(page.get_by_label("一、总体情况")).to_have_value(OVERVIEW)
        expect(page.get_by_label("五、存在的主要问题及改进情况")).to_have_value(
            PROBLEMS
        )
        # the page comes back as 400 Bad Request, which Chromium logs to the console: expected
        page.watch.console_errors[:] = [
            e for e in page.watch.console_errors if "status of 400" not in e
        ]
        summary.get_by_role("link").first.click()  # the summary links to the field
        expect(fee).to_be_focused()
        fee.fill("12.3456")
        page.get_by_role("button", name="保存").click()

        expect_message(page, "已保存。下方是按最新数据重新核对的结果。")
        checks = page.get_by_role("region", name="数据核对（R1–R7）", exact=True)
        expect(checks).to_contain_text("全部核对通过")
        expect(checks.locator("li", has_text="R7")).to_contain_text(
            "各项数据均为非负整数，收费金额不超过 4 位小数"
        )
        expect(checks.locator("li.check-warning", has_text="表二")).to_have_count(0)
        table2 = page.locator("#table2")
        expect(_cell(table2, "行政许可", 0)).to_have_text("126")
        expect(_cell(table2, "行政事业性收费", 0)).to_have_text("12.3456")
        expect(page.locator("#section-overview")).to_contain_text(OVERVIEW)

        page.get_by_role("button", name="提交审核").click()
        expect_message(page, "已提交审核。")
        expect(page.locator(".workflow-state")).to_contain_text("待审核")
        expect(page.get_by_role("link", name="编辑文字和填报数据")).to_have_count(0)

        # --- the reviewer approves ------------------------------------------------------------
        reviewer = open_window("reviewer")
        reviewer.goto("/staff/")
        log_in(reviewer, "zhangsh")
        reviewer.get_by_role("link", name="进入年度报告").click()
        reviewer.get_by_role("row").filter(has_text="待审核").get_by_role(
            "link", name="2025年"
        ).click()
        expect(reviewer.locator("#section-problems")).to_contain_text(PROBLEMS)
        reviewer.get_by_label("审核意见（可选）").fill("数据已核对，同意发布。")
        reviewer.get_by_role("button", name="审核通过").click()
        expect_message(reviewer, "已审核通过，管理员可以发布。")
        expect(reviewer.locator(".workflow-state")).to_contain_text("已审核")

        # --- the admin publishes --------------------------------------------------------------
        page.reload()
        expect(page.locator(".workflow-state")).to_contain_text("已审核")
        page.get_by_role("button", name="发布", exact=True).click()
        expect_message(page, "已发布第 1 版。")
        expect(page.locator(".workflow-state")).to_contain_text("已发布")
        expect(page.locator(".event-list")).to_contain_text(
            "张审核 审核通过：数据已核对，同意发布。"
        )

        # --- a citizen reads it in the 年报 column and downloads the XLSX ---------------------
        citizen = open_window("citizen")
        citizen.goto("/")
        citizen.get_by_role("navigation", name="主导航").get_by_role(
            "link", name="政府信息公开年报"
        ).click()
        year = citizen.get_by_role("region", name="2025年度", exact=True)
        year.get_by_role("link", name=TITLE).click()
        expect(citizen.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(citizen.locator(".report-meta")).to_contain_text("第 1 版")
        table2, table3 = citizen.locator("#table2"), citizen.locator("#table3")
        licensing = _cell(table2, "行政许可", 0).inner_text()
        fee_text = _cell(table2, "行政事业性收费", 0).inner_text()
        new_total = _cell(table3, ROW_NEW, 6).inner_text()
        assert (licensing, fee_text, new_total) == ("126", "12.3456", "3")
        expect(citizen.locator("#table4 tbody td").nth(0)).to_have_text(
            "1"
        )  # 行政复议 结果维持
        expect(citizen.locator("#table4 tbody td").nth(4)).to_have_text(
            "1"
        )  # 行政复议 总计

        with citizen.expect_download() as event:
            citizen.get_by_role("link", name="下载 XLSX 表格").click()
        download = event.value
        assert download.suggested_filename.endswith(".xlsx")
        workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
        assert workbook.sheetnames == [
            "表二 主动公开",
            "表三 依申请公开",
            "表四 复议诉讼",
        ]
        assert _sheet_value(workbook["表二 主动公开"], "行政许可") == int(licensing)
        assert (
            str(_sheet_value(workbook["表二 主动公开"], "行政事业性收费")) == fee_text
        )
        assert _sheet_value(workbook["表三 依申请公开"], ROW_NEW, last=True) == int(
            new_total
        )
        snap(citizen, "report_journey")


def _sheet_value(sheet, label: str, *, last: bool = False):
    """The first (or last) number in the sheet row whose text cell is ``label``."""
    for row in sheet.iter_rows(values_only=True):
        if label in row:
            numbers = [
                v for v in row[row.index(label) + 1 :] if isinstance(v, (int, float))
            ]
            return numbers[-1] if last else numbers[0]
    raise AssertionError(f"{label} not found in sheet {sheet.title}")
