"""Every change to an annual report or the 复议/诉讼 register.

Each service runs in a transaction, locks the report row, checks the workflow state
and the actor's role, saves with ``update_fields`` and writes an append-only
``AnnualReportEvent``. Views, the command, the demo and tests all call these.

Workflow: 草稿 → 待审核 → 已审核 → 已发布; a 审核人 may send a report back to 草稿
with comments; a published report is corrected by starting a new draft of the next
version, which is published with a 更正说明.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html

from catalog.guard import findings_message, override_problem
from disclosure import guard as report_guard
from disclosure import layout
from disclosure.checks import MAX_FEE_DECIMALS
from disclosure.content import live_content, publication_check
from disclosure.models import (
    AnnualReport,
    AnnualReportEvent,
    AnnualReportVersion,
    AppealCase,
    AppealCaseEvent,
)
from disclosure.stats import repeatable_read, scope_names
from portal import roles
from portal.models import Agency
from portal.timeutil import local_now

Status = AnnualReport.Status
Action = AnnualReportEvent.Action

COUNT_FIELDS = (
    "licensing_count",
    "penalty_count",
    "coercion_count",
    "fee_notice_count",
)
AMOUNT_FIELDS = {
    "fee_amount": MAX_FEE_DECIMALS,
    "fee_notified_amount": 2,
    "fee_collected_amount": 2,
}
SECTION_FIELDS = tuple(f"section_{key}" for key in layout.SECTION_KEYS)
SERIALIZATION_FAILURE = "40001"
EDITABLE_FIELDS = (*COUNT_FIELDS, *AMOUNT_FIELDS, *SECTION_FIELDS)


def _require_role(user: Any, role: str, message: str) -> None:
    if user is None or not roles.has_role(user, role):
        raise PermissionDenied(message)


def _event(
    report: AnnualReport,
    *,
    action: str,
    by: Any,
    now: datetime,
    comment: str = "",
    changes: dict | None = None,
) -> None:
    AnnualReportEvent.objects.create(
        report=report,
        at=now,
        actor=by,
        action=action,
        comment=comment,
        changes=changes or {},
    )


def _locked(report: AnnualReport) -> AnnualReport:
    return (
        AnnualReport.objects.select_for_update()
        .select_related("agency")
        .get(pk=report.pk)
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _not_editable_message(report: AnnualReport) -> str:
    if report.status == Status.PUBLISHED:
        return "已发布的年报不能直接修改。如需修改，请发起更正：修改后重新审核，并以新版本附更正说明发布。"
    return f"年报当前状态为“{report.get_status_display()}”，不能修改；如需修改，请由审核人退回。"


@transaction.atomic
def included_refusal(agency: Agency) -> str:
    """Why ``agency`` opens no report of its own: its figures are in another agency's
    report (``Agency.report_included_in``, 本级政府年报含办公室); "" otherwise."""
    target = agency.report_included_in
    if target is None:
        return ""
    return (
        f"{agency.name}的政府信息公开工作情况已并入{target.name}年报，不单独编制年度报告；"
        f"请由{target.name}编制年报（如需单独编制，请超级管理员在管理后台“机关”中"
        "取消“年报并入机关”）。"
    )


def report_open(*, agency: Agency, year: int, by: Any, now: datetime) -> AnnualReport:
    """The year's report of ``agency``: the existing one, or a new draft."""
    _require_role(by, roles.ADMIN, "只有管理员可以新建年度报告")
    if year < 2008 or year > now.year:
        raise ValidationError(f"年度应在 2008 至 {now.year} 之间")
    existing = AnnualReport.objects.filter(agency=agency, year=year).first()
    if existing is not None:
        return existing
    refusal = included_refusal(agency)
    if refusal:
        raise ValidationError(refusal)
    report, created = AnnualReport.objects.get_or_create(agency=agency, year=year)
    if created:
        _event(report, action=Action.CREATED, by=by, now=now)
    return report


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate manual cells; raises ValidationError with one Chinese message per field."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in SECTION_FIELDS:
            out[name] = (value or "").replace("\r\n", "\n").strip()
            continue
        if value in (None, ""):
            out[name] = None
            continue
        if name in COUNT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = "请填写整数"
            elif value < 0:
                errors[name] = "不能为负数"
            else:
                out[name] = value
        else:
            places = AMOUNT_FIELDS[name]
            try:
                amount = Decimal(str(value))
            except ArithmeticError:
                errors[name] = "请填写数字"
                continue
            exponent = amount.as_tuple().exponent
            if not amount.is_finite() or not isinstance(exponent, int):
                errors[name] = "请填写数字"
            elif amount < 0:
                errors[name] = "不能为负数"
            elif -exponent > places:
                errors[name] = f"最多 {places} 位小数"
            elif amount >= Decimal(10) ** 10:
                errors[name] = "金额过大"
            else:
                out[name] = amount
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def report_update(
    *, report: AnnualReport, by: Any, now: datetime, **values: Any
) -> AnnualReport:
    """Save narratives and manual cells of a draft."""
    _require_role(by, roles.ADMIN, "只有管理员可以编辑年度报告")
    locked = _locked(report)
    if locked.is_legacy:
        raise ValidationError("历史年报只保存原文，不能编辑")
    if not locked.is_editable:
        raise ValidationError(_not_editable_message(locked))
    data = clean_values(values)
    changes: dict[str, list[Any]] = {}
    for name, value in data.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(locked, name, value)
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
        _event(locked, action=Action.UPDATED, by=by, now=now, changes=changes)
    return locked


def _failing_message(prefix: str, failing: list[Any]) -> str:
    details = "；".join(f"{c.rule} {c.detail}" for c in failing[:10])
    more = f"（另有 {len(failing) - 10} 项）" if len(failing) > 10 else ""
    return f"{prefix}：有 {len(failing)} 项核对未通过——{details}{more}"


@transaction.atomic
def report_submit(*, report: AnnualReport, by: Any, now: datetime) -> AnnualReport:
    _require_role(by, roles.ADMIN, "只有管理员可以提交审核")
    locked = _locked(report)
    if locked.status != Status.DRAFT:
        raise ValidationError(
            f"只有草稿可以提交审核（当前状态：{locked.get_status_display()}）"
        )
    if locked.current_version == 0:
        # a draft opened before the agency's figures were included elsewhere
        refusal = included_refusal(locked.agency)
        if refusal:
            raise ValidationError(refusal)
    failing = live_content(locked).blocking_checks
    if failing:
        raise ValidationError(_failing_message("不能提交审核", failing))
    locked.status = Status.REVIEW
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, action=Action.SUBMITTED, by=by, now=now)
    return locked


@transaction.atomic
def report_send_back(
    *, report: AnnualReport, by: Any, now: datetime, comment: str
) -> AnnualReport:
    _require_role(by, roles.APPROVER, "只有审核人可以退回年度报告")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见，说明需要修改的内容"})
    locked = _locked(report)
    if locked.status not in (Status.REVIEW, Status.APPROVED):
        raise ValidationError(
            f"只有待审核或已审核的年报可以退回（当前状态：{locked.get_status_display()}）"
        )
    locked.status = Status.DRAFT
    locked.review_comment = comment
    locked.save(update_fields=["status", "review_comment", "updated_at"])
    _event(locked, action=Action.SENT_BACK, by=by, now=now, comment=comment)
    return locked


@transaction.atomic
def report_approve(
    *, report: AnnualReport, by: Any, now: datetime, comment: str = ""
) -> AnnualReport:
    _require_role(by, roles.APPROVER, "只有审核人可以审核年度报告")
    locked = _locked(report)
    if locked.status != Status.REVIEW:
        raise ValidationError(
            f"只有待审核的年报可以审核通过（当前状态：{locked.get_status_display()}）"
        )
    submitter_id = (
        locked.events.filter(action=Action.SUBMITTED)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if by is not None and submitter_id == by.pk:
        # four eyes, superusers included: whoever submitted cannot approve
        raise PermissionDenied(
            "提交审核的人不能审核通过自己提交的年报，请由另一名审核人审核"
        )
    locked.status = Status.APPROVED
    locked.review_comment = ""
    locked.save(update_fields=["status", "review_comment", "updated_at"])
    _event(
        locked, action=Action.APPROVED, by=by, now=now, comment=(comment or "").strip()
    )
    return locked


def _issue_index_number(agency: Agency, when: datetime) -> str:
    from catalog.services import issue_index_number

    while True:
        number = issue_index_number(agency, when)
        if not AnnualReport.objects.filter(index_number=number).exists():
            return number


def report_publish(
    *,
    report: AnnualReport,
    by: Any,
    now: datetime,
    correction_note: str = "",
    override_reason: str = "",
) -> AnnualReportVersion:
    """Freeze the approved report as its next published version.

    Refused while a narrative section holds personal data (``pii_override_reason``
    error naming each finding); an approver's ``override_reason`` overrides exactly
    those findings, recorded in the ``published`` event."""
    _require_role(by, roles.ADMIN, "只有管理员可以发布年度报告")
    correction_note = (correction_note or "").strip()
    problems = report_guard.correction_note_problems(report, correction_note)
    if problems:
        raise ValidationError({"correction_note": problems})
    try:
        # one REPEATABLE READ snapshot: the frozen numbers are those of a single moment
        with repeatable_read():
            return _publish(
                report=report,
                by=by,
                now=now,
                correction_note=correction_note,
                override_reason=(override_reason or "").strip(),
            )
    except IntegrityError as exc:
        # a concurrent publication of the same report won the race
        raise ValidationError("该年报刚刚已被发布，请刷新页面查看") from exc
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", None) != SERIALIZATION_FAILURE:
            raise
        raise ValidationError("该年报刚刚被他人修改，请刷新页面后重试") from exc


def _personal_data_gate(
    report: AnnualReport, *, by: Any, override_reason: str
) -> dict[str, Any] | None:
    """Refuse publication while the narratives hold personal data nobody overrode; with
    an approver's reason, return what the ``published`` event records."""
    findings = report_guard.unresolved_findings(report)
    if not findings:
        return None
    if not override_reason:
        raise ValidationError({"pii_override_reason": findings_message(findings)})
    problem = override_problem(by, override_reason)
    if problem:
        raise ValidationError({"pii_override_reason": problem})
    return report_guard.override_entry(findings, override_reason)


def _publish(
    *,
    report: AnnualReport,
    by: Any,
    now: datetime,
    correction_note: str,
    override_reason: str = "",
) -> AnnualReportVersion:
    locked = _locked(report)
    if locked.status == Status.PUBLISHED:
        raise ValidationError(
            f"该年报已经发布（第 {locked.current_version} 版），不能重复发布；如需修改，请发起更正"
        )
    if locked.status != Status.APPROVED:
        raise ValidationError(
            f"年报须经审核人审核通过后才能发布（当前状态：{locked.get_status_display()}）"
        )
    if locked.current_version > 0 and not correction_note:
        raise ValidationError(
            {"correction_note": "发布更正版本时必须填写更正说明：更正了什么、为什么"}
        )
    content = live_content(locked)
    failing = content.blocking_checks
    if failing:
        raise ValidationError(_failing_message("不能发布", failing))
    refusals = publication_check(content, timezone.localdate(now)).refusals
    if refusals:
        raise ValidationError(f"不能发布：{'；'.join(refusals)}")
    pii_override = _personal_data_gate(locked, by=by, override_reason=override_reason)
    if content.figures is not None:
        for row, column in layout.TABLE2_MANUAL_CELLS:
            if content.figures.table2[row][column] is None:
                content.figures.table2[row][column] = (
                    Decimal(0) if column == layout.FEE_COLUMN else 0
                )
    number = locked.current_version + 1
    version = AnnualReportVersion.objects.create(
        report=locked,
        number=number,
        published_at=now,
        published_by=by,
        correction_note=correction_note if number > 1 else "",
        snapshot=content.snapshot(),
    )
    fields = ["status", "current_version", "review_comment", "updated_at"]
    if not locked.index_number:
        locked.index_number = _issue_index_number(locked.agency, now)
        fields.append("index_number")
    if locked.first_published_at is None:
        locked.first_published_at = now
        fields.append("first_published_at")
    locked.status = Status.PUBLISHED
    locked.current_version = number
    locked.review_comment = ""
    locked.save(update_fields=fields)
    changes: dict[str, Any] = {"version": number}
    if pii_override:
        changes["pii_override"] = pii_override
    _event(
        locked,
        action=Action.PUBLISHED,
        by=by,
        now=now,
        comment=correction_note,
        changes=changes,
    )
    _catalog_entry(locked, by=by, now=now)
    return version


@transaction.atomic
def report_start_correction(
    *, report: AnnualReport, by: Any, now: datetime
) -> AnnualReport:
    """Reopen a published report as a draft of its next version; the public keeps
    seeing the published version until the correction is published."""
    _require_role(by, roles.ADMIN, "只有管理员可以发起更正")
    locked = _locked(report)
    if locked.is_legacy:
        raise ValidationError("历史年报只保存原文，不能更正")
    if locked.status != Status.PUBLISHED:
        raise ValidationError("只有已发布的年报可以发起更正")
    locked.status = Status.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    _event(
        locked,
        action=Action.CORRECTION_STARTED,
        by=by,
        now=now,
        changes={"next_version": locked.current_version + 1},
    )
    return locked


@transaction.atomic
def report_import_legacy(
    *,
    agency: Agency,
    year: int,
    text: str,
    published_at: datetime,
    index_number: str,
    by: Any,
    now: datetime,
) -> AnnualReport:
    """Keep a report published before the portal as a text-only published report,
    with its original 发布时间 and 索引号. Re-running with the same agency and year
    returns the existing report unchanged."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "历史年报原文不能为空"})
    if not (index_number or "").strip():
        raise ValidationError({"index_number": "请填写原索引号"})
    existing = AnnualReport.objects.filter(agency=agency, year=year).first()
    if existing is not None:
        if not existing.is_legacy:
            raise ValidationError(
                f"{agency.name}{year}年年报已在本平台编制，不能再导入历史年报"
            )
        return existing
    report = AnnualReport.objects.create(
        agency=agency,
        year=year,
        layout=AnnualReport.Layout.LEGACY,
        status=Status.PUBLISHED,
        section_overview=text,
        index_number=index_number.strip(),
        first_published_at=published_at,
        current_version=1,
    )
    content = live_content(report)
    AnnualReportVersion.objects.create(
        report=report,
        number=1,
        published_at=published_at,
        published_by=None,
        snapshot=content.snapshot(),
    )
    _event(
        report,
        action=Action.IMPORTED,
        by=by,
        now=now,
        changes={
            "published_at": published_at.isoformat(),
            "index_number": report.index_number,
        },
    )
    _catalog_entry(report, by=by, now=now)
    return report


# --- the report's entry in the 政府信息公开目录 ------------------------------------------

REPORT_COLUMN_SLUG = "ndbg"  # 政府信息公开年报 (catalog migration 0002)
REPORT_GENRES = ("年报", "报告")  # the first that exists
REPORT_THEME = ("综合政务", "政务公开")


def catalog_entry_body(
    report: AnnualReport, *, correction_note: str = "", scope_line: str = ""
) -> str:
    """正文 of the catalog entry: the 统计范围 when the report includes other agencies,
    where the full report is, then its narrative text (the tables stay on the report's
    own page)."""
    url = reverse("disclosure:report_detail", args=[report.pk])
    if report.is_legacy:
        intro = format_html(
            "<p>本报告发布于本平台建立之前，按原文保存。在“政府信息公开年报”栏目查看："
            '<a href="{}">{}</a></p>',
            url,
            report.title,
        )
        return intro + _paragraphs(report.section_overview)
    parts = [format_html("<p>{}</p>", scope_line)] if scope_line else []
    parts += [
        format_html(
            "<p>本报告的统计表（主动公开、依申请公开、行政复议和行政诉讼情况）、"
            '历次更正和表格下载见“政府信息公开年报”栏目：<a href="{}">{}</a></p>',
            url,
            report.title,
        )
    ]
    if report.current_version > 1 and correction_note:
        parts.append(
            format_html(
                "<p><strong>更正说明（第 {} 版）：</strong>{}</p>",
                report.current_version,
                correction_note,
            )
        )
    for key, heading in layout.SECTIONS:
        text = getattr(report, f"section_{key}")
        if text.strip():
            parts.append(format_html("<h2>{}</h2>", heading) + _paragraphs(text))
    return "".join(parts)


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{escape(line.strip())}</p>"
        for line in (text or "").splitlines()
        if line.strip()
    )


def _catalog_defaults(report: AnnualReport) -> dict[str, Any]:
    """What a new entry is filed under (set once; the agency may change it later)."""
    from catalog.models import Column, Genre, Theme

    genres = {g.name: g for g in Genre.objects.filter(name__in=REPORT_GENRES)}
    parent, child = REPORT_THEME
    tables = "不含统计表" if report.is_legacy else "含统计表"
    return {
        "column": Column.objects.filter(slug=REPORT_COLUMN_SLUG).first(),
        "genre": next((genres[n] for n in REPORT_GENRES if n in genres), None),
        "theme": Theme.objects.filter(parent__name=parent, name=child).first(),
        "keywords": ["政府信息公开", "年度报告", f"{report.year}年"],
        "summary": f"{report.agency.name}{report.year}年政府信息公开工作年度报告"
        f"（{tables}）。",
    }


def _catalog_entry(report: AnnualReport, *, by: Any, now: datetime) -> Any:
    """Create or update the report's catalog entry (same 索引号) and link it; called
    with the report row locked, inside the publishing transaction, after the
    publication is recorded. Personal data the report's approver let through is let
    through in the entry too (same fingerprints, same reason); anything else refuses
    the publication."""
    from catalog.services import notice_publish_mirror

    events = list(
        report.events.filter(action__in=[Action.PUBLISHED, Action.APPROVED])
        .order_by("at", "id")
        .values("action", "actor_id", "comment", "changes")
    )
    reasons = [
        (e["changes"].get("pii_override") or {}).get("reason", "")
        for e in events
        if e["action"] == Action.PUBLISHED
    ]
    approver_id = next(
        (e["actor_id"] for e in reversed(events) if e["action"] == Action.APPROVED),
        None,
    )
    reviewer = None
    if approver_id is not None:
        from django.contrib.auth import get_user_model

        reviewer = get_user_model().objects.filter(pk=approver_id).first()
    latest = (
        report.versions.order_by("-number")
        .values("correction_note", "snapshot")
        .first()
        or {}
    )
    snapshot = latest.get("snapshot") or {}
    created = report.notice_id is None
    fields: dict[str, Any] = {
        "title": report.title,
        "body": catalog_entry_body(
            report,
            correction_note=latest.get("correction_note", ""),
            scope_line=layout.scope_line(
                str(snapshot.get("agency") or report.agency.name),
                scope_names(snapshot.get("scope")),
            ),
        ),
    }
    if created:
        fields.update(_catalog_defaults(report))
    notice = notice_publish_mirror(
        owner_agency=report.agency,
        index_number=report.index_number,
        published_at=report.first_published_at,
        by=by,
        reviewed_by=reviewer,
        now=now,
        reason=f"{report.title} 第 {report.current_version} 版发布",
        cleared_fingerprints=report_guard.overridden_fingerprints(report),
        cleared_reason="年度报告发布时审核人放行："
        + "；".join(r for r in reasons if r),
        **fields,
    )
    if report.notice_id != notice.pk:
        report.notice = notice
        report.save(update_fields=["notice", "updated_at"])
    return notice


@transaction.atomic
def report_catalog_entry(*, report: AnnualReport, by: Any, now: datetime) -> Any:
    """File a report published before catalog entries existed (``manage.py
    report_catalog_entries``): its entry is made as a publication would, and a
    ``catalogued`` event records it. A report already filed is left unchanged."""
    locked = _locked(report)
    if not locked.is_published:
        raise ValidationError("只有已发布的年报可以登记到政府信息公开目录")
    if locked.notice_id is not None:
        return locked.notice
    notice = _catalog_entry(locked, by=by, now=now)
    _event(
        locked,
        action=Action.CATALOGUED,
        by=by,
        now=now,
        changes={"notice": notice.pk, "index_number": notice.index_number},
    )
    return notice


# --- 复议/诉讼 register ---------------------------------------------------------------

APPEAL_FIELDS = (
    "kind",
    "case_number",
    "filed_year",
    "filed_date",
    "result",
    "decided_date",
    "note",
    "info_request",
)


def appeal_case_errors(
    *,
    filed_year: int | None,
    filed_date: date | None,
    result: str,
    decided_date: date | None,
) -> dict[str, str]:
    """The register's date rules, as field → Chinese message (pure)."""
    errors: dict[str, str] = {}
    if filed_date and filed_year and filed_date.year != filed_year:
        errors["filed_date"] = "申请/立案日期应在所填年度内"
    if result == AppealCase.Result.PENDING and decided_date:
        errors["decided_date"] = "尚未审结的案件不应填写审结日期"
    elif result and result != AppealCase.Result.PENDING and not decided_date:
        errors["decided_date"] = "已审结的案件请填写审结日期"
    elif decided_date and filed_date and decided_date < filed_date:
        errors["decided_date"] = "审结日期不能早于申请/立案日期"
    return errors


def _clean_appeal(case: AppealCase) -> None:
    errors = appeal_case_errors(
        filed_year=case.filed_year,
        filed_date=case.filed_date,
        result=case.result,
        decided_date=case.decided_date,
    )
    if case.info_request_id and case.info_request.agency_id != case.agency_id:
        errors["info_request"] = "关联的申请不属于本机关"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def appeal_case_save(
    *, agency: Agency, by: Any, case: AppealCase | None = None, **values: Any
) -> AppealCase:
    """Create (``case`` None) or update a 复议/诉讼 case of ``agency``."""
    _require_role(by, roles.ADMIN, "只有管理员可以登记行政复议、行政诉讼案件")
    unknown = set(values) - set(APPEAL_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    created = case is None
    if created:
        case = AppealCase(agency=agency, recorded_by=by)
    else:
        case = AppealCase.objects.select_for_update().get(pk=case.pk, agency=agency)
    before = {name: _appeal_value(case, name) for name in APPEAL_FIELDS}
    for name, value in values.items():
        setattr(case, name, value)
    _clean_appeal(case)
    case.full_clean()
    after = {name: _appeal_value(case, name) for name in APPEAL_FIELDS}
    changes = {
        name: [before[name], after[name]]
        for name in APPEAL_FIELDS
        if created or before[name] != after[name]
    }
    if not changes:
        return case
    case.save()
    AppealCaseEvent.objects.create(
        case=case,
        at=local_now(),
        actor=by,
        action=AppealCaseEvent.Action.CREATED
        if created
        else AppealCaseEvent.Action.UPDATED,
        changes=changes,
    )
    return case


def _appeal_value(case: AppealCase, name: str) -> Any:
    """A field of ``case`` as JSON (the related request as its tracking number)."""
    if name == "info_request":
        return case.info_request.tracking_no if case.info_request_id else None
    value = getattr(case, name)
    return value.isoformat() if isinstance(value, date) else value


# -- compliance monitor: external link results and weekly mail claims ---------------------


@transaction.atomic
def external_links_record(*, results: list[dict[str, Any]], now: datetime) -> int:
    """Store the results of one ``check_links`` run: one row per (notice, url), replaced
    on every run; rows of links no longer in the checked notices' bodies are removed.
    Each result: notice_id, url, host, ok, status_code, error."""
    from disclosure.models import ExternalLink

    notice_ids = {r["notice_id"] for r in results}
    keep = {(r["notice_id"], r["url"]) for r in results}
    stale = [
        pk
        for pk, nid, url in ExternalLink.objects.filter(
            notice_id__in=notice_ids
        ).values_list("pk", "notice_id", "url")
        if (nid, url) not in keep
    ]
    ExternalLink.objects.filter(pk__in=stale).delete()
    for r in results:
        ExternalLink.objects.update_or_create(
            notice_id=r["notice_id"],
            url=r["url"],
            defaults={
                "host": r["host"][:255],
                "ok": r["ok"],
                "status_code": r["status_code"],
                "error": (r["error"] or "")[:200],
                "checked_at": now,
            },
        )
    return len(results)


@transaction.atomic
def external_links_forget(*, keep_notice_ids: set[int]) -> int:
    """Drop results of notices that are no longer published or have no external link."""
    from disclosure.models import ExternalLink

    deleted, _ = ExternalLink.objects.exclude(notice_id__in=keep_notice_ids).delete()
    return deleted


def compliance_mail_claim(
    *, agency: Agency, recipient: Any, week: date, findings: int
) -> Any | None:
    """Claim this week's compliance e-mail for one recipient: the INSERT succeeds once
    per (agency, recipient, week) thanks to the UNIQUE constraint, so two runs (or two
    at once) never send it twice. None: already claimed."""
    from disclosure.models import ComplianceMailLog

    try:
        with transaction.atomic():
            return ComplianceMailLog.objects.create(
                agency=agency, recipient=recipient, week=week, findings=findings
            )
    except IntegrityError:
        return None


def compliance_mail_done(*, claim: Any, sent: bool, now: datetime) -> None:
    """After the attempt: mark the claim sent (conditional UPDATE, only an unsent
    claim), or release it so the next run tries again."""
    from disclosure.models import ComplianceMailLog

    rows = ComplianceMailLog.objects.filter(pk=claim.pk, sent_at__isnull=True)
    if sent:
        rows.update(sent_at=now)
    else:
        rows.delete()
