"""Staff pages of 依申请公开 (under /ysq/staff/): the workbench queue, offline
registration, and the case page with one POST-only action per service.

Every case view gets its request through ``selectors.get_request_for_staff`` (404 for
other agencies' cases, never 403). Every action parses a form, calls one service and
redirects with a message; a ``ValidationError`` from the service re-renders the case
page with that form bound, the Chinese message and the input kept. Views take the
time once from ``portal.timeutil`` and pass it down; templates trigger no queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from portal import roles
from portal.timeutil import local_now
from portal.workdays import WorkCalendar, load_calendar
from requests_app import deadlines, selectors, services
from requests_app.forms import (
    AssignForm,
    ConfirmForm,
    ConsultationEndForm,
    ConsultationReceiptForm,
    ConsultationStartForm,
    CorrectionAskForm,
    CorrectionReceiveForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FeeNoticeForm,
    LetterDeliveryForm,
    LetterReturnForm,
    NoteForm,
    NoticeDraftForm,
    PaymentForm,
    QueueFilterForm,
    ReasonForm,
    ReplyForm,
    StaffRegisterForm,
)
from requests_app.models import (
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    Consultation,
    EventKind,
    ExtensionStatus,
    FileKind,
    InfoRequest,
    Letter,
    LetterStatus,
    PiiAccessLog,
    Reply,
    RequestFile,
    Status,
)
from requests_app.outcomes import Outcome
from requests_app.services import letters as letter_svc
from requests_app.views.public import (
    REPLY_COLUMNS,
    explained_deadline,
    file_response,
    stored_file_or_404,
)

User = get_user_model()

QUEUE_PAGE_SIZE = 25
SESSION_REGISTERED = "ysq_staff_registered"  # {"code": uuid str, "tracking_no", "query_code"}: shown once


# =========================================================================================
# access
# =========================================================================================


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only: anonymous users go to the login page, other users get 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.is_active_staff(user):  # the navigation asks the same (desk.py)
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _roles_of(user: Any) -> set[str]:
    if user.is_superuser:
        return set(roles.ALL_ROLES)
    return set(user.groups.values_list("name", flat=True))


def _calendar_around(today: date) -> WorkCalendar:
    return load_calendar(
        years=[today.year - 1, today.year, today.year + 1, today.year + 2]
    )


def _label(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


# =========================================================================================
# workbench
# =========================================================================================


@dataclass(frozen=True)
class QueueRow:
    req: InfoRequest
    flag: str  # "overdue" | "due-today" | "due-soon" | "paused" | ""
    deadline: selectors.DeadlineState | None
    assignee: str
    waiting_days: int | None = None  # 待确认: calendar days since arrival / submission


def _open_consultation_due(req: InfoRequest) -> date | None:
    """The open consultation's 对方提出意见的期限 (prefetched as ``open_consultations``)."""
    open_ones = getattr(req, "open_consultations", None) or []
    return open_ones[0].due_date if open_ones else None


@staff_view
@require_safe
def staff_queue(request: HttpRequest) -> HttpResponse:
    """The agency's requests with counts at the top, filtered and sorted by due date."""
    today = local_now().date()
    form = QueueFilterForm(request.GET)
    show = "open"
    number = ""
    if form.is_valid():
        show = form.cleaned_data.get("show") or "open"
        number = selectors.normalise_tracking_no(form.cleaned_data.get("q") or "")
    cal = _calendar_around(today)
    counts = selectors.queue_counts(request.user, today, cal)
    qs = selectors.queue(request.user, today, show=show, cal=cal).prefetch_related(
        Prefetch(
            "consultations",
            queryset=Consultation.objects.filter(replied_date__isnull=True),
            to_attr="open_consultations",
        )
    )
    if number:
        qs = qs.filter(tracking_no__contains=number)
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    soon = selectors.due_soon_until(today, cal)
    rows = []
    for req in page.object_list:
        state = selectors.deadline_state(
            req,
            today,
            cal,
            soon_until=soon,
            consultation_due=_open_consultation_due(req),
        )
        waiting = (
            deadlines.unconfirmed_age_days(
                today, arrived_date=req.arrived_date, submitted_at=req.submitted_at
            )
            if req.status == Status.PENDING
            else None
        )
        rows.append(
            QueueRow(
                req,
                state.tone if state else "",
                state,
                _label(req.assigned_to),
                waiting,
            )
        )
    params = {
        k: v for k, v in (("show", show if show != "open" else ""), ("q", number)) if v
    }
    base = reverse("requests_app:staff_queue")

    def page_url(n: int) -> str:
        return base + "?" + urlencode({**params, "page": n})

    count_links = [
        (
            key,
            label,
            counts.get(key, 0),
            base + "?" + urlencode({"show": key}),
            key == show,
        )
        for key, label in (
            ("pending", "待确认"),
            ("processing", "办理中"),
            ("awaiting_correction", "待补正"),
            ("consulting", "征求意见中"),
            ("due_soon", "即将到期"),
            ("due_today", "今天到期"),
            ("overdue", "已逾期"),
            ("awaiting_payment", "待缴费"),
            ("extension_pending", "待审批延期"),
            ("mine", "我承办的"),
        )
    ]
    return render(
        request,
        "requests_app/staff_queue.html",
        {
            "agency": roles.staff_agency(request.user),
            "form": form,
            "show": show,
            "count_links": count_links,
            "rows": rows,
            "page": page,
            "today": today,
            "page_prev_url": page_url(page.previous_page_number())
            if page.has_previous()
            else "",
            "page_next_url": page_url(page.next_page_number())
            if page.has_next()
            else "",
            "page_label": f"第 {page.number} / {page.paginator.num_pages} 页，共 {page.paginator.count} 件",
        },
    )


# =========================================================================================
# registering an offline application
# =========================================================================================


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def staff_register(request: HttpRequest) -> HttpResponse:
    """Register an application that arrived 当面, by post, fax or e-mail."""
    agency = roles.staff_agency(request.user)
    if agency is None:
        raise Http404
    now = local_now()
    today = now.date()
    if request.method != "POST":
        form = StaffRegisterForm(
            today=today,
            agency=agency,
            initial={"submitted_at": now.replace(second=0, microsecond=0)},
        )
        return _render_register(request, form)
    form = StaffRegisterForm(request.POST, request.FILES, today=today, agency=agency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.request_register_offline(
                agency=agency,
                by=request.user,
                channel=data["channel"],
                submitted_at=data["submitted_at"],
                now=now,
                uscc_checked=bool(data.get("uscc_checked")),
                id_proof=data.get("id_proof"),
                **form.receipt_kwargs(),
                **services.application_fields_from_form(data),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            req = result.info_request
            request.session[SESSION_REGISTERED] = {
                "code": str(req.code),
                "tracking_no": req.tracking_no,
                "query_code": result.query_code,
            }
            messages.success(request, f"已登记申请 {req.tracking_no}。")
            return redirect("requests_app:staff_request_detail", code=req.code)
    return _render_register(request, form)


def _render_register(request: HttpRequest, form: StaffRegisterForm) -> HttpResponse:
    rules = [
        (label, deadlines.RECEIPT_RULES[value][1])
        for value, label in form.fields["channel"].choices
    ]
    return render(
        request,
        "requests_app/staff_register.html",
        {"form": form, "receipt_rules": rules},
    )


_SERVICE_TO_FORM = {"applicant_name": "name", "applicant_kind": "org_kind"}


def _errors_into(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field when it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = _SERVICE_TO_FORM.get(name, name)
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# =========================================================================================
# the case page
# =========================================================================================

ACTION_FORMS: dict[str, type[Form]] = {
    "confirm": ConfirmForm,
    "correction_ask": CorrectionAskForm,
    "correction_receive": CorrectionReceiveForm,
    "consult_start": ConsultationStartForm,
    "consult_end": ConsultationEndForm,
    "consult_receipt": ConsultationReceiptForm,
    "extension_request": ExtensionRequestForm,
    "extension_decide": ExtensionDecideForm,
    "fee": FeeNoticeForm,
    "payment": PaymentForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "reveal": ReasonForm,
    "file_open": ReasonForm,
    "fee_waive": ReasonForm,
    "notice_draft": NoticeDraftForm,
}


def _handlers_of(req: InfoRequest) -> list[Any]:
    return list(
        User.objects.filter(
            is_active=True,
            is_staff=True,
            staff_profile__agency_id=req.agency_id,
            groups__name=roles.HANDLER,
        )
        .distinct()
        .order_by("username")
    )


def _initial_forms(req: InfoRequest, today: date, handlers) -> dict[str, Form]:
    forms_: dict[str, Form] = {}
    for key, cls in ACTION_FORMS.items():
        initial: dict[str, Any] = {}
        if key == "confirm":
            initial["confirmed_date"] = today
        elif key == "correction_receive":
            initial["received_date"] = today
        elif key == "consult_start":
            initial["sent_date"] = today
        elif key == "consult_end":
            initial["replied_date"] = today
        elif key == "payment":
            initial["paid_date"] = today
        elif key == "fee":
            initial["payment_method"] = services.default_payment_method(req)
        elif key == "extension_request":
            initial["days"] = deadlines.EXTENSION_MAX_WORKDAYS
        forms_[key] = cls(initial=initial, prefix=key)
    forms_["assign"] = AssignForm(
        prefix="assign", handlers=handlers, initial={"assignee": req.assigned_to_id}
    )
    return forms_


def _detail_context(
    request: HttpRequest,
    req: InfoRequest,
    now: datetime,
    *,
    bound: dict[str, Form] | None = None,
    revealed: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = request.user
    today = now.date()
    my_roles = _roles_of(user)
    cal = _calendar_around(today)
    handlers = _handlers_of(req)
    forms_ = _initial_forms(req, today, handlers)
    forms_.update(bound or {})

    events = list(selectors.staff_events(req))
    for event in events:
        event.link = ""
        if (
            event.kind == EventKind.NOTICE_DRAFTED
            and isinstance(event.data, dict)
            and event.data.get("notice")
        ):
            try:
                event.link = reverse(
                    "admin:catalog_notice_change", args=[event.data["notice"]]
                )
            except NoReverseMatch:
                event.link = ""
    notes = list(req.notes.select_related("author").order_by("created_at", "id"))
    consultations = list(req.consultations.order_by("sent_date", "id"))
    fee_notices = list(req.fee_notices.order_by("issued_date", "id"))
    replies = list(
        Reply.objects.filter(info_request=req)
        .select_related("notice")
        .only(*REPLY_COLUMNS)
        .prefetch_related(
            Prefetch(
                "files",
                queryset=RequestFile.objects.order_by("id"),
                to_attr="file_list",
            )
        )
        .order_by("sent_at", "id")
    )
    applicant_files = list(
        RequestFile.objects.filter(
            info_request=req, kind__in=[FileKind.ID_PROOF, FileKind.CORRECTION]
        ).order_by("uploaded_at", "id")
    )
    people_ids = {
        i
        for i in (
            req.extension_requested_by_id,
            req.extension_decided_by_id,
            req.confirmed_by_id,
            req.registered_by_id,
        )
        if i
    }
    people = User.objects.in_bulk(people_ids) if people_ids else {}
    approvers = [
        _label(u)
        for u in User.objects.filter(
            is_active=True,
            is_staff=True,
            staff_profile__agency_id=req.agency_id,
            groups__name=roles.APPROVER,
        )
        .distinct()
        .order_by("username")
    ]
    handler_ids = [u.pk for u in handlers]
    is_assignee = req.assigned_to_id == user.pk
    sees_pii_log = user.is_superuser or bool(my_roles & {roles.APPROVER, roles.ADMIN})
    is_handler = roles.HANDLER in my_roles
    can_handle = user.is_superuser or (
        is_handler and (req.assigned_to_id is None or is_assignee)
    )
    deadline = (
        explained_deadline(selectors.deadline_explanation(req, cal))
        if req.clock_start_date
        else None
    )
    correction_notice_last = None
    if (
        req.status == Status.PROCESSING
        and req.received_date
        and req.correction_asked_date is None
    ):
        correction_notice_last = deadlines.correction_notice_due(
            req.received_date, cal
        ).due_date
    flag = ""
    if req.status in CLOCK_RUNNING_STATUSES and req.reply_due_date:
        if req.reply_due_date < today:
            flag = "overdue"
        elif req.reply_due_date <= selectors.due_soon_until(today, cal):
            flag = "due-soon"
    registered = request.session.get(SESSION_REGISTERED)
    if isinstance(registered, dict) and registered.get("code") == str(req.code):
        request.session.pop(SESSION_REGISTERED, None)
    else:
        registered = None
    open_fee = next((f for f in fee_notices if f.is_open), None)
    open_consultation = next((c for c in consultations if c.replied_date is None), None)
    context = {
        "req": req,
        "today": today,
        "now": now,
        "flag": flag,
        "deadline": deadline,
        "workdays_left": deadlines.workdays_left(today, req.reply_due_date, cal)
        if req.reply_due_date
        else None,
        "correction_notice_last": correction_notice_last,
        "correction_window_closed": bool(
            correction_notice_last and today > correction_notice_last
        ),
        "events": events,
        "notes": notes,
        "consultations": consultations,
        "open_consultation": open_consultation,
        "fee_notices": fee_notices,
        "open_fee": open_fee,
        "replies": replies,
        "applicant_files": applicant_files,
        "similar": selectors.similar_requests(req),
        "forms": forms_,
        "revealed": revealed,
        "registered": registered,
        "approvers": approvers,
        "handlers_count": len(handler_ids),
        "is_assignee": is_assignee,
        "can_handle": can_handle,
        # a case with a handler is reassigned by a 审核人 or 管理员 only (issue 11 §1.2)
        "can_assign": bool(my_roles & {roles.HANDLER, roles.APPROVER, roles.ADMIN})
        and (req.assigned_to_id is None or services.may_reassign(user, req)),
        "pii_log": _pii_log(req) if sees_pii_log else None,
        "reveal_refusal": services.reveal_refusal(req, user) if is_assignee else "",
        "can_confirm": bool(my_roles & {roles.HANDLER, roles.ADMIN}),
        "is_approver": roles.APPROVER in my_roles,
        "is_open": req.status in OPEN_STATUSES,
        "assignee_label": _label(req.assigned_to),
        "extension_requested_by": _label(people.get(req.extension_requested_by_id)),
        "extension_decided_by": _label(people.get(req.extension_decided_by_id)),
        "confirmed_by": _label(people.get(req.confirmed_by_id)),
        "registered_by": _label(people.get(req.registered_by_id)),
        "extension_pending": req.extension_status == ExtensionStatus.PENDING,
        "outcome_label": Outcome(req.outcome).label if req.outcome else "",
        "month_count": services.month_request_count(req)
        if req.status == Status.PROCESSING
        else None,
        "fee_amount": None,
        "fee_free_items": deadlines.FEE_ITEM_FREE,
    }
    context["correction_intro"] = (
        "补正只能一次性告知，且应在收到申请之日起 7 个工作日内"
        + (
            f"（本申请最迟 {correction_notice_last:%Y-%m-%d}）"
            if correction_notice_last
            else ""
        )
        + "告知；补正期限留空为 15 个工作日。告知后状态变为“待补正”，收到补正之日起重新计算答复期限。"
    )
    context["approvers_intro"] = (
        f"条例第三十三条第二款：只能延期一次，最长 {deadlines.EXTENSION_MAX_WORKDAYS} 个工作日，须经审核人（政府信息公开工作机构负责人）同意并告知申请人。"
        f"可以审批的人：{'、'.join(approvers) if approvers else '本机关尚无审核人，请联系管理员'}。"
    )
    context["extension_intro"] = (
        f"{context['extension_requested_by'] or '承办人'}申请延长 {req.extension_days} 个工作日，理由：{req.extension_reason}。"
        "同意后答复期限顺延并告知申请人；不能审批自己提出的延期申请。"
    )
    letters_ = list(selectors.staff_letters(req))
    open_reply = next(
        (
            x
            for x in letters_
            if x.kind == "reply"
            and x.status in (LetterStatus.DRAFT, LetterStatus.PENDING)
        ),
        None,
    )
    delivery_forms = (extra or {}).get("delivery_forms", {})
    for letter in letters_:
        letter.is_own = letter.drafted_by_id == user.pk
        letter.delivery_form = delivery_forms.get(letter.pk) or LetterDeliveryForm(
            prefix=f"delivery{letter.pk}", initial={"delivered_date": today}
        )
    if open_reply is not None and "reply" not in (bound or {}):
        forms_["reply"] = ReplyForm(prefix="reply", initial=_reply_initial(open_reply))
    context["letters"] = letters_
    context["open_reply"] = open_reply
    context["return_form"] = LetterReturnForm(prefix="return")
    context.update(extra or {})
    return context


def _pii_log(req: InfoRequest) -> list[dict[str, Any]]:
    """Every reveal of the applicant's personal data and ID proofs, newest first, for
    the agency's 审核人 and 管理员 (issue 11 §1.2)."""
    rows = []
    for entry in PiiAccessLog.objects.filter(info_request=req).select_related("user"):
        files = [f for f in entry.fields if str(f).startswith("file:")]
        rows.append(
            {
                "at": entry.at,
                "who": _label(entry.user),
                "what": "身份证明/补正材料" if files else "证件号码、电话、地址",
                "reason": entry.reason,
            }
        )
    return rows


def _render_detail(
    request: HttpRequest,
    req: InfoRequest,
    now: datetime,
    *,
    status: int = 200,
    **kwargs: Any,
) -> HttpResponse:
    return render(
        request,
        "requests_app/staff_request_detail.html",
        _detail_context(request, req, now, **kwargs),
        status=status,
    )


@staff_view
@require_safe
def staff_request_detail(request: HttpRequest, code: Any) -> HttpResponse:
    req = selectors.get_request_for_staff(request.user, code)
    return _render_detail(request, req, local_now())


def _act(
    request: HttpRequest,
    code: Any,
    key: str,
    call: Callable[[InfoRequest, dict[str, Any], datetime], Any],
    success: str | Callable[[Any], str],
    *,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """Parse the action's form, call its service, redirect with a message; on a
    validation error re-render the case page with the form bound."""
    req = selectors.get_request_for_staff(request.user, code)
    now = local_now()
    form_class = AssignForm if key == "assign" else ACTION_FORMS[key]
    form = form_class(request.POST, request.FILES, prefix=key, **(form_kwargs or {}))
    if form.is_valid():
        try:
            result = call(req, form.cleaned_data, now)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("requests_app:staff_request_detail", code=req.code)
    return _render_detail(
        request, req, now, bound={key: form}, extra={"open_action": key}
    )


@staff_view
@require_POST
def staff_request_confirm(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "confirm",
        lambda req, d, now: services.request_confirm(
            info_request=req,
            by=request.user,
            now=now,
            confirmed_date=d["confirmed_date"],
        ),
        lambda req: (
            f"已确认受理，收到申请之日为 {req.received_date:%Y-%m-%d}，答复期限 {req.reply_due_date:%Y-%m-%d}。"
        ),
    )


@staff_view
@require_POST
def staff_request_assign(request: HttpRequest, code: Any) -> HttpResponse:
    req = selectors.get_request_for_staff(request.user, code)
    return _act(
        request,
        code,
        "assign",
        lambda req, d, now: services.request_assign(
            info_request=req, by=request.user, assignee=d["assignee"], now=now
        ),
        "已分配承办人。",
        form_kwargs={"handlers": _handlers_of(req)},
    )


@staff_view
@require_POST
def staff_request_correction_ask(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "correction_ask",
        lambda req, d, now: services.request_ask_correction(
            info_request=req,
            by=request.user,
            items=d["items"],
            now=now,
            due_date=d.get("due_date"),
        ),
        lambda req: f"已告知补正，补正期限 {req.correction_due_date:%Y-%m-%d}。",
    )


@staff_view
@require_POST
def staff_request_correction_receive(request: HttpRequest, code: Any) -> HttpResponse:
    def call(req: InfoRequest, d: dict[str, Any], now: datetime) -> InfoRequest:
        upload = d.get("attachment")
        return services.request_receive_correction(
            info_request=req,
            now=now,
            by=request.user,
            text=d.get("text", ""),
            files=[upload] if upload else [],
            received_date=d["received_date"],
            late_reason=d.get("late_reason", ""),
        )

    return _act(
        request,
        code,
        "correction_receive",
        call,
        lambda req: f"已接收补正，答复期限重新计算至 {req.reply_due_date:%Y-%m-%d}。",
    )


@staff_view
@require_POST
def staff_request_correction_expire(request: HttpRequest, code: Any) -> HttpResponse:
    return _simple(
        request,
        code,
        lambda req, now: services.request_expire_correction(
            info_request=req, now=now, by=request.user
        ),
        "已按“申请人无正当理由逾期不补正”办结。",
    )


@staff_view
@require_POST
def staff_request_consult_start(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "consult_start",
        lambda req, d, now: services.request_start_consultation(
            info_request=req,
            by=request.user,
            party_type=d["party_type"],
            party_name=d["party_name"],
            now=now,
            sent_date=d["sent_date"],
            party_received_date=d.get("party_received_date"),
        ),
        lambda c: (
            f"已登记征求意见，对方最迟 {c.due_date:%Y-%m-%d} 前答复"
            + (
                "。"
                if c.party_received_date
                else "（按发出之日计算，登记对方收到日期后顺延）。"
            )
        ),
    )


@staff_view
@require_POST
def staff_request_consult_receipt(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "consult_receipt",
        lambda req, d, now: services.request_record_consultation_receipt(
            info_request=req,
            by=request.user,
            party_received_date=d["party_received_date"],
            now=now,
        ),
        lambda c: (
            f"已登记对方收到征求意见书之日，对方最迟 {c.due_date:%Y-%m-%d} 前答复。"
        ),
    )


@staff_view
@require_POST
def staff_request_consult_end(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "consult_end",
        lambda req, d, now: services.request_end_consultation(
            info_request=req,
            by=request.user,
            now=now,
            replied_date=d["replied_date"],
            opinion=d.get("opinion", ""),
            party_received_date=d.get("party_received_date"),
        ),
        lambda c: f"征求意见结束，不计入期限的工作日 {c.paused_workdays} 个。",
    )


@staff_view
@require_POST
def staff_request_extension_request(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "extension_request",
        lambda req, d, now: services.request_request_extension(
            info_request=req,
            by=request.user,
            days=d["days"],
            reason=d["reason"],
            now=now,
        ),
        "已提交延期申请，等待审核人审批。",
    )


@staff_view
@require_POST
def staff_request_extension_decide(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "extension_decide",
        lambda req, d, now: services.request_decide_extension(
            info_request=req,
            by=request.user,
            approve=d["decision"] == "approve",
            now=now,
            note=d.get("note", ""),
        ),
        lambda req: (
            f"已同意延期，答复期限延长至 {req.reply_due_date:%Y-%m-%d}。"
            if req.extension_status == ExtensionStatus.APPROVED
            else "已不同意延期。"
        ),
    )


@staff_view
@require_POST
def staff_request_fee(request: HttpRequest, code: Any) -> HttpResponse:
    """收费通知 with the 按件/按量 calculator: ``action=calculate`` only shows the amount."""
    req = selectors.get_request_for_staff(request.user, code)
    now = local_now()
    form = FeeNoticeForm(request.POST, prefix="fee")
    if request.POST.get("action") != "send":
        form.fields["payment_method"].required = False  # the calculator alone
    amount = None
    if form.is_valid():
        try:
            amount = services.fee_amount(
                form.cleaned_data["method"], form.cleaned_data["quantity"]
            )
        except (ValidationError, ValueError) as exc:
            form.add_error(
                None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            )
    if form.is_valid():
        problem = services.fee_method_problem(req, form.cleaned_data["method"])
        if problem:
            form.add_error("method", problem)
            amount = None
    if form.is_valid() and request.POST.get("action") == "send":
        try:
            notice = services.request_send_fee_notice(
                info_request=req,
                by=request.user,
                method=form.cleaned_data["method"],
                quantity=form.cleaned_data["quantity"],
                now=now,
                basis=form.cleaned_data.get("basis", ""),
                payment_method=form.cleaned_data["payment_method"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request,
                f"已发出收费通知：{notice.amount} 元，缴费期限 {notice.pay_by_date:%Y-%m-%d}（含当日）。"
                if notice.pay_by_date
                else f"已发出收费通知：{notice.amount} 元。申请人未留电子邮箱，请打印邮寄；"
                "登记送达日期后自次日起计算缴费期限。",
            )
            return redirect("requests_app:staff_request_detail", code=req.code)
    return _render_detail(
        request,
        req,
        now,
        bound={"fee": form},
        extra={"open_action": "fee", "fee_amount": amount},
    )


@staff_view
@require_POST
def staff_request_payment(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "payment",
        lambda req, d, now: services.request_record_payment(
            info_request=req, by=request.user, now=now, paid_date=d["paid_date"]
        ),
        "已登记缴费，继续办理。",
    )


@staff_view
@require_POST
def staff_request_fee_waive(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "fee_waive",
        lambda req, d, now: services.request_waive_fee(
            info_request=req, by=request.user, reason=d["reason"], now=now
        ),
        "已决定免收信息处理费，继续办理。",
    )


@staff_view
@require_POST
def staff_request_fee_expire(request: HttpRequest, code: Any) -> HttpResponse:
    return _simple(
        request,
        code,
        lambda req, now: services.request_expire_fee(
            info_request=req, now=now, by=request.user
        ),
        "已按“申请人逾期未缴纳费用”办结。",
    )


def _reply_initial(letter: Letter) -> dict[str, Any]:
    """The reply form filled from the open draft (after a 退回, nothing is lost)."""
    return {
        "ground": letter.ground,
        "reason": letter.reason,
        "other_agency": letter.other_agency,
        "other_agency_contact": letter.other_agency_contact,
        "other_agency_undetermined": letter.other_agency_undetermined,
        "material_kind": letter.material_kind,
        "material_date": letter.material_date,
        "notice_index": letter.notice.index_number if letter.notice else "",
        "title": letter.title,
        "letter_text": letter.body,
    }


@staff_view
@require_POST
def staff_request_reply(request: HttpRequest, code: Any) -> HttpResponse:
    """``action=generate`` fills the 告知书 from the ground's template (nothing is
    saved); ``action=save`` keeps the draft; ``action=submit`` saves it and submits it
    for 签发 (or sends a 予以公开 reply directly where the agency allows it)."""
    req = selectors.get_request_for_staff(request.user, code)
    now = local_now()
    form = ReplyForm(request.POST, request.FILES, prefix="reply")
    bound = {"bound": {"reply": form}, "extra": {"open_action": "reply"}}
    if not form.is_valid():
        return _render_detail(request, req, now, **bound)
    d = form.cleaned_data
    notice = getattr(form, "notice", None)
    material = {
        "material_kind": d.get("material_kind") or "",
        "material_date": d.get("material_date"),
        "notice": notice,
        "reason": d.get("reason", ""),
        "other_agency": d.get("other_agency", ""),
        "other_agency_contact": d.get("other_agency_contact", ""),
        "other_agency_undetermined": d.get("other_agency_undetermined", ""),
    }
    action = request.POST.get("action")
    try:
        if action not in ("save", "submit"):
            title, text = letter_svc.render_reply_letter(
                info_request=req, ground=d["ground"], letter_date=now.date(), **material
            )
            data = request.POST.copy()
            data["reply-title"], data["reply-letter_text"] = title, text
            regenerated = ReplyForm(data, prefix="reply")
            regenerated.is_valid()
            return _render_detail(
                request,
                req,
                now,
                bound={"reply": regenerated},
                extra={"open_action": "reply", "letter_generated": True},
            )
        if not d.get("letter_text"):
            form.add_error("letter_text", "请先点击“生成告知书”，核对修改正文后再提交")
            return _render_detail(request, req, now, **bound)
        letter = letter_svc.reply_draft(
            info_request=req,
            by=request.user,
            ground=d["ground"],
            now=now,
            body=d["letter_text"],
            title=d.get("title", ""),
            files=d.get("files") or [],
            **material,
        )
        if action == "submit":
            letter = letter_svc.letter_submit(letter=letter, by=request.user, now=now)
    except ValidationError as exc:
        _errors_into(form, exc)
        return _render_detail(request, req, now, **bound)
    if letter.status == LetterStatus.SENT:
        messages.success(
            request, f"答复已发出（{letter.number}），申请人可在查询页面阅读。"
        )
    elif letter.status == LetterStatus.PENDING:
        messages.success(request, "已提交签发，等待本机关审核人签发。")
    else:
        messages.success(request, "草稿已保存。")
    return redirect("requests_app:staff_request_detail", code=req.code)


@staff_view
@require_POST
def staff_letter_approve(
    request: HttpRequest, code: Any, letter_id: int
) -> HttpResponse:
    """签发: the approver approves and the letter is numbered and sent."""
    req = selectors.get_request_for_staff(request.user, code)
    letter = selectors.get_letter_for_staff(req, letter_id)
    try:
        letter = letter_svc.letter_approve(
            letter=letter, by=request.user, now=local_now()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已签发，文号 {letter.number}。")
    return redirect("requests_app:staff_request_detail", code=req.code)


@staff_view
@require_POST
def staff_letter_return(
    request: HttpRequest, code: Any, letter_id: int
) -> HttpResponse:
    req = selectors.get_request_for_staff(request.user, code)
    letter = selectors.get_letter_for_staff(req, letter_id)
    now = local_now()
    form = LetterReturnForm(request.POST, prefix="return")
    if form.is_valid():
        try:
            letter_svc.letter_return(
                letter=letter,
                by=request.user,
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "已退回承办人修改。")
            return redirect("requests_app:staff_request_detail", code=req.code)
    return _render_detail(
        request, req, now, extra={"return_form": form, "open_action": "return"}
    )


@staff_view
@require_POST
def staff_letter_delivery(
    request: HttpRequest, code: Any, letter_id: int
) -> HttpResponse:
    req = selectors.get_request_for_staff(request.user, code)
    letter = selectors.get_letter_for_staff(req, letter_id)
    now = local_now()
    form = LetterDeliveryForm(request.POST, prefix=f"delivery{letter.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            letter_svc.letter_record_delivery(
                letter=letter,
                by=request.user,
                method=d["method"],
                delivered_date=d["delivered_date"],
                tracking_number=d.get("tracking_number", ""),
                now=now,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "已登记送达。")
            return redirect("requests_app:staff_request_detail", code=req.code)
    return _render_detail(
        request,
        req,
        now,
        extra={"delivery_forms": {letter.pk: form}, "open_action": "delivery"},
    )


@staff_view
@require_safe
def staff_letter(request: HttpRequest, code: Any, letter_id: int) -> HttpResponse:
    """The letter as an A4 page to print (drafts are marked 草稿)."""
    req = selectors.get_request_for_staff(request.user, code)
    letter = selectors.get_letter_for_staff(req, letter_id)
    return render(
        request,
        "requests_app/letter.html",
        {"letter": letter, "req": req, "staff": True},
    )


@staff_view
@require_safe
def staff_letter_pdf(request: HttpRequest, code: Any, letter_id: int) -> HttpResponse:
    """A sent letter as PDF to print, seal and post (drafts have no PDF: 404)."""
    from portal.documents import render_pdf
    from requests_app.letters import official_document, pdf_filename

    req = selectors.get_request_for_staff(request.user, code)
    letter = selectors.get_letter_for_staff(req, letter_id)
    if letter.status != LetterStatus.SENT:
        raise Http404("文书尚未签发")
    return file_response(
        render_pdf(official_document(letter)), pdf_filename(letter), "application/pdf"
    )


@staff_view
@require_safe
def staff_letters_post(request: HttpRequest) -> HttpResponse:
    """Workbench: letters waiting for 签发 and sent letters to print and post."""
    agency = roles.staff_agency(request.user)
    agency_id = agency.pk if agency is not None else None
    if agency_id is None and not request.user.is_superuser:
        raise Http404
    return render(
        request,
        "requests_app/staff_letters.html",
        {
            "to_post": list(selectors.letters_to_post(agency_id)[:200]),
            "to_sign": list(selectors.letters_awaiting_signoff(agency_id)[:200]),
        },
    )


@staff_view
@require_POST
def staff_request_archive(request: HttpRequest, code: Any) -> HttpResponse:
    return _simple(
        request,
        code,
        lambda req, now: services.request_archive(
            info_request=req, by=request.user, now=now
        ),
        "已归档。",
    )


@staff_view
@require_POST
def staff_request_note(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "note",
        lambda req, d, now: services.request_add_note(
            info_request=req, by=request.user, text=d["text"], now=now
        ),
        "已添加内部备注。",
    )


@staff_view
@require_POST
def staff_request_notice_draft(request: HttpRequest, code: Any) -> HttpResponse:
    return _act(
        request,
        code,
        "notice_draft",
        lambda req, d, now: services.request_to_notice_draft(
            info_request=req,
            by=request.user,
            now=now,
            title=d.get("title", ""),
            summary=d.get("summary", ""),
        ),
        lambda notice: (
            f"已生成主动公开草稿《{notice.title}》（已去除申请人身份信息），请在主动公开管理中审核后发布。"
        ),
    )


@staff_view
@require_POST
def staff_request_reveal(request: HttpRequest, code: Any) -> HttpResponse:
    """查看完整信息: assigned handler only, with a reason; each view is logged. The
    values are rendered once in this response (never stored, never redirected)."""
    req = selectors.get_request_for_staff(request.user, code)
    now = local_now()
    form = ReasonForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            revealed = services.request_reveal_pii(
                info_request=req,
                by=request.user,
                reason=form.cleaned_data["reason"],
                now=now,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            return _render_detail(request, req, now, revealed=revealed)
    return _render_detail(
        request, req, now, bound={"reveal": form}, extra={"open_action": "reveal"}
    )


@staff_view
@require_POST
def staff_request_file_open(
    request: HttpRequest, code: Any, file_id: int
) -> HttpResponse:
    """Download the ID proof or a correction material: assigned handler, reason, logged."""
    req = selectors.get_request_for_staff(request.user, code)
    rf = (
        RequestFile.objects.filter(
            pk=file_id,
            info_request=req,
            kind__in=[FileKind.ID_PROOF, FileKind.CORRECTION],
        )
        .select_related("info_request")
        .first()
    )
    if rf is None:
        raise Http404
    now = local_now()
    form = ReasonForm(request.POST, prefix="file_open")
    if form.is_valid():
        try:
            data = stored_file_or_404(
                lambda: services.request_open_id_proof(
                    file=rf,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    now=now,
                ),
                rf,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            return file_response(data, rf.original_name, rf.content_type)
    return _render_detail(
        request, req, now, bound={"file_open": form}, extra={"open_action": "file_open"}
    )


@staff_view
@require_safe
def staff_request_file(request: HttpRequest, code: Any, file_id: int) -> HttpResponse:
    """A reply attachment (the agency's own document) for the agency's staff."""
    req = selectors.get_request_for_staff(request.user, code)
    rf = RequestFile.objects.filter(
        pk=file_id, info_request=req, kind=FileKind.REPLY
    ).first()
    if rf is None:
        raise Http404
    data = stored_file_or_404(lambda: services.request_file_bytes(file=rf), rf)
    return file_response(data, rf.original_name, rf.content_type)


def _simple(
    request: HttpRequest,
    code: Any,
    call: Callable[[InfoRequest, datetime], Any],
    success: str,
) -> HttpResponse:
    """An action without input (归档, 逾期办结): errors come back as a message."""
    req = selectors.get_request_for_staff(request.user, code)
    try:
        call(req, local_now())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("requests_app:staff_request_detail", code=req.code)
