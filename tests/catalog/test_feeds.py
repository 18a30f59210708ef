"""Atom feeds: the newest notices, and any catalog search."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.public_data import at, draft, genre, publish, theme, withdraw

pytestmark = pytest.mark.django_db

FEED = "/xxgk/feed/"
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 (our own feed)


def test_feed_lists_newest_listed_notices(client, agency, other_agency):
    old = publish(agency=agency, title="较早的通知", published_at=at(2024, 1, 1))
    new = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="最新的通知",
        published_at=at(2024, 5, 1),
        theme=theme("教育"),
        genre=genre("通知"),
        summary="摘要",
    )
    draft(agency=agency, title="草稿")
    withdraw(publish(agency=agency, title="撤销的通知", published_at=at(2024, 6, 1)))

    items = entries(client.get(FEED))

    assert [e.findtext(f"{ATOM}title") for e in items] == [new.title, old.title]
    first = items[0]
    assert (
        first.find(f"{ATOM}link").get("href") == f"http://testserver/xxgk/{new.uuid}/"
    )
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "天元区教育局、天元区财政局"
    assert {c.get("term") for c in first.findall(f"{ATOM}category")} == {
        "科技、教育\\教育",
        "通知",
    }
    assert first.findtext(f"{ATOM}published").startswith("2024-05-01T09:00:00+08:00")


def test_feed_of_a_search_uses_the_list_filters(client, agency, other_agency):
    publish(agency=agency, title="教育资金通知", genre=genre("通知"))
    publish(agency=other_agency, title="财政资金通知", genre=genre("通知"))
    publish(agency=agency, title="教育意见", genre=genre("意见"))

    items = entries(client.get(FEED, {"q": "资金", "publisher": agency.pk}))
    feed = ET.fromstring(client.get(FEED, {"q": "资金"}).content)  # noqa: S314 (our own feed)

    assert [e.findtext(f"{ATOM}title") for e in items] == ["教育资金通知"]
    assert "资金" in feed.findtext(f"{ATOM}title")


@pytest.mark.parametrize("q", ["%", "_", "\\", "'\"", "a" * 1000])
def test_feed_with_strange_queries(client, agency, q):
    publish(agency=agency, title="通知")

    assert entries(client.get(FEED, {"q": q})) == []


def test_feed_with_bad_filters_is_400_not_a_broader_feed(client, agency):
    publish(agency=agency, title="通知")

    response = client.get(FEED, {"start": "2024-99-01"})

    assert response.status_code == 400
    assert "发布日期（起）格式不正确" in response.content.decode()


def test_list_page_links_to_the_feed_of_its_search(client, agency):
    html = client.get("/xxgk/", {"q": "资金", "publisher": agency.pk}).content.decode()

    assert f'href="/xxgk/feed/?q=%E8%B5%84%E9%87%91&amp;publisher={agency.pk}"' in html


def test_feed_query_count_is_fixed(client, agency, other_agency):
    def count(params) -> int:
        client.get(FEED, params)  # the first request also counts and caches the total
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(FEED, params).status_code == 200
        return len(ctx)

    publish(agency=agency, title="资金通知", theme=theme("教育"), genre=genre("通知"))
    client.get("/")
    few = count({"q": "资金"})
    for i in range(25):
        publish(
            agency=agency,
            publishers=[agency, other_agency],
            title=f"资金通知{i}",
            theme=theme("教育"),
            genre=genre("通知"),
            published_at=at(2024, 2, 1 + i),
        )

    assert count({"q": "资金"}) == few
    assert count({}) <= 6
