"""Public per-department disclosure pages: /bumen/ (all agencies), /bumen/<id>/ and
/bumen/<id>/jigou/ (机构概况, 条例 第二十条第（二）项)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from disclosure.department import (
    agency_groups,
    agency_profile,
    department_context,
    public_agencies,
)
from portal.models import Agency


def _public_agency(pk: int) -> Agency:
    return get_object_or_404(Agency, pk=pk, is_active=True)


@require_safe
def department_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/bumen/index.html",
        {"groups": agency_groups(public_agencies())},
    )


@require_safe
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "disclosure/bumen/detail.html", department_context(_public_agency(pk))
    )


@require_safe
def department_profile(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _public_agency(pk)
    return render(
        request,
        "disclosure/bumen/profile.html",
        {"agency": agency, "profile": agency_profile(agency)},
    )
