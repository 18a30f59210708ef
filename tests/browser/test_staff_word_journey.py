"""Journey (issue 12 §5): a 公文 goes from its Word original to the public page.

The 信息员 (管理员 role) of an agency whose 保密审查 must be confirmed by a second person
follows the nav 政府信息 → 从 Word 文档导入 and uploads a 公文 built here with python-docx
(发文字号, title, a numbered list, a table, a picture, the 成文日期 line). The review page
shows the title, 文号 and date it found; she creates the draft and lands in the editor,
completes the classification, rewrites a sentence in Jodit and previews it in the
public template (table and list there). 定时发布 is refused until another person has
confirmed the 保密审查 — she submits it for review, the 审核人 (2FA, his own browser)
confirms from the list with the bulk action, she schedules it a few minutes ahead and
``publish_scheduled`` publishes it at that minute. Then she changes a sentence of the
published notice: the change waits on the history page until the approver confirms it,
after which the public page shows the new text and its 最后更新.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Notice, NoticeRevision
from portal import roles
from tests.browser.conftest import snap
from tests.browser.journey import at, expect_message, log_in, more_windows
from tests.catalog.docx_samples import BODY_SENTENCE, gongwen
from tests.factories import AgencyFactory, StaffFactory

TITLE = "株洲市天元区人民政府关于做好2026年春季森林防火工作的通知"
NOW = at(2026, 3, 9, 9, 0)  # a Monday, after the 成文日期 of 2026年3月5日
EDITED = "各镇人民政府要切实加强组织领导，层层落实森林防火责任制。"
PUBLISHED_EDIT = "各镇人民政府要在3月20日前完成森林防火责任书签订。"


def _jodit_value(page) -> str:
    return page.evaluate("() => Jodit.instances[Object.keys(Jodit.instances)[0]].value")


def _rewrite_paragraph(page, old: str, new: str) -> None:
    """Select the paragraph holding ``old`` in the editing area and type ``new`` over it."""
    expect(page.locator(".jodit-wysiwyg")).to_be_visible()
    paragraph = page.locator(".jodit-wysiwyg p", has_text=old)
    paragraph.click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.type(new)


def test_word_original_imported_reviewed_scheduled_published_then_edited(
    page, browser, live_server, request
):
    agency = AgencyFactory(
        name="株洲市天元区人民政府",
        short_name="区人民政府",
        requires_second_security_review=True,
    )
    StaffFactory(
        username="xinxi", first_name="王信息", agency=agency, roles=[roles.ADMIN]
    )
    StaffFactory(
        username="shenhe", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )
    docx = gongwen(image=False)
    officer = page

    with (
        time_machine.travel(NOW, tick=True),
        more_windows(browser, live_server, request) as open_window,
    ):
        # --- the nav: 政府信息 → 从 Word 文档导入 ----------------------------------------
        officer.goto("/staff/")
        log_in(officer, "xinxi")
        officer.get_by_role("navigation", name="工作导航").get_by_role(
            "link", name="政府信息"
        ).click()
        officer.get_by_role("link", name="从 Word 文档导入").click()
        expect(officer.get_by_role("heading", name="从 Word 文档导入")).to_be_visible()
        officer.get_by_label("Word 文档（.docx）").set_input_files(
            {
                "name": "森林防火通知.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document",
                "buffer": docx,
            }
        )
        officer.get_by_role("button", name="上传并识别").click()

        # --- the review page: what was found ---------------------------------------------
        expect(officer.get_by_role("heading", name="核对导入内容")).to_be_visible()
        expect(officer.get_by_label("标题")).to_have_value(TITLE)
        expect(officer.get_by_label("发文字号")).to_have_value("天政发〔2026〕3号")
        expect(officer.get_by_label("成文日期")).to_have_value("2026-03-05")
        preview = officer.locator(".docx-preview")
        expect(preview.locator("table td", has_text="雷打石镇")).to_be_visible()
        expect(preview.locator("ol li", has_text="设立临时检查站")).to_be_visible()
        expect(preview).to_contain_text(BODY_SENTENCE)
        officer.get_by_role("button", name="创建草稿").click()

        # --- the editor: classification, a sentence rewritten in Jodit -------------------
        expect_message(officer, f"已从 Word 文档创建草稿“{TITLE}”")
        assert re.search(r"/staff/xinxi/\d+/$", officer.url), officer.url
        notice = Notice.objects.get(title=TITLE)
        assert notice.doc_number == "天政发〔2026〕3号"
        assert str(notice.written_date) == "2026-03-05"
        officer.get_by_label("主题分类").select_option(index=1)
        officer.get_by_label("体裁").select_option(index=1)
        officer.get_by_label("栏目").select_option(index=1)
        _rewrite_paragraph(officer, BODY_SENTENCE, EDITED)
        html = _jodit_value(officer)
        assert EDITED in html, html
        assert BODY_SENTENCE not in html, html
        assert "<table" in html, html
        assert "<ol" in html, html

        # preview of what is typed (not yet saved): the public template
        with officer.expect_popup() as popup_info:
            officer.get_by_role("button", name="预览（新窗口）").click()
        shown = popup_info.value
        expect(shown.get_by_text("预览，尚未发布")).to_be_visible()
        expect(shown.get_by_role("heading", name=TITLE)).to_be_visible()
        body = shown.locator(".article-body")
        expect(body).to_contain_text(EDITED)
        expect(body.locator("table td", has_text="群丰镇")).to_be_visible()
        expect(body.locator("ol li", has_text="储备扑火物资")).to_be_visible()
        shown.close()

        # 定时发布 is refused before another person confirmed the 保密审查; nothing lost
        when = NOW + timedelta(minutes=20)
        officer.get_by_label("定时发布时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
        officer.get_by_role("button", name="保存并定时发布").click()
        expect(officer.locator("#action-errors")).to_contain_text(
            "起草人、发布人以外的工作人员"
        )
        notice.refresh_from_db()
        assert EDITED in notice.body  # the content was saved
        assert notice.scheduled_at is None
        expect(officer.get_by_label("定时发布时间")).to_have_value(
            when.strftime("%Y-%m-%dT%H:%M")
        )
        officer.get_by_role("button", name="保存并提交审核").click()
        expect_message(officer, "已保存并提交审核。")

        # --- the approver, 2FA, confirms from the list (bulk) -----------------------------
        approver = open_window("approver")
        approver.goto("/staff/xinxi/?state=pending")
        key = log_in(approver, "shenhe")
        assert key, "an approver enrols a second factor at the first sign-in"
        approver.goto("/staff/xinxi/?state=pending")
        approver.get_by_label(f"选择“{TITLE}”").check()
        approver.get_by_label("操作", exact=True).select_option(label="确认保密审查")
        approver.get_by_role("button", name="执行").click()
        expect_message(approver, "已确认保密审查 1 条信息。")
        notice.refresh_from_db()
        assert notice.security_reviewed_by.username == "shenhe"

        # --- 定时发布 in 20 minutes ------------------------------------------------------
        officer.reload()
        expect(officer.locator(".meta-list")).to_contain_text("张审核")
        officer.get_by_label("定时发布时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
        officer.get_by_role("button", name="保存并定时发布").click()
        expect_message(officer, "已保存，并定于 2026-03-09 09:20 自动发布。")
        notice.refresh_from_db()
        assert notice.status == Notice.Status.DRAFT
        assert notice.security_reviewed_by.username == "shenhe"

    # --- the timer runs at that minute ---------------------------------------------------
    with (
        time_machine.travel(at(2026, 3, 9, 9, 20, 30), tick=True),
        more_windows(browser, live_server, request) as open_window,
    ):
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        assert f"已发布：{TITLE}" in out.getvalue()
        notice.refresh_from_db()
        assert notice.status == Notice.Status.PUBLISHED
        officer.goto("/xxgk/")
        officer.get_by_role("link", name=TITLE).click()
        expect(officer.get_by_role("heading", name=TITLE)).to_be_visible()
        body = officer.locator(".article-body")
        expect(body).to_contain_text(EDITED)
        expect(body.locator("table td", has_text="雷打石镇")).to_be_visible()
        expect(body.locator("ol li")).to_have_count(3)
        assert officer.get_by_text("最后更新").count() == 0
        public_url = officer.url

        # --- she edits the published notice: a pending change -----------------------------
        officer.goto(f"/staff/xinxi/{notice.pk}/")
        expect(officer.get_by_text("须由本机关另一名工作人员")).to_be_visible()
        _rewrite_paragraph(officer, EDITED, PUBLISHED_EDIT)
        officer.get_by_role("button", name="保存修改").click()
        expect_message(officer, "修改已提交，公开页面仍显示原内容")
        expect(officer.get_by_role("heading", name="待确认的修改")).to_be_visible()
        expect(officer.get_by_text("您是这项修改的提出人")).to_be_visible()
        officer.goto(public_url)
        expect(officer.locator(".article-body")).to_contain_text(EDITED)

        # --- the approver confirms it on the history page ---------------------------------
        approver = open_window("approver-again")
        approver.goto(f"/staff/xinxi/{notice.pk}/lishi/")
        log_in(approver, "shenhe", totp_key=key)
        expect(approver.get_by_role("heading", name="待确认的修改")).to_be_visible()
        pending = approver.locator("section.revision.pending")
        expect(pending).to_contain_text(PUBLISHED_EDIT)
        approver.get_by_role(
            "button", name="我已对修改后的内容进行保密审查，确认生效"
        ).click()
        expect_message(approver, "已确认保密审查，修改已生效并在公开页面显示。")
        assert not NoticeRevision.objects.filter(
            notice=notice, status=NoticeRevision.Status.PENDING
        ).exists()

        officer.goto(public_url)
        body = officer.locator(".article-body")
        expect(body).to_contain_text(PUBLISHED_EDIT)
        expect(body.locator("table td", has_text="群丰镇")).to_be_visible()
        expect(officer.locator("dt", has_text="最后更新")).to_be_visible()
        expect(officer.locator("dt:has-text('最后更新') + dd")).to_have_text(
            "2026年3月9日"
        )
        snap(officer, "staff_word_journey_public")
