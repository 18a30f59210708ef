"""Private helpers shared by the request services: locking, events, actor and
status checks, dates, text cleaning, e-mail, and the stored reply deadline."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal import roles
from portal.workdays import WorkCalendar, load_calendar
from requests_app import deadlines
from requests_app.models import (
    EventKind,
    InfoRequest,
    RequestEvent,
)

logger = logging.getLogger("requests_app.services")


APPLICANT_LABEL = "申请人"


SYSTEM_LABEL = "系统"


def _today(now: datetime) -> date:
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    return timezone.localdate(now)


def _lock(info_request: InfoRequest) -> InfoRequest:
    return InfoRequest.objects.select_for_update().get(pk=info_request.pk)


def _calendar(*dates: date | None) -> WorkCalendar:
    """The calendar for every year a computation from these dates may touch."""
    years = {d.year for d in dates if d is not None}
    if not years:
        return load_calendar(years=[])
    return load_calendar(years=range(min(years) - 1, max(years) + 2))


def _fail(message: str, code: str = "invalid") -> None:
    raise ValidationError(message, code=code)


def _event(
    req: InfoRequest,
    kind: str,
    *,
    now: datetime,
    by: Any = None,
    actor_label: str = "",
    is_public: bool = False,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        info_request=req,
        at=now,
        actor=by if getattr(by, "pk", None) else None,
        actor_label=actor_label or ("" if by is not None else APPLICANT_LABEL),
        kind=kind,
        is_public=is_public,
        note=note,
        data={
            k: (v.isoformat() if isinstance(v, (date, datetime)) else v)
            for k, v in (data or {}).items()
        },
    )


def _fmt(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _user_label(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _is_staff_of(user: Any, agency_id: int) -> bool:
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.is_active
    ):
        return False
    if user.is_superuser:
        return True
    agency = roles.staff_agency(user)
    return agency is not None and agency.pk == agency_id


def _require_staff(user: Any, req: InfoRequest) -> None:
    if not _is_staff_of(user, req.agency_id):
        _fail("您不是本申请受理机关的工作人员，无权办理", "forbidden")


def _require_role(user: Any, req: InfoRequest, *role_names: str) -> None:
    _require_staff(user, req)
    if not user.is_superuser and not any(roles.has_role(user, r) for r in role_names):
        _fail(f"此操作需要{'或'.join(role_names)}角色", "forbidden")


def _require_handler(user: Any, req: InfoRequest, *, now: datetime) -> list[str]:
    """The acting handler: the assignee, or (if unassigned) a 承办人 who thereby takes it.
    Returns the extra update_fields (``assigned_to``) when the request was claimed."""
    _require_role(user, req, roles.HANDLER)
    if req.assigned_to_id is None:
        req.assigned_to = user
        _event(
            req,
            EventKind.ASSIGNED,
            now=now,
            by=user,
            note=f"由{_user_label(user)}承办",
            data={"assignee": user.pk},
        )
        return ["assigned_to"]
    if req.assigned_to_id != user.pk and not user.is_superuser:
        _fail(
            f"本申请由{_user_label(req.assigned_to)}承办，只有承办人可以办理；如需调整请先重新分配",
            "not_assignee",
        )
    return []


def _require_status(req: InfoRequest, *allowed: str, action: str) -> None:
    if req.status not in allowed:
        _fail(f"申请当前状态为“{req.get_status_display()}”，不能{action}", "bad_status")


def _check_date(
    value: date,
    *,
    today: date,
    not_before: date | None = None,
    label: str,
    before_label: str = "",
) -> None:
    if value > today:
        _fail(f"{label}不能晚于今天（{_fmt(today)}）", "future_date")
    if not_before is not None and value < not_before:
        _fail(f"{label}不能早于{before_label or _fmt(not_before)}", "date_order")


def _clean_text(
    value: str | None, *, label: str, max_length: int, required: bool = False
) -> str:
    text = (value or "").replace("\x00", "").strip()
    if re.search(r"[\u202a-\u202e\u2066-\u2069]", text):
        _fail(f"{label}含有不可见的文字方向控制字符", "bidi")
    if required and not text:
        _fail(f"请填写{label}", "required")
    if len(text) > max_length:
        _fail(f"{label}不能超过 {max_length} 字（现在 {len(text)} 字）", "too_long")
    return text


def _mail(to: Iterable[str], template: str, context: dict[str, Any]) -> None:
    """Send an e-mail after the transaction commits. The body may hold a 查询码, so
    nothing of it is logged; a failure is logged without the body and never undoes
    the step (security.md §9 test 29)."""
    recipients = [r for r in to if r]
    if not recipients:
        return
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "lookup_url": _site_url("requests_app:landing"),
        **context,
    }
    if "req" in context and "staff_url" not in context:
        context["staff_url"] = staff_url(context["req"])
    text = render_to_string(f"requests_app/email/{template}.txt", context)
    subject, _, body = text.strip().partition("\n")

    def send() -> None:
        try:
            send_mail(
                subject.strip(),
                body.strip() + "\n",
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        except Exception:
            logger.warning("requests_app: e-mail %s could not be sent", template)

    deferred = _DEFERRED_MAIL.get()
    transaction.on_commit(send if deferred is None else lambda: deferred.add(send))


class DeferredMail:
    """Mails held back until ``release()`` (then sent at once; any queued later is
    sent straight away)."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []
        self.released = False

    def add(self, send: Callable[[], None]) -> None:
        if self.released:
            send()
        else:
            self.pending.append(send)

    def release(self) -> None:
        self.released = True
        pending, self.pending = self.pending, []
        for send in pending:
            send()


_DEFERRED_MAIL: ContextVar[DeferredMail | None] = ContextVar(
    "requests_app_deferred_mail", default=None
)


@contextmanager
def mail_after_response() -> Iterator[DeferredMail]:
    """Hold the mails of the steps run inside until the caller releases them, e.g.
    once the response has gone out (``response._resource_closers``): a page whose
    answer must not depend on whether a mail was sent (the 查询码 resend, which says
    the same for every number) must not take an SMTP round trip longer when one is."""
    deferred = DeferredMail()
    token = _DEFERRED_MAIL.set(deferred)
    try:
        yield deferred
    finally:
        _DEFERRED_MAIL.reset(token)


def _site_url(name: str, *args: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return settings.SITE_URL.rstrip("/") + reverse(name, args=args)
    except NoReverseMatch:
        return settings.SITE_URL.rstrip("/") + "/"


def staff_url(info_request: InfoRequest) -> str:
    """Absolute URL of the staff page of a request (for e-mails)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return settings.SITE_URL.rstrip("/") + reverse(
            "requests_app:staff_request_detail", args=[info_request.code]
        )
    except NoReverseMatch:
        return _site_url("requests_app:staff_queue")


def fee_rules() -> dict[str, Any]:
    """The fee settings (docs/requests.md "Fees"): payment period, whether a fee notice
    pauses the reply clock, and whose requests the 按件 monthly count counts."""
    return {
        "payment_workdays": getattr(
            settings, "REQUESTS_FEE_PAYMENT_WORKDAYS", deadlines.FEE_PAYMENT_WORKDAYS
        ),
        "pauses_clock": getattr(
            settings,
            "REQUESTS_FEE_NOTICE_PAUSES_CLOCK",
            deadlines.FEE_NOTICE_PAUSES_CLOCK,
        ),
        "count_scope": getattr(settings, "REQUESTS_FEE_COUNT_SCOPE", "agency"),
        "provincial_rule": (
            getattr(settings, "REQUESTS_FEE_PROVINCIAL_RULE", "") or ""
        ).strip(),
    }


def compute_reply_deadline(
    info_request: InfoRequest, cal: WorkCalendar | None = None
) -> deadlines.ReplyDeadline | None:
    """The request's reply deadline with its day-by-day explanation, from stored facts:
    clock start (receipt or correction), approved extension, finished consultations and
    settled fee notices. None while there is no clock (待确认). Read-only: this loads the
    rows; ``deadlines.request_reply_deadline`` does the law."""
    req = info_request
    if req.clock_start_date is None:
        return None
    if cal is None:
        cal = _calendar(req.clock_start_date)
    consultations, fees = [], []
    if req.pk is not None:
        consultations = [
            deadlines.ConsultationFacts(
                c.sent_date, c.replied_date, c.party_received_date
            )
            for c in req.consultations.all()
        ]
        fees = [
            deadlines.FeeFacts(f.issued_date, f.paid_date or f.waived_date)
            for f in req.fee_notices.all()
        ]
    return deadlines.request_reply_deadline(
        req.clock_start_date,
        cal,
        extension_days=req.extension_days if req.is_extended else 0,
        consultations=consultations,
        fees=fees,
        fee_notice_pauses_clock=fee_rules()["pauses_clock"],
    )


def _apply_deadline(req: InfoRequest, cal: WorkCalendar | None = None) -> list[str]:
    """Recompute the stored deadline fields; returns the changed field names."""
    result = compute_reply_deadline(req, cal)
    if result is None:
        values = {
            "reply_due_date": None,
            "due_is_provisional": False,
            "paused_workdays": 0,
            "fee_paused_workdays": 0,
        }
    else:
        consult, fee = deadlines.paused_workdays_split(result)
        values = {
            "reply_due_date": result.due_date,
            "due_is_provisional": result.provisional,
            "paused_workdays": consult,
            "fee_paused_workdays": fee,
        }
    changed = []
    for name, value in values.items():
        if getattr(req, name) != value:
            setattr(req, name, value)
            changed.append(name)
    return changed


def _save(req: InfoRequest, fields: Iterable[str]) -> None:
    names = sorted(set(fields) | {"updated_at"})
    req.save(update_fields=names)


def _close(req: InfoRequest, *, status: str, outcome: str, closed: date) -> list[str]:
    req.status, req.outcome, req.closed_date = status, outcome, closed
    return ["status", "outcome", "closed_date"]
