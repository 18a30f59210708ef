"""Public pages of the 主动公开 catalog: home, the searchable 政府信息公开目录, notice pages,
attachment downloads, the 目录 (条例 第十二条), the 指南 and the HTML 网站地图.

Every notice URL goes through ``get_public_notice``. Templates trigger no queries: each
view fetches what its page shows, in a fixed number of queries whatever the page size.
Home, notice pages, and the searchable 目录 and the 目录 (条例 第十二条) when requested
without a query string are served to anonymous visitors from the shared page cache
(``catalog.pagecache``).
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Subquery,
    prefetch_related_objects,
)
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from catalog.attachments import text_charset
from catalog.filters import (
    API_MAX_PER_PAGE,
    FACET_LABELS,
    FACET_PARAMS,
    PER_PAGE_CHOICES,
    SCOPE_CHOICES,
    SORT_CHOICES,
    SORT_DATE,
    SORT_RELEVANCE,
    facet_counts,
    matched_for_facets,
    run_catalog_search,
    url_with,
)
from catalog.models import (
    Attachment,
    Column,
    Genre,
    Notice,
    NoticeCleanupReview,
    NoticePublisher,
    NoticeRevision,
    Theme,
)
from catalog.pagecache import anonymous_page_cache
from catalog.sanitize import html_to_text
from portal.dbrouter import read_alias, run_read
from portal.models import Agency
from portal.timeutil import local_today

HOME_ITEMS_PER_COLUMN = 8
GUIDE_COUNTS_CACHE_SECONDS = 300
TEXT_SNIFF_BYTES = 1024 * 1024  # enough bytes of a .txt attachment to tell its charset
PUBLIC_STATUSES = (Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN)
# what a list row shows besides the notice's own columns
LIST_RELATED = ("theme__parent", "genre", "column")
# never shown on a page: the search columns are long (keys of every character and pair)
SEARCH_COLUMNS = ("search_text", "search_title", "search_codes", "search_title_codes")
# what a 解读 link shows
RELATED_FIELDS = ("id", "uuid", "title", "published_at")
# what an attachment link on a notice page shows (never the extracted text)
ATTACHMENT_LINK_FIELDS = ("id", "notice_id", "name", "size", "position")
# types a browser could render as a page: always sent as an opaque download
UNSAFE_INLINE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
}

logger = logging.getLogger(__name__)


def get_public_notice(uuid: UUID) -> Notice:
    """The only way a view gets a notice: published or withdrawn, otherwise 404."""
    latest_cleanup = NoticeCleanupReview.objects.filter(
        notice_id=OuterRef("pk")
    ).order_by("-decided_date", "-id")
    notice = (
        Notice.objects.select_related(*LIST_RELATED)
        .defer(*SEARCH_COLUMNS)
        .annotate(
            # the latest 清理 decision, shown in the metadata block (same query)
            cleanup_date=Subquery(latest_cleanup.values("decided_date")[:1]),
            cleanup_result=Subquery(latest_cleanup.values("result")[:1]),
            # 最后更新: the last change of what a reader reads (标题, 内容概述, 正文,
            # 附件) after the first publication (catalog.revisions)
            content_updated_at=Subquery(
                NoticeRevision.objects.filter(
                    notice_id=OuterRef("pk"),
                    status=NoticeRevision.Status.APPLIED,
                    public_change=True,
                )
                .order_by("-applied_at", "-id")
                .values("applied_at")[:1]
            ),
        )
        .filter(uuid=uuid)
        .first()
    )
    if notice is None:
        raise Http404("政府信息不存在")
    if notice.status not in PUBLIC_STATUSES:
        raise Http404("政府信息不存在")
    return notice


def publishers_prefetch() -> Prefetch:
    return Prefetch(
        "publisher_links", queryset=NoticePublisher.objects.select_related("agency")
    )


def prepare_rows(notices: list[Notice]) -> list[Notice]:
    """Load what a result row shows, in a fixed number of queries for the whole page.

    Relations already joined by ``select_related`` cost nothing here.
    """
    prefetch_related_objects(notices, publishers_prefetch(), *LIST_RELATED)
    return notices


def related_prefetch(name: str) -> Prefetch:
    """解读 links, limited to what the public may see (never a draft)."""
    return Prefetch(
        name,
        queryset=Notice.objects.listed()
        .only(*RELATED_FIELDS)
        .order_by("-published_at", "-id"),
        to_attr=f"public_{name}",
    )


def _column_url(column: Column | None) -> str:
    base = reverse("catalog:notice_list")
    return f"{base}?column={quote(column.slug)}" if column else base


# -- home ------------------------------------------------------------------------------------


@require_safe
@anonymous_page_cache
def home(request: HttpRequest) -> HttpResponse:
    columns = list(Column.objects.filter(show_on_home=True))
    latest: dict[int, list[Notice]] = {c.pk: [] for c in columns}
    if columns:
        # one UNION ALL of "newest N in this column" subqueries, then one fetch
        per_column = [
            Notice.objects.listed()
            .filter(column_id=c.pk)
            .order_by("-published_at", "-id")
            .values_list("pk", flat=True)[:HOME_ITEMS_PER_COLUMN]
            for c in columns
        ]
        ids = (
            list(per_column[0].union(*per_column[1:], all=True))
            if len(per_column) > 1
            else list(per_column[0])
        )
        for notice in (
            Notice.objects.filter(pk__in=ids)
            .only("id", "uuid", "title", "published_at", "column_id")
            .order_by("-published_at", "-id")
        ):
            latest[notice.column_id].append(notice)
    sections = [
        {"column": c, "notices": latest[c.pk], "url": _column_url(c)}
        for c in columns
        if latest[c.pk]
    ]
    return render(
        request,
        "catalog/home.html",
        {
            "sections": sections,
            "scope_choices": SCOPE_CHOICES,
            # the county's home links to every department's and 乡镇/街道's own pages
            "agencies": list(
                Agency.objects.filter(is_active=True)
                .exclude(kind=Agency.Kind.GOVERNMENT)
                .only("id", "name", "short_name")
                .order_by("sort_order", "id")
            ),
        },
    )


# -- the searchable catalog --------------------------------------------------------------------


@dataclass
class ResultRow:
    notice: Notice
    title_html: str
    snippet_html: str
    publishers: list[Agency]
    validity_label: str


def _result_rows(notices: list[Notice], parsed: Any, today) -> list[ResultRow]:
    from catalog import search

    prepare_rows(notices)
    rows = []
    for notice in notices:
        snippet = ""
        if not parsed.is_empty:
            for text in (notice.summary, html_to_text(notice.body)):
                candidate = search.highlight(text, parsed) if text else ""
                if "<mark>" in candidate:
                    snippet = candidate
                    break
        if not snippet:
            snippet = search.highlight(
                notice.summary or html_to_text(notice.body), parsed
            )
        rows.append(
            ResultRow(
                notice=notice,
                title_html=search.highlight(notice.title, parsed, max_chars=300),
                snippet_html=snippet,
                publishers=[link.agency for link in notice.publisher_links.all()],
                validity_label=notice.validity_label_on(today),
            )
        )
    return rows


def _page_number(request: HttpRequest, results: Any) -> int:
    """Which page this is (only a label: the cursor decides what is shown)."""
    raw = request.GET.get("page", "")
    if not request.GET.get("cursor") or results.cursor_rejected or not raw.isdigit():
        return 1
    return max(1, min(int(raw), 1_000_000))


def _pagination(
    base: str, params: dict[str, str], page: Any, number: int
) -> dict[str, str]:
    """Links to the neighbouring pages; the link back to page 1 carries no cursor."""
    prev_url = ""
    if page.prev_cursor:
        prev_url = (
            url_with(base, params)
            if number <= 2
            else url_with(base, params, cursor=page.prev_cursor, page=str(number - 1))
        )
    next_url = (
        url_with(base, params, cursor=page.next_cursor, page=str(number + 1))
        if page.next_cursor
        else ""
    )
    label = f"第 {number} 页" if (prev_url or next_url) else ""
    return {"page_prev_url": prev_url, "page_next_url": next_url, "page_label": label}


def _chosen_label(name: str, value: Any) -> str:
    """How a chosen filter value reads in the “已选条件” list."""
    if name == "theme":
        return value.full_name
    if name == "year":
        return f"{value}年"
    if name == "validity":
        return Notice.Validity(value).label
    return value.name


# Where a streamed search page (below) continues after its results have been sent: the
# page is rendered once with these markers, then cut at them.
_STREAM_TAIL = "\u0000xxgk-stream-tail\u0000"
_STREAM_FACETS = "\u0000xxgk-stream-facets\u0000"


@require_safe
@anonymous_page_cache
def notice_list(request: HttpRequest) -> HttpResponse:
    """The 政府信息公开目录 with search. A search whose total is not yet known (not cached,
    not in the cursor, more than one page) is streamed: the results are sent as soon as
    they are found, then the exact total, the pagination and the filter counts follow in
    the same response, so the page needs no JavaScript for any of it (docs/search.md,
    "The search page")."""
    today = local_today()
    base_url = reverse("catalog:notice_list")
    results = run_catalog_search(
        request.GET,
        today=today,
        cursor=request.GET.get("cursor"),
        queryset=Notice.objects.listed().select_related(*LIST_RELATED),
        defer_total=True,
        matches=True,  # the filter counts count the rows the total was counted from
    )
    params = results.params
    fs = results.filterset
    chosen = [
        {
            "label": FACET_LABELS[name],
            "value": _chosen_label(name, fs.value(name)),
            "remove_url": url_with(base_url, params, **{name: None}),
        }
        for name in FACET_PARAMS
        if fs.value(name) is not None
    ]
    for name in ("start", "end"):
        if fs.value(name):
            chosen.append(
                {
                    "label": fs.form.fields[name].label,
                    "value": params[name],
                    "remove_url": url_with(base_url, params, **{name: None}),
                }
            )
    sort_links = [
        {
            "value": value,
            "label": label,
            "current": value == results.sort,
            "url": url_with(base_url, params, sort=value),
        }
        for value, label in SORT_CHOICES
        if value == SORT_DATE or not results.parsed.is_empty
    ]
    feed_url = url_with(
        reverse("catalog:notice_feed"),
        {k: v for k, v in params.items() if k not in ("per_page", "sort")},
    )
    rows = _result_rows(list(results.page.results), results.parsed, today)
    context = {
        "results": results,
        "rows": rows,
        "form": fs.form,
        "chosen": chosen,
        "hidden_params": [
            (k, v)
            for k, v in params.items()
            if k not in ("q", "scope", "start", "end", "sort", "per_page")
        ],
        "errors": fs.error_messages(),
        "sort_links": sort_links,
        "scope_choices": SCOPE_CHOICES,
        "sort_choices": SORT_CHOICES,
        "per_page_choices": PER_PAGE_CHOICES,
        "sort_relevance": SORT_RELEVANCE,
        "clear_url": base_url,
        "feed_url": feed_url,
    }

    def tail_context(with_facets: bool = True) -> dict[str, Any]:
        """What needs the total: its label, the pagination (cursors carry the total) and
        the filter values with their counts (queries; left out after a failure)."""
        facets = (
            facet_counts(
                fs,
                matched_for_facets(results),
                base_url=base_url,
                words=not results.parsed.is_empty,
                matches=results.page.matched,
                whole_catalog=True,
            )
            if with_facets
            else []
        )
        return {
            "total_label": _total_label(results.page),
            "facets": facets,
            "has_facet_values": any(facet.values for facet in facets),
            **_pagination(
                base_url, params, results.page, _page_number(request, results)
            ),
        }

    if not results.page.pending:
        return render(
            request, "catalog/notice_list.html", {**context, **tail_context()}
        )
    return _streamed_list(request, context, results, tail_context)


def _total_label(page: Any) -> str:
    """ "1,234" or "10,000+"; empty when the total could not be counted."""
    if page.total is None:
        return ""
    return f"{page.total:,}" + ("+" if page.total_capped else "")


def _streamed_list(
    request: HttpRequest, context: dict[str, Any], results: Any, tail_context
) -> StreamingHttpResponse:
    """Send the page up to the end of the results now; count, then send the rest."""
    html = render_to_string(
        "catalog/notice_list.html",
        {
            **context,
            "streamed": True,
            "stream_tail": mark_safe(_STREAM_TAIL),  # noqa: S308 - a constant marker
            "stream_facets": mark_safe(_STREAM_FACETS),  # noqa: S308 - a constant marker
            "has_facet_values": bool(context["rows"]),
        },
        request,
    )
    head, rest = html.split(_STREAM_TAIL, 1)
    middle, end = rest.split(_STREAM_FACETS, 1)
    alias = read_alias()
    page = results.page

    def finish() -> dict[str, Any]:
        page.complete()
        return tail_context()

    def chunks():
        yield head
        try:
            extra = run_read(alias, finish)
        except DatabaseError:
            # the results are on the screen already: say the total could not be counted
            logger.exception("search total failed after the results were sent")
            page.give_up_total()  # nothing to do when the total was counted (facets failed)
            extra = tail_context(with_facets=False)
        full = {**context, "streamed": True, **extra}
        yield render_to_string("catalog/_results_tail.html", full, request)
        yield middle
        yield render_to_string("catalog/_facets.html", full, request)
        yield end

    response = StreamingHttpResponse(chunks(), content_type="text/html; charset=utf-8")
    response["X-Accel-Buffering"] = "no"  # nginx: pass each part on at once
    return response


# -- a notice ------------------------------------------------------------------------------------


def may_read_content(request: HttpRequest, notice: Notice) -> bool:
    """Body, summary and attachments: everyone's, except of a withdrawn (撤回) notice,
    which only its lead agency's staff may still read. Without a session cookie the
    visitor is anonymous, and the session is not touched (so the page can be cached)."""
    if not notice.is_withdrawn:
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return notice.content_visible_to(request.user)


@require_safe
@anonymous_page_cache
def notice_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    notice = get_public_notice(uuid)
    if not may_read_content(request, notice):
        return render(request, "catalog/notice_withdrawn.html", {"notice": notice})
    prefetch_related_objects(
        [notice],
        publishers_prefetch(),
        Prefetch(
            "attachments", queryset=Attachment.objects.only(*ATTACHMENT_LINK_FIELDS)
        ),
        related_prefetch("interpretations"),
        related_prefetch("interpreted_policies"),
    )
    today = local_today()
    publishers = [link.agency for link in notice.publisher_links.all()]
    description = notice.summary or html_to_text(notice.body)
    return render(
        request,
        "catalog/notice_detail.html",
        {
            "notice": notice,
            "publishers": publishers,
            "validity_label": notice.validity_label_on(today),
            "cleanup_label": NoticeCleanupReview.Result(notice.cleanup_result).label
            if notice.cleanup_result
            else "",
            "attachments": list(notice.attachments.all()),
            "interpretations": notice.public_interpretations,
            "interpreted_policies": notice.public_interpreted_policies,
            "column_url": _column_url(notice.column),
            "meta_description": " ".join(description.split())[:200],
            "meta_keywords": ",".join(notice.keywords)
            if notice.keywords
            else (notice.theme.name if notice.theme else ""),
            "meta_source": "、".join(a.name for a in publishers),
            # staff of the lead agency reading a withdrawn notice's record
            "staff_view_of_withdrawn": notice.is_withdrawn,
        },
    )


def _attachment_content_type(attachment: Attachment) -> str:
    """The media type to send, without parameters (a charset is added from the bytes)."""
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    if "/" not in content_type or any(c in content_type for c in "\r\n"):
        content_type = (
            mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        )
    if content_type in UNSAFE_INLINE_TYPES:
        content_type = "application/octet-stream"
    return content_type


@require_safe
def attachment_download(
    request: HttpRequest, uuid: UUID, attachment_id: int
) -> HttpResponse:
    notice = get_public_notice(uuid)
    if not may_read_content(request, notice):
        raise Http404("附件不存在")
    attachment = Attachment.objects.filter(
        notice_id=notice.pk, pk=attachment_id
    ).first()
    return attachment_response(notice, attachment)


def attachment_response(notice: Notice, attachment: Attachment | None) -> FileResponse:
    """The file of ``attachment`` (of ``notice``, already access-checked) as a download;
    404 when there is none. Shared by the public URL and the staff preview's URL."""
    if attachment is None or not attachment.file:
        raise Http404("附件不存在")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        logger.error(
            "attachment file missing attachment=%s notice=%s path=%s",
            attachment.pk,
            notice.pk,
            attachment.file.name,
        )
        raise Http404("附件文件不存在") from exc
    content_type = _attachment_content_type(attachment)
    if content_type == "text/plain":
        # UTF-8 or GB18030 (common in government files): say which, or browsers guess
        head = handle.read(TEXT_SNIFF_BYTES)
        handle.seek(0)
        complete = len(head) < TEXT_SNIFF_BYTES
        content_type += f"; charset={text_charset(head, complete=complete)}"
    response = FileResponse(handle, content_type=content_type)
    extension = "".join(
        c
        for c in (attachment.name.rsplit(".", 1)[-1] if "." in attachment.name else "")
        if c.isascii() and c.isalnum()
    )[:10]
    fallback = f"attachment-{attachment.pk}" + (f".{extension}" if extension else "")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(attachment.name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- 政府信息公开目录 (条例 第十二条: 索引、名称、内容概述、生成日期) ------------------------------------


@require_safe
@anonymous_page_cache
def directory(request: HttpRequest) -> HttpResponse:
    today = local_today()
    base_url = reverse("catalog:directory")
    data = {k: request.GET[k] for k in ("publisher", "per_page") if request.GET.get(k)}
    results = run_catalog_search(data, today=today, cursor=request.GET.get("cursor"))
    selected = results.filterset.value("publisher")
    page = results.page
    return render(
        request,
        "catalog/directory.html",
        {
            "results": results,
            "total_label": _total_label(page),
            "notices": list(page.results),
            "agencies": list(Agency.objects.filter(is_active=True).only("pk", "name")),
            "selected_publisher": results.params.get("publisher", ""),
            "selected_agency_name": selected.name if selected else "",
            "errors": results.filterset.error_messages(),
            **_pagination(
                base_url, results.params, page, _page_number(request, results)
            ),
            "per_page_choices": PER_PAGE_CHOICES,
        },
    )


# -- 政府信息公开指南 (条例 第十二条) -------------------------------------------------------------------


def _guide_counts() -> dict[str, dict[int, int]]:
    """Listed notices per 主题分类, 体裁 and 栏目 (cached briefly: the 指南 is read often)."""
    counts = cache.get("catalog:guide_counts")
    if counts is None:
        listed = Notice.objects.listed().order_by()
        counts = {
            "theme": dict(
                listed.filter(theme__isnull=False)
                .values_list("theme_id")
                .annotate(n=Count("id"))
            ),
            "genre": dict(
                listed.filter(genre__isnull=False)
                .values_list("genre_id")
                .annotate(n=Count("id"))
            ),
            "column": dict(
                listed.filter(column__isnull=False)
                .values_list("column_id")
                .annotate(n=Count("id"))
            ),
        }
        cache.set("catalog:guide_counts", counts, GUIDE_COUNTS_CACHE_SECONDS)
    return counts


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    counts = _guide_counts()
    list_url = reverse("catalog:notice_list")
    themes = list(Theme.objects.all())
    tree: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for theme in themes:
        if theme.parent_id is None:
            by_id[theme.pk] = {
                "theme": theme,
                "count": counts["theme"].get(theme.pk, 0),
                "url": f"{list_url}?theme={theme.pk}",
                "children": [],
            }
            tree.append(by_id[theme.pk])
    for theme in themes:
        if theme.parent_id is not None and theme.parent_id in by_id:
            n = counts["theme"].get(theme.pk, 0)
            by_id[theme.parent_id]["children"].append(
                {"theme": theme, "count": n, "url": f"{list_url}?theme={theme.pk}"}
            )
            by_id[theme.parent_id]["count"] += n
    genres = [
        {
            "genre": g,
            "count": counts["genre"].get(g.pk, 0),
            "url": f"{list_url}?genre={g.pk}",
        }
        for g in Genre.objects.all()
    ]
    columns = [
        {"column": c, "count": counts["column"].get(c.pk, 0), "url": _column_url(c)}
        for c in Column.objects.all()
    ]
    agencies = list(Agency.objects.filter(is_active=True))
    example = (
        Notice.objects.listed()
        .exclude(index_number__isnull=True)
        .order_by("-published_at", "-id")
        .values_list("index_number", flat=True)
        .first()
    )
    return render(
        request,
        "catalog/guide.html",
        {
            "themes": tree,
            "genres": genres,
            "columns": columns,
            "agencies": agencies,
            "index_example": example,
        },
    )


# -- 网站地图 (HTML) ----------------------------------------------------------------------------------


@require_safe
def sitemap_page(request: HttpRequest) -> HttpResponse:
    columns = [{"column": c, "url": _column_url(c)} for c in Column.objects.all()]
    return render(request, "catalog/sitemap_page.html", {"columns": columns})


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """开放数据: the machine-readable ways in (feeds, JSON API, sitemap.xml, exports),
    kept off the pages citizens read. Static text, no queries beyond the layout."""
    example = next(iter(Notice.objects.listed().order_by("-published_at")[:1]), None)
    return render(
        request,
        "catalog/open_data.html",
        {"example": example, "api_max_per_page": API_MAX_PER_PAGE},
    )
