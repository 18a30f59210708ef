"""Journey (issue 9 §6): nothing leaves without 签发. A handler drafts a 不予公开 reply,
the approver — in a second browser — sends it back with a comment, the handler fixes
it, the approver 签发 it (it gets its 文号), and the applicant, on a phone, opens the
letter on the case page and downloads its PDF.

The application and its confirmation are set up through the services; everything
after that is done in the browsers as the people would.
"""

from __future__ import annotations

import re

import time_machine
from playwright.sync_api import expect
from pypdf import PdfReader

from portal import roles
from tests.browser.conftest import _new_page, snap
from tests.browser.journey import at, expect_message, log_in, more_windows, open_action
from tests.factories import AgencyFactory, InfoRequestFactory, StaffFactory

REASON = "所申请的会议纪要属于讨论记录，尚未形成最终决定"
COMMENT = "请写明会议纪要的名称和形成时间"
FIX = "所申请的《天元区2026年第3次校舍安全专题会议纪要》（2026年2月形成）属于讨论记录"


def test_handler_drafts_approver_sends_back_then_signs_applicant_downloads_pdf(
    page, browser, live_server, request, tmp_path
):
    agency = AgencyFactory(name="天元区教育局", short_name="区教育局")
    handler_user = StaffFactory(
        username="lihan", first_name="李承办", agency=agency, roles=[roles.HANDLER]
    )
    StaffFactory(
        username="zhangsh", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )
    req = InfoRequestFactory(
        agency=agency,
        confirm_by=handler_user,
        applicant_name="王小明",
        description="请公开“天元区校舍安全专题会议”纪要。",
        now=at(2026, 3, 2, 9, 0),
    )
    handler = page

    with (
        time_machine.travel(at(2026, 3, 4, 9, 0), tick=True),
        more_windows(browser, live_server, request) as open_window,
    ):
        # --- the handler drafts a 过程性信息 reply and submits it for 签发 -----------------
        handler.goto("/staff/")
        log_in(handler, "lihan")
        handler.goto(f"/ysq/staff/{req.code}/")
        open_action(handler, "答复")
        handler.get_by_label("答复的法定情形").select_option(
            label="过程性信息（第十六条第二款）"
        )
        handler.get_by_role("button", name="生成告知书").click()
        body = handler.get_by_label("告知书正文")
        expect(body).to_have_value(re.compile("“请公开‘天元区校舍安全专题会议’纪要”"))
        expect(body).to_have_value(re.compile("第三十六条第（三）项"))
        # without a reason: refused, naming the rule, the text kept
        handler.get_by_role("button", name="提交签发").click()
        expect(handler.locator("#action-reply")).to_contain_text(
            "必须写明理由（《中华人民共和国政府信息公开条例》第三十六条第（三）项）"
        )
        expect(handler.get_by_label("告知书正文")).to_have_value(
            re.compile("第十六条第二款")
        )
        handler.get_by_label("理由或说明（填入告知书）").fill(REASON)
        handler.get_by_role("button", name="生成告知书").click()
        expect(handler.get_by_label("告知书正文")).to_have_value(re.compile(REASON))
        handler.get_by_role("button", name="提交签发").click()
        expect_message(handler, "已提交签发，等待本机关审核人签发。")
        letters = handler.get_by_role("region", name="文书", exact=True)
        expect(letters).to_contain_text("待签发")
        expect(letters).to_contain_text("应当先自收到本告知书之日起六十日内")
        expect(letters.get_by_role("button", name="审核同意并签发")).to_have_count(0)

        # --- the approver, in a second browser, sends it back with a comment ------------
        approver = open_window("approver")
        approver.goto("/ysq/staff/letters/")
        log_in(approver, "zhangsh")
        expect(approver.get_by_role("heading", name="待签发（1）")).to_be_visible()
        # (the request is also in 待邮寄: its 受理回执, 1号, waits for post)
        approver.get_by_role("region", name="待签发（1）").get_by_role(
            "link", name=req.tracking_no
        ).click()
        open_action(approver, "退回修改")
        approver.get_by_label("退回意见").fill(COMMENT)
        approver.get_by_role("button", name="退回").click()
        expect_message(approver, "已退回承办人修改。")

        # --- the handler sees the comment, fixes the text, submits again ----------------
        handler.reload()
        expect(handler.get_by_role("status").filter(has_text=COMMENT)).to_be_visible()
        body = handler.get_by_label("告知书正文")
        expect(body).to_have_value(re.compile(REASON))  # the draft is kept
        text = body.input_value().replace(REASON, FIX)
        body.fill(text)
        handler.get_by_role("button", name="提交签发").click()
        expect_message(handler, "已提交签发，等待本机关审核人签发。")

        # --- the approver 签发: the letter gets its 文号 and the request closes ---------
        approver.reload()
        approver.get_by_role("button", name="审核同意并签发").click()
        expect_message(approver, "已签发，文号 区教育局依申〔2026〕2号。")
        expect(approver.locator(".page-head .badge").first).to_have_text("已答复")
        snap(approver, "signoff_journey_approver")

    # --- the applicant, on a phone, reads the letter and downloads its PDF ---------------
    context, phone = _new_page(
        browser,
        live_server,
        request,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        phone.goto("/ysq/")
        phone.get_by_role("link", name="查询办理进度").click()
        phone.get_by_label("申请编号").fill(req.tracking_no)
        phone.get_by_label("查询码").fill(req.query_code)
        phone.get_by_role("button", name="查询").click()
        letters = phone.get_by_role("region", name="文书", exact=True)
        # 1号 is the 受理回执 issued at confirmation; the reply continues the series
        expect(letters).to_contain_text("区教育局依申〔2026〕2号")
        letters.get_by_role("link", name="政府信息不予公开告知书").click()
        expect(phone.locator(".official-letter")).to_contain_text(FIX)
        expect(phone.locator(".official-letter")).to_contain_text("（印章）")
        with phone.expect_download() as info:
            phone.get_by_role("link", name="下载 PDF").click()
        saved = tmp_path / "letter.pdf"
        info.value.save_as(saved)
        text = "".join(p.extract_text() for p in PdfReader(saved).pages)
        squashed = re.sub(r"\s+", "", text)
        assert "区教育局依申〔2026〕2号" in squashed
        assert re.sub(r"\s+", "", FIX) in squashed
        assert "应当先自收到本告知书之日起六十日内" in squashed
        snap(phone, "signoff_journey_phone")
    finally:
        context.close()
