"""Read-only JSON API of the catalog, with the same filters as the list page.

    GET /api/notices/?q=…&publisher=…&cursor=…  → {"count", "count_capped", "results", "next", …}
    GET /api/notices/<uuid>/                     → the full metadata of one notice

Drafts never appear; a withdrawn (撤回) notice answers at its URL with only its title,
索引号, dates and reason category, never its text or attachments. Bad
parameters answer 400 with a Chinese message (``error``) and per-field ``errors``.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalog import pagecache
from catalog.filters import API_MAX_PER_PAGE, run_catalog_search, url_with
from catalog.models import Notice
from catalog.views import (
    LIST_RELATED,
    get_public_notice,
    prepare_rows,
    publishers_prefetch,
    related_prefetch,
)
from portal.timeutil import local_today


def _json(
    data: dict[str, Any], status: int = 200, *, etag: str | None = None
) -> JsonResponse:
    """Errors and withdrawn records: ``no-store``. Anything else may be kept by a shared
    cache but must be revalidated on every use (``max-age=0, must-revalidate``) against
    its ``ETag`` (the catalog generation): a 撤回 is never served stale
    (docs/security.md §6a)."""
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status >= 400 or etag is None:
        response["Cache-Control"] = "no-store"
    else:
        pagecache.with_validators(response, etag)
    return response


def _etag(request: HttpRequest) -> str | None:
    """The validator of this API answer: catalog generation, code release, absolute URL
    (the answer holds absolute links) and today (有效性 depends on it)."""
    generation = pagecache.current_generation()
    if generation is None:
        return None
    material = "\n".join(
        [
            pagecache.release(),
            request.build_absolute_uri(),
            local_today().isoformat(),
        ]
    )
    return pagecache.make_etag(
        generation, UUID(bytes=hashlib.sha256(material.encode()).digest()[:16])
    )


def _bad_request(
    message: str, errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    return _json({"error": message, "errors": errors or {}}, status=400)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value.isoformat()
    return timezone.localtime(value).isoformat()


def _notice_summary(
    notice: Notice, request: HttpRequest, today: date
) -> dict[str, Any]:
    validity = notice.validity_on(today)
    return {
        "uuid": str(notice.uuid),
        "url": request.build_absolute_uri(
            reverse("catalog:notice_detail", args=[notice.uuid])
        ),
        "api_url": request.build_absolute_uri(
            reverse("catalog:api_notice_detail", args=[notice.uuid])
        ),
        "index_number": notice.index_number,
        "title": notice.title,
        "publishers": [link.agency.name for link in notice.publisher_links.all()],
        "doc_number": notice.doc_number,
        "written_date": _iso(notice.written_date),
        "published_at": _iso(notice.published_at),
        "theme": notice.theme.full_name if notice.theme else None,
        "genre": notice.genre.name if notice.genre else None,
        "validity": validity,
        "validity_label": Notice.Validity(validity).label,
        "column": notice.column.name if notice.column else None,
        "summary": notice.summary,
        "status": notice.status,
        "withdrawn": notice.is_withdrawn,
    }


def _related(notices: list[Notice], request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "uuid": str(n.uuid),
            "title": n.title,
            "url": request.build_absolute_uri(
                reverse("catalog:notice_detail", args=[n.uuid])
            ),
            "api_url": request.build_absolute_uri(
                reverse("catalog:api_notice_detail", args=[n.uuid])
            ),
        }
        for n in notices
    ]


@require_safe
def notice_list_api(request: HttpRequest) -> HttpResponse:
    etag = _etag(request)  # read first: a change while answering makes it stale
    if etag and pagecache.client_has(request, etag):
        return pagecache.not_modified(etag)
    today = local_today()
    raw_limit = request.GET.get("limit")
    limit = None
    if raw_limit:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= API_MAX_PER_PAGE:
            return _bad_request(
                f"limit 参数无效：应为 1 到 {API_MAX_PER_PAGE} 之间的整数。",
                {"limit": [f"应为 1 到 {API_MAX_PER_PAGE} 之间的整数"]},
            )
        limit = int(raw_limit)
    results = run_catalog_search(
        request.GET,
        today=today,
        cursor=request.GET.get("cursor"),
        per_page=limit,
        queryset=Notice.objects.listed().select_related(*LIST_RELATED),
    )
    errors = {
        name: [str(e) for e in errs] for name, errs in results.filterset.errors.items()
    }
    if errors:
        return _bad_request(
            "参数有误：" + "；".join(results.filterset.error_messages()), errors
        )
    if results.cursor_rejected:
        return _bad_request(
            "cursor 参数无效或已过期，请从第一页重新开始。",
            {"cursor": ["无效的翻页参数"]},
        )
    page = results.page
    notices = list(page.results)
    prepare_rows(notices)
    next_url = None
    if page.next_cursor:
        path = url_with(
            reverse("catalog:api_notice_list"), results.params, cursor=page.next_cursor
        )
        if limit:
            path += f"&limit={limit}"
        next_url = request.build_absolute_uri(path)
    return _json(
        {
            "count": page.total,
            "count_capped": bool(page.total_capped),
            "next": next_url,
            "warning": results.parsed.warning or None,
            "results": [_notice_summary(n, request, today) for n in notices],
        },
        etag=etag,
    )


@require_safe
def notice_detail_api(request: HttpRequest, uuid: UUID) -> HttpResponse:
    etag = _etag(request)
    try:
        notice = get_public_notice(uuid)
    except Http404:
        return _json({"error": "政府信息不存在。"}, status=404)
    if notice.is_withdrawn:
        return _json(_withdrawn_record(notice, request))  # no-store
    if etag and pagecache.client_has(request, etag):
        return pagecache.not_modified(etag)
    prefetch_related_objects(
        [notice],
        publishers_prefetch(),
        "attachments",
        related_prefetch("interpretations"),
        related_prefetch("interpreted_policies"),
    )
    today = local_today()
    data = _notice_summary(notice, request, today)
    data.update(
        {
            "valid_from": _iso(notice.valid_from),
            "valid_until": _iso(notice.valid_until),
            "disclosure_mode": notice.get_disclosure_mode_display(),
            "audience": notice.audience,
            "department": notice.department,
            "keywords": list(notice.keywords),
            "body_html": notice.body,
            "attachments": [
                {
                    "name": a.name,
                    "size": a.size,
                    "content_type": a.content_type,
                    "url": request.build_absolute_uri(
                        reverse("catalog:attachment_download", args=[notice.uuid, a.pk])
                    ),
                }
                for a in notice.attachments.all()
            ],
            "interpretations": _related(notice.public_interpretations, request),
            "interpreted_policies": _related(
                notice.public_interpreted_policies, request
            ),
            "withdrawn_at": None,
        }
    )
    return _json(data, etag=etag)


def _withdrawn_record(notice: Notice, request: HttpRequest) -> dict[str, Any]:
    """All the API says about a withdrawn (撤回) notice (the page says the same)."""
    return {
        "uuid": str(notice.uuid),
        "url": request.build_absolute_uri(
            reverse("catalog:notice_detail", args=[notice.uuid])
        ),
        "index_number": notice.index_number,
        "title": notice.public_title,  # neutral when withdrawn for personal data
        "published_at": _iso(notice.published_at),
        "status": notice.status,
        "withdrawn": True,
        "withdrawn_at": _iso(notice.withdrawn_at),
        "withdrawn_category": notice.withdrawn_category,
        "withdrawn_category_label": notice.get_withdrawn_category_display(),
        "message": "该信息已撤回",
    }
