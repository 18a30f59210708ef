"""sitemap.xml: an index of the static pages and every listed notice (published, not
withdrawn: withdrawn pages carry noindex)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from catalog.models import Notice


class StaticPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "catalog:home",
            "catalog:notice_list",
            "catalog:directory",
            "catalog:guide",
            "catalog:sitemap_page",
            "catalog:open_data",
            "requests_app:landing",
            "disclosure:report_list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class NoticeSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 5000  # URLs per sitemap page

    def items(self) -> QuerySet:
        return (
            Notice.objects.listed()
            .only("uuid", "updated_at")
            .order_by("-published_at", "-id")
        )

    def location(self, item: Notice) -> str:
        return reverse("catalog:notice_detail", args=[item.uuid])

    def lastmod(self, item: Notice):
        return item.updated_at


SITEMAPS = {"pages": StaticPagesSitemap, "notices": NoticeSitemap}
