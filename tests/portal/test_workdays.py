"""Pure tests of portal.workdays: no database mark, so any query fails the test."""

from __future__ import annotations

import random
from datetime import date, timedelta

import chinese_calendar
import pytest

from portal.workdays import (
    IN_LIEU_WORK,
    DayStatus,
    Deadline,
    add_working_days,
    build_calendar,
    day_status,
    is_workday,
    missing_calendar_years,
    notice_year,
    working_days_between,
)
from tests.portal.calendar_data import REFERENCE_DEADLINES, package_calendar

CAL = package_calendar()


def _days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


@pytest.mark.parametrize(
    ("received", "n", "expected", "why"),
    REFERENCE_DEADLINES,
    ids=[f"{r[0]}+{r[1]}" for r in REFERENCE_DEADLINES],
)
def test_reference_deadlines(received, n, expected, why):
    deadline = add_working_days(date.fromisoformat(received), n, CAL)
    assert deadline.due_date == date.fromisoformat(expected), why
    assert deadline.provisional is False


def test_find_workday_pitfall_is_avoided():
    # chinese_calendar.find_workday counts the first working day on or after a rest day
    # as day 0, one working day late; ours does not (domain.md §3.4).
    assert chinese_calendar.find_workday(20, date(2026, 2, 15)) == date(2026, 3, 23)
    assert add_working_days(date(2026, 2, 15), 20, CAL).due_date == date(2026, 3, 20)


@pytest.mark.parametrize(
    ("day", "is_work", "reason"),
    [
        (date(2026, 3, 9), True, ""),  # ordinary Monday
        (date(2026, 3, 7), False, "周六"),
        (date(2026, 3, 8), False, "周日"),
        (date(2026, 2, 14), True, IN_LIEU_WORK),  # 调休上班 Saturday
        (date(2026, 1, 4), True, IN_LIEU_WORK),  # 调休上班 Sunday
        (
            date(2026, 2, 15),
            False,
            "春节",
        ),  # a Sunday inside the break: the holiday wins
        (date(2026, 2, 23), False, "春节"),  # a Monday
        (date(2026, 4, 6), False, "清明节"),
        (date(2026, 5, 5), False, "劳动节"),
        (date(2026, 6, 19), False, "端午节"),
        (date(2026, 9, 25), False, "中秋节"),
        (date(2026, 10, 7), False, "国庆节"),
        (date(2026, 10, 10), True, IN_LIEU_WORK),
        (date(2015, 9, 3), False, "抗战胜利70周年纪念日"),
    ],
)
def test_day_status_reasons(day, is_work, reason):
    status = day_status(day, CAL)
    assert status == DayStatus(
        date=day, is_workday=is_work, reason=reason, provisional=False
    )
    assert is_workday(day, CAL) is is_work


def test_every_day_2004_2026_agrees_with_the_package():
    for d in _days(date(2004, 1, 1), date(2026, 12, 31)):
        assert is_workday(d, CAL) is chinese_calendar.is_workday(d), d


@pytest.mark.parametrize("year", [2025, 2026])
def test_248_working_days_in_2025_and_2026(year):
    assert working_days_between(date(year - 1, 12, 31), date(year, 12, 31), CAL) == 248


def test_deadline_lists_every_day_after_receipt():
    deadline = add_working_days(date(2026, 1, 29), 20, CAL)
    assert isinstance(deadline, Deadline)
    assert deadline.days[0].date == date(2026, 1, 30)
    assert deadline.days[-1].date == deadline.due_date
    assert [s.date for s in deadline.days] == list(
        _days(date(2026, 1, 30), date(2026, 3, 4))
    )
    assert sum(s.is_workday for s in deadline.days) == 20
    numbered = deadline.numbered_days()
    assert [n for _, n in numbered if n is not None] == list(range(1, 21))
    assert numbered[-1][1] == 20
    skipped = {s.date: s.reason for s, n in numbered if n is None}
    assert skipped[date(2026, 1, 31)] == "周六"
    assert skipped[date(2026, 2, 15)] == "春节"
    assert date(2026, 2, 14) not in skipped


@pytest.mark.parametrize("n", [1, 7, 15, 20, 40])
def test_receipt_on_a_rest_day_counts_like_the_working_day_before(n):
    # domain.md §3.3: a receipt on a rest day gives the same deadline as a receipt on
    # the last working day before it, i.e. the next working day is day 1.
    for d in _days(date(2025, 1, 1), date(2026, 10, 31)):
        if is_workday(d, CAL):
            continue
        before = d - timedelta(days=1)
        while not is_workday(before, CAL):
            before -= timedelta(days=1)
        assert (
            add_working_days(d, n, CAL).due_date
            == add_working_days(before, n, CAL).due_date
        ), d


def test_count_start_day_is_the_configurable_alternative():
    normal = add_working_days(date(2026, 1, 29), 20, CAL)
    counted = add_working_days(date(2026, 1, 29), 20, CAL, count_start_day=True)
    assert counted.days[0].date == date(2026, 1, 29)
    assert counted.due_date == date(2026, 3, 3)
    assert normal.due_date == date(2026, 3, 4)
    # A rest-day receipt is not counted either way.
    assert add_working_days(
        date(2026, 2, 15), 20, CAL, count_start_day=True
    ).due_date == date(2026, 3, 20)


@pytest.mark.parametrize("n", [0, -1, True, 2.0])
def test_add_working_days_rejects_non_positive_or_non_integer_counts(n):
    with pytest.raises(ValueError, match="正整数"):
        add_working_days(date(2026, 1, 29), n, CAL)


def test_working_days_between_matches_add_working_days():
    start = date(2026, 1, 29)
    for n in (1, 7, 20, 40):
        assert (
            working_days_between(start, add_working_days(start, n, CAL).due_date, CAL)
            == n
        )
    assert working_days_between(start, start, CAL) == 0
    assert working_days_between(start, start - timedelta(days=10), CAL) == 0
    # 2026-02-15 … 02-23 are all 春节 rest days.
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 23), CAL) == 0
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24), CAL) == 2


def test_build_calendar_validates_rows():
    with pytest.raises(ValueError, match="rest 或 work"):
        build_calendar([(date(2026, 1, 1), "holiday", "元旦")], [2026])
    with pytest.raises(ValueError, match="两次"):
        build_calendar(
            [(date(2026, 1, 1), "rest", "元旦"), (date(2026, 1, 1), "work", "元旦")],
            [2026],
        )
    same = build_calendar([(date(2026, 1, 1), "rest", "元旦")] * 2, [2026])
    assert same.special == {date(2026, 1, 1): ("rest", "元旦")}


def test_calendar_value_is_immutable():
    cal = build_calendar([(date(2026, 1, 1), "rest", "元旦")], [2026])
    with pytest.raises(TypeError):
        cal.special[date(2026, 1, 5)] = ("rest", "x")  # type: ignore[index]
    assert cal.official_years == frozenset({2026})


def test_a_rest_row_without_name_falls_back_to_the_weekday():
    cal = build_calendar(
        [(date(2026, 3, 9), "rest", ""), (date(2026, 3, 7), "rest", "")], [2026]
    )
    assert day_status(date(2026, 3, 9), cal).reason == "周一"
    assert day_status(date(2026, 3, 7), cal).reason == "周六"


def test_work_row_on_a_weekday_is_an_ordinary_working_day():
    cal = build_calendar([(date(2026, 3, 9), "work", "测试")], [2026])
    assert day_status(date(2026, 3, 9), cal) == DayStatus(
        date(2026, 3, 9), True, "", False
    )


def test_a_table_without_working_days_does_not_loop_forever():
    rows = [(d, "rest", "停工") for d in _days(date(2026, 1, 1), date(2027, 12, 31))]
    with pytest.raises(ValueError, match="没有工作日"):
        add_working_days(date(2026, 1, 1), 3, build_calendar(rows, [2026, 2027]))


@pytest.mark.parametrize(
    ("day", "name", "year"),
    [
        (date(2018, 12, 29), "元旦", 2019),  # 调休上班 for 2019's 元旦
        (date(2023, 12, 30), "元旦", 2024),
        (date(2026, 1, 1), "元旦", 2026),
        (date(2026, 12, 31), "国庆节", 2026),
        (date(2026, 10, 1), "国庆节", 2026),
    ],
)
def test_notice_year(day, name, year):
    assert notice_year(day, name) == year


@pytest.mark.parametrize(
    ("today", "official", "missing"),
    [
        (date(2026, 9, 30), {2026}, []),
        (date(2026, 10, 1), {2026}, [2027]),
        (date(2026, 12, 31), {2026}, [2027]),
        (date(2026, 12, 31), {2026, 2027}, []),
        (date(2027, 1, 5), {2026}, [2027]),
        (date(2027, 1, 5), {2027}, []),
        (date(2027, 10, 8), set(), [2027, 2028]),
    ],
)
def test_missing_calendar_years(today, official, missing):
    assert missing_calendar_years(today, official) == missing


@pytest.mark.parametrize("n", [7, 15, 20, 40])
def test_cross_check_against_a_naive_count_over_the_package(n):
    """Independent check: count chinese_calendar.is_workday day by day."""
    rng = random.Random(20260129 + n)
    first, last = (
        date(2004, 1, 1),
        date(2026, 8, 31),
    )  # +40 stays inside the package's data
    for _ in range(300):
        start = first + timedelta(days=rng.randrange((last - first).days + 1))
        d, counted = start, 0
        while counted < n:
            d += timedelta(days=1)
            counted += chinese_calendar.is_workday(d)
        assert add_working_days(start, n, CAL).due_date == d, (start, n)
