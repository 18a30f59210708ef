"""Every write to the work calendar: import of a year, admin edits of days and years.

Each service runs in one transaction, logs every change to the append-only
``WorkCalendarChange`` and, once committed, sends ``work_calendar_changed`` so the
requests app can recompute open deadlines (portal must not import it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from portal.calendar_file import YearSchedule
from portal.models import WorkCalendarChange, WorkCalendarDay, WorkCalendarYear
from portal.signals import announce_calendar_change
from portal.workdays import missing_calendar_years, notice_year

# WorkCalendarChange.action values and how the admin shows them.
ACTION_LABELS = {
    "seed": "初始数据",
    "import": "导入年度安排",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "year_add": "登记已公布年份",
    "year_change": "修改已公布年份",
    "year_delete": "取消已公布年份",
}
KIND_LABELS = {"rest": "放假", "work": "上班"}
DETAIL_MAX = 300


def _describe(kind: str, name: str) -> str:
    return f"{KIND_LABELS.get(kind, kind)}（{name}）"


def _log(
    *, action: str, year: int, detail: str, by: Any | None, day: date | None = None
) -> None:
    WorkCalendarChange.objects.create(
        action=action,
        year=year,
        date=day,
        detail=detail[:DETAIL_MAX],
        changed_by=by if getattr(by, "pk", None) else None,
    )


@dataclass
class ImportResult:
    year: int
    source: str
    is_new_year: bool
    added: list[tuple[date, str, str]] = field(default_factory=list)
    changed: list[tuple[date, tuple[str, str], tuple[str, str]]] = field(
        default_factory=list
    )
    removed: list[tuple[date, str, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return self.is_new_year or bool(self.added or self.changed or self.removed)

    @property
    def years(self) -> list[int]:
        touched = {self.year}
        touched |= {d.year for d, _, _ in self.added}
        touched |= {d.year for d, _, _ in self.changed}
        touched |= {d.year for d, _, _ in self.removed}
        return sorted(touched)

    def summary(self) -> str:
        return (
            f"{self.year} 年节假日安排：新增 {len(self.added)} 天，"
            f"修改 {len(self.changed)} 天，删除 {len(self.removed)} 天"
        )


def calendar_import_year(
    *, schedule: YearSchedule, by: Any | None, dry_run: bool = False
) -> ImportResult:
    """Add or replace one year's official schedule (``import_workdays``).

    Days of the year's notice that are missing from the file are deleted, listed
    days are added or updated, and the year is marked official with the file's
    source. With ``dry_run`` the differences are computed and nothing is written.
    """
    year = schedule.year
    with transaction.atomic():
        # Lock the year row so two imports of one year run one after the other.
        year_row = (
            WorkCalendarYear.objects.select_for_update().filter(year=year).first()
        )
        result = ImportResult(
            year=year, source=schedule.source, is_new_year=year_row is None
        )
        # A notice covers its year and, for 元旦, the December before.
        existing = {
            row.date: row
            for row in WorkCalendarDay.objects.select_for_update().filter(
                date__gte=date(year - 1, 12, 1), date__lte=date(year, 12, 31)
            )
        }
        wanted = {d: (kind, name) for d, kind, name in schedule.entries}
        for d, (kind, name) in sorted(wanted.items()):
            row = existing.get(d)
            if row is None:
                result.added.append((d, kind, name))
            elif (row.kind, row.name) != (kind, name):
                result.changed.append((d, (row.kind, row.name), (kind, name)))
        for d, row in sorted(existing.items()):
            if d not in wanted and notice_year(d, row.name) == year:
                result.removed.append((d, row.kind, row.name))
        if dry_run:
            return result

        for d, kind, name in result.added:
            WorkCalendarDay.objects.create(
                date=d, kind=kind, name=name, source=schedule.source
            )
            _log(
                action="add",
                year=d.year,
                day=d,
                by=by,
                detail=f"导入：{_describe(kind, name)}",
            )
        for d, (old_kind, old_name), (kind, name) in result.changed:
            row = existing[d]
            row.kind, row.name, row.source = kind, name, schedule.source
            row.save(update_fields=["kind", "name", "source", "updated_at"])
            _log(
                action="change",
                year=d.year,
                day=d,
                by=by,
                detail=f"导入：{_describe(old_kind, old_name)} → {_describe(kind, name)}",
            )
        for d, kind, name in result.removed:
            existing[d].delete()
            _log(
                action="delete",
                year=d.year,
                day=d,
                by=by,
                detail=f"导入：删除 {_describe(kind, name)}",
            )
        # Unchanged days take the new source too: the file is now their authority.
        WorkCalendarDay.objects.filter(date__in=list(wanted)).exclude(
            source=schedule.source
        ).update(source=schedule.source)
        if year_row is None:
            WorkCalendarYear.objects.create(year=year, source=schedule.source)
        else:
            year_row.source = schedule.source
            year_row.save(update_fields=["source", "imported_at"])
        _log(
            action="import",
            year=year,
            by=by,
            detail=f"导入 {result.summary()}（依据：{schedule.source}）",
        )
        if result.has_changes:
            announce_calendar_change(sender=WorkCalendarDay, years=result.years, by=by)
    return result


def calendar_day_save(*, day: WorkCalendarDay, by: Any | None) -> WorkCalendarDay:
    """Create or update one special day (admin), logging the difference."""
    with transaction.atomic():
        old = None
        if day.pk is not None:
            old = WorkCalendarDay.objects.select_for_update().filter(pk=day.pk).first()
        day.save()
        if old is None:
            _log(
                action="add",
                year=day.date.year,
                day=day.date,
                by=by,
                detail=_describe(day.kind, day.name),
            )
            years: Iterable[int] = [day.date.year]
        else:
            before = f"{old.date} {_describe(old.kind, old.name)}"
            after = f"{day.date} {_describe(day.kind, day.name)}"
            if before == after and old.source == day.source:
                return day
            detail = (
                f"{before} → {after}"
                if before != after
                else f"来源：{old.source} → {day.source}"
            )
            _log(
                action="change", year=day.date.year, day=day.date, by=by, detail=detail
            )
            years = [old.date.year, day.date.year]
            if before == after:  # only the source changed: no working day moved
                return day
        announce_calendar_change(sender=WorkCalendarDay, years=years, by=by)
    return day


def calendar_day_delete(*, day: WorkCalendarDay, by: Any | None) -> None:
    calendar_days_delete(days=[day], by=by)


def calendar_days_delete(*, days: Iterable[WorkCalendarDay], by: Any | None) -> None:
    """Delete special days (admin, one or a selection): one log row each, one signal."""
    with transaction.atomic():
        years: set[int] = set()
        for day in days:
            _log(
                action="delete",
                year=day.date.year,
                day=day.date,
                by=by,
                detail=f"删除 {_describe(day.kind, day.name)}",
            )
            years.add(day.date.year)
            day.delete()
        announce_calendar_change(sender=WorkCalendarDay, years=years, by=by)


def calendar_year_save(
    *, year_row: WorkCalendarYear, by: Any | None
) -> WorkCalendarYear:
    """Mark a year as official (admin) or edit its source."""
    with transaction.atomic():
        old = None
        if year_row.pk is not None:
            old = (
                WorkCalendarYear.objects.select_for_update()
                .filter(pk=year_row.pk)
                .first()
            )
        year_row.save()
        if old is None:
            _log(
                action="year_add",
                year=year_row.year,
                by=by,
                detail=f"{year_row.year} 年登记为已公布（依据：{year_row.source}）",
            )
            announce_calendar_change(
                sender=WorkCalendarYear, years=[year_row.year], by=by
            )
        elif (old.year, old.source) != (year_row.year, year_row.source):
            _log(
                action="year_change",
                year=year_row.year,
                by=by,
                detail=f"{old.year} 年（{old.source}）→ {year_row.year} 年（{year_row.source}）",
            )
            if old.year != year_row.year:
                announce_calendar_change(
                    sender=WorkCalendarYear, years=[old.year, year_row.year], by=by
                )
    return year_row


def calendar_year_delete(*, year_row: WorkCalendarYear, by: Any | None) -> None:
    calendar_years_delete(year_rows=[year_row], by=by)


def calendar_years_delete(
    *, year_rows: Iterable[WorkCalendarYear], by: Any | None
) -> None:
    """The years go back to the provisional rule; their day rows stay."""
    with transaction.atomic():
        years: set[int] = set()
        for year_row in year_rows:
            _log(
                action="year_delete",
                year=year_row.year,
                by=by,
                detail=f"{year_row.year} 年取消已公布，改按预计规则计算",
            )
            years.add(year_row.year)
            year_row.delete()
        announce_calendar_change(sender=WorkCalendarYear, years=years, by=by)


def calendar_missing_years(today: date) -> list[int]:
    """Years admins should be warned about (see workdays.missing_calendar_years)."""
    have = WorkCalendarYear.objects.filter(
        year__in=[today.year, today.year + 1]
    ).values_list("year", flat=True)
    return missing_calendar_years(today, have)
