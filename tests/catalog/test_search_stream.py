"""The search page answers the results first and streams the exact total after them.

A search whose total is neither cached, nor carried by the cursor, nor evident from a
first page that holds every match is sent in parts (catalog/views.notice_list): the
results, then the total, pagination and filter counts. Without JavaScript the page shows
all of it; these tests read it the way a browser receives it.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime

import pytest
import time_machine
from django.db import DatabaseError, OperationalError

from catalog import search
from portal import dbrouter
from tests.catalog.public_data import TZ, at, facet, publish

pytestmark = pytest.mark.django_db

LIST = "/xxgk/"


@pytest.fixture
def today():
    with time_machine.travel(datetime(2025, 3, 1, 10, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def twelve(today, agency):
    """Twelve listed notices about 招生, one a day in January 2025, and one without it."""
    notices = [
        publish(
            agency=agency,
            title=f"关于第{i + 1}批招生计划的通知",
            published_at=at(2025, 1, i + 1),
            body="<p>按计划招生。</p>",
        )
        for i in range(12)
    ]
    publish(agency=agency, title="关于财政预算的公告", published_at=at(2025, 2, 1))
    return notices


def parts(response) -> list[str]:
    return [
        chunk.decode() if isinstance(chunk, bytes) else chunk
        for chunk in response.streaming_content
    ]


def titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", t)
        for t in re.findall(r'<h3 class="title"><a href="[^"]+">(.*?)</a></h3>', html)
    ]


def next_link(html: str) -> str:
    return htmllib.unescape(re.search(r'<a href="([^"]+)" rel="next">', html).group(1))


def test_results_come_first_and_the_exact_total_follows_in_the_same_page(
    client, twelve
):
    response = client.get(LIST, {"q": "招生", "per_page": 10})

    assert response.status_code == 200
    assert response.streaming
    assert response["X-Accel-Buffering"] == "no"
    chunks = parts(response)
    first, rest = chunks[0], "".join(chunks[1:])
    # the first part already holds the ten newest results, but no total and no pagination
    assert titles(first) == [f"关于第{i}批招生计划的通知" for i in range(12, 2, -1)]
    assert "共 " not in first
    assert 'rel="next"' not in first
    assert '<h2 id="results-total" class="results-total">检索结果</h2>' in first
    # then the exact total, the pagination and the filter counts, and the page is whole
    assert '<p class="results-count" role="status">共 12 条</p>' in rest
    assert 'rel="next"' in rest
    assert 'id="facet-publisher"' in rest
    page = "".join(chunks)
    assert page.count("<html") == 1
    assert page.rstrip().endswith("</html>")
    assert page.index('class="results-count"') > page.index("results-list")


def test_the_next_page_and_a_repeated_search_take_the_total_without_counting(
    client, twelve
):
    first = "".join(parts(client.get(LIST, {"q": "招生", "per_page": 10})))

    second = client.get(next_link(first))
    assert not second.streaming  # the total travels in the cursor
    html = second.content.decode()
    assert "共 12 条" in html
    assert titles(html) == ["关于第2批招生计划的通知", "关于第1批招生计划的通知"]

    again = client.get(LIST, {"q": "招生", "per_page": 10})
    assert not again.streaming  # the total was cached by the first search
    assert '<h2 id="results-total" class="results-total">共 12 条</h2>' in (
        again.content.decode()
    )


def test_a_first_page_holding_every_match_is_not_counted_again(client, twelve):
    response = client.get(LIST, {"q": "招生", "per_page": 20})

    assert not response.streaming
    assert "共 12 条" in response.content.decode()


def test_a_failed_count_leaves_the_results_and_says_so(client, twelve, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("statement timeout")

    monkeypatch.setattr(search, "_count", broken)
    page = "".join(parts(client.get(LIST, {"q": "招生", "per_page": 10})))

    assert len(titles(page)) == 10
    assert "检索结果的总数暂时无法统计" in page
    assert page.rstrip().endswith("</html>")
    # the next page still works; it counts again, and now the count succeeds
    monkeypatch.undo()
    html = "".join(parts(client.get(next_link(page))))
    assert titles(html) == ["关于第2批招生计划的通知", "关于第1批招生计划的通知"]
    assert "共 12 条" in html


def test_the_api_still_returns_the_exact_total(client, twelve):
    data = client.get("/api/notices/", {"q": "招生", "limit": 10}).json()

    assert data["count"] == 12
    assert data["count_capped"] is False


def test_run_read_restores_the_alias_and_falls_back_from_a_failed_replica(
    monkeypatch,
):
    seen = []

    def work():
        seen.append(dbrouter.read_alias())
        if dbrouter.read_alias() == dbrouter.REPLICA:
            raise OperationalError("replica went away")
        return "ok"

    marked = []
    monkeypatch.setattr(dbrouter.health, "mark_down", marked.append)
    monkeypatch.setattr(dbrouter, "_close_quietly", lambda alias: None)

    assert dbrouter.run_read(dbrouter.REPLICA, work) == "ok"
    assert seen == ["replica", "default"]
    assert marked == ["请求中失败"]
    assert dbrouter.read_alias() == "default"  # outside: the default again

    def fails_on_primary():
        raise OperationalError("primary went away")

    with pytest.raises(OperationalError):
        dbrouter.run_read(dbrouter.PRIMARY, fails_on_primary)


def test_failed_filter_counts_still_show_the_counted_total(client, twelve, monkeypatch):
    from catalog import views

    def broken(*args, **kwargs):
        raise DatabaseError("facets failed")

    monkeypatch.setattr(views, "facet_counts", broken)
    page = "".join(parts(client.get(LIST, {"q": "招生", "per_page": 10})))

    assert '<p class="results-count" role="status">共 12 条</p>' in page
    assert "暂时无法统计" not in page
    assert 'rel="next"' in page
    assert page.rstrip().endswith("</html>")


def test_the_filter_counts_group_the_matches_the_count_found(
    client, twelve, monkeypatch
):
    """Under the cap the count already read every match: the filter counts group those
    rows rather than finding the matches a second time."""

    def again(*args, **kwargs):  # pragma: no cover - the test fails if it is called
        raise AssertionError("the matches were searched for twice")

    monkeypatch.setattr(search, "matched_ids", again)
    page = "".join(parts(client.get(LIST, {"q": "招生", "per_page": 10})))

    assert '<p class="results-count" role="status">共 12 条</p>' in page
    assert sum(facet(page, "year").values()) == 12
    assert facet(page, "year") == {"2025年": 12}
    # a first page holding every match is its own list of matches too
    search.cache.clear()
    html = client.get(LIST, {"q": "财政预算"}).content.decode()
    assert facet(html, "year") == {"2025年": 1}


def test_the_count_hands_over_its_matches_only_under_the_cap(twelve, monkeypatch):
    from catalog.models import Notice, SearchCount

    listed = Notice.objects.listed()
    parsed = search.parse_query("招生")
    plain = search.search_notices(listed, parsed, limit=5, defer_total=True)
    assert plain.complete().matched is None  # the API's count gathers nothing

    SearchCount.objects.all().delete()  # counted again, now gathering the matches
    page = search.search_notices(
        listed, parsed, limit=5, defer_total=True, matches=True
    )
    assert page.pending
    assert page.matched_ids is None
    page.complete()
    assert sorted(page.matched_ids) == sorted(n.pk for n in twelve)

    monkeypatch.setattr(search, "COUNT_CAP", 10)
    page = search.search_notices(
        listed, parsed, limit=5, defer_total=True, matches=True
    ).complete()
    assert (page.total, page.total_capped, page.matched_ids) == (10, True, None)
