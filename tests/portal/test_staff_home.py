"""工作台 (/staff/): each app's panel shows what needs the signed-in user today, with
counts and links, in a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.disclosure.helpers import NARRATIVES
from tests.factories import InfoRequestFactory, NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def panel_counts(html: str, key: str) -> dict[str, int]:
    section = re.search(
        rf'<section class="desk-panel" id="desk-{key}".*?</section>', html, re.S
    )
    assert section, f"no panel {key}"
    return {
        label: int(n)
        for label, n in re.findall(
            r'<a href="[^"]*"><span>([^<]+)</span> <span class="desk-count">(\d+) 件</span>',
            section.group(0),
        )
    }


@pytest.fixture
def desk_user(agency):
    """承办人, 审核人 and 管理员 of the agency, who may see the notice list."""
    user = StaffFactory(
        username="zhou",
        agency=agency,
        roles=[roles.HANDLER, roles.APPROVER, roles.ADMIN],
    )
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_notice", content_type__app_label="catalog"
        )
    )
    return user


def make_requests(agency, user):
    """Three confirmed requests (reply periods ending one working day apart, then four
    later) and one still 待确认. Returns them and the day to look at: the middle
    one's last day, when the first is overdue and the last due soon."""
    made = []
    for day in ("2026-03-02", "2026-03-03", "2026-03-09"):
        with time_machine.travel(at(day), tick=False):
            made.append(InfoRequestFactory(agency=agency, now=at(day), confirm_by=user))
    with time_machine.travel(at("2026-03-27"), tick=False):
        made.append(InfoRequestFactory(agency=agency, now=at("2026-03-27")))
    day = made[1].reply_due_date
    assert made[0].reply_due_date < day < made[2].reply_due_date
    return made, at(day.isoformat())


def submit_report(agency, admin, now):
    from disclosure import services

    report = services.report_open(agency=agency, year=2025, by=admin, now=now)
    services.report_update(report=report, by=admin, now=now, **NARRATIVES)
    return services.report_submit(report=report, by=admin, now=now)


def test_home_shows_counts_with_links(client, agency, desk_user, staff_user):
    from catalog import services as notice_services

    (overdue, today, soon, _pending), day = make_requests(agency, desk_user)
    NoticeFactory(owner_agency=agency, by=desk_user)
    reviewed = NoticeFactory(owner_agency=agency, by=desk_user)
    notice_services.notice_confirm_security_review(
        notice=reviewed, by=desk_user, now=at("2026-03-05")
    )
    submitted = NoticeFactory(owner_agency=agency, by=desk_user)
    notice_services.notice_submit_for_review(
        notice=submitted, by=desk_user, now=at("2026-03-05")
    )
    scheduled = NoticeFactory(owner_agency=agency, by=desk_user)
    notice_services.notice_schedule(
        notice=scheduled, by=desk_user, at=at("2026-04-20"), now=at("2026-03-05")
    )
    NoticeFactory(owner_agency=agency, by=desk_user, published_at=at("2026-03-05"))
    # alice (管理员) submitted it: zhou, a 审核人, may approve it
    submit_report(agency, staff_user, at("2026-03-10"))
    client.force_login(desk_user)
    with time_machine.travel(day, tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    assert panel_counts(html, "requests") == {
        "已逾期": 1,
        "今天到期": 1,
        "5 个工作日内到期": 2,
        "待确认": 1,
        "我承办的": 0,
        "待审批延期": 0,
    }
    assert f'href="{reverse("requests_app:staff_queue")}?show=overdue"' in html
    assert f'href="{reverse("requests_app:staff_queue")}?show=due_today"' in html
    assert panel_counts(html, "notices") == {
        "待审核（待确认保密审查）": 1,
        "草稿": 2,
        "已排期（定时发布）": 1,
    }
    list_url = reverse("catalog:staff_notice_list")
    assert f'href="{list_url}?state=pending"' in html
    assert f'href="{list_url}?state=scheduled"' in html
    assert panel_counts(html, "reports") == {
        "待我审核": 1,
        "被退回待修改": 0,
        "已审核待发布": 0,
    }
    # the queue answers the panel's links with the same requests
    with time_machine.travel(day, tick=False):
        due_today = client.get(
            reverse("requests_app:staff_queue"), {"show": "due_today"}
        ).content.decode()
    assert today.tracking_no in due_today
    assert overdue.tracking_no not in due_today
    assert soon.tracking_no not in due_today


def test_report_i_submitted_is_not_waiting_for_me(client, agency, desk_user):
    submit_report(agency, desk_user, at("2026-03-10"))
    client.force_login(desk_user)
    with time_machine.travel(at("2026-03-30"), tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    assert panel_counts(html, "reports")["待我审核"] == 0


def test_other_agencies_work_is_not_counted(client, agency, other_agency, desk_user):
    other = StaffFactory(
        username="wu", agency=other_agency, roles=[roles.HANDLER, roles.ADMIN]
    )
    _made, day = make_requests(other_agency, other)
    NoticeFactory(owner_agency=other_agency, by=other)
    client.force_login(desk_user)
    with time_machine.travel(day, tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    assert set(panel_counts(html, "requests").values()) == {0}
    assert set(panel_counts(html, "notices").values()) == {0}


def test_handler_sees_only_the_requests_panel(client, agency, teammate_user):
    client.force_login(teammate_user)
    with time_machine.travel(at("2026-03-30"), tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    assert 'id="desk-requests"' in html
    assert 'id="desk-notices"' not in html  # no permission on the notice list
    assert 'id="desk-reports"' not in html  # neither 审核人 nor 管理员
    assert "待审批延期" not in html


def home_queries(client) -> int:
    client.get(reverse("portal:staff_home"))  # warm the site-identity cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("portal:staff_home")).status_code == 200
    return len(ctx.captured_queries)


def test_home_runs_a_constant_number_of_queries(
    client, agency, desk_user, staff_user, django_assert_max_num_queries
):
    client.force_login(desk_user)
    with time_machine.travel(at("2026-03-30"), tick=False):
        few = home_queries(client)
    _made, _day = make_requests(agency, desk_user)
    for _ in range(3):
        NoticeFactory(owner_agency=agency, by=desk_user)
    submit_report(agency, staff_user, at("2026-03-10"))
    with time_machine.travel(at("2026-03-30"), tick=False):
        many = home_queries(client)
        assert few == many
        with django_assert_max_num_queries(18):
            client.get(reverse("portal:staff_home"))


def test_reports_panel_warns_the_admin_of_last_years_unpublished_report(
    client, agency, staff_user
):
    client.force_login(staff_user)  # 管理员
    with time_machine.travel(at("2026-01-20"), tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    panel = re.search(r'id="desk-reports".*?</section>', html, re.S).group(0)
    assert "2025年度报告尚未发布，公布期限为 2026-01-31" in panel
    with time_machine.travel(at("2026-01-10"), tick=False):
        html = client.get(reverse("portal:staff_home")).content.decode()
    assert "2025年度报告尚未发布" not in html  # not before 1月15日
