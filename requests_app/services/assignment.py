"""Assigning a request to a 承办人 of its agency."""

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
