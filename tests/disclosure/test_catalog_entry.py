"""A published annual report is an entry of the 政府信息公开目录 (issue 12 §3): same
索引号, found by the catalog search, linked both ways; corrections update it; the
personal-data guard applies; reports published before are filed by a command."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Notice, NoticeEvent
from catalog.search import parse_query, search_notices
from disclosure import services
from disclosure.models import AnnualReport, AnnualReportEvent
from tests.disclosure.conftest import NARRATIVES, at, publish
from tests.disclosure.test_personal_data import ID, admin_approver  # noqa: F401

pytestmark = pytest.mark.django_db


def found(query: str) -> list[int]:
    page = search_notices(
        Notice.objects.listed(), parse_query(query), order="relevance", limit=50
    )
    return [n.pk for n in page.results]


def test_publishing_files_the_report_in_the_catalog(draft, staff_user, approver_user):
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9, 10))
    report = AnnualReport.objects.select_related("notice").get(pk=draft.pk)
    notice = report.notice
    assert notice is not None
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.index_number == report.index_number
    assert notice.title == report.title == "天元区教育局2025年政府信息公开工作年度报告"
    assert notice.published_at == report.first_published_at
    assert notice.owner_agency_id == report.agency_id
    assert notice.column.slug == "ndbg"
    assert notice.genre.name == "年报"
    assert notice.security_reviewed_by == approver_user
    report_url = reverse("disclosure:report_detail", args=[report.pk])
    assert f'href="{report_url}"' in notice.body
    assert "<h2>一、总体情况</h2>" in notice.body
    assert NARRATIVES["section_problems"] in notice.body
    event = notice.events.get(action=NoticeEvent.Action.PUBLISHED)
    assert event.actor == staff_user
    assert event.changes["index_number"] == report.index_number
    # found by words of the title and by its own 索引号 (first)
    assert notice.pk in found("年度报告")
    assert found(report.index_number)[0] == notice.pk


def test_report_page_and_catalog_page_link_to_each_other(
    client, draft, staff_user, approver_user
):
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9, 10))
    report = AnnualReport.objects.select_related("notice").get(pk=draft.pk)
    notice_url = reverse("catalog:notice_detail", args=[report.notice.uuid])
    report_url = reverse("disclosure:report_detail", args=[report.pk])
    page = client.get(report_url).content.decode()
    assert f'<a href="{notice_url}">在政府信息公开目录中查看</a>' in page
    page = client.get(notice_url).content.decode()
    assert f'href="{report_url}"' in page
    # and the catalog's search page lists it
    page = client.get(reverse("catalog:notice_list"), {"q": "年度报告"}).content
    assert f'href="{notice_url}"' in page.decode()


def test_a_correction_updates_the_same_entry(draft, staff_user, approver_user):
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9, 10))
    report = AnnualReport.objects.get(pk=draft.pk)
    services.report_start_correction(report=report, by=staff_user, now=at(2026, 2, 1))
    services.report_update(
        report=report,
        by=staff_user,
        now=at(2026, 2, 1),
        section_problems="栏目更新不及时，已建立每周检查制度。",
    )
    publish(
        report,
        admin=staff_user,
        approver=approver_user,
        now=at(2026, 2, 3, 9),
        correction_note="补充第五部分的改进措施。",
    )
    report = AnnualReport.objects.select_related("notice").get(pk=draft.pk)
    assert Notice.objects.filter(index_number=report.index_number).count() == 1
    body = report.notice.body
    assert "已建立每周检查制度" in body
    assert NARRATIVES["section_problems"] not in body
    assert "更正说明（第 2 版）：" in body
    assert "补充第五部分的改进措施。" in body
    assert report.notice.published_at == at(2026, 1, 9, 10)  # first publication
    update = report.notice.events.get(action=NoticeEvent.Action.UPDATED)
    assert "body" in update.changes
    assert "第 2 版发布" in update.reason
    assert found("每周检查制度") == [report.notice.pk]


def test_an_approvers_override_covers_the_entry_too(
    draft,
    admin_approver,  # noqa: F811
    approver_user,
):
    services.report_update(
        report=draft,
        by=admin_approver,
        now=at(2026, 1, 6),
        **{**NARRATIVES, "section_overview": f"当事人 {ID}"},
    )
    services.report_submit(report=draft, by=admin_approver, now=at(2026, 1, 7))
    services.report_approve(report=draft, by=approver_user, now=at(2026, 1, 8))
    services.report_publish(
        report=draft,
        by=admin_approver,
        now=at(2026, 1, 9),
        override_reason="行政处罚决定依法公开",
    )
    notice = AnnualReport.objects.get(pk=draft.pk).notice
    override = notice.events.get(action=NoticeEvent.Action.PII_OVERRIDE)
    assert override.reason == "年度报告发布时审核人放行：行政处罚决定依法公开"
    assert override.changes["findings"] == ["正文第 3 段：身份证号 430203********3013"]
    assert ID not in str(override.changes)


def test_personal_data_outside_the_reports_guard_refuses_publication(
    draft, staff_user, approver_user, monkeypatch
):
    """The entry is checked by the catalog's own guard: a finding the report's guard
    did not see (here: a name source of another app) rolls the publication back."""
    from catalog import guard

    monkeypatch.setattr(guard, "_name_sources", [lambda notice: ["张三丰"]])
    services.report_update(
        report=draft,
        by=staff_user,
        now=at(2026, 1, 6),
        **{**NARRATIVES, "section_other": "感谢张三丰同志的意见。"},
    )
    monkeypatch.setattr(guard, "known_names", lambda notice: ["张三丰"])
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    services.report_approve(report=draft, by=approver_user, now=at(2026, 1, 8))
    with pytest.raises(ValidationError, match="个人信息"):
        services.report_publish(report=draft, by=staff_user, now=at(2026, 1, 9))
    report = AnnualReport.objects.get(pk=draft.pk)
    assert report.status == AnnualReport.Status.APPROVED
    assert report.current_version == 0
    assert report.notice_id is None
    assert not Notice.objects.exists()


def test_a_legacy_report_adopts_the_imported_notice_with_its_index_number(
    agency, staff_user
):
    from catalog.services import notice_import_upsert

    imported, _ = notice_import_upsert(
        publishers=[agency],
        published_at=at(2014, 2, 27),
        index_number="0122/2016-00001",
        title="天元区教育局2013年政府信息公开工作年度报告",
        body="旧的正文。",
    )
    report = services.report_import_legacy(
        agency=agency,
        year=2013,
        text="2013年政府信息公开工作情况。\n今后工作打算。",
        published_at=at(2014, 2, 27),
        index_number="0122/2016-00001",
        by=None,
        now=at(2026, 1, 5),
    )
    assert report.notice_id == imported.pk
    imported.refresh_from_db()
    assert "今后工作打算。" in imported.body
    assert "旧的正文" not in imported.body
    assert reverse("disclosure:report_detail", args=[report.pk]) in imported.body


def test_an_index_number_of_another_agency_is_refused(agency, other_agency, staff_user):
    from catalog.services import notice_import_upsert

    notice_import_upsert(
        publishers=[other_agency],
        published_at=at(2014, 2, 27),
        index_number="0122/2016-00009",
        title="另一机关的信息",
    )
    with pytest.raises(ValidationError, match="已被另一机关的政府信息"):
        services.report_import_legacy(
            agency=agency,
            year=2013,
            text="原文",
            published_at=at(2014, 2, 27),
            index_number="0122/2016-00009",
            by=None,
            now=at(2026, 1, 5),
        )
    assert not AnnualReport.objects.exists()


def test_command_files_reports_published_before(
    draft, staff_user, approver_user, capsys
):
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9, 10))
    # as an install upgraded from before catalog entries existed
    notice_id = AnnualReport.objects.get(pk=draft.pk).notice_id
    AnnualReport.objects.filter(pk=draft.pk).update(notice=None)
    Notice.objects.filter(pk=notice_id).delete()
    call_command("report_catalog_entries")
    assert "登记到目录 1 份年报" in capsys.readouterr().out
    report = AnnualReport.objects.select_related("notice").get(pk=draft.pk)
    assert report.notice.index_number == report.index_number
    assert report.events.filter(action=AnnualReportEvent.Action.CATALOGUED).count() == 1
    call_command("report_catalog_entries")
    assert "登记到目录 0 份年报" in capsys.readouterr().out
    assert Notice.objects.count() == 1
