"""The page cache, search totals and facet counts in Redis (REDIS_URL; several app servers).

Same guarantees as the PostgreSQL tables (test_detail_cache.py): a stored page costs one
query, any change to the catalog is visible on the next request; besides, nothing is
written to the UNLOGGED tables a replica could not read, and a Redis outage only costs
speed.
"""

from __future__ import annotations

from datetime import date

import pytest
import redis
from django.urls import reverse

from catalog.models import Notice, PageCache, SearchCount
from catalog.search import parse_query, search_notices
from catalog.services import notice_update
from tests.catalog.public_data import column, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(agency):
    return publish(
        agency=agency,
        title="关于做好2024年义务教育招生工作的通知",
        column=column("zcwj"),
        valid_until=date(2030, 12, 31),
    )


def detail_url(notice) -> str:
    return reverse("catalog:notice_detail", args=[notice.uuid])


def test_pages_are_stored_in_redis_and_follow_every_change(
    client, policy, with_redis, django_assert_num_queries
):
    first = client.get(detail_url(policy))
    assert first.status_code == 200
    server = redis.Redis.from_url(with_redis)
    assert any(b":catalog:page:" in k for k in server.keys("*"))
    assert not PageCache.objects.exists()

    with django_assert_num_queries(1):  # the generation; the page comes from Redis
        second = client.get(detail_url(policy))
    assert second.content == first.content

    notice_update(notice=policy, by=None, title="关于做好2025年义务教育招生工作的通知")
    third = client.get(detail_url(policy))
    assert "2025年义务教育" in third.content.decode()
    with django_assert_num_queries(1):
        assert client.get(detail_url(policy)).content == third.content


def test_a_redis_outage_renders_every_page(client, policy, with_dead_redis, caplog):
    for _ in range(2):
        response = client.get(detail_url(policy))
        assert response.status_code == 200
        assert policy.title in response.content.decode()
    assert client.get(reverse("catalog:notice_list")).status_code == 200
    assert not PageCache.objects.exists()


def test_search_totals_are_kept_in_redis_per_generation(
    agency, with_redis, django_assert_max_num_queries
):
    for n in range(3):
        publish(agency=agency, title=f"关于义务教育招生第{n}批的通知")
    parsed = parse_query("招生")
    page = search_notices(
        Notice.objects.listed(), parsed, limit=2
    )  # two pages: counted
    assert page.total == 3
    assert not SearchCount.objects.exists()
    server = redis.Redis.from_url(with_redis)
    assert len([k for k in server.keys("*") if b":catalog:count:" in k]) == 1

    publish(agency=agency, title="关于义务教育招生第4批的通知")  # a new generation
    assert search_notices(Notice.objects.listed(), parsed, limit=2).total == 4
    assert len([k for k in server.keys("*") if b":catalog:count:" in k]) == 2
