"""The shared page cache (catalog.pagecache) for anonymous visitors: notice pages, home, 目录.

A stored page is served in one query; every kind of change is visible on the next request;
signed-in users, query strings, sessions and messages never see or fill the cache.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import pagecache
from catalog.attachments import attachment_add
from catalog.models import Column, Notice, PageCache, SearchGeneration
from catalog.services import (
    notice_link_interpretation,
    notice_unlink_interpretation,
    notice_update,
)
from portal.middleware import CONTRAST_COOKIE, FONT_COOKIE
from portal.models import Agency, SiteIdentity
from tests.catalog.public_data import TZ, at, column, publish, withdraw

pytestmark = pytest.mark.django_db

HEADERS_FROM_MIDDLEWARE = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def detail_url(notice) -> str:
    return reverse("catalog:notice_detail", args=[notice.uuid])


def cached_get(client, url, django_assert_num_queries, **extra):
    """GET a page that must come from the cache: one query, the stored HTML."""
    with django_assert_num_queries(1):
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response


@pytest.fixture
def policy(agency, other_agency):
    return publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="关于做好2024年义务教育招生工作的通知",
        column=column("zcwj"),
        valid_until=date(2030, 12, 31),
    )


# -- served from the cache -----------------------------------------------------------------------


def test_second_visit_is_one_query_with_the_same_page(
    client, policy, django_assert_num_queries
):
    attachment_add(notice=policy, by=None, name="招生计划.txt", content=b"plan")
    reading = publish(agency=policy.owner_agency, title="图解：义务教育招生政策")
    notice_link_interpretation(policy=policy, interpretation=reading, by=None)

    # miss: page lookup, 网站标识, notice, 发文机关, attachments, 解读 both ways, store
    with django_assert_num_queries(8):
        first = client.get(detail_url(policy))
    assert first.status_code == 200
    assert PageCache.objects.count() == 1

    second = cached_get(client, detail_url(policy), django_assert_num_queries)

    assert second.content == first.content
    html = second.content.decode()
    assert policy.title in html
    assert "招生计划.txt" in html
    assert reading.title in html


def test_cached_and_rendered_pages_carry_the_same_headers(
    client, policy, django_assert_num_queries
):
    rendered = client.get(detail_url(policy))
    cached = cached_get(client, detail_url(policy), django_assert_num_queries)

    for name in HEADERS_FROM_MIDDLEWARE:
        assert cached.get(name) == rendered.get(name), name
    assert cached["Content-Type"] == "text/html; charset=utf-8"
    assert cached["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in cached["Content-Security-Policy"]
    for response in (rendered, cached):
        assert not response.cookies  # no session, CSRF or messages cookie
        assert not response.has_header("Vary")
        assert "no-store" not in response.get("Cache-Control", "")
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_home_and_catalog_pages_are_cached_and_follow_publications(
    client, agency, django_assert_num_queries
):
    publish(agency=agency, title="关于开展春季招生的公告", column=column("tzgg"))
    for name in ("catalog:home", "catalog:notice_list", "catalog:directory"):
        client.get(reverse(name))
        assert "关于开展春季招生的公告" in (
            cached_get(
                client, reverse(name), django_assert_num_queries
            ).content.decode()
        )

    publish(agency=agency, title="关于开展秋季招生的公告", column=column("tzgg"))

    for name in ("catalog:home", "catalog:notice_list", "catalog:directory"):
        assert "关于开展秋季招生的公告" in client.get(reverse(name)).content.decode()
        cached_get(client, reverse(name), django_assert_num_queries)


# -- every kind of change is visible on the next request ---------------------------------------


def test_an_edit_is_shown_at_once(client, policy, django_assert_num_queries):
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    notice_update(
        notice=policy, by=None, title="关于做好2024年义务教育招生入学工作的通知"
    )

    html = client.get(detail_url(policy)).content.decode()
    assert "招生入学工作的通知" in html
    assert "关于做好2024年义务教育招生工作的通知" not in html


def test_a_withdrawal_is_shown_at_once_and_a_deleted_notice_is_404(
    client, policy, django_assert_num_queries
):
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    withdraw(policy, reason="已被新文件替代")

    html = client.get(detail_url(policy)).content.decode()
    assert "该信息已撤回" in html
    assert '<meta name="robots" content="noindex">' in html
    assert (
        "该信息已撤回"
        in cached_get(
            client, detail_url(policy), django_assert_num_queries
        ).content.decode()
    )

    Notice.objects.filter(pk=policy.pk).delete()

    assert client.get(detail_url(policy)).status_code == 404
    assert client.get(detail_url(policy)).status_code == 404  # a 404 is never stored


def test_a_new_attachment_is_shown_at_once(client, policy, django_assert_num_queries):
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    attachment_add(notice=policy, by=None, name="报名表.txt", content="报名表".encode())

    assert "报名表.txt" in client.get(detail_url(policy)).content.decode()


def test_linking_and_unlinking_a_reading_shows_on_both_pages(
    client, policy, django_assert_num_queries
):
    reading = publish(agency=policy.owner_agency, title="一图读懂招生政策")
    for notice in (policy, reading):
        client.get(detail_url(notice))
        cached_get(client, detail_url(notice), django_assert_num_queries)

    notice_link_interpretation(policy=policy, interpretation=reading, by=None)

    assert "一图读懂招生政策" in client.get(detail_url(policy)).content.decode()
    reading_html = client.get(detail_url(reading)).content.decode()
    assert "解读的文件" in reading_html
    assert policy.title in reading_html

    notice_unlink_interpretation(policy=policy, interpretation=reading, by=None)

    assert "一图读懂招生政策" not in client.get(detail_url(policy)).content.decode()
    assert "解读的文件" not in client.get(detail_url(reading)).content.decode()


def test_an_edited_reading_is_shown_on_the_policy_page(
    client, policy, django_assert_num_queries
):
    reading = publish(agency=policy.owner_agency, title="一图读懂招生政策")
    notice_link_interpretation(policy=policy, interpretation=reading, by=None)
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    notice_update(notice=reading, by=None, title="一图读懂2024年招生政策")

    assert "一图读懂2024年招生政策" in client.get(detail_url(policy)).content.decode()


def test_renamed_agency_and_column_are_shown_at_once(
    client, policy, other_agency, django_assert_num_queries
):
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    Agency.objects.filter(pk=other_agency.pk).update(name="天元区财政局（国资局）")
    assert "天元区财政局（国资局）" in client.get(detail_url(policy)).content.decode()

    Column.objects.filter(slug="zcwj").update(name="政策文件库")
    assert "更多政策文件库" in client.get(detail_url(policy)).content.decode()


def test_site_identity_edited_elsewhere_is_shown_at_once(
    client, policy, django_assert_num_queries
):
    SiteIdentity.objects.create(
        pk=1,
        site_name="天元区人民政府信息公开平台",
        sponsor="天元区人民政府办公室",
        site_code="4302110001",
    )
    other = publish(agency=policy.owner_agency, title="关于公布招生咨询电话的公告")
    client.get(detail_url(other))  # this process now holds the 网站标识 for a minute
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    # as another worker or server would: no purge of this process's copy
    SiteIdentity.objects.filter(pk=1).update(
        site_name="株洲市天元区政府信息公开", site_code="4302110099"
    )

    html = client.get(detail_url(policy)).content.decode()
    assert "株洲市天元区政府信息公开" in html
    assert "4302110099" in html
    assert "天元区人民政府信息公开平台" not in html


def test_validity_follows_the_date(client, agency, django_assert_num_queries):
    notice = publish(agency=agency, title="临时通知", valid_until=date(2025, 3, 1))
    with time_machine.travel(datetime(2025, 3, 1, 23, 0, tzinfo=TZ), tick=False):
        client.get(detail_url(notice))
        html = cached_get(
            client, detail_url(notice), django_assert_num_queries
        ).content.decode()
        assert "<dt>有效性</dt><dd>有效</dd>" in html
    with time_machine.travel(datetime(2025, 3, 2, 0, 30, tzinfo=TZ), tick=False):
        assert (
            "<dt>有效性</dt><dd>失效</dd>"
            in client.get(detail_url(notice)).content.decode()
        )


def test_font_and_contrast_preferences_get_their_own_page(
    client, policy, django_assert_num_queries
):
    url = detail_url(policy)
    assert 'class="font-medium"' in client.get(url).content.decode()

    switched = client.get(reverse("portal:display"), {"font": "large", "next": url})
    assert switched.status_code == 302
    assert switched.cookies[FONT_COOKIE].value == "large"
    html = client.get(url).content.decode()
    assert 'class="font-large"' in html
    assert (
        'class="font-large"'
        in cached_get(client, url, django_assert_num_queries).content.decode()
    )

    client.get(reverse("portal:display"), {"contrast": "on", "next": url})
    assert 'class="font-large contrast"' in client.get(url).content.decode()

    client.cookies.pop(FONT_COOKIE)
    client.cookies.pop(CONTRAST_COOKIE)
    html = cached_get(client, url, django_assert_num_queries).content.decode()
    assert 'class="font-medium"' in html


def test_a_new_release_renders_again(
    client, policy, monkeypatch, django_assert_num_queries
):
    client.get(detail_url(policy))
    cached_get(client, detail_url(policy), django_assert_num_queries)

    monkeypatch.setattr(pagecache, "release", lambda: "another-release")

    with CaptureQueriesContext(connection) as captured:
        client.get(detail_url(policy))
    assert len(captured.captured_queries) == 8  # rendered and stored again
    assert PageCache.objects.count() == 2


# -- who never gets a cached page ---------------------------------------------------------------


def test_signed_in_staff_never_get_or_fill_the_cache(
    client, staff_user, policy, django_assert_num_queries
):
    client.force_login(staff_user)
    response = client.get(detail_url(policy))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert PageCache.objects.count() == 0

    client.logout()
    client.get(detail_url(policy))  # anonymous: stored
    assert PageCache.objects.count() == 1
    client.force_login(staff_user)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(detail_url(policy))
    assert len(captured.captured_queries) > 5  # rendered: session, user, notice …
    assert "no-store" in response["Cache-Control"]
    assert not any("catalog_pagecache" in q["sql"] for q in captured.captured_queries)


def test_a_query_string_is_never_cached(client, policy, django_assert_num_queries):
    client.get(detail_url(policy), {"from": "weibo"})
    client.get(reverse("catalog:notice_list"), {"q": "招生"})
    # no page; the search's facet counts share the store as JSON (catalog.search.shared_cache_*)
    assert not PageCache.objects.exclude(html__startswith="[").exists()
    with CaptureQueriesContext(connection) as captured:
        html = client.get(detail_url(policy), {"from": "weibo"}).content.decode()
    assert len(captured.captured_queries) > 1
    assert "next=/xxgk/" in html
    assert "%3Ffrom%3Dweibo" in html


def test_session_or_messages_cookie_bypasses_the_cache(client, settings, policy):
    client.get(detail_url(policy))
    assert PageCache.objects.count() == 1
    PageCache.objects.all().delete()

    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    client.get(detail_url(policy))
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    client.cookies[CookieStorage.cookie_name] = "anything"
    client.get(detail_url(policy))

    assert PageCache.objects.count() == 0


def test_switched_off_it_neither_reads_nor_stores(client, settings, policy):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(detail_url(policy))
    client.get(detail_url(policy))
    assert PageCache.objects.count() == 0


def test_without_the_generation_row_nothing_is_cached(client, policy):
    SearchGeneration.objects.all().delete()
    assert client.get(detail_url(policy)).status_code == 200
    assert PageCache.objects.count() == 0


# -- the store itself ----------------------------------------------------------------------------


def test_a_page_rendered_during_a_change_is_never_served(policy):
    key = pagecache.page_key(RequestFactory().get(detail_url(policy)))
    generation, html = pagecache.lookup(key)
    assert html is None

    notice_update(notice=policy, by=None, title="新标题")  # commits while "rendering"
    pagecache.store(key, generation, "<p>旧页面</p>")

    current, html = pagecache.lookup(key)
    assert current > generation
    assert html is None


def test_an_older_generation_never_replaces_a_newer_page(policy):
    key = pagecache.page_key(RequestFactory().get(detail_url(policy)))
    generation, _ = pagecache.lookup(key)
    pagecache.store(key, generation, "<p>新</p>")
    pagecache.store(key, generation - 1, "<p>旧</p>")
    assert pagecache.lookup(key) == (generation, "<p>新</p>")


def test_old_rows_are_neither_served_nor_kept(policy, settings):
    factory = RequestFactory()
    key = pagecache.page_key(factory.get(detail_url(policy)))
    generation, _ = pagecache.lookup(key)
    pagecache.store(key, generation, "<p>页面</p>")
    PageCache.objects.update(created_at=at(2020, 1, 1))
    assert pagecache.lookup(key) == (generation, None)

    other = pagecache.page_key(factory.get("/"))
    pagecache.store(other, generation, "<p>首页</p>")
    assert list(PageCache.objects.values_list("key", flat=True)) == [other]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda request, response: response.set_cookie("x", "1"),
        lambda request, response: get_token(request),
        lambda request, response: response.headers.__setitem__("Vary", "Cookie"),
        lambda request, response: response.headers.__setitem__(
            "Cache-Control", "private"
        ),
        lambda request, response: setattr(response, "status_code", 404),
        lambda request, response: response.headers.__setitem__(
            "Content-Type", "application/json"
        ),
    ],
    ids=["cookie", "csrf-token", "vary", "private", "404", "json"],
)
def test_responses_that_differ_per_visitor_are_not_stored(spoil):
    request = RequestFactory().get("/")
    response = HttpResponse("<p>页面</p>")
    assert pagecache.is_storable(request, response)
    spoil(request, response)
    assert not pagecache.is_storable(request, response)
