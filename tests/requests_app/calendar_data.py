"""An official calendar for 2024–2026 built from the chinesecalendar package (which
transcribes the 国务院办公厅 notices), with no database: 2027 is therefore provisional."""

from __future__ import annotations

from chinese_calendar.constants import holidays, workdays

from portal.workdays import WorkCalendar, build_calendar

OFFICIAL_YEARS = (2024, 2025, 2026)


def official_calendar() -> WorkCalendar:
    rows = [
        (d, "rest", str(v)) for d, v in holidays.items() if d.year in OFFICIAL_YEARS
    ]
    rows += [
        (d, "work", str(v)) for d, v in workdays.items() if d.year in OFFICIAL_YEARS
    ]
    return build_calendar(sorted(rows), OFFICIAL_YEARS)
