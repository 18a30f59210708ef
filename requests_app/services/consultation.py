"""征求意见 (条例 第三十二条 / 第三十四条)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from requests_app import deadlines, letters
from requests_app.models import (
    Consultation,
    EventKind,
    InfoRequest,
    LetterKind,
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
from requests_app.services.letters import agency_contact, issue_procedural_letter


@transaction.atomic
def request_start_consultation(
    *,
    info_request: InfoRequest,
    by: Any,
    party_type: str,
    party_name: str,
    now: datetime,
    sent_date: date | None = None,
    party_received_date: date | None = None,
) -> Consultation:
    """Send a written 征求意见 to a third party (Art. 32) or another agency (Art. 34).
    The party answers within 15 working days of ITS receipt of the 征求意见书
    (``party_received_date``, known at once when handed over, otherwise recorded with
    ``request_record_consultation_receipt`` or when the opinion arrives). From the day
    after sending until the opinion, never past those 15 working days, the reply clock
    does not run (条例 第三十三条第三款)."""
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
    _check_party_received(party_received_date, sent=sent, today=today)
    cal = _calendar(sent)
    consult = Consultation.objects.create(
        info_request=req,
        party_type=party_type,
        party_name=party_name,
        sent_date=sent,
        party_received_date=party_received_date,
        due_date=deadlines.consultation_due(
            sent, cal, party_received_date=party_received_date
        ).due_date,
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
            "party_received_date": party_received_date,
            "due_date": consult.due_date,
        },
    )
    issue_procedural_letter(
        info_request=req,
        kind=LetterKind.CONSULTATION,
        by=by,
        now=now,
        salutation=f"{party_name}：",
        values={
            "征求对象": party_name,
            "征求事由": letters.CONSULTATION_GROUNDS[party_type].replace(
                "{征求对象}", party_name
            ),
            "机关联系方式": agency_contact(req.agency),
        },
    )
    return consult


def _check_party_received(value: date | None, *, sent: date, today: date) -> None:
    if value is None:
        return
    _check_date(
        value,
        today=today,
        not_before=sent,
        label="对方收到征求意见书之日",
        before_label="发出征求意见之日",
    )


@transaction.atomic
def request_record_consultation_receipt(
    *, info_request: InfoRequest, by: Any, party_received_date: date, now: datetime
) -> Consultation:
    """Record the day the consulted party received the 征求意见书 (e.g. the EMS
    signature date): its 15 working days run from that day (条例 第三十二条)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.CONSULTING, action="登记对方收到征求意见书的日期")
    consult = Consultation.objects.select_for_update().get(
        info_request=req, replied_date__isnull=True
    )
    today = _today(now)
    _check_party_received(party_received_date, sent=consult.sent_date, today=today)
    cal = _calendar(consult.sent_date)
    consult.party_received_date = party_received_date
    consult.due_date = deadlines.consultation_due(
        consult.sent_date, cal, party_received_date=party_received_date
    ).due_date
    consult.save(update_fields=["party_received_date", "due_date"])
    if extra:
        _save(req, extra)
    _event(
        req,
        EventKind.CONSULTATION_STARTED,
        now=now,
        by=by,
        note=f"{consult.party_name}于{_fmt(party_received_date)}收到征求意见书，"
        f"应于{_fmt(consult.due_date)}前（含当日）提出意见。",
        data={
            "consultation": consult.pk,
            "party_received_date": party_received_date,
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
    party_received_date: date | None = None,
) -> Consultation:
    """The opinion arrived (or the party's 15 working days ran out): the reply deadline
    moves by exactly the working days of the consultation, from the day after sending
    up to the opinion, never past 15 working days after the party's receipt of the
    letter (``party_received_date``, if not recorded before)."""
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
    received = party_received_date or consult.party_received_date
    _check_party_received(received, sent=consult.sent_date, today=today)
    problem = deadlines.consultation_dates_problem(
        consult.sent_date, party_received_date=received, replied_date=replied
    )
    if problem:
        _fail(problem, "date_order")
    cal = _calendar(consult.sent_date)
    _, paused = deadlines.consultation_pause(
        consult.sent_date, replied, cal, party_received_date=received
    )
    consult.replied_date = replied
    consult.party_received_date = received
    consult.due_date = deadlines.consultation_due(
        consult.sent_date, cal, party_received_date=received
    ).due_date
    consult.paused_workdays = paused
    consult.opinion = _clean_text(opinion, label="意见摘要", max_length=2000)
    consult.save(
        update_fields=[
            "replied_date",
            "party_received_date",
            "due_date",
            "paused_workdays",
            "opinion",
        ]
    )
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
            "party_received_date": received,
            "paused_workdays": paused,
            "old_due": old_due,
            "new_due": req.reply_due_date,
        },
    )
    return consult
