"""Personal data: audited reveal of the applicant's data and ID proof, and
条例 第四十四条 (an answered request as a 主动公开 draft, identity removed)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction

from portal import roles
from portal.pii import find_personal_data
from requests_app import crypto
from requests_app.models import (
    EventKind,
    FileKind,
    InfoRequest,
    PiiAccessLog,
    RequestEvent,
    RequestFile,
    Status,
)
from requests_app.outcomes import Outcome
from requests_app.services._common import (
    SYSTEM_LABEL,
    _clean_text,
    _event,
    _fail,
    _lock,
    _mail,
    _require_role,
    _require_staff,
    _require_status,
)
from requests_app.services.intake import request_file_bytes

PII_FIELDS = ("id_number", "phone", "address")

# Events that do not start a new step of the case: everything else (确认受理, 告知补正,
# 收到补正, 征求意见, 延期, 收费, 答复 …) does.
NOT_A_STEP = frozenset(
    {
        EventKind.ASSIGNED,
        EventKind.NOTE_ADDED,
        EventKind.PII_REVEALED,
        EventKind.DEADLINE_RECOMPUTED,
        EventKind.NOTICE_DRAFTED,
        EventKind.LOOKUP_GUESSING,
        # anyone who knows the number can ask: it must not open a new step
        EventKind.QUERY_CODE_REISSUED,
    }
)


def reveal_refusal(req: InfoRequest, user: Any) -> str:
    """Why ``user`` may not reveal the personal data of ``req`` now ("" if they may).

    The rule (issue 11 §1.2, docs/security.md §8): only the assigned handler, and only
    if their assignment covers the current step. It does unless they took the case
    over from another handler themselves (a 审核人 or 管理员 who is also a 承办人 may
    reassign) after the current step began: then they must first carry the case to its
    next step (an action that is itself logged and visible) before they may reveal.
    Assignments made by someone else, and a handler taking a case nobody held, cover
    the current step at once.
    """
    if req.assigned_to_id != getattr(user, "pk", None):
        return "只有本申请的承办人可以查看完整个人信息"
    events = list(
        RequestEvent.objects.filter(info_request=req)
        .order_by("-at", "-id")
        .values("id", "at", "kind", "actor_id", "data")
    )
    for event in events:
        if event["kind"] != EventKind.ASSIGNED:
            continue
        data = event["data"] or {}
        if data.get("to", data.get("assignee")) != user.pk:
            continue
        took_over = (
            event["actor_id"] == user.pk
            and data.get("from") is not None
            and data.get("from") != user.pk
        )
        if not took_over:
            return ""
        step_after = any(
            e["kind"] not in NOT_A_STEP
            and (e["at"], e["id"]) > (event["at"], event["id"])
            for e in events
        )
        if step_after:
            return ""
        return "您在本环节中将申请改由自己承办，本环节内不能查看完整个人信息；请由本机关审核人分配，或在办理进入下一环节后再查看"
    return ""  # assigned before events were kept (imported cases)


@transaction.atomic
def request_reveal_pii(
    *, info_request: InfoRequest, by: Any, reason: str, now: datetime
) -> dict[str, str]:
    """The full 证件号码, phone and address, for the assigned handler only, with a
    reason; each view is logged (``PiiAccessLog`` + a staff event). Nothing of the
    values goes into the log."""
    req = _lock(info_request)
    _require_staff(by, req)
    refusal = reveal_refusal(req, by)
    if refusal:
        _fail(refusal, "not_assignee")
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
    refusal = reveal_refusal(req, by)
    if refusal:
        _fail(refusal.replace("完整个人信息", "身份证明"), "not_assignee")
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


@transaction.atomic
def request_alert_lookup_guessing(
    *, tracking_no: str, failures: int, window_hours: int, now: datetime
) -> InfoRequest | None:
    """Sustained 查询码 guessing against one case (issue 11 §1.6): an event on the
    case and an e-mail to its handler (or, without one, the agency's address). The
    caller (the lookup view) calls this once per ``LOOKUP_CASE_ALERT`` window. An
    unknown tracking number has nobody to alert: None. No address, code or number
    typed by the guesser is stored."""
    from requests_app.selectors import normalise_tracking_no

    req = (
        InfoRequest.objects.select_related("agency", "assigned_to")
        .filter(tracking_no=normalise_tracking_no(tracking_no))
        .first()
    )
    if req is None:
        return None
    req = _lock(req)
    note = (
        f"{window_hours} 小时内查询码输错已达 {failures} 次（来自不同网络的合计）。"
        "申请人本人不受影响；如申请人未反映遗失查询码，可能有人在猜测查询码。"
    )
    _event(
        req,
        EventKind.LOOKUP_GUESSING,
        now=now,
        by=None,
        actor_label=SYSTEM_LABEL,
        note=note,
        data={"failures": failures, "window_hours": window_hours},
    )
    handler_email = req.assigned_to.email if req.assigned_to_id else ""
    _mail(
        [handler_email or req.agency.email],
        "lookup_guessing",
        {"req": req, "failures": failures, "window_hours": window_hours, "at": now},
    )
    return req


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
    # mask first, cut after: a number cut in half would no longer be recognised
    masked_title = strip_identity(title or req.doc_title or req.description, req)
    if not title:
        masked_title = masked_title[:60]
    title = _clean_text(masked_title, label="标题", max_length=300, required=True)
    text = strip_identity(req.description, req)
    summary = _clean_text(
        strip_identity(summary, req) if summary else text[:500],
        label="内容概述",
        max_length=2000,
    )
    notice = notice_create(
        owner_agency=req.agency,
        by=by,
        proposal=True,  # the 承办人 proposes; the catalog's 管理员 publishes
        title=title,
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


# any run of 15–18 digits (spaces or hyphens allowed) in the applicant's own text: a
# mistyped ID number is still theirs, even when its checksum fails
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){13,16}[ \-]?[0-9Xx](?![0-9])")


def strip_identity(text: str, req: InfoRequest) -> str:
    """去标识化 before publishing: replace with ``***`` what the applicant stored (name,
    contact name, legal representative, 证件号码 of any type, USCC, phone, fax, e-mail,
    address and its tails), every finding of the one detector (``portal.pii``: ID
    numbers however written, mobiles, landlines, USCC, bank cards, e-mail addresses, the
    names of the applicant and of third parties consulted) and any 15–18-digit run."""
    from requests_app.selectors import identity_names

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
    for found in reversed(find_personal_data(out, names=identity_names(req))):
        out = out[: found.start] + "***" + out[found.end :]
    return _DIGIT_RUN.sub("***", out)
