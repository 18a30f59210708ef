"""补正 (条例 第三十条): asking once, receiving, and closing when none arrives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction

from requests_app import deadlines, letters
from requests_app.application import DESCRIPTION_MAX
from requests_app.models import (
    EventKind,
    FileKind,
    InfoRequest,
    LetterKind,
    Status,
)
from requests_app.outcomes import Outcome
from requests_app.services._common import (
    SYSTEM_LABEL,
    _apply_deadline,
    _calendar,
    _check_date,
    _clean_text,
    _close,
    _event,
    _fail,
    _fmt,
    _lock,
    _mail,
    _require_handler,
    _require_staff,
    _require_status,
    _save,
    _today,
)
from requests_app.services.intake import _store_file
from requests_app.services.letters import issue_procedural_letter
from requests_app.services.reply import _system_letter


@transaction.atomic
def request_ask_correction(
    *,
    info_request: InfoRequest,
    by: Any,
    items: str,
    now: datetime,
    due_date: date | None = None,
) -> InfoRequest:
    """Tell the applicant once (一次性), within 7 working days of receipt, what to add or
    clarify, with a 补正期限 (default ``deadlines.CORRECTION_PERIOD_WORKDAYS``)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="告知补正")
    if req.correction_asked_date is not None:
        _fail("补正只能一次性告知，本申请已经告知过补正", "correction_twice")
    items = _clean_text(items, label="需要补正的事项", max_length=2000, required=True)
    today = _today(now)
    cal = _calendar(req.received_date, today)
    last = deadlines.correction_notice_due(req.received_date, cal).due_date
    if today > last:
        _fail(
            f"补正应在收到申请之日起 {deadlines.CORRECTION_NOTICE_WORKDAYS} 个工作日内告知"
            f"（本申请最迟 {_fmt(last)}），已超过期限",
            "correction_late",
        )
    due = due_date or deadlines.correction_period_due(today, cal).due_date
    if due <= today:
        _fail("补正期限应晚于今天", "correction_due")
    req.correction_asked_date, req.correction_due_date, req.correction_items = (
        today,
        due,
        items,
    )
    req.status = Status.AWAITING_CORRECTION
    _save(
        req,
        [
            "correction_asked_date",
            "correction_due_date",
            "correction_items",
            "status",
            *extra,
        ],
    )
    _event(
        req,
        EventKind.CORRECTION_ASKED,
        now=now,
        by=by,
        is_public=True,
        note=f"请于{_fmt(due)}前（含当日）补正以下内容：\n{items}\n收到补正之日起重新计算答复期限；无正当理由逾期不补正的，视为放弃申请。",
        data={"due_date": due, "notice_deadline": last},
    )
    issue_procedural_letter(
        info_request=req,
        kind=LetterKind.CORRECTION,
        by=by,
        now=now,
        values={"补正事项": items, "补正期限": letters.fmt_date(due)},
    )
    _mail([req.email], "correction_asked", {"req": req, "items": items, "due": due})
    return req


@transaction.atomic
def request_receive_correction(
    *,
    info_request: InfoRequest,
    now: datetime,
    by: Any = None,
    text: str = "",
    files: Sequence[Any] = (),
    received_date: date | None = None,
    late_reason: str = "",
) -> InfoRequest:
    """The correction arrived: the 20-working-day clock restarts from that day
    (条例 第三十条). ``by=None``: the applicant sent it online today. Staff record a
    paper correction with its ``received_date``; after the 补正期限 they must give the
    applicant's good reason (``late_reason``), otherwise the request is abandoned."""
    req = _lock(info_request)
    today = _today(now)
    if by is not None:
        _require_staff(by, req)
    _require_status(req, Status.AWAITING_CORRECTION, action="接收补正")
    received = received_date or today
    if by is None and received != today:
        _fail("补正日期只能是今天", "date")
    _check_date(
        received,
        today=today,
        not_before=req.correction_asked_date,
        label="收到补正之日",
        before_label="补正告知日期",
    )
    text = _clean_text(
        text, label="补正内容", max_length=DESCRIPTION_MAX, required=not files
    )
    late_reason = _clean_text(late_reason, label="逾期补正的正当理由", max_length=300)
    if received > req.correction_due_date and (by is None or not late_reason):
        _fail(
            f"补正期限（{_fmt(req.correction_due_date)}）已过"
            + (
                "，请联系受理机关说明正当理由"
                if by is None
                else "；如申请人有正当理由，请填写理由后接收"
            ),
            "correction_expired",
        )
    for upload in files:
        _store_file(req, upload, kind=FileKind.CORRECTION, now=now, by=by)
    req.correction_received_date = received
    req.correction_text = text
    req.clock_start_date = received
    req.status = Status.PROCESSING
    fields = [
        "correction_received_date",
        "correction_text",
        "clock_start_date",
        "status",
        *_apply_deadline(req),
    ]
    _save(req, fields)
    _event(
        req,
        EventKind.CORRECTION_RECEIVED,
        now=now,
        by=by,
        is_public=True,
        note=f"已收到补正（{_fmt(received)}），答复期限自该日起重新计算，至{_fmt(req.reply_due_date)}。",
        data={
            "received_date": received,
            "reply_due_date": req.reply_due_date,
            "late_reason": late_reason,
            "files": len(files),
        },
    )
    return req


@transaction.atomic
def request_expire_correction(
    *, info_request: InfoRequest, now: datetime, by: Any = None
) -> InfoRequest:
    """No correction by the 补正期限 → 视为放弃申请 (表三（六）1, ``Outcome.NO_CORRECTION``).
    ``by=None`` when run by ``send_deadline_reminders``."""
    req = _lock(info_request)
    if by is not None:
        _require_staff(by, req)
    _require_status(req, Status.AWAITING_CORRECTION, action="按逾期不补正办结")
    today = _today(now)
    if today <= req.correction_due_date:
        _fail(f"补正期限（{_fmt(req.correction_due_date)}）尚未届满", "not_expired")
    _save(
        req,
        _close(
            req, status=Status.ABANDONED, outcome=Outcome.NO_CORRECTION, closed=today
        ),
    )
    _system_letter(req, Outcome.NO_CORRECTION, now=now, by=by)
    _event(
        req,
        EventKind.CORRECTION_EXPIRED,
        now=now,
        by=by,
        actor_label="" if by else SYSTEM_LABEL,
        is_public=True,
        note="申请人无正当理由逾期未补正，视为放弃申请，本机关不再处理。",
        data={"correction_due_date": req.correction_due_date},
    )
    _mail([req.email], "closed", {"req": req})
    return req
