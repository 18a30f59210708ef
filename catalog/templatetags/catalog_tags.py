"""Formatting for catalog pages. 《政府网站发展指引》: publication times read YYYY-MM-DD HH:MM."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def pubtime(value: datetime | None) -> str:
    """An aware moment as Beijing ``YYYY-MM-DD HH:MM``."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.filter
def pubdate(value: datetime | date | None) -> str:
    """A day as ``YYYY-MM-DD`` (moments are converted to Beijing time first)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


@register.filter
def human_size(value: int | None) -> str:
    """File size in 字节/KB/MB, for attachment links."""
    if value is None or value <= 0:
        return ""
    if value < 1024:
        return f"{value} 字节"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KB"
    return f"{value / 1024 / 1024:.1f} MB"
