"""Data for the public catalog tests, built through catalog.services (the production path)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from catalog import services
from catalog.models import Column, Genre, Notice, Theme

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware Beijing moment."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def theme(name: str, parent: str | None = None) -> Theme:
    """A seeded 主题分类 by name (give ``parent`` for ambiguous child names such as 其他)."""
    if parent:
        return Theme.objects.get(name=name, parent__name=parent)
    return Theme.objects.get(name=name)


def genre(name: str) -> Genre:
    return Genre.objects.get(name=name)


def column(slug: str) -> Column:
    return Column.objects.get(slug=slug)


def draft(
    *, agency, title: str = "关于做好义务教育招生工作的通知", publishers=None, **fields
) -> Notice:
    return services.notice_create(
        owner_agency=agency, by=None, publishers=publishers, title=title, **fields
    )


def publish(
    *,
    agency,
    title: str = "关于做好义务教育招生工作的通知",
    published_at: datetime | None = None,
    publishers=None,
    **fields,
) -> Notice:
    notice = draft(agency=agency, title=title, publishers=publishers, **fields)
    return services.notice_publish(
        notice=notice, by=None, now=published_at or at(2024, 3, 1)
    )


def withdraw(
    notice: Notice, *, reason: str = "已被新文件替代", when: datetime | None = None
) -> Notice:
    return services.notice_withdraw(
        category="mistake",
        notice=notice,
        by=None,
        now=when or at(2024, 6, 1, 10),
        reason=reason,
    )


def facet(html: str, name: str) -> dict[str, int]:
    """label → count of the catalog page's filter section ``name`` (top level and children)."""
    start = html.index(f'id="facet-{name}"')
    section = html[start : html.index("</section>", start)]
    return {
        label: int(n)
        for label, n in re.findall(
            r'<span>([^<]+)</span> <span class="count">(\d+)<', section
        )
    }
