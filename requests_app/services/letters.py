"""Letters in the agency's name (文书): draft, 签发 with a gapless 文号, 送达.

A reply is drafted by the assigned handler (``reply_draft``), submitted for 签发
(``letter_submit``) and sent only when an 审核人 of the same agency who did not draft
it approves it (``letter_approve``); ``letter_return`` sends it back with a comment.
An agency may let handlers send 予以公开 replies directly
(``Agency.handlers_may_send_disclosed``). Every rule a letter must meet before it
leaves is checked by ``letter_problems`` on draft, submit and 签发 alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from portal import roles
from portal.models import Agency
from portal.timeutil import local_now
from requests_app import letters, remedies
from requests_app.models import (
    Consultation,
    EventKind,
    FileKind,
    InfoRequest,
    Letter,
    LetterCounter,
    LetterDelivery,
    LetterKind,
    LetterStatus,
    MaterialKind,
    PartyType,
    ProceduralTemplate,
    ProceduralTemplateVersion,
    Reply,
    ReplyTemplate,
    ReplyTemplateVersion,
    RequestFile,
    Status,
)
from requests_app.services._common import (
    _check_date,
    _clean_text,
    _close,
    _event,
    _fail,
    _lock,
    _mail,
    _require_handler,
    _require_role,
    _require_staff,
    _require_status,
    _save,
    _today,
)
from requests_app.services.intake import _store_file

OPEN_LETTER_STATUSES = (LetterStatus.DRAFT, LetterStatus.PENDING)


# --- rendering ------------------------------------------------------------------------


def _material_text(
    *,
    material_kind: str,
    material_date: date | None,
    notice: Any,
    agency: Agency,
    term: str = "您",
) -> str:
    if material_kind == MaterialKind.NOTICE and notice is not None:
        from django.urls import NoReverseMatch, reverse

        try:
            url = settings.SITE_URL.rstrip("/") + reverse(
                "catalog:notice_detail", args=[notice.uuid]
            )
        except NoReverseMatch:
            url = settings.SITE_URL
        number = f"（索引号：{notice.index_number}）" if notice.index_number else ""
        return f"该信息已在本机关政府信息公开平台公开：《{notice.title}》{number}，网址：{url}。"
    if material_kind == MaterialKind.ATTACHMENT:
        return f"现将该信息随本告知书提供给{term}（见附件）。"
    if material_kind == MaterialKind.POST:
        return f"本机关已于{letters.fmt_date(material_date)}将该信息以纸质形式邮寄给{term}。"
    if material_kind == MaterialKind.ON_SITE:
        place = agency.address or agency.name
        return (
            f"请于{letters.fmt_date(material_date)}到{place}当场阅读、抄录该信息"
            f"{'（联系电话：' + agency.phone + '）' if agency.phone else ''}。"
        )
    return ""


def template_for(ground: str) -> tuple[str, str]:
    """``(title, body template)`` of a ground: the admin-edited row, else the default."""
    if ground not in letters.GROUNDS:
        _fail("请选择答复的法定情形", "ground")
    row = ReplyTemplate.objects.filter(ground=ground).only("title", "body").first()
    if row is not None:
        return row.title, row.body
    g = letters.GROUNDS[ground]
    return g.title, g.body


def render_reply_letter(
    *,
    info_request: InfoRequest,
    ground: str,
    letter_date: date,
    notice: Any = None,
    reason: str = "",
    other_agency: str = "",
    other_agency_contact: str = "",
    other_agency_undetermined: str = "",
    material_kind: str = "",
    material_date: date | None = None,
) -> tuple[str, str]:
    """``(title, body)`` of the 告知书 for ``ground``: no placeholder is left; an
    unknown one in an edited template is refused, naming it (ValidationError)."""
    req = info_request
    title, template = template_for(ground)
    term = letters.address_term(req.applicant_type)
    if (
        not other_agency.strip()
        and "{其他机关}" in template
        and "{负责机关告知}" not in template
    ):
        _fail(
            f"告知书模板“{title}”只能写明负责机关的名称；无法确定负责机关时，"
            "请管理员在后台把模板中的“{其他机关}”等改为 {负责机关告知}",
            "template",
        )
    values = {
        "称谓": term,
        "申请人": req.applicant_name or "申请人",
        "申请编号": req.tracking_no,
        "收到日期": letters.fmt_date(req.received_date),
        "申请内容": letters.quote_description(req.description),
        "机关名称": req.agency.name,
        "答复日期": letters.fmt_date(letter_date),
        "获取途径": _material_text(
            material_kind=material_kind,
            material_date=material_date,
            notice=notice,
            agency=req.agency,
            term=letters.address_term(req.applicant_type),
        ),
        "信息标题": notice.title if notice is not None else "",
        "信息网址": "",
        "其他机关": other_agency,
        "其他机关联系方式": other_agency_contact,
        "负责机关告知": letters.competent_agency_text(
            term=term,
            other_agency=other_agency,
            contact=other_agency_contact,
            undetermined=other_agency_undetermined,
        ),
        "征求意见": letters.consultation_text(_third_party_consulted(req)),
        "理由": reason,
    }
    try:
        body = letters.render_body(template, values)
    except ValueError as exc:
        _fail(f"告知书模板“{title}”有误：{exc}；请管理员在后台修改模板", "template")
    return title, body


def _third_party_consulted(req: InfoRequest) -> bool:
    """Whether a third party's opinion was asked on this request (条例 第三十二条):
    then the 不予公开 letter cites 第三十二条 too."""
    return Consultation.objects.filter(
        info_request=req, party_type=PartyType.THIRD_PARTY
    ).exists()


def remedy_for(agency: Agency, outcome: str) -> str:
    """The remedy clause for ``outcome`` naming the agency's 复议机关 and court; a
    clear message naming what to set when either is missing."""
    review_body, court = _review_body_and_court(agency)
    return remedies.remedy_clause(outcome=outcome, review_body=review_body, court=court)


def _review_body_and_court(agency: Agency) -> tuple[str, str]:
    review_body = agency.effective_review_body
    if not review_body:
        _fail(
            f"未设置{agency.name}的行政复议机关：请管理员在后台“机关”中填写“行政复议机关”"
            "（告知书必须写明复议机关，《中华人民共和国行政复议法》第二十三条第二款）",
            "review_body",
        )
    if not agency.court.strip():
        _fail(
            f"未设置{agency.name}的管辖人民法院：请管理员在后台“机关”中填写“管辖人民法院”",
            "court",
        )
    return review_body, agency.court.strip()


def letter_problems(letter: Letter, *, has_files: bool) -> list[str]:
    """Every rule a reply letter must meet before it is submitted or sent, as Chinese
    messages naming the rule (issue 9 §5). Empty when it may go."""
    problems: list[str] = []
    ground = letters.GROUNDS.get(letter.ground)
    if letter.kind == LetterKind.REPLY and ground is None:
        return ["请选择答复的法定情形"]
    if ground is not None:
        if ground.needs_reason and not letter.reason.strip():
            problems.append(
                "不予公开、部分公开等答复必须写明理由"
                "（《中华人民共和国政府信息公开条例》第三十六条第（三）项）"
            )
        if ground.needs_other_agency:
            problems.extend(
                competent_agency_problems(
                    other_agency=letter.other_agency,
                    contact=letter.other_agency_contact,
                    undetermined=letter.other_agency_undetermined,
                )
            )
        problems.extend(
            material_problems(
                outcome=ground.outcome,
                material_kind=letter.material_kind,
                material_date=letter.material_date,
                has_files=has_files,
                has_notice=letter.notice_id is not None,
                body=letter.body,
            )
        )
    problems.extend(letters.leftover_problems(letter.body))
    problems.extend(letters.remedy_problems(letter.body))
    return problems


def competent_agency_problems(
    *, other_agency: str, contact: str, undetermined: str
) -> list[str]:
    """条例 第三十六条第（五）项: "能够确定负责公开该政府信息的行政机关的，告知申请人该
    行政机关的名称、联系方式" — a named agency needs its contact; when none can be
    named, the letter must say why."""
    if other_agency.strip():
        if not contact.strip():
            return [
                "写明了负责公开的行政机关，还须写明该机关的联系方式"
                "（条例第三十六条第（五）项）"
            ]
        return []
    if not undetermined.strip():
        return [
            "不属于本机关负责公开的：能够确定负责公开的行政机关的，写明其名称和联系方式；"
            "无法确定的，请填写“无法确定负责机关的说明”（条例第三十六条第（五）项）"
        ]
    return []


def material_problems(
    *,
    outcome: str,
    material_kind: str,
    material_date: date | None,
    has_files: bool,
    has_notice: bool,
    body: str,
) -> list[str]:
    """予以公开 and 部分公开 must carry what they promise: a file, a published notice,
    or a recorded delivery by post / on-site reading with its date."""
    problems: list[str] = []
    if "附件" in body and not has_files:
        problems.append("告知书写明“见附件”，但没有上传附件：请上传文件或修改正文")
    if outcome not in letters.MATERIAL_OUTCOMES:
        return problems
    if material_kind == MaterialKind.ATTACHMENT and not has_files:
        problems.append("提供方式为“随告知书附件提供”，但没有上传附件")
    elif material_kind == MaterialKind.NOTICE and not has_notice:
        problems.append("提供方式为“已主动公开”，请填写已发布信息的索引号")
    elif material_kind in (MaterialKind.POST, MaterialKind.ON_SITE) and not (
        material_date
    ):
        problems.append("邮寄或当场阅读的，请填写邮寄日期或阅读日期")
    elif not material_kind:
        problems.append(
            "予以公开、部分公开的答复必须提供信息：上传附件、关联已公开的信息，"
            "或登记邮寄、当场阅读及日期"
        )
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems, code="letter")


# --- 文号 -------------------------------------------------------------------------------


def issue_letter_number(agency: Agency, year: int) -> tuple[str, int]:
    """Next 文号 of ``agency`` in ``year``: gapless and unique. Runs inside the 签发
    transaction: the counter row stays locked until commit and a rollback returns the
    number."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO requests_app_lettercounter (agency_id, year, last) "
            "VALUES (%s, %s, 0) ON CONFLICT (agency_id, year) DO NOTHING",
            [agency.pk, year],
        )
    counter = LetterCounter.objects.select_for_update().get(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = letters.format_letter_number(
        agency.letter_number_template,
        short_name=agency.short_name or agency.name,
        year=year,
        seq=counter.last,
    )
    return number, counter.last


# --- procedural letters (受理回执, 补正通知, 延期告知, 征求意见函, 收费通知) ----------
#
# Issued, numbered and dated by the service that performs the act, by the person
# authorised for that act (docs/requests.md "Procedural letters"): no separate 签发.


def procedural_template(kind: str) -> tuple[str, str]:
    """``(title, body template)`` of a procedural letter: the admin-edited row, else
    the default in ``letters.PROCEDURAL``."""
    row = ProceduralTemplate.objects.filter(kind=kind).only("title", "body").first()
    if row is not None:
        return row.title, row.body
    default = letters.PROCEDURAL[kind]
    return default.title, default.body


def _typed(value: str) -> str:
    # text a person typed never reads as a placeholder in the letter
    return (value or "").replace("{", "｛").replace("}", "｝")


def render_procedural_letter(
    *, info_request: InfoRequest, kind: str, values: dict[str, str]
) -> tuple[str, str]:
    """``(title, body)`` of a procedural letter; an unknown placeholder in an edited
    template or anything left unresolved is refused, naming it (ValidationError)."""
    req = info_request
    title, template = procedural_template(kind)
    term = letters.address_term(req.applicant_type)
    common = {
        "称谓": term,
        "申请人": _typed(req.applicant_name) or "申请人",
        "申请编号": req.tracking_no,
        "收到日期": letters.fmt_date(req.received_date),
        "申请内容": _typed(letters.quote_description(req.description)),
        "机关名称": req.agency.name,
    }
    typed = {k: _typed(str(v)) for k, v in values.items()}
    allowed = letters.procedural_placeholders(kind)
    try:
        body = letters.render_body(template, {**common, **typed}, allowed)
    except ValueError as exc:
        _fail(f"文书模板“{title}”有误：{exc}；请管理员在后台修改模板", "template")
    _raise(letters.leftover_problems(body))
    return title, body


def agency_contact(agency: Agency) -> str:
    parts = [agency.name]
    if agency.address:
        parts.append(f"地址：{agency.address}")
    if agency.phone:
        parts.append(f"电话：{agency.phone}")
    return "，".join(parts)


def fee_notice_remedy(agency: Agency) -> str:
    """The 收费通知 imposes a payment obligation: it tells the ordinary remedy (no
    复议前置: 行政复议法 第二十三条 lists no fee decision)."""
    review_body, court = _review_body_and_court(agency)
    return remedies.FEE_NOTICE_CLAUSE.format(review_body=review_body, court=court)


def issue_procedural_letter(
    *,
    info_request: InfoRequest,
    kind: str,
    by: Any,
    now: datetime,
    values: dict[str, str],
    salutation: str = "",
    approver: Any = None,
    remedy: str = "",
) -> Letter:
    """Create the numbered, dated letter of a procedural act inside that act's
    transaction (the caller holds the request's lock): a refusal rolls back the act
    and the 文号 with it. ``salutation`` defaults to the applicant."""
    if kind not in letters.PROCEDURAL:
        raise ValueError(f"not a procedural letter kind: {kind}")
    req = info_request
    title, body = render_procedural_letter(info_request=req, kind=kind, values=values)
    today = _today(now)
    number, serial = issue_letter_number(req.agency, today.year)
    letter = Letter.objects.create(
        info_request=req,
        agency=req.agency,
        kind=kind,
        status=LetterStatus.SENT,
        number=number,
        number_year=today.year,
        number_serial=serial,
        title=title,
        salutation=salutation or f"{_typed(req.applicant_name) or '申请人'}：",
        body=body,
        remedy=remedy,
        letter_date=today,
        created_at=now,
        sent_at=now,
        drafted_by=by if getattr(by, "pk", None) else None,
        approved_by=approver,
    )
    letter.event = _event(
        req,
        EventKind.LETTER_SENT,
        now=now,
        by=by,
        # a letter to a third party is not the applicant's to read
        is_public=kind != LetterKind.CONSULTATION,
        note=f"{title}（{number}）已发出",
        data={"letter": letter.pk, "number": number, "kind": kind},
    )
    letter.save(update_fields=["event"])
    return letter


# --- the reply letter -------------------------------------------------------------------


def _open_reply_letter(req: InfoRequest) -> Letter | None:
    return (
        Letter.objects.select_for_update()
        .filter(
            info_request=req, kind=LetterKind.REPLY, status__in=OPEN_LETTER_STATUSES
        )
        .first()
    )


@transaction.atomic
def reply_draft(
    *,
    info_request: InfoRequest,
    by: Any,
    ground: str,
    now: datetime,
    body: str = "",
    title: str = "",
    reason: str = "",
    other_agency: str = "",
    other_agency_contact: str = "",
    other_agency_undetermined: str = "",
    notice: Any = None,
    material_kind: str = "",
    material_date: date | None = None,
    files: Sequence[Any] = (),
) -> Letter:
    """Create or update the draft reply letter (草稿). ``body`` empty → rendered from
    the ground's template. A letter waiting for 签发 cannot be edited."""
    req = _lock(info_request)
    extra = _require_handler(by, req, now=now)
    _require_status(req, Status.PROCESSING, action="起草答复")
    if extra:
        _save(req, extra)
    if ground not in dict(letters.HANDLER_GROUNDS):
        _fail("请选择答复的法定情形", "ground")
    g = letters.GROUNDS[ground]
    if material_kind not in MaterialKind.values:
        _fail("提供方式不正确", "material")
    today = _today(now)
    if material_date is not None and material_kind == MaterialKind.POST:
        _check_date(material_date, today=today, label="邮寄日期")
    if notice is not None:
        from catalog.models import Notice

        if notice.status != Notice.Status.PUBLISHED:
            _fail("关联的政府信息尚未发布，不能作为已主动公开的信息告知", "notice")
    reason = _clean_text(reason, label="理由", max_length=2000)
    other_agency = _clean_text(other_agency, label="负责公开的机关", max_length=100)
    other_agency_contact = _clean_text(
        other_agency_contact, label="该机关联系方式", max_length=200
    )
    other_agency_undetermined = _clean_text(
        other_agency_undetermined, label="无法确定负责机关的说明", max_length=500
    )
    if not g.needs_other_agency:
        other_agency_undetermined = ""
    if not body.strip():
        title, body = render_reply_letter(
            info_request=req,
            ground=ground,
            letter_date=today,
            notice=notice,
            reason=reason,
            other_agency=other_agency,
            other_agency_contact=other_agency_contact,
            other_agency_undetermined=other_agency_undetermined,
            material_kind=material_kind,
            material_date=material_date,
        )
    body = _clean_text(body, label="告知书正文", max_length=20000, required=True)
    title = _clean_text(
        title or template_for(ground)[0], label="文书名称", max_length=50, required=True
    )
    letter = _open_reply_letter(req)
    if letter is not None and letter.status == LetterStatus.PENDING:
        _fail("该答复已提交签发，等待审核人签发或退回后才能修改", "pending")
    created = letter is None
    if created:
        letter = Letter(
            info_request=req,
            agency=req.agency,
            kind=LetterKind.REPLY,
            created_at=now,
            drafted_by=by,
        )
    letter.title, letter.body, letter.salutation = (
        title,
        body,
        f"{req.applicant_name or '申请人'}：",
    )
    letter.outcome, letter.ground, letter.reason = g.outcome, ground, reason
    letter.other_agency, letter.other_agency_contact = (
        other_agency,
        other_agency_contact,
    )
    letter.other_agency_undetermined = other_agency_undetermined
    letter.notice = notice
    letter.material_kind, letter.material_date = material_kind, material_date
    letter.remedy = remedy_for(req.agency, g.outcome)
    letter.drafted_by = by
    fields = [
        "title",
        "body",
        "salutation",
        "outcome",
        "ground",
        "reason",
        "other_agency",
        "other_agency_contact",
        "other_agency_undetermined",
        "notice",
        "material_kind",
        "material_date",
        "remedy",
        "drafted_by",
    ]
    if created:
        letter.save()
    else:
        letter.save(update_fields=fields)
    for upload in files:
        # not visible to the applicant until the letter is sent
        _store_file(req, upload, kind=FileKind.REPLY, now=now, by=by, letter=letter)
    _event(
        req,
        EventKind.LETTER_DRAFTED,
        now=now,
        by=by,
        note=f"起草{title}",
        data={"letter": letter.pk, "ground": ground, "files": len(files)},
    )
    return letter


def _lock_letter(letter: Letter) -> tuple[Letter, InfoRequest]:
    req = _lock(letter.info_request)
    return Letter.objects.select_for_update().get(pk=letter.pk), req


def _has_files(letter: Letter) -> bool:
    return RequestFile.objects.filter(letter=letter).exists()


@transaction.atomic
def letter_submit(*, letter: Letter, by: Any, now: datetime) -> Letter:
    """草稿 → 待签发. When the agency lets handlers send 予以公开 replies directly
    and this is one, it is sent at once (no approver)."""
    letter, req = _lock_letter(letter)
    _require_handler(by, req, now=now)
    if letter.status != LetterStatus.DRAFT:
        _fail(f"文书当前状态为“{letter.get_status_display()}”，不能提交签发", "status")
    _require_status(req, Status.PROCESSING, action="提交答复")
    _raise(letter_problems(letter, has_files=_has_files(letter)))
    letter.status, letter.submitted_at = LetterStatus.PENDING, now
    letter.save(update_fields=["status", "submitted_at"])
    _event(
        req,
        EventKind.LETTER_SUBMITTED,
        now=now,
        by=by,
        note=f"{letter.title}提交签发",
        data={"letter": letter.pk},
    )
    if may_send_directly(letter):
        return _send(letter, req, by=by, approver=None, now=now)
    return letter


def may_send_directly(letter: Letter) -> bool:
    return bool(
        letter.kind == LetterKind.REPLY
        and letter.outcome == "disclosed"
        and letter.agency.handlers_may_send_disclosed
    )


def _require_approver(letter: Letter, req: InfoRequest, by: Any) -> None:
    _require_role(by, req, roles.APPROVER)
    if by is not None and letter.drafted_by_id == by.pk:
        _fail("不能签发自己起草的文书：须由本机关的另一名审核人签发", "own_letter")


@transaction.atomic
def letter_return(*, letter: Letter, by: Any, comment: str, now: datetime) -> Letter:
    """待签发 → 草稿 with the approver's comment (shown to the drafter)."""
    letter, req = _lock_letter(letter)
    _require_approver(letter, req, by)
    if letter.status != LetterStatus.PENDING:
        _fail("只有待签发的文书可以退回", "status")
    comment = _clean_text(comment, label="退回意见", max_length=2000, required=True)
    letter.status, letter.review_comment = LetterStatus.DRAFT, comment
    letter.save(update_fields=["status", "review_comment"])
    _event(
        req,
        EventKind.LETTER_RETURNED,
        now=now,
        by=by,
        note=f"{letter.title}退回修改：{comment}",
        data={"letter": letter.pk},
    )
    return letter


@transaction.atomic
def letter_approve(*, letter: Letter, by: Any, now: datetime) -> Letter:
    """签发: an 审核人 of the agency who did not draft it approves; the letter gets its
    文号 and date and is sent (a reply closes the request)."""
    letter, req = _lock_letter(letter)
    _require_approver(letter, req, by)
    if letter.status != LetterStatus.PENDING:
        _fail("文书尚未提交签发，或已经签发，不能签发", "status")
    _event(
        req,
        EventKind.LETTER_APPROVED,
        now=now,
        by=by,
        note=f"{letter.title}审核同意",
        data={"letter": letter.pk},
    )
    return _send(letter, req, by=by, approver=by, now=now)


def _send(
    letter: Letter, req: InfoRequest, *, by: Any, approver: Any, now: datetime
) -> Letter:
    if letter.kind == LetterKind.REPLY:
        _require_status(req, Status.PROCESSING, action="发出答复")
    _raise(letter_problems(letter, has_files=_has_files(letter)))
    today = _today(now)
    if letter.outcome:
        letter.remedy = remedy_for(letter.agency, letter.outcome)
    number, serial = issue_letter_number(letter.agency, today.year)
    letter.number, letter.number_year, letter.number_serial = number, today.year, serial
    letter.status, letter.letter_date, letter.sent_at = LetterStatus.SENT, today, now
    letter.approved_by = approver
    fields = [
        "number",
        "number_year",
        "number_serial",
        "status",
        "letter_date",
        "sent_at",
        "approved_by",
        "remedy",
    ]
    if letter.kind == LetterKind.REPLY:
        letter.reply = _send_reply(letter, req, by=by, now=now)
        fields.append("reply")
    event = _event(
        req,
        EventKind.LETTER_SENT,
        now=now,
        by=by,
        is_public=True,
        note=f"{letter.title}（{number}）已签发",
        data={"letter": letter.pk, "number": number},
    )
    letter.event = event
    letter.save(update_fields=[*fields, "event"])
    return letter


def letter_full_text(letter: Letter) -> str:
    parts = [letter.salutation, *letter.paragraphs, letter.agency.name]
    parts.append(letters.fmt_date(letter.letter_date))
    return "\n\n".join(p for p in parts if p)


def _send_reply(letter: Letter, req: InfoRequest, *, by: Any, now: datetime) -> Reply:
    """The reply the annual report counts: in the year it is sent (today)."""
    today = _today(now)
    reply = Reply.objects.create(
        info_request=req,
        outcome=letter.outcome,
        title=letter.title,
        letter_text=letter_full_text(letter),
        notice=letter.notice,
        sent_at=now,
        replied_date=today,
        sent_by=by if getattr(by, "pk", None) else None,
    )
    files = RequestFile.objects.filter(letter=letter)
    count = files.update(reply=reply, is_public=True)
    late = bool(req.reply_due_date and today > req.reply_due_date)
    req.replied_date = today
    _save(
        req,
        [
            "replied_date",
            *_close(req, status=Status.REPLIED, outcome=letter.outcome, closed=today),
        ],
    )
    _event(
        req,
        EventKind.REPLIED,
        now=now,
        by=by,
        is_public=True,
        note=f"本机关已作出答复（{letter.title}），请查看答复内容。",
        data={
            "reply": reply.pk,
            "letter": letter.pk,
            "outcome": letter.outcome,
            "replied_date": today,
            "late": late,
            "files": count,
            "notice": letter.notice_id,
        },
    )
    _mail([req.email], "replied", {"req": req, "reply": reply})
    return reply


# --- 送达 -------------------------------------------------------------------------------


@transaction.atomic
def letter_record_delivery(
    *,
    letter: Letter,
    by: Any,
    method: str,
    delivered_date: date,
    now: datetime,
    tracking_number: str = "",
) -> Letter:
    """Record how and when a sent letter reached the applicant (网上, 电子邮件, EMS with
    its number, 当面)."""
    letter, req = _lock_letter(letter)
    _require_staff(by, req)
    if letter.status != LetterStatus.SENT:
        _fail("文书签发后才能登记送达", "status")
    if method not in LetterDelivery.values:
        _fail("请选择送达方式", "method")
    tracking_number = _clean_text(
        tracking_number, label="EMS 单号", max_length=30
    ).upper()
    if method == LetterDelivery.EMS and not tracking_number:
        _fail("EMS 送达必须填写邮件单号", "ems_number")
    _check_date(
        delivered_date,
        today=_today(now),
        not_before=letter.letter_date,
        label="送达日期",
        before_label="签发日期",
    )
    letter.delivery_method, letter.delivered_date = method, delivered_date
    letter.delivery_number = tracking_number if method == LetterDelivery.EMS else ""
    letter.save(update_fields=["delivery_method", "delivered_date", "delivery_number"])
    label = LetterDelivery(method).label
    data = {"letter": letter.pk, "method": method, "delivered_date": delivered_date}
    fee_note = ""
    if letter.kind == LetterKind.FEE:
        # the payment period runs from the day after the applicant received it
        from requests_app.services.fees import fee_notice_delivered

        notice = fee_notice_delivered(letter=letter, delivered_date=delivered_date)
        if notice is not None:
            fee_note = f"缴费期限至{letters.fmt_date(notice.pay_by_date)}（含当日）。"
            data.update(fee_notice=notice.pk, pay_by=notice.pay_by_date)
    _event(
        req,
        EventKind.LETTER_DELIVERED,
        now=now,
        by=by,
        is_public=True,
        note=f"{letter.title}（{letter.number}）已于{letters.fmt_date(delivered_date)}"
        f"以{label}方式送达"
        + (f"（单号 {tracking_number}）" if tracking_number else "")
        + ("。" + fee_note if fee_note else ""),
        data=data,
    )
    return letter


# --- templates ------------------------------------------------------------------------


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, by: Any, title: str, legal_basis: str, body: str
) -> ReplyTemplate:
    """An admin edit of a ground's template: an unknown placeholder (or remedy wording,
    which the system adds) is refused, naming it. Each edit that changes something is
    kept as a ``ReplyTemplateVersion`` (who, when, each changed field as [before,
    after], the text after it), so a letter can be traced to the template it used."""
    problems = letters.template_problems(body)
    if problems:
        raise ValidationError({"body": problems})
    row = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    before = {name: getattr(row, name) for name in TEMPLATE_FIELDS}
    row.title = _clean_text(title, label="文书名称", max_length=50, required=True)
    row.legal_basis = _clean_text(
        legal_basis, label="法律依据", max_length=200, required=True
    )
    row.body, row.updated_by = body, by
    row.save(update_fields=["title", "legal_basis", "body", "updated_by", "updated_at"])
    after = {name: getattr(row, name) for name in TEMPLATE_FIELDS}
    changes = {
        n: [before[n], after[n]] for n in TEMPLATE_FIELDS if before[n] != after[n]
    }
    if changes:
        ReplyTemplateVersion.objects.create(
            template=row,
            at=local_now(),
            actor=by if getattr(by, "pk", None) else None,
            changes=changes,
            values=after,
        )
    return row


TEMPLATE_FIELDS = ("title", "legal_basis", "body")


@transaction.atomic
def procedural_template_update(
    *, template: ProceduralTemplate, by: Any, title: str, legal_basis: str, body: str
) -> ProceduralTemplate:
    """An admin edit of a procedural letter's template, checked like the reply
    templates but against the placeholders of its kind; each edit that changes
    something is kept as a ``ProceduralTemplateVersion``."""
    problems = letters.template_problems(
        body, letters.procedural_placeholders(template.kind)
    )
    if problems:
        raise ValidationError({"body": problems})
    row = ProceduralTemplate.objects.select_for_update().get(pk=template.pk)
    before = {name: getattr(row, name) for name in TEMPLATE_FIELDS}
    row.title = _clean_text(title, label="文书名称", max_length=50, required=True)
    row.legal_basis = _clean_text(
        legal_basis, label="法律依据", max_length=200, required=True
    )
    row.body, row.updated_by = body, by
    row.save(update_fields=["title", "legal_basis", "body", "updated_by", "updated_at"])
    after = {name: getattr(row, name) for name in TEMPLATE_FIELDS}
    changes = {
        n: [before[n], after[n]] for n in TEMPLATE_FIELDS if before[n] != after[n]
    }
    if changes:
        ProceduralTemplateVersion.objects.create(
            template=row,
            at=local_now(),
            actor=by if getattr(by, "pk", None) else None,
            changes=changes,
            values=after,
        )
    return row
