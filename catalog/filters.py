"""Filters of the public catalog (政府信息公开目录): one FilterSet shared by the list page,
the Atom feed and the JSON API, plus the facet counts shown beside each filter value.

Every state is a GET query string, so every search is a shareable URL:

    q          关键词            scope     标题 / 全文 (all)
    publisher  发文机关 (id)     theme     主题分类 (id; a parent includes its children)
    genre      体裁 (id)         year      发布年份
    validity   有效性 (as of today, computed: 失效 follows from 有效期至)
    start/end  发布日期 YYYY-MM-DD (Beijing days, both inclusive)
    column     栏目 (slug)       sort      relevance / date
    per_page   10 / 20 / 50      cursor    keyset position (opaque, from the search module)

Bad values never fail the request: the FilterSet drops them from ``cleaned_data`` and
the page shows the Chinese message while applying the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from catalog.models import Column, FacetTally, Genre, Notice, NoticePublisher, Theme
from portal.dbrouter import PRIMARY, read_connection
from portal.models import Agency

SORT_RELEVANCE = "relevance"
SORT_DATE = "date"
SORT_CHOICES = [(SORT_RELEVANCE, "相关度"), (SORT_DATE, "发布时间")]
SCOPE_ALL = "all"
SCOPE_TITLE = "title"
SCOPE_CHOICES = [(SCOPE_ALL, "全文"), (SCOPE_TITLE, "标题")]
PER_PAGE_CHOICES = [(10, "10 条"), (20, "20 条"), (50, "50 条")]
DEFAULT_PER_PAGE = 20
API_MAX_PER_PAGE = 100

# dates outside this window are typing mistakes (and would overflow date arithmetic)
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

# the parameters that restrict the result set (the facets), in display order
FACET_PARAMS = ("publisher", "theme", "genre", "year", "validity", "column")
# every parameter the catalog understands (anything else in a URL is ignored)
SEARCH_PARAMS = ("q", "scope", *FACET_PARAMS, "start", "end", "sort", "per_page")


def _date_error(label: str) -> dict[str, str]:
    return {"invalid": f"{label}格式不正确，请按 YYYY-MM-DD 填写，例如 2024-01-31。"}


class NoticeFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            value = data.get(name)
            if value and not (MIN_DATE <= value <= MAX_DATE):
                self.add_error(
                    name,
                    f"{self.fields[name].label}超出范围，请填写 1900 年至 2100 年之间的日期。",
                )
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "发布日期（止）不能早于发布日期（起）。")
        return data


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class NoticeFilter(django_filters.FilterSet):
    """Validates the catalog's query string and applies the restricting filters.

    ``q``, ``scope``, ``sort`` and ``per_page`` are validated here but applied by the
    search module (see ``run_catalog_search``).
    """

    q = django_filters.CharFilter(label="关键词", method="_not_a_queryset_filter")
    scope = django_filters.ChoiceFilter(
        label="检索范围",
        choices=SCOPE_CHOICES,
        method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "检索范围参数无效，已按全文检索。"},
    )
    publisher = django_filters.ModelChoiceFilter(
        label="发文机关",
        queryset=Agency.objects.all(),
        method="filter_publisher",
        error_messages={"invalid_choice": "发文机关参数无效（没有这个机关），已忽略。"},
    )
    theme = django_filters.ModelChoiceFilter(
        label="主题分类",
        queryset=Theme.objects.select_related("parent"),
        method="filter_theme",
        error_messages={"invalid_choice": "主题分类参数无效（没有这个分类），已忽略。"},
    )
    genre = django_filters.ModelChoiceFilter(
        label="体裁",
        queryset=Genre.objects.all(),
        field_name="genre",
        error_messages={"invalid_choice": "体裁参数无效（没有这个体裁），已忽略。"},
    )
    year = YearFilter(
        label="发布年份",
        method="filter_year",
        min_value=MIN_DATE.year,
        max_value=MAX_DATE.year,
        error_messages={
            "invalid": "发布年份应为四位数字，例如 2024，已忽略。",
            "min_value": "发布年份超出范围，已忽略。",
            "max_value": "发布年份超出范围，已忽略。",
        },
    )
    validity = django_filters.ChoiceFilter(
        label="有效性",
        choices=Notice.Validity.choices,
        method="filter_validity",
        error_messages={"invalid_choice": "有效性参数无效，已忽略。"},
    )
    start = django_filters.DateFilter(
        label="发布日期（起）",
        method="filter_start",
        input_formats=["%Y-%m-%d"],
        error_messages=_date_error("发布日期（起）"),
    )
    end = django_filters.DateFilter(
        label="发布日期（止）",
        method="filter_end",
        input_formats=["%Y-%m-%d"],
        error_messages=_date_error("发布日期（止）"),
    )
    column = django_filters.ModelChoiceFilter(
        label="栏目",
        queryset=Column.objects.all(),
        to_field_name="slug",
        field_name="column",
        error_messages={"invalid_choice": "栏目参数无效（没有这个栏目），已忽略。"},
    )
    sort = django_filters.ChoiceFilter(
        label="排序",
        choices=SORT_CHOICES,
        method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "排序参数无效，已按默认方式排序。"},
    )
    per_page = django_filters.TypedChoiceFilter(
        label="每页显示",
        choices=PER_PAGE_CHOICES,
        coerce=int,
        method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "每页条数参数无效，已按每页 20 条显示。"},
    )

    class Meta:
        model = Notice
        fields = ()
        form = NoticeFilterForm

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet | None = None,
        *,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        self.today = today

    # -- filters ---------------------------------------------------------------------

    def _not_a_queryset_filter(
        self, queryset: QuerySet, name: str, value: Any
    ) -> QuerySet:
        return queryset

    def filter_publisher(
        self, queryset: QuerySet, name: str, value: Agency
    ) -> QuerySet:
        # EXISTS rather than a join: a joint document must still be one row
        return queryset.filter(
            Exists(
                NoticePublisher.objects.filter(
                    notice_id=OuterRef("pk"), agency_id=value.pk
                )
            )
        )

    def filter_theme(self, queryset: QuerySet, name: str, value: Theme) -> QuerySet:
        # a parent theme (父类) includes the notices filed under its children (子类)
        return queryset.filter(
            Q(theme_id=value.pk)
            | Q(theme_id__in=Theme.objects.filter(parent_id=value.pk).values("pk"))
        )

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            published_at__gte=_local_midnight(dt.date(value, 1, 1)),
            published_at__lt=_local_midnight(dt.date(value + 1, 1, 1)),
        )

    def filter_validity(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Notice.current_validity_q(value, self.today))

    def filter_start(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(published_at__gte=_local_midnight(value))

    def filter_end(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(
            published_at__lt=_local_midnight(value + dt.timedelta(days=1))
        )

    # -- helpers -----------------------------------------------------------------------

    def apply(self, queryset: QuerySet, *, exclude: Iterable[str] = ()) -> QuerySet:
        """Apply every valid filter except those named in ``exclude`` (for facet counts)."""
        skip = set(exclude)
        for name, value in self.form.cleaned_data.items():
            if name in skip:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.apply(queryset)

    def value(self, name: str) -> Any:
        """The cleaned value of ``name`` (None when absent or invalid)."""
        self.errors  # noqa: B018 - validates the form once
        value = self.form.cleaned_data.get(name)
        return None if value in (None, "", []) else value

    def restricts(self) -> bool:
        """Whether a valid filter narrows the notices (a facet value or a date)."""
        return any(
            self.value(name) is not None for name in (*FACET_PARAMS, "start", "end")
        )

    def error_messages(self) -> list[str]:
        return [str(e) for errors in self.errors.values() for e in errors]

    def query_params(self) -> dict[str, str]:
        """The valid parameters as they appear in a URL (invalid ones dropped)."""
        self.errors  # noqa: B018
        params: dict[str, str] = {}
        for name in SEARCH_PARAMS:
            value = self.form.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if name == "column":
                params[name] = value.slug
            elif hasattr(value, "pk"):
                params[name] = str(value.pk)
            elif isinstance(value, dt.date):
                params[name] = value.isoformat()
            else:
                params[name] = str(value)
        return params


def url_with(base: str, params: Mapping[str, str], **changes: str | None) -> str:
    """``base`` with ``params`` updated by ``changes`` (None removes a key)."""
    merged = dict(params)
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    query = urlencode(
        [(k, merged[k]) for k in [*SEARCH_PARAMS, "cursor", "page"] if k in merged]
    )
    return f"{base}?{query}" if query else base


# -- facets ------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""
    children: list[FacetValue] = field(default_factory=list)
    expanded: bool = (
        False  # a parent theme shows its children when it or one of them is chosen
    )


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    clear_url: str = ""
    with_counts: bool = True

    @property
    def selected(self) -> FacetValue | None:
        for value in self.values:
            if value.selected:
                return value
            for child in value.children:
                if child.selected:
                    return child
        return None


FACET_LABELS = {
    "publisher": "发文机关",
    "theme": "主题分类",
    "genre": "体裁",
    "year": "发布年份",
    "validity": "有效性",
    "column": "栏目",
}


def _facet_sql(queryset: QuerySet, today: dt.date) -> tuple[str, list[Any]]:
    """One statement for every facet: the matched notices are read once (a materialised
    CTE), then grouped six ways. Rows: (facet, key, label, sort, parent_key, parent_label,
    parent_sort, count)."""
    matched = (
        queryset.order_by()
        .annotate(
            f_year=ExtractYear("published_at"),
            f_validity=Notice.current_validity_expression(today),
        )
        .values("id", "theme_id", "genre_id", "column_id", "f_year", "f_validity")
    )
    sql, params = matched.query.sql_with_params()
    notice_publisher = NoticePublisher._meta.db_table
    agency, theme, genre, column = (
        m._meta.db_table for m in (Agency, Theme, Genre, Column)
    )
    empty = "NULL::text, NULL::text, NULL::integer"
    return (
        f"WITH m (id, theme_id, genre_id, column_id, f_year, f_validity) AS MATERIALIZED ({sql}) "  # noqa: S608 (ORM-compiled SQL and model table names)
        f"SELECT 'publisher', a.id::text, a.name::text, a.sort_order::integer, {empty}, count(*) "
        f"FROM m JOIN {notice_publisher} p ON p.notice_id = m.id JOIN {agency} a ON a.id = p.agency_id "
        "GROUP BY a.id, a.name, a.sort_order "
        f"UNION ALL SELECT 'theme', t.id::text, t.name::text, t.sort_order::integer, tp.id::text, tp.name::text, "
        f"tp.sort_order::integer, count(*) FROM m JOIN {theme} t ON t.id = m.theme_id "
        f"LEFT JOIN {theme} tp ON tp.id = t.parent_id "
        "GROUP BY t.id, t.name, t.sort_order, tp.id, tp.name, tp.sort_order "
        f"UNION ALL SELECT 'genre', g.id::text, g.name::text, g.sort_order::integer, {empty}, count(*) "
        f"FROM m JOIN {genre} g ON g.id = m.genre_id GROUP BY g.id, g.name, g.sort_order "
        f"UNION ALL SELECT 'column', c.slug::text, c.name::text, c.sort_order::integer, {empty}, count(*) "
        f"FROM m JOIN {column} c ON c.id = m.column_id GROUP BY c.id, c.slug, c.name, c.sort_order "
        f"UNION ALL SELECT 'year', m.f_year::integer::text, NULL::text, NULL::integer, {empty}, count(*) "
        "FROM m WHERE m.f_year IS NOT NULL GROUP BY m.f_year "
        f"UNION ALL SELECT 'validity', m.f_validity::text, NULL::text, NULL::integer, {empty}, count(*) "
        "FROM m GROUP BY m.f_validity",
        list(params),
    )


# fold the tally's rows when a read finds more than this many (on the primary)
TALLY_COMPACT_ROWS = 10_000


def compact_facet_tally(using: str = PRIMARY) -> int:
    """Fold ``FacetTally``'s appended rows into one row per value; returns the rows left.

    One statement: writers keep appending meanwhile (their rows are not among those
    deleted), and a second compaction at the same moment folds only the rows it deleted
    itself, so nothing is counted twice."""
    table = FacetTally._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} RETURNING facet, key, delta) "  # noqa: S608 - model table
            f"INSERT INTO {table} (facet, key, delta) "
            "SELECT facet, key, sum(delta) FROM gone GROUP BY facet, key "
            "HAVING sum(delta) <> 0"
        )
        return cursor.rowcount


def _labelled_rows(counts: dict[str, dict[str, int]]) -> list[tuple]:
    """Facet rows shaped like ``_facet_sql``'s from counts per facet and key (publisher,
    theme, genre and column by id, year, 有效性 code); keys counted 0 or less are left
    out. Four small lookups for the names."""
    rows: list[tuple] = []
    counts = {
        f: {k: n for k, n in keyed.items() if n > 0} for f, keyed in counts.items()
    }

    def ids(facet: str) -> list[int]:
        return [int(k) for k in counts.get(facet, {})]

    for pk, name, sort in Agency.objects.filter(pk__in=ids("publisher")).values_list(
        "pk", "name", "sort_order"
    ):
        n = counts["publisher"][str(pk)]
        rows.append(("publisher", str(pk), name, sort, None, None, None, n))
    for t in Theme.objects.filter(pk__in=ids("theme")).select_related("parent"):
        p = t.parent
        rows.append(
            (
                "theme",
                str(t.pk),
                t.name,
                t.sort_order,
                *((str(p.pk), p.name, p.sort_order) if p else (None, None, None)),
                counts["theme"][str(t.pk)],
            )
        )
    for pk, name, sort in Genre.objects.filter(pk__in=ids("genre")).values_list(
        "pk", "name", "sort_order"
    ):
        n = counts["genre"][str(pk)]
        rows.append(("genre", str(pk), name, sort, None, None, None, n))
    for pk, slug, name, sort in Column.objects.filter(pk__in=ids("column")).values_list(
        "pk", "slug", "name", "sort_order"
    ):
        n = counts["column"][str(pk)]
        rows.append(("column", slug, name, sort, None, None, None, n))
    for facet in ("year", "validity"):
        rows += [
            (facet, key, None, None, None, None, None, n)
            for key, n in counts.get(facet, {}).items()
        ]
    return rows


def _tally_rows(today: dt.date) -> list[tuple]:
    """The facet rows (with counts) of every listed notice, from ``FacetTally``: a few
    hundred rows and a few index probes, whatever the size of the catalog. Today's 有效性
    follows from the stored one: listed notices stored as 有效 or 尚未生效 whose 有效期至
    has passed are 失效, those whose 施行日期 is still ahead are 尚未生效 (both counted
    through the partial 有效性 indexes), the rest of those two are 有效."""
    connection = read_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT facet, key, sum(delta), count(*) FROM {FacetTally._meta.db_table} "  # noqa: S608 - model table
            "GROUP BY facet, key"
        )
        tallied = cursor.fetchall()
    if connection.alias == PRIMARY and sum(r[3] for r in tallied) > TALLY_COMPACT_ROWS:
        compact_facet_tally()
    counts: dict[str, dict[str, int]] = {}
    for facet, key, n, _rows in tallied:
        counts.setdefault(facet, {})[key] = n
    stored = counts.pop("validity", {})
    listed = Notice.objects.listed()
    V = Notice.Validity
    lapsed = listed.filter(
        validity__in=[V.EFFECTIVE, V.NOT_YET], valid_until__lt=today
    ).count()
    ahead = listed.filter(Notice.current_validity_q(V.NOT_YET, today)).count()
    counts["validity"] = {
        V.EFFECTIVE: stored.get(V.EFFECTIVE, 0)
        + stored.get(V.NOT_YET, 0)
        - lapsed
        - ahead,
        V.NOT_YET: ahead,
        V.EXPIRED: stored.get(V.EXPIRED, 0) + lapsed,
        V.AMENDED: stored.get(V.AMENDED, 0),
        V.REPEALED: stored.get(V.REPEALED, 0),
    }
    return _labelled_rows(counts)


def _match_rows(matched: list[tuple], today: dt.date) -> list[tuple]:
    """The facet rows of the matches a search has read (``SearchPage.matched``), counted
    here: only their 发文机关 links are read, from an index of their own."""

    def tally(values: Iterable[Any]) -> dict[str, int]:
        return {str(k): n for k, n in Counter(values).items() if k is not None}

    counts = {
        facet: tally(r[i] for r in matched)
        for i, facet in ((1, "theme"), (2, "genre"), (3, "column"), (4, "year"))
    }
    counts["validity"] = tally(
        Notice.validity_of(r[5], r[6], r[7], today) for r in matched
    )
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT agency_id, count(*) FROM {NoticePublisher._meta.db_table} "  # noqa: S608 - model table
            "WHERE notice_id = ANY(%s) GROUP BY agency_id",
            [[r[0] for r in matched]],
        )
        counts["publisher"] = {str(a): n for a, n in cursor.fetchall()}
    return _labelled_rows(counts)


def _facet_rows(
    queryset: QuerySet,
    today: dt.date,
    *,
    words: bool = False,
    matches: list[tuple] | None = None,
    tally: bool = False,
) -> list[tuple]:
    """The facet rows of ``queryset``, shared by every worker until the catalog changes.

    Stored through ``catalog.search.shared_cache_get``/``set`` under the catalog generation
    (one query for the lookup), so a worker or app server counts a query's facets only when
    no other has since the last change. ``words``: ``queryset`` is a ``search.matching``
    query set; its ids are read first with the index settings (``search.matched_ids``), then
    grouped, so the key arrays are never tested row by row — unless the search already
    read them (``matches``: ``SearchPage.matched``, every match of this same query set),
    which are then counted as they are (``_match_rows``).
    ``tally``: ``queryset`` is every listed notice, counted by the database as it is
    written (``_tally_rows``).
    """
    from catalog import search

    try:
        sql, params = _facet_sql(queryset, today)
    except EmptyResultSet:  # .none(): a search in a catalog without notices
        return []
    key = "catalog:facets:" + json.dumps(
        [sql, [str(p) for p in params]], ensure_ascii=False
    )
    generation, rows = search.shared_cache_get(key)
    if rows is not None:
        return [tuple(r) for r in rows]
    if tally:
        rows = _tally_rows(today)
        search.shared_cache_set(key, generation, rows)
        return rows
    if matches is not None:
        rows = _match_rows(matches, today) if matches else []
        search.shared_cache_set(key, generation, rows)
        return rows
    ids = search.matched_ids(queryset) if words else None
    if ids == []:
        rows = []
    else:
        if ids is not None:
            sql, params = _facet_sql(Notice.objects.filter(pk__in=ids), today)
        with read_connection().cursor() as cursor:  # the replica for public pages
            cursor.execute(sql, params)
            rows = [tuple(r) for r in cursor.fetchall()]
    search.shared_cache_set(key, generation, rows)
    return rows


def facet_counts(
    filterset: NoticeFilter,
    matched: QuerySet | None,
    *,
    base_url: str,
    words: bool = False,
    matches: list[tuple] | None = None,
    whole_catalog: bool = False,
) -> list[Facet]:
    """Every filter value with its count among the filtered and matched notices.

    ``matched`` is None when counting would mean reading more than the search's count cap
    (a very common word): the values are then those of ``filterset.queryset`` and carry no
    count. ``words``: ``matched`` comes from ``search.matching`` (a query with words), so
    its ids are read through the index first, unless the search passes its matches
    (``matches``: ``SearchPage.matched``, every match of ``filterset.apply(matched)``).
    ``whole_catalog``: ``filterset.queryset`` is every listed notice, whose counts the
    database keeps (``FacetTally``): they serve a page without words or restricting
    filters, and the values shown for a capped search.
    """
    params = filterset.query_params()
    with_counts = matched is not None
    if with_counts:
        rows = _facet_rows(
            filterset.apply(matched),
            filterset.today,
            words=words,
            matches=matches,
            tally=whole_catalog and not words and not filterset.restricts(),
        )
    else:
        rows = _facet_rows(filterset.queryset, filterset.today, tally=whole_catalog)

    def link(name: str, value: str | None) -> str:
        return url_with(base_url, params, **{name: value})

    def value(name: str, key: str, label: str, count: int) -> FacetValue:
        return FacetValue(
            key,
            label,
            count if with_counts else 0,
            params.get(name) == key,
            link(name, key),
        )

    grouped: dict[str, list[tuple]] = {name: [] for name in FACET_PARAMS}
    for row in rows:
        grouped[row[0]].append(row)

    facets: list[Facet] = []
    for name in FACET_PARAMS:
        facet_rows = grouped[name]
        if name == "theme":
            values = _theme_tree(facet_rows, value)
        elif name == "year":
            values = [
                value(name, r[1], f"{r[1]}年", r[7])
                for r in sorted(facet_rows, key=lambda r: -int(r[1]))
            ]
        elif name == "validity":
            counts = {r[1]: r[7] for r in facet_rows}
            values = [
                value(name, code, label, counts[code])
                for code, label in Notice.Validity.choices
                if code in counts
            ]
        else:
            values = [
                value(name, r[1], r[2], r[7])
                for r in sorted(facet_rows, key=lambda r: (r[3], r[2]))
            ]
        facets.append(
            Facet(
                name,
                FACET_LABELS[name],
                values,
                clear_url=link(name, None),
                with_counts=with_counts,
            )
        )
    return facets


def _theme_tree(rows: list[tuple], value) -> list[FacetValue]:
    """Fold per-theme rows into the two-level tree (a parent counts its children)."""
    parents: dict[str, FacetValue] = {}
    order: dict[str, tuple] = {}
    for _, key, label, sort, parent_key, parent_label, parent_sort, count in rows:
        if parent_key is None:
            node_key, node_label, node_sort = key, label, sort
        else:
            node_key, node_label, node_sort = parent_key, parent_label, parent_sort
        node = parents.get(node_key)
        if node is None:
            node = parents[node_key] = value("theme", node_key, node_label, 0)
            order[node_key] = (node_sort, int(node_key))
        node.count += count
        if parent_key is not None:
            node.children.append(value("theme", key, label, count))
            order[key] = (sort, int(key))
    for node in parents.values():
        node.children.sort(key=lambda c: order[c.value])
        node.expanded = node.selected or any(c.selected for c in node.children)
    return sorted(parents.values(), key=lambda p: order[p.value])


# -- running a catalog search ---------------------------------------------------------------


@dataclass
class CatalogResults:
    """Everything a list page, feed or API response needs, computed by one call."""

    filterset: NoticeFilter
    parsed: Any  # catalog.search.ParsedQuery
    page: Any  # catalog.search.SearchPage
    params: dict[str, str]
    sort: str
    scope: str
    per_page: int
    messages: list[str]
    cursor_rejected: bool = False


def _in_titles(queryset: QuerySet, parsed: Any) -> QuerySet:
    """标题 scope: every word must also occur in the (normalised) title."""
    for term in parsed.terms:
        queryset = queryset.filter(search_title__contains=term)
    return queryset


def run_catalog_search(
    data: Mapping[str, Any],
    *,
    today: dt.date,
    cursor: str | None = None,
    per_page: int | None = None,
    queryset: QuerySet | None = None,
    defer_total: bool = False,
    matches: bool = False,
) -> CatalogResults:
    """Validate ``data``, then search and page the listed notices (a fixed number of queries).

    ``defer_total``: a search with words may come back with its total pending
    (``page.complete()``); a listing without words always has its total. ``matches``:
    the count gathers the matches for the filter counts (``search_notices``)."""
    from catalog import search

    filterset = NoticeFilter(
        data,
        queryset=queryset if queryset is not None else Notice.objects.listed(),
        today=today,
    )
    messages: list[str] = []
    parsed = search.parse_query(filterset.value("q") or "")
    if parsed.warning:
        messages.append(parsed.warning)
    scope = filterset.value("scope") or SCOPE_ALL
    sort = filterset.value("sort") or (SORT_DATE if parsed.is_empty else SORT_RELEVANCE)
    limit = per_page or filterset.value("per_page") or DEFAULT_PER_PAGE

    base = filterset.qs
    if scope == SCOPE_TITLE:
        base = _in_titles(base, parsed)
    page = search.search_notices(
        base,
        parsed,
        order=sort,
        cursor=cursor or None,
        limit=limit,
        defer_total=defer_total and not parsed.is_empty,  # a plain listing counts fast
        matches=matches,
    )
    # The search answers a tampered, stale or foreign cursor with the first page.
    cursor_rejected = bool(cursor) and page.first_page and bool(page.results)
    if cursor_rejected:
        messages.append("翻页参数无效或已过期，已显示第一页。")
    return CatalogResults(
        filterset=filterset,
        parsed=parsed,
        page=page,
        params=filterset.query_params(),
        sort=sort,
        scope=scope,
        per_page=limit,
        messages=messages,
        cursor_rejected=cursor_rejected,
    )


def matched_for_facets(results: CatalogResults) -> QuerySet | None:
    """The listed notices matching the query (before the restricting filters), or None
    when more than the search's count cap match a query: counting those per filter value
    would read every matching notice once more."""
    from catalog import search

    base = results.filterset.queryset
    if results.parsed.is_empty:
        return base
    if results.page.total_capped:
        return None
    matched = search.matching(base, results.parsed)
    if results.scope == SCOPE_TITLE:
        matched = _in_titles(matched, results.parsed)
    return matched
