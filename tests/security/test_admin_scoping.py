"""Focused checks for what the access-leak crawl (test_access_crawl.py) found in the
Django admin: each admin shows a department's staff their own agency's rows only, even
when an operator grants them a view permission, and the admin's helper views answer
for another agency's object exactly as for a missing one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from disclosure import services
from disclosure.models import (
    AnnualReport,
    AnnualReportEvent,
    AnnualReportVersion,
    AppealCase,
)
from portal import roles
from tests.disclosure.helpers import NARRATIVES
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
REPORT_MODELS = (
    "annualreport",
    "annualreportversion",
    "annualreportevent",
    "appealcase",
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def _grant_report_views(user) -> None:
    """What an operator might grant a department's 管理员 (no role has it by default)."""
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="disclosure",
            codename__in=[f"view_{m}" for m in REPORT_MODELS],
        )
    )


@pytest.fixture
def reports(agency, other_agency, staff_user):
    """A published 2024 report and a draft 2025 report of ``agency`` (with a 复议 case)."""
    approver = StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])
    with time_machine.travel(at(2025, 1, 9, 10), tick=False):
        old = services.report_open(
            agency=agency, year=2024, by=staff_user, now=at(2025, 1, 5, 9)
        )
        services.report_update(
            report=old,
            by=staff_user,
            now=at(2025, 1, 6, 9),
            licensing_count=1,
            penalty_count=1,
            fee_amount=Decimal("1"),
            **NARRATIVES,
        )
        services.report_submit(report=old, by=staff_user, now=at(2025, 1, 9, 9))
        services.report_approve(report=old, by=approver, now=at(2025, 1, 9, 9, 30))
        services.report_publish(report=old, by=staff_user, now=at(2025, 1, 9, 10))
    with time_machine.travel(at(2026, 1, 6, 9), tick=False):
        draft = services.report_open(
            agency=agency, year=2025, by=staff_user, now=at(2026, 1, 5, 9)
        )
        services.report_update(
            report=draft,
            by=staff_user,
            now=at(2026, 1, 6, 9),
            section_overview="教育局年报草稿内部段落",
        )
        appeal = services.appeal_case_save(
            agency=agency,
            by=staff_user,
            kind=AppealCase.Kind.RECONSIDERATION,
            case_number="株天复〔2025〕内部7号",
            filed_year=2025,
            filed_date=at(2025, 3, 1).date(),
            result=AppealCase.Result.PENDING,
            decided_date=None,
        )
    return {"published": old, "draft": draft, "appeal": appeal}


def test_report_admin_shows_a_granted_department_its_own_rows_only(
    client, reports, other_staff_user, staff_user
):
    _grant_report_views(other_staff_user)
    _grant_report_views(staff_user)
    rows = {
        "annualreport": reports["draft"],
        "annualreportversion": AnnualReportVersion.objects.get(
            report=reports["published"]
        ),
        "annualreportevent": AnnualReportEvent.objects.filter(
            report=reports["draft"]
        ).first(),
        "appealcase": reports["appeal"],
    }
    client.force_login(other_staff_user)
    for model, row in rows.items():
        changelist = client.get(reverse(f"admin:disclosure_{model}_changelist"))
        assert changelist.status_code == 200
        assert list(changelist.context["cl"].queryset) == [], model
        for view in ("change", "history"):
            answer = client.get(
                reverse(f"admin:disclosure_{model}_{view}", args=[row.pk])
            )
            missing = client.get(
                reverse(f"admin:disclosure_{model}_{view}", args=[987654])
            )
            assert (answer.status_code, answer["Location"]) == (
                missing.status_code,
                missing["Location"],
            ), (model, view)
    html = client.get(
        reverse("admin:disclosure_annualreport_changelist")
    ).content.decode()
    assert "教育局" not in html

    client.force_login(staff_user)  # the owner still sees them
    assert (
        client.get(
            reverse("admin:disclosure_annualreport_change", args=[reports["draft"].pk])
        ).status_code
        == 200
    )
    assert set(
        client.get(reverse("admin:disclosure_annualreport_changelist"))
        .context["cl"]
        .queryset
    ) == set(AnnualReport.objects.filter(agency=reports["draft"].agency))


def test_view_on_site_answers_404_for_another_agencys_report(
    client, reports, other_staff_user, staff_user
):
    _grant_report_views(other_staff_user)
    _grant_report_views(staff_user)
    ct = ContentType.objects.get_for_model(AnnualReport)

    def view_on_site(pk):
        return client.get(reverse("admin:view_on_site", args=[ct.pk, pk]))

    client.force_login(other_staff_user)
    assert view_on_site(reports["draft"].pk).status_code == 404
    assert view_on_site(reports["published"].pk).status_code == 404
    assert view_on_site(987654).status_code == 404

    client.force_login(staff_user)
    answer = view_on_site(reports["published"].pk)
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/nianbao/{reports['published'].pk}/")

    client.logout()
    assert view_on_site(reports["draft"].pk)["Location"].startswith("/admin/login/")


def test_a_view_only_admin_can_open_a_theme(client, staff_user):
    """管理员 may view (not change) 主题分类: the form has no editable ``parent`` field."""
    from catalog.models import Theme

    client.force_login(staff_user)
    child = Theme.objects.filter(parent__isnull=False).first()
    response = client.get(reverse("admin:catalog_theme_change", args=[child.pk]))
    assert response.status_code == 200
    assert child.name in response.content.decode()
