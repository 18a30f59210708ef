"""征求意见 (条例 第三十二条 / 第三十四条)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from requests_app import deadlines
from requests_app.models import (
    Consultation,
    EventKind,
    InfoRequest,
    PartyType,
    Status,
)
from requests_app.services._common import (
    _apply_deadline,
    _calendar,
    _check_date,
    _clean_text,
    _event,
    _fail,
    _fmt,
    _lock,
    _require_handler,
    _require_status,
    _save,
    _today,
)


@transaction.atomic
def request_start_consultation(
    *,
    info_request: InfoRequest,
    by: Any,
    party_type: str,
    party_name: str,
    now: datetime,
    sent_date: date | None = None,
) -> Consultation:
    """Send a written 征求意见 to a third party (Art. 32) or another agency (Art. 34).
    From the day after sending until the reply (at most 15 working days) the reply
    clock does not run."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="征求意见")
    if party_type not in PartyType.values:
        _fail("请选择征求对象类型：第三方或其他行政机关", "party_type")
    party_name = _clean_text(
        party_name, label="征求对象", max_length=200, required=True
    )
    today = _today(now)
    sent = sent_date or today
    _check_date(
        sent,
        today=today,
        not_before=req.clock_start_date,
        label="发出征求意见之日",
        before_label="答复期限起算日",
    )
    if req.reply_due_date and sent > req.reply_due_date:
        _fail("答复期限已过，不能再征求意见", "late")
    cal = _calendar(sent)
    consult = Consultation.objects.create(
        info_request=req,
        party_type=party_type,
        party_name=party_name,
        sent_date=sent,
        due_date=deadlines.consultation_due(sent, cal).due_date,
        created_by=by,
    )
    req.status = Status.CONSULTING
    _save(req, ["status", *extra])
    _event(
        req,
        EventKind.CONSULTATION_STARTED,
        now=now,
        by=by,
        is_public=True,
        note="本机关已书面征求"
        + ("第三方" if party_type == PartyType.THIRD_PARTY else "其他行政机关")
        + "意见，征求意见期间不计算在答复期限内。",
        data={
            "consultation": consult.pk,
            "party_type": party_type,
            "sent_date": sent,
            "due_date": consult.due_date,
        },
    )
    return consult


@transaction.atomic
def request_end_consultation(
    *,
    info_request: InfoRequest,
    by: Any,
    now: datetime,
    replied_date: date | None = None,
    opinion: str = "",
) -> Consultation:
    """The opinion arrived (or the 15 working days ran out): the reply deadline moves
    by exactly the working days of the consultation (capped at 15)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.CONSULTING, action="结束征求意见")
    consult = Consultation.objects.select_for_update().get(
        info_request=req, replied_date__isnull=True
    )
    today = _today(now)
    replied = replied_date or today
    _check_date(
        replied,
        today=today,
        not_before=consult.sent_date,
        label="收到意见之日",
        before_label="发出征求意见之日",
    )
    cal = _calendar(consult.sent_date)
    _, paused = deadlines.consultation_pause(consult.sent_date, replied, cal)
    consult.replied_date = replied
    consult.paused_workdays = paused
    consult.opinion = _clean_text(opinion, label="意见摘要", max_length=2000)
    consult.save(update_fields=["replied_date", "paused_workdays", "opinion"])
    old_due = req.reply_due_date
    req.status = Status.PROCESSING
    _save(req, ["status", *extra, *_apply_deadline(req, cal)])
    _event(
        req,
        EventKind.CONSULTATION_ENDED,
        now=now,
        by=by,
        is_public=True,
        note=f"征求意见结束，不计算在期限内的工作日为 {paused} 个，答复期限由{_fmt(old_due)}顺延至{_fmt(req.reply_due_date)}。",
        data={
            "consultation": consult.pk,
            "replied_date": replied,
            "paused_workdays": paused,
            "old_due": old_due,
            "new_due": req.reply_due_date,
        },
    )
    return consult
