"""The demo builds requests through the services, consistent with the annual report."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine

from requests_app import demo
from requests_app.models import OPEN_STATUSES, InfoRequest, RequestEvent
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db


def test_demo_builds_consistent_requests(monkeypatch):
    from datetime import date

    from portal import demo as portal_demo

    monkeypatch.setattr(demo, "FIRST_DAY", date(2025, 9, 1))
    monkeypatch.setattr(demo, "PER_MONTH", 6)
    out = StringIO()
    with time_machine.travel(at("2026-03-20", 9), tick=False):
        context = portal_demo.build(out)
        result = demo.build(out, **context)
        assert demo.build(out, **context) == {}  # second run adds nothing
    assert result["info_requests"] == InfoRequest.objects.count() > 20
    for req in InfoRequest.objects.all():
        assert RequestEvent.objects.filter(info_request=req).exists()
        if req.status in OPEN_STATUSES:
            assert not req.outcome
            assert req.closed_date is None
        else:
            assert req.outcome
            assert req.closed_date
        if req.received_date:
            assert req.reply_due_date
            assert req.clock_start_date >= req.received_date
        assert req.submitted_at <= at("2026-03-20", 9)
    assert RequestEvent.objects.filter(at__gt=at("2026-03-20", 9)).count() == 0
    assert "演示查询：申请编号" in out.getvalue()
    # every received year balances: received = closed in the year + still open / closed later
    for year in (2025, 2026):
        received = InfoRequest.objects.filter(received_date__year=year)
        closed_same_year = received.filter(closed_date__year=year).count()
        carried = received.exclude(closed_date__year=year).count()
        assert received.count() == closed_same_year + carried
