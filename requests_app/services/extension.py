"""延期 (条例 第三十三条第二款): requesting and deciding an extension."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from portal import roles
from requests_app import deadlines, letters
from requests_app.models import (
    EventKind,
    ExtensionStatus,
    InfoRequest,
    LetterKind,
    Status,
)
from requests_app.services._common import (
    _apply_deadline,
    _clean_text,
    _event,
    _fail,
    _fmt,
    _lock,
    _mail,
    _require_handler,
    _require_role,
    _require_status,
    _save,
    _today,
)
from requests_app.services.letters import issue_procedural_letter


@transaction.atomic
def request_request_extension(
    *, info_request: InfoRequest, by: Any, days: int, reason: str, now: datetime
) -> InfoRequest:
    """The handler asks for an extension (once, at most 20 working days, with a reason),
    before the reply deadline. A 审核人 decides with ``request_decide_extension``."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(
        req,
        Status.PROCESSING,
        Status.CONSULTING,
        Status.AWAITING_PAYMENT,
        action="申请延期",
    )
    if req.is_extended:
        _fail("答复期限只能延长一次，本申请已经延期", "extension_twice")
    if req.extension_status == ExtensionStatus.PENDING:
        _fail("已有待审批的延期申请", "extension_pending")
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= deadlines.EXTENSION_MAX_WORKDAYS
    ):
        _fail(
            f"延长的期限应为 1 至 {deadlines.EXTENSION_MAX_WORKDAYS} 个工作日",
            "extension_days",
        )
    reason = _clean_text(reason, label="延期理由", max_length=1000, required=True)
    today = _today(now)
    if req.reply_due_date and today > req.reply_due_date:
        _fail(
            f"答复期限（{_fmt(req.reply_due_date)}）已过，不能再申请延期",
            "extension_late",
        )
    req.extension_status, req.extension_days, req.extension_reason = (
        ExtensionStatus.PENDING,
        days,
        reason,
    )
    req.extension_requested_by, req.extension_requested_at = by, now
    req.extension_decided_by, req.extension_decided_at, req.extension_decision_note = (
        None,
        None,
        "",
    )
    _save(
        req,
        [
            "extension_status",
            "extension_days",
            "extension_reason",
            "extension_requested_by",
            "extension_requested_at",
            "extension_decided_by",
            "extension_decided_at",
            "extension_decision_note",
            *extra,
        ],
    )
    _event(
        req,
        EventKind.EXTENSION_REQUESTED,
        now=now,
        by=by,
        note=reason,
        data={"days": days},
    )
    return req


@transaction.atomic
def request_decide_extension(
    *, info_request: InfoRequest, by: Any, approve: bool, now: datetime, note: str = ""
) -> InfoRequest:
    """A 审核人 (负责人) of the agency approves or rejects the pending extension; on
    approval the deadline moves by the approved working days and the applicant is told."""
    req = _lock(info_request)
    _require_role(by, req, roles.APPROVER)
    if req.extension_status != ExtensionStatus.PENDING:
        _fail("没有待审批的延期申请", "no_extension")
    if req.extension_requested_by_id == by.pk:
        _fail("不能审批自己提出的延期申请", "self_approval")
    note = _clean_text(note, label="审批意见", max_length=300)
    today = _today(now)
    req.extension_decided_by, req.extension_decided_at, req.extension_decision_note = (
        by,
        now,
        note,
    )
    fields = [
        "extension_status",
        "extension_decided_by",
        "extension_decided_at",
        "extension_decision_note",
    ]
    if approve:
        if req.reply_due_date and today > req.reply_due_date:
            _fail(
                f"答复期限（{_fmt(req.reply_due_date)}）已过，不能再批准延期",
                "extension_late",
            )
        old_due = req.reply_due_date
        req.extension_status = ExtensionStatus.APPROVED
        req.is_extended = True
        fields += ["is_extended", *_apply_deadline(req)]
        _save(req, fields)
        _event(
            req,
            EventKind.EXTENSION_APPROVED,
            now=now,
            by=by,
            is_public=True,
            note=f"因{req.extension_reason}，经政府信息公开工作机构负责人同意，答复期限延长 "
            f"{req.extension_days} 个工作日，由{_fmt(old_due)}延长至{_fmt(req.reply_due_date)}。",
            data={
                "days": req.extension_days,
                "old_due": old_due,
                "new_due": req.reply_due_date,
            },
        )
        # the 负责人's approval is the act: the 延期告知 is issued with it
        issue_procedural_letter(
            info_request=req,
            kind=LetterKind.EXTENSION,
            by=by,
            now=now,
            approver=by,
            values={
                "延期理由": req.extension_reason.rstrip("。；;，, "),
                "原答复期限": letters.fmt_date(old_due),
                "延长工作日": str(req.extension_days),
                "答复期限": letters.fmt_date(req.reply_due_date),
            },
        )
        _mail([req.email], "extended", {"req": req, "old_due": old_due})
    else:
        req.extension_status = ExtensionStatus.REJECTED
        _save(req, fields)
        _event(
            req,
            EventKind.EXTENSION_REJECTED,
            now=now,
            by=by,
            note=note,
            data={"days": req.extension_days},
        )
    return req
