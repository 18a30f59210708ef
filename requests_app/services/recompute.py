"""Deadlines after work-calendar changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from portal.workdays import WorkCalendar, load_calendar
from requests_app import deadlines
from requests_app.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    EventKind,
    InfoRequest,
)
from requests_app.services._common import (
    SYSTEM_LABEL,
    _apply_deadline,
    _event,
    _fmt,
    _lock,
    _mail,
    _save,
)


@transaction.atomic
def request_recompute_deadline(
    *,
    info_request: InfoRequest,
    now: datetime,
    by: Any = None,
    reason: str = "",
    cal: WorkCalendar | None = None,
) -> InfoRequest:
    """Recompute the stored deadline (e.g. after the holiday table changed). A change is
    logged as an event the applicant sees; if the deadline moves earlier, the assignee
    is e-mailed. No change → nothing written."""
    req = _lock(info_request)
    if req.status in CLOSED_STATUSES or req.clock_start_date is None:
        return req
    old_due, old_prov = req.reply_due_date, req.due_is_provisional
    changed = _apply_deadline(req, cal)
    if not changed:
        return req
    _save(req, changed)
    if req.reply_due_date != old_due or req.due_is_provisional != old_prov:
        note = (
            f"因{reason or '节假日安排调整'}，答复期限由{_fmt(old_due)}调整为{_fmt(req.reply_due_date)}"
            + (f"（{deadlines.PROVISIONAL_NOTE}）" if req.due_is_provisional else "")
            + "。"
        )
        _event(
            req,
            EventKind.DEADLINE_RECOMPUTED,
            now=now,
            by=by,
            actor_label="" if by else SYSTEM_LABEL,
            is_public=True,
            note=note,
            data={
                "old_due": old_due,
                "new_due": req.reply_due_date,
                "provisional": req.due_is_provisional,
                "reason": reason,
            },
        )
        if (
            old_due
            and req.reply_due_date
            and req.reply_due_date < old_due
            and req.assigned_to_id
        ):
            _mail(
                [req.assigned_to.email],
                "deadline_earlier",
                {"req": req, "old_due": old_due},
            )
    return req


def recompute_open_deadlines(
    *, years: Iterable[int], now: datetime, by: Any = None, reason: str = ""
) -> int:
    """Recompute every open request whose reply period may touch ``years``; returns how
    many deadlines changed. Each request is its own transaction."""
    years = sorted({int(y) for y in years})
    if not years:
        return 0
    cal = load_calendar()
    qs = (
        InfoRequest.objects.filter(
            status__in=OPEN_STATUSES,
            clock_start_date__isnull=False,
            clock_start_date__year__lte=max(years),
        )
        .exclude(reply_due_date__year__lt=min(years))
        .only("pk")
    )
    changed = 0
    for pk in qs.values_list("pk", flat=True).iterator():
        req = InfoRequest.objects.get(pk=pk)
        before = req.reply_due_date
        after = request_recompute_deadline(
            info_request=req, now=now, by=by, reason=reason, cal=cal
        )
        changed += after.reply_due_date != before
    return changed


def on_work_calendar_changed(
    sender: Any, *, years: Sequence[int], by: Any = None, **kwargs: Any
) -> None:
    """Receiver of ``portal.signals.work_calendar_changed`` (connected in apps.py)."""
    from portal.timeutil import local_now

    recompute_open_deadlines(
        years=years,
        now=local_now(),
        by=by,
        reason=f"{'、'.join(str(y) for y in years)} 年节假日安排调整",
    )
