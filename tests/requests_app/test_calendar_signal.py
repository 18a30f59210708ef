"""A changed holiday table recomputes open deadlines (portal.signals.work_calendar_changed)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from portal.models import WorkCalendarDay, WorkCalendarYear
from portal.signals import work_calendar_changed
from requests_app import services
from requests_app.models import EventKind, InfoRequest, RequestEvent
from requests_app.outcomes import Outcome
from tests.factories import InfoRequestFactory, send_reply
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def announce(years, by=None):
    work_calendar_changed.send(sender=WorkCalendarDay, years=years, by=by)


def test_new_rest_day_moves_open_deadline_later_and_logs_it(
    agency, staff_user, django_capture_on_commit_callbacks
):
    req = InfoRequestFactory(
        agency=agency, confirm_by=staff_user
    )  # received 03-02 → due 03-30
    closed = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    send_reply(
        info_request=closed,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="x",
        now=at("2026-03-03"),
    )
    WorkCalendarDay.objects.create(date=D("2026-03-10"), kind="rest", name="测试假日")
    with django_capture_on_commit_callbacks(execute=True):
        announce([2026], by=staff_user)
    req = InfoRequest.objects.get(pk=req.pk)
    assert req.reply_due_date == D("2026-03-31")
    event = RequestEvent.objects.get(
        info_request=req, kind=EventKind.DEADLINE_RECOMPUTED
    )
    assert event.is_public
    assert event.actor == staff_user
    assert event.data == {
        "old_due": "2026-03-30",
        "new_due": "2026-03-31",
        "provisional": False,
        "reason": "2026 年节假日安排调整",
    }
    assert InfoRequest.objects.get(pk=closed.pk).reply_due_date == D("2026-03-30")
    assert not RequestEvent.objects.filter(
        info_request=closed, kind=EventKind.DEADLINE_RECOMPUTED
    ).exists()
    assert mail.outbox == []  # later: nobody needs warning


def test_earlier_deadline_notifies_the_assignee(
    agency, staff_user, teammate_user, django_capture_on_commit_callbacks
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    services.request_assign(
        info_request=req, by=staff_user, assignee=teammate_user, now=at("2026-03-02")
    )
    WorkCalendarDay.objects.create(
        date=D("2026-03-07"), kind="work", name="调休测试"
    )  # a Saturday
    with django_capture_on_commit_callbacks(execute=True):
        announce([2026])
    req = InfoRequest.objects.get(pk=req.pk)
    assert req.reply_due_date == D("2026-03-27")
    assert [m.to for m in mail.outbox] == [[teammate_user.email]]
    assert "2026-03-27" in mail.outbox[0].subject
    event = RequestEvent.objects.get(
        info_request=req, kind=EventKind.DEADLINE_RECOMPUTED
    )
    assert event.actor is None
    assert event.actor_label == "系统"


def test_unrelated_years_leave_deadlines_alone(agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    WorkCalendarDay.objects.create(date=D("2026-03-10"), kind="rest", name="测试假日")
    announce([2024])
    assert InfoRequest.objects.get(pk=req.pk).reply_due_date == D("2026-03-30")


def test_published_next_year_replaces_the_provisional_deadline(agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, now=at("2026-12-15"))
    assert req.due_is_provisional
    provisional_due = req.reply_due_date
    WorkCalendarYear.objects.create(year=2027, source="测试")
    for day in ("2027-01-01", "2027-01-04"):
        WorkCalendarDay.objects.create(date=D(day), kind="rest", name="元旦")
    announce([2027])
    req = InfoRequest.objects.get(pk=req.pk)
    assert not req.due_is_provisional
    assert req.reply_due_date > provisional_due
    event = RequestEvent.objects.get(
        info_request=req, kind=EventKind.DEADLINE_RECOMPUTED
    )
    assert event.data["provisional"] is False
