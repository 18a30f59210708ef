from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """An aware Beijing time on ``day`` (YYYY-MM-DD)."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def approver_user(agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(
        username="dora", first_name="张审核", agency=agency, roles=[roles.APPROVER]
    )


@pytest.fixture
def other_approver_user(other_agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(username="erin", agency=other_agency, roles=[roles.APPROVER])


@pytest.fixture
def confirmed_request(agency, staff_user):
    """Submitted online 2026-03-02 (Mon) and confirmed the same day by alice."""
    from tests.factories import InfoRequestFactory

    return InfoRequestFactory(
        agency=agency, confirm_by=staff_user, email="citizen@example.com"
    )
