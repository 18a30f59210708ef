"""Internal notes on a request (never shown to the applicant)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from requests_app.models import (
    EventKind,
    InfoRequest,
    InternalNote,
)
from requests_app.services._common import _clean_text, _event, _lock, _require_staff


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
