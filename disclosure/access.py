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


def oversees_reporting(user) -> bool:
    """May open the 年报发布情况 dashboard: a superuser, or a 管理员 of a 人民政府.
    Asked by ``dashboard_agencies`` (the view) and the staff navigation alike."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    agency = roles.staff_agency(user)
    return (
        agency is not None
        and agency.kind == Agency.Kind.GOVERNMENT
        and roles.has_role(user, roles.ADMIN)
    )


def may_see_compliance(user) -> bool:
    """May open the compliance page: whoever ``oversees_reporting``, or the 管理员 of
    an active agency (their own agency only). Asked by ``compliance_agencies`` and the
    staff navigation alike."""
    if oversees_reporting(user):
        return True
    agency = roles.staff_agency(user)
    return agency is not None and agency.is_active and roles.has_role(user, roles.ADMIN)


def dashboard_agencies(user) -> list[Agency] | None:
    """Agencies whose reporting a user oversees: a 管理员 of a 人民政府 sees it and the
    agencies under it; a superuser sees every agency. None: not allowed."""
    if not oversees_reporting(user):
        return None
    active = Agency.objects.filter(is_active=True).order_by("sort_order", "id")
    if user.is_superuser:
        return list(active)
    agency = roles.staff_agency(user)
    return list(active.filter(pk=agency.pk) | active.filter(parent_id=agency.pk))


def compliance_agencies(user) -> list[Agency] | None:
    """Whose compliance a user may see: a superuser or an administrator of a 人民政府
    (the 政务公开办) sees the agencies of ``dashboard_agencies``; any other agency's
    管理员 sees only their own agency. None: not allowed."""
    if not may_see_compliance(user):
        return None
    if oversees_reporting(user):
        return dashboard_agencies(user)
    return [roles.staff_agency(user)]
