"""Public pages: the 年报 column, a report in the national layout with its earlier
versions, XLSX/JSON downloads, and the live 数据统计 page."""

from __future__ import annotations

import io
import json
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from disclosure import charts, layout, stats
from disclosure.access import access_published_report, access_published_version
from disclosure.content import ReportContent, diff_versions, version_content
from disclosure.figures import Figures
from disclosure.models import AnnualReport, AnnualReportVersion
from disclosure.render import grids
from disclosure.xlsx import workbook_bytes
from portal.exports import csv_writer
from portal.models import Agency
from portal.timeutil import local_today

PAGE_SIZE = 30


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    """政府信息公开年报 column: every published report, newest year first."""
    qs = (
        AnnualReport.objects.published()
        .select_related("agency")
        .order_by("-year", "agency__sort_order", "agency_id")
    )
    year = _int_param(request, "year")
    agency_id = _int_param(request, "agency")
    if year:
        qs = qs.filter(year=year)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    published = AnnualReport.objects.published()
    years = list(published.order_by("-year").values_list("year", flat=True).distinct())
    agencies = list(
        Agency.objects.filter(pk__in=published.values("agency_id")).order_by(
            "sort_order", "id"
        )
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    sep = "&" if base else ""
    return render(
        request,
        "disclosure/report_list.html",
        {
            "page": page,
            "years": years,
            "agencies": agencies,
            "year": year,
            "agency_id": agency_id,
            "page_prev_url": f"?{base}{sep}page={page.previous_page_number()}"
            if page.has_previous()
            else "",
            "page_next_url": f"?{base}{sep}page={page.next_page_number()}"
            if page.has_next()
            else "",
            "page_label": f"第 {page.number} / {page.paginator.num_pages} 页"
            if page.paginator.num_pages > 1
            else "",
        },
    )


def report_context(content: ReportContent, *, failing: bool = False) -> dict:
    """Template context for the report body (shared by public and staff pages)."""
    figures = content.figures
    return {
        "content": content,
        "report": content.report,
        "grids": grids(figures, content.failing_cells() if failing else None)
        if figures
        else [],
        "charts": charts.report_charts(figures) if figures else [],
        "sections": [
            (key, heading, content.sections.get(key, ""))
            for key, heading in layout.SECTIONS
        ],
    }


def _versions(report: AnnualReport) -> list[AnnualReportVersion]:
    return list(report.versions.order_by("number").select_related("published_by"))


def _history(report: AnnualReport, versions: list[AnnualReportVersion]) -> list[dict]:
    """Each version with its 更正说明 and what changed from the one before."""
    contents = [version_content(v, report) for v in versions]
    out = []
    for i, (version, content) in enumerate(zip(versions, contents, strict=True)):
        diff = diff_versions(contents[i - 1], content) if i > 0 else None
        out.append({"version": version, "diff": diff})
    return out


def _report_page(
    request: HttpRequest, report: AnnualReport, number: int | None
) -> HttpResponse:
    versions = _versions(report)
    if not versions:
        raise Http404
    by_number = {v.number: v for v in versions}
    if number is not None and number not in by_number:
        raise Http404
    version = by_number[number] if number is not None else versions[-1]
    content = version_content(version, report)
    history = _history(report, versions)
    current = next(h for h in history if h["version"].number == version.number)
    return render(
        request,
        "disclosure/report_detail.html",
        {
            **report_context(content),
            "version": version,
            "latest": versions[-1],
            "is_latest": version.number == versions[-1].number,
            "history": history,
            "current": current,
        },
    )


@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, access_published_report(pk), None)


@require_safe
def report_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = access_published_report(pk)
    if number > report.current_version:
        raise Http404
    return _report_page(request, report, number)


def _file_name(content: ReportContent, extension: str) -> str:
    suffix = f"（第{content.version_number}版）" if content.version_number > 1 else ""
    return f"{content.report.title}{suffix}.{extension}"


def download_response(content: ReportContent, fmt: str) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(content.to_json(), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif fmt == "xlsx":
        if content.is_legacy:
            raise Http404
        response = HttpResponse(
            workbook_bytes(content),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(
        True, _file_name(content, fmt)
    )
    return response


@require_safe
def report_download(
    request: HttpRequest, pk: int, fmt: str, number: int | None = None
) -> HttpResponse:
    report = access_published_report(pk)
    version = access_published_version(report, number or report.current_version)
    return download_response(version_content(version, report), fmt)


# --- 数据统计 -----------------------------------------------------------------------


def _stats_data(agency: Agency | None, year: int, today: date) -> dict:
    ids = [agency.pk] if agency else None
    table3, _count = stats.table3(ids, year)
    months = stats.received_by_month(ids, year)
    replies = stats.reply_stats(stats.reply_rows(ids, year))
    figures = Figures.empty()
    figures.table3 = table3
    # outcome rows with their group captions （三）–（六） (value None)
    outcome_rows = [
        (label, level, table3[label][layout.TOTAL] if outcome is not None else None)
        for label, outcome, level in layout.TABLE3_ROWS
        if level >= 1 and label != layout.ROW_CLOSED_TOTAL
    ]
    return {
        "table3": table3,
        "months": months,
        "month_chart": charts.monthly_chart(months, year),
        "outcome_chart": charts.horizontal_bars(
            "chart-outcomes",
            f"{year}年办理结果",
            [n for n, _ in charts.BAR_GROUPS],
            charts.outcome_group_values(figures),
        ),
        "outcome_rows": outcome_rows,
        "new": table3[layout.ROW_NEW][layout.TOTAL],
        "carried_in": table3[layout.ROW_CARRIED_IN][layout.TOTAL],
        "closed": table3[layout.ROW_CLOSED_TOTAL][layout.TOTAL],
        "carried_out": table3[layout.ROW_CARRIED_OUT][layout.TOTAL],
        "replies": replies,
        "overdue": stats.overdue_open(ids, today),
    }


def _stats_params(
    request: HttpRequest, today: date
) -> tuple[Agency | None, int, list[int], list[Agency]]:
    from requests_app.models import InfoRequest

    first = InfoRequest.objects.aggregate(first=Min("received_date"))["first"]
    first_year = min(first.year if first else today.year, today.year)
    years = list(range(today.year, first_year - 1, -1))
    year = _int_param(request, "year") or today.year
    if year not in years:
        year = today.year
    agencies = list(Agency.objects.filter(is_active=True).order_by("sort_order", "id"))
    agency_id = _int_param(request, "agency")
    agency = next((a for a in agencies if a.pk == agency_id), None)
    return agency, year, years, agencies


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    today = local_today()
    agency, year, years, agencies = _stats_params(request, today)
    data = _stats_data(agency, year, today)
    return render(
        request,
        "disclosure/stats.html",
        {
            **data,
            "agency": agency,
            "year": year,
            "years": years,
            "agencies": agencies,
            "today": today,
            "scope_name": agency.name if agency else "全区（所有机关）",
            "few": stats.FEW_CASES,
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def statistics_csv(request: HttpRequest) -> HttpResponse:
    today = local_today()
    agency, year, _, _ = _stats_params(request, today)
    data = _stats_data(agency, year, today)
    replies: stats.ReplyStats = data["replies"]
    scope = agency.name if agency else "全区（所有机关）"
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(["范围", scope])
    w.writerow(["年度", year])
    w.writerow(["统计日期", today.isoformat()])
    w.writerow([])
    w.writerow(["项目", "数值"])
    w.writerow(["本年新收申请（件）", data["new"]])
    w.writerow(["上年结转（件）", data["carried_in"]])
    w.writerow(["本年办结（件）", data["closed"]])
    w.writerow(["结转下年度（件）", data["carried_out"]])
    w.writerow(["本年答复（件）", replies.replied])
    w.writerow(["按时答复（件）", replies.on_time])
    if not replies.few and replies.on_time_percent is not None:
        w.writerow(["按时答复率（%）", f"{replies.on_time_percent:.1f}"])
        w.writerow(["答复用时中位数（工作日）", f"{replies.median_days:g}"])
        w.writerow(["答复用时第90百分位（工作日）", f"{replies.p90_days:g}"])
    w.writerow(["当前逾期未答复（件）", data["overdue"]])
    w.writerow([])
    w.writerow(["月份", "收到申请（件）"])
    for label, value in zip(charts.MONTHS, data["months"], strict=True):
        w.writerow([label, value])
    w.writerow([])
    w.writerow(["办理结果", "件数"])
    group = ""
    for label, level, value in data["outcome_rows"]:
        if value is None:
            group = label
        else:
            w.writerow([f"{group} {label}" if level == 2 else label, value])
    # BOM so that spreadsheet programs read the UTF-8 Chinese correctly
    response = HttpResponse(
        "\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"政府信息公开申请统计-{scope}-{year}.csv"
    )
    return response
