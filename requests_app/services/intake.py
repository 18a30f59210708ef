"""Intake: application validation, files, tracking numbers, online submission
and offline registration (条例 第二十九条、第三十一条)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from portal import roles
from portal.models import Agency
from portal.validators import normalise_code, resident_id_problem, uscc_problem
from portal.workdays import WorkCalendar
from requests_app import crypto, deadlines
from requests_app.models import (
    ApplicantType,
    Channel,
    DeliveryMethod,
    EventKind,
    FileKind,
    IdType,
    InfoRequest,
    ProvideForm,
    Reply,
    RequestFile,
    Source,
    Status,
)
from requests_app.outcomes import ApplicantKind
from requests_app.services._common import (
    DESCRIPTION_MAX,
    _apply_deadline,
    _check_date,
    _clean_text,
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


CHECKSUM_ID_TYPES = (IdType.RESIDENT_ID, IdType.FOREIGN_PR, IdType.HMT_RESIDENCE)


# Keyword arguments request_submit_online / request_register_offline accept (model
# field names; id_number, phone and address in plain text — they are encrypted here).
APPLICATION_FIELDS = (
    "applicant_type",
    "applicant_kind",
    "applicant_name",
    "work_unit",
    "id_type",
    "id_number",
    "uscc",
    "legal_representative",
    "contact_name",
    "phone",
    "address",
    "postcode",
    "fax",
    "email",
    "description",
    "doc_title",
    "doc_number",
    "doc_index_no",
    "provide_forms",
    "delivery_methods",
    "accept_other_forms",
)


def application_fields_from_form(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Map ``requests_app.forms.ApplicationForm.cleaned_data`` to service arguments."""
    is_org = cleaned.get("applicant_type") == ApplicantType.ORGANISATION
    return {
        "applicant_type": cleaned.get("applicant_type", ""),
        "applicant_kind": cleaned.get("org_kind", "")
        if is_org
        else ApplicantKind.NATURAL,
        "applicant_name": cleaned.get("name", ""),
        "work_unit": cleaned.get("work_unit", ""),
        "id_type": cleaned.get("id_type", ""),
        "id_number": cleaned.get("id_number", ""),
        "uscc": cleaned.get("uscc", ""),
        "legal_representative": cleaned.get("legal_representative", ""),
        "contact_name": cleaned.get("contact_name", ""),
        "phone": cleaned.get("phone", ""),
        "address": cleaned.get("address", ""),
        "postcode": cleaned.get("postcode", ""),
        "fax": cleaned.get("fax", ""),
        "email": cleaned.get("email", ""),
        "description": cleaned.get("description", ""),
        "doc_title": cleaned.get("doc_title", ""),
        "doc_number": cleaned.get("doc_number", ""),
        "doc_index_no": cleaned.get("doc_index_no", ""),
        "provide_forms": list(cleaned.get("provide_forms") or []),
        "delivery_methods": list(cleaned.get("delivery_methods") or []),
        "accept_other_forms": bool(cleaned.get("accept_other_forms")),
    }


def _clean_application(
    fields: dict[str, Any],
    *,
    today: date,
    uscc_checked: bool = False,
    require_identity: bool = True,
) -> dict[str, Any]:
    """Validate and normalise applicant and request fields (defence in depth behind the
    forms). ``uscc_checked``: staff verified the licence, so a failing USCC checksum is
    accepted (security.md §5.2 override). Raises ValidationError with a dict of errors."""
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    errors: dict[str, str] = {}

    def text(name: str, label: str, max_length: int, required: bool = False) -> str:
        try:
            return _clean_text(
                fields.get(name), label=label, max_length=max_length, required=required
            )
        except ValidationError as exc:
            errors[name] = exc.messages[0]
            return ""

    out: dict[str, Any] = {}
    a_type = fields.get("applicant_type") or ""
    kind = fields.get("applicant_kind") or (
        ApplicantKind.NATURAL if a_type == ApplicantType.CITIZEN else ""
    )
    if a_type not in ApplicantType.values:
        errors["applicant_type"] = "请选择申请人类型：公民或者法人或者其他组织"
    elif a_type == ApplicantType.CITIZEN and kind != ApplicantKind.NATURAL:
        errors["applicant_kind"] = "公民申请人计入“自然人”"
    elif a_type == ApplicantType.ORGANISATION and kind not in ApplicantKind.values[1:]:
        errors["applicant_kind"] = (
            "请选择组织类别：商业企业、科研机构、社会公益组织、法律服务机构或其他"
        )
    out["applicant_type"], out["applicant_kind"] = a_type, kind
    out["applicant_name"] = text(
        "applicant_name", "姓名或名称", 100, required=require_identity
    )
    out["work_unit"] = text("work_unit", "工作单位", 100)
    out["legal_representative"] = text("legal_representative", "法定代表人", 50)
    out["contact_name"] = text("contact_name", "联系人姓名", 50)
    out["postcode"] = normalise_code(fields.get("postcode") or "")
    if out["postcode"] and not re.fullmatch(r"\d{6}", out["postcode"]):
        errors["postcode"] = "邮政编码应为 6 位数字"
    out["fax"] = text("fax", "传真", 30)
    out["email"] = text("email", "电子邮箱", 254)
    if out["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", out["email"]):
        errors["email"] = "电子邮箱格式不正确"
    phone = text("phone", "联系电话", 30)
    address = text("address", "通信地址", 200)

    id_type = fields.get("id_type") or ""
    id_number = normalise_code(fields.get("id_number") or "")
    uscc = normalise_code(fields.get("uscc") or "")
    if a_type == ApplicantType.CITIZEN:
        uscc = ""
        if id_type and id_type not in IdType.values:
            errors["id_type"] = "证件类型不正确"
        elif require_identity and (not id_type or not id_number):
            errors["id_number"] = "请填写证件类型和证件号码"
        elif id_number and id_type in CHECKSUM_ID_TYPES:
            problem = resident_id_problem(id_number, today)
            if problem:
                errors["id_number"] = problem
        elif id_number and not re.fullmatch(r"[A-Z0-9\-]{4,30}", id_number):
            errors["id_number"] = "证件号码应为 4 至 30 位字母、数字或连字符"
    elif a_type == ApplicantType.ORGANISATION:
        id_type, id_number = "", ""
        if require_identity and not uscc:
            errors["uscc"] = "请填写统一社会信用代码"
        elif uscc and not uscc_checked:
            problem = uscc_problem(uscc)
            if problem:
                errors["uscc"] = problem
        elif uscc and len(uscc) != 18:
            errors["uscc"] = "统一社会信用代码应为 18 位"
        if (
            require_identity
            and not out["contact_name"]
            and "contact_name" not in errors
        ):
            errors["contact_name"] = "请填写联系人姓名"
    if require_identity and not (phone or out["email"] or address):
        errors["phone"] = "请至少填写一种联系方式（电话、电子邮箱或通信地址）"

    out["description"] = text(
        "description", "所需信息的内容描述", DESCRIPTION_MAX, required=True
    )
    out["doc_title"] = text("doc_title", "所需信息的名称", 200)
    out["doc_number"] = text("doc_number", "文号", 80)
    out["doc_index_no"] = text("doc_index_no", "索引号", 60)
    provide = list(dict.fromkeys(fields.get("provide_forms") or []))
    delivery = list(dict.fromkeys(fields.get("delivery_methods") or []))
    if any(v not in ProvideForm.values for v in provide):
        errors["provide_forms"] = "指定提供方式不正确"
    if any(v not in DeliveryMethod.values for v in delivery):
        errors["delivery_methods"] = "获取信息的方式不正确"
    out["provide_forms"], out["delivery_methods"] = provide, delivery
    out["accept_other_forms"] = bool(fields.get("accept_other_forms"))
    if errors:
        raise ValidationError(errors)

    out["id_type"] = id_type
    out["uscc"] = uscc
    out["id_number_encrypted"] = crypto.encrypt(id_number, field="id_number")
    out["id_number_hmac"] = crypto.lookup_hmac(id_number or uscc, field="applicant_id")
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
    rf.file.save("upload", ContentFile(stored), save=False)
    rf.save()
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
            note=f"收到申请之日为{_fmt(received)}（{rule}），答复期限为{_fmt(req.reply_due_date)}。",
            data={
                "received_date": received,
                "reply_due_date": req.reply_due_date,
                "provisional": req.due_is_provisional,
            },
        )
    formatted = crypto.format_query_code(code)
    _mail(
        [req.email],
        "submitted",
        {"req": req, "query_code": formatted, "agency": agency},
    )
    return Submission(req, formatted)
