"""Per-department disclosure pages (/bumen/<id>/): content filtered to the agency and a
constant number of queries."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from catalog.models import Column
from disclosure.department import column_tree
from disclosure.models import AnnualReport
from portal.services import agency_profile_update
from tests.catalog.public_data import at, column, draft, publish
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _report(agency, year, *, published=True):
    extra = (
        {
            "current_version": 1,
            "index_number": f"T-{agency.pk}-{year}",
            "first_published_at": datetime(year + 1, 1, 20, tzinfo=TZ),
        }
        if published
        else {}
    )
    return AnnualReport.objects.create(agency=agency, year=year, **extra)


def _profile(agency):
    agency_profile_update(
        agency=agency,
        functions="负责全区教育工作。",
        internal_units="",
        leaders=[{"name": "张三", "post": "局长", "duties": "主持全面工作"}],
        address="天台路 1 号",
        office_hours="工作日",
        phone="0731-28112345",
        fax="",
        postcode="",
        email="",
        now=datetime(2026, 3, 2, 9, tzinfo=TZ),
    )


def test_department_page_shows_only_the_agencys_published_content(
    client, agency, other_agency
):
    _profile(agency)
    publish(
        agency=agency,
        title="区教育局政府信息公开工作制度",
        column=column("xxgkzd"),
        published_at=at(2026, 1, 5),
    )
    publish(
        agency=agency,
        title="教育政策文件",
        column=column("zcwj"),
        published_at=at(2026, 2, 1),
    )
    draft(agency=agency, title="尚未发布的草稿", column=column("zcwj"))
    publish(
        agency=other_agency,
        title="财政局的制度",
        column=column("xxgkzd"),
        published_at=at(2026, 1, 6),
    )
    _report(agency, 2025)
    _report(agency, 2024, published=False)

    html = client.get(reverse("bumen:detail", args=[agency.pk])).content.decode()

    assert "区教育局政府信息公开工作制度" in html
    assert "财政局的制度" not in html
    assert "尚未发布的草稿" not in html
    assert "2025年政府信息公开工作年度报告" in html
    assert "2024年政府信息公开工作年度报告" not in html
    assert "负责全区教育工作。" in html
    assert reverse("requests_app:apply") in html
    assert reverse("catalog:guide") in html
    assert f"column=zcwj&amp;publisher={agency.pk}" in html


def test_tree_counts_descendants_and_marks_required_columns(agency, other_agency):
    publish(
        agency=agency, title="解读", column=column("zcjd"), published_at=at(2026, 2, 1)
    )
    stats = Column.objects.get(slug="tjxx")
    stats.required_agencies.add(other_agency)

    nodes = {n.column.slug: n for n in column_tree(agency)}

    assert nodes["zcjd"].count == 1
    assert nodes["zcwj"].count == 1  # its child's notice counts for it
    assert nodes["fdzdgk"].count == 1
    assert nodes["zcjd"].depth == nodes["zcwj"].depth + 1 == 2
    assert nodes["jgxx"].required  # 每个机关
    assert "tjxx" not in nodes  # 部分机关, and not this one
    assert "ghjh" not in nodes  # 仅人民政府
    assert column_tree(other_agency)[0].column.slug == "fdzdgk"
    assert "tjxx" in {n.column.slug for n in column_tree(other_agency)}


def test_government_page_links_its_departments_and_townships(client):
    gov = AgencyFactory(name="天元区人民政府", kind="government")
    AgencyFactory(name="天元区民政局", kind="department", parent=gov)
    AgencyFactory(name="天元区群丰镇人民政府", kind="township", parent=gov)

    html = client.get(reverse("bumen:detail", args=[gov.pk])).content.decode()

    assert "天元区民政局" in html
    assert "天元区群丰镇人民政府" in html
    assert "乡镇（街道）" in html
    home = client.get(reverse("catalog:home")).content.decode()
    assert reverse("bumen:detail", args=[gov.pk + 1]) in home


def test_query_count_does_not_grow_with_content(
    client, agency, django_assert_num_queries, django_assert_max_num_queries
):
    _profile(agency)
    url = reverse("bumen:detail", args=[agency.pk])
    client.get(url)  # warm up (site identity…)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for i, slug in enumerate(
        ["zcwj", "zcjd", "tzgg", "gzdt", "xxgkzd", "rsxx", "czxx"]
    ):
        publish(
            agency=agency,
            title=f"信息{i}",
            column=column(slug),
            published_at=at(2026, 1, 5 + i),
        )
    _report(agency, 2025)
    _report(agency, 2024)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_inactive_or_unknown_agency_is_404(client):
    gone = AgencyFactory(name="已撤销机构", is_active=False)
    assert client.get(reverse("bumen:detail", args=[gone.pk])).status_code == 404
    assert client.get(reverse("bumen:profile", args=[gone.pk])).status_code == 404
