"""信息处理费 (国办函〔2020〕109号): notices, payment, waiver, expiry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import roles
from requests_app import deadlines, letters
from requests_app.models import (
    EventKind,
    FeeMethod,
    FeeNotice,
    InfoRequest,
    LetterDelivery,
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
    _require_role,
    _require_staff,
    _require_status,
    _save,
    _today,
    fee_rules,
)
from requests_app.services.letters import (
    agency_contact,
    fee_notice_remedy,
    issue_procedural_letter,
)
from requests_app.services.reply import _system_letter


def fee_amount(method: str, quantity: int) -> Decimal:
    """按件: ``quantity`` = the applicant's n-th request this month; 按量: pages."""
    if method == FeeMethod.BY_ITEM:
        return deadlines.fee_for_nth_item(quantity)
    if method == FeeMethod.BY_VOLUME:
        return deadlines.fee_by_volume(quantity)
    raise ValidationError("请选择计费方式：按件计收或按量计收", code="fee_method")


def month_request_count(info_request: InfoRequest) -> int:
    """Which request of this applicant (same ID/USCC HMAC) in the natural month of its
    receipt this one is (109号 第四条 "同一申请人一个自然月内累计申请"). By default only the
    applicant's requests to the receiving agency count (settings.REQUESTS_FEE_COUNT_SCOPE
    = "agency"; "all" counts every agency on the platform; docs/requests.md)."""
    from django.db.models import Q

    req = info_request
    if not req.id_number_hmac or req.received_date is None:
        return 1
    d = req.received_date
    earlier = InfoRequest.objects.filter(
        id_number_hmac=req.id_number_hmac,
        received_date__year=d.year,
        received_date__month=d.month,
    ).filter(Q(received_date__lt=d) | Q(received_date=d, pk__lt=req.pk))
    if fee_rules()["count_scope"] != "all":
        earlier = earlier.filter(agency_id=req.agency_id)
    return earlier.count() + 1


def fee_method_problem(info_request: InfoRequest, method: str) -> str:
    """Why ``method`` may not be used for this request ("" if it may): the rule is
    ``deadlines.fee_method_problem`` (109号 第三条、第五条); this loads the facts. The
    fee form and ``request_send_fee_notice`` both call it."""
    earlier = list(
        FeeNotice.objects.filter(info_request=info_request)
        .values_list("method", flat=True)
        .distinct()
    )
    return deadlines.fee_method_problem(
        method,
        earlier_methods=earlier,
        provide_forms=list(info_request.provide_forms or []),
    )


@transaction.atomic
def request_send_fee_notice(
    *,
    info_request: InfoRequest,
    by: Any,
    method: str,
    quantity: int,
    now: datetime,
    basis: str = "",
    payment_method: str = "",
) -> FeeNotice:
    """Send a 收费通知 within the handling period (条例 第四十二条第一款; 109号). One
    method per request (109号 第三条), 按量 only for paper, e-mail or copied electronic
    data (第五条). The amount comes from the calculator (超额累进). The applicant pays
    within ``settings.REQUESTS_FEE_PAYMENT_WORKDAYS`` (default 20) working days from
    the day after they **receive** the notice: an applicant with an e-mail address
    gets it online (e-mail and case page) the day it is issued, so the pay-by date is
    known at once; a posted notice gets its pay-by date when its 送达 is recorded
    (``letter_record_delivery`` → ``fee_notice_delivered``)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="发出收费通知")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        _fail("件数或页数必须是正整数", "quantity")
    problem = fee_method_problem(req, method)
    if problem:
        _fail(problem, "fee_method")
    amount = fee_amount(method, quantity)
    if amount <= 0:
        _fail("按该件数或页数不收取信息处理费", "no_fee")
    today = _today(now)
    if req.reply_due_date and today > req.reply_due_date:
        _fail("收费通知应在答复期限内发出，本申请已超过答复期限", "late")
    rules = fee_rules()
    workdays = rules["payment_workdays"]
    online = bool(req.email)
    delivered = today if online else None
    pay_by = _pay_by(delivered, workdays) if online else None
    basis = _clean_text(basis, label="收费依据及说明", max_length=2000)
    payment_method = _clean_text(payment_method, label="缴费方式", max_length=500)
    unit = "件" if method == FeeMethod.BY_ITEM else "页"
    provincial = rules["provincial_rule"]
    letter = issue_procedural_letter(
        info_request=req,
        kind=LetterKind.FEE,
        by=by,
        now=now,
        values={
            "计费方式": FeeMethod(method).label,
            "计费数量": f"{quantity}{unit}",
            "金额": str(amount),
            "缴费工作日": str(workdays),
            "缴费截止": letters.fee_deadline_text(workdays, pay_by),
            # templates saved before {缴费截止} wrote "于{缴费期限}前缴纳"
            "缴费期限": letters.fmt_date(pay_by)
            if pay_by
            else f"收到本通知的次日起第{workdays}个工作日",
            "缴费方式": payment_method.rstrip("。") or default_payment_method(req),
            "收费说明": basis,
            "地方收费规定": f"、{provincial}" if provincial else "",
        },
        remedy=fee_notice_remedy(req.agency),
    )
    if online:
        # e-mailed and shown on the applicant's case page today: delivered online
        letter.delivery_method, letter.delivered_date = LetterDelivery.ONLINE, today
        letter.save(update_fields=["delivery_method", "delivered_date"])
    notice = FeeNotice.objects.create(
        info_request=req,
        method=method,
        quantity=quantity,
        amount=amount,
        basis=basis,
        issued_date=today,
        letter=letter,
        delivered_date=delivered,
        pay_by_date=pay_by,
        issued_by=by,
    )
    req.status = Status.AWAITING_PAYMENT
    _save(req, ["status", *extra])
    when = (
        f"请于{_fmt(pay_by)}前（含当日）缴纳"
        if pay_by
        else f"请自收到收费通知的次日起{workdays}个工作日内缴纳"
    )
    _event(
        req,
        EventKind.FEE_NOTICE_SENT,
        now=now,
        by=by,
        is_public=True,
        note=f"依据{letters.TIAOLI}第四十二条第一款、{letters.FEE_RULES}，"
        f"{FeeMethod(method).label}（{quantity}{unit}），信息处理费 {amount} 元，"
        f"{when}；逾期未缴纳的，视为放弃申请。",
        data={
            "fee_notice": notice.pk,
            "amount": str(amount),
            "pay_by": pay_by,
            "method": method,
            "letter": letter.pk,
        },
    )
    _mail([req.email], "fee_notice", {"req": req, "notice": notice})
    return notice


def _pay_by(delivered: date, workdays: int) -> date:
    return deadlines.fee_pay_by(delivered, _calendar(delivered), workdays).due_date


def fee_notice_delivered(*, letter: Any, delivered_date: date) -> FeeNotice | None:
    """The 送达 of a 收费通知 letter was recorded (``letter_record_delivery``, inside
    its transaction): an open notice's pay-by date is counted from the day after that
    delivery. A settled notice is left as it is. Returns the notice it changed."""
    notice = FeeNotice.objects.select_for_update().filter(letter=letter).first()
    if notice is None or not notice.is_open:
        return None
    notice.delivered_date = delivered_date
    notice.pay_by_date = _pay_by(delivered_date, fee_rules()["payment_workdays"])
    notice.save(update_fields=["delivered_date", "pay_by_date"])
    return notice


def default_payment_method(req: InfoRequest) -> str:
    """How to pay when the handler wrote nothing: at the agency, with its contact."""
    return f"持本通知到本机关当面缴纳（{agency_contact(req.agency)}）"


def _open_fee(req: InfoRequest) -> FeeNotice:
    notice = (
        FeeNotice.objects.select_for_update()
        .filter(
            info_request=req,
            paid_date__isnull=True,
            waived=False,
            expired_date__isnull=True,
        )
        .first()
    )
    if notice is None:
        _fail("没有待缴费的收费通知", "no_fee")
    return notice


@transaction.atomic
def request_record_payment(
    *, info_request: InfoRequest, by: Any, now: datetime, paid_date: date | None = None
) -> FeeNotice:
    """The fee was paid (by the pay-by date): handling resumes; with
    ``settings.REQUESTS_FEE_NOTICE_PAUSES_CLOCK`` the notice period is not counted."""
    req = _lock(info_request)
    _require_staff(by, req)
    _require_status(req, Status.AWAITING_PAYMENT, action="登记缴费")
    notice = _open_fee(req)
    today = _today(now)
    paid = paid_date or today
    _check_date(
        paid,
        today=today,
        not_before=notice.issued_date,
        label="缴费日期",
        before_label="收费通知发出日期",
    )
    if notice.pay_by_date and paid > notice.pay_by_date:
        _fail(f"缴费期限（{_fmt(notice.pay_by_date)}）已过", "fee_late")
    notice.paid_date = paid
    notice.save(update_fields=["paid_date"])
    old_due = req.reply_due_date
    req.status = Status.PROCESSING
    _save(req, ["status", *_apply_deadline(req)])
    _event(
        req,
        EventKind.FEE_PAID,
        now=now,
        by=by,
        is_public=True,
        note=f"已收到信息处理费 {notice.amount} 元，继续办理，答复期限至{_fmt(req.reply_due_date)}。",
        data={
            "fee_notice": notice.pk,
            "paid_date": paid,
            "old_due": old_due,
            "new_due": req.reply_due_date,
        },
    )
    return notice


@transaction.atomic
def request_waive_fee(
    *, info_request: InfoRequest, by: Any, reason: str, now: datetime
) -> FeeNotice:
    """Withdraw the fee (e.g. hardship, or the notice was wrong): handling resumes."""
    req = _lock(info_request)
    _require_role(by, req, roles.APPROVER)
    _require_status(req, Status.AWAITING_PAYMENT, action="免收费用")
    reason = _clean_text(reason, label="免收理由", max_length=300, required=True)
    notice = _open_fee(req)
    today = _today(now)
    notice.waived, notice.waived_date = True, today
    notice.save(update_fields=["waived", "waived_date"])
    req.status = Status.PROCESSING
    _save(req, ["status", *_apply_deadline(req)])
    _event(
        req,
        EventKind.FEE_WAIVED,
        now=now,
        by=by,
        is_public=True,
        note=f"本机关决定不再收取信息处理费，继续办理，答复期限至{_fmt(req.reply_due_date)}。",
        data={"fee_notice": notice.pk, "reason": reason},
    )
    return notice


@transaction.atomic
def request_expire_fee(
    *, info_request: InfoRequest, now: datetime, by: Any = None
) -> InfoRequest:
    """Not paid by the pay-by date → 视为放弃申请 (表三（六）2, ``Outcome.UNPAID_FEE``)."""
    req = _lock(info_request)
    if by is not None:
        _require_staff(by, req)
    _require_status(req, Status.AWAITING_PAYMENT, action="按逾期未缴费办结")
    notice = _open_fee(req)
    today = _today(now)
    if notice.pay_by_date is None:
        _fail(
            "收费通知尚未登记送达，缴费期限自申请人收到通知的次日起计算："
            "请先在“文书”中登记送达日期",
            "not_delivered",
        )
    if today <= notice.pay_by_date:
        _fail(f"缴费期限（{_fmt(notice.pay_by_date)}）尚未届满", "not_expired")
    notice.expired_date = today
    notice.save(update_fields=["expired_date"])
    _save(
        req,
        _close(req, status=Status.ABANDONED, outcome=Outcome.UNPAID_FEE, closed=today),
    )
    _system_letter(req, Outcome.UNPAID_FEE, now=now, by=by)
    _event(
        req,
        EventKind.FEE_EXPIRED,
        now=now,
        by=by,
        actor_label="" if by else SYSTEM_LABEL,
        is_public=True,
        note="申请人逾期未按收费通知要求缴纳费用，视为放弃申请，本机关不再处理。",
        data={"fee_notice": notice.pk, "pay_by": notice.pay_by_date},
    )
    _mail([req.email], "closed", {"req": req})
    return req
