"""System replies: the letter written when the system closes a request (逾期不补正,
逾期未缴费). A handler's reply goes through ``services.letters`` (draft → 签发)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from requests_app import letters
from requests_app.models import InfoRequest, Reply
from requests_app.services._common import _today
from requests_app.services.letters import remedy_for, render_reply_letter

logger = logging.getLogger(__name__)


def _system_letter(
    req: InfoRequest, outcome: str, *, now: datetime, by: Any, extra_reason: str = ""
) -> Reply:
    """The 告知书 of a system outcome from its ground's template, with the remedy
    clause when the agency's 复议机关 and court are configured (a command closing an
    expired request must not fail on a missing setting: it is logged instead)."""
    today = _today(now)
    ground = letters.GROUND_FOR_SYSTEM_OUTCOME[outcome]
    try:
        title, body = render_reply_letter(
            info_request=req, ground=ground, letter_date=today, reason=extra_reason
        )
    except ValidationError:
        # an admin-edited template the renderer refuses must not stop the command
        # closing expired requests: the built-in text of the ground is used instead
        logger.warning("requests_app: template %s refused; built-in text used", ground)
        default = letters.GROUNDS[ground]
        title = default.title
        body = letters.render_body(
            default.body,
            {
                "称谓": letters.address_term(req.applicant_type),
                "申请编号": req.tracking_no,
                "收到日期": letters.fmt_date(req.received_date),
                "申请内容": letters.quote_description(req.description),
                "理由": extra_reason,
            },
        )
    try:
        remedy = remedy_for(req.agency, outcome)
    except ValidationError:
        logger.warning(
            "requests_app: agency %s has no 复议机关/court; system letter without "
            "remedy clause",
            req.agency_id,
        )
        remedy = ""
    text = "\n\n".join(
        p
        for p in (
            f"{req.applicant_name or '申请人'}：",
            body,
            remedy,
            req.agency.name,
            letters.fmt_date(today),
        )
        if p
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
