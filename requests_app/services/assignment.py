"""Assigning a request to a 承办人 of its agency.

Reassigning a request that already has a handler is for the agency's 审核人 or
管理员 (or a superuser) only, and the previous handler is told by e-mail and in the
event (issue 11 §1.2): a teammate can no longer take a case to read its personal
data. A request without a handler may be given out by any 承办人/审核人/管理员.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from portal import roles
from requests_app.models import (
    OPEN_STATUSES,
    EventKind,
    InfoRequest,
)
from requests_app.services._common import (
    _event,
    _fail,
    _is_staff_of,
    _lock,
    _mail,
    _require_role,
    _save,
    _user_label,
)


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
    if old is not None:
        require_reassign_right(by, req)
    req.assigned_to = assignee
    _save(req, ["assigned_to"])
    note = f"承办人：{_user_label(old) or '（无）'} → {_user_label(assignee)}"
    if old is not None:
        note += "；已通知原承办人"
    _event(
        req,
        EventKind.ASSIGNED,
        now=now,
        by=by,
        note=note,
        data={"from": old.pk if old else None, "to": assignee.pk},
    )
    if old is not None and old.pk != getattr(by, "pk", None):
        _mail(
            [old.email],
            "reassigned",
            {"req": req, "old": old, "new": assignee, "by": by, "at": now},
        )
    return req


def may_reassign(user: Any, req: InfoRequest) -> bool:
    """Whether ``user`` may take a request away from its handler: a 审核人 or 管理员
    of the request's agency, or a superuser."""
    if getattr(user, "is_superuser", False):
        return True
    return roles.has_role(user, roles.APPROVER) or roles.has_role(user, roles.ADMIN)


def require_reassign_right(user: Any, req: InfoRequest) -> None:
    if not may_reassign(user, req):
        _fail(
            f"本申请已由{_user_label(req.assigned_to)}承办；重新分配须由本机关审核人或管理员办理",
            "reassign_forbidden",
        )
