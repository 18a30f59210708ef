"""Issue 10: 撤回 because of personal data takes the title down too (the name may be the
personal data): page, <title>, API and export show a neutral title; the lead agency's
staff still read everything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Notice
from tests.catalog.public_data import at, publish

pytestmark = pytest.mark.django_db

TITLE = "关于张三丰同学违纪处分的决定"


def _withdrawn(agency, category="personal_data"):
    notice = publish(agency=agency, title=TITLE, body="<p>处分内容</p>")
    return services.notice_withdraw(
        notice=notice, by=None, now=at(2024, 6, 1, 10), category=category
    )


def test_public_page_shows_a_neutral_title(client, agency):
    notice = _withdrawn(agency)
    response = client.get(reverse("catalog:notice_detail", args=[notice.uuid]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三丰" not in html
    assert "<title>（已撤回的信息）（已撤回）" in html
    assert '<h1 id="notice-title">（已撤回的信息）</h1>' in html
    assert "该信息已撤回" in html
    assert "含有个人信息" in html
    assert notice.index_number in html
    assert "2024-06-01" in html


def test_api_record_shows_a_neutral_title(client, agency):
    notice = _withdrawn(agency)
    response = client.get(reverse("catalog:api_notice_detail", args=[notice.uuid]))
    data = response.json()
    assert data["title"] == Notice.NEUTRAL_WITHDRAWN_TITLE
    assert data["index_number"] == notice.index_number
    assert data["withdrawn_category_label"] == "含有个人信息"
    assert "张三丰" not in response.content.decode()


def test_other_agencies_staff_see_the_neutral_title_lead_staff_see_all(
    client, agency, other_agency, staff_user, other_staff_user
):
    notice = _withdrawn(agency)
    url = reverse("catalog:notice_detail", args=[notice.uuid])
    client.force_login(other_staff_user)
    assert "张三丰" not in client.get(url).content.decode()
    client.force_login(staff_user)
    html = client.get(url).content.decode()
    assert TITLE in html
    assert "处分内容" in html


def test_other_categories_keep_the_title(client, agency):
    notice = _withdrawn(agency, category="mistake")
    html = client.get(
        reverse("catalog:notice_detail", args=[notice.uuid])
    ).content.decode()
    assert TITLE in html
    assert notice.public_title == TITLE
    assert (
        client.get(reverse("catalog:api_notice_detail", args=[notice.uuid])).json()[
            "title"
        ]
        == TITLE
    )
