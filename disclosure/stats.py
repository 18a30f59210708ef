"""The statutory tables of the annual report, computed from the portal's own data.

Table 三 comes from one aggregate query over ``InfoRequest`` (GROUP BY applicant kind
and outcome, with one FILTER per block), never from a per-request loop. The same
functions feed the report, the exports, the command and the live 数据统计 page.

Counting rules (docs/annual-report.md): a request counts only once it has a legal
received date; for year Y with s = Y-01-01 and e = Y-12-31

* 一、本年新收      received_date in [s, e]
* 二、上年结转      received_date < s and (open or closed_date >= s)
* 三、办理结果      closed_date in [s, e], in the row of its one outcome
* 四、结转下年度    received_date <= e and (open or closed_date > e)

so 一 + 二 = 三（七） + 四 holds per column whenever every closed request has an
outcome and was closed on or after its receipt (rules R1, R6 catch the rest).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth

from disclosure import layout
from disclosure.checks import RequestCount
from disclosure.figures import Figures
from requests_app.outcomes import ApplicantKind, Outcome

KIND_LABELS: dict[str, str] = {str(k.value): str(k.label) for k in ApplicantKind}
OUTCOME_ROW_BY_VALUE: dict[str, str] = {value: label for label, value in layout.OUTCOME_ROWS.items()}
VALID_OUTCOMES = frozenset(str(o.value) for o in Outcome)

# catalog validity codes (catalog.models.Notice.Validity) counted as 现行有效 / 废止
IN_FORCE_STATES = frozenset({"effective", "amended"})
ENDED_STATES = frozenset({"repealed", "expired"})


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@contextmanager
def repeatable_read() -> Iterator[None]:
    """One consistent snapshot for several queries.

    Outside any transaction this opens one at REPEATABLE READ; inside an existing
    transaction (a service that already locked rows, or a test) it joins it.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


# --- Table 三 -------------------------------------------------------------------------


def _requests_of(agency_ids: Iterable[int] | None):
    from requests_app.models import InfoRequest

    qs = InfoRequest.objects.filter(received_date__isnull=False)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return qs


def table3_query(agency_ids: Iterable[int] | None, year: int):
    """The one GROUP BY query behind table 三 (also used by bench/report.py)."""
    s, e = year_bounds(year)
    return (
        _requests_of(agency_ids)
        .filter(received_date__lte=e)
        .filter(Q(closed_date__isnull=True) | Q(closed_date__gte=s))
        .order_by()
        .values("applicant_kind", "outcome")
        .annotate(
            new=Count("pk", filter=Q(received_date__gte=s)),
            carried_in=Count("pk", filter=Q(received_date__lt=s)),
            closed=Count("pk", filter=Q(closed_date__lte=e)),
            carried_out=Count("pk", filter=Q(closed_date__isnull=True) | Q(closed_date__gt=e)),
        )
    )


def table3_from_groups(groups: Iterable[dict[str, Any]]) -> tuple[dict[str, dict[str, int]], RequestCount]:
    """Fold the GROUP BY rows into the 25 × 7 table (pure)."""
    table = {row: dict.fromkeys(layout.TABLE3_COLUMNS, 0) for row in layout.TABLE3_DATA_ROWS}
    closed_total = 0
    without_outcome = 0
    for g in groups:
        column = KIND_LABELS.get(g["applicant_kind"], layout.KIND_COLUMNS[-1])
        table[layout.ROW_NEW][column] += g["new"]
        table[layout.ROW_CARRIED_IN][column] += g["carried_in"]
        table[layout.ROW_CARRIED_OUT][column] += g["carried_out"]
        if g["closed"]:
            closed_total += g["closed"]
            row = OUTCOME_ROW_BY_VALUE.get(g["outcome"] or "")
            if row is None:
                without_outcome += g["closed"]
            else:
                table[row][column] += g["closed"]
    for column in layout.KIND_COLUMNS:
        table[layout.ROW_CLOSED_TOTAL][column] = sum(table[row][column] for row in layout.OUTCOME_ROWS)
    for row in layout.TABLE3_DATA_ROWS:
        table[row][layout.TOTAL] = sum(table[row][c] for c in layout.KIND_COLUMNS)
    return table, RequestCount(closed=closed_total, without_outcome=without_outcome)


def table3(agency_ids: Iterable[int] | None, year: int) -> tuple[dict[str, dict[str, int]], RequestCount]:
    return table3_from_groups(table3_query(agency_ids, year))


# --- Table 二 (catalog) ---------------------------------------------------------------


def _end_of_day(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass
class _FieldHistory:
    """Values a notice field took over time, rebuilt from its NoticeEvent rows."""

    before_first: Any = None
    has_before: bool = False
    steps: list[tuple[datetime, Any]] = field(default_factory=list)

    def apply(self, at: datetime, change: Any, action: str) -> None:
        if isinstance(change, list) and len(change) == 2 and action != "created":
            old, new = change
            if not self.steps and not self.has_before:
                self.before_first, self.has_before = old, True
        else:
            new = change
        self.steps.append((at, new))

    def value_at(self, moment: datetime, current: Any) -> Any:
        value, known = None, False
        for at, new in self.steps:
            if at < moment:
                value, known = new, True
            else:
                break
        if known:
            return value
        if self.has_before:
            return self.before_first
        return current


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _validity_on(state: str, valid_from: date | None, valid_until: date | None, day: date) -> str:
    """Same rule as catalog.models.Notice.validity_on, for a reconstructed state."""
    if state in ("effective", "not_yet") and valid_until and valid_until < day:
        return "expired"
    if state == "effective" and valid_from and valid_from > day:
        return "not_yet"
    if state == "not_yet" and valid_from and valid_from <= day:
        return "effective"
    return state


def table2_catalog(agency_id: int, year: int) -> dict[str, dict[str, int]]:
    """规章 and 行政规范性文件 rows: two queries (notices, then their validity history).

    * 制发: 成文日期 in the year (发布时间 when no 成文日期);
    * 废止: became 已废止 or 失效 during the year (it was neither at the previous year's end);
    * 现行有效: issued by the year's end and 有效 or 已修改 on 12月31日.
    Only notices currently published count; the agency is the 主办机关 or a 发文机关.
    """
    from catalog.models import Notice, NoticeEvent

    genres = {name: row for row, name in layout.TABLE2_GENRES.items()}
    notices = list(
        Notice.objects.filter(status=Notice.Status.PUBLISHED, genre__name__in=list(genres))
        .filter(Q(owner_agency_id=agency_id) | Q(publisher_links__agency_id=agency_id))
        .order_by()
        .distinct()
        .values("pk", "genre__name", "written_date", "published_at", "validity", "valid_from", "valid_until")
    )
    out = {row: {layout.ISSUED: 0, layout.REPEALED: 0, layout.IN_FORCE: 0} for row in layout.TABLE2_GENRES}
    if not notices:
        return out
    tracked = ("validity", "valid_from", "valid_until")
    history: dict[int, dict[str, _FieldHistory]] = defaultdict(lambda: {f: _FieldHistory() for f in tracked})
    events = (
        NoticeEvent.objects.filter(
            notice_id__in=[n["pk"] for n in notices],
            action__in=["created", "updated", "imported"],
            changes__has_any_keys=list(tracked),
        )
        .order_by("at", "id")
        .values_list("notice_id", "at", "action", "changes__validity", "changes__valid_from", "changes__valid_until")
    )
    for notice_id, at, action, *values in events:
        for name, value in zip(tracked, values, strict=True):
            if value is not None:
                history[notice_id][name].apply(at, value, action)
    year_end, last_year_end = date(year, 12, 31), date(year - 1, 12, 31)
    for n in notices:
        row = genres[n["genre__name"]]
        issued = n["written_date"] or (n["published_at"].astimezone(ZoneInfo(settings.TIME_ZONE)).date() if n["published_at"] else None)
        if issued is None or issued > year_end:
            continue
        h = history.get(n["pk"])

        def state_on(day: date, n: dict[str, Any] = n, h: dict[str, _FieldHistory] | None = h) -> str:
            if h is None:
                return _validity_on(n["validity"], n["valid_from"], n["valid_until"], day)
            moment = _end_of_day(day)
            return _validity_on(
                h["validity"].value_at(moment, n["validity"]),
                _as_date(h["valid_from"].value_at(moment, n["valid_from"])),
                _as_date(h["valid_until"].value_at(moment, n["valid_until"])),
                day,
            )

        now_state = state_on(year_end)
        if issued.year == year:
            out[row][layout.ISSUED] += 1
        if now_state in IN_FORCE_STATES:
            out[row][layout.IN_FORCE] += 1
        if now_state in ENDED_STATES and (issued > last_year_end or state_on(last_year_end) not in ENDED_STATES):
            out[row][layout.REPEALED] += 1
    return out


# --- Table 四 -------------------------------------------------------------------------

_TABLE4_GROUP = {
    "reconsideration": layout.RECONSIDERATION,
    "litigation_direct": layout.LITIGATION_DIRECT,
    "litigation_after": layout.LITIGATION_AFTER,
}
_TABLE4_COLUMN = {
    "upheld": layout.UPHELD,
    "corrected": layout.CORRECTED,
    "other": layout.OTHER_RESULT,
    "pending": layout.PENDING,
}


def table4(agency_id: int, year: int) -> dict[str, dict[str, int]]:
    """Cases pending at any time during the year (filed by its end, not decided before
    it began), with their result as at 12月31日: a later decision counts next year."""
    from disclosure.models import AppealCase

    s, e = year_bounds(year)
    rows = (
        AppealCase.objects.filter(agency_id=agency_id, filed_year__lte=year)
        .filter(Q(decided_date__isnull=True) | Q(decided_date__gte=s))
        .annotate(
            result_at_end=Case(
                When(decided_date__lte=e, then=F("result")),
                default=Value("pending"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("kind", "result_at_end")
        .annotate(n=Count("pk"))
    )
    table = {group: dict.fromkeys(layout.TABLE4_COLUMNS, 0) for group in layout.TABLE4_GROUPS}
    for r in rows:
        table[_TABLE4_GROUP[r["kind"]]][_TABLE4_COLUMN[r["result_at_end"]]] += r["n"]
    for cells in table.values():
        cells[layout.TOTAL] = sum(cells[c] for c in layout.TABLE4_COLUMNS[:-1])
    return table


# --- Section 六: 信息处理费 ------------------------------------------------------------


@dataclass(frozen=True)
class FeeFigures:
    notice_count: int
    notified_amount: Decimal
    collected_amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "notice_count": self.notice_count,
            "notified_amount": str(self.notified_amount),
            "collected_amount": str(self.collected_amount),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeeFigures:
        return cls(int(data["notice_count"]), Decimal(data["notified_amount"]), Decimal(data["collected_amount"]))


def fee_figures(agency_id: int, year: int) -> FeeFigures:
    """收费通知 issued in the year (件数, 金额) and fees actually paid in the year."""
    from requests_app.models import FeeNotice

    s, e = year_bounds(year)
    agg = FeeNotice.objects.filter(info_request__agency_id=agency_id).aggregate(
        n=Count("pk", filter=Q(issued_date__range=(s, e))),
        notified=Sum("amount", filter=Q(issued_date__range=(s, e))),
        collected=Sum("amount", filter=Q(paid_date__range=(s, e))),
    )
    return FeeFigures(agg["n"], Decimal(agg["notified"] or 0), Decimal(agg["collected"] or 0))


# --- Live statistics (数据统计) --------------------------------------------------------


def received_by_month(agency_ids: Iterable[int] | None, year: int) -> list[int]:
    counts = [0] * 12
    rows = (
        _requests_of(agency_ids)
        .filter(received_date__year=year)
        .annotate(month=ExtractMonth("received_date"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    for r in rows:
        counts[r["month"] - 1] = r["n"]
    return counts


def reply_rows(agency_ids: Iterable[int] | None, year: int) -> list[tuple[date, date, int, date | None]]:
    """(received, replied, paused working days, due) of requests replied in the year."""
    return list(
        _requests_of(agency_ids)
        .filter(replied_date__year=year)
        .order_by()
        .values_list("received_date", "replied_date", "paused_workdays", "reply_due_date")
    )


def percentile(values: list[int], p: float) -> float:
    """Linear-interpolated percentile (p in [0, 100]); as statistics.quantiles' 'inclusive'."""
    if not values:
        raise ValueError("empty")
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class WorkdayCounter:
    """working_days_between over a span of dates, via a prefix sum of is_workday."""

    def __init__(self, start: date, end: date, cal: Any) -> None:
        from portal.workdays import is_workday

        self.start = start
        self.prefix = [0]
        d = start
        while d <= end:
            self.prefix.append(self.prefix[-1] + (1 if is_workday(d, cal) else 0))
            d += timedelta(days=1)

    def between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b."""
        if b <= a:
            return 0
        return self.prefix[(b - self.start).days + 1] - self.prefix[(a - self.start).days + 1]


@dataclass
class ReplyStats:
    replied: int
    on_time: int
    median_days: float | None
    p90_days: float | None
    # distribution for the chart: working days → count
    days: list[int] = field(default_factory=list)

    @property
    def few(self) -> bool:
        return self.replied < FEW_CASES

    @property
    def on_time_percent(self) -> float | None:
        if self.replied == 0:
            return None
        return 100 * self.on_time / self.replied


FEW_CASES = 10


def reply_stats(rows: list[tuple[date, date, int, date | None]]) -> ReplyStats:
    """Working days from the legal received date to the reply, minus consultation pauses."""
    from portal.workdays import load_calendar

    if not rows:
        return ReplyStats(0, 0, None, None)
    first = min(r[0] for r in rows)
    last = max(r[1] for r in rows)
    cal = load_calendar(years=range(first.year, last.year + 1))
    counter = WorkdayCounter(first, last, cal)
    days = [max(0, counter.between(received, replied) - (paused or 0)) for received, replied, paused, _ in rows]
    on_time = sum(1 for _, replied, _, due in rows if due is not None and replied <= due)
    return ReplyStats(
        replied=len(rows),
        on_time=on_time,
        median_days=float(statistics.median(days)),
        p90_days=percentile(days, 90),
        days=days,
    )


def overdue_open(agency_ids: Iterable[int] | None, today: date) -> int:
    """Requests being handled now (the reply clock running) whose reply is past due;
    the same rule as InfoRequest.is_overdue. Paused requests (补正, 征求意见) are not."""
    return _requests_of(agency_ids).clock_running().filter(reply_due_date__lt=today).count()
