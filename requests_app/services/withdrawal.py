"""The applicant's withdrawal (撤回)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from requests_app.models import (
    OPEN_STATUSES,
    Consultation,
    EventKind,
    FeeNotice,
    InfoRequest,
    Status,
)
from requests_app.outcomes import Outcome
from requests_app.services._common import (
    _clean_text,
    _close,
    _event,
    _fail,
    _lock,
    _require_staff,
    _save,
    _today,
)


@transaction.atomic
def request_withdraw(
    *, info_request: InfoRequest, now: datetime, by: Any = None, reason: str = ""
) -> InfoRequest:
    """The applicant withdraws (撤回). ``by=None``: online by the applicant; staff record
    a written withdrawal with ``by``. Counted as 表三（六）3 其他 (``Outcome.OTHER``)."""
    req = _lock(info_request)
    if by is not None:
        _require_staff(by, req)
    if req.status not in OPEN_STATUSES:
        _fail("申请已办结，不能撤回", "bad_status")
    reason = _clean_text(reason, label="撤回原因", max_length=300)
    today = _today(now)
    if req.received_date is not None and today < req.received_date:
        _fail("撤回日期不能早于收到申请之日", "date")
    _save(
        req, _close(req, status=Status.WITHDRAWN, outcome=Outcome.OTHER, closed=today)
    )
    FeeNotice.objects.filter(
        info_request=req,
        paid_date__isnull=True,
        waived=False,
        expired_date__isnull=True,
    ).update(waived=True, waived_date=today)
    Consultation.objects.filter(info_request=req, replied_date__isnull=True).update(
        replied_date=today
    )
    _event(
        req,
        EventKind.WITHDRAWN,
        now=now,
        by=by,
        is_public=True,
        note="申请人已撤回申请，本申请不再办理。"
        + (f"撤回原因：{reason}" if reason else ""),
        data={"withdrawn_date": today},
    )
    return req
