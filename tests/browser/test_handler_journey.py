"""Journey (issue 5 §1): a handler confirms an online application, asks for 补正, the
applicant answers it on the public case page, the handler asks for an extension that
an approver approves, and replies with the 告知书 generated from the portal's template.
Staff of another department cannot open the case.

Every step is done in the browser as the person would: the staff log in through the
login form, open the case from the workbench, unfold an action, fill labelled fields
and press its button. Only the application itself is submitted through
``requests_app.services`` (the online form has its own journey).

Dates (2026 calendar as published by the 国务院办公厅, counted by hand):
* confirmed Mon 2026-03-02 → 20 working days → Mon 2026-03-30;
* 补正 asked 03-02, default 补正期限 15 working days → Mon 2026-03-23;
* 补正 received Thu 03-05 → clock restarts → 20 working days → Thu 2026-04-02;
* extension of 20 working days from 04-02 skips 清明节 (04-04–04-06) and 劳动节
  (05-01–05-05) → Wed 2026-05-06.
"""

from __future__ import annotations

import re

import time_machine
from playwright.sync_api import expect

from portal import roles
from tests.browser.conftest import snap
from tests.browser.journey import at, expect_message, log_in, more_windows, open_action
from tests.factories import AgencyFactory, StaffFactory

DESCRIPTION = "请公开天元区实验小学改扩建项目的立项批复文件"
CORRECTION_ITEMS = "请写明所需文件的名称或者文号，以及项目所在的学校校区。"
CORRECTION_ANSWER = (
    "天元区实验小学（泰山路校区）改扩建项目立项批复，文号为天发改〔2025〕18号。"
)
EXTENSION_REASON = "需要调取档案室的纸质案卷并逐页核对"


def _pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _submit_online(agency):
    """The citizen's application, exactly as the online form submits it."""
    from requests_app import services

    return services.request_submit_online(
        agency=agency,
        now=at(2026, 3, 2, 8, 30),
        applicant_type="citizen",
        applicant_kind="natural",
        applicant_name="王小明",
        id_type="resident_id",
        id_number="11010519491231002X",
        phone="13812341234",
        address="湖南省株洲市天元区天台路1号",
        email="wxm@example.com",
        description=DESCRIPTION,
        provide_forms=["paper"],
        delivery_methods=["post"],
    )


def test_handler_confirms_asks_correction_extends_and_replies(
    page, browser, live_server, request
):
    agency = AgencyFactory(name="天元区教育局", short_name="区教育局")
    other = AgencyFactory(name="天元区财政局", short_name="区财政局")
    StaffFactory(
        username="lihan", first_name="李承办", agency=agency, roles=[roles.HANDLER]
    )
    StaffFactory(
        username="zhangsh", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )
    StaffFactory(
        username="zhaocz",
        first_name="赵财政",
        agency=other,
        roles=[roles.HANDLER, roles.ADMIN],
    )
    submission = _submit_online(agency)
    tracking_no, query_code = submission.info_request.tracking_no, submission.query_code
    handler = page

    with (
        time_machine.travel(at(2026, 3, 2, 9, 0), tick=True) as clock,
        more_windows(browser, live_server, request) as open_window,
    ):
        # --- Monday: the handler confirms and asks for 补正 ------------------------------
        handler.goto("/staff/")
        log_in(handler, "lihan")
        handler.get_by_role("link", name="进入申请办理工作台").click()
        expect(handler.get_by_role("heading", level=1)).to_contain_text(
            "依申请公开工作台"
        )
        handler.get_by_role("link", name="待确认").click()
        row = handler.get_by_role("row").filter(has_text=tracking_no)
        expect(row).to_contain_text("王小明")
        expect(row).to_contain_text("待确认")
        row.get_by_role("link", name=tracking_no).click()

        expect(handler.get_by_role("heading", level=1)).to_contain_text(tracking_no)
        expect(handler.locator(".page-head .badge").first).to_have_text("待确认")
        open_action(handler, "确认受理")
        received = handler.get_by_label("双方确认之日")
        expect(received).to_have_value("2026-03-02")  # today is offered
        handler.get_by_role("button", name="确认受理").click()
        expect_message(
            handler, "已确认受理，收到申请之日为 2026-03-02，答复期限 2026-03-30。"
        )
        expect(handler.locator(".page-head .badge").first).to_have_text("办理中")
        expect(_fact(handler, "答复期限")).to_contain_text("2026-03-30（周一）")

        open_action(handler, "告知补正")
        handler.get_by_label("需要补正的事项").fill(CORRECTION_ITEMS)
        handler.get_by_role("button", name="发出补正通知").click()
        expect_message(handler, "已告知补正，补正期限 2026-03-23。")
        expect(handler.locator(".page-head .badge").first).to_have_text("待补正")
        expect(_fact(handler, "答复期限")).to_contain_text("待补正，收到补正后重新计算")
        case_url = handler.url

        # --- Thursday: the applicant answers on the public case page ---------------------
        clock.move_to(at(2026, 3, 5, 10, 0))
        applicant = open_window("applicant")
        applicant.goto("/ysq/")
        applicant.get_by_role("link", name="查询办理进度").click()
        applicant.get_by_label("申请编号").fill(tracking_no)
        applicant.get_by_label("查询码").fill(query_code)
        applicant.get_by_role("button", name="查询").click()
        correction = applicant.get_by_role("region", name="需要您补正", exact=True)
        expect(correction).to_contain_text(CORRECTION_ITEMS)
        expect(correction).to_contain_text("2026年3月23日")
        applicant.get_by_role("textbox", name="补正内容").fill(CORRECTION_ANSWER)
        applicant.get_by_role("button", name="提交补正").click()
        expect_message(applicant, "补正已提交，答复期限自今天起重新计算。")
        expect(
            applicant.get_by_role("region", name="答复期限", exact=True)
        ).to_contain_text("最迟于 2026年4月2日（周四）前（含当日）答复")

        # --- the handler (signed out overnight) finds it back in 办理中 --------------------
        handler.goto("/ysq/staff/")
        log_in(handler, "lihan")
        handler.get_by_role("link", name="办理中").click()
        row = handler.get_by_role("row").filter(has_text=tracking_no)
        expect(row).to_contain_text("办理中")
        expect(row).to_contain_text("2026-04-02")
        row.get_by_role("link", name=tracking_no).click()
        expect(
            handler.get_by_role("region", name="所需信息", exact=True)
        ).to_contain_text(CORRECTION_ANSWER)
        expect(_fact(handler, "补正")).to_contain_text(
            "2026-03-02 告知，期限 2026-03-23；2026-03-05 收到"
        )
        expect(_fact(handler, "答复期限")).to_contain_text("2026-04-02（周四）")

        open_action(handler, "申请延期")
        expect(handler.get_by_label("延长工作日数")).to_have_value("20")
        handler.get_by_label("延期理由").fill(EXTENSION_REASON)
        handler.get_by_role("button", name="提交延期申请").click()
        expect_message(handler, "已提交延期申请，等待审核人审批。")
        expect(handler.locator(".page-head")).to_contain_text("延期待审批")
        expect(_fact(handler, "延期")).to_contain_text(
            "申请延长 20 个工作日，待审批（申请人 李承办）"
        )

        # --- the approver approves the extension -----------------------------------------
        approver = open_window("approver")
        approver.goto("/ysq/staff/")
        log_in(approver, "zhangsh")
        approver.get_by_role("link", name="待审批延期").click()
        approver.get_by_role("row").filter(has_text=tracking_no).get_by_role(
            "link", name=tracking_no
        ).click()
        open_action(approver, "审批延期申请")
        expect(approver.locator("#action-extension_decide")).to_contain_text(
            EXTENSION_REASON
        )
        approver.get_by_role("radio", name="同意延期", exact=True).check()
        approver.get_by_role("button", name="提交审批意见").click()
        expect_message(approver, "已同意延期，答复期限延长至 2026-05-06。")

        # --- the handler sees the new deadline and replies with the generated letter ------
        handler.reload()
        expect(_fact(handler, "答复期限")).to_contain_text("2026-05-06（周三）")
        expect(_fact(handler, "延期")).to_contain_text(
            "已延长 20 个工作日（审批人 张审核）"
        )

        open_action(handler, "答复")
        handler.get_by_label("答复的法定情形").select_option(
            label="可以公开（第三十六条第（二）项）"
        )
        handler.get_by_label("信息提供方式").select_option(label="随告知书附件提供")
        handler.get_by_role("button", name="生成告知书").click()
        expect(
            handler.get_by_role("status").filter(has_text="已按模板生成告知书")
        ).to_be_visible()
        letter = handler.get_by_label("告知书正文")
        expect(letter).to_have_value(re.compile(f"申请编号：{tracking_no}"))
        expect(letter).to_have_value(re.compile("第三十六条第（二）项"))
        expect(letter).to_have_value(re.compile("见附件"))
        expect(letter).not_to_have_value(re.compile("第三十六条第（一）项"))
        letter.press("Control+End")
        letter.press_sequentially("\n附件：立项批复文件一份。")
        handler.get_by_label("答复文件（选填）").set_input_files(
            files=[
                {
                    "name": "立项批复.pdf",
                    "mimeType": "application/pdf",
                    "buffer": _pdf(),
                }
            ]
        )
        handler.get_by_role("button", name="提交签发").click()
        expect_message(handler, "已提交签发，等待本机关审核人签发。")
        letters_ = handler.get_by_role("region", name="文书", exact=True)
        expect(letters_).to_contain_text("待签发")
        expect(letters_).to_contain_text("附件：立项批复文件一份。")
        expect(letters_.get_by_role("button", name="审核同意并签发")).to_have_count(0)

        # --- the approver (not the drafter) 签发 the reply: it gets its 文号 and is sent ---
        approver.reload()
        approver.get_by_role("button", name="审核同意并签发").click()
        expect(approver.locator(".messages")).to_contain_text("已签发，文号")
        handler.reload()
        expect(handler.locator(".page-head .badge").first).to_have_text("已答复")
        expect(_fact(handler, "办理结果")).to_contain_text("予以公开（2026-03-05）")
        reply = handler.get_by_role("region", name="答复", exact=True)
        expect(reply.get_by_role("heading", level=3)).to_have_text(
            "政府信息公开告知书（2026-03-05，予以公开）"
        )
        expect(reply).to_contain_text("附件：立项批复文件一份。")
        expect(reply.get_by_role("link", name="立项批复.pdf")).to_be_visible()

        # --- the applicant reads the reply --------------------------------------------------
        applicant.reload()
        expect(applicant.locator(".case-facts")).to_contain_text("已答复")
        answer = applicant.get_by_role("region", name="答复", exact=True)
        expect(answer).to_contain_text("附件：立项批复文件一份。")
        expect(answer.get_by_role("link", name="立项批复.pdf")).to_be_visible()

        # --- staff of another department: not in their queue, and the case is a 404 ------
        outsider = open_window("outsider")
        outsider.goto("/ysq/staff/")
        log_in(outsider, "zhaocz")
        expect(outsider.get_by_role("heading", level=1)).to_contain_text("天元区财政局")
        outsider.get_by_role("link", name="办理中").click()
        expect(outsider.get_by_text("没有符合条件的申请。")).to_be_visible()
        response = outsider.goto(case_url)
        assert response.status == 404
        expect(outsider.get_by_role("heading", level=1)).to_have_text("页面不存在")
        expect(outsider.locator("main")).not_to_contain_text(tracking_no)
        # Chromium logs the 404 of the document itself as a console error: that one is expected
        outsider.watch.console_errors[:] = [
            e for e in outsider.watch.console_errors if "status of 404" not in e
        ]

    snap(handler, "handler_journey")


def _fact(page, term: str):
    """The value (<dd>) beside a term (<dt>) of the case facts at the top of the page."""
    return (
        page.locator(".case-facts")
        .first.locator("div")
        .filter(has=page.locator("dt", has_text=re.compile(f"^{term}$")))
        .locator("dd")
    )
