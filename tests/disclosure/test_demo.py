"""The demo reports build through the services and leave a consistent history."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.utils import timezone

from disclosure.models import AnnualReport
from tests.disclosure.conftest import at

pytestmark = pytest.mark.django_db


def test_demo_builds_legacy_published_corrected_and_draft_reports():
    from disclosure import demo
    from portal import demo as portal_demo

    out = io.StringIO()
    with time_machine.travel(at(2026, 12, 7, 10), tick=False):  # reports are relative
        context = portal_demo.build(out)
        demo.build(out, **context)
    gov = context["government"]
    legacy = AnnualReport.objects.get(agency=gov, year=2013)
    assert legacy.is_legacy
    assert legacy.index_number == "0122/2016-00001"
    assert legacy.first_published_at == at(2014, 2, 27)
    assert "今年以来" in legacy.section_overview
    published = AnnualReport.objects.filter(
        year__in=[2023, 2024, 2025], current_version__gt=0
    )
    assert published.filter(agency=gov).count() == 3
    assert published.count() >= 12
    for report in published.select_related("agency"):
        local = timezone.localtime(report.first_published_at)
        assert local.year == report.year + 1
        assert local.month <= 3
    edu = context["agencies"]["天元区教育局"]
    corrected = AnnualReport.objects.get(agency=edu, year=2025)
    assert corrected.current_version == 2
    assert corrected.versions.get(number=2).correction_note
    assert (
        AnnualReport.objects.get(agency=edu, year=2026).status
        == AnnualReport.Status.DRAFT
    )
    # re-running adds nothing
    before = AnnualReport.objects.count()
    with time_machine.travel(at(2026, 12, 7, 10), tick=False):
        demo.build(io.StringIO(), **context)
    assert AnnualReport.objects.count() == before
