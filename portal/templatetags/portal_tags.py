"""Template helpers of the portal core: the day-by-day deadline explanation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from portal.workdays import (
    PROVISIONAL_BASIS,
    PROVISIONAL_NOTE,
    WEEKDAY_NAMES,
    Deadline,
)

register = template.Library()


@register.inclusion_tag("portal/_deadline_explain.html")
def deadline_explain(
    deadline: Deadline,
    start: date | None = None,
    caption: str = "期限计算明细",
    collapsed: bool = False,
) -> dict[str, Any]:
    """Render ``deadline`` day by day: date, 星期, counted number or skip reason.

    ``start`` (the receipt date) is shown as not counted; ``collapsed`` wraps the
    table in ``<details>``. Pure: no queries.
    """
    return {
        "deadline": deadline,
        "rows": deadline.numbered_days(),
        "due_weekday": WEEKDAY_NAMES[deadline.due_date.weekday()],
        "start": start,
        "start_weekday": WEEKDAY_NAMES[start.weekday()] if start else "",
        "caption": caption,
        "collapsed": collapsed,
        "provisional_note": PROVISIONAL_NOTE,
    }


@register.filter
def tab_title(page_title: str, site_name: str) -> str:
    """The browser tab title: "页面标题 - 站点名", or the site name alone.

    Used as ``{% filter tab_title:site.site_name %}{% block title %}…`` in
    ``base.html``: a template cannot ask whether a child filled a block, so the
    rendered block text decides. The block text arrives escaped; the site name
    is escaped here, since ``{% filter %}`` does not escape its result.
    """
    page = " ".join(conditional_escape(page_title).split())
    site = conditional_escape(site_name or "")
    if not page or page == site:
        return mark_safe(site)  # noqa: S308 - both parts escaped above
    return mark_safe(f"{page} - {site}" if site else page)  # noqa: S308


@register.filter
def cn_weekday(value: date | None) -> str:
    """``{{ some_date|cn_weekday }}`` → 周一 … 周日."""
    return WEEKDAY_NAMES[value.weekday()] if value else ""


@register.simple_tag
def provisional_note(after_badge: bool = False) -> str:
    """``{% provisional_note %}`` → 预计，以国务院办公厅公布的节假日安排为准.

    ``after_badge=True`` drops the leading 预计 where a 预计 badge already precedes
    the note (it read "预计 预计，…").
    """
    return PROVISIONAL_BASIS if after_badge else PROVISIONAL_NOTE


@register.filter
def workdays_left_text(days: int | None) -> str:
    """The time left to a deadline in words: "今天到期" on the last day, else
    "剩 N 个工作日". Negative values (overdue) are worded by the caller."""
    if days is None:
        return ""
    return "今天到期" if days == 0 else f"剩 {days} 个工作日"


@register.simple_tag
def missing_calendar_years() -> list[int]:
    """Years without an official schedule that admins must be warned about.

    Reads the database: meant for the admin index only, where no view passes it in.
    """
    from portal.calendar_services import calendar_missing_years
    from portal.timeutil import local_today

    return calendar_missing_years(local_today())
