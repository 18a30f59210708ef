"""The queue's 答复期限 column says where the clock stands, never a stale running date:
补正中，计时暂停 / 征求意见中，暂停至… / 待缴费，计时暂停 / 今天到期 / 已逾期 N 个工作日 /
剩 N 个工作日 (requests_app.selectors.deadline_state)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from portal.workdays import WorkCalendar
from requests_app import services
from requests_app.models import InfoRequest, Status
from requests_app.selectors import deadline_state
from tests.factories import InfoRequestFactory
from tests.requests_app.conftest import at

# weekends only: Mon 2026-03-02 … Fri 2026-03-06, Mon 2026-03-09 …
CAL = WorkCalendar(special={}, official_years=frozenset({2026}))
MON = date(2026, 3, 9)


def state(status: str, due: date | None, **kwargs):
    req = InfoRequest(status=status, reply_due_date=due)
    return deadline_state(req, MON, CAL, **kwargs)


def test_running_clock_in_words():
    assert state(Status.PROCESSING, date(2026, 3, 9)).text == "今天到期"
    assert state(Status.PROCESSING, date(2026, 3, 9)).tone == "due-today"
    late = state(Status.PROCESSING, date(2026, 3, 5))  # Thu: Fri and Mon since
    assert (late.text, late.tone) == ("已逾期 2 个工作日", "overdue")
    soon = state(Status.PROCESSING, date(2026, 3, 13))
    assert (soon.text, soon.tone) == ("剩 4 个工作日", "due-soon")
    far = state(Status.PROCESSING, date(2026, 3, 31))
    assert (far.text, far.tone, far.due_date) == (
        "剩 16 个工作日",
        "",
        date(2026, 3, 31),
    )


def test_paused_clock_shows_no_date():
    corr = state(Status.AWAITING_CORRECTION, date(2026, 3, 5))
    assert (corr.text, corr.tone, corr.due_date) == ("补正中，计时暂停", "paused", None)
    consult = state(
        Status.CONSULTING, date(2026, 3, 5), consultation_due=date(2026, 3, 20)
    )
    assert consult.text == "征求意见中，暂停至 2026-03-20"
    assert consult.due_date is None
    assert state(Status.CONSULTING, None).text == "征求意见中，计时暂停"
    fee = state(Status.AWAITING_PAYMENT, date(2026, 3, 5), fee_pauses_clock=True)
    assert (fee.text, fee.due_date) == ("待缴费，计时暂停", None)
    # where the fee notice does not pause the clock, the date still runs
    fee_running = state(
        Status.AWAITING_PAYMENT, date(2026, 3, 5), fee_pauses_clock=False
    )
    assert fee_running.text == "已逾期 2 个工作日"


def test_no_deadline_before_confirmation_or_after_closing():
    assert state(Status.PENDING, None) is None
    assert state(Status.REPLIED, date(2026, 3, 5)) is None


def deadline_cell(html: str, tracking_no: str) -> str:
    row = re.search(
        rf"<tr[^>]*>\s*<th[^>]*><a [^>]*>{tracking_no}</a>.*?</tr>", html, re.S
    )
    assert row, tracking_no
    cell = re.search(r'<td data-label="答复期限"[^>]*>(.*?)</td>', row.group(0), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell.group(1))).strip()


@pytest.mark.django_db
def test_queue_shows_paused_states(staff_client, agency, staff_user):
    with time_machine.travel(at("2026-03-02"), tick=False):
        correcting = InfoRequestFactory(agency=agency, confirm_by=staff_user)
        consulting = InfoRequestFactory(agency=agency, confirm_by=staff_user)
        running = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    services.request_ask_correction(
        info_request=correcting,
        by=staff_user,
        items="请写明学年。",
        now=at("2026-03-03"),
    )
    consultation = services.request_start_consultation(
        info_request=consulting,
        by=staff_user,
        party_type="third_party",
        party_name="某建设有限公司",
        now=at("2026-03-03"),
    )
    running.refresh_from_db()
    with time_machine.travel(at("2026-03-04"), tick=False):
        html = staff_client.get(reverse("requests_app:staff_queue")).content.decode()
    assert deadline_cell(html, correcting.tracking_no).startswith("补正中，计时暂停")
    assert deadline_cell(html, consulting.tracking_no).startswith(
        f"征求意见中，暂停至 {consultation.due_date:%Y-%m-%d}"
    )
    # a paused request shows no running due date
    correcting.refresh_from_db()
    assert f"{correcting.reply_due_date:%Y-%m-%d}" not in deadline_cell(
        html, correcting.tracking_no
    )
    cell = deadline_cell(html, running.tracking_no)
    assert cell.startswith(f"{running.reply_due_date:%Y-%m-%d}")
    assert re.search(r"剩 \d+ 个工作日", cell)
