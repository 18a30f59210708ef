"""Parser for the holiday-schedule file an admin transcribes from the yearly
国务院办公厅 notice (format: docs/workdays-format.md). Pure: text in, value out.

    # 国务院办公厅关于2026年部分节假日安排的通知
    年份：2026
    依据：国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）
    元旦 放假 2026-01-01 至 2026-01-03
    元旦 上班 2026-01-04
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from portal.workdays import REST, WEEKDAY_NAMES, WORK, notice_year

KIND_WORDS = {
    "放假": REST,
    "休息": REST,
    "rest": REST,
    "上班": WORK,
    "调休上班": WORK,
    "work": WORK,
}
NAME_MAX = 20  # WorkCalendarDay.name
SOURCE_MAX = 100  # WorkCalendarDay.source / WorkCalendarYear.source
MAX_RANGE_DAYS = 31
MIN_YEAR, MAX_YEAR = 2000, 2099

_HEADER_RE = re.compile(r"^(年份|year|依据|source)\s*[:：]\s*(.*)$", re.IGNORECASE)
_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_ITEM_RE = re.compile(rf"({_DATE})(?:\s*(?:至|到|~|--|\.\.)\s*({_DATE}))?")
_SEPARATORS_RE = re.compile(r"[\s,，、;；]+")
_LINE_RE = re.compile(r"^第 (\d+) 行")


@dataclass(frozen=True)
class YearSchedule:
    year: int
    source: str
    entries: tuple[tuple[date, str, str], ...]  # (date, "rest"|"work", name), sorted


class ScheduleFileError(ValueError):
    """All problems found in a file, each starting with its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _parse_date(raw: str) -> date | None:
    try:
        y, m, d = (int(part) for part in raw.split("-"))
        return date(y, m, d)
    except ValueError:
        return None


def _parse_dates(spec: str, where: str, problems: list[str]) -> list[date]:
    """``2026-01-01 至 2026-01-03、2026-01-05`` → every listed day."""
    out: list[date] = []
    leftover = _SEPARATORS_RE.sub("", _ITEM_RE.sub("", spec))
    if leftover:
        problems.append(
            f"{where}无法识别“{leftover}”，日期应写成 YYYY-MM-DD，区间写成“开始 至 结束”"
        )
        return out
    for match in _ITEM_RE.finditer(spec):
        first = _parse_date(match.group(1))
        last = _parse_date(match.group(2)) if match.group(2) else first
        for raw, parsed in ((match.group(1), first), (match.group(2), last)):
            if raw and parsed is None:
                problems.append(f"{where}{raw} 不是有效日期")
        if first is None or last is None:
            continue
        if last < first:
            problems.append(f"{where}区间 {first} 至 {last} 的结束日期早于开始日期")
            continue
        if (last - first).days >= MAX_RANGE_DAYS:
            problems.append(
                f"{where}区间 {first} 至 {last} 超过 {MAX_RANGE_DAYS} 天，请检查"
            )
            continue
        out.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
    if not out and not problems:
        problems.append(f"{where}缺少日期")
    return out


def _line_number(problem: str) -> int:
    match = _LINE_RE.match(problem)
    return int(match.group(1)) if match else 0


def parse_schedule(text: str) -> YearSchedule:
    """Parse a schedule file, or raise :class:`ScheduleFileError` listing every problem."""
    problems: list[str] = []
    year: int | None = None
    source: str | None = None
    raw_entries: list[
        tuple[int, date, str, str]
    ] = []  # (line number, date, kind, name)

    # split on newlines only, so numbers match what an editor shows
    for lineno, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip().lstrip("\ufeff")
        where = f"第 {lineno} 行："
        if not line or line.startswith("#"):
            continue
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in line):
            # NUL cannot be stored (PostgreSQL), a lone surrogate is not text
            problems.append(f"{where}含有控制字符、空字符或无效字符，请删除后重试")
            continue
        header = _HEADER_RE.match(line)
        if header:
            key, value = header.group(1).lower(), header.group(2).strip()
            if key in ("年份", "year"):
                if year is not None:
                    problems.append(f"{where}“年份”重复出现")
                    continue
                digits = unicodedata.normalize("NFKC", value)
                if (
                    not re.fullmatch(r"\d{4}", digits)
                    or not MIN_YEAR <= int(digits) <= MAX_YEAR
                ):
                    problems.append(
                        f"{where}年份应为 {MIN_YEAR}–{MAX_YEAR} 之间的四位数字，而不是“{value}”"
                    )
                    year = 0  # remember that a (bad) year line was given
                    continue
                year = int(digits)
            else:
                if source is not None:
                    problems.append(f"{where}“依据”重复出现")
                elif not value:
                    problems.append(f"{where}“依据”不能为空，请写通知名称或文号")
                elif len(value) > SOURCE_MAX:
                    problems.append(f"{where}“依据”不能超过 {SOURCE_MAX} 个字")
                else:
                    source = value
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            problems.append(f"{where}应为“节日名称 放假|上班 日期…”三部分")
            continue
        name, kind_word, spec = parts
        kind = KIND_WORDS.get(kind_word.lower())
        if kind is None:
            problems.append(f"{where}第二项应为“放假”或“上班”，而不是“{kind_word}”")
            continue
        if len(name) > NAME_MAX:
            problems.append(f"{where}节日名称不能超过 {NAME_MAX} 个字")
            continue
        for day in _parse_dates(unicodedata.normalize("NFKC", spec), where, problems):
            raw_entries.append((lineno, day, kind, name))

    if year is None:
        problems.insert(0, "缺少“年份：YYYY”一行")
    if source is None:
        problems.insert(
            0 if year is not None else 1, "缺少“依据：…”一行（通知名称或文号）"
        )
    if not raw_entries and not problems:
        problems.append("文件中没有任何放假或上班日期")

    seen: dict[date, int] = {}
    entries: list[tuple[date, str, str]] = []
    for lineno, day, kind, name in raw_entries:
        where = f"第 {lineno} 行："
        if day in seen:
            problems.append(f"{where}{day} 已在第 {seen[day]} 行出现")
            continue
        seen[day] = lineno
        if year and notice_year(day, name) != year:
            problems.append(
                f"{where}{day} 不属于 {year} 年的安排（只有元旦可以包含上一年 12 月的日期）"
            )
            continue
        if kind == WORK and day.weekday() < 5:
            problems.append(
                f"{where}{day} 是{WEEKDAY_NAMES[day.weekday()]}，调休上班日应为周六或周日"
            )
            continue
        entries.append((day, kind, name))

    if problems or not year or source is None:
        raise ScheduleFileError(sorted(problems, key=_line_number))
    return YearSchedule(year=year, source=source, entries=tuple(sorted(entries)))
