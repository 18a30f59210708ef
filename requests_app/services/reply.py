"""The reply: 告知书 rendering and sending."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from requests_app.models import (
    EventKind,
    FileKind,
    InfoRequest,
    Reply,
    ReplyTemplate,
    Status,
)
from requests_app.outcomes import REPLY_OUTCOMES
from requests_app.services._common import (
    _check_date,
    _clean_text,
    _close,
    _event,
    _fail,
    _fmt,
    _lock,
    _mail,
    _require_handler,
    _require_status,
    _save,
    _today,
)
from requests_app.services.intake import _store_file


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
