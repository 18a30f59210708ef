"""Journey (issue 12 §2): a department's 信息员 publishes a notice without /admin/.

She signs in, opens 政府信息 → 新建政府信息, fills the statutory fields, writes the body
in the rich-text editor (Jodit, typing with its toolbar: bold, a list; a table through
Jodit's API), saves the draft, inserts an image (uploaded as an attachment, with its
替代文字), previews it in the public template, and submits it for review. The approver
— a second person, as NOTICE_SECOND_SECURITY_REVIEW requires — confirms 保密审查 in
his own browser. She sets 定时发布 a few minutes ahead; when ``publish_scheduled`` runs
after that moment, the notice is on the public list and page, its image served from
the public attachment URL. axe finds nothing serious on the list and the editor; any
CSP violation (Jodit's inline styles, a CDN script) fails the test (conftest.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Attachment, Notice
from portal import roles
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import snap
from tests.browser.journey import at, expect_message, log_in, more_windows
from tests.catalog.test_attachments import PNG_1X1
from tests.factories import AgencyFactory, StaffFactory

TITLE = "关于做好2026年秋季义务教育招生工作的通知"
WORD_PASTE = (
    "<html xmlns:o='urn:schemas-microsoft-com:office:office'><body>"
    '<!--StartFragment--><p class="MsoNormal" style="mso-margin-top-alt:auto;'
    'text-indent:21pt"><span style="font-size:12pt;font-family:宋体">附：咨询电话'
    "</span><o:p></o:p></p><!--EndFragment--></body></html>"
)
NOW = at(2026, 3, 4, 9, 0)


def _jodit_value(page) -> str:
    """What the editor will send (Jodit's value: its cursor markers removed)."""
    return page.evaluate("() => Jodit.instances[Object.keys(Jodit.instances)[0]].value")


def _body(page):
    """The body's editing area, once Jodit has replaced the textarea (deferred script:
    a locator resolved before that would hold on to the hidden textarea)."""
    expect(page.locator(".jodit-wysiwyg")).to_be_visible()
    return page.get_by_role("textbox", name="正文")


def test_info_officer_drafts_in_the_editor_approver_reviews_scheduled_publication(
    page, browser, live_server, request, settings
):
    settings.NOTICE_SECOND_SECURITY_REVIEW = True
    agency = AgencyFactory(name="天元区教育局", short_name="区教育局")
    StaffFactory(
        username="xinxi", first_name="王信息", agency=agency, roles=[roles.ADMIN]
    )
    StaffFactory(
        username="shenhe", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )
    officer = page

    with (
        time_machine.travel(NOW, tick=True),
        more_windows(browser, live_server, request) as open_window,
    ):
        # --- the list, then 新建 -----------------------------------------------------------
        # signed in on the 工作台, the 信息员 follows the workspace's 政府信息 entry
        officer.goto("/staff/")
        log_in(officer, "xinxi")
        officer.get_by_role("navigation", name="工作导航").get_by_role(
            "link", name="政府信息"
        ).click()
        expect(
            officer.get_by_role("heading", name="政府信息（主动公开）")
        ).to_be_visible()
        # the list does not load the editor (page weight)
        assert officer.locator("script[src*='jodit']").count() == 0
        assert_no_serious_violations(officer)
        officer.get_by_role("link", name="新建政府信息").click()
        expect(officer.get_by_role("heading", name="新建政府信息")).to_be_visible()

        # --- Jodit: Chinese toolbar with names, only what the sanitiser keeps ------------
        toolbar = officer.locator(".jodit-toolbar__box")
        expect(toolbar.get_by_role("button", name="粗体")).to_be_visible()
        names = officer.eval_on_selector_all(
            ".jodit-toolbar__box .jodit-toolbar-button__button",
            "els => els.map(e => e.getAttribute('aria-label'))",
        )
        assert names == [
            "格式块",
            "粗体",
            "斜体",
            "符号列表",
            "编号",
            "表格",
            "链接",
            "插入图片",
            "撤销",
            "重做",
            "清除样式",
            "改变模式",
            "全屏编辑",
        ], names
        # one control per name (a dropdown's arrow is hidden: its button opens the list)
        triggers = officer.eval_on_selector_all(
            ".jodit-toolbar__box [role=button]:not([aria-hidden=true])",
            "els => els.map(e => e.getAttribute('aria-label'))",
        )
        assert sorted(triggers) == sorted(names), triggers
        # each in the tab order (Jodit's allowTabNavigation)
        tabindexes = officer.eval_on_selector_all(
            ".jodit-toolbar__box .jodit-toolbar-button__button",
            "els => els.map(e => e.tabIndex)",
        )
        assert set(tabindexes) == {0}, tabindexes
        # a new notice has no attachments yet: the image button says to save first
        toolbar.get_by_role("button", name="插入图片").click()
        dialog = officer.get_by_role("dialog", name="插入图片")
        expect(dialog).to_contain_text("请先保存草稿再插入图片")
        dialog.get_by_role("button", name="知道了").click()
        expect(dialog).to_be_hidden()

        # --- the statutory fields --------------------------------------------------------
        officer.get_by_label("标题").fill(TITLE)
        officer.get_by_label("发文字号").fill("区教发〔2026〕3号")
        officer.get_by_label("成文日期").fill("2026-03-02")
        officer.get_by_label("主题分类").select_option(index=1)
        officer.get_by_label("体裁").select_option(index=1)
        officer.get_by_label("栏目").select_option(index=1)
        officer.get_by_label("关键词").fill("招生，入学")
        officer.get_by_label("内容概述").fill("2026年秋季义务教育招生的时间和范围。")

        # --- the body, typed -------------------------------------------------------------
        body = _body(officer)
        body.click()
        officer.keyboard.type("一、报名安排")
        toolbar.get_by_role("button", name="格式块").click()
        officer.get_by_role("button", name="标题（二级）").click()
        officer.keyboard.press("End")
        officer.keyboard.press("Enter")
        officer.keyboard.type("各学校：")
        officer.keyboard.press("Enter")
        toolbar.get_by_role("button", name="粗体").click()
        officer.keyboard.type("报名时间")
        toolbar.get_by_role("button", name="粗体").click()
        officer.keyboard.type("为7月1日至7月10日。")
        officer.keyboard.press("Enter")
        toolbar.get_by_role("button", name="符号列表").click()
        officer.keyboard.type("户口簿")
        officer.keyboard.press("Enter")
        officer.keyboard.type("房产证明")
        officer.keyboard.press("Enter")
        officer.keyboard.press("Enter")  # an empty item ends the list
        officer.keyboard.type("所需材料如下表。")
        # a table through Jodit's API (its grid picker is a mouse gadget)
        officer.evaluate(
            "() => { const e = Jodit.instances[Object.keys(Jodit.instances)[0]];"
            " e.s.insertHTML('<table><tbody><tr><td>学校</td><td>招生人数</td></tr>"
            "<tr><td>天元小学</td><td>360</td></tr></tbody></table>'); }"
        )
        # a paragraph pasted from Word: structure kept, its styles and classes gone
        officer.keyboard.press("Enter")
        officer.evaluate(
            """(html) => { const data = new DataTransfer();
              data.setData('text/html', html); data.setData('text/plain', '附：咨询电话');
              const e = Jodit.instances[Object.keys(Jodit.instances)[0]];
              e.editor.dispatchEvent(new ClipboardEvent('paste',
                {clipboardData: data, bubbles: true, cancelable: true})); }""",
            WORD_PASTE,
        )
        html = _jodit_value(officer)
        assert "附：咨询电话" in html, html
        assert "mso" not in html.lower(), html
        assert "<h2>一、报名安排</h2>" in html, html
        assert re.search(r"<strong>报名时间</strong>", html), html
        assert "<li>户口簿</li>" in html
        assert "<li>房产证明</li>" in html
        assert "<td>天元小学</td>" in html
        assert_no_serious_violations(officer)

        officer.get_by_role("button", name="保存草稿").click()
        expect_message(officer, "已保存。")
        notice = Notice.objects.get(title=TITLE)
        assert re.search(r"/staff/xinxi/\d+/$", officer.url)
        assert "<strong>报名时间</strong>" in notice.body
        assert "<table>" in notice.body
        assert "附：咨询电话" in notice.body
        assert "style=" not in notice.body
        assert "class=" not in notice.body

        # --- an image: uploaded as an attachment, 替代文字 required ------------------------
        body = _body(officer)
        body.click()
        officer.keyboard.press("Control+End")
        toolbar = officer.locator(".jodit-toolbar__box")
        toolbar.get_by_role("button", name="插入图片").click()
        dialog = officer.get_by_role("dialog", name="插入图片")
        dialog.get_by_label("图片文件").set_input_files(
            {"name": "招生范围.png", "mimeType": "image/png", "buffer": PNG_1X1}
        )
        dialog.get_by_role("button", name="上传并插入").click()
        expect(dialog.get_by_role("alert")).to_have_text(
            "请填写图片说明（替代文字），读屏软件会朗读它"
        )
        dialog.get_by_label("图片说明").fill("天元小学招生范围示意图")
        dialog.get_by_role("button", name="上传并插入").click()
        expect(dialog).to_be_hidden()
        expect(officer.locator("#editor-status")).to_contain_text("已插入图片")
        image = body.get_by_role("img", name="天元小学招生范围示意图")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.naturalWidth") == 1  # loaded (staff URL)
        officer.get_by_role("button", name="保存并提交审核").click()
        expect_message(officer, "已保存并提交审核。")
        attachment = Attachment.objects.get(notice=notice)
        public_src = f"/xxgk/{notice.uuid}/fujian/{attachment.pk}/"
        notice.refresh_from_db()
        assert f'<img src="{public_src}" alt="天元小学招生范围示意图">' in notice.body

        # --- preview: the public template, the draft's image and attachment load ---------
        with officer.expect_popup() as popup_info:
            officer.get_by_role("link", name="预览已保存的内容（新窗口）").click()
        preview = popup_info.value
        expect(preview.get_by_text("预览，尚未发布")).to_be_visible()
        expect(preview.locator(".article-body strong")).to_have_text("报名时间")
        preview_image = preview.get_by_role("img", name="天元小学招生范围示意图")
        expect(preview_image).to_be_visible()
        assert preview_image.evaluate("img => img.naturalWidth") == 1
        link = preview.get_by_role("link", name="招生范围.png")
        answer = preview.request.get(link.get_attribute("href"))
        assert answer.status == 200
        assert answer.body() == PNG_1X1
        preview.close()

        # --- the approver, in his own browser, confirms 保密审查 ---------------------------
        approver = open_window("approver")
        approver.goto("/staff/xinxi/?state=pending")
        log_in(approver, "shenhe")
        approver.goto("/staff/xinxi/?state=pending")
        approver.get_by_role("link", name=TITLE).click()
        # a 审核人 without the 管理员 role reads the editor and only confirms the review
        expect(approver.get_by_text("本页内容只读")).to_be_visible()
        expect(approver.get_by_label("标题")).to_be_disabled()
        expect(approver.get_by_role("button", name="保存草稿")).to_have_count(0)
        assert_no_serious_violations(approver)
        approver.get_by_role("button", name="确认保密审查").click()
        expect_message(approver, "已确认保密审查。")

        # --- 定时发布 in a few minutes ---------------------------------------------------
        officer.reload()
        expect(officer.locator(".meta-list")).to_contain_text("张审核")
        when = NOW + timedelta(minutes=30)
        officer.get_by_label("定时发布时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
        officer.get_by_role("button", name="保存并定时发布").click()
        expect_message(officer, "已保存，并定于 2026-03-04 09:30 自动发布。")
        notice.refresh_from_db()
        assert notice.status == Notice.Status.DRAFT
        assert notice.security_reviewed_by.username == "shenhe"
        assert officer.request.get(public_src).status == 404  # not public yet
        snap(officer, "staff_editor_journey_scheduled")

    # --- the timer runs after that minute: published, with its image -----------------
    with time_machine.travel(at(2026, 3, 4, 9, 31), tick=True):
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        assert f"已发布：{TITLE}" in out.getvalue()
        notice.refresh_from_db()
        assert notice.status == Notice.Status.PUBLISHED
        assert notice.published_at == at(2026, 3, 4, 9, 30)
        officer.goto("/xxgk/")
        officer.get_by_role("link", name=TITLE).click()
        expect(officer.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(officer.locator(".article-body strong")).to_have_text("报名时间")
        public_image = officer.get_by_role("img", name="天元小学招生范围示意图")
        expect(public_image).to_have_attribute("src", public_src)
        assert public_image.evaluate("img => img.naturalWidth") == 1
        snap(officer, "staff_editor_journey_public")
