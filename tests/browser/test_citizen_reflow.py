"""No sideways scrolling on a phone with 字体 大 (issue 12 §3/§5), on every public page type.

The display preference 字体 大 (cookie ``xxgk_font=large`` → ``<html class="font-large">``,
root font 125 %) is set once through /display/, then every public page type is opened
at 390 CSS px (a common phone) and again at 320 CSS px (WCAG 1.4.10 Reflow). The data
is the site tour's (realistic names, a published 年报 with tables 二/三/四 in the phone
card layout, an answered application) plus a notice body with what breaks phones: a
Word table of 8 columns, preformatted text, a long URL and e-mail address.

Measured: ``document.scrollingElement.scrollWidth`` against the window width the test
set. On a mobile browser, content wider than the screen widens the layout viewport
itself (``innerWidth`` grew to 809 for an 8-column table), so ``scrollWidth <=
innerWidth`` alone could never fail; the test also asserts ``innerWidth`` stayed at the
width it set. ``OVERFLOW_JS`` then names the element that sticks out, and checks that a
table allowed to scroll does so in a labelled region reachable with the keyboard.

One browser page visits every type (a test per type would rebuild the data each time,
about 7 s apiece); the failure message lists every page and width that overflows.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import site_tour
from tests.browser.test_accessibility import OVERFLOW_JS

pytestmark = pytest.mark.usefixtures(
    "tour_clock"
)  # the tour's data is built around "today"

PHONE_WIDTH = 390
# WCAG 1.4.10's 320 CSS px, on the pages where it once failed (a select sized by a long
# 机关 name, the department's column table) and the densest ones
NARROW_WIDTH = 320
NARROW_PAGES = {
    "首页",
    "政府信息公开指南",
    "年报",
    "数据统计",
    "部门页",
    "政府信息（宽表格、长网址）",
}
LONG_URL = (
    "https://www.tyq.gov.cn/zwgk/xxgkml/bmxxgk/qjyj/202606/t20260610_1234567890.html"
)
LONG_EMAIL = "jiaoyuju.xinxigongkai.bangongshi@tyq.gov.cn"
WIDE_BODY = f"""<p>各有关单位：</p>
<p>实施方案全文见{LONG_URL}，意见请发送至{LONG_EMAIL}。</p>
<p><a href="{LONG_URL}">{LONG_URL}</a></p>
<pre>序号    学校名称              招生计划    划片范围
1       天元区第一小学        360         天台路以东、黄河北路以南、珠江北路以西</pre>
<table><caption>2026年秋季招生计划</caption>
<thead><tr><th>序号</th><th>学校名称</th><th>招生计划（人）</th><th>其中：随迁子女</th>
<th>报名方式</th><th>报名地址</th><th>备注</th><th>统一社会信用代码</th></tr></thead>
<tbody><tr><td>1</td><td>天元区第一小学</td><td>360</td><td>45</td><td>网上报名</td>
<td>天台路1号</td><td>无</td><td>12430211MB1234567X</td></tr></tbody></table>"""

SCROLL_WIDTH_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


def _wide_notice(agency) -> str:
    """A published notice of ``agency`` whose body holds the usual phone breakers."""
    from catalog import services
    from catalog.models import Column, Genre, Theme
    from portal.models import Agency
    from portal.timeutil import local_now

    # the agency's own address is public (its 政府信息公开工作机构), not personal data
    Agency.objects.filter(pk=agency.pk).update(website=LONG_URL, email=LONG_EMAIL)
    notice = services.notice_create(
        owner_agency=agency,
        by=None,
        title="关于印发《天元区2026年义务教育阶段学校招生入学工作实施方案》的通知",
        doc_number="天教发〔2026〕30号",
        theme=Theme.objects.get(name="教育", parent__name="科技、教育"),
        genre=Genre.objects.get(name="通知"),
        column=Column.objects.get(slug="zcwj"),
        summary=f"全文另见{LONG_URL}",
        body=WIDE_BODY,
    )
    notice = services.notice_publish(notice=notice, by=None, now=local_now())
    return reverse("catalog:notice_detail", args=[notice.uuid])


def _pages(world: site_tour.World) -> list[tuple[str, str]]:
    from portal.models import Agency

    department = Agency.objects.get(name="天元区教育局")
    pages = [
        *site_tour.public_pages(world),
        ("政府信息（宽表格、长网址）", _wide_notice(department)),
        ("检索（长网址）", reverse("catalog:notice_list") + "?q=" + LONG_URL),
        ("重新发送查询码", reverse("requests_app:lookup_resend")),
        ("开放数据", reverse("catalog:open_data")),
        ("部门信息公开", reverse("bumen:index")),
        ("部门页", reverse("bumen:detail", args=[department.pk])),
        ("机构概况", reverse("bumen:profile", args=[department.pk])),
    ]
    return [(name, path) for name, path in pages if name != "工作人员登录"]


def _problems(page, width: int) -> list[str]:
    scroll_width, inner_width = page.evaluate(SCROLL_WIDTH_JS)
    problems = []
    if scroll_width > width or inner_width != width:
        problems.append(
            f"scrollWidth {scroll_width}, innerWidth {inner_width}, window {width}"
        )
    return problems + page.evaluate(OVERFLOW_JS)


def test_no_public_page_scrolls_sideways_on_a_phone_with_large_font(phone_page):
    from portal.models import Agency, SiteIdentity
    from tests.factories import AgencyFactory

    world = site_tour.build_world()
    # names as long as real ones get (the 机关 select of 数据统计 is as wide as the longest)
    AgencyFactory(name="株洲市天元区住房和城乡建设局（区人民防空办公室）")
    # contact details as long as real ones get (指南's 工作机构, the footer)
    Agency.objects.update(website=LONG_URL, email=LONG_EMAIL)
    SiteIdentity.objects.filter(pk=1).update(contact_email=LONG_EMAIL)
    pages = _pages(world)
    assert {
        "首页",
        "政府信息公开目录",
        "政府信息",
        "目录（表格）",
        "政府信息公开指南",
        "年报列表",
        "年报",
        "申请表",
        "查询办理进度",
        "重新发送查询码",
        "部门信息公开",
        "部门页",
        "开放数据",
        "网站地图",
    } <= {name for name, _ in pages}

    site_tour.open_page(phone_page, "/display/?font=large&next=/")
    found: dict[str, list[str]] = {}
    for width, names in (
        (PHONE_WIDTH, {name for name, _ in pages}),
        (NARROW_WIDTH, NARROW_PAGES),
    ):
        phone_page.set_viewport_size({"width": width, "height": 800})
        for name, path in pages:
            if name not in names:
                continue
            site_tour.open_page(phone_page, path)
            classes = phone_page.locator("html").get_attribute("class")
            assert "font-large" in classes.split(), (name, classes)
            if problems := _problems(phone_page, width):
                found[f"{width}px {name} {path}"] = problems
        if width != PHONE_WIDTH:
            continue
        # the case page of an applicant, and the 404 page
        site_tour.open_page(phone_page, reverse("requests_app:lookup"))
        phone_page.get_by_label("申请编号", exact=False).fill(world.tracking_no)
        phone_page.get_by_label("查询码", exact=False).fill(world.query_code)
        phone_page.get_by_role("button", name="查询", exact=True).click()
        phone_page.wait_for_url("**" + reverse("requests_app:case"))
        if problems := _problems(phone_page, width):
            found[f"{width}px 申请人的申请"] = problems
        phone_page.get_by_role("button", name="退出查询").click()
        phone_page.wait_for_load_state()
        site_tour.open_page(phone_page, "/xxgk/" + LONG_URL[8:] + "/", status=404)
        site_tour.forget_status_console_error(phone_page, 404)
        if problems := _problems(phone_page, width):
            found[f"{width}px 页面不存在"] = problems
    assert not found, "\n".join(f"{where}: {p}" for where, p in found.items())


def test_a_wide_table_in_a_notice_scrolls_in_its_own_labelled_region(
    phone_page, agency
):
    """The region the body table scrolls in is named by its caption and takes the
    keyboard focus, so a keyboard user can scroll it (axe: scrollable-region-focusable)."""
    url = _wide_notice(agency)
    site_tour.open_page(phone_page, "/display/?font=large&next=" + url)
    region = phone_page.get_by_role("region", name="2026年秋季招生计划")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll
    phone_page.keyboard.press("Tab")
    for _ in range(60):
        if region.evaluate("el => el === document.activeElement"):
            break
        phone_page.keyboard.press("Tab")
    else:
        raise AssertionError("the table region never got the keyboard focus")
    before = region.evaluate("el => el.scrollLeft")
    phone_page.keyboard.press("ArrowRight")
    phone_page.wait_for_function(
        "([el, x]) => el.scrollLeft > x", arg=[region.element_handle(), before]
    )
