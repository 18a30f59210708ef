"""The 政务公开办's compliance page (and, scoped, each agency administrator's): the
per-agency scorecard, sortable on the server, every finding a link to its fix, and the
monthly XLSX export. Computation: disclosure/compliance.py."""

from __future__ import annotations

import calendar
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from disclosure.access import compliance_agencies
from disclosure.compliance import KINDS, SiteReport, site_report
from disclosure.compliance_xlsx import compliance_workbook
from disclosure.views.staff import staff_required
from portal.timeutil import local_today

SORTS = {
    "agency": ("机关", lambda card, order: order[card.agency_id], False),
    "score": ("得分", lambda card, order: (card.score, order[card.agency_id]), False),
    "findings": (
        "问题数",
        lambda card, order: (card.findings, order[card.agency_id]),
        False,
    ),
}


def _allowed(request: HttpRequest):
    agencies = compliance_agencies(request.user)
    if agencies is None:
        raise PermissionDenied("只有管理员可以查看政务公开合规检查")
    return agencies


def _scoped(request: HttpRequest, agencies):
    """?agency=<pk> narrows to one of the allowed agencies; anything else is ignored."""
    raw = request.GET.get("agency", "")
    if raw.isdigit():
        chosen = [a for a in agencies if a.pk == int(raw)]
        if chosen:
            return chosen, chosen[0]
    return agencies, None


@staff_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    allowed = _allowed(request)
    agencies, chosen = _scoped(request, allowed)
    today = local_today()
    report = site_report(today=today, agencies=agencies)
    sort = request.GET.get("sort", "agency")
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "agency", "agency"
    order = {a.pk: i for i, a in enumerate(agencies)}
    cards = sorted(
        report.agencies,
        key=lambda c: SORTS[key][1](c, order),
        reverse=sort.startswith("-"),
    )
    sort_links = []
    for k, (label, _f, _r) in SORTS.items():
        target = f"-{k}" if sort == k else k
        query = f"?sort={target}" + (f"&agency={chosen.pk}" if chosen else "")
        sort_links.append(
            {
                "key": k,
                "label": label,
                "url": query,
                "current": "ascending"
                if sort == k
                else ("descending" if sort == f"-{k}" else ""),
            }
        )
    rows = [
        {
            "card": c,
            "findings": report.findings_of(c.agency),
            "columns": [
                s for s in report.columns if s.agency == c.agency and s.status != "ok"
            ],
            "report_note": report.report_notes.get(c.agency_id, ""),
        }
        for c in cards
    ]
    return render(
        request,
        "disclosure/compliance.html",
        {
            "today": today,
            "rows": rows,
            "sort_links": sort_links,
            "agencies": allowed,
            "chosen": chosen,
            "kinds": [(k, *v) for k, v in KINDS.items()],
            "month": today.strftime("%Y-%m"),
            "failing": sum(1 for c in cards if c.verdict == "不合格"),
        },
    )


def month_as_of(text: str, today: date) -> date:
    """'YYYY-MM' → the month's last day (today for the current month). ValueError
    with a Chinese message on a bad or future month."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        last = date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, TypeError):
        raise ValueError(f"月份“{text}”无效：请写成 YYYY-MM，例如 2026-03") from None
    if date(year, month, 1) > today:
        raise ValueError(f"月份“{text}”还没有到，不能导出")
    return min(last, today)


@staff_required
def compliance_export(request: HttpRequest) -> HttpResponse:
    allowed = _allowed(request)
    agencies, _chosen = _scoped(request, allowed)
    today = local_today()
    text = request.GET.get("month", "") or today.strftime("%Y-%m")
    try:
        as_of = month_as_of(text, today)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("compliance:page"))
    report: SiteReport = site_report(today=as_of, agencies=agencies)
    response = HttpResponse(
        compliance_workbook(report, base=request.build_absolute_uri("/")[:-1]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="compliance-{as_of:%Y-%m}.xlsx"'
    )
    return response
