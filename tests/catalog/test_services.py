from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog import services
from catalog.models import Genre, IndexCounter, Notice, NoticeEvent, Theme
from tests.factories import AgencyFactory, NoticeFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def actions(notice):
    return list(
        NoticeEvent.objects.filter(notice=notice)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_seeded_taxonomy_matches_domain_lists():
    assert Theme.objects.filter(parent=None).count() == 22
    education = Theme.objects.get(parent__name="科技、教育", name="教育")
    assert education.full_name == "科技、教育\\教育"
    assert list(
        Theme.objects.filter(parent__name="民族、宗教").values_list("name", flat=True)
    ) == ["民族事务", "宗教事务"]
    statutory = list(
        Genre.objects.filter(is_statutory=True).values_list("name", flat=True)
    )
    assert statutory == [
        "决议",
        "决定",
        "命令（令）",
        "公报",
        "公告",
        "通告",
        "意见",
        "通知",
        "通报",
        "报告",
        "请示",
        "批复",
        "议案",
        "函",
        "纪要",
    ]
    assert (
        Genre.objects.filter(
            name__in=["规章", "行政规范性文件", "解读", "年报"], is_statutory=False
        ).count()
        == 4
    )


def test_create_records_history_sanitises_body_and_normalises_doc_number(
    agency, staff_user
):
    notice = services.notice_create(
        owner_agency=agency,
        by=staff_user,
        title="  关于做好2024年招生工作的通知 ",
        doc_number="株天教发[2024]05号",
        body="<p>正文</p><script>alert(1)</script>",
        keywords="招生，入学 招生",
    )
    assert notice.title == "关于做好2024年招生工作的通知"
    assert notice.doc_number == "株天教发〔2024〕5号"
    assert "<script>" not in notice.body
    assert "正文" in notice.body
    assert notice.keywords == ["招生", "入学"]
    assert notice.status == Notice.Status.DRAFT
    assert notice.index_number is None
    assert list(notice.publishers.all()) == [agency]
    event = notice.events.get()
    assert (event.action, event.actor) == ("created", staff_user)
    assert event.changes["doc_number"] == "株天教发〔2024〕5号"


def test_malformed_doc_number_is_rejected_naming_the_field(agency):
    with pytest.raises(ValidationError, match="发文字号"):
        services.notice_create(
            owner_agency=agency, by=None, title="标题", doc_number="株天教发2024五号"
        )
    assert not Notice.objects.exists()


def test_update_records_only_real_changes(agency, staff_user):
    notice = NoticeFactory(owner_agency=agency, title="旧标题")
    services.notice_update(notice=notice, by=staff_user, title="旧标题")
    assert actions(notice) == ["created"]
    services.notice_update(notice=notice, by=staff_user, title="新标题", summary="概述")
    event = notice.events.latest("id")
    assert event.action == "updated"
    assert event.changes == {"title": ["旧标题", "新标题"], "summary": ["", "概述"]}


def test_update_of_joint_publishers_is_recorded(agency, other_agency):
    notice = NoticeFactory(owner_agency=agency)
    services.notice_update(notice=notice, by=None, publishers=[agency, other_agency])
    assert [link.agency for link in notice.publisher_links.all()] == [
        agency,
        other_agency,
    ]
    assert notice.events.latest("id").changes["publishers"] == [
        [agency.name],
        [agency.name, other_agency.name],
    ]


def test_publish_issues_index_number_from_agency_template(agency):
    first = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    second = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 2))
    assert first.index_number == "00001434-9/2024-00001"
    assert second.index_number == "00001434-9/2024-00002"
    assert first.status == Notice.Status.PUBLISHED
    assert first.published_at == at(2024, 3, 1)
    assert actions(first) == ["created", "published"]


def test_sequence_restarts_each_year_per_agency_and_uses_beijing_year(
    agency, other_agency
):
    # 2024-12-31 23:30 Beijing is still 2024 even though it is 15:30 UTC
    late = NoticeFactory(owner_agency=agency, published_at=at(2024, 12, 31, 23, 30))
    new_year = NoticeFactory(owner_agency=agency, published_at=at(2025, 1, 1, 0, 30))
    other = NoticeFactory(owner_agency=other_agency, published_at=at(2025, 1, 2))
    assert late.index_number == "00001434-9/2024-00001"
    assert new_year.index_number == "00001434-9/2025-00001"
    assert other.index_number == "014416330/2025-00001"


def test_each_agency_has_its_own_template():
    agency = AgencyFactory(
        org_code="11341702486344515H",
        index_template="{org_code}/{year}{month}-{seq:05d}",
    )
    notice = NoticeFactory(owner_agency=agency, published_at=at(2021, 10, 8))
    assert notice.index_number == "11341702486344515H/202110-00001"


def test_index_number_never_changes_on_update_withdraw_or_republish(agency):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    number = notice.index_number
    notice = services.notice_update(notice=notice, by=None, title="改过的标题")
    notice = services.notice_withdraw(
        category="mistake",
        notice=notice,
        by=None,
        now=at(2024, 4, 1),
        reason="已被新文件替代",
    )
    notice = services.notice_publish(notice=notice, by=None, now=at(2024, 5, 1))
    notice.refresh_from_db()
    assert notice.index_number == number
    assert notice.published_at == at(2024, 3, 1)  # the original 发布时间 is kept
    assert IndexCounter.objects.get(agency=agency, year=2024).last == 1
    assert actions(notice) == [
        "created",
        "published",
        "updated",
        "withdrawn",
        "published",
    ]


def test_publishing_a_published_notice_is_refused(agency):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    with pytest.raises(ValidationError, match="已经发布"):
        services.notice_publish(notice=notice, by=None, now=at(2024, 3, 2))


def test_withdraw_needs_a_reason_category_and_a_published_notice(agency, staff_user):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    with pytest.raises(ValidationError, match="撤回原因类别"):
        services.notice_withdraw(
            category="", notice=notice, by=staff_user, now=at(2024, 4, 1), reason="x"
        )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    withdrawn = services.notice_withdraw(
        category="mistake",
        notice=notice,
        by=staff_user,
        now=at(2024, 4, 1),
        reason="文中数据有误",
    )
    assert (withdrawn.status, withdrawn.withdrawn_reason) == (
        Notice.Status.WITHDRAWN,
        "文中数据有误",
    )
    event = withdrawn.events.latest("id")
    assert (event.action, event.reason, event.actor) == (
        "withdrawn",
        "文中数据有误",
        staff_user,
    )
    draft = NoticeFactory(owner_agency=agency)
    with pytest.raises(ValidationError, match="只有已发布"):
        services.notice_withdraw(
            category="mistake", notice=draft, by=None, now=at(2024, 4, 1), reason="原因"
        )


def test_published_without_index_number_is_impossible_in_the_database(agency):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=notice.pk).update(index_number=None)
    draft = NoticeFactory(owner_agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=draft.pk).update(
            status="published", published_at=at(2024, 3, 1)
        )


def test_duplicate_index_numbers_are_impossible_in_the_database(agency):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 3, 1))
    other = NoticeFactory(owner_agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=other.pk).update(index_number=notice.index_number)


def test_validity_follows_valid_until_without_editing_the_row(agency):
    notice = NoticeFactory(
        owner_agency=agency,
        published_at=at(2023, 3, 1),
        validity=Notice.Validity.EFFECTIVE,
        valid_from=date(2023, 4, 1),
        valid_until=date(2025, 3, 31),
    )
    updated_at = notice.updated_at
    assert notice.validity_on(date(2023, 3, 15)) == Notice.Validity.NOT_YET
    assert notice.validity_on(date(2025, 3, 31)) == Notice.Validity.EFFECTIVE
    assert notice.validity_on(date(2025, 4, 1)) == Notice.Validity.EXPIRED
    assert notice.validity_label_on(date(2025, 4, 1)) == "失效"
    annotated = Notice.objects.with_current_validity(date(2025, 4, 1)).get(pk=notice.pk)
    assert annotated.current_validity == "expired"
    notice.refresh_from_db()
    assert (notice.validity, notice.updated_at) == ("effective", updated_at)


def test_repealed_stays_repealed_after_valid_until(agency):
    notice = NoticeFactory(
        owner_agency=agency,
        validity=Notice.Validity.REPEALED,
        valid_until=date(2020, 1, 1),
    )
    assert notice.validity_on(date(2026, 1, 1)) == Notice.Validity.REPEALED


def test_link_interpretation_is_recorded_on_both_notices(agency, staff_user):
    policy = NoticeFactory(
        owner_agency=agency, title="关于印发某办法的通知", published_at=at(2024, 3, 1)
    )
    reading = NoticeFactory(
        owner_agency=agency, title="某办法政策解读", published_at=at(2024, 3, 1, 10)
    )
    assert (
        services.notice_link_interpretation(
            policy=policy, interpretation=reading, by=staff_user
        )
        is True
    )
    assert (
        services.notice_link_interpretation(
            policy=policy, interpretation=reading, by=staff_user
        )
        is False
    )
    assert list(policy.interpretations.all()) == [reading]
    assert list(reading.interpreted_policies.all()) == [policy]
    assert policy.events.latest("id").changes == {
        "interpretations": [None, f"某办法政策解读（{reading.index_number}）"]
    }
    assert "interpreted_policies" in reading.events.latest("id").changes
    assert (
        services.notice_set_interpretations(
            policy=policy, interpretations=[], by=staff_user
        )
        is True
    )
    assert not policy.interpretations.exists()
    with pytest.raises(ValidationError):
        services.notice_link_interpretation(
            policy=policy, interpretation=policy, by=staff_user
        )


def test_import_keeps_legacy_index_number_and_is_idempotent(agency, teammate_user):
    kwargs = {
        "publishers": [agency],
        "security_reviewed_by": teammate_user,
        "published_at": at(2014, 2, 27, 0, 0),
        "index_number": "0122/2016-00001",
        "title": "天元区人民政府2013年政府信息公开工作年度报告",
        "body": "今年以来……",
    }
    notice, outcome = services.notice_import_upsert(**kwargs)
    assert outcome == "created"
    assert notice.index_number == "0122/2016-00001"
    assert notice.status == Notice.Status.PUBLISHED
    assert actions(notice) == ["imported"]
    again, outcome = services.notice_import_upsert(**kwargs)
    assert (again.pk, outcome) == (notice.pk, "unchanged")
    assert actions(notice) == ["imported"]
    changed, outcome = services.notice_import_upsert(**{**kwargs, "title": "新标题"})
    assert outcome == "updated"
    assert changed.index_number == "0122/2016-00001"
    assert notice.events.latest("id").changes["title"] == [kwargs["title"], "新标题"]
    assert Notice.objects.count() == 1
    # a later publication of the same agency is not affected by the legacy number
    later = NoticeFactory(owner_agency=agency, published_at=at(2016, 5, 1))
    assert later.index_number == "00001434-9/2016-00001"


def test_issuing_skips_a_number_an_import_already_holds(agency):
    services.notice_import_upsert(
        publishers=[agency],
        published_at=at(2024, 1, 5),
        index_number="00001434-9/2024-00001",
        title="导入的旧文件",
    )
    notice = NoticeFactory(owner_agency=agency, published_at=at(2024, 2, 1))
    assert notice.index_number == "00001434-9/2024-00002"


def test_import_without_index_number_is_issued_one_and_found_again(agency):
    kwargs = {
        "publishers": [agency],
        "published_at": at(2024, 6, 14, 9, 30),
        "title": "无索引号的文件",
    }
    notice, outcome = services.notice_import_upsert(**kwargs)
    assert outcome == "created"
    assert notice.index_number == "00001434-9/2024-00001"
    again, outcome = services.notice_import_upsert(**kwargs)
    assert (again.pk, outcome) == (notice.pk, "unchanged")


def test_import_can_withdraw_and_republish(agency, teammate_user):
    base = {
        "publishers": [agency],
        "published_at": at(2022, 4, 20),
        "index_number": "X/2022-00008",
        "title": "公告",
    }
    notice, _ = services.notice_import_upsert(
        **base, withdrawn={"at": at(2022, 5, 6), "reason": "数据有误"}
    )
    assert (notice.status, notice.withdrawn_reason) == ("withdrawn", "数据有误")
    notice, outcome = services.notice_import_upsert(
        **base, withdrawn=None, security_reviewed_by=teammate_user
    )
    assert outcome == "updated"
    assert notice.status == "published"
    assert notice.withdrawn_reason == ""
    with pytest.raises(ValidationError, match="撤销原因"):
        services.notice_import_upsert(
            **base, withdrawn={"at": at(2022, 5, 6), "reason": ""}
        )
