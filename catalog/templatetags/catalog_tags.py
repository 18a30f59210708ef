"""Formatting for catalog pages. 《政府网站发展指引》: publication times read YYYY-MM-DD HH:MM."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

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


_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.IGNORECASE | re.DOTALL)


def _table_region_label(table_html: str, number: int) -> str:
    caption = _CAPTION.search(table_html)
    text = html.unescape(strip_tags(caption.group(1))) if caption else ""
    text = " ".join(text.split())
    return text[:80] or f"正文表格{number}"


@register.filter
def body_tables(body: str) -> SafeString:
    """A notice body (already sanitised by catalog.sanitize: well-formed, allow-listed)
    with each outermost ``<table>`` in a scrolling region, so a wide table — a Word
    table of 8 columns, a row of 统一社会信用代码 — scrolls inside its own box on a phone
    instead of widening the page (WCAG 1.4.10). The region is labelled by the table's
    caption (else "正文表格N") and reachable with the keyboard, as every .table-scroll."""
    body = body or ""
    out: list[str] = []
    depth = 0
    start = 0  # where the text not yet copied begins
    table_start = 0
    number = 0
    for match in _TABLE_TAG.finditer(body):
        closing = bool(match.group(1))
        if not closing:
            if depth == 0:
                out.append(body[start : match.start()])
                start = table_start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                number += 1
                table = body[table_start : match.end()]
                label = escape(_table_region_label(table, number))
                out.append(
                    f'<div class="table-scroll body-table" role="region" '
                    f'aria-label="{label}" tabindex="0">{table}</div>'
                )
                start = match.end()
    out.append(body[start:])  # an unclosed table (cannot come from the sanitiser) as is
    return mark_safe("".join(out))  # noqa: S308 - the body is sanitised before it is saved
