from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.disclosure.helpers import NARRATIVES

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    """An aware moment in Asia/Shanghai."""
    return datetime(*args, tzinfo=SHANGHAI)


def travel(*args: int):
    return time_machine.travel(at(*args), tick=False)


@pytest.fixture
def approver_user(agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])


@pytest.fixture
def approver_client(client, approver_user):
    client.force_login(approver_user)
    return client


def write_narratives(report, *, by, now):
    """Fill the sections still empty (a draft's written text is kept)."""
    from disclosure import services
    from disclosure.models import AnnualReport

    report = AnnualReport.objects.get(pk=report.pk)
    empty = {k: v for k, v in NARRATIVES.items() if not getattr(report, k)}
    if empty and report.status == AnnualReport.Status.DRAFT:
        services.report_update(report=report, by=by, now=now, **empty)


@pytest.fixture
def draft(agency, staff_user):
    """The 2025 report of ``agency``, opened by its admin on 2026-01-05."""
    from disclosure import services

    return services.report_open(
        agency=agency, year=2025, by=staff_user, now=at(2026, 1, 5, 9)
    )


def publish(report, *, admin, approver, now, correction_note: str = ""):
    """Write the missing narratives, submit, approve and publish through the services."""
    from disclosure import services

    write_narratives(report, by=admin, now=now)
    services.report_submit(report=report, by=admin, now=now)
    services.report_approve(report=report, by=approver, now=now)
    return services.report_publish(
        report=report, by=admin, now=now, correction_note=correction_note
    )
