"""Journey: a citizen applies for information on a phone, in a real browser.

The citizen fills the application form with one mistake (a 居民身份证 number with a wrong
check digit), sees the Chinese message tied to the field with everything else still
filled in, fixes it, confirms and reads the 申请编号 and 查询码. Later, in a new browser
(a returning applicant), they look the case up, answer the 补正 the handler asks for and
read the reply, downloading the reply file. Staff act through ``requests_app.services``,
as the workbench does.

Time is pinned (ticking) to Monday 2026-03-02 10:00 in Beijing for the application and
to Wednesday 2026-03-04 for the return, in the live server too, so every date on the
pages is known.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from catalog.demo import build_pdf
from portal.timeutil import local_now
from requests_app import services
from requests_app.models import InfoRequest, Status
from tests.browser.conftest import _new_page, snap
from tests.factories import send_reply

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
WEDNESDAY = datetime(2026, 3, 4, 9, 30, tzinfo=TZ)  # the applicant comes back
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

VALID_ID = "11010519491231002X"
BAD_CHECK_DIGIT = "110105194912310021"
DESCRIPTION = "请公开天元区2025年义务教育学校招生划片方案（含各小学的划片范围）。"


@pytest.fixture
def returning_page(browser, live_server, request, phone_page):
    """A second phone browser (its own context: no cookies, no session), for the
    applicant coming back later. Watched like ``phone_page``."""
    context, page = _new_page(browser, live_server, request, **PHONE)
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None)
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        snap(page, request.node.nodeid + "-returning-failed")
    context.close()
    if not failed:
        watch = page.watch
        assert not watch.foreign_requests, (
            f"requests to another host: {watch.foreign_requests}"
        )
        assert not watch.page_errors, f"script errors: {watch.page_errors}"
        assert not watch.console_errors, (
            f"console errors (CSP?): {watch.console_errors}"
        )


@pytest.fixture
def pinned_time():
    """Requested first, so that the staff, the agency and the browsers are made at the
    pinned moment too; the live server (a thread of this process) sees it as well."""
    with time_machine.travel(MONDAY, tick=True):
        yield


def id_proof_file(tmp_path: Path) -> Path:
    path = tmp_path / "身份证.pdf"
    path.write_bytes(build_pdf("居民身份证复印件", ["王小明 110105********002X"]))
    return path


def fill_application(page: Page, *, id_number: str, proof: Path) -> None:
    """Type an application as a citizen would, field by field (labels, not ids)."""
    form = page.locator("form.ysq-apply")
    expect(form.get_by_role("radio", name="公民")).to_be_checked()  # the default
    form.get_by_label("姓名或者名称").fill("王小明")
    expect(form.get_by_label("证件类型")).to_have_value("resident_id")  # 居民身份证
    form.get_by_label("证件号码").fill(id_number)
    form.get_by_label("工作单位").fill("天元区第一中学")
    form.get_by_label("联系电话").fill("138 1234 1234")
    form.get_by_label("电子邮箱").fill("wang@example.com")
    form.get_by_label("通信地址").fill("湖南省株洲市天元区天台路1号")
    form.get_by_label("邮政编码").fill("412007")
    form.get_by_label("向哪个机关申请").select_option(label="天元区教育局")
    form.get_by_label("所需信息的内容描述").fill(DESCRIPTION)
    form.get_by_label("所需信息的名称").fill("天元区2025年义务教育学校招生划片方案")
    provide = form.get_by_role("group", name="所需信息的指定提供方式")
    provide.get_by_label("纸面").check()
    provide.get_by_label("电子邮件").check()
    form.get_by_role("group", name="获取信息的方式").get_by_label("电子邮件").check()
    form.get_by_label("身份证明").set_input_files(proof)
    form.get_by_label("我承诺以上信息真实有效").check()


def case_fact(page: Page, label: str):
    return (
        page.locator("dl.case-facts > div")
        .filter(has=page.locator("dt", has_text=re.compile(f"^{label}$")))
        .locator("dd")
    )


def assert_download_links_work(page: Page) -> None:
    """Every file the case page offers can actually be downloaded."""
    links = page.locator("main a[download]")
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200, (
            f"{links.nth(i).inner_text()} ({href}) answers {response.status}"
        )


def test_citizen_applies_fixes_an_error_follows_the_case_corrects_and_reads_the_reply(
    pinned_time, phone_page: Page, returning_page: Page, agency, staff_user, tmp_path
):
    page = phone_page
    proof = id_proof_file(tmp_path)

    # -- apply --------------------------------------------------------------------------
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="依申请公开"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("依申请公开")
    page.get_by_role("link", name="在线提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请表")

    fill_application(page, id_number=BAD_CHECK_DIGIT, proof=proof)
    page.get_by_role("button", name="下一步：核对申请").click()

    # the error: summarised at the top, and tied to the field itself
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("提交未成功，请修改以下 1 处问题")
    id_field = page.get_by_label("证件号码")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    expect(id_field).to_have_accessible_description(
        re.compile("身份证号码校验位不正确")
    )
    error_id = page.locator(".errorlist", has_text="校验位不正确").get_attribute("id")
    assert error_id in (id_field.get_attribute("aria-describedby") or "").split()
    summary.get_by_role("link", name=re.compile("^证件号码：")).click()
    expect(id_field).to_be_focused()

    # everything typed is still there; only the file must be chosen again, as the page says
    form = page.locator("form.ysq-apply")
    expect(id_field).to_have_value(BAD_CHECK_DIGIT)
    expect(form.get_by_label("姓名或者名称")).to_have_value("王小明")
    expect(form.get_by_label("工作单位")).to_have_value("天元区第一中学")
    expect(form.get_by_label("联系电话")).to_have_value("138 1234 1234")
    expect(form.get_by_label("电子邮箱")).to_have_value("wang@example.com")
    expect(form.get_by_label("通信地址")).to_have_value("湖南省株洲市天元区天台路1号")
    expect(form.get_by_label("邮政编码")).to_have_value("412007")
    expect(form.get_by_label("向哪个机关申请")).to_have_value(str(agency.pk))
    expect(form.get_by_label("所需信息的内容描述")).to_have_value(DESCRIPTION)
    expect(form.get_by_label("所需信息的名称")).to_have_value(
        "天元区2025年义务教育学校招生划片方案"
    )
    provide = form.get_by_role("group", name="所需信息的指定提供方式")
    expect(provide.get_by_label("纸面")).to_be_checked()
    expect(provide.get_by_label("电子邮件")).to_be_checked()
    expect(provide.get_by_label("光盘")).not_to_be_checked()
    expect(
        form.get_by_role("group", name="获取信息的方式").get_by_label("电子邮件")
    ).to_be_checked()
    expect(form.get_by_label("我承诺以上信息真实有效")).to_be_checked()
    expect(page.locator("#file-reselect")).to_contain_text("重新选择文件")
    proof_field = form.get_by_label("身份证明")
    assert proof_field.evaluate("el => el.files.length") == 0

    # fix it
    id_field.fill(VALID_ID)
    proof_field.set_input_files(proof)
    page.get_by_role("button", name="下一步：核对申请").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("核对申请")
    application = page.get_by_role("region", name="申请内容")
    expect(application).to_contain_text("王小明")
    expect(application).to_contain_text(f"居民身份证 {VALID_ID}")
    expect(application).to_contain_text(DESCRIPTION)
    expect(application).to_contain_text("身份证.pdf")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    credentials = page.locator(".ysq-credentials")
    tracking_no = (
        credentials.locator("div", has=page.locator("dt", has_text="申请编号"))
        .locator("dd")
        .inner_text()
    )
    query_code = (
        credentials.locator("div", has=page.locator("dt", has_text="查询码"))
        .locator("dd")
        .inner_text()
    )
    assert re.fullmatch(r"YSQ-2026-\d{6}", tracking_no), tracking_no
    assert re.fullmatch(r"[0-9A-Z]{4}( [0-9A-Z]{4}){3}", query_code), query_code
    expect(
        page.get_by_text("已发送到您填写的电子邮箱 wa***@example.com")
    ).to_be_visible()

    req = InfoRequest.objects.get(tracking_no=tracking_no)
    assert req.status == Status.PENDING
    assert req.applicant_name == "王小明"
    assert req.agency_id == agency.pk

    # -- two days later, the applicant comes back in another browser ---------------------
    with time_machine.travel(WEDNESDAY, tick=True):
        later = returning_page
        later.goto("/")
        later.get_by_role("navigation", name="主导航").get_by_role(
            "link", name="依申请公开"
        ).click()
        later.get_by_role("link", name="查询办理进度").click()
        expect(later.get_by_role("heading", level=1)).to_have_text("查询办理进度")
        later.get_by_label("申请编号").fill(tracking_no)
        later.get_by_label("查询码").fill(query_code)
        later.get_by_role("button", name="查询").click()

        expect(later.get_by_role("heading", level=1)).to_have_text("申请办理进度")
        expect(case_fact(later, "申请编号")).to_have_text(tracking_no)
        expect(case_fact(later, "办理状态")).to_have_text("待确认")
        expect(case_fact(later, "受理机关")).to_have_text("天元区教育局")
        expect(case_fact(later, "提交时间")).to_have_text(
            re.compile(r"^2026-03-02 10:0\d$")
        )
        expect(case_fact(later, "收到申请之日")).to_have_text("待工作人员确认")
        assert_download_links_work(later)

        # staff confirm it and ask for a 补正 (条例 第三十条)
        services.request_confirm(info_request=req, by=staff_user, now=local_now())
        services.request_ask_correction(
            info_request=req,
            by=staff_user,
            now=local_now(),
            items="请写明需要哪一所小学的划片范围。",
        )

        later.reload()
        expect(case_fact(later, "办理状态")).to_have_text("待补正")
        expect(case_fact(later, "收到申请之日")).to_have_text(
            "2026年3月4日"
        )  # the day both sides confirmed
        correction = later.get_by_role("region", name="需要您补正")
        expect(correction).to_contain_text("请写明需要哪一所小学的划片范围。")
        expect(correction).to_contain_text("2026年3月4日 通知您补正")
        correction.get_by_label("补正内容").fill("需要天元区栗雨小学的划片范围。")
        correction.get_by_role("button", name="提交补正").click()

        expect(
            later.get_by_role("status").filter(has_text="补正已提交")
        ).to_be_visible()
        expect(case_fact(later, "办理状态")).to_have_text("办理中")
        expect(later.get_by_role("region", name="需要您补正")).to_have_count(0)
        # the clock restarts on the day of the correction: 20 working days → 2026-04-01
        expect(later.get_by_role("region", name="答复期限")).to_contain_text(
            "2026年4月1日"
        )
        expect(later.get_by_role("region", name="办理记录")).to_contain_text(
            "已收到补正（2026年3月4日）"
        )
        req.refresh_from_db()
        assert req.status == Status.PROCESSING
        assert req.correction_text == "需要天元区栗雨小学的划片范围。"

        # staff reply: 予以公开, with the information as a PDF
        reply_pdf = build_pdf(
            "天元区2025年义务教育学校招生划片方案", ["栗雨小学：栗雨街道全域"]
        )
        letter_title, letter = services.render_reply_letter(
            info_request=req,
            ground="disclosed_provide",
            letter_date=local_now().date(),
            material_kind="attachment",
        )
        send_reply(
            info_request=req,
            by=staff_user,
            outcome="disclosed",
            now=local_now(),
            letter_text=letter,
            files=[
                SimpleUploadedFile(
                    "招生划片方案.pdf", reply_pdf, content_type="application/pdf"
                )
            ],
        )

        later.reload()
        expect(case_fact(later, "办理状态")).to_have_text("已答复")
        expect(case_fact(later, "办理结果")).to_have_text("予以公开")
        replies = later.get_by_role("region", name="答复")
        expect(replies.get_by_role("heading", level=3)).to_contain_text(
            f"{letter_title}（2026年3月4日）"
        )
        expect(replies.locator(".letter")).to_contain_text("王小明")
        expect(replies.locator(".letter")).to_contain_text(tracking_no)
        with later.expect_download() as info:
            replies.get_by_role("link", name="招生划片方案.pdf").click()
        download = info.value
        assert download.failure() is None
        saved = tmp_path / "reply.pdf"
        download.save_as(saved)
        assert saved.read_bytes() == reply_pdf
        assert_download_links_work(later)
        snap(later, "citizen_apply_final")
