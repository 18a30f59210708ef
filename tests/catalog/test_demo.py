from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from catalog.models import Attachment, Notice, NoticeEvent

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def test_seed_demo_builds_a_believable_catalog_with_the_2013_report():
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=TZ), tick=False):
        call_command("seed_demo", stdout=StringIO())

    assert Notice.objects.count() >= 1000
    report = Notice.objects.get(index_number="0122/2016-00001")
    assert report.title == "天元区人民政府2013年政府信息公开工作年度报告"
    assert timezone.localtime(report.published_at).date() == date(2014, 2, 27)
    assert report.column.name == "政府信息公开年报"
    assert [link.agency.name for link in report.publisher_links.all()] == [
        "天元区人民政府"
    ]
    assert "<p>今年以来" in report.body  # the original text, after the link to 年报
    assert "/nianbao/" in report.body
    assert "悄悄话室" in report.search_text
    # 保密审查 recorded by a believable confirmer: the agency's own demo account
    assert report.security_reviewed_by.username == "quzhengfu_sh"
    education = Notice.objects.filter(
        status="published", owner_agency__name="天元区教育局"
    )
    assert education.exists()
    assert not education.exclude(security_reviewed_by__username="jiaoyu_sh").exists()

    published = Notice.objects.published()
    years = {d.year for d in published.dates("published_at", "year")}
    assert set(range(2019, 2027)) <= years
    assert published.values("theme__parent").distinct().count() >= 10
    assert published.values("genre").distinct().count() >= 10
    today = date(2026, 11, 25)
    validity = dict(
        Notice.objects.listed()
        .with_current_validity(today)
        .values_list("current_validity")
        .annotate(n=Count("id"))
        .values_list("current_validity", "n")
    )
    assert validity.keys() >= {"effective", "expired", "not_yet", "repealed", "amended"}
    assert Notice.objects.filter(
        validity="effective", valid_until__lt=today
    ).exists()  # 失效 by date alone
    assert (
        Notice.objects.annotate(p=Count("publisher_links")).filter(p__gte=2).count()
        >= 10
    )
    assert Notice.objects.filter(
        doc_number__regex=r"^株天政发〔20\d\d〕[1-9]\d*号$"
    ).exists()
    interpretations = Notice.objects.filter(genre__name="解读")
    assert interpretations.count() >= 20
    assert all(n.interpreted_policies.exists() for n in interpretations[:20])
    withdrawn = Notice.objects.filter(status=Notice.Status.WITHDRAWN)
    assert withdrawn.count() >= 5
    assert not withdrawn.filter(withdrawn_reason="").exists()
    assert Notice.objects.filter(
        status=Notice.Status.DRAFT, index_number__isnull=True
    ).exists()
    assert not Notice.objects.filter(
        status=Notice.Status.PUBLISHED, index_number__isnull=True
    ).exists()
    kinds = set(Attachment.objects.values_list("content_type", flat=True))
    assert {"application/pdf", "text/plain; charset=utf-8"} <= kinds
    assert any("wordprocessingml" in k for k in kinds)
    pdf = Attachment.objects.filter(content_type="application/pdf").first()
    assert pdf.text.strip()
    assert pdf.text.splitlines()[0] in pdf.notice.search_text
    assert NoticeEvent.objects.filter(action="published").count() >= 1000

    # deterministic and idempotent: a second run adds nothing
    before = Notice.objects.count()
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=TZ), tick=False):
        call_command("seed_demo", stdout=StringIO())
    assert Notice.objects.count() == before
