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

import functools
import json
import statistics
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Lookup,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce, ExtractMonth, JSONObject

from disclosure import layout
from disclosure.checks import PreviousYear, RequestCount
from disclosure.figures import Figures
from requests_app.outcomes import ApplicantKind

KIND_LABELS: dict[str, str] = {str(k.value): str(k.label) for k in ApplicantKind}
OUTCOME_ROW_BY_VALUE: dict[str, str] = {
    value: label for label, value in layout.OUTCOME_ROWS.items()
}

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


# --- Report scope (本级政府年报含办公室) ---------------------------------------------------


def scope_agencies(agency: Any):
    """The agencies an agency's report counts, as a subquery of ids: the agency and
    those whose figures it includes (``portal.Agency.report_included_in``, one level
    deep, so one OR). ``agency``: an id or an ``OuterRef``."""
    from portal.models import Agency

    return Agency.objects.filter(Q(pk=agency) | Q(report_included_in_id=agency)).values(
        "pk"
    )


class EqualsAny(Lookup):
    """``lhs = ANY(ARRAY(SELECT …))``: PostgreSQL runs the uncorrelated subquery once
    and probes the agency indexes with the array (``IN (SELECT …)`` became a hash join
    over a sequential scan of the requests, several times slower)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def in_scope(field: str, agency: Any) -> EqualsAny:
    """A filter: ``field`` (an agency id) is the agency or one included in its report."""
    return EqualsAny(F(field), ArraySubquery(scope_agencies(agency)))


@dataclass(frozen=True)
class Scope:
    """table3_query's argument for a report: the agency and those it includes."""

    agency: Any


@dataclass(frozen=True)
class IncludedAgency:
    id: int
    name: str


def _included_agencies(agency: Any):
    """The agencies included in ``agency``'s report, in the agencies' order, as JSON."""
    from portal.models import Agency

    return (
        Agency.objects.filter(report_included_in_id=agency)
        .order_by("sort_order", "id")
        .values(j=JSONObject(id=F("pk"), name=F("name")))
    )


def scope_ids(snapshot_scope: Any) -> set[int]:
    """The included agencies' ids of a published snapshot's ``scope`` (none in a
    snapshot published before the setting existed: the agency alone)."""
    return {int(a["id"]) for a in (snapshot_scope or {}).get("included", [])}


def scope_names(snapshot_scope: Any) -> list[str]:
    return [str(a["name"]) for a in (snapshot_scope or {}).get("included", [])]


def scope_json(included: Iterable[IncludedAgency]) -> dict[str, Any]:
    """What a published version freezes of its scope."""
    return {"included": [{"id": a.id, "name": a.name} for a in included]}


def included_agencies(agency_id: int) -> tuple[IncludedAgency, ...]:
    return tuple(
        IncludedAgency(int(row["j"]["id"]), row["j"]["name"])
        for row in _included_agencies(agency_id)
    )


def _requests_of(agency_ids: Any):
    """Requests with a legal received date; ``agency_ids``: ids, a report's scope
    (``Scope``) or None for all agencies."""
    from requests_app.models import InfoRequest

    qs = InfoRequest.objects.filter(received_date__isnull=False)
    if isinstance(agency_ids, Scope):
        qs = qs.filter(in_scope("agency_id", agency_ids.agency))
    elif agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return qs


def table3_query(agency_ids: Any, year: int):
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
            carried_out=Count(
                "pk", filter=Q(closed_date__isnull=True) | Q(closed_date__gt=e)
            ),
        )
    )


def table3_from_groups(
    groups: Iterable[dict[str, Any]],
) -> tuple[dict[str, dict[str, int]], RequestCount]:
    """Fold the GROUP BY rows into the 25 × 7 table (pure)."""
    table = {
        row: dict.fromkeys(layout.TABLE3_COLUMNS, 0) for row in layout.TABLE3_DATA_ROWS
    }
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
        table[layout.ROW_CLOSED_TOTAL][column] = sum(
            table[row][column] for row in layout.OUTCOME_ROWS
        )
    for row in layout.TABLE3_DATA_ROWS:
        table[row][layout.TOTAL] = sum(table[row][c] for c in layout.KIND_COLUMNS)
    return table, RequestCount(closed=closed_total, without_outcome=without_outcome)


def table3(
    agency_ids: Iterable[int] | None, year: int
) -> tuple[dict[str, dict[str, int]], RequestCount]:
    return table3_from_groups(table3_query(agency_ids, year))


# --- Table 二 (catalog) ---------------------------------------------------------------


def _end_of_day(d: date) -> datetime:
    return datetime.combine(
        d + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


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


def _validity_on(
    state: str, valid_from: date | None, valid_until: date | None, day: date
) -> str:
    """Same rule as catalog.models.Notice.validity_on, for a reconstructed state."""
    if state in ("effective", "not_yet") and valid_until and valid_until < day:
        return "expired"
    if state == "effective" and valid_from and valid_from > day:
        return "not_yet"
    if state == "not_yet" and valid_from and valid_from <= day:
        return "effective"
    return state


_TRACKED = ("validity", "valid_from", "valid_until")


def _catalog_notices(agency_id: int):
    """Published 规章 / 行政规范性文件 of the report's agencies (``scope_agencies``: the
    agency and those included in its report) as 主办机关 or one of the 发文机关, each
    notice once, as one JSON object carrying its 有效性 history (NoticeEvent rows,
    oldest first)."""
    from catalog.models import Notice, NoticeEvent, NoticePublisher

    events = (
        NoticeEvent.objects.filter(
            notice_id=OuterRef("pk"),
            action__in=["created", "updated", "imported"],
            changes__has_any_keys=list(_TRACKED),
        )
        .order_by("at", "id")
        .values(
            j=JSONObject(
                at=F("at"),
                action=F("action"),
                **{name: KeyTransform(name, "changes") for name in _TRACKED},
            )
        )
    )
    co_published = NoticePublisher.objects.filter(notice_id=OuterRef("pk")).filter(
        in_scope("agency_id", agency_id)
    )
    return (
        Notice.objects.filter(
            status=Notice.Status.PUBLISHED,
            genre__name__in=list(layout.TABLE2_GENRES.values()),
        )
        .filter(Q(in_scope("owner_agency_id", agency_id)) | Q(Exists(co_published)))
        .order_by()
        .values(
            j=JSONObject(
                genre=F("genre__name"),
                written=F("written_date"),
                published=F("published_at"),
                validity=F("validity"),
                valid_from=F("valid_from"),
                valid_until=F("valid_until"),
                events=ArraySubquery(events),
            )
        )
    )


def _as_moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def fold_table2(
    notices: Iterable[dict[str, Any]], year: int
) -> dict[str, dict[str, int]]:
    """规章 and 行政规范性文件 rows from the notices' JSON (pure).

    * 制发: 成文日期 in the year (发布时间 when no 成文日期);
    * 废止: became 已废止 or 失效 during the year (it was neither at the previous year's end);
    * 现行有效: issued by the year's end and 有效 or 已修改 on 12月31日.
    """
    genres = {name: row for row, name in layout.TABLE2_GENRES.items()}
    out = {
        row: {layout.ISSUED: 0, layout.REPEALED: 0, layout.IN_FORCE: 0}
        for row in layout.TABLE2_GENRES
    }
    year_end, last_year_end = date(year, 12, 31), date(year - 1, 12, 31)
    tz = ZoneInfo(settings.TIME_ZONE)
    for n in notices:
        published = _as_moment(n["published"])
        issued = _as_date(n["written"]) or (
            published.astimezone(tz).date() if published else None
        )
        if issued is None or issued > year_end:
            continue
        current = {
            "validity": n["validity"],
            "valid_from": _as_date(n["valid_from"]),
            "valid_until": _as_date(n["valid_until"]),
        }
        history = {name: _FieldHistory() for name in _TRACKED}
        for event in n["events"] or []:
            at = _as_moment(event["at"])
            for name in _TRACKED:
                if event.get(name) is not None:
                    history[name].apply(at, event[name], event["action"])

        def state_on(
            day: date,
            current: dict[str, Any] = current,
            history: dict[str, _FieldHistory] = history,
        ) -> str:
            moment = _end_of_day(day)
            return _validity_on(
                history["validity"].value_at(moment, current["validity"]),
                _as_date(history["valid_from"].value_at(moment, current["valid_from"])),
                _as_date(
                    history["valid_until"].value_at(moment, current["valid_until"])
                ),
                day,
            )

        row = genres[n["genre"]]
        now_state = state_on(year_end)
        if issued.year == year:
            out[row][layout.ISSUED] += 1
        if now_state in IN_FORCE_STATES:
            out[row][layout.IN_FORCE] += 1
        if now_state in ENDED_STATES and (
            issued > last_year_end or state_on(last_year_end) not in ENDED_STATES
        ):
            out[row][layout.REPEALED] += 1
    return out


def table2_catalog(agency_id: int, year: int) -> dict[str, dict[str, int]]:
    """Table 二's first block for one agency: one query."""
    return fold_table2((row["j"] for row in _catalog_notices(agency_id)), year)


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


def _appeal_groups(agency: Any, year: int):
    """Cases pending at any time during the year (filed by its end, not decided before
    it began), grouped by kind and their result as at 12月31日 (a later decision counts
    next year). ``agency``: an id or an ``OuterRef``; the cases of the agencies its
    report includes count too."""
    from disclosure.models import AppealCase

    s, e = year_bounds(year)
    return (
        AppealCase.objects.filter(in_scope("agency_id", agency), filed_year__lte=year)
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


def fold_table4(groups: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table = {
        group: dict.fromkeys(layout.TABLE4_COLUMNS, 0) for group in layout.TABLE4_GROUPS
    }
    for g in groups:
        table[_TABLE4_GROUP[g["kind"]]][_TABLE4_COLUMN[g["result"]]] += g["n"]
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
        return cls(
            int(data["notice_count"]),
            Decimal(data["notified_amount"]),
            Decimal(data["collected_amount"]),
        )


def _fee_totals(agency: Any, year: int):
    """收费通知 issued in the year (件数, 金额) and fees actually paid in the year, for
    the agency and the agencies its report includes: one group (keyed by the report's
    agency: the including agency of an included one) or none."""
    from requests_app.models import FeeNotice

    s, e = year_bounds(year)
    issued, paid = Q(issued_date__range=(s, e)), Q(paid_date__range=(s, e))
    return (
        FeeNotice.objects.filter(in_scope("info_request__agency_id", agency))
        .order_by()
        .values(
            report_agency=Coalesce(
                "info_request__agency__report_included_in_id",
                "info_request__agency_id",
            )
        )
        .annotate(
            j=JSONObject(
                n=Count("pk", filter=issued),
                notified=Cast(
                    Coalesce(Sum("amount", filter=issued), Value(Decimal(0))),
                    CharField(),
                ),
                collected=Cast(
                    Coalesce(Sum("amount", filter=paid), Value(Decimal(0))), CharField()
                ),
            )
        )
        .values("j")
    )


def _previous_version(agency: Any, year: int):
    """Last year's latest published snapshot: its layout and table 三 (rule R5)."""
    from disclosure.models import AnnualReportVersion

    return (
        AnnualReportVersion.objects.filter(
            report__agency_id=agency, report__year=year - 1
        )
        .order_by("-number")
        .values(
            j=JSONObject(
                layout=KeyTransform("layout", "snapshot"),
                table3=KeyTransform("table3", KeyTransform("figures", "snapshot")),
                scope=KeyTransform("scope", "snapshot"),
            )
        )[:1]
    )


@dataclass(frozen=True)
class ReportData:
    """Every computed number of one agency-year report."""

    table2: dict[str, dict[str, int]]
    table3: dict[str, dict[str, int]]
    request_count: RequestCount
    table4: dict[str, dict[str, int]]
    fees: FeeFigures
    previous: PreviousYear
    # the agencies whose figures this report includes besides its own (统计范围)
    included: tuple[IncludedAgency, ...] = ()


def report_query(agency_id: int, year: int):
    """The whole report as ONE statement, so every number comes from one snapshot of
    the database without holding a transaction: the report's scope (the agencies it
    includes), table 三's GROUP BY, the catalog notices with their 有效性 history,
    table 四's groups, the 信息处理费 totals and last year's published carry-out, each
    a subquery of a one-row SELECT. Every figure counts the agency and the agencies
    included in its report (``scope_agencies``)."""
    from portal.models import Agency

    table3_groups = table3_query(Scope(agency_id), year).values(
        j=JSONObject(
            applicant_kind=F("applicant_kind"),
            outcome=F("outcome"),
            new=F("new"),
            carried_in=F("carried_in"),
            closed=F("closed"),
            carried_out=F("carried_out"),
        )
    )
    return (
        Agency.objects.filter(pk=agency_id)
        .order_by()
        .values(
            "name",
            included=ArraySubquery(_included_agencies(agency_id)),
            table3=ArraySubquery(table3_groups),
            notices=ArraySubquery(_catalog_notices(agency_id)),
            appeals=ArraySubquery(
                _appeal_groups(agency_id, year).values(
                    j=JSONObject(kind=F("kind"), result=F("result_at_end"), n=F("n"))
                )
            ),
            fees=Subquery(_fee_totals(agency_id, year)),
            previous=Subquery(_previous_version(agency_id, year)),
        )
    )


# The report statement is built by the ORM once per process with sentinel arguments
# and then executed with the real ones: composing its nested subqueries costs several
# times more Python time than PostgreSQL needs to run it. Every argument is a bound
# parameter (never inlined), so swapping parameter values is exact.
_SENTINEL_AGENCY = -7_654_321
_SENTINEL_YEAR = 9998


@functools.cache
def _report_statement() -> tuple[str, tuple[Any, ...], tuple[str, ...]]:
    query = report_query(_SENTINEL_AGENCY, _SENTINEL_YEAR).query
    sql, params = query.sql_with_params()
    names = tuple(query.values_select) + tuple(query.annotation_select)
    bound = _bindings(_SENTINEL_AGENCY, _SENTINEL_YEAR)
    inlined = (
        str(_SENTINEL_AGENCY) in sql
        or str(_SENTINEL_YEAR) in sql
        or str(_SENTINEL_YEAR - 1) in sql
    )
    if inlined or bound["agency"] not in params or bound["start"] not in params:
        raise RuntimeError("report statement: every argument must be a bound parameter")
    return sql, tuple(params), names


def _bindings(agency_id: int, year: int) -> dict[Any, Any]:
    s, e = year_bounds(year)
    return {
        "agency": agency_id,
        "year": year,
        "last_year": year - 1,
        "start": s,
        "end": e,
    }


def _bind(params: tuple[Any, ...], agency_id: int, year: int) -> list[Any]:
    sentinel = _bindings(_SENTINEL_AGENCY, _SENTINEL_YEAR)
    real = _bindings(agency_id, year)
    swap = {sentinel[k]: real[k] for k in sentinel}
    return [
        swap.get(p, p) if isinstance(p, (int, date)) and not isinstance(p, bool) else p
        for p in params
    ]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def report_data(agency_id: int, year: int) -> ReportData:
    from django.db import connection

    sql, params, names = _report_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, _bind(params, agency_id, year))
        found = cursor.fetchone()
    if found is None:
        raise ValueError(f"no agency {agency_id}")
    row = dict(zip(names, found, strict=True))
    groups = [_json(g) for g in row["table3"] or []]
    notices = [_json(n) for n in row["notices"] or []]
    appeals = [_json(a) for a in row["appeals"] or []]
    t3, count = table3_from_groups(groups)
    fees = _json(row["fees"]) or {"n": 0, "notified": "0", "collected": "0"}
    included = tuple(
        IncludedAgency(int(a["id"]), a["name"])
        for a in (_json(i) for i in row["included"] or [])
    )
    prev = _json(row["previous"])
    if prev is None:
        previous = PreviousYear(None, f"{year - 1}年年报未在本平台发布")
    elif not prev.get("table3"):
        previous = PreviousYear(None, f"{year - 1}年年报为历史文本年报（无统计表）")
    elif scope_ids(prev.get("scope")) != {a.id for a in included}:
        previous = PreviousYear(
            None,
            f"{year - 1}年年报的统计范围与本年不同"
            f"（本年：{layout.scope_label(str(row['name']), [a.name for a in included])}；"
            f"上年：{layout.scope_label(str(row['name']), scope_names(prev.get('scope')))}），"
            "上年结转数不作比较",
        )
    else:
        prior = Figures.from_json({"table3": prev["table3"]})
        previous = PreviousYear(dict(prior.table3[layout.ROW_CARRIED_OUT]))
    return ReportData(
        table2=fold_table2(notices, year),
        table3=t3,
        request_count=count,
        table4=fold_table4(appeals),
        fees=FeeFigures(
            int(fees["n"]), Decimal(fees["notified"]), Decimal(fees["collected"])
        ),
        previous=previous,
        included=included,
    )


def table4(agency_id: int, year: int) -> dict[str, dict[str, int]]:
    return fold_table4(
        {"kind": g["kind"], "result": g["result_at_end"], "n": g["n"]}
        for g in _appeal_groups(agency_id, year)
    )


def fee_figures(agency_id: int, year: int) -> FeeFigures:
    rows = list(_fee_totals(agency_id, year))  # one group (the agency) or none
    j = rows[0]["j"] if rows else {"n": 0, "notified": "0", "collected": "0"}
    return FeeFigures(int(j["n"]), Decimal(j["notified"]), Decimal(j["collected"]))


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


def reply_rows(
    agency_ids: Iterable[int] | None, year: int
) -> list[tuple[date, date, int, date | None]]:
    """(received, replied, paused working days, due) of requests replied in the year."""
    return list(
        _requests_of(agency_ids)
        .filter(replied_date__year=year)
        .order_by()
        .values_list(
            "received_date", "replied_date", "paused_workdays", "reply_due_date"
        )
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
        return (
            self.prefix[(b - self.start).days + 1]
            - self.prefix[(a - self.start).days + 1]
        )


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
    days = [
        max(0, counter.between(received, replied) - (paused or 0))
        for received, replied, paused, _ in rows
    ]
    on_time = sum(
        1 for _, replied, _, due in rows if due is not None and replied <= due
    )
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
    return (
        _requests_of(agency_ids)
        .clock_running()
        .filter(reply_due_date__lt=today)
        .count()
    )


def report_due_warning(agency, today: date) -> str:
    """From 1月15日: last year's report of ``agency`` is still unpublished (the staff
    report list and the 工作台 say so)."""
    from disclosure import readiness
    from disclosure.deadlines import deadline_for
    from disclosure.models import AnnualReport
    from portal.models import Agency, SiteIdentity

    if agency is None or agency.report_included_in_id is not None:
        return ""  # no agency, or its figures are in another agency's report
    year = today.year - 1
    site = SiteIdentity.load()
    deadline = deadline_for(
        year,
        is_government=agency.kind == Agency.Kind.GOVERNMENT,
        department=site.report_deadline_department,
        government=site.report_deadline_government,
    )
    published = AnnualReport.objects.filter(
        agency=agency, year=year, current_version__gt=0
    ).exists()
    return readiness.due_warning(
        year=year, today=today, deadline=deadline, published=published
    )
