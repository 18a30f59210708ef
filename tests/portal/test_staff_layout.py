"""The staff workspace layout (templates/base_staff.html, portal/staff_desk.py): its own
header and navigation on every staff page, no public footer items, navigation entries
shown exactly when their page opens, and the Chinese 403 and CSRF-failure pages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from portal import roles, staff_desk
from tests.factories import AgencyFactory, InfoRequestFactory, StaffFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

PUBLIC_FOOTER_ITEMS = (
    "网站标识码",
    "我为政府网站找错",
    "beian.miit.gov.cn",
    "网站地图",
)


def nav_html(html: str) -> str:
    found = re.search(
        r'<nav class="main-nav staff-nav" aria-label="工作导航">(.*?)</nav>', html, re.S
    )
    assert found, "page has no staff navigation"
    return found.group(1)


def nav_labels(html: str) -> list[str]:
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav_html(html))


def current_label(html: str) -> str:
    found = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav_html(html))
    assert len(found) == 1, found
    return found[0]


def staff_pages(request_code) -> dict[str, tuple[str, str]]:
    """url → the nav entry marked current there."""
    return {
        reverse("portal:staff_home"): "工作台",
        reverse("portal:staff_profile_edit"): "工作台",
        reverse("requests_app:staff_queue"): "依申请公开",
        reverse("requests_app:staff_register"): "依申请公开",
        reverse("requests_app:staff_request_detail", args=[request_code]): "依申请公开",
        reverse("disclosure:staff_report_list"): "年报",
        reverse("disclosure:staff_appeal_list"): "年报",
        reverse("compliance:page"): "合规检查",
        reverse("catalog:staff_standard_items"): "政府信息",
    }


def test_every_staff_page_has_the_workspace_header_and_no_public_footer(
    client, agency, staff_user
):
    staff_user.first_name = "王小明"
    staff_user.save()
    staff_user.user_permissions.add(
        Permission.objects.get(
            codename="view_notice", content_type__app_label="catalog"
        )
    )
    with time_machine.travel(NOW, tick=False):
        req = InfoRequestFactory(agency=agency)
        client.force_login(staff_user)
        for url, section in staff_pages(req.code).items():
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert 'aria-label="工作导航"' in html, url
            assert current_label(html) == section, url
            who = re.search(r'<p class="staff-who">(.*?)</p>', html, re.S).group(1)
            for part in ("王小明", agency.name, "承办人、管理员"):
                assert part in who, (url, part)
            assert f'href="{reverse("admin_password_change")}">修改密码' in html
            assert re.search(
                rf'<form method="post" action="{reverse("portal:logout")}">'
                r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>'
                r'<button type="submit">退出</button>',
                html,
            ), url
            assert 'class="skip-link" href="#main"' in html
            assert 'id="main"' in html
            assert "高对比度" in html  # the display preferences stay
            for item in PUBLIC_FOOTER_ITEMS:
                assert item not in html, (url, item)
            assert "站内检索" not in html, url
            assert 'aria-label="主导航"' not in html, url


def test_public_pages_and_the_login_page_keep_the_public_layout(client, staff_user):
    for url in (reverse("catalog:home"), reverse("portal:login")):
        html = client.get(url).content.decode()
        assert "网站标识码" in html, url
        assert 'aria-label="工作导航"' not in html, url
        assert "staff-who" not in html, url
    client.force_login(staff_user)
    # a signed-in member of staff on a public page sees the public site
    html = client.get(reverse("catalog:home")).content.decode()
    assert 'aria-label="工作导航"' not in html
    assert "网站标识码" in html


def test_handler_sees_only_what_they_may_open(client, agency, teammate_user):
    """bob: 承办人 only, no model permissions."""
    client.force_login(teammate_user)
    html = client.get(reverse("portal:staff_home")).content.decode()
    assert nav_labels(html) == ["工作台", "依申请公开", "年报"]
    assert "用户与权限" not in html
    assert "管理后台" not in html


def test_superuser_sees_every_entry(client):
    boss = StaffFactory(username="root", is_superuser=True, agency=AgencyFactory())
    client.force_login(boss)
    html = client.get(reverse("portal:staff_home")).content.decode()
    assert nav_labels(html) == [
        "工作台",
        "政府信息",
        "依申请公开",
        "年报",
        "数据统计",
        "合规检查",
        "用户与权限",
        "管理后台",
    ]
    assert "系统管理员" in html


def test_user_admin_permission_shows_users_but_not_the_admin_entry(
    client, teammate_user
):
    teammate_user.user_permissions.add(
        Permission.objects.get(codename="view_user", content_type__app_label="auth")
    )
    client.force_login(teammate_user)
    labels = nav_labels(client.get(reverse("portal:staff_home")).content.decode())
    assert "用户与权限" in labels
    assert "管理后台" not in labels


@pytest.mark.parametrize(
    ("kind", "role_names", "perms"),
    [
        ("department", [roles.HANDLER], []),
        ("department", [roles.ADMIN], ["catalog.view_notice"]),
        ("government", [roles.ADMIN], ["auth.view_user"]),
        ("government", [roles.APPROVER], ["catalog.change_notice"]),
    ],
)
def test_navigation_and_views_agree(client, kind, role_names, perms):
    """Each registered entry is shown exactly when its page opens (no drift between
    the predicates in the nav and the checks in the views)."""
    agency = AgencyFactory(kind=kind)
    user = StaffFactory(agency=agency, roles=role_names)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label=app_label)
        )
    client.force_login(user)
    shown = set(nav_labels(client.get(reverse("portal:staff_home")).content.decode()))
    for entry in staff_desk.nav_entries():
        if entry.key == "admin":
            continue  # the admin index opens to all staff; the nav offers it to superusers
        status = client.get(reverse(entry.url_name)).status_code
        assert (entry.label in shown) == (status == 200), (entry.label, status)


def test_forbidden_page_is_in_chinese_in_the_staff_layout(client, teammate_user):
    client.force_login(teammate_user)
    response = client.get(reverse("compliance:page"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>没有访问权限</h1>" in html
    assert "只有管理员可以查看政务公开合规检查。" in html
    assert 'aria-label="工作导航"' in html
    assert "返回工作台" in html
    assert "403 Forbidden" not in html


def test_forbidden_page_for_the_public_hides_english_reasons(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from portal.views import permission_denied

    request = rf.get("/x/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("Forbidden by policy"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有访问权限" in html
    assert "Forbidden" not in html
    assert "网站标识码" in html  # the public layout
    assert 'aria-label="工作导航"' not in html


def test_csrf_failure_page_explains_in_chinese(agency, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    # a stale form: the token in the page no longer matches the cookie
    client.get(reverse("portal:staff_home"))
    response = client.post(
        reverse("requests_app:staff_register"),
        {"csrfmiddlewaretoken": "x" * 64, "applicant_name": "李四"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期，请返回刷新后重试" in html
    assert "后退" in html
    assert "CSRF" not in html
    assert 'aria-label="工作导航"' in html


def test_csrf_failure_without_cookie_says_so():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html
    assert "Cookie" in html
    assert 'aria-label="工作导航"' not in html
