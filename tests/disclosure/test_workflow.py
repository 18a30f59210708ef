"""草稿 → 待审核 → 已审核 → 已发布, send-back, corrections, bad input (issue 4 §1, §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disclosure import layout, services
from disclosure.content import live_content, version_content
from disclosure.models import AnnualReport, AnnualReportEvent, AnnualReportVersion
from tests.disclosure.conftest import NARRATIVES, at, publish

pytestmark = pytest.mark.django_db
Status = AnnualReport.Status


def test_open_creates_one_draft_per_agency_and_year(agency, staff_user):
    first = services.report_open(
        agency=agency, year=2025, by=staff_user, now=at(2026, 1, 5)
    )
    again = services.report_open(
        agency=agency, year=2025, by=staff_user, now=at(2026, 1, 6)
    )
    assert first.pk == again.pk
    assert first.status == Status.DRAFT
    assert list(first.events.values_list("action", flat=True)) == ["created"]


def test_only_an_admin_opens_a_report(agency, teammate_user):
    with pytest.raises(PermissionDenied):
        services.report_open(
            agency=agency, year=2025, by=teammate_user, now=at(2026, 1, 5)
        )


def test_future_year_is_refused(agency, staff_user):
    with pytest.raises(ValidationError, match="年度应在"):
        services.report_open(
            agency=agency, year=2027, by=staff_user, now=at(2026, 1, 5)
        )


def test_full_workflow_publishes_version_one_with_index_number(
    draft, staff_user, approver_user
):
    services.report_update(
        report=draft,
        by=staff_user,
        now=at(2026, 1, 6),
        licensing_count=12,
        fee_amount=Decimal("1.2345"),
        **{**NARRATIVES, "section_overview": "总体情况文字"},
    )
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    assert AnnualReport.objects.get(pk=draft.pk).status == Status.REVIEW
    services.report_approve(
        report=draft, by=approver_user, now=at(2026, 1, 8), comment="同意"
    )
    assert AnnualReport.objects.get(pk=draft.pk).status == Status.APPROVED
    version = services.report_publish(
        report=draft, by=staff_user, now=at(2026, 1, 9, 10)
    )
    report = AnnualReport.objects.get(pk=draft.pk)
    assert (report.status, report.current_version, version.number) == (
        Status.PUBLISHED,
        1,
        1,
    )
    assert report.index_number.endswith("/2026-00001")
    assert report.first_published_at == at(2026, 1, 9, 10)
    snap = version.snapshot
    assert snap["sections"]["overview"] == "总体情况文字"
    assert snap["figures"]["table2"]["行政许可"]["本年处理决定数量"] == 12
    assert (
        snap["figures"]["table2"]["行政事业性收费"]["本年收费金额（单位：万元）"]
        == "1.2345"
    )
    # blank manual cells are frozen as 0
    assert snap["figures"]["table2"]["行政处罚"]["本年处理决定数量"] == 0
    actions = list(report.events.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["created", "updated", "submitted", "approved", "published"]


def test_only_an_approver_reviews(draft, staff_user, teammate_user):
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    with pytest.raises(PermissionDenied):
        services.report_approve(report=draft, by=staff_user, now=at(2026, 1, 8))
    with pytest.raises(PermissionDenied):
        services.report_send_back(
            report=draft, by=teammate_user, now=at(2026, 1, 8), comment="x"
        )


def test_send_back_needs_a_comment_and_returns_to_draft(
    draft, staff_user, approver_user
):
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    with pytest.raises(ValidationError, match="请填写退回意见"):
        services.report_send_back(
            report=draft, by=approver_user, now=at(2026, 1, 8), comment="  "
        )
    services.report_send_back(
        report=draft, by=approver_user, now=at(2026, 1, 8), comment="请补充第五部分"
    )
    report = AnnualReport.objects.get(pk=draft.pk)
    assert report.status == Status.DRAFT
    assert report.review_comment == "请补充第五部分"
    event = report.events.get(action=AnnualReportEvent.Action.SENT_BACK)
    assert (event.comment, event.actor) == ("请补充第五部分", approver_user)


def test_publishing_requires_approval_and_cannot_happen_twice(
    draft, staff_user, approver_user
):
    with pytest.raises(ValidationError, match="须经审核人审核通过后才能发布"):
        services.report_publish(report=draft, by=staff_user, now=at(2026, 1, 9))
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9))
    with pytest.raises(ValidationError, match="已经发布（第 1 版），不能重复发布"):
        services.report_publish(report=draft, by=staff_user, now=at(2026, 1, 10))
    assert AnnualReportVersion.objects.filter(report=draft).count() == 1


def test_editing_a_published_report_is_refused_and_changes_nothing(
    draft, staff_user, approver_user
):
    services.report_update(
        report=draft, by=staff_user, now=at(2026, 1, 6), section_overview="原文"
    )
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9))
    with pytest.raises(ValidationError, match="已发布的年报不能直接修改"):
        services.report_update(
            report=draft, by=staff_user, now=at(2026, 1, 10), section_overview="改过"
        )
    assert AnnualReport.objects.get(pk=draft.pk).section_overview == "原文"


def test_editing_under_review_is_refused(draft, staff_user):
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    with pytest.raises(ValidationError, match="待审核"):
        services.report_update(
            report=draft, by=staff_user, now=at(2026, 1, 8), licensing_count=1
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("licensing_count", -1, "不能为负数"),
        ("penalty_count", "三", "请填写整数"),
        ("coercion_count", 1.5, "请填写整数"),
        ("fee_amount", "1.23456", "最多 4 位小数"),
        ("fee_amount", "-0.1", "不能为负数"),
        ("fee_amount", "abc", "请填写数字"),
        ("fee_collected_amount", "1.234", "最多 2 位小数"),
    ],
)
def test_bad_manual_cells_are_refused_with_chinese_messages(
    draft, staff_user, field, value, message
):
    services.report_update(
        report=draft, by=staff_user, now=at(2026, 1, 6), licensing_count=7
    )
    with pytest.raises(ValidationError) as exc:
        services.report_update(
            report=draft, by=staff_user, now=at(2026, 1, 7), **{field: value}
        )
    assert message in exc.value.message_dict[field][0]
    assert AnnualReport.objects.get(pk=draft.pk).licensing_count == 7


def test_a_correction_publishes_version_two_with_a_note_and_keeps_version_one(
    draft, staff_user, approver_user
):
    services.report_update(
        report=draft,
        by=staff_user,
        now=at(2026, 1, 6),
        licensing_count=10,
        section_problems="问题",
    )
    v1 = publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9))
    index_number = AnnualReport.objects.get(pk=draft.pk).index_number
    services.report_start_correction(report=draft, by=staff_user, now=at(2026, 2, 1))
    report = AnnualReport.objects.get(pk=draft.pk)
    assert report.status == Status.DRAFT
    assert report.current_version == 1
    services.report_update(
        report=draft, by=staff_user, now=at(2026, 2, 1), licensing_count=11
    )
    services.report_submit(report=draft, by=staff_user, now=at(2026, 2, 2))
    services.report_approve(report=draft, by=approver_user, now=at(2026, 2, 2))
    with pytest.raises(ValidationError) as exc:
        services.report_publish(report=draft, by=staff_user, now=at(2026, 2, 3))
    assert "必须填写更正说明" in exc.value.message_dict["correction_note"][0]
    # the 更正说明 is public: no personal data, no draft markers
    for note, says in (
        ("经核实，申请人张三（电话13812345678）的申请漏计", "更正说明含有个人信息"),
        ("行政许可数量待补充", "更正说明含有草稿标记"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.report_publish(
                report=draft, by=staff_user, now=at(2026, 2, 3), correction_note=note
            )
        assert says in exc.value.message_dict["correction_note"][0]
    v2 = services.report_publish(
        report=draft,
        by=staff_user,
        now=at(2026, 2, 3),
        correction_note="行政许可数量漏计 1 件",
    )
    report = AnnualReport.objects.get(pk=draft.pk)
    assert (report.current_version, report.index_number, report.first_published_at) == (
        2,
        index_number,
        at(2026, 1, 9),
    )
    v1.refresh_from_db()
    assert v1.snapshot["figures"]["table2"]["行政许可"]["本年处理决定数量"] == 10
    assert v2.snapshot["figures"]["table2"]["行政许可"]["本年处理决定数量"] == 11
    assert v2.correction_note == "行政许可数量漏计 1 件"
    from disclosure.content import diff_versions

    diff = diff_versions(version_content(v1), version_content(v2))
    assert [(c.row, c.old, c.new) for c in diff.cells] == [("行政许可", 10, 11)]
    assert diff.sections == []


def test_correction_only_from_published(draft, staff_user):
    with pytest.raises(ValidationError, match="只有已发布的年报可以发起更正"):
        services.report_start_correction(
            report=draft, by=staff_user, now=at(2026, 1, 6)
        )


def test_live_content_of_a_draft_uses_manual_cells(draft, staff_user):
    services.report_update(
        report=draft, by=staff_user, now=at(2026, 1, 6), penalty_count=3
    )
    content = live_content(AnnualReport.objects.get(pk=draft.pk))
    assert content.figures.table2[layout.PENALTY][layout.DECISIONS] == 3
    assert content.to_json()["status"] == "草稿"
    assert content.to_json()["version"] == 1


def test_legacy_report_is_published_text_only(agency, staff_user):
    report = services.report_import_legacy(
        agency=agency,
        year=2013,
        text="今年以来……",
        published_at=at(2014, 2, 27, 9),
        index_number="0122/2016-00001",
        by=None,
        now=at(2026, 1, 5),
    )
    assert (report.status, report.current_version, report.is_legacy) == (
        Status.PUBLISHED,
        1,
        True,
    )
    assert report.index_number == "0122/2016-00001"
    content = version_content(report.versions.get())
    assert content.is_legacy
    assert content.sections["overview"] == "今年以来……"
    assert content.published_at == at(2014, 2, 27, 9)
    # idempotent, and never edited or corrected
    assert (
        services.report_import_legacy(
            agency=agency,
            year=2013,
            text="x",
            published_at=at(2014, 2, 27),
            index_number="y",
            by=None,
            now=at(2026, 1, 6),
        ).pk
        == report.pk
    )
    with pytest.raises(ValidationError):
        services.report_update(
            report=report, by=staff_user, now=at(2026, 1, 6), section_overview="改"
        )
    with pytest.raises(ValidationError):
        services.report_start_correction(
            report=report, by=staff_user, now=at(2026, 1, 6)
        )


def test_r5_warns_after_a_legacy_year_and_compares_after_a_portal_year(
    agency, staff_user, approver_user
):
    services.report_import_legacy(
        agency=agency,
        year=2023,
        text="原文",
        published_at=at(2024, 2, 1),
        index_number="X-1",
        by=None,
        now=at(2026, 1, 5),
    )
    r2024 = services.report_open(
        agency=agency, year=2024, by=staff_user, now=at(2026, 1, 5)
    )
    [r5] = [c for c in live_content(r2024).checks if c.rule == "R5"]
    assert r5.is_warning
    assert "历史文本年报" in r5.detail
    publish(r2024, admin=staff_user, approver=approver_user, now=at(2026, 1, 6))
    r2025 = services.report_open(
        agency=agency, year=2025, by=staff_user, now=at(2026, 1, 7)
    )
    [r5] = [c for c in live_content(r2025).checks if c.rule == "R5"]
    assert r5.level == "ok"
