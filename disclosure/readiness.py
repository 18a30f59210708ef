"""When an annual report may be published, and what to warn about (issue 10 §3). Pure.

- **Not before the year has ended.** The report is on the year's work (条例 第五十条:
  its content), so it is published in the following year at the earliest; the
  statutory last day is 1月31日 of the following year for 部门 and 3月31日 for the
  government (条例 第四十九条第一款、第二款; ``disclosure.deadlines``). From
  ``WARN_FROM`` (1月15日) an unpublished report is flagged on the staff pages.
- **No placeholder text.** Every narrative section must be written out: empty sections
  and draft markers (``DRAFT_MARKERS``) refuse publication, naming the section.
- **Warnings** (shown, never blocking): 实际收取金额 above 收费通知总金额, and table 二's
  现行有效件数 not equal to last year's plus 本年制发 minus 本年废止.

``disclosure.services.report_publish`` calls ``publication_refusals``; the staff report
page and the dashboard show ``publication_refusals``, ``publication_warnings`` and
``due_warning``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from disclosure import layout

# Draft markers: any of these in a narrative section means it is not finished.
# (label shown to staff, pattern). Defined here only; the tests read this list.
DRAFT_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("草稿", re.compile("草稿")),
    ("待补充", re.compile("待补充")),
    ("年底前", re.compile("年底前")),
    ("待定", re.compile(r"[（(]\s*待定\s*[）)]|待定")),
    ("TODO", re.compile(r"(?i)todo")),
    ("xxx", re.compile(r"(?i)x{3,}|×{2,}")),
    ("空的【】", re.compile(r"【\s*】")),
    ("空的［］", re.compile(r"［\s*］|\[\s*\]")),
    ("空的（）", re.compile(r"（\s*）|\(\s*\)")),
)
WARN_FROM = (1, 15)  # month, day of the following year: warn while still unpublished


def draft_markers_in(text: str) -> list[str]:
    return [label for label, pattern in DRAFT_MARKERS if pattern.search(text or "")]


def year_has_ended(year: int, today: date) -> bool:
    return today >= date(year + 1, 1, 1)


def publication_refusals(
    *, year: int, today: date, sections: Mapping[str, str]
) -> list[str]:
    """Why the report on ``year`` cannot be published on ``today`` (empty: it can)."""
    out: list[str] = []
    if not year_has_ended(year, today):
        out.append(
            f"{year}年尚未结束，不能发布{year}年度报告：年度报告最早于{year + 1}年1月1日"
            f"发布（部门应于{year + 1}年1月31日前、人民政府应于3月31日前公布，"
            "条例第四十九条）"
        )
    for key, heading in layout.SECTIONS:
        text = (sections.get(key) or "").strip()
        if not text:
            out.append(f"“{heading}”尚未填写")
            continue
        found = draft_markers_in(text)
        if found:
            out.append(
                f"“{heading}”含有草稿或占位内容（{'、'.join(found)}），请补充完整后再发布"
            )
    return out


def publication_warnings(
    *,
    fees: Any | None,
    table2: Mapping[str, Mapping[str, Any]] | None,
    previous_table2: Mapping[str, Mapping[str, Any]] | None,
) -> list[str]:
    """Shown before publication; they do not block it."""
    out: list[str] = []
    if fees is not None and Decimal(fees.collected_amount) > Decimal(
        fees.notified_amount
    ):
        out.append(
            f"实际收取金额（{fees.collected_amount} 元）大于收费通知总金额"
            f"（{fees.notified_amount} 元），请核对"
        )
    if table2 is not None and previous_table2 is not None:
        for row in (layout.RULES, layout.NORMATIVE):
            now = table2.get(row, {})
            before = previous_table2.get(row, {}).get(layout.IN_FORCE)
            values = (now.get(layout.IN_FORCE), now.get(layout.ISSUED))
            if before is None or None in values:
                continue
            expected = before + now[layout.ISSUED] - (now.get(layout.REPEALED) or 0)
            if now[layout.IN_FORCE] != expected:
                out.append(
                    f"表二“{row}”现行有效件数为 {now[layout.IN_FORCE]}，而上年现行有效件数"
                    f" {before} + 本年制发 {now[layout.ISSUED]} − 本年废止 "
                    f"{now.get(layout.REPEALED) or 0} = {expected}，请核对"
                )
    return out


def due_warning(*, year: int, today: date, deadline: date, published: bool) -> str:
    """From 1月15日 of the following year, while the report is still unpublished."""
    if published:
        return ""
    warn_from = date(year + 1, *WARN_FROM)
    if today < warn_from:
        return ""
    if today > deadline:
        return f"{year}年度报告已逾期未发布（应于 {deadline:%Y-%m-%d} 前公布）"
    return f"{year}年度报告尚未发布，公布期限为 {deadline:%Y-%m-%d}"
