"""Guard test: every named public URL answers and renders in the site layout.

Catalog pages are listed explicitly (with their arguments) and must answer 200. Other apps'
argument-free public URLs are crawled and must neither fail (5xx) nor be missing (404).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from catalog.attachments import attachment_add
from catalog.services import notice_link_interpretation
from tests.catalog.public_data import at, column, draft, genre, publish, theme, withdraw
from tests.factories import NoticeFactory

pytestmark = pytest.mark.django_db

SITE_META = ("SiteName", "SiteDomain", "SiteIDCode")


@pytest.fixture
def demo(agency, other_agency):
    policy = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="关于推进义务教育优质均衡发展的实施意见",
        doc_number="株天教发〔2024〕5号",
        theme=theme("教育"),
        genre=genre("意见"),
        column=column("zcwj"),
        keywords=["义务教育"],
        summary="推进义务教育优质均衡发展。",
        body="<p>各学校：</p>",
        published_at=at(2024, 3, 1),
    )
    reading = publish(
        agency=agency,
        title="《实施意见》政策解读",
        genre=genre("解读") if _has_genre("解读") else None,
        column=column("zcjd"),
        published_at=at(2024, 3, 2),
    )
    notice_link_interpretation(policy=policy, interpretation=reading, by=None)
    for i in range(5):
        publish(
            agency=other_agency,
            title=f"关于下达第{i + 1}批专项资金的通知",
            theme=theme("财政"),
            genre=genre("通知"),
            column=column("tzgg"),
            published_at=at(2024, 4, 1 + i),
        )
    attachment = attachment_add(
        notice=policy, by=None, name="实施意见.txt", content="全文".encode()
    )
    return {
        "policy": policy,
        "reading": reading,
        "attachment": attachment,
        "draft": draft(agency=agency, title="内部草稿"),
        "withdrawn": withdraw(
            publish(agency=agency, title="已撤销的旧办法", published_at=at(2023, 1, 5)),
            reason="已被新办法替代",
            when=at(2024, 1, 2),
        ),
    }


def _has_genre(name: str) -> bool:
    from catalog.models import Genre

    return Genre.objects.filter(name=name).exists()


def catalog_urls(demo) -> list[str]:
    policy = demo["policy"]
    return [
        reverse("catalog:home"),
        reverse("catalog:notice_list"),
        reverse("catalog:notice_list") + "?q=%E8%B5%84%E9%87%91&sort=date",
        reverse("catalog:notice_detail", args=[policy.uuid]),
        reverse("catalog:notice_detail", args=[demo["reading"].uuid]),
        reverse("catalog:notice_detail", args=[demo["withdrawn"].uuid]),
        reverse("catalog:directory"),
        reverse("catalog:guide"),
        reverse("catalog:sitemap_page"),
        reverse("catalog:open_data"),
    ]


@pytest.mark.parametrize("index", range(10))
def test_catalog_pages_render_in_the_layout(client, demo, index):
    url = catalog_urls(demo)[index]

    response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 200, url
    for name in SITE_META:
        assert re.search(rf'<meta name="{name}" content="[^"]+">', html), (url, name)
    assert 'class="breadcrumbs"' in html
    assert "当前位置" in html
    assert "网站标识码" in html  # footer
    assert len(response.content) < 100_000


def test_catalog_machine_urls_answer(client, demo):
    policy = demo["policy"]
    checks = {
        reverse("catalog:notice_feed"): "application/atom+xml",
        reverse("catalog:notice_feed")
        + "?q=%E8%B5%84%E9%87%91": "application/atom+xml",
        reverse("catalog:api_notice_list"): "application/json",
        reverse("catalog:api_notice_detail", args=[policy.uuid]): "application/json",
        reverse("catalog:sitemap_index"): "application/xml",
        reverse("catalog:sitemap_section", args=["notices"]): "application/xml",
        reverse("catalog:sitemap_section", args=["pages"]): "application/xml",
        reverse(
            "catalog:attachment_download", args=[policy.uuid, demo["attachment"].pk]
        ): "text/plain",
        "/robots.txt": "text/plain",
    }
    for url, content_type in checks.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type), url


def test_every_catalog_url_name_is_covered(demo):
    names = {
        p.name
        for p in _patterns(get_resolver(), "")
        if p.name and p.namespace == "catalog"
    }
    covered = {
        "home",
        "notice_list",
        "notice_detail",
        "directory",
        "guide",
        "sitemap_page",
        "open_data",
        "notice_feed",
        "api_notice_list",
        "api_notice_detail",
        "sitemap_index",
        "sitemap_section",
        "attachment_download",
        # staff pages, answered in test_staff_catalog_pages_answer
        "staff_standard_items",
        "staff_standard_item",
        "staff_notice_cleanup",
        "staff_notice_list",
        "staff_notice_new",
        "staff_notice_edit",
        "staff_notice_preview",
        "staff_attachment",
        # POST only (tests/catalog/test_staff_notices.py, test_staff_editor_images.py)
        "staff_notice_preview_unsaved",
        "staff_notice_withdraw",
        # Word import: the upload page below; the review page and its pictures need
        # an upload first (tests/catalog/test_docx_import_pages.py)
        "staff_notice_import_docx",
        "staff_notice_import_docx_review",
        "staff_notice_import_docx_image",
        "staff_notice_history",
        "staff_notice_image",
    }
    assert names <= covered, names - covered


def test_staff_catalog_pages_answer(client, staff_user, agency):
    from catalog.models import StandardItem
    from catalog.standard_catalogue import load_catalogue

    load_catalogue(
        f"领域,事项名称,公开时限,公开主体\n社会救助,办事指南,实时,{agency.name}\n".encode(),
        fmt="csv",
    )
    client.force_login(staff_user)
    item = StandardItem.objects.get()
    for url in (
        reverse("catalog:staff_standard_items"),
        reverse("catalog:staff_standard_item", args=[item.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "办事指南" in response.content.decode()
    notice = NoticeFactory(owner_agency=agency, title="规范性文件甲")
    response = client.get(reverse("catalog:staff_notice_cleanup", args=[notice.pk]))
    assert response.status_code == 200
    assert "登记清理决定：规范性文件甲" in response.content.decode()
    for url in (
        reverse("catalog:staff_notice_list"),
        reverse("catalog:staff_notice_new"),
        reverse("catalog:staff_notice_edit", args=[notice.pk]),
        reverse("catalog:staff_notice_preview", args=[notice.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "规范性文件甲" in response.content.decode() or url.endswith("/new/")
    response = client.get(reverse("catalog:staff_notice_history", args=[notice.pk]))
    assert response.status_code == 200
    assert "修订记录：规范性文件甲" in response.content.decode()

    attachment = attachment_add(
        notice=notice, by=None, name="草稿附件.txt", content="草稿".encode()
    )
    response = client.get(
        reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "草稿".encode()


def test_word_import_page_answers(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("catalog:staff_notice_import_docx"))
    assert response.status_code == 200
    assert "从 Word 文档导入" in response.content.decode()


def test_unknown_notice_is_404_in_the_site_layout(client, demo):
    response = client.get("/xxgk/12345678-1234-5678-1234-567812345678/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert re.search(r'<meta name="SiteIDCode" content="[^"]+">', html)


def test_draft_is_404(client, demo):
    response = client.get(reverse("catalog:notice_detail", args=[demo["draft"].uuid]))

    assert response.status_code == 404
    assert "内部草稿" not in response.content.decode()


def test_withdrawn_page_says_withdrawn(client, demo):
    response = client.get(
        reverse("catalog:notice_detail", args=[demo["withdrawn"].uuid])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "该信息已撤回" in html
    assert "已被新办法替代" not in html  # the internal note stays with the staff


class _Named:
    def __init__(self, name: str | None, namespace: str, route: str, has_args: bool):
        self.name, self.namespace, self.route, self.has_args = (
            name,
            namespace,
            route,
            has_args,
        )


def _patterns(resolver: URLResolver, prefix: str, namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            yield _Named(
                p.name,
                namespace,
                route,
                bool(p.pattern.converters) or "<" in route or "(?P" in route,
            )


def test_other_public_pages_without_arguments_answer(client, demo):
    for named in _patterns(get_resolver(), ""):
        if (
            not named.name
            or named.has_args
            or named.namespace in ("catalog", "admin", "portal", "")
        ):
            continue
        url = reverse(f"{named.namespace}:{named.name}")
        if "/staff/" in url or url.startswith("/admin/"):
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        assert response.status_code != 404, url


def test_department_pages_render_in_the_layout(client, demo, agency):
    urls = [
        reverse("bumen:index"),
        reverse("bumen:detail", args=[agency.pk]),
        reverse("bumen:profile", args=[agency.pk]),
    ]
    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        for name in SITE_META:
            assert re.search(rf'<meta name="{name}" content="[^"]+">', html), (
                url,
                name,
            )
        assert "当前位置" in html
        assert agency.name in html
    assert client.get(reverse("bumen:detail", args=[987654321])).status_code == 404
