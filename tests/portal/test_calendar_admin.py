"""Admin of the portal models: calendar edits are logged and signalled; singletons,
read-only log, agency validation; the missing-year warning."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.cache import cache
from django.urls import reverse

from portal.models import (
    Agency,
    SiteIdentity,
    WorkCalendarChange,
    WorkCalendarDay,
    WorkCalendarYear,
)
from portal.signals import work_calendar_changed
from tests.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(*args: int):
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


# --- Work calendar days ---------------------------------------------------------------


def test_adding_a_day_logs_it_and_signals_after_commit(
    admin_client, admin_user, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendarday_add"),
            {"date": "2027-02-20", "kind": "work", "name": "春节", "source": "测试"},
        )
    assert response.status_code == 302
    assert WorkCalendarDay.objects.get(date=date(2027, 2, 20)).kind == "work"
    log = WorkCalendarChange.objects.get(action="add", date=date(2027, 2, 20))
    assert (log.year, log.changed_by, log.detail) == (2027, admin_user, "上班（春节）")
    assert signals == [
        {
            "sender": WorkCalendarDay,
            "signal": work_calendar_changed,
            "years": [2027],
            "by": admin_user,
        }
    ]


def test_no_signal_before_commit(
    admin_client, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            reverse("admin:portal_workcalendarday_add"),
            {"date": "2027-02-20", "kind": "work", "name": "春节", "source": ""},
        )
    assert signals == []  # the test transaction never commits
    assert len(callbacks) == 1


def test_changing_a_day_logs_old_and_new(
    admin_client, admin_user, signals, django_capture_on_commit_callbacks
):
    day = WorkCalendarDay.objects.get(date=date(2026, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendarday_change", args=[day.pk]),
            {
                "date": "2026-10-10",
                "kind": "rest",
                "name": "国庆节",
                "source": day.source,
            },
        )
    assert response.status_code == 302
    log = WorkCalendarChange.objects.get(action="change", date=date(2026, 10, 10))
    assert log.detail == "2026-10-10 上班（国庆节） → 2026-10-10 放假（国庆节）"
    assert log.changed_by == admin_user
    assert [s["years"] for s in signals] == [[2026]]


def test_moving_a_day_to_another_year_signals_both_years(
    admin_client, signals, django_capture_on_commit_callbacks
):
    day = WorkCalendarDay.objects.get(date=date(2026, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:portal_workcalendarday_change", args=[day.pk]),
            {
                "date": "2027-10-09",
                "kind": "work",
                "name": "国庆节",
                "source": day.source,
            },
        )
    assert [s["years"] for s in signals] == [[2026, 2027]]


def test_saving_an_unchanged_day_logs_nothing(
    admin_client, signals, django_capture_on_commit_callbacks
):
    day = WorkCalendarDay.objects.get(date=date(2026, 10, 10))
    before = WorkCalendarChange.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:portal_workcalendarday_change", args=[day.pk]),
            {
                "date": "2026-10-10",
                "kind": "work",
                "name": "国庆节",
                "source": day.source,
            },
        )
    assert WorkCalendarChange.objects.count() == before
    assert signals == []


def test_a_working_day_on_a_weekday_is_refused(
    admin_client, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendarday_add"),
            {"date": "2027-02-16", "kind": "work", "name": "春节", "source": "测试"},
        )
    assert response.status_code == 200
    assert (
        "2027-02-16 是周二，本来就是工作日；调休上班日应为周六或周日"
        in response.content.decode()
    )
    assert 'value="春节"' in response.content.decode()  # nothing typed is lost
    assert not WorkCalendarDay.objects.filter(date=date(2027, 2, 16)).exists()
    assert signals == []


def test_deleting_a_day_logs_and_signals(
    admin_client, admin_user, signals, django_capture_on_commit_callbacks
):
    day = WorkCalendarDay.objects.get(date=date(2026, 2, 28))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendarday_delete", args=[day.pk]),
            {"post": "yes"},
        )
    assert response.status_code == 302
    assert not WorkCalendarDay.objects.filter(date=date(2026, 2, 28)).exists()
    log = WorkCalendarChange.objects.get(action="delete", date=date(2026, 2, 28))
    assert (log.detail, log.changed_by) == ("删除 上班（春节）", admin_user)
    assert [s["years"] for s in signals] == [[2026]]


def test_bulk_delete_logs_each_day_and_signals_once(
    admin_client, signals, django_capture_on_commit_callbacks
):
    ids = list(
        WorkCalendarDay.objects.filter(
            date__in=[date(2025, 10, 11), date(2026, 2, 14)]
        ).values_list("pk", flat=True)
    )
    assert len(ids) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendarday_changelist"),
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
    assert response.status_code == 302
    assert WorkCalendarChange.objects.filter(action="delete").count() == 2
    assert [s["years"] for s in signals] == [[2025, 2026]]


# --- Work calendar years ----------------------------------------------------------------


def test_marking_a_year_official_and_back_is_logged_and_signalled(
    admin_client, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_workcalendaryear_add"),
            {"year": "2027", "source": "测试通知"},
        )
    assert response.status_code == 302
    row = WorkCalendarYear.objects.get(year=2027)
    assert WorkCalendarChange.objects.filter(action="year_add", year=2027).exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:portal_workcalendaryear_delete", args=[row.pk]),
            {"post": "yes"},
        )
    assert not WorkCalendarYear.objects.filter(year=2027).exists()
    assert WorkCalendarChange.objects.filter(action="year_delete", year=2027).exists()
    assert [(s["sender"], s["years"]) for s in signals] == [
        (WorkCalendarYear, [2027]),
        (WorkCalendarYear, [2027]),
    ]


def test_editing_only_the_source_of_a_year_logs_without_signal(
    admin_client, signals, django_capture_on_commit_callbacks
):
    row = WorkCalendarYear.objects.get(year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:portal_workcalendaryear_change", args=[row.pk]),
            {"year": "2026", "source": "新依据"},
        )
    assert (
        WorkCalendarChange.objects.filter(action="year_change", year=2026)
        .get()
        .detail.endswith("→ 2026 年（新依据）")
    )
    assert signals == []


@pytest.mark.parametrize("year", ["1999", "2100"])
def test_year_out_of_range_is_refused(admin_client, year):
    response = admin_client.post(
        reverse("admin:portal_workcalendaryear_add"), {"year": year, "source": "x"}
    )
    assert response.status_code == 200
    assert "年份应在 2000–2099 之间" in response.content.decode()


# --- The change log is read-only --------------------------------------------------------


def test_change_log_cannot_be_added_edited_or_deleted(admin_client):
    log = WorkCalendarChange.objects.first()
    assert (
        admin_client.get(reverse("admin:portal_workcalendarchange_add")).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse("admin:portal_workcalendarchange_delete", args=[log.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    view = admin_client.get(
        reverse("admin:portal_workcalendarchange_change", args=[log.pk])
    )
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    admin_client.post(
        reverse("admin:portal_workcalendarchange_change", args=[log.pk]),
        {"detail": "篡改"},
    )
    log.refresh_from_db()
    assert log.detail != "篡改"


def test_change_log_shows_chinese_action_labels(admin_client):
    response = admin_client.get(reverse("admin:portal_workcalendarchange_changelist"))
    assert "初始数据" in response.content.decode()


# --- Site identity (singleton) -----------------------------------------------------------


def _identity_form(**overrides) -> dict:
    data = {
        "site_name": "天元区人民政府信息公开平台",
        "domain": "xxgk.example.gov.cn",
        "sponsor": "天元区人民政府办公室",
        "site_code": "4302110001",
        "icp_number": "",
        "police_record": "",
        "contact_phone": "",
        "contact_email": "",
        "address": "",
        "report_deadline_department": "01-31",
        "report_deadline_government": "03-31",
    }
    data.update(overrides)
    return data


def test_site_identity_can_be_added_once_with_id_1(
    admin_client, django_capture_on_commit_callbacks
):
    assert admin_client.get(reverse("admin:portal_siteidentity_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_siteidentity_add"), _identity_form()
        )
    assert response.status_code == 302
    assert SiteIdentity.objects.get().pk == 1
    assert admin_client.get(reverse("admin:portal_siteidentity_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:portal_siteidentity_delete", args=[1]), {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = admin_client.get(reverse("admin:portal_siteidentity_changelist"))
    assert changelist.status_code == 302
    assert changelist["Location"] == reverse(
        "admin:portal_siteidentity_change", args=[1]
    )


def test_saving_site_identity_clears_the_cached_copy(
    admin_client, django_capture_on_commit_callbacks
):
    from portal.context_processors import site

    SiteIdentity.objects.create(
        pk=1, site_name="旧名称", sponsor="办公室", site_code="4302110001"
    )
    assert site(None)["site"].site_name == "旧名称"  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:portal_siteidentity_change", args=[1]),
            _identity_form(site_name="新名称"),
        )
    assert cache.get("portal:site_identity") is None
    assert site(None)["site"].site_name == "新名称"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("site_code", "bm123", "网站标识码应为 10 位数字"),
        ("report_deadline_department", "02-30", "应为 MM-DD 格式的有效日期"),
        ("report_deadline_government", "3月31日", "应为 MM-DD 格式的有效日期"),
    ],
)
def test_site_identity_validation(admin_client, field, value, message):
    response = admin_client.post(
        reverse("admin:portal_siteidentity_add"), _identity_form(**{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SiteIdentity.objects.exists()


# --- Agencies and staff ------------------------------------------------------------------


def _agency_form(**overrides) -> dict:
    data = {
        "name": "天元区交通运输局",
        "short_name": "区交通局",
        "kind": "department",
        "parent": "",
        "org_code": "",
        "index_template": "{org_code}/{year}-{seq:05d}",
        "sort_order": "100",
        "is_active": "on",
        "office_name": "办公室",
        "address": "天元区黄河北路 1 号",
        "postcode": "412007",
        "office_hours": "工作日 9:00–17:00",
        "phone": "0731-12345678",
        "fax": "",
        "email": "xxgk@example.gov.cn",
        "website": "",
        "review_body": "",
        "court": "",
        "letter_number_template": "{short_name}依申〔{year}〕{seq}号",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("org_code", "message"),
    [
        ("00001434-8", "组织机构代码校验位不正确"),
        ("91110000600037342L", "统一社会信用代码校验位不正确"),
        ("12345", "机构代码应为 9 位组织机构代码"),
    ],
)
def test_agency_org_code_is_validated(admin_client, org_code, message):
    response = admin_client.post(
        reverse("admin:portal_agency_add"), _agency_form(org_code=org_code)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Agency.objects.filter(name="天元区交通运输局").exists()


def test_agency_codes_are_normalised(admin_client):
    response = admin_client.post(
        reverse("admin:portal_agency_add"),
        _agency_form(org_code=" 91110000600037341l ", postcode="４１２００７"),
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="天元区交通运输局")
    assert (agency.org_code, agency.postcode) == ("91110000600037341L", "412007")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("index_template", "{org}/{year}", "索引号模板有误"),
        ("index_template", "{org_code}/{year", "索引号模板有误"),
        ("postcode", "41200", "邮政编码应为 6 位数字"),
        (
            "letter_number_template",
            "天教依复〔{year}〕号",
            "必须包含年份 {year} 和顺序号 {seq}",
        ),
        ("letter_number_template", "天教〔{year}〕{seq}{x}号", "占位符 {x} 无法识别"),
    ],
)
def test_agency_other_fields_are_validated(admin_client, field, value, message):
    response = admin_client.post(
        reverse("admin:portal_agency_add"), _agency_form(**{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_user_admin_edits_the_staff_agency_inline(admin_client, staff_user):
    response = admin_client.get(reverse("admin:auth_user_change", args=[staff_user.pk]))
    assert response.status_code == 200
    assert "staff_profile-0-agency" in response.content.decode()


def test_portal_admin_classes_pass_djangos_checks():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("portal", "auth"):
            assert model_admin.check() == [], model


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:portal_workcalendarday_changelist",
        "admin:portal_workcalendaryear_changelist",
        "admin:portal_workcalendarchange_changelist",
        "admin:portal_agency_changelist",
        "admin:portal_staffprofile_changelist",
        "admin:auth_user_changelist",
    ],
)
def test_admin_lists_use_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, url_name
):
    for i in range(5):
        StaffFactory(username=f"staff{i}", agency=AgencyFactory(name=f"测试机关{i}"))
    with django_assert_max_num_queries(
        14
    ):  # fixed: session, user, counts, filters, page
        response = admin_client.get(reverse(url_name))
    assert response.status_code == 200


# --- Warning when next year's schedule is missing -----------------------------------------


def _page_at(client, user, url_name: str, *when: int) -> str:
    """GET a page as ``user`` at a local time (logging in then: sessions expire)."""
    with _at(*when):
        client.force_login(user)
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    return response.content.decode()


def test_admin_index_warns_from_october_when_next_year_is_missing(client, admin_user):
    assert "尚未导入" not in _page_at(
        client, admin_user, "admin:index", 2026, 9, 30, 23, 30
    )
    # 00:30 in Beijing is 16:30 UTC the day before: the local date counts.
    html = _page_at(client, admin_user, "admin:index", 2026, 10, 1, 0, 30)
    assert "尚未导入 2027 年的节假日安排" in html
    assert "import_workdays" in html
    WorkCalendarYear.objects.create(year=2027, source="测试")
    assert "尚未导入" not in _page_at(
        client, admin_user, "admin:index", 2026, 11, 25, 10, 0
    )


def test_admin_index_warns_in_january_when_this_year_is_missing(client, admin_user):
    html = _page_at(client, admin_user, "admin:index", 2027, 1, 4, 9, 0)
    assert "尚未导入 2027 年的节假日安排" in html


def test_admin_index_warning_needs_calendar_permission(client, staff_user):
    html = _page_at(client, staff_user, "admin:index", 2026, 10, 8, 9, 0)
    assert "尚未导入" not in html


def test_staff_home_warns_calendar_admins(client, admin_user):
    html = _page_at(client, admin_user, "portal:staff_home", 2026, 10, 8, 9, 0)
    assert 'id="calendar-warning"' in html
    assert "尚未导入 2027 年的节假日安排" in html
    assert reverse("admin:portal_workcalendarday_changelist") in html


def test_staff_home_tells_agency_admins_to_ask_the_system_admin(client, staff_user):
    html = _page_at(client, staff_user, "portal:staff_home", 2026, 10, 8, 9, 0)
    assert "尚未导入 2027 年的节假日安排" in html
    assert "请联系系统管理员" in html
    assert reverse("admin:portal_workcalendarday_changelist") not in html


def test_staff_home_does_not_bother_handlers(client, teammate_user):
    assert 'id="calendar-warning"' not in _page_at(
        client, teammate_user, "portal:staff_home", 2026, 10, 8, 9, 0
    )


def test_staff_home_does_not_warn_before_october(client, admin_user):
    assert 'id="calendar-warning"' not in _page_at(
        client, admin_user, "portal:staff_home", 2026, 9, 8, 9, 0
    )


# --- History of agencies and the site identity (portal.services) ---------------------


def test_every_save_of_the_site_identity_keeps_a_version(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    with _at(2026, 3, 2, 9, 0), django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:portal_siteidentity_add"), _identity_form())
    with _at(2026, 3, 2, 9, 5), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_siteidentity_change", args=[1]),
            _identity_form(site_name="新名称", contact_phone="0731-1234567"),
        )
        page = admin_client.get(reverse("admin:portal_siteidentity_change", args=[1]))
    assert response.status_code == 302
    first, second = SiteIdentity.objects.get().versions.order_by("at")
    assert first.actor == admin_user
    assert first.values["site_name"] == "天元区人民政府信息公开平台"
    assert second.actor == admin_user
    assert second.at == datetime(2026, 3, 2, 9, 5, tzinfo=SHANGHAI)
    assert second.changes == {
        "site_name": ["天元区人民政府信息公开平台", "新名称"],
        "contact_phone": ["", "0731-1234567"],
    }
    assert second.values["site_name"] == "新名称"
    # the history is on the form
    assert (
        "contact_phone：&#x27;&#x27; → &#x27;0731-1234567&#x27;"
        in page.content.decode()
    )


def test_an_agency_edited_in_the_admin_records_what_changed(admin_client, admin_user):
    agency = AgencyFactory(name="天元区水利局", phone="0731-1111111")
    url = reverse("admin:portal_agency_change", args=[agency.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(phone="0731-2222222", is_active="on" if agency.is_active else "")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = agency.events.get()
    assert event.action == "updated"
    assert event.source == "admin"
    assert event.actor == admin_user
    assert event.changes == {"phone": ["0731-1111111", "0731-2222222"]}
    agency.refresh_from_db()
    assert agency.phone == "0731-2222222"
    page = admin_client.get(url).content.decode()
    # the history shows before → after
    assert "phone：&#x27;0731-1111111&#x27; → &#x27;0731-2222222&#x27;" in page
