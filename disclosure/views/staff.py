"""Staff pages: a report's computed tables and failing checks, editing the narrative
and manual cells, the workflow (submit, review, send back, publish, correct), the
government dashboard and the 复议/诉讼 register."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from disclosure import readiness, services
from disclosure.access import (
    access_appeal_case_by_staff,
    access_published_version,
    access_report_by_staff,
    dashboard_agencies,
)
from disclosure.content import live_content, publication_check, version_content
from disclosure.deadlines import deadline_for, deadline_state
from disclosure.forms import (
    AppealCaseForm,
    ApproveForm,
    OpenReportForm,
    PublishForm,
    ReportEditForm,
    SendBackForm,
)
from disclosure.layout import included_note
from disclosure.models import AnnualReport, AnnualReportEvent, AppealCase
from disclosure.stats import report_due_warning
from disclosure.views.public import download_response, report_context
from portal import roles
from portal.models import Agency, SiteIdentity
from portal.timeutil import local_now, local_today

Status = AnnualReport.Status


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated or not request.user.is_staff:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _message_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _can(user, role: str) -> bool:
    """Role check with the user's groups read once per request (not once per button)."""
    if user.is_superuser:
        return True
    names = getattr(user, "_disclosure_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._disclosure_role_names = names
    return role in names


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_report_list(request: HttpRequest) -> HttpResponse:
    agency = roles.staff_agency(request.user)
    today = local_today()
    form = OpenReportForm(request.POST or None, today=today)
    if request.method == "POST":
        if agency is None:
            raise PermissionDenied("您的账号没有所属机关，不能新建年度报告")
        if form.is_valid():
            try:
                report = services.report_open(
                    agency=agency,
                    year=form.cleaned_data["year"],
                    by=request.user,
                    now=local_now(),
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "没有权限")
            except ValidationError as exc:
                for m in _message_of(exc):
                    messages.error(request, m)
            else:
                return redirect("disclosure:staff_report_detail", pk=report.pk)
    qs = AnnualReport.objects.select_related("agency").order_by(
        "-year", "agency__sort_order"
    )
    if not request.user.is_superuser:
        qs = qs.filter(agency_id=agency.pk) if agency else qs.none()
    return render(
        request,
        "disclosure/staff_report_list.html",
        {
            "agency": agency,
            "reports": list(qs[:200]),
            "form": form,
            "can_edit": _can(request.user, roles.ADMIN)
            and agency is not None
            and agency.report_included_in_id is None,
            "can_dashboard": dashboard_agencies(request.user) is not None,
            "due_warning": report_due_warning(agency, today),
            "included": services.included_refusal(agency) if agency else "",
        },
    )


def _events(report: AnnualReport) -> list[AnnualReportEvent]:
    return list(report.events.select_related("actor").order_by("-at", "-id")[:50])


def _detail_context(request: HttpRequest, report: AnnualReport, **forms) -> dict:
    if report.status == Status.PUBLISHED:
        content = version_content(
            access_published_version(report, report.current_version), report
        )
    else:
        content = live_content(report)
    user = request.user
    draft = report.status == Status.DRAFT and not report.is_legacy
    today = local_today()
    readiness_check = None
    due = ""
    if report.status != Status.PUBLISHED and not report.is_legacy:
        site = SiteIdentity.load()
        deadline = deadline_for(
            report.year,
            is_government=report.agency.kind == Agency.Kind.GOVERNMENT,
            department=site.report_deadline_department,
            government=site.report_deadline_government,
        )
        due = readiness.due_warning(
            year=report.year, today=today, deadline=deadline, published=False
        )
        readiness_check = publication_check(content, today)
    return {
        **report_context(content, failing=True),
        "publication_refusals": readiness_check.refusals if readiness_check else [],
        "publication_warnings": readiness_check.warnings if readiness_check else [],
        "due_warning": due,
        "events": _events(report),
        "can_edit": _can(user, roles.ADMIN) and draft,
        "can_submit": _can(user, roles.ADMIN) and draft,
        "can_review": _can(user, roles.APPROVER)
        and report.status in (Status.REVIEW, Status.APPROVED),
        "can_approve": _can(user, roles.APPROVER) and report.status == Status.REVIEW,
        "can_publish": _can(user, roles.ADMIN) and report.status == Status.APPROVED,
        "can_correct": _can(user, roles.ADMIN)
        and report.status == Status.PUBLISHED
        and not report.is_legacy,
        "send_back_form": SendBackForm(),
        "approve_form": ApproveForm(),
        "publish_form": PublishForm(),
        **forms,
    }


@staff_required
@require_safe
def staff_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report_by_staff(request.user, pk)
    return render(
        request, "disclosure/staff_report_detail.html", _detail_context(request, report)
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report_by_staff(request.user, pk)
    if report.is_legacy:
        raise Http404
    if request.method == "POST":
        form = ReportEditForm(request.POST)
        if form.is_valid():
            try:
                services.report_update(
                    report=report, by=request.user, now=local_now(), **form.cleaned_data
                )
            except PermissionDenied:
                form.add_error(None, "只有管理员可以编辑年度报告")
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, "已保存。下方是按最新数据重新核对的结果。")
                return redirect("disclosure:staff_report_detail", pk=report.pk)
    else:
        form = ReportEditForm(initial=ReportEditForm.initial_from(report))
        if not report.is_editable:
            messages.warning(request, services._not_editable_message(report))
    content = live_content(report) if report.status != Status.PUBLISHED else None
    return render(
        request,
        "disclosure/staff_report_edit.html",
        {
            "report": report,
            "form": form,
            "content": content,
            "editable": report.is_editable and _can(request.user, roles.ADMIN),
        },
        status=200 if form.is_bound is False or not form.errors else 400,
    )


ACTIONS = {"submit", "approve", "send_back", "publish", "correct"}


@staff_required
@require_POST
def staff_report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    report = access_report_by_staff(request.user, pk)
    now = local_now()
    try:
        if action == "submit":
            services.report_submit(report=report, by=request.user, now=now)
            messages.success(request, "已提交审核。")
        elif action == "approve":
            form = ApproveForm(request.POST)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            services.report_approve(
                report=report, by=request.user, now=now, comment=comment
            )
            messages.success(request, "已审核通过，管理员可以发布。")
        elif action == "send_back":
            form = SendBackForm(request.POST)
            if not form.is_valid():
                return _detail_with_form(request, report, send_back_form=form)
            services.report_send_back(
                report=report,
                by=request.user,
                now=now,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "已退回修改。")
        elif action == "publish":
            form = PublishForm(request.POST)
            valid = form.is_valid()
            note = form.cleaned_data["correction_note"] if valid else ""
            override = form.cleaned_data["pii_override_reason"] if valid else ""
            try:
                version = services.report_publish(
                    report=report,
                    by=request.user,
                    now=now,
                    correction_note=note,
                    override_reason=override,
                )
            except ValidationError as exc:
                fields = [
                    name
                    for name in ("correction_note", "pii_override_reason")
                    if name in getattr(exc, "error_dict", {})
                ]
                if not fields:
                    raise
                # keep the publish form (and what was typed) with the message beside the field
                for name in fields:
                    form.add_error(name, exc.message_dict[name])
                return _detail_with_form(request, report, publish_form=form)
            messages.success(request, f"已发布第 {version.number} 版。")
        elif action == "correct":
            services.report_start_correction(report=report, by=request.user, now=now)
            messages.success(
                request,
                "已发起更正：修改后提交审核，发布时请填写更正说明。公众仍看到当前已发布的版本。",
            )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限进行此操作")
    except ValidationError as exc:
        for m in _message_of(exc):
            messages.error(request, m)
    return redirect("disclosure:staff_report_detail", pk=report.pk)


def _detail_with_form(
    request: HttpRequest, report: AnnualReport, **forms
) -> HttpResponse:
    """Re-show the report page with a bound action form and its errors (input kept)."""
    report.refresh_from_db()
    return render(
        request,
        "disclosure/staff_report_detail.html",
        _detail_context(request, report, **forms),
        status=400,
    )


@staff_required
@require_safe
def staff_report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The current draft (live numbers) as JSON/XLSX, for checking before publication."""
    report = access_report_by_staff(request.user, pk)
    if report.status == Status.PUBLISHED:
        content = version_content(
            access_published_version(report, report.current_version), report
        )
    else:
        content = live_content(report)
    return download_response(content, fmt)


@staff_required
@require_safe
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    agencies = dashboard_agencies(request.user)
    if agencies is None:
        raise PermissionDenied("只有人民政府的管理员可以查看年报发布情况")
    today = local_today()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = today.year - 1
    if not 2008 <= year <= today.year:
        year = today.year - 1
    site = SiteIdentity.load()
    reports = {
        r.agency_id: r
        for r in AnnualReport.objects.filter(year=year, agency__in=agencies).only(
            "agency_id",
            "status",
            "current_version",
            "first_published_at",
            "layout",
            "year",
        )
    }
    rows = []
    counts = {"on_time": 0, "late_published": 0, "overdue": 0, "not_due": 0}
    names = {a.pk: a.name for a in agencies}
    missing = {a.report_included_in_id for a in agencies} - {None} - set(names)
    if missing:
        names.update(Agency.objects.filter(pk__in=missing).values_list("pk", "name"))
    for agency in agencies:
        report = reports.get(agency.pk)
        if agency.report_included_in_id is not None and report is None:
            # its figures are in another agency's report: no report, no deadline
            rows.append(
                {
                    "agency": agency,
                    "report": None,
                    "included": included_note(names[agency.report_included_in_id]),
                }
            )
            continue
        deadline = deadline_for(
            year,
            is_government=agency.kind == Agency.Kind.GOVERNMENT,
            department=site.report_deadline_department,
            government=site.report_deadline_government,
        )
        published_on = (
            timezone.localtime(report.first_published_at).date()
            if report and report.first_published_at
            else None
        )
        state = deadline_state(deadline, published_on, today)
        counts[state.code] += 1
        rows.append(
            {
                "agency": agency,
                "report": report,
                "deadline": deadline,
                "published_on": published_on,
                "state": state,
            }
        )
    return render(
        request,
        "disclosure/staff_dashboard.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "counts": counts,
            "today": today,
        },
    )


# --- 复议/诉讼 register ---------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_appeal_list(request: HttpRequest) -> HttpResponse:
    agency = roles.staff_agency(request.user)
    if agency is None:
        raise PermissionDenied("您的账号没有所属机关")
    today = local_today()
    form = AppealCaseForm(request.POST or None, agency=agency, today=today)
    if request.method == "POST" and form.is_valid():
        ok = _save_appeal(request, form, agency, None)
        if ok:
            messages.success(request, "已登记。")
            return redirect("disclosure:staff_appeal_list")
    cases = list(
        AppealCase.objects.filter(agency=agency)
        .select_related("info_request")
        .order_by("-filed_year", "-filed_date", "-id")[:300]
    )
    return render(
        request,
        "disclosure/staff_appeal_list.html",
        {
            "agency": agency,
            "cases": cases,
            "form": form,
            "can_edit": _can(request.user, roles.ADMIN),
        },
        status=400 if form.errors else 200,
    )


def _save_appeal(
    request: HttpRequest, form: AppealCaseForm, agency: Agency, case: AppealCase | None
) -> bool:
    data = {
        k: form.cleaned_data.get(k)
        for k in (
            "kind",
            "case_number",
            "filed_year",
            "filed_date",
            "result",
            "decided_date",
            "note",
        )
    }
    data["info_request"] = form.cleaned_data.get("tracking_no")
    try:
        services.appeal_case_save(agency=agency, by=request.user, case=case, **data)
    except PermissionDenied:
        form.add_error(None, "只有管理员可以登记行政复议、行政诉讼案件")
        return False
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = "tracking_no" if field == "info_request" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return False
    return True


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_appeal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_appeal_case_by_staff(request.user, pk)
    form = AppealCaseForm(
        request.POST or None, instance=case, agency=case.agency, today=local_today()
    )
    # the ModelForm copies the values onto ``case``; the service re-reads and locks it
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_appeal(request, form, case.agency, case)
    ):
        messages.success(request, "已保存。")
        return redirect(reverse("disclosure:staff_appeal_list"))
    return render(
        request,
        "disclosure/staff_appeal_form.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )
