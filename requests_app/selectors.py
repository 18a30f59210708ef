"""Reads of information requests. Every staff list, page, file, export and count starts
from ``visible_to(user)``; applicants reach their case only through
``get_request_for_applicant(tracking_no, query_code)``."""

from __future__ import annotations

import itertools
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from portal import roles
from portal.workdays import WorkCalendar, add_working_days, load_calendar
from requests_app import crypto, deadlines
from requests_app.models import (
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    ExtensionStatus,
    InfoRequest,
    RequestEvent,
    Status,
)

# --- access -----------------------------------------------------------------------------


def visible_to(user: Any) -> QuerySet[InfoRequest]:
    """The requests a user may see: staff see their own agency's, superusers all,
    everyone else nothing."""
    qs = InfoRequest.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    agency = roles.staff_agency(user)
    if agency is None:
        return qs.none()
    return qs.filter(agency_id=agency.pk)


def get_request_for_staff(user: Any, code: Any) -> InfoRequest:
    """The request with this UUID ``code`` if the user may see it, else 404 (never 403,
    which would reveal that it exists)."""
    try:
        key = code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except (ValueError, TypeError, AttributeError):
        raise Http404("没有找到该申请") from None
    req = (
        visible_to(user)
        .select_related("agency", "assigned_to")
        .filter(code=key)
        .first()
    )
    if req is None:
        raise Http404("没有找到该申请")
    return req


_DUMMY_HASH = "0" * 64


def normalise_tracking_no(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


def get_request_for_applicant(tracking_no: str, query_code: str) -> InfoRequest | None:
    """The request if both the tracking number and the 查询码 match, else None — the
    same answer for an unknown number and a wrong code, and the HMAC comparison runs
    either way (constant time). Throttling is the view's job (requests_app.ratelimit)."""
    number = normalise_tracking_no(tracking_no)
    req = None
    if number and len(number) <= 40:
        req = (
            InfoRequest.objects.select_related("agency")
            .filter(tracking_no=number)
            .first()
        )
    stored = (
        req.query_code_hash if req is not None and req.query_code_hash else _DUMMY_HASH
    )
    ok = crypto.query_code_matches(query_code or "", stored)
    if req is None or not ok or stored == _DUMMY_HASH:
        return None
    return req


# --- deadlines for display -----------------------------------------------------------------


def deadline_explanation(
    info_request: InfoRequest, cal: WorkCalendar | None = None
) -> deadlines.ReplyDeadline | None:
    """The reply deadline with each day from the day after the clock start: counted
    working days numbered, skipped days with their reason (周六, 春节, 调休上班,
    征求意见…). None while 待确认."""
    from requests_app.services import compute_reply_deadline

    return compute_reply_deadline(info_request, cal)


@dataclass(frozen=True)
class DeadlineState:
    """What the reply deadline column says about a request today. ``due_date`` is
    shown only while the clock runs (a paused clock has no date to run to yet)."""

    text: str
    tone: str  # "overdue" | "due-today" | "due-soon" | "paused" | ""
    due_date: date | None = None
    note: str = ""


def deadline_state(
    req: InfoRequest,
    today: date,
    cal: WorkCalendar,
    *,
    soon_until: date | None = None,
    consultation_due: date | None = None,
    fee_pauses_clock: bool | None = None,
) -> DeadlineState | None:
    """The deadline of ``req`` in words, never a stale running date: 补正中，计时暂停 /
    征求意见中，暂停至… / 待缴费，计时暂停 / 今天到期 / 已逾期 N 个工作日 / 剩 N 个工作日.
    None when there is no reply deadline (待确认, closed). ``consultation_due`` is the
    open consultation's 对方提出意见的期限 (the pause lasts until the opinion arrives,
    at the latest until then)."""
    if fee_pauses_clock is None:
        from django.conf import settings

        fee_pauses_clock = getattr(
            settings,
            "REQUESTS_FEE_NOTICE_PAUSES_CLOCK",
            deadlines.FEE_NOTICE_PAUSES_CLOCK,
        )
    if req.status == Status.AWAITING_CORRECTION:
        return DeadlineState(
            "补正中，计时暂停", "paused", note="收到补正后重新计算答复期限"
        )
    if req.status == Status.CONSULTING:
        if consultation_due is not None:
            return DeadlineState(
                f"征求意见中，暂停至 {consultation_due:%Y-%m-%d}",
                "paused",
                note="最迟至对方提出意见的期限；收到意见后恢复计时",
            )
        return DeadlineState("征求意见中，计时暂停", "paused")
    if req.status == Status.AWAITING_PAYMENT and fee_pauses_clock:
        return DeadlineState("待缴费，计时暂停", "paused", note="缴费后恢复计时")
    running = req.status == Status.PROCESSING or req.status == Status.AWAITING_PAYMENT
    if not running or req.reply_due_date is None:
        return None
    due = req.reply_due_date
    left = deadlines.workdays_left(today, due, cal)
    if due < today:
        return DeadlineState(f"已逾期 {-left} 个工作日", "overdue", due)
    if due == today:
        return DeadlineState("今天到期", "due-today", due)
    if soon_until is None:
        soon_until = due_soon_until(today, cal)
    return DeadlineState(
        f"剩 {left} 个工作日", "due-soon" if due <= soon_until else "", due
    )


def due_soon_until(today: date, cal: WorkCalendar | None = None) -> date:
    """Last due date that counts as 即将到期 (≤ DUE_SOON_WORKDAYS working days left)."""
    if cal is None:
        cal = load_calendar(years=[today.year, today.year + 1])
    return add_working_days(today, deadlines.DUE_SOON_WORKDAYS, cal).due_date


def _running(qs: QuerySet[InfoRequest]) -> QuerySet[InfoRequest]:
    return qs.filter(status__in=CLOCK_RUNNING_STATUSES, reply_due_date__isnull=False)


def due_soon(
    qs: QuerySet[InfoRequest], today: date, cal: WorkCalendar | None = None
) -> QuerySet[InfoRequest]:
    return _running(qs).filter(
        reply_due_date__gte=today, reply_due_date__lte=due_soon_until(today, cal)
    )


def overdue(qs: QuerySet[InfoRequest], today: date) -> QuerySet[InfoRequest]:
    return _running(qs).filter(reply_due_date__lt=today)


# --- workbench -------------------------------------------------------------------------------

QUEUE_FILTERS = (
    "pending",
    "processing",
    "awaiting_correction",
    "consulting",
    "awaiting_payment",
    "due_soon",
    "due_today",
    "overdue",
    "extension_pending",
    "mine",
    "open",
    "closed",
)


def queue_counts(
    user: Any, today: date, cal: WorkCalendar | None = None
) -> dict[str, int]:
    """Counts for the top of the workbench, in one query: 待确认, 办理中, 待补正,
    征求意见中, 待缴费, 即将到期 (≤ 5 working days), 今天到期, 已逾期, 待审批延期, 我承办的 (open)."""
    soon = due_soon_until(today, cal)
    running = Q(status__in=CLOCK_RUNNING_STATUSES, reply_due_date__isnull=False)
    uid = getattr(user, "pk", None)
    return visible_to(user).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        processing=Count("pk", filter=Q(status=Status.PROCESSING)),
        awaiting_correction=Count("pk", filter=Q(status=Status.AWAITING_CORRECTION)),
        consulting=Count("pk", filter=Q(status=Status.CONSULTING)),
        awaiting_payment=Count("pk", filter=Q(status=Status.AWAITING_PAYMENT)),
        due_soon=Count(
            "pk",
            filter=running & Q(reply_due_date__gte=today, reply_due_date__lte=soon),
        ),
        overdue=Count("pk", filter=running & Q(reply_due_date__lt=today)),
        due_today=Count("pk", filter=running & Q(reply_due_date=today)),
        extension_pending=Count(
            "pk", filter=Q(extension_status=ExtensionStatus.PENDING)
        ),
        mine=Count("pk", filter=Q(assigned_to_id=uid, status__in=OPEN_STATUSES)),
    )


def queue(
    user: Any, today: date, *, show: str = "open", cal: WorkCalendar | None = None
) -> QuerySet[InfoRequest]:
    """The workbench list for one filter of ``QUEUE_FILTERS`` (unknown → open), ordered
    by due date; related rows joined so rendering triggers no further queries."""
    qs = visible_to(user).select_related("agency", "assigned_to")
    if show in (
        "pending",
        "processing",
        "awaiting_correction",
        "consulting",
        "awaiting_payment",
    ):
        qs = qs.filter(status=show)
    elif show == "due_soon":
        qs = due_soon(qs, today, cal)
    elif show == "overdue":
        qs = overdue(qs, today)
    elif show == "due_today":
        qs = _running(qs).filter(reply_due_date=today)
    elif show == "extension_pending":
        qs = qs.filter(extension_status=ExtensionStatus.PENDING)
    elif show == "mine":
        qs = qs.filter(
            assigned_to_id=getattr(user, "pk", None), status__in=OPEN_STATUSES
        )
    elif show == "closed":
        return qs.exclude(status__in=OPEN_STATUSES).order_by("-closed_date", "-id")
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("reply_due_date", "submitted_at", "id")


def public_events(info_request: InfoRequest) -> QuerySet[RequestEvent]:
    """The applicant's timeline: only events marked for the applicant."""
    return info_request.events.filter(is_public=True).order_by("at", "id")


def staff_events(info_request: InfoRequest) -> QuerySet[RequestEvent]:
    return info_request.events.select_related("actor").order_by("at", "id")


# --- repeated similar requests (条例 第三十五条, 第四十四条) -------------------------------------

SIMILAR_WINDOW_DAYS = 365
SIMILAR_MIN_SCORE = 0.35
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese text (and words of Latin/digits)."""
    tokens = _CJK_OR_WORD.findall(unicodedata.normalize("NFKC", text or "").lower())
    return {a + b for a, b in itertools.pairwise(tokens)}


@dataclass(frozen=True)
class Similar:
    info_request: InfoRequest
    score: float  # Jaccard overlap of description bigrams, 0–1
    same_applicant: bool


def similar_requests(
    info_request: InfoRequest,
    *,
    days: int = SIMILAR_WINDOW_DAYS,
    limit: int = 10,
    min_score: float = SIMILAR_MIN_SCORE,
) -> list[Similar]:
    """Other requests to the same agency within ``days`` of this one that ask for
    similar information (description bigram overlap) or come from the same applicant
    (same ID/USCC HMAC). Pointed out to staff: candidates for 重复申请 (Art. 36(6)),
    Art. 35 and 主动公开 under Art. 44. Never shown to applicants."""
    req = info_request
    anchor = req.received_date or req.submitted_at.date()
    window = Q(
        submitted_at__date__gte=anchor - timedelta(days=days),
        submitted_at__date__lte=anchor + timedelta(days=days),
    )
    candidates = (
        InfoRequest.objects.filter(agency_id=req.agency_id)
        .filter(window)
        .exclude(pk=req.pk)
        .only(
            "pk",
            "code",
            "tracking_no",
            "description",
            "id_number_hmac",
            "status",
            "outcome",
            "submitted_at",
            "received_date",
            "agency_id",
            "applicant_name",
            "applicant_kind",
        )
        .order_by("-submitted_at")[:2000]
    )
    mine = bigrams(req.description)
    out: list[Similar] = []
    for other in candidates:
        theirs = bigrams(other.description)
        union = mine | theirs
        score = len(mine & theirs) / len(union) if union else 0.0
        same = bool(req.id_number_hmac) and other.id_number_hmac == req.id_number_hmac
        if score >= min_score or same:
            out.append(Similar(other, round(score, 2), same))
    out.sort(key=lambda s: (s.score, s.same_applicant), reverse=True)
    return out[:limit]


# --- names the publication guard looks for (catalog.guard name source) -------------------


def identity_names(req: InfoRequest) -> list[str]:
    """The applicant's names and those of third parties consulted (第三十二条)."""
    from requests_app.models import Consultation, PartyType

    names = [req.applicant_name, req.contact_name, req.legal_representative]
    names += Consultation.objects.filter(
        info_request=req, party_type=PartyType.THIRD_PARTY
    ).values_list("party_name", flat=True)
    return [n for n in names if n and len(n.strip()) >= 2]


def names_for_notice(notice: Any) -> list[str]:
    """Names behind a notice drafted from requests (条例 第四十四条), for the guard."""
    request_ids = RequestEvent.objects.filter(
        kind=RequestEvent.Kind.NOTICE_DRAFTED, data__notice=notice.pk
    ).values_list("info_request_id", flat=True)
    names: list[str] = []
    for req in InfoRequest.objects.filter(pk__in=list(request_ids)):
        names += identity_names(req)
    return names


# --- letters (文书) ---------------------------------------------------------------------


def staff_letters(req: InfoRequest):
    """Every letter of a request, oldest first, for its agency's staff."""
    from requests_app.models import Letter

    return (
        Letter.objects.filter(info_request=req)
        .select_related("agency", "drafted_by", "approved_by")
        .order_by("created_at", "id")
    )


def applicant_letters(req: InfoRequest):
    """The sent (已签发) letters of the applicant's own request: drafts never show,
    nor the 征求意见函 to a third party or another agency (not addressed to them)."""
    from requests_app.models import Letter, LetterKind, LetterStatus

    return (
        Letter.objects.filter(info_request=req, status=LetterStatus.SENT)
        .exclude(kind=LetterKind.CONSULTATION)
        .select_related("agency")
        .order_by("sent_at", "id")
    )


def get_letter_for_staff(req: InfoRequest, letter_id: int):
    """A letter of ``req`` (already access-checked by ``get_request_for_staff``)."""
    letter = staff_letters(req).filter(pk=letter_id).first()
    if letter is None:
        raise Http404("没有找到该文书")
    return letter


def get_letter_for_applicant(req: InfoRequest, letter_id: int):
    letter = applicant_letters(req).filter(pk=letter_id).first()
    if letter is None:
        raise Http404("没有找到该文书")
    return letter


def letters_to_post(agency_id: int | None):
    """Sent letters not yet delivered whose applicant gave no e-mail, and every
    征求意见函 (its addressee is not the applicant): print and post (workbench).
    ``None`` (superuser without an agency) lists every agency's."""
    from django.db.models import Q

    from requests_app.models import Letter, LetterKind, LetterStatus

    qs = Letter.objects.filter(
        Q(info_request__email="") | Q(kind=LetterKind.CONSULTATION),
        status=LetterStatus.SENT,
        delivered_date__isnull=True,
    )
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs.select_related("info_request", "agency").order_by("sent_at", "id")


def letters_awaiting_signoff(agency_id: int | None):
    """Letters waiting for 签发 (workbench of the 审核人)."""
    from requests_app.models import Letter, LetterStatus

    qs = Letter.objects.filter(status=LetterStatus.PENDING)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs.select_related("info_request", "drafted_by").order_by(
        "submitted_at", "id"
    )
