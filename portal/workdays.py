"""Working-day arithmetic for statutory deadlines (工作日, 节假日, 调休).

Everything here is pure: a frozen :class:`WorkCalendar` value goes in, dates come
out. Only :func:`load_calendar` reads the database (``WorkCalendarDay`` and
``WorkCalendarYear``), and it imports the models inside the function so this module
stays importable without Django being set up.

The rules (docs/deadlines.md, shared domain.md §3):

* An ordinary Monday–Friday is a working day, Saturday and Sunday are rest days,
  unless the official table (the yearly 国务院办公厅 notice) says otherwise: a
  ``rest`` row is a holiday, a ``work`` row is a 调休上班 weekend day.
* A year without an official schedule is *provisional*: weekends plus the statutory
  holidays of 《全国年节及纪念日放假办法》 (元旦 1/1, 春节 除夕–初三, 清明, 劳动节
  5/1–5/2, 端午, 中秋, 国庆节 10/1–10/3), with no 调休 assumed. Every result that
  touches such a year carries ``provisional=True``.
* Counting (《民法典》 第二百零一条): the receipt day is not counted; the deadline of N
  working days is the N-th working day after it. A period that would end on a rest
  day therefore ends on the next working day (第二百零三条) automatically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from lunardate import LunarDate

REST = "rest"
WORK = "work"
KINDS = (REST, WORK)

PROVISIONAL_BASIS = "以国务院办公厅公布的节假日安排为准"
PROVISIONAL_NOTE = f"预计，{PROVISIONAL_BASIS}"
IN_LIEU_WORK = "调休上班"
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# Holiday names as the 国务院办公厅 notice writes them.
NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"

# The provisional rule needs the lunar calendar (lunardate covers lunar years
# 1900–2099) and the 清明 formula (C values for the 20th and 21st centuries).
PROVISIONAL_MIN_YEAR = 1901
PROVISIONAL_MAX_YEAR = 2099


@dataclass(frozen=True)
class WorkCalendar:
    """The official table of special days plus the years it covers."""

    special: Mapping[date, tuple[str, str]]  # date -> ("rest"|"work", name)
    official_years: frozenset[int]  # years whose official schedule is loaded


@dataclass(frozen=True)
class DayStatus:
    date: date
    is_workday: bool
    reason: str  # "" for an ordinary weekday; 周六/周日/春节/…/"调休上班"
    provisional: bool  # True when the date's year is not official (rule-based)

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()]


@dataclass(frozen=True)
class Deadline:
    due_date: date
    provisional: bool
    days: tuple[DayStatus, ...]  # from start + 1 to due_date inclusive

    def numbered_days(self) -> tuple[tuple[DayStatus, int | None], ...]:
        """Each day with its working-day number (1…N), or None for a skipped day."""
        out: list[tuple[DayStatus, int | None]] = []
        counted = 0
        for status in self.days:
            if status.is_workday:
                counted += 1
                out.append((status, counted))
            else:
                out.append((status, None))
        return tuple(out)


def build_calendar(
    rows: Iterable[tuple[date, str, str]], official_years: Iterable[int]
) -> WorkCalendar:
    """A calendar from ``(date, kind, name)`` rows and the official years."""
    special: dict[date, tuple[str, str]] = {}
    for day, kind, name in rows:
        if kind not in KINDS:
            raise ValueError(f"{day}: 类型应为 rest 或 work，而不是 {kind!r}")
        if day in special and special[day] != (kind, name):
            raise ValueError(f"{day} 出现两次且内容不同")
        special[day] = (kind, name)
    return WorkCalendar(
        special=MappingProxyType(special),
        official_years=frozenset(int(y) for y in official_years),
    )


# --- Provisional rule ------------------------------------------------------------


def _check_provisional_year(year: int) -> None:
    if not PROVISIONAL_MIN_YEAR <= year <= PROVISIONAL_MAX_YEAR:
        raise ValueError(
            f"无法推算 {year} 年的节假日：预计规则只支持 "
            f"{PROVISIONAL_MIN_YEAR}–{PROVISIONAL_MAX_YEAR} 年"
        )


def qingming(year: int) -> date:
    """The day of the solar term 清明 (in April), by the 寿星通用公式.

    day = [Y×D + C] − L with Y the last two digits of the year, D = 0.2422,
    C = 4.81 (21st century) or 5.59 (20th), L = [Y/4]. No exception to this formula
    is known for 清明 in 1901–2099. Integer arithmetic avoids float rounding.
    """
    _check_provisional_year(year)
    y = year % 100
    c = 48100 if year >= 2000 else 55900
    return date(year, 4, (y * 2422 + c) // 10000 - y // 4)


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar


@lru_cache(maxsize=256)
def _provisional_map(year: int) -> Mapping[date, str]:
    _check_provisional_year(year)
    days: dict[date, str] = {}

    def add(day: date, name: str) -> None:
        # Two holidays can share a day (中秋 fell on 10-01 in 2001 and 2020).
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(date(year, 1, 1), NEW_YEAR)
    first_day = _lunar_to_solar(year, 1, 1)  # 正月初一
    for offset in (-1, 0, 1, 2):  # 除夕, 初一–初三
        add(first_day + timedelta(days=offset), SPRING_FESTIVAL)
    add(qingming(year), QINGMING)
    add(date(year, 5, 1), LABOUR_DAY)
    add(date(year, 5, 2), LABOUR_DAY)
    add(_lunar_to_solar(year, 5, 5), DRAGON_BOAT)
    add(_lunar_to_solar(year, 8, 15), MID_AUTUMN)
    for day in (1, 2, 3):
        add(date(year, 10, day), NATIONAL_DAY)
    return MappingProxyType(dict(sorted(days.items())))


def provisional_rest_days(year: int) -> dict[date, str]:
    """Rule-based holidays of ``year`` (weekends not included, no 调休 assumed)."""
    return dict(_provisional_map(year))


# --- Days and counting -------------------------------------------------------------


def day_status(d: date, cal: WorkCalendar) -> DayStatus:
    provisional = d.year not in cal.official_years
    weekend = d.weekday() >= 5
    entry = cal.special.get(d)
    if entry is not None:
        kind, name = entry
        if kind == WORK:
            return DayStatus(d, True, IN_LIEU_WORK if weekend else "", provisional)
        return DayStatus(d, False, name or WEEKDAY_NAMES[d.weekday()], provisional)
    if provisional:
        holiday = _provisional_map(d.year).get(d)
        if holiday:
            return DayStatus(d, False, holiday, True)
    if weekend:
        return DayStatus(d, False, WEEKDAY_NAMES[d.weekday()], provisional)
    return DayStatus(d, True, "", provisional)


def is_workday(d: date, cal: WorkCalendar) -> bool:
    return day_status(d, cal).is_workday


def add_working_days(
    start: date, n: int, cal: WorkCalendar, *, count_start_day: bool = False
) -> Deadline:
    """The N-th working day after ``start`` (the receipt day is not counted).

    ``count_start_day=True`` switches to the alternative rule in which ``start``
    itself is counted when it is a working day; ``days`` then begins at ``start``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("工作日数必须是正整数")
    d = start - timedelta(days=1) if count_start_day else start
    limit = d + timedelta(days=7 * n + 400)  # a sane table never needs this much
    days: list[DayStatus] = []
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        if d > limit:
            raise ValueError("节假日表异常：长期没有工作日")
        status = day_status(d, cal)
        days.append(status)
        if status.is_workday:
            counted += 1
    return Deadline(
        due_date=d,
        provisional=any(s.provisional for s in days),
        days=tuple(days),
    )


def working_days_between(start: date, end: date, cal: WorkCalendar) -> int:
    """Working days d with start < d <= end (0 when end <= start)."""
    count = 0
    d = start + timedelta(days=1)
    while d <= end:
        if day_status(d, cal).is_workday:
            count += 1
        d += timedelta(days=1)
    return count


def notice_year(d: date, name: str) -> int:
    """Which year's 国务院办公厅 notice a special day belongs to.

    Only 元旦 crosses the year boundary: its break or 调休 day may fall in the
    December before (e.g. 2018-12-29 上班 and 12-30/31 放假 come from the 2019 notice).
    """
    return d.year + 1 if d.month == 12 and name == NEW_YEAR else d.year


def missing_calendar_years(today: date, official_years: Iterable[int]) -> list[int]:
    """Years admins must be warned about: this year if it has no official schedule,
    and from October on, next year too."""
    have = set(official_years)
    wanted = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [y for y in wanted if y not in have]


def load_calendar(years: Iterable[int] | None = None) -> WorkCalendar:
    """The calendar from the database: the only function here that reads it.

    ``years`` limits what is loaded; pass every year the computation may touch
    (a date in a year that is not loaded is treated as provisional). ``None`` loads
    the whole table (a few hundred rows).
    """
    from portal.models import WorkCalendarDay, WorkCalendarYear

    day_rows = WorkCalendarDay.objects.all()
    year_rows = WorkCalendarYear.objects.all()
    if years is not None:
        wanted = sorted(set(years))
        day_rows = day_rows.filter(date__year__in=wanted)
        year_rows = year_rows.filter(year__in=wanted)
    return build_calendar(
        day_rows.values_list("date", "kind", "name"),
        year_rows.values_list("year", flat=True),
    )
