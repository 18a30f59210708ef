"""Every state change of an information request (依申请公开).

Each step is a function ``request_<verb>(*, info_request, by, ..., now)`` that

1. runs in ``transaction.atomic`` and locks the row (``select_for_update``),
2. checks the transition and the actor, raising ``ValidationError`` with a Chinese
   message on an illegal one (nothing is written then),
3. computes every date through ``requests_app.deadlines`` (the law) over the work
   calendar (``portal.workdays``),
4. writes an append-only ``RequestEvent`` (who, when, what, why; ``is_public`` for the
   applicant's timeline) and saves with ``update_fields``.

Views, the admin, commands, the demo and test factories all call these functions, so
there is one path to each state. ``now`` is an aware datetime passed in by the caller
(views take it from ``portal.timeutil``); the legal "today" is ``localdate(now)``.

Who may do what (docs/requests.md has the table):

* 承办人 (``roles.HANDLER``) of the request's agency handles it. The first handling
  step by an unassigned request's handler assigns it to them; afterwards only the
  assigned handler may act (补正, 征求意见, 延期申请, 收费, 答复, 查看完整个人信息).
* 审核人 (``roles.APPROVER``) of the agency decides extensions (never their own request).
* Any staff of the agency may add internal notes; 承办人/审核人/管理员 may assign.
* The applicant (``by=None``) may submit, send a correction and withdraw.
* Superusers may do everything a handler or approver may.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal import roles
from portal.models import Agency
from portal.validators import normalise_code, resident_id_problem, uscc_problem
from portal.workdays import WorkCalendar, load_calendar
from requests_app import crypto, deadlines
from requests_app.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ApplicantType,
    Channel,
    Consultation,
    DeliveryMethod,
    EventKind,
    ExtensionStatus,
    FeeMethod,
    FeeNotice,
    FileKind,
    IdType,
    InfoRequest,
    InternalNote,
    PartyType,
    PiiAccessLog,
    ProvideForm,
    Reply,
    ReplyTemplate,
    RequestEvent,
    RequestFile,
    Source,
    Status,
)
from requests_app.outcomes import REPLY_OUTCOMES, ApplicantKind, Outcome

logger = logging.getLogger(__name__)

TRACKING_PREFIX = "YSQ"
TRACKING_RE = re.compile(r"^YSQ-(\d{4})-(\d{6,})$")
DESCRIPTION_MAX = 2000
CHECKSUM_ID_TYPES = (IdType.RESIDENT_ID, IdType.FOREIGN_PR, IdType.HMT_RESIDENCE)
APPLICANT_LABEL = "申请人"
SYSTEM_LABEL = "系统"


# =========================================================================================
# helpers
# =========================================================================================


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

    transaction.on_commit(send)


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


# =========================================================================================
# deadline computation (stored fields from requests_app.deadlines)
# =========================================================================================


def _pauses(req: InfoRequest, cal: WorkCalendar) -> list[deadlines.Pause]:
    start = req.clock_start_date
    pauses: list[deadlines.Pause] = []
    if start is None or req.pk is None:
        return pauses
    for c in req.consultations.all():
        if c.replied_date is not None and c.sent_date >= start:
            end, _ = deadlines.consultation_pause(c.sent_date, c.replied_date, cal)
            pauses.append(
                deadlines.Pause(c.sent_date, end, deadlines.CONSULTATION_PAUSE_REASON)
            )
    if deadlines.FEE_NOTICE_PAUSES_CLOCK:
        for f in req.fee_notices.all():
            settled = f.paid_date or f.waived_date
            if settled is not None and f.issued_date >= start:
                pauses.append(
                    deadlines.Pause(f.issued_date, settled, deadlines.FEE_PAUSE_REASON)
                )
    return pauses


def compute_reply_deadline(
    info_request: InfoRequest, cal: WorkCalendar | None = None
) -> deadlines.ReplyDeadline | None:
    """The request's reply deadline with its day-by-day explanation, from stored facts:
    clock start (receipt or correction), approved extension, finished consultations and
    settled fee notices. None while there is no clock (待确认). Read-only."""
    req = info_request
    if req.clock_start_date is None:
        return None
    if cal is None:
        cal = _calendar(req.clock_start_date)
    return deadlines.reply_deadline(
        req.clock_start_date,
        cal,
        extension_days=req.extension_days if req.is_extended else 0,
        pauses=_pauses(req, cal),
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
        consult = sum(
            1
            for d in result.days
            if d.paused and d.reason == deadlines.CONSULTATION_PAUSE_REASON
        )
        values = {
            "reply_due_date": result.due_date,
            "due_is_provisional": result.provisional,
            "paused_workdays": consult,
            "fee_paused_workdays": result.paused_workdays - consult,
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


# =========================================================================================
# applicant data
# =========================================================================================

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


# =========================================================================================
# files
# =========================================================================================


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


# =========================================================================================
# submission and registration
# =========================================================================================


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


@transaction.atomic
def request_confirm(
    *,
    info_request: InfoRequest,
    by: Any,
    now: datetime,
    confirmed_date: date | None = None,
) -> InfoRequest:
    """待确认 → 办理中. The receipt date is the day both sides confirmed (条例 第三十一条;
    default today), which starts the 20-working-day clock."""
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
    )
    rule = deadlines.receipt_rule(req.channel)[1]
    fields = _start_clock(req, received, basis=rule)
    req.confirmed_by = by
    _save(req, [*fields, "confirmed_by"])
    _event(
        req,
        EventKind.CONFIRMED,
        now=now,
        by=by,
        is_public=True,
        note=f"已确认受理。收到申请之日为{_fmt(received)}，答复期限为{_fmt(req.reply_due_date)}"
        f"{'（' + deadlines.PROVISIONAL_NOTE + '）' if req.due_is_provisional else ''}。",
        data={
            "received_date": received,
            "reply_due_date": req.reply_due_date,
            "provisional": req.due_is_provisional,
        },
    )
    return req


@transaction.atomic
def request_assign(
    *, info_request: InfoRequest, by: Any, assignee: Any, now: datetime
) -> InfoRequest:
    """Give the request to a 承办人 of its agency."""
    req = _lock(info_request)
    _require_role(by, req, roles.HANDLER, roles.APPROVER, roles.ADMIN)
    if req.status not in OPEN_STATUSES:
        _fail("申请已办结，不能再分配", "bad_status")
    if not _is_staff_of(assignee, req.agency_id) or not roles.has_role(
        assignee, roles.HANDLER
    ):
        _fail("只能分配给本机关的承办人", "assignee")
    if req.assigned_to_id == assignee.pk:
        return req
    old = req.assigned_to
    req.assigned_to = assignee
    _save(req, ["assigned_to"])
    _event(
        req,
        EventKind.ASSIGNED,
        now=now,
        by=by,
        note=f"承办人：{_user_label(old) or '（无）'} → {_user_label(assignee)}",
        data={"from": old.pk if old else None, "to": assignee.pk},
    )
    return req


# =========================================================================================
# 补正 (条例 第三十条)
# =========================================================================================


@transaction.atomic
def request_ask_correction(
    *,
    info_request: InfoRequest,
    by: Any,
    items: str,
    now: datetime,
    due_date: date | None = None,
) -> InfoRequest:
    """Tell the applicant once (一次性), within 7 working days of receipt, what to add or
    clarify, with a 补正期限 (default ``deadlines.CORRECTION_PERIOD_WORKDAYS``)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="告知补正")
    if req.correction_asked_date is not None:
        _fail("补正只能一次性告知，本申请已经告知过补正", "correction_twice")
    items = _clean_text(items, label="需要补正的事项", max_length=2000, required=True)
    today = _today(now)
    cal = _calendar(req.received_date, today)
    last = deadlines.correction_notice_due(req.received_date, cal).due_date
    if today > last:
        _fail(
            f"补正应在收到申请之日起 {deadlines.CORRECTION_NOTICE_WORKDAYS} 个工作日内告知"
            f"（本申请最迟 {_fmt(last)}），已超过期限",
            "correction_late",
        )
    due = due_date or deadlines.correction_period_due(today, cal).due_date
    if due <= today:
        _fail("补正期限应晚于今天", "correction_due")
    req.correction_asked_date, req.correction_due_date, req.correction_items = (
        today,
        due,
        items,
    )
    req.status = Status.AWAITING_CORRECTION
    _save(
        req,
        [
            "correction_asked_date",
            "correction_due_date",
            "correction_items",
            "status",
            *extra,
        ],
    )
    _event(
        req,
        EventKind.CORRECTION_ASKED,
        now=now,
        by=by,
        is_public=True,
        note=f"请在{_fmt(due)}前补正以下内容：\n{items}\n收到补正之日起重新计算答复期限；无正当理由逾期不补正的，视为放弃申请。",
        data={"due_date": due, "notice_deadline": last},
    )
    _mail([req.email], "correction_asked", {"req": req, "items": items, "due": due})
    return req


@transaction.atomic
def request_receive_correction(
    *,
    info_request: InfoRequest,
    now: datetime,
    by: Any = None,
    text: str = "",
    files: Sequence[Any] = (),
    received_date: date | None = None,
    late_reason: str = "",
) -> InfoRequest:
    """The correction arrived: the 20-working-day clock restarts from that day
    (条例 第三十条). ``by=None``: the applicant sent it online today. Staff record a
    paper correction with its ``received_date``; after the 补正期限 they must give the
    applicant's good reason (``late_reason``), otherwise the request is abandoned."""
    req = _lock(info_request)
    today = _today(now)
    if by is not None:
        _require_staff(by, req)
    _require_status(req, Status.AWAITING_CORRECTION, action="接收补正")
    received = received_date or today
    if by is None and received != today:
        _fail("补正日期只能是今天", "date")
    _check_date(
        received,
        today=today,
        not_before=req.correction_asked_date,
        label="收到补正之日",
        before_label="补正告知日期",
    )
    text = _clean_text(
        text, label="补正内容", max_length=DESCRIPTION_MAX, required=not files
    )
    late_reason = _clean_text(late_reason, label="逾期补正的正当理由", max_length=300)
    if received > req.correction_due_date and (by is None or not late_reason):
        _fail(
            f"补正期限（{_fmt(req.correction_due_date)}）已过"
            + (
                "，请联系受理机关说明正当理由"
                if by is None
                else "；如申请人有正当理由，请填写理由后接收"
            ),
            "correction_expired",
        )
    for upload in files:
        _store_file(req, upload, kind=FileKind.CORRECTION, now=now, by=by)
    req.correction_received_date = received
    req.correction_text = text
    req.clock_start_date = received
    req.status = Status.PROCESSING
    fields = [
        "correction_received_date",
        "correction_text",
        "clock_start_date",
        "status",
        *_apply_deadline(req),
    ]
    _save(req, fields)
    _event(
        req,
        EventKind.CORRECTION_RECEIVED,
        now=now,
        by=by,
        is_public=True,
        note=f"已收到补正（{_fmt(received)}），答复期限自该日起重新计算，至{_fmt(req.reply_due_date)}。",
        data={
            "received_date": received,
            "reply_due_date": req.reply_due_date,
            "late_reason": late_reason,
            "files": len(files),
        },
    )
    return req


def _close(req: InfoRequest, *, status: str, outcome: str, closed: date) -> list[str]:
    req.status, req.outcome, req.closed_date = status, outcome, closed
    return ["status", "outcome", "closed_date"]


def _system_letter(
    req: InfoRequest, outcome: str, *, now: datetime, by: Any, extra_reason: str = ""
) -> Reply:
    today = _today(now)
    title, text = render_reply_letter(
        info_request=req, outcome=outcome, replied_date=today, reason=extra_reason
    )
    return Reply.objects.create(
        info_request=req,
        outcome=outcome,
        title=title,
        letter_text=text,
        sent_at=now,
        replied_date=today,
        sent_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def request_expire_correction(
    *, info_request: InfoRequest, now: datetime, by: Any = None
) -> InfoRequest:
    """No correction by the 补正期限 → 视为放弃申请 (表三（六）1, ``Outcome.NO_CORRECTION``).
    ``by=None`` when run by ``send_deadline_reminders``."""
    req = _lock(info_request)
    if by is not None:
        _require_staff(by, req)
    _require_status(req, Status.AWAITING_CORRECTION, action="按逾期不补正办结")
    today = _today(now)
    if today <= req.correction_due_date:
        _fail(f"补正期限（{_fmt(req.correction_due_date)}）尚未届满", "not_expired")
    _save(
        req,
        _close(
            req, status=Status.ABANDONED, outcome=Outcome.NO_CORRECTION, closed=today
        ),
    )
    _system_letter(req, Outcome.NO_CORRECTION, now=now, by=by)
    _event(
        req,
        EventKind.CORRECTION_EXPIRED,
        now=now,
        by=by,
        actor_label="" if by else SYSTEM_LABEL,
        is_public=True,
        note="申请人无正当理由逾期未补正，视为放弃申请，本机关不再处理。",
        data={"correction_due_date": req.correction_due_date},
    )
    _mail([req.email], "closed", {"req": req})
    return req


# =========================================================================================
# consultation (条例 第三十二条 / 第三十四条)
# =========================================================================================


@transaction.atomic
def request_start_consultation(
    *,
    info_request: InfoRequest,
    by: Any,
    party_type: str,
    party_name: str,
    now: datetime,
    sent_date: date | None = None,
) -> Consultation:
    """Send a written 征求意见 to a third party (Art. 32) or another agency (Art. 34).
    From the day after sending until the reply (at most 15 working days) the reply
    clock does not run."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="征求意见")
    if party_type not in PartyType.values:
        _fail("请选择征求对象类型：第三方或其他行政机关", "party_type")
    party_name = _clean_text(
        party_name, label="征求对象", max_length=200, required=True
    )
    today = _today(now)
    sent = sent_date or today
    _check_date(
        sent,
        today=today,
        not_before=req.clock_start_date,
        label="发出征求意见之日",
        before_label="答复期限起算日",
    )
    if req.reply_due_date and sent > req.reply_due_date:
        _fail("答复期限已过，不能再征求意见", "late")
    cal = _calendar(sent)
    consult = Consultation.objects.create(
        info_request=req,
        party_type=party_type,
        party_name=party_name,
        sent_date=sent,
        due_date=deadlines.consultation_due(sent, cal).due_date,
        created_by=by,
    )
    req.status = Status.CONSULTING
    _save(req, ["status", *extra])
    _event(
        req,
        EventKind.CONSULTATION_STARTED,
        now=now,
        by=by,
        is_public=True,
        note="本机关已书面征求"
        + ("第三方" if party_type == PartyType.THIRD_PARTY else "其他行政机关")
        + "意见，征求意见期间不计算在答复期限内。",
        data={
            "consultation": consult.pk,
            "party_type": party_type,
            "sent_date": sent,
            "due_date": consult.due_date,
        },
    )
    return consult


@transaction.atomic
def request_end_consultation(
    *,
    info_request: InfoRequest,
    by: Any,
    now: datetime,
    replied_date: date | None = None,
    opinion: str = "",
) -> Consultation:
    """The opinion arrived (or the 15 working days ran out): the reply deadline moves
    by exactly the working days of the consultation (capped at 15)."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.CONSULTING, action="结束征求意见")
    consult = Consultation.objects.select_for_update().get(
        info_request=req, replied_date__isnull=True
    )
    today = _today(now)
    replied = replied_date or today
    _check_date(
        replied,
        today=today,
        not_before=consult.sent_date,
        label="收到意见之日",
        before_label="发出征求意见之日",
    )
    cal = _calendar(consult.sent_date)
    _, paused = deadlines.consultation_pause(consult.sent_date, replied, cal)
    consult.replied_date = replied
    consult.paused_workdays = paused
    consult.opinion = _clean_text(opinion, label="意见摘要", max_length=2000)
    consult.save(update_fields=["replied_date", "paused_workdays", "opinion"])
    old_due = req.reply_due_date
    req.status = Status.PROCESSING
    _save(req, ["status", *extra, *_apply_deadline(req, cal)])
    _event(
        req,
        EventKind.CONSULTATION_ENDED,
        now=now,
        by=by,
        is_public=True,
        note=f"征求意见结束，不计算在期限内的工作日为 {paused} 个，答复期限由{_fmt(old_due)}顺延至{_fmt(req.reply_due_date)}。",
        data={
            "consultation": consult.pk,
            "replied_date": replied,
            "paused_workdays": paused,
            "old_due": old_due,
            "new_due": req.reply_due_date,
        },
    )
    return consult


# =========================================================================================
# extension (条例 第三十三条第二款)
# =========================================================================================


@transaction.atomic
def request_request_extension(
    *, info_request: InfoRequest, by: Any, days: int, reason: str, now: datetime
) -> InfoRequest:
    """The handler asks for an extension (once, at most 20 working days, with a reason),
    before the reply deadline. A 审核人 decides with ``request_decide_extension``."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(
        req,
        Status.PROCESSING,
        Status.CONSULTING,
        Status.AWAITING_PAYMENT,
        action="申请延期",
    )
    if req.is_extended:
        _fail("答复期限只能延长一次，本申请已经延期", "extension_twice")
    if req.extension_status == ExtensionStatus.PENDING:
        _fail("已有待审批的延期申请", "extension_pending")
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= deadlines.EXTENSION_MAX_WORKDAYS
    ):
        _fail(
            f"延长的期限应为 1 至 {deadlines.EXTENSION_MAX_WORKDAYS} 个工作日",
            "extension_days",
        )
    reason = _clean_text(reason, label="延期理由", max_length=1000, required=True)
    today = _today(now)
    if req.reply_due_date and today > req.reply_due_date:
        _fail(
            f"答复期限（{_fmt(req.reply_due_date)}）已过，不能再申请延期",
            "extension_late",
        )
    req.extension_status, req.extension_days, req.extension_reason = (
        ExtensionStatus.PENDING,
        days,
        reason,
    )
    req.extension_requested_by, req.extension_requested_at = by, now
    req.extension_decided_by, req.extension_decided_at, req.extension_decision_note = (
        None,
        None,
        "",
    )
    _save(
        req,
        [
            "extension_status",
            "extension_days",
            "extension_reason",
            "extension_requested_by",
            "extension_requested_at",
            "extension_decided_by",
            "extension_decided_at",
            "extension_decision_note",
            *extra,
        ],
    )
    _event(
        req,
        EventKind.EXTENSION_REQUESTED,
        now=now,
        by=by,
        note=reason,
        data={"days": days},
    )
    return req


@transaction.atomic
def request_decide_extension(
    *, info_request: InfoRequest, by: Any, approve: bool, now: datetime, note: str = ""
) -> InfoRequest:
    """A 审核人 (负责人) of the agency approves or rejects the pending extension; on
    approval the deadline moves by the approved working days and the applicant is told."""
    req = _lock(info_request)
    _require_role(by, req, roles.APPROVER)
    if req.extension_status != ExtensionStatus.PENDING:
        _fail("没有待审批的延期申请", "no_extension")
    if req.extension_requested_by_id == by.pk:
        _fail("不能审批自己提出的延期申请", "self_approval")
    note = _clean_text(note, label="审批意见", max_length=300)
    today = _today(now)
    req.extension_decided_by, req.extension_decided_at, req.extension_decision_note = (
        by,
        now,
        note,
    )
    fields = [
        "extension_status",
        "extension_decided_by",
        "extension_decided_at",
        "extension_decision_note",
    ]
    if approve:
        if req.reply_due_date and today > req.reply_due_date:
            _fail(
                f"答复期限（{_fmt(req.reply_due_date)}）已过，不能再批准延期",
                "extension_late",
            )
        old_due = req.reply_due_date
        req.extension_status = ExtensionStatus.APPROVED
        req.is_extended = True
        fields += ["is_extended", *_apply_deadline(req)]
        _save(req, fields)
        _event(
            req,
            EventKind.EXTENSION_APPROVED,
            now=now,
            by=by,
            is_public=True,
            note=f"因{req.extension_reason}，经政府信息公开工作机构负责人同意，答复期限延长 "
            f"{req.extension_days} 个工作日，由{_fmt(old_due)}延长至{_fmt(req.reply_due_date)}。",
            data={
                "days": req.extension_days,
                "old_due": old_due,
                "new_due": req.reply_due_date,
            },
        )
        _mail([req.email], "extended", {"req": req, "old_due": old_due})
    else:
        req.extension_status = ExtensionStatus.REJECTED
        _save(req, fields)
        _event(
            req,
            EventKind.EXTENSION_REJECTED,
            now=now,
            by=by,
            note=note,
            data={"days": req.extension_days},
        )
    return req


# =========================================================================================
# 信息处理费 (国办函〔2020〕109号)
# =========================================================================================


def fee_amount(method: str, quantity: int) -> Decimal:
    """按件: ``quantity`` = the applicant's n-th request this month; 按量: pages."""
    if method == FeeMethod.BY_ITEM:
        return deadlines.fee_for_nth_item(quantity)
    if method == FeeMethod.BY_VOLUME:
        return deadlines.fee_by_volume(quantity)
    raise ValidationError("请选择计费方式：按件计收或按量计收", code="fee_method")


def month_request_count(info_request: InfoRequest) -> int:
    """Which request of this applicant (same ID/USCC HMAC) in the natural month of its
    receipt this one is, across all agencies (按件计收 counts per applicant)."""
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
    return earlier.count() + 1


@transaction.atomic
def request_send_fee_notice(
    *,
    info_request: InfoRequest,
    by: Any,
    method: str,
    quantity: int,
    now: datetime,
    basis: str = "",
) -> FeeNotice:
    """Send a 收费通知 within the handling period. The amount comes from the calculator
    (超额累进); the applicant pays within 20 working days from the next day."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="发出收费通知")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        _fail("件数或页数必须是正整数", "quantity")
    amount = fee_amount(method, quantity)
    if amount <= 0:
        _fail("按该件数或页数不收取信息处理费", "no_fee")
    today = _today(now)
    if req.reply_due_date and today > req.reply_due_date:
        _fail("收费通知应在答复期限内发出，本申请已超过答复期限", "late")
    cal = _calendar(today)
    pay_by = deadlines.fee_pay_by(today, cal).due_date
    basis = _clean_text(basis, label="收费依据及说明", max_length=2000)
    notice = FeeNotice.objects.create(
        info_request=req,
        method=method,
        quantity=quantity,
        amount=amount,
        basis=basis,
        issued_date=today,
        pay_by_date=pay_by,
        issued_by=by,
    )
    req.status = Status.AWAITING_PAYMENT
    _save(req, ["status", *extra])
    unit = "件" if method == FeeMethod.BY_ITEM else "页"
    _event(
        req,
        EventKind.FEE_NOTICE_SENT,
        now=now,
        by=by,
        is_public=True,
        note=f"依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），{FeeMethod(method).label}"
        f"（{quantity}{unit}），信息处理费 {amount} 元，请于{_fmt(pay_by)}前缴纳；逾期未缴纳的，视为放弃申请。",
        data={
            "fee_notice": notice.pk,
            "amount": str(amount),
            "pay_by": pay_by,
            "method": method,
        },
    )
    _mail([req.email], "fee_notice", {"req": req, "notice": notice})
    return notice


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
    ``deadlines.FEE_NOTICE_PAUSES_CLOCK`` the notice period is not counted."""
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
    if paid > notice.pay_by_date:
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


# =========================================================================================
# reply
# =========================================================================================

_PLACEHOLDER = re.compile(r"\{([\u4e00-\u9fa5]+)\}")


def render_reply_letter(
    *,
    info_request: InfoRequest,
    outcome: str,
    replied_date: date,
    notice: Any = None,
    reason: str = "",
    other_agency: str = "",
) -> tuple[str, str]:
    """``(title, text)`` of the 告知书 for ``outcome`` from its editable ``ReplyTemplate``;
    known placeholders are filled, anything else in braces is left as written. The
    handler edits the text before sending it with ``request_reply``."""
    req = info_request
    tpl = ReplyTemplate.objects.filter(outcome=outcome).first()
    if tpl is None:
        title, body = (
            "政府信息公开告知书",
            "{申请人}：\n\n{理由}\n\n{机关名称}\n{答复日期}",
        )
    else:
        title, body = tpl.title, tpl.body
    notice_url = ""
    way = "现将该信息随本告知书提供给您（见附件）。"
    if notice is not None:
        from django.urls import NoReverseMatch, reverse

        try:
            notice_url = settings.SITE_URL.rstrip("/") + reverse(
                "catalog:notice_detail", args=[notice.uuid]
            )
        except NoReverseMatch:
            notice_url = settings.SITE_URL
        way = (
            f"该信息已经主动公开，您可以在本机关政府信息公开平台查阅：《{notice.title}》"
            f"{'（索引号：' + notice.index_number + '）' if notice.index_number else ''}，网址：{notice_url}"
        )
    values = {
        "申请人": req.applicant_name or "申请人",
        "申请编号": req.tracking_no,
        "收到日期": _fmt(req.received_date),
        "申请内容": req.description[:200]
        + ("……" if len(req.description) > 200 else ""),
        "机关名称": req.agency.name,
        "答复日期": _fmt(replied_date),
        "获取途径": way,
        "信息标题": notice.title if notice is not None else "",
        "信息网址": notice_url,
        "其他机关": (
            f"经查，该信息可能由{other_agency}掌握，您可以向其提出申请。"
            if other_agency
            else ""
        ),
        "理由": reason,
    }
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
    return title, text


@transaction.atomic
def request_reply(
    *,
    info_request: InfoRequest,
    by: Any,
    outcome: str,
    letter_text: str,
    now: datetime,
    title: str = "",
    files: Sequence[Any] = (),
    notice: Any = None,
    replied_date: date | None = None,
) -> Reply:
    """Send the reply: ``outcome`` from ``REPLY_OUTCOMES`` (the annual-report taxonomy),
    the edited 告知书 text, files, and for already-published information the catalog
    notice. Only the assigned handler replies. The request becomes 已答复."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="答复")
    if not outcome:
        _fail("请选择办理结果", "outcome_required")
    if outcome not in [o.value for o in REPLY_OUTCOMES]:
        _fail("办理结果不正确，请从列表中选择", "outcome")
    letter_text = _clean_text(
        letter_text, label="告知书正文", max_length=20000, required=True
    )
    today = _today(now)
    replied = replied_date or today
    _check_date(
        replied,
        today=today,
        not_before=req.clock_start_date,
        label="答复日期",
        before_label="起算日",
    )
    if notice is not None:
        from catalog.models import Notice

        if notice.status != Notice.Status.PUBLISHED:
            _fail("关联的政府信息尚未发布，不能作为已主动公开的信息告知", "notice")
    if not title:
        tpl = ReplyTemplate.objects.filter(outcome=outcome).first()
        title = tpl.title if tpl else "政府信息公开告知书"
    title = _clean_text(title, label="文书名称", max_length=50, required=True)
    reply = Reply.objects.create(
        info_request=req,
        outcome=outcome,
        title=title,
        letter_text=letter_text,
        notice=notice,
        sent_at=now,
        replied_date=replied,
        sent_by=by,
    )
    for upload in files:
        _store_file(
            req,
            upload,
            kind=FileKind.REPLY,
            now=now,
            by=by,
            reply=reply,
            is_public=True,
        )
    late = bool(req.reply_due_date and replied > req.reply_due_date)
    req.replied_date = replied
    _save(
        req,
        [
            "replied_date",
            *extra,
            *_close(req, status=Status.REPLIED, outcome=outcome, closed=replied),
        ],
    )
    _event(
        req,
        EventKind.REPLIED,
        now=now,
        by=by,
        is_public=True,
        note=f"本机关已作出答复（{title}），请查看答复内容。",
        data={
            "reply": reply.pk,
            "outcome": outcome,
            "replied_date": replied,
            "late": late,
            "files": len(files),
            "notice": notice.pk if notice is not None else None,
        },
    )
    _mail([req.email], "replied", {"req": req, "reply": reply})
    return reply


# =========================================================================================
# withdraw, archive, notes
# =========================================================================================


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


@transaction.atomic
def request_archive(
    *, info_request: InfoRequest, by: Any, now: datetime
) -> InfoRequest:
    """条例 第四十五条 归档: only after the request is closed."""
    req = _lock(info_request)
    _require_role(by, req, roles.HANDLER, roles.ADMIN)
    _require_status(
        req, Status.REPLIED, Status.WITHDRAWN, Status.ABANDONED, action="归档"
    )
    req.status, req.archived_at = Status.ARCHIVED, now
    _save(req, ["status", "archived_at"])
    _event(req, EventKind.ARCHIVED, now=now, by=by)
    return req


@transaction.atomic
def request_add_note(
    *, info_request: InfoRequest, by: Any, text: str, now: datetime
) -> InternalNote:
    """An internal note (never shown to the applicant)."""
    req = _lock(info_request)
    _require_staff(by, req)
    text = _clean_text(text, label="备注内容", max_length=2000, required=True)
    note = InternalNote.objects.create(
        info_request=req, author=by, text=text, created_at=now
    )
    _event(req, EventKind.NOTE_ADDED, now=now, by=by, data={"note": note.pk})
    return note


# =========================================================================================
# personal data
# =========================================================================================

PII_FIELDS = ("id_number", "phone", "address")


@transaction.atomic
def request_reveal_pii(
    *, info_request: InfoRequest, by: Any, reason: str, now: datetime
) -> dict[str, str]:
    """The full 证件号码, phone and address, for the assigned handler only, with a
    reason; each view is logged (``PiiAccessLog`` + a staff event). Nothing of the
    values goes into the log."""
    req = _lock(info_request)
    _require_staff(by, req)
    if req.assigned_to_id != by.pk:
        _fail("只有本申请的承办人可以查看完整个人信息", "not_assignee")
    reason = _clean_text(reason, label="查看原因", max_length=200, required=True)
    PiiAccessLog.objects.create(
        info_request=req, user=by, at=now, reason=reason, fields=list(PII_FIELDS)
    )
    _event(
        req,
        EventKind.PII_REVEALED,
        now=now,
        by=by,
        note=reason,
        data={"fields": list(PII_FIELDS)},
    )
    return {
        "id_number": crypto.decrypt(req.id_number_encrypted, field="id_number"),
        "phone": crypto.decrypt(req.phone_encrypted, field="phone"),
        "address": crypto.decrypt(req.address_encrypted, field="address"),
    }


@transaction.atomic
def request_open_id_proof(
    *, file: RequestFile, by: Any, reason: str, now: datetime
) -> bytes:
    """The ID-proof image/PDF for the assigned handler, audited like ``request_reveal_pii``."""
    req = _lock(file.info_request)
    _require_staff(by, req)
    if req.assigned_to_id != by.pk:
        _fail("只有本申请的承办人可以查看身份证明", "not_assignee")
    if file.info_request_id != req.pk or file.kind not in (
        FileKind.ID_PROOF,
        FileKind.CORRECTION,
    ):
        _fail("文件不属于本申请", "file")
    reason = _clean_text(reason, label="查看原因", max_length=200, required=True)
    PiiAccessLog.objects.create(
        info_request=req, user=by, at=now, reason=reason, fields=[f"file:{file.pk}"]
    )
    _event(
        req, EventKind.PII_REVEALED, now=now, by=by, note=reason, data={"file": file.pk}
    )
    return request_file_bytes(file=file)


def contact_email_for(info_request: InfoRequest) -> str:
    return info_request.email


# =========================================================================================
# deadlines after calendar changes
# =========================================================================================


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


# =========================================================================================
# 条例 第四十四条: turn an answered request into a 主动公开 draft
# =========================================================================================


@transaction.atomic
def request_to_notice_draft(
    *,
    info_request: InfoRequest,
    by: Any,
    now: datetime,
    title: str = "",
    summary: str = "",
) -> Any:
    """Create a draft catalog notice from an answered request (条例 第四十四条), with
    the applicant's identity removed: only the described information and the agency's
    answer text after the salutation go in; staff review and publish it in the catalog."""
    from catalog.services import notice_create

    req = _lock(info_request)
    _require_role(by, req, roles.HANDLER, roles.ADMIN)
    _require_status(req, Status.REPLIED, Status.ARCHIVED, action="转为主动公开")
    if req.outcome not in (Outcome.DISCLOSED, Outcome.PARTIAL):
        _fail("只有予以公开或部分公开的申请可以转为主动公开", "outcome")
    title = _clean_text(
        title or req.doc_title or req.description[:60],
        label="标题",
        max_length=300,
        required=True,
    )
    text = strip_identity(req.description, req)
    summary = _clean_text(summary or text[:500], label="内容概述", max_length=2000)
    notice = notice_create(
        owner_agency=req.agency,
        by=by,
        title=strip_identity(title, req),
        summary=summary,
        disclosure_mode="active",
    )
    _event(
        req,
        EventKind.NOTICE_DRAFTED,
        now=now,
        by=by,
        note=f"已生成主动公开草稿：{notice.title}",
        data={"notice": notice.pk},
    )
    return notice


def _address_tails(address: str) -> list[str]:
    """The address and what follows each 省/市/区/县/镇/乡 in it ("湖南省株洲市天元区泰山路88号"
    → also "天元区泰山路88号", "泰山路88号"): applicants rarely write it out in full. Only
    tails with a house number count ("株洲市天元区" alone names a place, not a person)."""
    tails = [address]
    for i, char in enumerate(address):
        tail = address[i + 1 :]
        if char in "省市区县镇乡" and len(tail) >= 4 and any(c.isdigit() for c in tail):
            tails.append(tail)
    return tails


def strip_identity(text: str, req: InfoRequest) -> str:
    """Remove the applicant's name, contact name, ID/credit numbers (any 证件, as
    stored for this applicant, and anything shaped like a resident ID), address, phone
    and fax numbers and e-mail addresses from ``text`` (去标识化 before publishing)."""
    out = text or ""
    stored = [
        crypto.decrypt(token, field=name) if token else ""
        for token, name in (
            (req.id_number_encrypted, "id_number"),
            (req.phone_encrypted, "phone"),
        )
    ]
    address = (
        crypto.decrypt(req.address_encrypted, field="address")
        if req.address_encrypted
        else ""
    )
    values = {
        req.applicant_name,
        req.contact_name,
        req.legal_representative,
        req.uscc,
        req.email,
        req.fax,
        *stored,
        *_address_tails(address),
    }
    for value in sorted(
        (v for v in values if v and len(v) >= 2), key=len, reverse=True
    ):
        out = out.replace(value, "***")
    out = re.sub(r"\d{17}[\dXx]", "***", out)
    out = re.sub(r"(?<!\d)1[3-9]\d{9}(?!\d)", "***", out)
    out = re.sub(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", "***", out)
    return out


# =========================================================================================
# history import (import_requests)
# =========================================================================================


@transaction.atomic
def request_import(
    *,
    tracking_no: str,
    agency: Agency,
    applicant_kind: str,
    channel: str,
    received_date: date,
    description: str,
    outcome: str,
    closed_date: date | None,
    now: datetime,
    by: Any = None,
) -> tuple[InfoRequest, str]:
    """Create or update one historical case from an old ledger; ``tracking_no`` is the
    idempotent key. Returns ``(request, "created" | "updated" | "unchanged")``. Open cases get a computed deadline.
    Imported cases carry no personal data."""
    a_type = (
        ApplicantType.CITIZEN
        if applicant_kind == ApplicantKind.NATURAL
        else ApplicantType.ORGANISATION
    )
    values: dict[str, Any] = {
        "agency": agency,
        "applicant_type": a_type,
        "applicant_kind": applicant_kind,
        "channel": channel,
        "received_date": received_date,
        "received_basis": "历史台账导入",
        "clock_start_date": received_date,
        "description": description,
        "source": Source.IMPORT,
    }
    if outcome:
        status = (
            Status.ABANDONED
            if outcome in (Outcome.NO_CORRECTION, Outcome.UNPAID_FEE)
            else Status.REPLIED
        )
        values.update(
            status=status,
            outcome=outcome,
            closed_date=closed_date,
            replied_date=closed_date if status == Status.REPLIED else None,
        )
    else:
        values.update(
            status=Status.PROCESSING, outcome="", closed_date=None, replied_date=None
        )
    existing = (
        InfoRequest.objects.select_for_update().filter(tracking_no=tracking_no).first()
    )
    if existing is not None and existing.source != Source.IMPORT:
        raise ValidationError(
            f"申请编号 {tracking_no} 已被本系统的申请使用", code="tracking_no_taken"
        )
    m = TRACKING_RE.match(tracking_no)
    year, serial = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    if existing is None:
        req = InfoRequest(
            tracking_no=tracking_no,
            year=year,
            serial=serial,
            submitted_at=_midday(received_date),
            **values,
        )
        _apply_deadline(req)
        req.save()
        if year is not None:
            _bump_counter(year, serial)
        _event(
            req,
            EventKind.IMPORTED,
            now=now,
            by=by,
            actor_label="" if by else SYSTEM_LABEL,
            note="从历史台账导入",
            data={"outcome": outcome},
        )
        return req, "created"
    changed = []
    for name, value in values.items():
        if getattr(existing, name if name != "agency" else "agency_id") != (
            value.pk if name == "agency" else value
        ):
            setattr(existing, name, value)
            changed.append(name)
    changed += _apply_deadline(existing)
    if changed:
        _save(existing, changed)
        _event(
            existing,
            EventKind.IMPORTED,
            now=now,
            by=by,
            actor_label="" if by else SYSTEM_LABEL,
            note="历史台账再次导入，已更新",
            data={"fields": sorted(set(changed))},
        )
        return existing, "updated"
    return existing, "unchanged"


def _midday(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 12, 0))
