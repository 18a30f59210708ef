"""HEAD answers like GET, without a body, on every URL of the URLconf (issue 11 §1.8).

Monitoring and link checkers use HEAD; ``require_GET`` answered it with 405. Every
argument-free URL of the URLconf is asked as an anonymous visitor and as signed-in
staff, and the catalog's URLs with arguments (notice, attachment, API, sitemaps)
with the smoke test's demo catalog. A URL that answers GET (anything but 405) must
answer HEAD with the same status and an empty body.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from tests.test_urls_smoke import _patterns, catalog_urls, demo  # noqa: F401

pytestmark = pytest.mark.django_db


def _argument_free_urls() -> list[str]:
    urls = []
    for named in _patterns(get_resolver(), ""):
        if named.has_args:
            continue
        if named.name:
            prefix = f"{named.namespace}:" if named.namespace else ""
            urls.append(reverse(prefix + named.name))
        else:
            urls.append("/" + named.route.lstrip("^").rstrip("$"))
    return sorted(set(urls))


def _assert_head_like_get(client, url: str) -> bool:
    get = client.get(url)
    if get.status_code == 405:
        return False
    head = client.head(url)
    assert head.status_code == get.status_code, (url, get.status_code)
    body = b"".join(head.streaming_content) if head.streaming else head.content
    assert body == b"", url
    if get.status_code == 200:
        assert head["Content-Type"] == get["Content-Type"], url
    return True


def test_home_catalog_and_api_answer_head(client, demo):  # noqa: F811
    for url in ("/", "/xxgk/", "/api/notices/"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""


def test_every_argument_free_url_answers_head_like_get(client, demo):  # noqa: F811
    urls = _argument_free_urls()
    assert {"/", "/xxgk/", "/api/notices/"} <= set(urls)
    answered = [url for url in urls if _assert_head_like_get(client, url)]
    # the public pages are GET-able (POST-only actions answer 405 to both)
    assert len(answered) > 15


def test_every_catalog_url_with_arguments_answers_head(client, demo):  # noqa: F811
    policy = demo["policy"]
    urls = [
        *catalog_urls(demo),
        reverse("catalog:api_notice_detail", args=[policy.uuid]),
        reverse("catalog:sitemap_section", args=["notices"]),
        reverse(
            "catalog:attachment_download", args=[policy.uuid, demo["attachment"].pk]
        ),
    ]
    for url in urls:
        assert _assert_head_like_get(client, url), url


def test_staff_pages_answer_head(client, staff_user, demo):  # noqa: F811
    client.force_login(staff_user)
    answered = [
        url
        for url in _argument_free_urls()
        if ("/staff/" in url or url.startswith("/nianbao/"))
        and _assert_head_like_get(client, url)
    ]
    assert "/staff/" in answered
    assert "/ysq/staff/" in answered or any("/ysq/" in u for u in answered)
