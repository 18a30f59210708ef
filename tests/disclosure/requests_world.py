"""Requests for the report tests, built through ``requests_app.services`` (the
production path), never by setting fields."""

from __future__ import annotations

from datetime import date, datetime

from portal.validators import uscc_check_char
from requests_app import services as rs
from requests_app.models import FeeMethod, InfoRequest
from requests_app.outcomes import ApplicantKind
from tests.disclosure.conftest import at
from tests.factories import send_reply


def _uscc(n: int) -> str:
    body = f"9143021100000{n:04d}"
    return body + uscc_check_char(body)


def apply(agency, kind: str, on: date, handler, *, confirm: bool = True) -> InfoRequest:
    """An online application submitted on ``on`` at 09:00 and confirmed the same day."""
    now = at(on.year, on.month, on.day, 9)
    if kind == ApplicantKind.NATURAL:
        fields = {
            "applicant_type": "citizen",
            "applicant_kind": kind,
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
        }
    else:
        apply.counter = getattr(apply, "counter", 0) + 1
        fields = {
            "applicant_type": "organisation",
            "applicant_kind": kind,
            "uscc": _uscc(apply.counter),
            "contact_name": "联系人",
        }
    submission = rs.request_submit_online(
        agency=agency,
        now=now,
        applicant_name=f"申请人{kind}",
        phone="13812341234",
        description=f"{kind} {on} 申请公开的信息",
        provide_forms=[
            "paper"
        ],  # 按量计收 needs paper / e-mail / copied data (109号第五条)
        **fields,
    )
    req = submission.info_request
    if confirm:
        req = rs.request_confirm(info_request=req, by=handler, now=now)
    return req


def noon(d: date) -> datetime:
    return at(d.year, d.month, d.day, 12)


def reply(req: InfoRequest, handler, outcome: str, on: date):
    return send_reply(
        info_request=req,
        by=handler,
        outcome=outcome,
        letter_text="告知书正文",
        now=noon(on),
    )


def withdraw(req: InfoRequest, on: date):
    return rs.request_withdraw(info_request=req, now=noon(on), reason="不再需要")


def abandon_after_correction(req: InfoRequest, handler, asked_on: date):
    """补正 asked and never answered: closed as 逾期不补正 the day after the 补正期限."""
    from datetime import timedelta

    req = rs.request_ask_correction(
        info_request=req,
        by=handler,
        items="请说明所需信息的具体名称",
        now=noon(asked_on),
    )
    return rs.request_expire_correction(
        info_request=req, now=noon(req.correction_due_date + timedelta(days=1))
    )


def send_fee(req: InfoRequest, handler, on: date, pages: int = 50):
    notice = rs.request_send_fee_notice(
        info_request=req,
        by=handler,
        method=FeeMethod.BY_VOLUME,
        quantity=pages,
        now=noon(on),
    )
    if notice.pay_by_date is None:
        # posted: handed over at the counter the same day (its 送达 starts the period)
        from requests_app.services.letters import letter_record_delivery

        letter_record_delivery(
            letter=notice.letter,
            by=handler,
            method="in_person",
            delivered_date=on,
            now=noon(on),
        )
        notice.refresh_from_db()
    return notice


def expire_fee(req: InfoRequest, notice):
    from datetime import timedelta

    return rs.request_expire_fee(
        info_request=req, now=noon(notice.pay_by_date + timedelta(days=1))
    )


def pay_fee(req: InfoRequest, handler, on: date):
    return rs.request_record_payment(info_request=req, by=handler, now=noon(on))
