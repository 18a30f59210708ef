"""The official calendar straight from the chinesecalendar package (no database),
for pure tests of portal.workdays."""

from __future__ import annotations

from chinese_calendar.constants import holidays, workdays

from portal.workdays import WorkCalendar, build_calendar

PACKAGE_YEARS = range(2004, 2027)
# chinesecalendar's English keys -> the notice's names (as in migration 0002).
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_rows() -> list[tuple]:
    rows = [(d, "rest", NAMES[v]) for d, v in holidays.items()]
    rows += [(d, "work", NAMES[v]) for d, v in workdays.items()]
    return sorted(rows)


def package_calendar() -> WorkCalendar:
    return build_calendar(package_rows(), PACKAGE_YEARS)


# Shared domain.md §3.5 / docs/deadlines.md: (received, working days, deadline, what).
REFERENCE_DEADLINES = [
    ("2026-01-29", 7, "2026-02-09", "补正告知 7 个工作日"),
    ("2026-01-29", 20, "2026-03-04", "跨春节；2-14、2-28 周六上班"),
    ("2025-12-31", 20, "2026-01-29", "跨年、跨元旦"),
    ("2025-09-26", 20, "2025-10-30", "跨国庆、中秋"),
    ("2026-09-18", 20, "2026-10-22", "9-20 周日上班，跨国庆"),
    ("2026-09-18", 40, "2026-11-19", "延期后共 40 个工作日"),
    ("2026-02-14", 20, "2026-03-20", "收到日是调休上班的周六"),
    ("2026-02-15", 20, "2026-03-20", "收到日是春节假日"),
    ("2026-03-02", 7, "2026-03-11", "补正告知"),
    ("2026-03-16", 20, "2026-04-14", "补正后重新起算"),
    ("2026-04-14", 20, "2026-05-14", "再延期 20 个工作日；跨劳动节"),
]
