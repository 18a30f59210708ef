"""The law of deadlines, pure (no database): domain.md §3.5 reference table through
requests_app.deadlines, 补正 restart, consultation pauses, extension, fees, Art. 31."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.workdays import PROVISIONAL_NOTE, is_workday
from requests_app import deadlines
from requests_app.deadlines import Pause
from tests.requests_app.calendar_data import official_calendar

CAL = official_calendar()
D = date.fromisoformat


def independent_count(start: date, n: int) -> date:
    """An independent count over the official calendar with chinese_calendar itself."""
    import chinese_calendar

    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            counted += 1
    return d


# domain.md §3.5 (received, working days, deadline)
REFERENCE = [
    ("2026-01-29", 20, "2026-03-04"),
    ("2025-12-31", 20, "2026-01-29"),
    ("2025-09-26", 20, "2025-10-30"),
    ("2026-09-18", 20, "2026-10-22"),
    ("2026-02-14", 20, "2026-03-20"),
    ("2026-02-15", 20, "2026-03-20"),
    ("2026-03-16", 20, "2026-04-14"),
]


@pytest.mark.parametrize(("received", "n", "expected"), REFERENCE)
def test_reply_deadline_matches_reference_table(received, n, expected):
    result = deadlines.reply_deadline(D(received), CAL)
    assert result.due_date == D(expected)
    assert result.due_date == independent_count(D(received), n)
    assert result.provisional is False
    assert result.workdays == 20


@pytest.mark.parametrize(
    ("received", "expected"),
    [("2026-01-29", "2026-02-09"), ("2026-03-02", "2026-03-11")],
)
def test_correction_notice_due_matches_reference_table(received, expected):
    assert deadlines.correction_notice_due(D(received), CAL).due_date == D(expected)


def test_extension_of_twenty_days_gives_forty_working_days():
    # §3.5: 2026-09-18 +40 (with extension) → 2026-11-19
    result = deadlines.reply_deadline(D("2026-09-18"), CAL, extension_days=20)
    assert result.due_date == D("2026-11-19")
    assert result.workdays == 40


def test_correction_restarts_clock_then_extension_reference_example():
    # §3.5: received 2026-03-02; 补正 notice by 03-11; correction received 03-16 → 04-14;
    # extended → 05-14
    received = D("2026-03-02")
    assert deadlines.correction_notice_due(received, CAL).due_date == D("2026-03-11")
    start = deadlines.clock_start_for(received, D("2026-03-16"))
    assert start == D("2026-03-16")
    assert deadlines.reply_deadline(start, CAL).due_date == D("2026-04-14")
    assert deadlines.reply_deadline(start, CAL, extension_days=20).due_date == D(
        "2026-05-14"
    )


def test_clock_start_without_correction_is_receipt_date():
    assert deadlines.clock_start_for(D("2026-03-02"), None) == D("2026-03-02")


def test_spring_festival_explanation_names_skipped_days_and_in_lieu_saturdays():
    result = deadlines.reply_deadline(D("2026-01-29"), CAL)
    by_date = {d.date: d for d in result.days}
    assert by_date[D("2026-02-14")].number is not None  # 调休上班 Saturday counts
    assert by_date[D("2026-02-14")].reason == "调休上班"
    assert by_date[D("2026-02-16")].number is None
    assert (
        "Spring Festival" in by_date[D("2026-02-16")].reason
        or "春节" in by_date[D("2026-02-16")].reason
    )
    assert by_date[D("2026-02-28")].number is not None
    counted = [d.number for d in result.days if d.is_counted]
    assert counted == list(range(1, 21))
    assert result.days[0].date == D("2026-01-30")
    assert result.days[-1].date == result.due_date


def test_national_day_with_sunday_working_day():
    result = deadlines.reply_deadline(D("2026-09-18"), CAL)
    by_date = {d.date: d for d in result.days}
    assert by_date[D("2026-09-20")].is_counted  # Sunday 调休上班
    assert not any(by_date[D(f"2026-10-0{i}")].is_counted for i in range(1, 8))
    assert by_date[D("2026-10-10")].is_counted  # Saturday 调休上班


def test_year_end_crossing_into_unpublished_year_is_provisional():
    result = deadlines.reply_deadline(D("2026-12-15"), CAL)
    assert result.provisional is True
    assert result.note == PROVISIONAL_NOTE
    # provisional 2027: 元旦 rest, weekends rest, no 调休
    assert not any(d.is_counted for d in result.days if d.date == D("2027-01-01"))
    assert all(not d.is_counted for d in result.days if d.date.weekday() >= 5)
    # independent count: 2026 official days, 2027 weekdays except 1/1
    d, n = D("2026-12-15"), 0
    while n < 20:
        d += timedelta(days=1)
        official = d.year == 2026 and is_workday(d, CAL)
        provisional = d.year == 2027 and d.weekday() < 5 and d != D("2027-01-01")
        if official or provisional:
            n += 1
    assert result.due_date == d


def test_deadline_entirely_in_2026_is_not_provisional():
    assert deadlines.reply_deadline(D("2026-11-02"), CAL).provisional is False


def test_consultation_pause_moves_deadline_by_exactly_its_working_days():
    start = D("2026-03-02")
    plain = deadlines.reply_deadline(start, CAL)
    sent, replied = D("2026-03-05"), D("2026-03-12")
    end, paused = deadlines.consultation_pause(sent, replied, CAL)
    assert end == replied
    assert paused == 5  # 03-06, 03-09 … 03-12 minus the weekend
    moved = deadlines.reply_deadline(
        start, CAL, pauses=[Pause(sent, end, deadlines.CONSULTATION_PAUSE_REASON)]
    )
    assert moved.paused_workdays == paused
    assert moved.due_date == independent_count(plain.due_date, paused)
    paused_days = [d for d in moved.days if d.paused]
    assert [d.date for d in paused_days] == [
        D("2026-03-06"),
        D("2026-03-09"),
        D("2026-03-10"),
        D("2026-03-11"),
        D("2026-03-12"),
    ]
    assert all(d.reason == deadlines.CONSULTATION_PAUSE_REASON for d in paused_days)


def test_consultation_pause_is_capped_at_fifteen_working_days():
    sent = D("2026-03-02")
    end, paused = deadlines.consultation_pause(sent, D("2026-06-30"), CAL)
    assert paused == 15
    assert end == deadlines.consultation_due(sent, CAL).due_date == D("2026-03-23")


def test_consultation_reply_before_sending_is_refused():
    with pytest.raises(ValueError, match="不能早于"):
        deadlines.consultation_pause(D("2026-03-05"), D("2026-03-04"), CAL)


def test_pause_over_a_holiday_counts_only_working_days():
    # sent 2026-09-29, reply 2026-10-09: working days 9-30, 10-08, 10-09 (10-01..07 国庆)
    _, paused = deadlines.consultation_pause(D("2026-09-29"), D("2026-10-09"), CAL)
    assert paused == 3


@pytest.mark.parametrize("days", [-1, 21])
def test_extension_outside_limits_is_refused(days):
    with pytest.raises(ValueError, match="延长期限"):
        deadlines.reply_deadline(D("2026-03-02"), CAL, extension_days=days)


# --- 条例 第三十一条 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "kwargs", "expected"),
    [
        ("in_person", {"handed_in_date": D("2026-03-02")}, D("2026-03-02")),
        (
            "post_signed",
            {"signed_date": D("2026-03-03"), "confirmed_date": D("2026-03-09")},
            D("2026-03-03"),
        ),
        (
            "post_ordinary",
            {"signed_date": D("2026-03-03"), "confirmed_date": D("2026-03-05")},
            D("2026-03-05"),
        ),
        (
            "online",
            {"handed_in_date": D("2026-03-01"), "confirmed_date": D("2026-03-04")},
            D("2026-03-04"),
        ),
        ("email", {"confirmed_date": D("2026-03-06")}, D("2026-03-06")),
        ("fax", {"confirmed_date": D("2026-03-06")}, D("2026-03-06")),
    ],
)
def test_received_date_follows_article_31(channel, kwargs, expected):
    assert deadlines.received_date_for(channel, **kwargs) == expected


def test_received_date_missing_the_date_the_rule_needs():
    with pytest.raises(ValueError, match="签收日期"):
        deadlines.received_date_for("post_signed", handed_in_date=D("2026-03-02"))
    with pytest.raises(ValueError, match="双方确认日期"):
        deadlines.received_date_for("online")
    with pytest.raises(ValueError, match="未知的申请渠道"):
        deadlines.received_date_for("pigeon", confirmed_date=D("2026-03-02"))


def test_channels_needing_confirmation():
    assert [c for c in deadlines.RECEIPT_RULES if deadlines.needs_confirmation(c)] == [
        "post_ordinary",
        "online",
        "email",
        "fax",
    ]


# --- due soon / overdue ------------------------------------------------------------------


def test_due_soon_is_five_working_days_or_fewer():
    due = D("2026-03-20")  # Friday
    assert deadlines.is_due_soon(D("2026-03-13"), due, CAL)  # 5 working days left
    assert not deadlines.is_due_soon(D("2026-03-12"), due, CAL)  # 6 left
    assert deadlines.is_due_soon(due, due, CAL)
    assert not deadlines.is_due_soon(D("2026-03-23"), due, CAL)
    assert deadlines.workdays_left(D("2026-03-23"), due, CAL) == -1
    assert deadlines.workdays_left(D("2026-03-13"), due, CAL) == 5


# --- fees (国办函〔2020〕109号; domain.md §2.6 worked examples) ---------------------------------


def test_fee_by_item_worked_example_35_requests():
    assert deadlines.fee_by_item(35) == Decimal(3000)


@pytest.mark.parametrize(
    ("pages", "fee"),
    [
        (150, 1700),
        (250, 4700),
        (30, 0),
        (31, 10),
        (100, 700),
        (101, 720),
        (200, 2700),
        (201, 2740),
    ],
)
def test_fee_by_volume_worked_examples_and_band_edges(pages, fee):
    assert deadlines.fee_by_volume(pages) == Decimal(fee)


@pytest.mark.parametrize(
    ("n", "fee"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (51, 400)],
)
def test_fee_for_nth_item_bands(n, fee):
    assert deadlines.fee_for_nth_item(n) == Decimal(fee)


def test_fee_by_item_continues_from_previous_requests():
    assert deadlines.fee_by_item(5, previous=30) == Decimal(1000)
    assert deadlines.fee_by_item(30) + deadlines.fee_by_item(
        5, previous=30
    ) == deadlines.fee_by_item(35)


def test_fee_inputs_must_be_non_negative():
    with pytest.raises(ValueError, match="页数不能为负数"):
        deadlines.fee_by_volume(-1)
    with pytest.raises(ValueError, match="件数必须是正整数"):
        deadlines.fee_for_nth_item(0)


def test_fee_pay_by_is_twenty_working_days_after_notice():
    assert deadlines.fee_pay_by(D("2026-01-29"), CAL).due_date == D("2026-03-04")


# --- issue 9 §3: 平常信函 arrival, consultation from the party's receipt, fees -------------


@pytest.mark.parametrize(
    ("arrived", "confirmed", "received", "late"),
    [
        ("2026-03-03", "2026-03-03", "2026-03-03", False),  # confirmed on arrival
        ("2026-03-03", "2026-03-05", "2026-03-03", True),  # late: arrival kept
        ("2026-03-03", "2026-03-20", "2026-03-03", True),
        (None, "2026-03-05", "2026-03-05", False),  # arrival unknown (legacy row)
    ],
)
def test_ordinary_letter_received_never_later_than_arrival(
    arrived, confirmed, received, late
):
    arrived = D(arrived) if arrived else None
    assert deadlines.received_date_for(
        "post_ordinary", confirmed_date=D(confirmed), arrived_date=arrived
    ) == D(received)
    assert (
        deadlines.confirmation_is_late(
            "post_ordinary", arrived_date=arrived, confirmed_date=D(confirmed)
        )
        is late
    )


@pytest.mark.parametrize("channel", ["online", "fax", "email"])
def test_arrival_date_only_matters_for_ordinary_letters(channel):
    assert deadlines.received_date_for(
        channel, confirmed_date=D("2026-03-05"), arrived_date=D("2026-03-03")
    ) == D("2026-03-05")
    assert not deadlines.confirmation_is_late(
        channel, arrived_date=D("2026-03-03"), confirmed_date=D("2026-03-05")
    )


@pytest.mark.parametrize(
    ("sent", "received", "replied", "end", "paused"),
    [
        # receipt unknown: 15 working days from sending (the shortest pause)
        ("2026-03-03", None, "2026-04-30", "2026-03-24", 15),
        # the party got the letter a week later: its 15 days run from then
        ("2026-03-03", "2026-03-10", "2026-04-30", "2026-03-31", 20),
        # an early opinion: the pause ends with it
        ("2026-03-03", "2026-03-10", "2026-03-12", "2026-03-12", 7),
        # handed over the same day
        ("2026-03-03", "2026-03-03", "2026-03-05", "2026-03-05", 2),
    ],
)
def test_consultation_pause_runs_from_the_partys_receipt(
    sent, received, replied, end, paused
):
    got = deadlines.consultation_pause(
        D(sent),
        D(replied),
        CAL,
        party_received_date=D(received) if received else None,
    )
    assert got == (D(end), paused)
    due = deadlines.consultation_due(
        D(sent), CAL, party_received_date=D(received) if received else None
    ).due_date
    assert due == independent_count(D(received or sent), 15)


def test_consultation_over_national_day_counts_working_days_only():
    import chinese_calendar

    sent, received = D("2026-09-28"), D("2026-09-29")
    end, paused = deadlines.consultation_pause(
        sent, D("2026-12-01"), CAL, party_received_date=received
    )
    assert end == independent_count(received, 15)
    assert paused == sum(
        1
        for i in range(1, (end - sent).days + 1)
        if chinese_calendar.is_workday(sent + timedelta(days=i))
    )
    assert paused == 16


@pytest.mark.parametrize(
    ("sent", "received", "replied", "message"),
    [
        ("2026-03-05", "2026-03-04", None, "不能早于发出日期"),
        ("2026-03-05", None, "2026-03-04", "不能早于发出征求意见的日期"),
        ("2026-03-05", "2026-03-09", "2026-03-06", "不能早于对方收到"),
    ],
)
def test_consultation_dates_must_be_in_order(sent, received, replied, message):
    problem = deadlines.consultation_dates_problem(
        D(sent),
        party_received_date=D(received) if received else None,
        replied_date=D(replied) if replied else None,
    )
    assert message in problem


def test_clock_pauses_from_stored_facts():
    start = D("2026-03-02")
    consultations = [
        deadlines.ConsultationFacts(D("2026-03-03"), D("2026-03-31"), D("2026-03-10")),
        deadlines.ConsultationFacts(D("2026-04-01"), None),  # open: no pause yet
        deadlines.ConsultationFacts(D("2026-02-20"), D("2026-02-27")),  # before start
    ]
    fees = [
        deadlines.FeeFacts(D("2026-04-01"), D("2026-04-08")),
        deadlines.FeeFacts(D("2026-04-09"), None),  # open / expired: no pause
    ]
    pauses = deadlines.clock_pauses(start, CAL, consultations=consultations, fees=fees)
    assert pauses == [
        Pause(D("2026-03-03"), D("2026-03-31"), deadlines.CONSULTATION_PAUSE_REASON),
        Pause(D("2026-04-01"), D("2026-04-08"), deadlines.FEE_PAUSE_REASON),
    ]
    assert (
        deadlines.clock_pauses(
            start,
            CAL,
            consultations=consultations,
            fees=fees,
            fee_notice_pauses_clock=False,
        )
        == pauses[:1]
    )
    result = deadlines.request_reply_deadline(
        start, CAL, consultations=consultations, fees=fees
    )
    assert deadlines.paused_workdays_split(result) == (20, 4)
    assert deadlines.request_reply_deadline(None, CAL) is None


@pytest.mark.parametrize(
    ("method", "earlier", "forms", "fragment"),
    [
        ("by_item", [], [], ""),
        ("by_item", ["by_item"], ["paper"], ""),
        ("by_volume", [], ["paper"], ""),
        ("by_volume", [], ["email"], ""),  # 109号 第五条: 发送电子邮件
        ("by_volume", [], ["cd"], ""),
        ("by_volume", [], ["disk"], ""),
        ("by_volume", [], [], "第五条"),
        ("by_volume", ["by_item"], ["paper"], "第三条"),
        ("by_item", ["by_volume"], ["paper"], "第三条"),
        ("both", [], ["paper"], "请选择计费方式"),
    ],
)
def test_fee_method_rules(method, earlier, forms, fragment):
    problem = deadlines.fee_method_problem(
        method, earlier_methods=earlier, provide_forms=forms
    )
    assert (fragment in problem) if fragment else problem == ""
    if fragment:
        assert problem


def test_fee_pay_by_period_is_a_parameter():
    assert deadlines.fee_pay_by(D("2026-01-29"), CAL, 10).due_date == independent_count(
        D("2026-01-29"), 10
    )
