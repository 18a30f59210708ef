"""Intake: application validation, files, tracking numbers, online submission
and offline registration (条例 第二十九条、第三十一条)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from portal import roles
from portal.filestore import delete_quietly, save_field_file
from portal.models import Agency
from portal.workdays import WorkCalendar
from requests_app import crypto, deadlines
from requests_app.application import (
    check_application,
)
from requests_app.models import (
    Channel,
    EventKind,
    FileKind,
    InfoRequest,
    Reply,
    RequestFile,
    Source,
    Status,
)
from requests_app.services._common import (
    _apply_deadline,
    _check_date,
    _event,
    _fail,
    _fmt,
    _mail,
    _require_role,
    _save,
    _today,
)

TRACKING_PREFIX = "YSQ"


TRACKING_RE = re.compile(r"^YSQ-(\d{4})-(\d{6,})$")
# The bound an imported number may move the online counter to (security.md, finding
# 11): the six digits of the format. Online numbering then continues at most at
# 1,000,000, far below the counter column's 2**31 - 1.
IMPORT_SERIAL_MAX = 999_999


def imported_serial(tracking_no: str) -> tuple[int, int] | None:
    """``(year, serial)`` of an imported number in this system's own format
    (YSQ-YYYY-NNNNNN), ``None`` for a number of another series (TY-2024-0001), which
    never touches the counter. A serial outside 1–999,999 is refused: it would push
    the year's counter out of range and stop every online submission."""
    m = TRACKING_RE.match(tracking_no)
    if m is None:
        return None
    year, serial = int(m.group(1)), int(m.group(2))
    if not 1 <= serial <= IMPORT_SERIAL_MAX or len(m.group(2)) != 6:
        raise ValidationError(
            f"申请编号 {tracking_no} 的序号超出本系统的编号范围（YSQ-年份-000001 至 "
            f"YSQ-年份-{IMPORT_SERIAL_MAX}），不导入",
            code="tracking_serial_range",
        )
    return year, serial


def _clean_application(
    fields: dict[str, Any],
    *,
    today: date,
    uscc_checked: bool = False,
) -> dict[str, Any]:
    """Validate and normalise applicant and request fields with the one rule the forms
    also use (``requests_app.application.check_application``), then encrypt the
    personal data. ``uscc_checked``: staff verified the licence, so a failing USCC
    checksum is accepted (security.md §5.2 override). Raises ValidationError with a
    dict of errors."""
    out, errors = check_application(fields, today=today, uscc_checked=uscc_checked)
    if errors:
        raise ValidationError(errors)
    id_number = out.pop("id_number")
    phone = out.pop("phone")
    address = out.pop("address")
    out["id_number_encrypted"] = crypto.encrypt(id_number, field="id_number")
    out["id_number_hmac"] = crypto.lookup_hmac(
        id_number or out["uscc"], field="applicant_id"
    )
    out["id_number_masked"] = crypto.mask_id_number(id_number)
    out["phone_encrypted"] = crypto.encrypt(phone, field="phone")
    out["phone_masked"] = crypto.mask_phone(phone)
    out["address_encrypted"] = crypto.encrypt(address, field="address")
    out["address_masked"] = crypto.mask_address(address)
    return out


def _store_file(
    req: InfoRequest,
    upload: Any,
    *,
    kind: str,
    now: datetime,
    by: Any = None,
    reply: Reply | None = None,
    letter: Any = None,
    is_public: bool = False,
) -> RequestFile:
    """Save an upload under a random name; applicant uploads (ID proof, correction
    material) are encrypted at rest. ``upload`` is a Django UploadedFile/File."""
    upload.seek(0)
    data = upload.read()
    name = getattr(upload, "name", "") or "文件"
    original = (
        re.sub(
            r"[\x00-\x1f\x7f/\\\u202a-\u202e\u2066-\u2069]", "", name.rsplit("/", 1)[-1]
        )[:200]
        or "文件"
    )
    encrypt = kind in (FileKind.ID_PROOF, FileKind.CORRECTION)
    stored = crypto.encrypt_file(data) if encrypt else data
    rf = RequestFile(
        info_request=req,
        reply=reply,
        letter=letter,
        kind=kind,
        original_name=original,
        content_type=(
            getattr(upload, "checked", None)
            and getattr(upload.checked, "content_type", "")
        )
        or getattr(upload, "content_type", "")
        or "",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        encrypted=encrypt,
        is_public=is_public,
        uploaded_at=now,
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    # temporary name + rename (nothing half-written on a full disk: StorageFull)
    save_field_file(rf.file, stored)
    try:
        rf.save()
    except BaseException:
        delete_quietly(rf.file)
        raise
    return rf


def request_file_bytes(*, file: RequestFile) -> bytes:
    """The plain content of a file (decrypted when stored encrypted). The caller has
    already checked access; ID proofs go through ``request_open_id_proof`` (audited)."""
    with file.file.open("rb") as fh:
        data = fh.read()
    return crypto.decrypt_file(data) if file.encrypted else data


@dataclass(frozen=True)
class Submission:
    info_request: InfoRequest
    query_code: str  # formatted in groups of four; shown once, never stored or logged


def _next_serial(year: int) -> int:
    """Gapless per-year serial: one statement that creates or increments the counter row
    and keeps it locked until the submission transaction ends (security.md §6)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO requests_app_trackingcounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = requests_app_trackingcounter.last + 1 "
            "RETURNING last",
            [year],
        )
        return int(cur.fetchone()[0])


def _bump_counter(year: int, serial: int) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO requests_app_trackingcounter (year, last) VALUES (%s, %s) "
            "ON CONFLICT (year) DO UPDATE SET last = GREATEST(requests_app_trackingcounter.last, EXCLUDED.last)",
            [year, serial],
        )


def format_tracking_no(year: int, serial: int) -> str:
    return f"{TRACKING_PREFIX}-{year}-{serial:06d}"


def _create_request(
    *,
    agency: Agency,
    channel: str,
    source: str,
    now: datetime,
    submitted_at: datetime,
    cleaned: dict[str, Any],
    by: Any = None,
) -> tuple[InfoRequest, str]:
    if not agency.is_active:
        _fail("该机关已停用，请选择其他机关", "agency_inactive")
    year = timezone.localdate(now).year
    serial = _next_serial(year)
    code = crypto.new_query_code()
    req = InfoRequest.objects.create(
        tracking_no=format_tracking_no(year, serial),
        year=year,
        serial=serial,
        query_code_hash=crypto.query_code_hash(code),
        source=source,
        agency=agency,
        channel=channel,
        submitted_at=submitted_at,
        status=Status.PENDING,
        registered_by=by,
        **cleaned,
    )
    return req, code


def _start_clock(
    req: InfoRequest, received: date, *, basis: str, cal: WorkCalendar | None = None
) -> list[str]:
    req.received_date = received
    req.received_basis = basis[:100]
    req.clock_start_date = received
    req.status = Status.PROCESSING
    return [
        "received_date",
        "received_basis",
        "clock_start_date",
        "status",
        *_apply_deadline(req, cal),
    ]


def late_confirmation_note(req: InfoRequest) -> str:
    """The sentence on a 平常信函 confirmed after its arrival day."""
    return (
        f"信件于{_fmt(req.arrived_date)}到达，{_fmt(req.confirmed_date)}才与申请人确认，"
        "晚于条例第三十一条第（二）项要求的到达当日；收到申请之日仍为信件到达之日。"
    )


@transaction.atomic
def request_submit_online(
    *, agency: Agency, now: datetime, id_proof: Any = None, **fields: Any
) -> Submission:
    """A citizen's online application (no account). It waits in 待确认 until staff
    confirm it (条例 第三十一条第（三）项: 双方确认之日 is the receipt date).

    ``fields``: see ``APPLICATION_FIELDS`` (use ``application_fields_from_form``).
    Returns the request and the 查询码 — shown once; only its HMAC is stored. When an
    e-mail address is given, the number and code are e-mailed (never logged).
    """
    today = _today(now)
    cleaned = _clean_application(fields, today=today)
    req, code = _create_request(
        agency=agency,
        channel=Channel.ONLINE,
        source=Source.ONLINE,
        now=now,
        submitted_at=now,
        cleaned=cleaned,
    )
    if id_proof is not None:
        _store_file(req, id_proof, kind=FileKind.ID_PROOF, now=now)
    _event(
        req,
        EventKind.SUBMITTED,
        now=now,
        is_public=True,
        note="您的申请已提交，工作人员确认后开始办理；确认之日为收到申请之日。",
    )
    formatted = crypto.format_query_code(code)
    _mail(
        [req.email],
        "submitted",
        {"req": req, "query_code": formatted, "agency": agency},
    )
    return Submission(req, formatted)


@transaction.atomic
def request_register_offline(
    *,
    agency: Agency,
    by: Any,
    channel: str,
    submitted_at: datetime,
    now: datetime,
    handed_in_date: date | None = None,
    signed_date: date | None = None,
    confirmed_date: date | None = None,
    uscc_checked: bool = False,
    id_proof: Any = None,
    **fields: Any,
) -> Submission:
    """Staff register an application that arrived 当面, by 邮寄 (签收), 平常信函, 传真 or
    电子邮件. The legal receipt date follows 条例 第三十一条 via
    ``deadlines.received_date_for``: 当面 → ``handed_in_date``; 邮寄签收 → ``signed_date``;
    平常信函/传真/电子邮件 → ``confirmed_date`` (leave it empty to register the letter
    and confirm later: the request then waits in 待确认). ``submitted_at`` is when it
    arrived. A 查询码 is issued for the applicant's receipt (回执).
    """
    today = _today(now)
    if channel not in Channel.values or channel == Channel.ONLINE:
        _fail("请选择线下申请渠道：当面提交、邮寄、平常信函、传真或电子邮件", "channel")
    _require_role(by, InfoRequest(agency=agency), roles.HANDLER, roles.ADMIN)
    cleaned = _clean_application(fields, today=today, uscc_checked=uscc_checked)
    arrived = timezone.localdate(submitted_at)
    _check_date(arrived, today=today, label="收到信件（提交）的日期")
    which, rule = deadlines.receipt_rule(channel)
    if channel == Channel.IN_PERSON and handed_in_date is None:
        handed_in_date = arrived
    received: date | None = None
    if which != "confirmed" or confirmed_date is not None:
        try:
            received = deadlines.received_date_for(
                channel,
                handed_in_date=handed_in_date,
                signed_date=signed_date,
                confirmed_date=confirmed_date,
                arrived_date=arrived if channel == Channel.POST_ORDINARY else None,
            )
        except ValueError as exc:
            raise ValidationError(str(exc), code="received_date") from None
        _check_date(
            received,
            today=today,
            not_before=arrived if which != "signed" else None,
            label="收到申请之日",
            before_label="提交日期",
        )
        if confirmed_date is not None:
            _check_date(
                confirmed_date,
                today=today,
                not_before=arrived,
                label="双方确认之日",
                before_label="信件（申请）到达之日",
            )
    if channel == Channel.POST_ORDINARY:
        cleaned["arrived_date"] = arrived
    if which == "confirmed" and received is not None:
        cleaned["confirmed_date"] = confirmed_date
    req, code = _create_request(
        agency=agency,
        channel=channel,
        source=Source.STAFF,
        now=now,
        submitted_at=submitted_at,
        cleaned=cleaned,
        by=by,
    )
    if id_proof is not None:
        _store_file(req, id_proof, kind=FileKind.ID_PROOF, now=now, by=by)
    _event(
        req,
        EventKind.REGISTERED,
        now=now,
        by=by,
        is_public=True,
        note=f"已登记您通过{req.get_channel_display()}提交的申请。",
        data={"channel": channel, "uscc_checked": uscc_checked},
    )
    if received is not None:
        fields_changed = _start_clock(req, received, basis=rule)
        _save(req, fields_changed)
        _event(
            req,
            EventKind.CONFIRMED,
            now=now,
            by=by,
            is_public=True,
            note=f"收到申请之日为{_fmt(received)}（{rule}），答复期限为{_fmt(req.reply_due_date)}。"
            + (late_confirmation_note(req) if req.confirmation_late else ""),
            data={
                "received_date": received,
                "reply_due_date": req.reply_due_date,
                "provisional": req.due_is_provisional,
                "confirmation_late": req.confirmation_late,
            },
        )
        from requests_app.services.confirmation import acceptance_letter

        acceptance_letter(req, by=by, now=now)
    formatted = crypto.format_query_code(code)
    _mail(
        [req.email],
        "submitted",
        {"req": req, "query_code": formatted, "agency": agency},
    )
    return Submission(req, formatted)
