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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from catalog.models import Column, Genre, Notice, NoticePublisher, Theme
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
                self.add_error(name, f"{self.fields[name].label}超出范围，请填写 1900 年至 2100 年之间的日期。")
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
        label="检索范围", choices=SCOPE_CHOICES, method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "检索范围参数无效，已按全文检索。"},
    )
    publisher = django_filters.ModelChoiceFilter(
        label="发文机关", queryset=Agency.objects.all(), method="filter_publisher",
        error_messages={"invalid_choice": "发文机关参数无效（没有这个机关），已忽略。"},
    )
    theme = django_filters.ModelChoiceFilter(
        label="主题分类", queryset=Theme.objects.all(), method="filter_theme",
        error_messages={"invalid_choice": "主题分类参数无效（没有这个分类），已忽略。"},
    )
    genre = django_filters.ModelChoiceFilter(
        label="体裁", queryset=Genre.objects.all(), field_name="genre",
        error_messages={"invalid_choice": "体裁参数无效（没有这个体裁），已忽略。"},
    )
    year = YearFilter(
        label="发布年份", method="filter_year", min_value=MIN_DATE.year, max_value=MAX_DATE.year,
        error_messages={
            "invalid": "发布年份应为四位数字，例如 2024，已忽略。",
            "min_value": "发布年份超出范围，已忽略。",
            "max_value": "发布年份超出范围，已忽略。",
        },
    )
    validity = django_filters.ChoiceFilter(
        label="有效性", choices=Notice.Validity.choices, method="filter_validity",
        error_messages={"invalid_choice": "有效性参数无效，已忽略。"},
    )
    start = django_filters.DateFilter(
        label="发布日期（起）", method="filter_start", input_formats=["%Y-%m-%d"],
        error_messages=_date_error("发布日期（起）"),
    )
    end = django_filters.DateFilter(
        label="发布日期（止）", method="filter_end", input_formats=["%Y-%m-%d"],
        error_messages=_date_error("发布日期（止）"),
    )
    column = django_filters.ModelChoiceFilter(
        label="栏目", queryset=Column.objects.all(), to_field_name="slug", field_name="column",
        error_messages={"invalid_choice": "栏目参数无效（没有这个栏目），已忽略。"},
    )
    sort = django_filters.ChoiceFilter(
        label="排序", choices=SORT_CHOICES, method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "排序参数无效，已按默认方式排序。"},
    )
    per_page = django_filters.TypedChoiceFilter(
        label="每页显示", choices=PER_PAGE_CHOICES, coerce=int, method="_not_a_queryset_filter",
        error_messages={"invalid_choice": "每页条数参数无效，已按每页 20 条显示。"},
    )

    class Meta:
        model = Notice
        fields: list[str] = []
        form = NoticeFilterForm

    def __init__(self, data: Mapping[str, Any] | None = None, queryset: QuerySet | None = None, *, today: dt.date, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        self.today = today

    # -- filters ---------------------------------------------------------------------

    def _not_a_queryset_filter(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset

    def filter_publisher(self, queryset: QuerySet, name: str, value: Agency) -> QuerySet:
        # EXISTS rather than a join: a joint document must still be one row
        return queryset.filter(
            Exists(NoticePublisher.objects.filter(notice_id=OuterRef("pk"), agency_id=value.pk))
        )

    def filter_theme(self, queryset: QuerySet, name: str, value: Theme) -> QuerySet:
        # a parent theme (父类) includes the notices filed under its children (子类)
        return queryset.filter(
            Q(theme_id=value.pk) | Q(theme_id__in=Theme.objects.filter(parent_id=value.pk).values("pk"))
        )

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(
            published_at__gte=_local_midnight(dt.date(value, 1, 1)),
            published_at__lt=_local_midnight(dt.date(value + 1, 1, 1)),
        )

    def filter_validity(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.alias(current_validity=Notice.current_validity_expression(self.today)).filter(
            current_validity=value
        )

    def filter_start(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(published_at__gte=_local_midnight(value))

    def filter_end(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(published_at__lt=_local_midnight(value + dt.timedelta(days=1)))

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

    def error_messages(self) -> list[str]:
        messages = []
        for name, errors in self.errors.items():
            messages.extend(str(e) for e in errors)
        return messages

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
    query = urlencode([(k, merged[k]) for k in [*SEARCH_PARAMS, "cursor", "page"] if k in merged])
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
    expanded: bool = False  # a parent theme shows its children when it or one of them is chosen


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    clear_url: str = ""

    @property
    def selected(self) -> FacetValue | None:
        for value in self.values:
            if value.selected:
                return value
            for child in value.children:
                if child.selected:
                    return child
        return None


def facet_counts(filterset: NoticeFilter, matched: QuerySet, *, base_url: str) -> list[Facet]:
    """Counts per filter value, one GROUP BY query per facet (six in all).

    Each facet is counted on the matched notices with every *other* filter applied, so
    the alternatives to a chosen value stay visible with their counts.
    """
    params = filterset.query_params()
    params.pop("cursor", None)

    def link(name: str, value: str | None) -> str:
        return url_with(base_url, params, **{name: value})

    def scoped(name: str) -> QuerySet:
        return filterset.apply(matched, exclude=[name]).order_by()

    facets: list[Facet] = []

    # 发文机关: through the publisher links (joint documents count for every publisher)
    selected = params.get("publisher")
    rows = (
        NoticePublisher.objects.filter(notice_id__in=scoped("publisher").values("pk"))
        .values("agency_id", "agency__name", "agency__sort_order")
        .annotate(n=Count("notice_id", distinct=True))
        .order_by("agency__sort_order", "agency_id")
    )
    facets.append(Facet("publisher", "发文机关", [
        FacetValue(str(r["agency_id"]), r["agency__name"], r["n"], str(r["agency_id"]) == selected,
                   link("publisher", str(r["agency_id"])))
        for r in rows
    ]))

    # 主题分类: counted per theme row, then folded into the two-level tree
    selected = params.get("theme")
    rows = (
        scoped("theme").filter(theme__isnull=False)
        .values("theme_id", "theme__name", "theme__sort_order", "theme__parent_id",
                "theme__parent__name", "theme__parent__sort_order")
        .annotate(n=Count("id"))
    )
    parents: dict[int, FacetValue] = {}
    order: dict[int, tuple[int, int]] = {}
    for r in rows:
        parent_id = r["theme__parent_id"]
        if parent_id is None:
            key, name, sort = r["theme_id"], r["theme__name"], r["theme__sort_order"]
        else:
            key, name, sort = parent_id, r["theme__parent__name"], r["theme__parent__sort_order"]
        node = parents.get(key)
        if node is None:
            node = parents[key] = FacetValue(str(key), name, 0, str(key) == selected, link("theme", str(key)))
            order[key] = (sort, key)
        node.count += r["n"]
        if parent_id is not None:
            node.children.append(FacetValue(
                str(r["theme_id"]), r["theme__name"], r["n"], str(r["theme_id"]) == selected,
                link("theme", str(r["theme_id"])),
            ))
            order[r["theme_id"]] = (r["theme__sort_order"], r["theme_id"])
    for node in parents.values():
        node.children.sort(key=lambda c: order[int(c.value)])
        node.expanded = node.selected or any(c.selected for c in node.children)
    facets.append(Facet("theme", "主题分类", sorted(parents.values(), key=lambda p: order[int(p.value)])))

    # 体裁
    selected = params.get("genre")
    rows = (
        scoped("genre").filter(genre__isnull=False)
        .values("genre_id", "genre__name", "genre__sort_order")
        .annotate(n=Count("id"))
        .order_by("genre__sort_order", "genre_id")
    )
    facets.append(Facet("genre", "体裁", [
        FacetValue(str(r["genre_id"]), r["genre__name"], r["n"], str(r["genre_id"]) == selected,
                   link("genre", str(r["genre_id"])))
        for r in rows
    ]))

    # 发布年份 (Beijing time)
    selected = params.get("year")
    rows = (
        scoped("year").annotate(pub_year=ExtractYear("published_at"))
        .values("pub_year").annotate(n=Count("id")).order_by("-pub_year")
    )
    facets.append(Facet("year", "发布年份", [
        FacetValue(str(r["pub_year"]), f"{r['pub_year']}年", r["n"], str(r["pub_year"]) == selected,
                   link("year", str(r["pub_year"])))
        for r in rows if r["pub_year"] is not None
    ]))

    # 有效性 as of today
    selected = params.get("validity")
    rows = (
        scoped("validity").annotate(current_validity=Notice.current_validity_expression(filterset.today))
        .values("current_validity").annotate(n=Count("id"))
    )
    counts = {r["current_validity"]: r["n"] for r in rows}
    facets.append(Facet("validity", "有效性", [
        FacetValue(code, label, counts[code], code == selected, link("validity", code))
        for code, label in Notice.Validity.choices if counts.get(code)
    ]))

    # 栏目
    selected = params.get("column")
    rows = (
        scoped("column").filter(column__isnull=False)
        .values("column_id", "column__name", "column__slug", "column__sort_order")
        .annotate(n=Count("id"))
        .order_by("column__sort_order", "column_id")
    )
    facets.append(Facet("column", "栏目", [
        FacetValue(r["column__slug"], r["column__name"], r["n"], r["column__slug"] == selected,
                   link("column", r["column__slug"]))
        for r in rows
    ]))

    for facet in facets:
        facet.clear_url = link(facet.name, None)
    return facets


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
) -> CatalogResults:
    """Validate ``data``, then search and page the listed notices (a fixed number of queries)."""
    from catalog import search

    filterset = NoticeFilter(data, queryset=queryset if queryset is not None else Notice.objects.listed(), today=today)
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
    page = search.search_notices(base, parsed, order=sort, cursor=cursor or None, limit=limit)
    # The search answers a tampered, stale or foreign cursor with the first page. A first
    # page has no previous page, while every page reached through a cursor has one (links
    # back to the first page carry no cursor), so that is how a rejected cursor shows.
    cursor_rejected = bool(cursor) and page.prev_cursor is None and bool(page.results)
    if cursor_rejected:
        messages.append("翻页参数无效或已过期，已显示第一页。")
    return CatalogResults(
        filterset=filterset, parsed=parsed, page=page, params=filterset.query_params(), sort=sort,
        scope=scope, per_page=limit, messages=messages, cursor_rejected=cursor_rejected,
    )


def matched_for_facets(results: CatalogResults) -> QuerySet:
    """The listed notices matching the query (before the restricting filters)."""
    from catalog import search

    base = results.filterset.queryset
    if results.parsed.is_empty:
        return base
    matched = search.matching(base, results.parsed)
    if results.scope == SCOPE_TITLE:
        matched = _in_titles(matched, results.parsed)
    return matched
