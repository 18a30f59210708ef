"""Publication deadlines of the annual report (条例 第四十九条第一款、第二款).

Departments publish last year's report by 1月31日, governments by 3月31日; a
jurisdiction may set earlier dates in the admin (portal.SiteIdentity, "MM-DD" of the
following year). Pure functions.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

STATUTORY_DEPARTMENT = "01-31"  # 第四十九条第一款
STATUTORY_GOVERNMENT = "03-31"  # 第四十九条第二款
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def parse_month_day(text: str, fallback: str) -> tuple[int, int]:
    """ "MM-DD" → (month, day); a malformed setting falls back to the statutory date."""
    for candidate in (text or "", fallback):
        m = _MONTH_DAY.match(candidate.strip())
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1 <= day <= 31:
                return month, day
    raise ValueError(f"invalid fallback {fallback!r}")


def deadline_for(
    year: int, *, is_government: bool, department: str, government: str
) -> date:
    """The day by which the report on ``year`` must be published (in year + 1)."""
    if is_government:
        month, day = parse_month_day(government, STATUTORY_GOVERNMENT)
    else:
        month, day = parse_month_day(department, STATUTORY_DEPARTMENT)
    last = calendar.monthrange(year + 1, month)[1]
    return date(year + 1, month, min(day, last))


@dataclass(frozen=True)
class DeadlineState:
    code: str  # on_time | late_published | overdue | not_due
    label: str


ON_TIME = DeadlineState("on_time", "按时发布")
LATE_PUBLISHED = DeadlineState("late_published", "逾期发布")
OVERDUE = DeadlineState("overdue", "已逾期未发布")
NOT_DUE = DeadlineState("not_due", "未发布（未到期限）")


def deadline_state(
    deadline: date, published_on: date | None, today: date
) -> DeadlineState:
    if published_on is not None:
        return ON_TIME if published_on <= deadline else LATE_PUBLISHED
    return OVERDUE if today > deadline else NOT_DUE
