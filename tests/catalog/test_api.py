"""The read-only JSON API: /api/notices/ and /api/notices/<uuid>/."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.attachments import attachment_add
from catalog.services import notice_link_interpretation
from tests.catalog.public_data import (
    TZ,
    at,
    column,
    draft,
    genre,
    publish,
    theme,
    withdraw,
)

pytestmark = pytest.mark.django_db

API = "/api/notices/"


@pytest.fixture
def today():
    with time_machine.travel(datetime(2025, 3, 1, 10, tzinfo=TZ), tick=False):
        yield


def test_list_returns_count_results_and_next(client, today, agency):
    for day in range(1, 6):
        publish(
            agency=agency,
            title=f"第{day}号通知",
            published_at=at(2024, 4, day),
            genre=genre("通知"),
        )
    draft(agency=agency, title="草稿通知")

    response = client.get(API, {"limit": 2})
    data = response.json()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert data["count"] == 5
    assert data["count_capped"] is False
    assert [r["title"] for r in data["results"]] == ["第5号通知", "第4号通知"]
    assert data["next"].startswith("http://testserver/api/notices/?")
    assert "limit=2" in data["next"]

    titles = [r["title"] for r in data["results"]]
    url = data["next"]
    while url:
        data = client.get(url).json()
        titles += [r["title"] for r in data["results"]]
        url = data["next"]
    assert titles == [f"第{day}号通知" for day in range(5, 0, -1)]


def test_list_item_fields(client, today, agency, other_agency):
    notice = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="关于资助资金的通知",
        doc_number="株天教发〔2024〕3号",
        theme=theme("教育"),
        genre=genre("通知"),
        column=column("zcwj"),
        valid_until=date(2024, 12, 31),
        published_at=at(2024, 3, 1, 0, 30),
        summary="资助资金管理。",
    )

    item = client.get(API).json()["results"][0]

    assert item["uuid"] == str(notice.uuid)
    assert item["url"] == f"http://testserver/xxgk/{notice.uuid}/"
    assert item["index_number"] == notice.index_number
    assert item["publishers"] == ["天元区教育局", "天元区财政局"]
    assert item["doc_number"] == "株天教发〔2024〕3号"
    assert item["published_at"] == "2024-03-01T00:30:00+08:00"
    assert item["theme"] == "科技、教育\\教育"
    assert item["genre"] == "通知"
    assert item["validity"] == "expired"  # 有效期至 has passed: computed, not stored
    assert item["validity_label"] == "失效"
    assert item["column"] == "政策文件"
    assert item["withdrawn"] is False


def test_list_uses_the_same_filters_as_the_page(client, today, agency, other_agency):
    publish(agency=agency, title="教育资金通知", genre=genre("通知"))
    publish(agency=other_agency, title="财政资金通知", genre=genre("通知"))
    publish(agency=agency, title="教育意见", genre=genre("意见"))
    withdraw(publish(agency=agency, title="撤销的资金通知", genre=genre("通知")))

    assert client.get(API, {"q": "资金"}).json()["count"] == 2
    assert client.get(API, {"q": "资金", "publisher": agency.pk}).json()["count"] == 1
    assert client.get(API, {"genre": genre("意见").pk}).json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2024-02-30"}, "start"),
        ({"publisher": "abc"}, "publisher"),
        ({"theme": "999999"}, "theme"),
        ({"validity": "x"}, "validity"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_parameters_answer_400_in_chinese(client, today, agency, params, field):
    publish(agency=agency, title="通知")

    response = client.get(API, params)

    assert response.status_code == 400
    data = response.json()
    assert field in data["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["error"])


@pytest.mark.parametrize(
    "q", ["%", "_", "'\"", "\\", "'; DROP TABLE catalog_notice; --", "资" * 1000]
)
def test_strange_queries_work(client, today, agency, q):
    publish(agency=agency, title="通知")

    response = client.get(API, {"q": q})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_detail_has_the_full_metadata(client, today, agency):
    policy = publish(
        agency=agency,
        title="实施意见",
        keywords=["教育"],
        body="<p>正文</p>",
        department="办公室",
        valid_from=date(2024, 1, 1),
        written_date=date(2023, 12, 20),
    )
    reading = publish(agency=agency, title="实施意见解读")
    notice_link_interpretation(policy=policy, interpretation=reading, by=None)
    attachment = attachment_add(
        notice=policy, by=None, name="附件.txt", content=b"text"
    )

    data = client.get(f"{API}{policy.uuid}/").json()

    assert data["title"] == "实施意见"
    assert data["written_date"] == "2023-12-20"
    assert data["valid_from"] == "2024-01-01"
    assert data["valid_until"] is None
    assert data["disclosure_mode"] == "主动公开"
    assert data["audience"] == "面向社会"
    assert data["department"] == "办公室"
    assert data["keywords"] == ["教育"]
    assert data["body_html"] == "<p>正文</p>"
    assert (
        data["attachments"][0]["url"]
        == f"http://testserver/xxgk/{policy.uuid}/fujian/{attachment.pk}/"
    )
    assert data["interpretations"][0]["title"] == "实施意见解读"
    assert (
        client.get(f"{API}{reading.uuid}/").json()["interpreted_policies"][0]["title"]
        == "实施意见"
    )


def test_detail_flags_withdrawn_and_hides_drafts(client, today, agency):
    gone = withdraw(publish(agency=agency, title="旧办法"), reason="已废止")
    hidden = draft(agency=agency, title="草稿")

    data = client.get(f"{API}{gone.uuid}/").json()
    assert data["withdrawn"] is True
    assert data["status"] == "withdrawn"
    assert data["withdrawn_category_label"] == "误发布"
    assert "withdrawn_reason" not in data  # the note is staff-only
    assert "body_html" not in data

    response = client.get(f"{API}{hidden.uuid}/")
    assert response.status_code == 404
    assert response.json()["error"]
    assert client.get(f"{API}00000000-0000-0000-0000-000000000000/").status_code == 404


def _count(client, url, params=None) -> int:
    """Queries of a warm request (the first one also counts and caches the total)."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def test_api_query_counts_are_fixed(client, today, agency, other_agency):
    for i in range(55):
        publish(
            agency=agency,
            publishers=[agency, other_agency],
            title=f"资金通知{i}",
            theme=theme("教育"),
            genre=genre("通知"),
            published_at=at(2024, 1 + i % 12, 1 + i % 28),
        )
    one = publish(agency=agency, title="有附件的通知")
    for i in range(3):
        attachment_add(notice=one, by=None, name=f"附件{i}.txt", content=b"text")
    client.get("/")

    assert _count(client, API, {"limit": 20}) == _count(client, API, {"limit": 50})
    assert _count(client, API, {"q": "资金", "limit": 20}) == _count(
        client, API, {"q": "资金", "limit": 50}
    )
    assert _count(client, API, {"q": "资金"}) <= 12
    # + 1: the catalog generation, for the ETag (a 撤回 is never served stale)
    assert _count(client, f"{API}{one.uuid}/") <= 6
