"""What ``disclosure`` contributes to the staff workspace (portal/staff_desk.py): the
年报, 数据统计 and 合规检查 entries of the navigation (each asking the predicate its
view asks) and the 工作台 panel of annual reports waiting for the user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from disclosure.access import may_see_compliance, oversees_reporting
from disclosure.stats import report_due_warning
from portal import roles
from portal.staff_desk import Panel, PanelItem, register_nav, register_panel


def reports_panel(user: Any, today: date) -> Panel | None:
    """Reports of the user's agency (superuser: all) waiting for them, in one query:
    a 审核人 sees those submitted by someone else (four eyes: nobody approves their
    own submission); a 管理员 sees those sent back and those approved, to publish."""
    from disclosure.models import AnnualReport, AnnualReportEvent

    Status = AnnualReport.Status
    if not roles.is_active_staff(user):
        return None
    agency = roles.staff_agency(user)
    if agency is None and not user.is_superuser:
        return None
    approver = roles.has_role(user, roles.APPROVER)
    admin = roles.has_role(user, roles.ADMIN)
    if not (approver or admin):
        return None
    qs = AnnualReport.objects.all()
    if not user.is_superuser:
        qs = qs.filter(agency_id=agency.pk)
    submitter = Subquery(
        AnnualReportEvent.objects.filter(
            report=OuterRef("pk"), action=AnnualReportEvent.Action.SUBMITTED
        )
        .order_by("-at", "-id")
        .values("actor_id")[:1]
    )
    counts = qs.annotate(submitter=submitter).aggregate(
        to_review=Count(
            "pk",
            filter=Q(status=Status.REVIEW)
            & (Q(submitter__isnull=True) | ~Q(submitter=user.pk)),
        ),
        sent_back=Count("pk", filter=Q(status=Status.DRAFT) & ~Q(review_comment="")),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
    )
    url = reverse("disclosure:staff_report_list")
    items = []
    if approver:
        items.append(PanelItem("待我审核", counts["to_review"], url, "warn"))
    if admin:
        items.append(PanelItem("被退回待修改", counts["sent_back"], url, "alert"))
        items.append(PanelItem("已审核待发布", counts["approved"], url, "warn"))
    return Panel(
        key="reports",
        title="政府信息公开工作年度报告",
        items=items,
        # from 1月15日 while last year's report is unpublished (two queries, admins only)
        note=report_due_warning(agency, today) if admin else "",
        link_label="进入年度报告",
        link_url=url,
    )


def register() -> None:
    register_nav(
        "reports",
        label="年报",
        url_name="disclosure:staff_report_list",
        allowed=roles.is_active_staff,  # staff_required
        order=40,
        sections=("disclosure:staff_report*", "disclosure:staff_appeal*"),
    )
    register_nav(
        "dashboard",
        label="数据统计",
        url_name="disclosure:staff_dashboard",
        allowed=oversees_reporting,  # dashboard_agencies
        order=50,
        sections=("disclosure:staff_dashboard",),
    )
    register_nav(
        "compliance",
        label="合规检查",
        url_name="compliance:page",
        allowed=may_see_compliance,  # compliance_agencies
        order=55,
        sections=("compliance:*",),
    )
    register_panel("reports", reports_panel, order=40)
