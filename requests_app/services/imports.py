"""History import (``import_requests``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.models import Agency
from requests_app.models import (
    ApplicantType,
    EventKind,
    InfoRequest,
    Source,
    Status,
)
from requests_app.outcomes import ApplicantKind, Outcome
from requests_app.services._common import SYSTEM_LABEL, _apply_deadline, _event, _save
from requests_app.services.intake import _bump_counter, imported_serial


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
    year, serial = imported_serial(tracking_no) or (None, None)
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
    return datetime(
        d.year, d.month, d.day, 12, 0, tzinfo=timezone.get_current_timezone()
    )
