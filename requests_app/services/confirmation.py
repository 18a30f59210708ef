"""Confirmation of a pending application: the receipt date starts the clock
(条例 第三十一条)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal import roles
from requests_app import deadlines, letters
from requests_app.models import (
    EventKind,
    InfoRequest,
    LetterKind,
    Status,
)
from requests_app.services._common import (
    _check_date,
    _event,
    _fmt,
    _lock,
    _require_role,
    _require_status,
    _save,
    _today,
)
from requests_app.services.intake import _start_clock, late_confirmation_note
from requests_app.services.letters import issue_procedural_letter


@transaction.atomic
def request_confirm(
    *,
    info_request: InfoRequest,
    by: Any,
    now: datetime,
    confirmed_date: date | None = None,
) -> InfoRequest:
    """待确认 → 办理中. The receipt date is the day both sides confirmed (条例 第三十一条;
    default today), which starts the 20-working-day clock. A 平常信函 confirmed after
    its arrival day keeps the arrival day as receipt date and is flagged late
    (第三十一条第（二）项)."""
    req = _lock(info_request)
    _require_role(by, req, roles.HANDLER, roles.ADMIN)
    _require_status(req, Status.PENDING, action="确认受理")
    today = _today(now)
    confirmed = confirmed_date or today
    _check_date(
        confirmed,
        today=today,
        not_before=timezone.localdate(req.submitted_at),
        label="确认日期",
        before_label="提交日期",
    )
    received = deadlines.received_date_for(
        req.channel,
        handed_in_date=confirmed,
        signed_date=confirmed,
        confirmed_date=confirmed,
        arrived_date=req.arrived_date,
    )
    rule = deadlines.receipt_rule(req.channel)[1]
    fields = _start_clock(req, received, basis=rule)
    req.confirmed_by = by
    req.confirmed_date = confirmed
    _save(req, [*fields, "confirmed_by", "confirmed_date"])
    _event(
        req,
        EventKind.CONFIRMED,
        now=now,
        by=by,
        is_public=True,
        note=f"已确认受理。收到申请之日为{_fmt(received)}，答复期限为{_fmt(req.reply_due_date)}"
        f"{'（' + deadlines.PROVISIONAL_NOTE + '）' if req.due_is_provisional else ''}。"
        + (late_confirmation_note(req) if req.confirmation_late else ""),
        data={
            "received_date": received,
            "confirmed_date": confirmed,
            "reply_due_date": req.reply_due_date,
            "provisional": req.due_is_provisional,
            "confirmation_late": req.confirmation_late,
        },
    )
    acceptance_letter(req, by=by, now=now)
    return req


def acceptance_letter(req: InfoRequest, *, by: Any, now: datetime):
    """The 受理回执 once the receipt date is known (confirmation or registration)."""
    return issue_procedural_letter(
        info_request=req,
        kind=LetterKind.ACCEPTANCE,
        by=by,
        now=now,
        values={"答复期限": letters.fmt_date(req.reply_due_date)},
    )
