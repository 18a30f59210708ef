"""The demo district's statutory part: every agency has its 机构信息, the “部分机关”
columns name their agencies, and some columns are empty on purpose (no agency's 工作动态 is stale)."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Max

from catalog import demo_statutory
from catalog.models import Column, Notice
from portal import demo as portal_demo
from portal.models import Agency, AgencyProfile

pytestmark = pytest.mark.django_db
LAST_DAY = date(2026, 11, 20)
TZ = ZoneInfo("Asia/Shanghai")


def test_demo_gives_every_agency_a_profile_and_a_believable_tree():
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=TZ), tick=False):
        context = portal_demo.build(StringIO())
    agencies = context["agencies"]

    created = demo_statutory.build(agencies, LAST_DAY)

    assert created > 50
    assert AgencyProfile.objects.count() == Agency.objects.count() == len(agencies)
    assert all(p.leaders.count() == 3 for p in AgencyProfile.objects.all())
    assert AgencyProfile.objects.filter(last_changed_at__year=2022).count() == 2
    stats = Column.objects.get(slug="tjxx")
    assert list(stats.required_agencies.values_list("name", flat=True)) == [
        "天元区发展和改革局"
    ]
    news = Column.objects.get(slug="gzdt")
    last = dict(
        Notice.objects.listed()
        .filter(column=news)
        .values_list("owner_agency__name")
        .annotate(last=Max("published_at"))
    )
    fresh = [n for n, t in last.items() if (LAST_DAY - t.date()).days <= 14]
    stale = [n for n, t in last.items() if (LAST_DAY - t.date()).days > 14]
    assert stale == []
    assert len(fresh) == len(agencies)
    system = set(
        Notice.objects.filter(column__slug="xxgkzd").values_list(
            "owner_agency__name", flat=True
        )
    )
    assert set(agencies) - system == demo_statutory.NO_SYSTEM
    assert not Notice.objects.filter(
        column__slug="sfxm", owner_agency__name="天元区市场监督管理局"
    ).exists()
