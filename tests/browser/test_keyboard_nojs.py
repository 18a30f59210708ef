"""Keyboard only, and no JavaScript at all.

* The application form is filled and submitted with the keyboard alone (Tab, typing,
  Space, arrow keys, Enter; no clicks). Every element that takes focus on the way shows
  a visible focus indicator (an outline or a box-shadow), and the skip link is the first
  Tab stop and moves focus to the main content.
* With JavaScript switched off, a citizen can search and filter the catalog, switch 字体,
  and submit an application.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from catalog.demo import build_pdf
from requests_app.models import InfoRequest, Status
from tests.browser.conftest import snap
from tests.catalog.public_data import at, publish, theme

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
VALID_ID = "11010519491231002X"
MAX_TAB_STOPS = 80  # a bound on the walk to any one control: a page with more is a bug

FOCUS_STYLE_JS = """
el => {
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')
          + ' ' + (el.innerText || el.value || '').slice(0, 30),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
    shadow: !!s.boxShadow && s.boxShadow !== 'none',
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
              && r.top < innerHeight && r.left < innerWidth,
  };
}
"""


@pytest.fixture
def pinned_time():
    with time_machine.travel(MONDAY, tick=True):
        yield


def focused(page: Page) -> dict:
    return page.evaluate_handle("() => document.activeElement").evaluate(FOCUS_STYLE_JS)


def assert_focus_visible(page: Page) -> dict:
    state = focused(page)
    assert state["outline"] or state["shadow"], (
        f"no visible focus indicator on {state['what']}"
    )
    assert state["onScreen"], f"focused element is off screen: {state['what']}"
    return state


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus, checking that every
    element focused on the way shows where the focus is."""
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with {MAX_TAB_STOPS} Tab presses")


def choose_file_with_the_keyboard(page: Page, selector: str, path: Path) -> None:
    """Space on the focused file field opens the file chooser. Headless chromium now and
    then drops the first activation when the machine is busy; a keyboard user would
    press Space again, and so does this (the field must still have the focus)."""
    for _ in range(3):
        assert page.evaluate("s => document.activeElement.matches(s)", selector)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        chooser.value.set_files(path)
        return
    raise AssertionError(f"Space on {selector} never opened the file chooser")


def id_proof(tmp_path: Path) -> Path:
    path = tmp_path / "身份证.pdf"
    path.write_bytes(build_pdf("居民身份证复印件", ["李华 110105********002X"]))
    return path


# -- keyboard only --------------------------------------------------------------------------------


def test_application_form_with_the_keyboard_only(
    page: Page, agency, tmp_path, pinned_time
):
    page.goto("/ysq/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请表")

    # the skip link is the first Tab stop, visible when focused, and lands on <main>
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert_focus_visible(page)

    # 申请人类型: the checked radio takes focus; arrow keys switch the fields shown
    tab_to(page, "#id_applicant_type_0")
    org_uscc = page.get_by_label("统一社会信用代码")
    expect(org_uscc).to_be_hidden()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="法人或者其他组织")).to_be_checked()
    expect(org_uscc).to_be_visible()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("radio", name="公民")).to_be_checked()
    expect(org_uscc).to_be_hidden()

    tab_to(page, "#id_name")
    page.keyboard.type("李华")
    tab_to(page, "#id_id_number")
    page.keyboard.type(VALID_ID)
    tab_to(page, "#id_phone")
    page.keyboard.type("0731-28112345")
    tab_to(page, "#id_address")
    page.keyboard.type("湖南省株洲市天元区黄河北路2号")
    tab_to(page, "#id_agency")
    page.keyboard.press("ArrowDown")  # the first (only) agency after “请选择机关”
    expect(page.get_by_label("向哪个机关申请")).to_have_value(str(agency.pk))
    tab_to(page, "#id_description")
    page.keyboard.type("请公开天元区2025年学校食堂食品安全检查结果。")
    tab_to(page, "#id_provide_forms_0")  # 纸面
    page.keyboard.press("Space")
    tab_to(page, "#id_delivery_methods_0")  # 邮寄
    page.keyboard.press("Space")
    tab_to(page, "#id_id_proof")
    choose_file_with_the_keyboard(page, "#id_id_proof", id_proof(tmp_path))
    tab_to(page, "#id_declaration")
    page.keyboard.press("Space")
    expect(page.get_by_label("我承诺以上信息真实有效")).to_be_checked()
    tab_to(page, "form.ysq-apply button[type=submit]")
    page.keyboard.press("Enter")

    # the confirm page, again by keyboard
    expect(page.get_by_role("heading", level=1)).to_have_text("核对申请")
    expect(page.get_by_role("region", name="申请内容")).to_contain_text("李华")
    tab_to(
        page, "main button[type=submit]:not([formaction])"
    )  # 确认提交 (not 返回修改)
    expect(page.get_by_role("button", name="确认提交")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    tracking_no = page.locator(".ysq-credentials dd").first.inner_text()
    req = InfoRequest.objects.get(tracking_no=tracking_no)
    assert req.status == Status.PENDING
    assert (req.applicant_name, req.agency_id) == ("李华", agency.pk)
    assert req.provide_forms == ["paper"]
    assert req.delivery_methods == ["post"]
    assert req.description == "请公开天元区2025年学校食堂食品安全检查结果。"
    assert req.files.count() == 1


def test_the_focus_check_catches_a_missing_indicator(page: Page):
    """The check above means something: with the indicator switched off on links
    (through the CSSOM, which the Content-Security-Policy allows), it fails."""
    page.goto("/ysq/apply/")
    page.evaluate(
        "() => document.querySelectorAll('a').forEach(a => {"
        " a.style.setProperty('outline', 'none', 'important');"
        " a.style.setProperty('box-shadow', 'none', 'important'); })"
    )
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    with pytest.raises(AssertionError, match="no visible focus indicator on a"):
        assert_focus_visible(page)


# -- without JavaScript -------------------------------------------------------------------------------


@pytest.fixture
def three_notices(agency):
    education, finance = (
        theme("教育", parent="科技、教育"),
        theme("财政", parent="财政、金融、审计"),
    )
    publish(
        agency=agency,
        title="关于2025年学校食堂食品安全检查的通报",
        theme=education,
        published_at=at(2025, 4, 1),
    )
    publish(
        agency=agency,
        title="2024年学校食堂食品安全检查结果",
        theme=education,
        published_at=at(2024, 4, 1),
    )
    publish(
        agency=agency,
        title="2025年学校食堂食品安全专项经费安排",
        theme=finance,
        published_at=at(2025, 5, 1),
    )
    publish(
        agency=agency,
        title="关于做好2025年义务教育招生工作的通知",
        theme=education,
        published_at=at(2025, 6, 1),
    )


def titles(page: Page) -> list[str]:
    return sorted(page.locator("ol.results-list > li h3").all_inner_texts())


def test_search_filter_and_font_work_without_javascript(nojs_page: Page, three_notices):
    page = nojs_page
    page.goto("/")
    box = page.get_by_role("searchbox", name="关键词")
    box.fill("食堂食品安全")
    box.press("Enter")  # a plain GET form

    expect(page.get_by_role("heading", name="共 3 条")).to_be_visible()
    assert titles(page) == sorted(
        [
            "关于2025年学校食堂食品安全检查的通报",
            "2024年学校食堂食品安全检查结果",
            "2025年学校食堂食品安全专项经费安排",
        ]
    )
    page.get_by_role("region", name="主题分类").get_by_role(
        "link", name=re.compile(r"^科技、教育")
    ).click()
    expect(page.get_by_role("heading", name="共 2 条")).to_be_visible()
    page.get_by_role("region", name="发布年份").get_by_role(
        "link", name=re.compile(r"^2025年")
    ).click()
    expect(page.get_by_role("heading", name="共 1 条")).to_be_visible()
    assert titles(page) == ["关于2025年学校食堂食品安全检查的通报"]
    url = page.url

    # 字体 大 is a plain link: the server sets the cookie and sends the citizen back here
    page.get_by_role("group", name="显示设置").get_by_role(
        "link", name=re.compile(r"^大\s*号字体$")
    ).click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-large\b"))
    assert page.url == url
    assert titles(page) == ["关于2025年学校食堂食品安全检查的通报"]
    page.get_by_role("group", name="显示设置").get_by_role(
        "link", name=re.compile(r"^中\s*号字体$")
    ).click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-medium\b"))


def test_application_can_be_submitted_without_javascript(
    nojs_page: Page, agency, tmp_path, pinned_time
):
    page = nojs_page
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="依申请公开"
    ).click()
    page.get_by_role("link", name="在线提交申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开申请表")

    form = page.locator("form.ysq-apply")
    # without the script both applicant groups stay on the page; a citizen fills theirs
    expect(form.get_by_label("统一社会信用代码")).to_be_visible()
    form.get_by_label("姓名或者名称").fill("李华")
    form.get_by_label("证件号码").fill(VALID_ID)
    form.get_by_label("联系电话").fill("13812341234")
    form.get_by_label("通信地址").fill("湖南省株洲市天元区黄河北路2号")
    form.get_by_label("向哪个机关申请").select_option(label="天元区教育局")
    form.get_by_label("所需信息的内容描述").fill(
        "请公开天元区2025年学校食堂食品安全检查结果。"
    )
    form.get_by_role("group", name="所需信息的指定提供方式").get_by_label(
        "纸面"
    ).check()
    form.get_by_role("group", name="获取信息的方式").get_by_label("邮寄").check()
    form.get_by_label("身份证明").set_input_files(id_proof(tmp_path))
    form.get_by_label("我承诺以上信息真实有效").check()
    page.get_by_role("button", name="下一步：核对申请").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("核对申请")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    tracking_no = page.locator(".ysq-credentials dd").first.inner_text()
    assert re.fullmatch(r"YSQ-2026-\d{6}", tracking_no)
    expect(page.locator(".ysq-credentials dd").nth(1)).to_have_text(
        re.compile(r"^[0-9A-Z]{4}( [0-9A-Z]{4}){3}$")
    )
    req = InfoRequest.objects.get(tracking_no=tracking_no)
    assert req.applicant_name == "李华"
    assert req.files.count() == 1
    snap(page, "citizen_apply_nojs_done")


def test_script_only_buttons_stay_hidden_until_their_script_runs(nojs_page: Page):
    """Controls that only work with JavaScript carry ``hidden`` in the markup (the script
    unhides them), so a page without JavaScript must not show them."""
    page = nojs_page
    page.goto("/ysq/apply/done/")
    page.evaluate(  # the 打印本页 button exactly as apply_done.html writes it
        "() => { const b = document.createElement('button'); b.type = 'button';"
        " b.className = 'button big'; b.dataset.print = ''; b.hidden = true; b.textContent = '打印本页';"
        " document.querySelector('main').append(b); }"
    )
    expect(page.get_by_role("button", name="打印本页")).to_be_hidden()
