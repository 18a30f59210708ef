"""Atom feed of the newest notices, or of any catalog search (same query string as the
list page: ``/xxgk/feed/?q=教育&genre=3``). Bad parameters answer 400, never a broader
feed than the subscriber asked for."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from catalog.filters import SORT_DATE, CatalogResults, run_catalog_search, url_with
from catalog.models import Notice
from catalog.views import LIST_RELATED, prepare_rows
from portal.context_processors import site
from portal.timeutil import local_today

FEED_ITEMS = 20


class NoticeFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.GET.copy()
        data["sort"] = SORT_DATE  # a feed is always newest first
        data.pop("per_page", None)
        results = run_catalog_search(
            data,
            today=local_today(),
            per_page=FEED_ITEMS,
            queryset=Notice.objects.listed().select_related(*LIST_RELATED),
        )
        messages = results.filterset.error_messages()
        if messages:
            return HttpResponse(
                "订阅参数有误：" + "；".join(messages),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        results.site_name = site(request)["site"].site_name  # type: ignore[attr-defined]
        # the Feed instance is shared between requests: hand the results over on the request
        request.catalog_results = results  # type: ignore[attr-defined]
        return super().__call__(request, *args, **kwargs)

    def get_object(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> CatalogResults:
        return request.catalog_results  # type: ignore[attr-defined]

    def title(self, obj: CatalogResults) -> str:
        name = getattr(obj, "site_name", "")
        q = obj.params.get("q")
        if q:
            return f"{name} · 政府信息检索：{q}"
        if len(obj.params) > 1:  # more than the forced sort
            return f"{name} · 政府信息公开目录（筛选结果）"
        return f"{name} · 最新政府信息"

    def link(self, obj: CatalogResults) -> str:
        params = {k: v for k, v in obj.params.items() if k != "sort"}
        return url_with(reverse("catalog:notice_list"), params)

    def subtitle(self, obj: CatalogResults) -> str:
        return "按发布时间排列的最新政府信息（主动公开）。"

    def items(self, obj: CatalogResults) -> list[Notice]:
        notices = list(obj.page.results)
        prepare_rows(notices)
        return notices

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_link(self, item: Notice) -> str:
        return reverse("catalog:notice_detail", args=[item.uuid])

    def item_guid(self, item: Notice) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_description(self, item: Notice) -> str:
        parts = []
        if item.doc_number:
            parts.append(f"发文字号：{item.doc_number}")
        if item.index_number:
            parts.append(f"索引号：{item.index_number}")
        if item.summary:
            parts.append(item.summary)
        return "\n".join(parts)

    def item_pubdate(self, item: Notice):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item: Notice):
        return timezone.localtime(item.updated_at)

    def item_author_name(self, item: Notice) -> str:
        return "、".join(link.agency.name for link in item.publisher_links.all())

    def item_categories(self, item: Notice) -> list[str]:
        categories = []
        if item.theme:
            categories.append(item.theme.full_name)
        if item.genre:
            categories.append(item.genre.name)
        return categories
