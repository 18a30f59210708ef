"""The public layout (base.html): browser tab titles, header search, wording."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from portal.models import SiteIdentity
from tests.catalog.public_data import publish

pytestmark = pytest.mark.django_db


def tab_title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "page has no <title>"
    return html_lib.unescape(found.group(1))


def site_name() -> str:
    return SiteIdentity.load().site_name


def test_tab_title_is_page_title_dash_site_name_on_several_page_types(client, agency):
    notice = publish(agency=agency, title="关于春季防汛的通知")
    pages = {
        reverse("catalog:home"): "首页",
        reverse("catalog:guide"): "政府信息公开指南",
        reverse("catalog:notice_detail", args=[notice.uuid]): "关于春季防汛的通知",
        reverse("requests_app:landing"): "依申请公开",
        reverse("disclosure:report_list"): "政府信息公开年报",
    }
    for url, expected in pages.items():
        title = tab_title(client.get(url).content.decode())
        assert title == f"{expected} - {site_name()}", url
    missing = client.get("/no-such-page/")
    assert tab_title(missing.content.decode()) == f"页面不存在 - {site_name()}"


def _published_report(agency, admin):
    """The agency's 2025 年报, published through the services (opened 2026-01-05)."""
    from disclosure import services
    from disclosure.models import AnnualReport
    from portal import roles
    from tests.disclosure.conftest import at as report_at
    from tests.disclosure.conftest import publish as publish_report
    from tests.factories import StaffFactory

    approver = StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])
    report = services.report_open(
        agency=agency, year=2025, by=admin, now=report_at(2026, 1, 5, 9)
    )
    publish_report(
        report, admin=admin, approver=approver, now=report_at(2026, 1, 9, 10)
    )
    return AnnualReport.objects.get(pk=report.pk)


def test_every_public_page_type_has_its_own_tab_title_then_the_site_name(
    client, agency, staff_user
):
    """Issue 12 §3: "页面标题 - 站点名" on every public page type — the page's own name
    first (what a tab, a bookmark and a screen reader announce), the site name once,
    last, joined by " - " only there (page titles use "·" inside)."""
    from tests.catalog.public_data import withdraw
    from tests.factories import InfoRequestFactory

    site = site_name()
    notice = publish(agency=agency, title="关于春季防汛的通知")
    withdrawn = withdraw(publish(agency=agency, title="关于秋季招生的通知"))
    report = _published_report(agency, staff_user)
    pages = {
        reverse("catalog:home"): "首页",
        reverse("catalog:notice_list"): "政府信息公开目录",
        reverse("catalog:notice_list") + "?q=防汛": "检索：防汛 · 政府信息公开目录",
        reverse("catalog:notice_detail", args=[notice.uuid]): "关于春季防汛的通知",
        reverse("catalog:notice_detail", args=[withdrawn.uuid]): (
            "关于秋季招生的通知（已撤回）"
        ),
        reverse("catalog:directory"): "政府信息公开目录",
        reverse("catalog:guide"): "政府信息公开指南",
        reverse("catalog:sitemap_page"): "网站地图",
        reverse("catalog:open_data"): "开放数据",
        reverse("disclosure:report_list"): "政府信息公开年报",
        reverse("disclosure:report_detail", args=[report.pk]): report.title,
        reverse("disclosure:statistics"): "政府信息公开申请数据统计",
        reverse("bumen:index"): "部门和乡镇（街道）信息公开",
        reverse("bumen:detail", args=[agency.pk]): f"{agency.name} · 信息公开",
        reverse("bumen:profile", args=[agency.pk]): f"{agency.name} · 机构概况",
        reverse("requests_app:landing"): "依申请公开",
        reverse("requests_app:apply"): "在线申请政府信息公开",
        reverse("requests_app:lookup"): "查询办理进度",
        reverse("requests_app:lookup_resend"): "重新发送查询码",
        reverse("portal:login"): "工作人员登录",
        "/no-such-page/": "页面不存在",
    }
    assert "2025" in report.title
    for url, expected in pages.items():
        title = tab_title(client.get(url).content.decode())
        assert title == f"{expected} - {site}", url
        assert title.count(" - ") == 1, title
        assert title.count(site) == 1, title

    # the applicant's own case, after the lookup
    req = InfoRequestFactory(agency=agency, email="wang@example.com")
    response = client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("requests_app:case")
    assert tab_title(response.content.decode()) == f"申请办理进度 - {site}"


def test_tab_title_filter_escapes_and_falls_back_to_the_site_name():
    source = (
        "{% load portal_tags %}{% filter tab_title:name %}{{ page }}{% endfilter %}"
    )
    template = Template(source)
    assert template.render(Context({"page": "", "name": "甲&乙"})) == "甲&amp;乙"
    assert (
        template.render(Context({"page": " 年报\n <b> ", "name": "站"}))
        == "年报 &lt;b&gt; - 站"
    )


# -- line breaking -----------------------------------------------------------------


def test_stylesheets_never_split_words_everywhere():
    """``word-break: break-all`` cut "14:30", e-mail addresses, ID and postcode digits
    at any character; text breaks only where a line would overflow."""
    from django.conf import settings

    css_dir = settings.BASE_DIR / "static" / "css"
    for sheet in css_dir.glob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"word-break\s*:\s*break-(all|word)", text), sheet.name
    site_css = (css_dir / "site.css").read_text(encoding="utf-8")
    for selector in (".meta-block dd", ".office dd", ".code-big", ".case-facts dd"):
        rules = re.findall(re.escape(selector) + r" \{([^}]*)\}", site_css)
        assert any("overflow-wrap: anywhere" in rule for rule in rules), selector
    assert re.search(r"main, \.site-footer \{ overflow-wrap: break-word; \}", site_css)


# -- header search and 打印本页 ---------------------------------------------------------


HEADER_SEARCH = re.compile(
    r'<form class="header-search" method="get" action="/xxgk/" role="search"'
    r' aria-label="站内检索">\s*<label for="site-q" class="sr-only">检索政府信息</label>'
    r'\s*<input type="search" id="site-q" name="q"'
)


def test_every_public_page_has_the_header_search_but_staff_pages_do_not(
    client, agency, staff_user
):
    notice = publish(agency=agency, title="关于春季防汛的通知")
    for url in (
        reverse("catalog:home"),
        reverse("catalog:notice_list"),
        reverse("catalog:notice_detail", args=[notice.uuid]),
        reverse("catalog:guide"),
        reverse("requests_app:landing"),
        reverse("disclosure:report_list"),
        "/no-such-page/",
    ):
        assert HEADER_SEARCH.search(client.get(url).content.decode()), url
    client.force_login(staff_user)
    staff_home = client.get(reverse("portal:staff_home")).content.decode()
    assert 'class="header-search"' not in staff_home


def test_header_search_reaches_the_catalog_search(client, agency):
    flood = publish(agency=agency, title="关于春季防汛的通知")
    school = publish(agency=agency, title="关于秋季招生的通知")
    html = client.get(reverse("catalog:notice_list"), {"q": "防汛"}).content.decode()
    assert reverse("catalog:notice_detail", args=[flood.uuid]) in html
    assert reverse("catalog:notice_detail", args=[school.uuid]) not in html


def test_notice_page_has_a_script_only_print_button(client, agency):
    notice = publish(agency=agency, title="关于春季防汛的通知")
    html = client.get(
        reverse("catalog:notice_detail", args=[notice.uuid])
    ).content.decode()
    assert (
        '<button type="button" class="button" data-print hidden>打印本页</button>'
        in (html)
    )


# -- wording ---------------------------------------------------------------------------


def test_time_left_and_provisional_note_wording():
    template = Template(
        "{% load portal_tags %}{{ a|workdays_left_text }}|{{ b|workdays_left_text }}"
        "|{% provisional_note after_badge=True %}|{% provisional_note %}"
    )
    assert template.render(Context({"a": 0, "b": 3})) == (
        "今天到期|剩 3 个工作日|以国务院办公厅公布的节假日安排为准"
        "|预计，以国务院办公厅公布的节假日安排为准"
    )


def test_forms_use_the_sites_wording_not_djangos(client, staff_user):
    lookup = client.post(
        reverse("requests_app:lookup"), {"tracking_no": "", "query_code": ""}
    ).content.decode()
    assert "请填写申请编号" in lookup
    assert "请填写查询码" in lookup
    assert "这个字段是必填项" not in lookup

    login = client.post(
        reverse("portal:login"), {"username": staff_user.username, "password": "x"}
    ).content.decode()
    assert "用户名或密码不正确，请重新输入。密码区分大小写。" in login
    assert "请输入一个正确的" not in login
    empty = client.post(
        reverse("portal:login"), {"username": "", "password": ""}
    ).content.decode()
    assert "请填写用户名" in empty
    assert "这个字段是必填项" not in empty


def test_a_message_the_form_sets_itself_wins():
    from requests_app.forms import WithdrawForm

    form = WithdrawForm(data={})
    assert not form.is_valid()
    assert form.errors["confirm"] == ["请勾选确认后再撤回"]
