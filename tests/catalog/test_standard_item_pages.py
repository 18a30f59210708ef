"""Staff pages linking 基层政务公开标准目录 items to the notices that fulfil them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import StandardItem
from catalog.standard_catalogue import load_catalogue
from tests.catalog.public_data import at, publish

pytestmark = pytest.mark.django_db
HEADER = "领域,一级事项,事项名称,公开时限,公开主体\n"


@pytest.fixture
def item(agency):
    load_catalogue(
        (HEADER + f"社会救助,临时救助,办事指南,实时,{agency.name}\n").encode(),
        fmt="csv",
    )
    return StandardItem.objects.get()


def test_staff_link_their_notices_to_their_item(client, staff_user, agency, item):
    own = publish(agency=agency, title="临时救助办事指南", published_at=at(2026, 3, 2))
    client.force_login(staff_user)
    listing = client.get(reverse("catalog:staff_standard_items")).content.decode()
    assert "办事指南" in listing
    assert "暂无" in listing
    url = reverse("catalog:staff_standard_item", args=[item.pk])
    assert "临时救助办事指南" in client.get(url).content.decode()

    response = client.post(url, {"notices": [own.pk]})

    assert response.status_code == 302
    assert list(item.notices.all()) == [own]


def test_another_agencys_notice_cannot_be_linked(
    client, staff_user, agency, other_agency, item
):
    foreign = publish(
        agency=other_agency, title="别家的信息", published_at=at(2026, 3, 2)
    )
    client.force_login(staff_user)
    url = reverse("catalog:staff_standard_item", args=[item.pk])

    response = client.post(url, {"notices": [foreign.pk]})

    assert response.status_code == 200
    assert "所选信息不属于本机关或已不存在" in response.content.decode()
    assert not item.notices.exists()


def test_other_agencys_staff_get_404(client, other_staff_user, item):
    client.force_login(other_staff_user)
    url = reverse("catalog:staff_standard_item", args=[item.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"notices": []}).status_code == 404
    listing = client.get(reverse("catalog:staff_standard_items")).content.decode()
    assert "办事指南" not in listing
