"""Deadlines of the report, table 三 folding, percentiles, working-day prefix sums. Pure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from disclosure import layout
from disclosure.deadlines import (
    LATE_PUBLISHED,
    NOT_DUE,
    ON_TIME,
    OVERDUE,
    deadline_for,
    deadline_state,
    parse_month_day,
)
from disclosure.stats import WorkdayCounter, percentile, table3_from_groups
from portal.workdays import build_calendar, working_days_between


def test_deadline_for_departments_and_governments():
    assert deadline_for(
        2025, is_government=False, department="01-31", government="03-31"
    ) == date(2026, 1, 31)
    assert deadline_for(
        2025, is_government=True, department="01-31", government="03-31"
    ) == date(2026, 3, 31)
    # a stricter local rule, and a day past the month's end clamps to it
    assert deadline_for(
        2025, is_government=False, department="01-26", government="03-31"
    ) == date(2026, 1, 26)
    assert deadline_for(
        2026, is_government=False, department="02-30", government="03-31"
    ) == date(2027, 2, 28)


def test_malformed_deadline_setting_falls_back_to_the_statutory_date():
    assert parse_month_day("1月31日", "03-31") == (3, 31)
    assert parse_month_day("13-01", "01-31") == (1, 31)


def test_deadline_state():
    d = date(2026, 1, 31)
    assert deadline_state(d, date(2026, 1, 31), date(2026, 5, 1)) == ON_TIME
    assert deadline_state(d, date(2026, 2, 1), date(2026, 5, 1)) == LATE_PUBLISHED
    assert deadline_state(d, None, date(2026, 1, 31)) == NOT_DUE
    assert deadline_state(d, None, date(2026, 2, 1)) == OVERDUE


def _g(kind, outcome, new=0, carried_in=0, closed=0, carried_out=0):
    return {
        "applicant_kind": kind,
        "outcome": outcome,
        "new": new,
        "carried_in": carried_in,
        "closed": closed,
        "carried_out": carried_out,
    }


def test_table3_from_groups_folds_kinds_and_outcomes():
    table, count = table3_from_groups(
        [
            _g("natural", "disclosed", new=3, closed=3),
            _g("natural", "partial", new=1, carried_in=1, closed=2),
            _g("natural", "", new=2, carried_out=2),
            _g("legal_service", "other", new=1, closed=1),
        ]
    )
    assert table[layout.ROW_NEW]["自然人"] == 6
    assert table[layout.ROW_NEW]["总计"] == 7
    assert table["（一）予以公开"]["自然人"] == 3
    assert (
        table["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]["自然人"] == 2
    )
    assert table["3.其他"]["法律服务机构"] == 1
    assert table["（七）总计"]["总计"] == 6
    assert table[layout.ROW_CARRIED_OUT]["总计"] == 2
    assert (count.closed, count.without_outcome) == (6, 0)


def test_table3_from_groups_counts_closed_without_outcome_apart():
    table, count = table3_from_groups([_g("commercial", "", closed=2)])
    assert table["（七）总计"]["总计"] == 0
    assert (count.closed, count.without_outcome) == (2, 2)


def test_percentile_matches_inclusive_interpolation():
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == 5.5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)


def test_workday_counter_equals_working_days_between():
    cal = build_calendar(
        [
            (date(2026, 2, 16), "rest", "春节"),
            (date(2026, 2, 17), "rest", "春节"),
            (date(2026, 2, 14), "work", "春节"),
        ],
        [2026],
    )
    start, end = date(2026, 1, 20), date(2026, 3, 20)
    counter = WorkdayCounter(start, end, cal)
    for a_off in range(0, 50, 7):
        for b_off in range(0, 59, 5):
            a, b = start + timedelta(days=a_off), start + timedelta(days=b_off)
            assert counter.between(a, b) == working_days_between(a, b, cal)
