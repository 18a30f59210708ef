"""One access helper per object type. Staff of another agency get 404, never 403, so
a draft's existence is not revealed."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from disclosure.models import AnnualReport, AnnualReportVersion, AppealCase
from portal import roles
from portal.models import Agency


def access_report_by_staff(user, pk: int) -> AnnualReport:
    qs = AnnualReport.objects.select_related("agency", "notice")
    if user.is_superuser:
        return get_object_or_404(qs, pk=pk)
    agency = roles.staff_agency(user)
    if agency is None:
        raise Http404
    return get_object_or_404(qs, pk=pk, agency_id=agency.pk)


def access_published_report(pk: int) -> AnnualReport:
    return get_object_or_404(
        AnnualReport.objects.published().select_related("agency", "notice"), pk=pk
    )


def access_published_version(report: AnnualReport, number: int) -> AnnualReportVersion:
    if number < 1 or number > report.current_version:
        raise Http404
    return get_object_or_404(
        AnnualReportVersion.objects.filter(report=report), number=number
    )


def access_appeal_case_by_staff(user, pk: int) -> AppealCase:
    qs = AppealCase.objects.select_related("agency", "info_request")
    if user.is_superuser:
        return get_object_or_404(qs, pk=pk)
    agency = roles.staff_agency(user)
    if agency is None:
        raise Http404
    return get_object_or_404(qs, pk=pk, agency_id=agency.pk)


def dashboard_agencies(user) -> list[Agency] | None:
    """Agencies whose reporting a user oversees: a 管理员 of a 人民政府 sees it and the
    agencies under it; a superuser sees every agency. None: not allowed."""
    active = Agency.objects.filter(is_active=True).order_by("sort_order", "id")
    if user.is_superuser:
        return list(active)
    agency = roles.staff_agency(user)
    if (
        agency is None
        or agency.kind != Agency.Kind.GOVERNMENT
        or not roles.has_role(user, roles.ADMIN)
    ):
        return None
    return list(active.filter(pk=agency.pk) | active.filter(parent_id=agency.pk))


def compliance_agencies(user) -> list[Agency] | None:
    """Whose compliance a user may see: a superuser or an administrator of a 人民政府
    (the 政务公开办) sees the agencies of ``dashboard_agencies``; any other agency's
    管理员 sees only their own agency. None: not allowed."""
    overseen = dashboard_agencies(user)
    if overseen is not None:
        return overseen
    agency = roles.staff_agency(user)
    if agency is None or not agency.is_active or not roles.has_role(user, roles.ADMIN):
        return None
    return [agency]
