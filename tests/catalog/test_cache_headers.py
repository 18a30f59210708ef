"""Issue 10: a shared cache (CDN, proxy) never serves a notice after its 撤回. Public
pages and API answers must be revalidated on every use (``max-age=0, must-revalidate``)
against an ETag made of the catalog generation; a withdrawn API record is ``no-store``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import pagecache
from tests.catalog.public_data import publish, withdraw

pytestmark = pytest.mark.django_db

TITLE = "关于做好义务教育招生工作的通知"


def _assert_revalidated(response):
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["ETag"].startswith('"g')


def test_api_detail_revalidates_and_a_withdrawal_is_never_served_stale(client, agency):
    notice = publish(agency=agency, title=TITLE, body="<p>招生正文</p>")
    url = reverse("catalog:api_notice_detail", args=[notice.uuid])
    first = client.get(url)
    assert first.status_code == 200
    _assert_revalidated(first)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304

    withdraw(notice)
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after.json()["withdrawn"] is True
    assert "招生正文" not in after.content.decode()
    assert after["Cache-Control"] == "no-store"
    assert not after.has_header("ETag")


def test_api_list_revalidates_against_the_catalog_generation(client, agency):
    publish(agency=agency, title=TITLE)
    url = reverse("catalog:api_notice_list")
    first = client.get(url)
    _assert_revalidated(first)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # another URL has another validator
    other = client.get(url + "?q=招生")
    assert other["ETag"] != first["ETag"]
    publish(agency=agency, title="新发布的通知")
    fresh = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh.json()["count"] == 2
    assert fresh["ETag"] != first["ETag"]


def test_api_errors_are_not_stored(client):
    response = client.get(reverse("catalog:api_notice_list") + "?limit=abc")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"


def test_html_detail_revalidates_on_miss_and_hit_and_shows_the_withdrawal(
    client, agency
):
    notice = publish(agency=agency, title=TITLE, body="<p>招生正文</p>")
    url = reverse("catalog:notice_detail", args=[notice.uuid])
    miss = client.get(url)
    _assert_revalidated(miss)
    hit = client.get(url)
    _assert_revalidated(hit)
    assert hit["ETag"] == miss["ETag"]
    assert hit.content == miss.content
    assert client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"]).status_code == 304

    withdraw(notice)
    after = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert after.status_code == 200
    html = after.content.decode()
    assert "该信息已撤回" in html
    assert "招生正文" not in html
    assert after["ETag"] != hit["ETag"]


def test_signed_in_pages_carry_no_shared_validators(client, agency, staff_user):
    notice = publish(agency=agency, title=TITLE)
    client.force_login(staff_user)
    response = client.get(reverse("catalog:notice_detail", args=[notice.uuid]))
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_client_has_compares_weakly_and_accepts_lists():
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_IF_NONE_MATCH='"a", W/"g1-x"')
    assert pagecache.client_has(request, '"g1-x"')
    assert not pagecache.client_has(request, '"g2-x"')
