"""Issue 10 §3: a report is published only when it can be (year ended, no placeholder
text, a second person approves), with warnings shown but not blocking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from disclosure import layout, readiness, services
from disclosure.models import AnnualReport
from tests.disclosure.conftest import NARRATIVES, at, publish, travel

SECTIONS = dict.fromkeys(layout.SECTION_KEYS, "已完成的文字。")


# --- pure rules (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "（草稿）2026年政府信息公开工作总体情况，年底前补充完整。",
            ["草稿", "年底前"],
        ),
        ("主动公开情况待补充。", ["待补充"]),
        ("TODO: 写完", ["TODO"]),
        ("共收到申请 xxx 件", ["xxx"]),
        ("共收到申请 ×× 件", ["xxx"]),
        ("发布【】条信息", ["空的【】"]),
        ("发布［ ］条信息", ["空的［］"]),
        ("收费金额（待定）元", ["待定"]),
        ("（一）主动公开。全年主动公开政府信息 1200 条。", []),
        ("本年度未发生行政复议、行政诉讼案件。", []),
    ],
)
def test_draft_markers(text, found):
    assert readiness.draft_markers_in(text) == found


def test_not_before_the_year_has_ended():
    refusals = readiness.publication_refusals(
        year=2026, today=date(2026, 12, 31), sections=SECTIONS
    )
    assert refusals
    assert "2026年尚未结束" in refusals[0]
    assert not readiness.publication_refusals(
        year=2026, today=date(2027, 1, 1), sections=SECTIONS
    )


def test_empty_or_placeholder_sections_are_named():
    sections = {**SECTIONS, "active": "  ", "problems": "存在问题待补充"}
    refusals = readiness.publication_refusals(
        year=2025, today=date(2026, 1, 20), sections=sections
    )
    assert refusals == [
        "“二、主动公开政府信息情况”尚未填写",
        "“五、存在的主要问题及改进情况”含有草稿或占位内容（待补充），请补充完整后再发布",
    ]


def test_warnings_on_fees_and_table_two_continuity():
    fees = SimpleNamespace(
        notified_amount=Decimal("100.00"), collected_amount=Decimal("150.00")
    )
    table2 = {
        layout.RULES: {layout.ISSUED: 0, layout.REPEALED: 0, layout.IN_FORCE: 0},
        layout.NORMATIVE: {layout.ISSUED: 5, layout.REPEALED: 2, layout.IN_FORCE: 40},
    }
    previous = {
        layout.RULES: {layout.IN_FORCE: 0},
        layout.NORMATIVE: {layout.IN_FORCE: 30},
    }
    warnings = readiness.publication_warnings(
        fees=fees, table2=table2, previous_table2=previous
    )
    assert "实际收取金额（150.00 元）大于收费通知总金额（100.00 元）" in warnings[0]
    assert "30 + 本年制发 5 − 本年废止 2 = 33" in warnings[1]
    assert len(warnings) == 2
    table2[layout.NORMATIVE][layout.IN_FORCE] = 33
    fees.collected_amount = Decimal("100.00")
    assert not readiness.publication_warnings(
        fees=fees, table2=table2, previous_table2=previous
    )


def test_due_warning_from_january_15():
    deadline = date(2026, 1, 31)
    kwargs = {"year": 2025, "deadline": deadline}
    assert (
        readiness.due_warning(today=date(2026, 1, 14), published=False, **kwargs) == ""
    )
    assert "尚未发布" in readiness.due_warning(
        today=date(2026, 1, 15), published=False, **kwargs
    )
    assert "已逾期" in readiness.due_warning(
        today=date(2026, 2, 1), published=False, **kwargs
    )
    assert readiness.due_warning(today=date(2026, 2, 1), published=True, **kwargs) == ""


# --- the services and pages --------------------------------------------------------


@pytest.mark.django_db
def test_mid_year_report_with_placeholder_is_refused(agency, staff_user, approver_user):
    report = services.report_open(
        agency=agency, year=2026, by=staff_user, now=at(2026, 11, 2, 9)
    )
    services.report_update(
        report=report,
        by=staff_user,
        now=at(2026, 11, 2, 9),
        **{
            **NARRATIVES,
            "section_overview": "（草稿）2026年政府信息公开工作总体情况，年底前补充完整。",
        },
    )
    services.report_submit(report=report, by=staff_user, now=at(2026, 11, 2, 10))
    services.report_approve(report=report, by=approver_user, now=at(2026, 11, 2, 11))
    with pytest.raises(ValidationError) as exc:
        services.report_publish(report=report, by=staff_user, now=at(2026, 11, 2, 12))
    message = exc.value.messages[0]
    assert "2026年尚未结束" in message
    assert "“一、总体情况”含有草稿或占位内容（草稿、年底前）" in message
    assert AnnualReport.objects.get(pk=report.pk).status == AnnualReport.Status.APPROVED
    # after the year has ended, still refused for the placeholder alone
    with pytest.raises(ValidationError, match="草稿"):
        services.report_publish(report=report, by=staff_user, now=at(2027, 1, 10, 9))


@pytest.mark.django_db
def test_the_submitter_can_never_approve_superusers_included(agency, draft):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "r@example.gov.cn", "x")
    services.report_update(report=draft, by=root, now=at(2026, 1, 6), **NARRATIVES)
    services.report_submit(report=draft, by=root, now=at(2026, 1, 7))
    with pytest.raises(PermissionDenied, match="不能审核通过自己提交的年报"):
        services.report_approve(report=draft, by=root, now=at(2026, 1, 8))
    assert AnnualReport.objects.get(pk=draft.pk).status == AnnualReport.Status.REVIEW


@pytest.mark.django_db
def test_refusals_and_warnings_are_shown_on_the_staff_page(
    client, agency, staff_user, approver_user, draft
):
    services.report_update(
        report=draft,
        by=staff_user,
        now=at(2026, 1, 6),
        fee_notified_amount=Decimal("10.00"),
        fee_collected_amount=Decimal("25.00"),
        section_overview="总体情况待补充",
    )
    client.force_login(staff_user)
    url = reverse("disclosure:staff_report_detail", args=[draft.pk])
    with travel(2026, 1, 20, 9):
        html = client.get(url).content.decode()
        listing = client.get(reverse("disclosure:staff_report_list")).content.decode()
    assert "暂不能发布" in html
    assert "“一、总体情况”含有草稿或占位内容（待补充）" in html
    assert "“六、其他需要报告的事项”尚未填写" in html
    assert "实际收取金额（25.00 元）大于收费通知总金额（10.00 元）" in html
    assert "2025年度报告尚未发布" in html
    assert "2025年度报告尚未发布" in listing
    # warnings do not block: with the narratives written, it publishes
    services.report_update(
        report=draft, by=staff_user, now=at(2026, 1, 21), **NARRATIVES
    )
    version = publish(
        draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 22, 9)
    )
    assert version.number == 1
    with travel(2026, 1, 23, 9):
        listing = client.get(reverse("disclosure:staff_report_list")).content.decode()
    assert "2025年度报告尚未发布" not in listing
