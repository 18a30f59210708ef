"""Every staff page type in a real browser (issue 12 §5): axe finds nothing serious or
critical, the page has the staff layout (its navigation, none of the public header
search or footer items), and at 390 CSS px it does not scroll sideways.

The data is the site tour's (tests/browser/site_tour.py) plus what the notice pages
need: a draft, a published notice with an applied edit and a pending change of a
second-person agency (the history page shows a diff and the change to confirm), and a
Word original on its review page. The 政务公开办 (a 管理员 of the 人民政府) opens
数据统计 and 合规检查 of every agency; the department's 管理员 gets the 403 page there.

One desktop page runs axe and the layout checks; one phone (390 × 844, touch) measures
the width like test_citizen_reflow.py: ``scrollWidth`` against the width set, and the
layout viewport not widened. Every problem of every page is listed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import site_tour
from tests.browser.axe import format_violations, serious_violations
from tests.browser.conftest import _new_page, snap
from tests.browser.test_accessibility import OPEN_DETAILS_JS, OVERFLOW_JS
from tests.catalog.docx_samples import gongwen

pytestmark = pytest.mark.usefixtures("tour_clock")

PHONE_WIDTH = 390
PUBLIC_FOOTER_ITEMS = ("网站标识码", "我为政府网站找错", "网站地图", "ICP备")
LAYOUT_JS = """(footerItems) => {
  const problems = [];
  if (!document.querySelector('nav[aria-label="工作导航"]')) problems.push('no 工作导航');
  if (document.querySelector('.header-search, header [role=search], #site-q'))
    problems.push('the public header search is shown');
  if (document.querySelector('nav[aria-label="主导航"]')) problems.push('the public 主导航 is shown');
  const footer = document.querySelector('footer');
  if (!footer || !footer.classList.contains('staff-footer')) problems.push('not the staff footer');
  const text = footer ? footer.innerText : '';
  for (const item of footerItems) if (text.includes(item)) problems.push(`footer has ${item}`);
  return problems;
}"""
WIDTH_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


@dataclass
class StaffPage:
    name: str
    path: str
    user: str  # who opens it: "alice" (department 管理员) or "zhengwu" (政务公开办)
    status: int = 200


def _notices(world: site_tour.World) -> dict[str, str]:
    """A draft, and history with an applied edit and a pending change; their URLs."""
    from django.contrib.auth import get_user_model

    from catalog import services
    from catalog.models import Column, Genre, Notice, Theme
    from portal.models import Agency

    User = get_user_model()

    alice = User.objects.get(username="alice")
    education = Agency.objects.get(name="天元区教育局")
    policy = Notice.objects.get(uuid=world.notice_url.strip("/").split("/")[-1])
    draft = services.notice_create(
        owner_agency=education,
        by=alice,
        title="关于做好2026年暑期学生安全教育工作的通知（草稿）",
        doc_number="天教发〔2026〕21号",
        theme=Theme.objects.get(name="教育", parent__name="科技、教育"),
        genre=Genre.objects.get(name="通知"),
        column=Column.objects.get(slug="tzgg"),
        summary="暑期安全教育的要求。",
        body="<p>各学校：</p><table><tbody><tr><th>学校</th><th>负责人</th><th>电话</th>"
        "<th>完成时间</th><th>备注</th></tr><tr><td>天元区第一小学</td><td>校长</td>"
        "<td>0731-28112401</td><td>2026年7月1日</td><td>无</td></tr></tbody></table>",
    )
    services.notice_update(
        notice=policy,
        by=alice,
        body=policy.body.replace(
            "请认真贯彻执行。", "请各学校认真贯彻执行，及时报送情况。"
        ),
        reason="补充报送要求",
        security_review_confirmed=True,
    )
    Agency.objects.filter(pk=education.pk).update(requires_second_security_review=True)
    policy.refresh_from_db()
    pending = services.notice_update(
        notice=policy,
        by=alice,
        title=policy.title + "（修订）",
        body=policy.body.replace("7月10日", "7月15日"),
        reason="报名截止时间延后",
        security_review_confirmed=True,
    ).pending_revision
    assert pending is not None
    return {
        "draft": reverse("catalog:staff_notice_edit", args=[draft.pk]),
        "published": reverse("catalog:staff_notice_edit", args=[policy.pk]),
        "history": reverse("catalog:staff_notice_history", args=[policy.pk]),
    }


def _government_admin():
    """The 政务公开办: a 管理员 of the 人民政府 above the departments."""
    from portal import roles
    from portal.models import Agency
    from tests.factories import AgencyFactory, StaffFactory

    government = AgencyFactory(
        name="株洲市天元区人民政府", short_name="区人民政府", kind="government"
    )
    Agency.objects.exclude(pk=government.pk).update(parent=government)
    StaffFactory(
        username="zhengwu",
        first_name="周政务",
        agency=government,
        roles=[roles.ADMIN],
    )


def _log_in(page, username: str) -> None:
    site_tour.open_page(page, reverse("portal:login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(site_tour.STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + reverse("portal:staff_home"))


def _word_review_path(page) -> str:
    """Upload a Word original through the form; the review page's path."""
    site_tour.open_page(page, reverse("catalog:staff_notice_import_docx"))
    page.get_by_label("Word 文档（.docx）").set_input_files(
        {
            "name": "森林防火通知.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document",
            "buffer": gongwen(),
        }
    )
    page.get_by_role("button", name="上传并识别").click()
    expect(page.get_by_role("heading", name="核对导入内容")).to_be_visible()
    return page.url.removeprefix(page.watch.origin)


def _open(page, item: StaffPage) -> None:
    site_tour.open_page(page, item.path, status=item.status)
    if item.status != 200:
        site_tour.forget_status_console_error(page, item.status)
    if page.locator("#notice-form textarea[name=body]").count():
        expect(page.locator(".jodit-wysiwyg")).to_be_visible()  # the editor is up
    page.evaluate(OPEN_DETAILS_JS)


def test_every_staff_page_type_passes_axe_has_the_staff_layout_and_fits_a_phone(
    page, browser, live_server, request
):
    world = site_tour.build_world()
    notices = _notices(world)
    _government_admin()
    pages = [
        StaffPage("工作台", reverse("portal:staff_home"), "alice"),
        StaffPage("政府信息列表", reverse("catalog:staff_notice_list"), "alice"),
        StaffPage("新建政府信息", reverse("catalog:staff_notice_new"), "alice"),
        StaffPage("编辑草稿", notices["draft"], "alice"),
        StaffPage("编辑已发布的信息", notices["published"], "alice"),
        StaffPage(
            "从 Word 文档导入", reverse("catalog:staff_notice_import_docx"), "alice"
        ),
        StaffPage("核对导入内容", "", "alice"),  # filled in after the upload
        StaffPage("修订记录（差异、待确认）", notices["history"], "alice"),
        StaffPage("申请办理队列", reverse("requests_app:staff_queue"), "alice"),
        StaffPage("申请办理", world.staff_request_url, "alice"),
        StaffPage("年报管理", reverse("disclosure:staff_report_list"), "alice"),
        StaffPage("年报编辑", world.draft_edit_url, "alice"),
        StaffPage("机构信息", reverse("portal:staff_profile_edit"), "alice"),
        StaffPage(
            "没有访问权限（403）", reverse("disclosure:staff_dashboard"), "alice", 403
        ),
        StaffPage("数据统计", reverse("disclosure:staff_dashboard"), "zhengwu"),
        StaffPage("合规检查", reverse("compliance:page"), "zhengwu"),
    ]
    phone_context, phone = _new_page(
        browser,
        live_server,
        request,
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    found: dict[str, list] = {}
    try:
        for user in ("alice", "zhengwu"):
            _log_in(page, user)
            _log_in(phone, user)
            for item in pages:
                if item.user != user:
                    continue
                if not item.path:
                    item.path = _word_review_path(page)
                _open(page, item)
                where = f"{item.name} {item.path}"
                if violations := serious_violations(page):
                    found[f"{where} (axe)"] = violations
                if problems := page.evaluate(LAYOUT_JS, list(PUBLIC_FOOTER_ITEMS)):
                    found[f"{where} (layout)"] = problems

                _open(phone, item)
                scroll_width, inner_width = phone.evaluate(WIDTH_JS)
                problems = []
                if scroll_width > PHONE_WIDTH or inner_width != PHONE_WIDTH:
                    problems.append(
                        f"scrollWidth {scroll_width}, innerWidth {inner_width}, "
                        f"window {PHONE_WIDTH}"
                    )
                problems += phone.evaluate(OVERFLOW_JS)
                if problems:
                    found[f"{where} ({PHONE_WIDTH}px)"] = problems
                    snap(phone, f"staff-pages-phone-{item.name}")
            for window in (page, phone):
                window.get_by_role("button", name="退出").click()
                window.wait_for_load_state()
    finally:
        watch = phone.watch
        phone_context.close()
    assert not watch.page_errors, watch.page_errors
    assert not watch.console_errors, watch.console_errors
    assert not watch.failed_resources, watch.failed_resources
    lines = []
    for where, items in found.items():
        for item in items:
            if isinstance(item, str):
                lines.append(f"{where}: {item}")
            else:
                html = " | ".join(n["html"][:100] for n in item["nodes"][:3])
                lines.append(f"{where}: {item['id']} ({item['impact']}) {html}")
    assert not found, (
        "\n".join(lines)
        + "\n\n"
        + format_violations({k: v for k, v in found.items() if k.endswith("(axe)")})
    )
