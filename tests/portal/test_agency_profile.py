"""机构信息 (条例 第二十条第（二）项): the service and its history, the one validation
rule, the staff page and the public 机构概况 page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AgencyProfile, AgencyProfileVersion
from portal.services import agency_profile_update
from portal.validators import agency_profile_errors, parse_leader_lines

TZ = ZoneInfo("Asia/Shanghai")
T1 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
T2 = datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
LEADERS = [
    {"name": "张三", "post": "局长", "duties": "主持全面工作"},
    {"name": "李四", "post": "副局长", "duties": ""},
]


def _values(**over):
    values = {
        "functions": "负责全区教育工作。",
        "internal_units": "办公室\n基础教育股",
        "leaders": LEADERS,
        "address": "天台路 1 号",
        "office_hours": "工作日 8:30-17:30",
        "phone": "0731-28112345",
        "fax": "0731-28112346",
        "postcode": "412007",
        "email": "jyj@example.gov.cn",
    }
    values.update(over)
    return values


@pytest.mark.django_db
def test_first_save_creates_profile_leaders_and_a_version(agency, staff_user):
    version = agency_profile_update(agency=agency, by=staff_user, now=T1, **_values())

    profile = AgencyProfile.objects.get(agency=agency)
    assert profile.last_changed_at == T1
    assert [(x.name, x.post) for x in profile.leaders.all()] == [
        ("张三", "局长"),
        ("李四", "副局长"),
    ]
    agency.refresh_from_db()
    assert agency.postcode == "412007"
    assert version.changed_by == staff_user
    assert set(version.changes) >= {"functions", "leaders", "address", "postcode"}


@pytest.mark.django_db
def test_a_change_records_old_and_new_and_moves_last_changed(agency, staff_user):
    agency_profile_update(agency=agency, by=staff_user, now=T1, **_values())
    leaders = [{"name": "王五", "post": "局长", "duties": "主持全面工作"}]
    version = agency_profile_update(
        agency=agency,
        by=staff_user,
        now=T2,
        note="换届",
        **_values(leaders=leaders, phone="0731-28110000"),
    )

    assert version.changes["phone"] == ["0731-28112345", "0731-28110000"]
    assert version.changes["leaders"][1] == leaders
    assert "functions" not in version.changes
    assert version.changed_labels == "联系电话、负责人"
    assert AgencyProfile.objects.get(agency=agency).last_changed_at == T2
    assert AgencyProfileVersion.objects.filter(profile__agency=agency).count() == 2


@pytest.mark.django_db
def test_no_change_writes_no_version_and_keeps_the_date(agency):
    agency_profile_update(agency=agency, now=T1, **_values())
    assert agency_profile_update(agency=agency, now=T2, **_values()) is None
    assert AgencyProfile.objects.get(agency=agency).last_changed_at == T1
    assert AgencyProfileVersion.objects.count() == 1


@pytest.mark.django_db
def test_service_refuses_bad_input_and_writes_nothing(agency):
    with pytest.raises(ValidationError) as err:
        agency_profile_update(agency=agency, **_values(postcode="4120", leaders=[]))
    assert "邮政编码应为 6 位数字" in err.value.message_dict["postcode"]
    assert "负责人" in err.value.message_dict["leaders"][0]
    assert not AgencyProfile.objects.exists()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"functions": "  "}, "functions", "请填写机构职能"),
        ({"phone": "电话号码"}, "phone", "联系电话只能包含数字"),
        ({"fax": "abc"}, "fax", "传真只能包含数字"),
        ({"postcode": "41200a"}, "postcode", "邮政编码应为 6 位数字"),
        ({"email": "not-an-email"}, "email", "电子邮箱格式不正确"),
        ({"leaders": []}, "leaders", "请至少填写一名负责人"),
        ({"address": "路" * 201}, "address", "办公地址不能超过 200 个字"),
    ],
)
def test_profile_rule(over, field, message):
    errors = agency_profile_errors(_values(**over))
    assert message in errors[field][0]
    assert agency_profile_errors(_values()) == {}


def test_leader_lines_are_parsed_with_line_numbers():
    leaders, errors = parse_leader_lines(
        "张三｜局长｜主持全面工作\n\n李四|副局长\n王五"
    )
    assert leaders == [
        {"name": "张三", "post": "局长", "duties": "主持全面工作"},
        {"name": "李四", "post": "副局长", "duties": ""},
    ]
    assert errors == ["第4行：请按“姓名｜职务｜分工”填写，姓名和职务不能为空"]


def _form(**over):
    data = {
        "functions": "负责全区教育工作。",
        "internal_units": "办公室",
        "leaders": "张三｜局长｜主持全面工作",
        "address": "天台路 1 号",
        "office_hours": "工作日",
        "phone": "0731-28112345",
        "fax": "",
        "postcode": "412007",
        "email": "",
        "note": "",
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_staff_page_saves_through_the_service(client, staff_user, agency):
    client.force_login(staff_user)
    url = reverse("portal:staff_profile_edit")
    assert client.get(url).status_code == 200

    response = client.post(url, _form())

    assert response.status_code == 302
    profile = AgencyProfile.objects.get(agency=agency)
    assert profile.leaders.get().name == "张三"
    assert AgencyProfileVersion.objects.get().changed_by == staff_user
    assert "机构职能" in client.get(url).content.decode()  # the history lists it


@pytest.mark.django_db
def test_staff_page_shows_chinese_errors_and_keeps_the_input(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("portal:staff_profile_edit"),
        _form(leaders="张三｜局长\n只有名字", postcode="12"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "第2行：请按“姓名｜职务｜分工”填写" in html
    assert "负责全区教育工作。" in html  # nothing typed is lost
    assert not AgencyProfile.objects.exists()


@pytest.mark.django_db
def test_non_admin_staff_and_other_agencies_get_404(
    client, teammate_user, staff_user, other_agency
):
    client.force_login(teammate_user)  # 承办人 only
    assert client.get(reverse("portal:staff_profile_edit")).status_code == 404
    client.force_login(staff_user)
    url = reverse("portal:staff_profile_edit") + f"?agency={other_agency.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert not AgencyProfile.objects.exists()


@pytest.mark.django_db
def test_public_profile_page_shows_the_profile(client, agency):
    agency_profile_update(agency=agency, now=T1, **_values())

    html = client.get(reverse("bumen:profile", args=[agency.pk])).content.decode()

    assert "负责全区教育工作。" in html
    assert "主持全面工作" in html
    assert "0731-28112345" in html
    assert "2026年3月2日" in html
