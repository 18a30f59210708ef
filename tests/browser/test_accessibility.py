"""Accessibility and 适老化 (issue 5 §2, domain.md §6), in a real browser.

Every page type (``site_tour.tour``: public pages, the applicant's pages, the staff
pages) is scanned with axe-core — at desktop size, at phone size, and with 高对比度 and
大号字体 at 640 CSS px (= a 1280 px window zoomed to 200 %) — and must have **no serious
or critical violation**. Closed ``<details>`` (the staff action forms) are opened first so
their forms are scanned too. The phone and 200 % tours also check reflow: the document
never scrolls sideways; only data tables scroll, inside a labelled, focusable region.

Further tests: the 字体/高对比度 switches work and persist (with and without JavaScript),
every page works without JavaScript, colour is never the only signal, and every form
field has a label with its error linked to it (aria-describedby, aria-invalid).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser import site_tour
from tests.browser.axe import BLOCKING, RUN_OPTIONS, _source, format_violations

pytestmark = pytest.mark.usefixtures("tour_clock")  # the tour is built around "today"

# The harness's rule set. axe files text whose colour equals its background (1:1) or that
# is very short (a "0" in a table, the 大/中/小 buttons) under "incomplete" (needs review),
# not under violations — yet a 1:1 ratio is text nobody can read (it hid the report's
# download buttons in 高对比度). So the incomplete color-contrast nodes whose colours axe
# could measure count as serious when their ratio is below the required one. Passes are
# not collected (most of axe's time on a large page).
AXE_OPTIONS = {**RUN_OPTIONS, "resultTypes": ["violations", "incomplete"]}
AXE_JS = """async (options) => {
  const r = await axe.run(document, options);
  const pick = (v, nodes) => ({id: v.id, impact: v.impact, help: v.help, nodes: nodes.map(n => ({
    target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary}))});
  const out = r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => pick(v, v.nodes));
  for (const v of r.incomplete.filter(v => v.id === 'color-contrast')) {
    const measured = v.nodes.filter(n => n.any.some(c => c.data && c.data.fgColor && c.data.bgColor
      && typeof c.data.contrastRatio === 'number' && c.data.contrastRatio > 0
      && c.data.contrastRatio < parseFloat(c.data.expectedContrastRatio)));
    if (measured.length) out.push({...pick(v, measured), id: 'color-contrast (measured, axe: needs review)',
                                   impact: 'serious'});
  }
  return out;
}"""


def serious_violations(page) -> list[dict]:
    """Serious and critical axe violations, plus measured contrast failures axe left for review."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    found = page.evaluate(AXE_JS, AXE_OPTIONS)
    assert all(v["impact"] in BLOCKING for v in found)
    return found


OPEN_DETAILS_JS = (
    "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
)
CLASSES_JS = "() => [...document.documentElement.classList].sort().join(' ')"

# Sideways scrolling (WCAG 1.4.10 Reflow). Data tables may scroll inside a region that is
# labelled and reachable with the keyboard; nothing else may be wider than the window.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const problems = [];
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`document scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  }
  for (const region of document.querySelectorAll('.table-scroll')) {
    if (region.scrollWidth > region.clientWidth) {
      const label = region.getAttribute('aria-label') || region.getAttribute('aria-labelledby');
      if (!label || region.getAttribute('role') !== 'region' || region.tabIndex !== 0) {
        problems.push('a scrolling table region without role=region, a label or tabindex=0: '
                      + region.outerHTML.slice(0, 120));
      }
    }
  }
  const width = root.clientWidth;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-scroll, .sr-only, .skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      problems.push(`sticks out (${Math.round(box.right)} > ${width}): ${el.outerHTML.slice(0, 120)}`);
      break;
    }
  }
  return problems;
}"""

# Every form control has a label; a field in error says so (aria-invalid) and points at its
# error text (aria-describedby on the control, or on the fieldset of a radio/checkbox group).
FORM_FIELDS_JS = """() => {
  const problems = [];
  let invalid = 0;
  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]), select, textarea');
  for (const c of controls) {
    const what = `${c.tagName.toLowerCase()}[name=${c.name}]`;
    const labelled = [...c.labels].some(l => l.textContent.trim())
      || (c.getAttribute('aria-label') || '').trim()
      || (c.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => document.getElementById(id));
    if (!labelled) problems.push(`no label: ${what}`);
    const inError = c.closest('.field-error');
    if (c.getAttribute('aria-invalid') === 'true') {
      invalid += 1;
      const ids = [c.getAttribute('aria-describedby'), c.closest('fieldset')?.getAttribute('aria-describedby')]
        .join(' ').split(/\\s+/).filter(id => id && id !== 'null' && id !== 'undefined');
      const errors = ids.map(id => document.getElementById(id))
        .filter(el => el && el.classList.contains('errorlist') && el.textContent.trim());
      if (!errors.length) problems.push(`aria-invalid without a linked error text: ${what}`);
    } else if (inError) {
      problems.push(`in a field with an error but not aria-invalid: ${what}`);
    }
  }
  for (const list of document.querySelectorAll('.field .errorlist')) {
    if (!list.id || !document.querySelector(`[aria-describedby~="${list.id}"]`)) {
      problems.push(`an error no field points at: ${list.textContent.trim().slice(0, 60)}`);
    }
  }
  return {problems, invalid};
}"""

# Colour is never the only signal: every coloured state marker carries words.
COLOUR_MARKERS_JS = """() => {
  const problems = [];
  const markers = '.badge, .errorlist, .error-summary, .message, .check-error, .check-warning, td.failing,'
    + ' .count-overdue, .count-due_soon, tr.row-overdue, tr.row-due-soon, .notice-box, .warning-text';
  for (const el of document.querySelectorAll(markers)) {
    // text a screen reader or a reader of the page gets (aria-hidden icons do not count)
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach(n => n.remove());
    if (!/[\\p{Script=Han}A-Za-z0-9]/u.test(copy.textContent)) {
      problems.push(`no words, only colour: ${el.outerHTML.slice(0, 120)}`);
    }
  }
  return problems;
}"""


def _scan(found: dict[str, list], reflow: bool = False):
    def visit(name: str, page) -> None:
        page.evaluate(OPEN_DETAILS_JS)
        violations = serious_violations(page)
        if violations:
            found[f"{name} {page.url}"] = violations
        if reflow:
            problems = page.evaluate(OVERFLOW_JS)
            if problems:
                found[f"{name} {page.url} (reflow)"] = problems

    return visit


def _summary(found: dict[str, list]) -> str:
    """One line per page and rule (with up to three offending elements)."""
    lines = []
    for where, items in found.items():
        for item in items:
            if isinstance(item, str):
                lines.append(f"{where}: {item}")
            else:
                html = " | ".join(node["html"][:90] for node in item["nodes"][:3])
                lines.append(
                    f"{where}: {item['id']} ({item['impact']}, {len(item['nodes'])}×) {html}"
                )
    return "\n".join(lines)


def _assert_clean(found: dict[str, list], seen: list[str]) -> None:
    assert len(seen) >= 25, seen
    assert not found, _summary(found) + "\n\n" + format_violations(found)


# --- axe on every page type ---------------------------------------------------------------------


def test_every_page_type_passes_axe_on_a_desktop_with_labels_and_words_not_only_colour(
    page,
):
    """Desktop tour: axe, plus on every page every form field labelled and every coloured
    state marker carrying words; then the markers that matter most, one by one."""
    world = site_tour.build_world()
    found: dict[str, list] = {}
    scan = _scan(found)

    def visit(name: str, pg) -> None:
        scan(name, pg)  # opens every <details> first
        fields = pg.evaluate(FORM_FIELDS_JS)["problems"]
        colour = pg.evaluate(COLOUR_MARKERS_JS)
        if fields or colour:
            found[f"{name} {pg.url} (labels, colour)"] = fields + colour

    seen = site_tour.tour(page, world, visit)
    _assert_clean(found, seen)

    # overdue and due-soon applications say so in words, in the queue and on the case
    site_tour.open_page(page, reverse("requests_app:staff_queue"))
    overdue = page.locator("tr.row-overdue")
    soon = page.locator("tr.row-due-soon")
    assert overdue.count() >= 1
    assert soon.count() >= 1
    for i in range(overdue.count()):
        assert "已逾期" in overdue.nth(i).inner_text()
    for i in range(soon.count()):
        assert "即将到期" in soon.nth(i).inner_text()
    site_tour.open_page(page, world.staff_request_url)
    assert "已逾期" in page.locator("main").inner_text()

    # a failing report check: in the list of checks and on the table cell, in words
    site_tour.open_page(page, world.draft_report_url)
    failing = page.locator(".check-error")
    assert failing.count() >= 1
    for i in range(failing.count()):
        assert "未通过" in failing.nth(i).inner_text()
    cells = page.locator("td.failing")
    assert cells.count() >= 1
    for i in range(cells.count()):
        assert "核对未通过" in cells.nth(i).text_content()


def test_every_page_type_passes_axe_on_a_phone_without_sideways_scrolling(phone_page):
    world = site_tour.build_world()
    found: dict[str, list] = {}
    seen = site_tour.tour(phone_page, world, _scan(found, reflow=True))
    _assert_clean(found, seen)


def test_high_contrast_and_large_type_at_200_percent_zoom(
    browser, live_server, request, transactional_db, django_db_serialized_rollback
):
    """高对比度 on and 字体 大, 640 CSS px wide (1280 px at 200 % zoom): axe finds nothing
    serious (colour contrast is checked in the dark theme too) and nothing scrolls sideways."""
    from tests.browser.conftest import _finish, _new_page

    context, page = _new_page(
        browser, live_server, request, viewport={"width": 640, "height": 800}
    )
    try:
        world = site_tour.build_world()
        site_tour.open_page(page, "/")
        page.get_by_role("button", name="高对比度").click()
        page.get_by_role("link", name="大号字体").click()
        assert page.evaluate(CLASSES_JS) == "contrast font-large"
        found: dict[str, list] = {}
        scan = _scan(found, reflow=True)

        def visit(name: str, pg) -> None:
            assert pg.evaluate(CLASSES_JS) == "contrast font-large", (
                name
            )  # the cookies persist
            scan(name, pg)
            # non-text contrast: chart bars stay visible on the black background
            hidden_bars = pg.evaluate(
                "() => [...document.querySelectorAll('.chart-bar')].filter(b =>"
                " getComputedStyle(b).fill === getComputedStyle(document.body).backgroundColor).length"
            )
            if hidden_bars:
                found[f"{name} {pg.url} (chart)"] = [
                    f"{hidden_bars} chart bars drawn in the background colour"
                ]

        seen = site_tour.tour(page, world, visit)
        _assert_clean(found, seen)
    finally:
        _finish(context, page, request)


# --- the switches ---------------------------------------------------------------------------------


def _root_font_px(page) -> float:
    return page.evaluate(
        "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    )


def _body_colours(page) -> tuple[str, str]:
    return tuple(
        page.evaluate(
            "() => { const s = getComputedStyle(document.body); return [s.color, s.backgroundColor]; }"
        )
    )


def test_font_and_contrast_switches_work_and_persist_with_javascript(page):
    site_tour.open_page(page, "/")
    prefs = page.get_by_role("group", name="显示设置")
    medium = _root_font_px(page)
    normal_colours = _body_colours(page)
    assert (
        prefs.get_by_role("link", name="中号字体").get_attribute("aria-current")
        == "true"
    )

    prefs.get_by_role("link", name="大号字体").click()
    assert _root_font_px(page) >= medium * 1.2
    assert (
        prefs.get_by_role("link", name="大号字体").get_attribute("aria-current")
        == "true"
    )
    assert (
        prefs.get_by_role("link", name="中号字体").get_attribute("aria-current") is None
    )
    toggle = prefs.get_by_role("button", name="高对比度")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert re.search("开", toggle.inner_text())
    dark = _body_colours(page)
    assert dark != normal_colours
    assert dark[1] == "rgb(0, 0, 0)"

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["xxgk_font"]["value"] == "large"
    assert cookies["xxgk_contrast"]["value"] == "on"
    assert (
        cookies["xxgk_font"]["expires"] > 0
    )  # kept for a year, not only for this browser session

    # the next page, rendered by the server from the cookies
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="政府信息公开指南"
    ).click()
    page.wait_for_url("**" + reverse("catalog:guide"))
    assert page.evaluate(CLASSES_JS) == "contrast font-large"
    assert _root_font_px(page) >= medium * 1.2
    assert (
        prefs.get_by_role("button", name="高对比度").get_attribute("aria-pressed")
        == "true"
    )
    assert _body_colours(page) == dark

    prefs.get_by_role("link", name="小号字体").click()
    assert _root_font_px(page) < medium
    prefs.get_by_role("button", name="高对比度").click()
    page.reload()
    assert page.evaluate(CLASSES_JS) == "font-small"
    assert _body_colours(page) == normal_colours
    assert (
        prefs.get_by_role("button", name="高对比度").get_attribute("aria-pressed")
        == "false"
    )


def test_switches_navigation_search_and_filters_work_without_javascript(nojs_page):
    """No JavaScript at all: every page type opens (the tour clicks, fills and submits real
    links and forms), the switches are plain links and a GET form that set cookies and
    come back to the same page, the search box and the filter links work."""
    page = nojs_page
    world = site_tour.build_world()
    guide = reverse("catalog:guide")
    site_tour.open_page(page, guide)
    prefs = page.get_by_role("group", name="显示设置")
    prefs.get_by_role("link", name="大号字体").click()
    page.wait_for_url("**" + guide)
    assert "font-large" in page.locator("html").get_attribute("class")
    prefs.get_by_role("button", name="高对比度").click()
    page.wait_for_url("**" + guide)
    assert page.locator("html").get_attribute("class") == "font-large contrast"
    assert (
        prefs.get_by_role("button", name="高对比度").get_attribute("aria-pressed")
        == "true"
    )

    # navigation: the main menu, then every page type with the settings kept
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="政府信息公开目录"
    ).click()
    page.wait_for_url("**" + reverse("catalog:notice_list"))

    def visit(name: str, pg) -> None:
        assert pg.locator("html").get_attribute("class") == "font-large contrast", name
        if pg.locator("body.staff").count():  # the staff layout has its own navigation
            assert pg.get_by_role("navigation", name="主导航").count() == 0, name
            nav = pg.get_by_role("navigation", name="工作导航")
            assert nav.get_by_role("link", name="工作台").count() == 1, name
        else:
            assert (
                pg.get_by_role("navigation", name="主导航").get_by_role("link").count()
                == 5
            ), name
        assert pg.locator("main h1").count() == 1, name

    seen = site_tour.tour(page, world, visit)
    assert len(seen) >= 25

    # search with the form, then narrow with a filter link
    site_tour.open_page(page, reverse("catalog:notice_list"))
    # the 目录's own search form (the header's search box is another landmark)
    catalog_search = page.get_by_role("search", name="目录检索")
    catalog_search.get_by_role("searchbox").fill("招生")
    catalog_search.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"[?&]q=%E6%8B%9B%E7%94%9F"))
    results = page.locator(".results-list > li")
    assert results.count() >= 2
    facets = page.locator(".facets")
    facets.get_by_role("link", name=re.compile("^科技、教育")).click()
    page.wait_for_url(re.compile(r"[?&]theme=\d+"))
    assert 1 <= page.locator(".results-list > li").count() <= results.count()
    assert page.get_by_text("关于公布区级部门预算的公告").count() == 0

    # and back to normal, still without JavaScript
    prefs.get_by_role("link", name="中号字体").click()
    prefs.get_by_role("button", name="高对比度").click()
    assert page.locator("html").get_attribute("class") == "font-medium"


# --- form errors ------------------------------------------------------------------------------------


def _check_form_fields(page, where: str) -> None:
    result = page.evaluate(FORM_FIELDS_JS)
    assert not result["problems"], f"{where}: {result['problems']}"
    assert result["invalid"] >= 1, f"{where}: no field marked invalid"


def test_errors_are_linked_to_their_fields(page):
    """Forms sent back with errors: each field in error is aria-invalid and described by
    its error text; the error summary takes the focus and links to the field. (That every
    field has a label is checked on every page by the desktop tour.)"""
    world = site_tour.build_world()

    # the application form, submitted nearly empty
    site_tour.open_page(page, reverse("requests_app:apply"))
    page.get_by_label("姓名或者名称").fill("王小明")
    page.get_by_label("证件号码").fill("110105194912310021")  # wrong check digit
    page.get_by_role("button", name="下一步：核对申请").click()
    page.wait_for_load_state()
    _check_form_fields(page, "申请表")
    id_number = page.get_by_label("证件号码")
    assert id_number.get_attribute("aria-invalid") == "true"
    described = id_number.get_attribute("aria-describedby").split()
    assert "身份证号码校验位不正确" in page.locator(f"#{described[-1]}").inner_text()
    assert id_number.input_value() == "110105194912310021"  # nothing typed is lost
    # the summary links to the field and takes the focus
    summary = page.locator("#error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    summary.get_by_role("link", name=re.compile("证件号码")).click()
    assert id_number.evaluate("el => el === document.activeElement")

    # the lookup form, empty
    site_tour.open_page(page, reverse("requests_app:lookup"))
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()
    _check_form_fields(page, "查询办理进度")

    # a bad date in the catalog filters
    site_tour.open_page(page, reverse("catalog:notice_list") + "?start=2024-13-45")
    _check_form_fields(page, "政府信息公开目录")

    # staff: a wrong password (a message for the form, announced), then staff forms in error
    site_tour.open_page(page, reverse("portal:login"))
    page.get_by_label("用户名").fill(world.staff_username)
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    site_tour.staff_login(page, world)

    site_tour.open_page(page, world.draft_edit_url)
    first_number = page.locator(
        "form.report-edit-form input[type=number], form.report-edit-form input[inputmode=numeric]"
    ).first
    first_number.fill("-3")
    page.locator("form.report-edit-form").get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    site_tour.forget_status_console_error(
        page, 400
    )  # the form comes back with its errors, answered 400
    _check_form_fields(page, "年报草稿编辑")

    site_tour.open_page(page, world.staff_request_url)
    action = page.locator("details.action").filter(has=page.locator("textarea")).first
    action.locator("summary").click()
    action.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.evaluate(OPEN_DETAILS_JS)
    _check_form_fields(page, "申请办理（工作人员）")


# --- the 500 page ---------------------------------------------------------------------------------


def test_the_500_page_is_styled_by_the_stylesheet_alone(page, settings):
    """A failing view gets the 500 page: styled by site.css (no inline style, which the CSP
    would block and the harness would see as a console error), in the visitor's 字体 and
    高对比度, clean under axe."""
    settings.ROOT_URLCONF = "tests.browser.boom_urls"
    site_tour.open_page(page, "/display/?font=large&contrast=on&next=/")
    response = page.goto("/boom/")
    assert response.status == 500
    site_tour.forget_status_console_error(page, 500)
    assert page.get_by_role("heading", level=1).inner_text() == "系统繁忙，请稍后再试"
    assert page.evaluate(CLASSES_JS) == "contrast font-large"
    header = page.locator(".site-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header == "rgb(0, 0, 0)"  # the high-contrast header colour from site.css
    assert "style=" not in page.content()
    found = serious_violations(page)
    assert not found, format_violations(found)
