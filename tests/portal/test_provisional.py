"""The provisional (rule-based) calendar for years without an official schedule."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar.constants import holidays

from portal.workdays import (
    PROVISIONAL_NOTE,
    DayStatus,
    add_working_days,
    build_calendar,
    day_status,
    load_calendar,
    provisional_rest_days,
    qingming,
    working_days_between,
)
from tests.portal.calendar_data import package_calendar

CAL = package_calendar()

# 清明 (the solar term) 2004–2026, as observed; 2008–2026 are also the package's 清明 holiday.
QINGMING_KNOWN = {
    2004: 4,
    2005: 5,
    2006: 5,
    2007: 5,
    2008: 4,
    2009: 4,
    2010: 5,
    2011: 5,
    2012: 4,
    2013: 4,
    2014: 5,
    2015: 5,
    2016: 4,
    2017: 4,
    2018: 5,
    2019: 5,
    2020: 4,
    2021: 4,
    2022: 5,
    2023: 5,
    2024: 4,
    2025: 4,
    2026: 5,
}


def test_the_raw_package_lookup_fails_for_2027():
    # The reason for the provisional rule: the package has no data after 2026.
    with pytest.raises(NotImplementedError, match="no available data for year 2027"):
        chinese_calendar.is_workday(date(2027, 1, 4))


@pytest.mark.parametrize("year", sorted(QINGMING_KNOWN))
def test_qingming_formula_matches_known_dates(year):
    assert qingming(year) == date(year, 4, QINGMING_KNOWN[year])
    terms = {
        name: d
        for d, name in chinese_calendar.get_solar_terms(
            date(year, 4, 1), date(year, 4, 30)
        )
    }
    assert qingming(year) == terms["清明"]


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_is_the_packages_tomb_sweeping_holiday(year):
    assert holidays[qingming(year)] == "Tomb-sweeping Day"


@pytest.mark.parametrize("year", range(2004, 2027))
def test_lunar_new_year_is_in_the_packages_spring_festival(year):
    first_day = next(
        d
        for d, name in provisional_rest_days(year).items()
        if name == "春节" and d.month <= 2
    )
    # the first of the four computed days is 除夕; 初一 is the next day
    assert holidays[first_day + timedelta(days=1)] == "Spring Festival"


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_duanwu_and_mid_autumn_are_official_rest_days(year):
    # These became public holidays in 2008.
    rule = provisional_rest_days(year)
    for name in ("清明节", "端午节", "中秋节"):
        (day,) = [d for d, n in rule.items() if name in n]
        assert chinese_calendar.is_holiday(day), (day, name)


@pytest.mark.parametrize("year", [2025, 2026])
def test_under_the_current_statute_every_rule_day_is_an_official_rest_day(year):
    # 《全国年节及纪念日放假办法》 as revised in force 2025-01-01: 除夕 and 5-2 included.
    for day in provisional_rest_days(year):
        assert chinese_calendar.is_holiday(day), day


def test_provisional_rest_days_2027():
    assert provisional_rest_days(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节",  # 除夕
        date(2027, 2, 6): "春节",  # 正月初一
        date(2027, 2, 7): "春节",
        date(2027, 2, 8): "春节",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }


def test_two_holidays_on_one_day_keep_both_names():
    assert provisional_rest_days(2020)[date(2020, 10, 1)] == "中秋节、国庆节"


def test_provisional_rest_days_returns_a_fresh_dict():
    days = provisional_rest_days(2027)
    days.clear()
    assert provisional_rest_days(2027)


@pytest.mark.parametrize("year", [1900, 2100])
def test_years_outside_the_rule_range_give_a_clear_error(year):
    with pytest.raises(ValueError, match=f"无法推算 {year} 年"):
        provisional_rest_days(year)
    with pytest.raises(ValueError, match=f"无法推算 {year} 年"):
        day_status(date(year, 3, 1), CAL)


@pytest.mark.parametrize(
    ("day", "is_work", "reason"),
    [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 1, 4), True, ""),
        (date(2027, 2, 5), False, "春节"),
        (date(2027, 2, 9), True, ""),
        (date(2027, 2, 20), False, "周六"),  # no 调休 is assumed
        (date(2027, 5, 3), True, ""),  # no 补假 either
        (date(2027, 10, 4), True, ""),
    ],
)
def test_days_of_a_year_without_schedule_are_provisional(day, is_work, reason):
    assert day_status(day, CAL) == DayStatus(
        date=day, is_workday=is_work, reason=reason, provisional=True
    )


def test_deadline_inside_an_official_year_is_not_provisional():
    assert add_working_days(date(2026, 11, 2), 20, CAL).provisional is False


def test_deadline_that_reaches_into_2027_is_provisional():
    deadline = add_working_days(date(2026, 12, 20), 20, CAL)
    assert deadline.due_date == date(2027, 1, 18)
    assert deadline.provisional is True
    assert all(not s.provisional for s in deadline.days if s.date.year == 2026)
    assert all(s.provisional for s in deadline.days if s.date.year == 2027)
    assert next(s for s in deadline.days if s.date == date(2027, 1, 1)).reason == "元旦"


def test_deadline_over_spring_festival_2027():
    deadline = add_working_days(date(2027, 2, 1), 7, CAL)
    assert deadline.due_date == date(2027, 2, 12)
    assert [s.reason for s in deadline.days if not s.is_workday] == [
        "春节",
        "春节",
        "春节",
        "春节",
    ]


def test_special_rows_win_over_the_rule_in_a_year_not_yet_official():
    # An admin typed one 2027 day before the whole notice was imported.
    cal = build_calendar([(date(2027, 2, 20), "work", "春节")], range(2004, 2027))
    assert day_status(date(2027, 2, 20), cal) == DayStatus(
        date(2027, 2, 20), True, "调休上班", True
    )


def test_marking_the_year_official_drops_the_rule():
    cal = build_calendar([(date(2027, 1, 1), "rest", "元旦")], [2027])
    # 2027-02-05 is 除夕 by the rule, but the (here: incomplete) official table rules now.
    assert day_status(date(2027, 2, 5), cal) == DayStatus(
        date(2027, 2, 5), True, "", False
    )


def test_provisional_note_wording():
    assert PROVISIONAL_NOTE == "预计，以国务院办公厅公布的节假日安排为准"


@pytest.mark.django_db
def test_load_calendar_reads_the_seeded_table():
    cal = load_calendar()
    assert cal.official_years == frozenset(range(2004, 2027))
    assert dict(cal.special) == dict(CAL.special)


@pytest.mark.django_db
def test_load_calendar_for_some_years_and_the_2027_fallback(django_assert_num_queries):
    with django_assert_num_queries(2):
        cal = load_calendar(years=[2026, 2027])
    assert cal.official_years == frozenset({2026})
    assert {d.year for d in cal.special} == {2026}
    assert add_working_days(date(2026, 12, 20), 20, cal).due_date == date(2027, 1, 18)
    assert working_days_between(date(2026, 12, 31), date(2027, 12, 31), cal) > 240
