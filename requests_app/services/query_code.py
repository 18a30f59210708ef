"""A lost 查询码: the applicant asks for a new one by 申请编号 and gets it by e-mail."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from requests_app import crypto
from requests_app.models import EventKind, InfoRequest
from requests_app.services._common import SYSTEM_LABEL, _event, _lock, _mail


@transaction.atomic
def request_reissue_query_code(*, tracking_no: str, now: datetime) -> bool:
    """Issue a new 查询码 for the case with this 申请编号 and e-mail it to the address
    the application gave. Only a hash of a code is kept, so the old code cannot be sent
    again: it stops working from this moment, and the mail says so. A public event
    records the step (never the code).

    The caller answers the same whatever this returns (an unknown number or a case
    without an e-mail address is not revealed): True when a mail was queued."""
    from requests_app.selectors import normalise_tracking_no

    req = (
        InfoRequest.objects.filter(tracking_no=normalise_tracking_no(tracking_no))
        .exclude(email="")
        .first()
    )
    if req is None:
        return False
    req = _lock(req)
    code = crypto.new_query_code()
    req.query_code_hash = crypto.query_code_hash(code)
    req.save(update_fields=["query_code_hash", "updated_at"])
    _event(
        req,
        EventKind.QUERY_CODE_REISSUED,
        now=now,
        actor_label=SYSTEM_LABEL,
        is_public=True,
        note="应申请人要求重新生成查询码，已发送到申请时登记的电子邮箱；原查询码作废。",
    )
    _mail(
        [req.email],
        "query_code_reissued",
        {"req": req, "query_code": crypto.format_query_code(code), "at": now},
    )
    return True
