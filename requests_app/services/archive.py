"""Archiving a closed request (条例 第四十五条)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from portal import roles
from requests_app.models import (
    EventKind,
    InfoRequest,
    Status,
)
from requests_app.services._common import (
    _event,
    _lock,
    _require_role,
    _require_status,
    _save,
)


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
