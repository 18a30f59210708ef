"""The demo district reads like a real one, whatever day it is seeded (issue 12 §4).

Seeded at two dates (one in December, one in March of the next year) with a smaller
catalog (the rules do not depend on its size), then checked as a county would look at
it: the compliance monitor, the annual reports and their guard, the flagship report's
figures against ``disclosure.stats``, the agencies' contacts, titles, 发文字号, dates
and the requests' deadlines around the seeding day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import strip_tags

from catalog import demo_statutory
from catalog.models import Notice
from disclosure import demo as disclosure_demo
from disclosure import layout, stats
from disclosure.compliance import site_report
from disclosure.content import publication_check, version_content
from disclosure.guard import unresolved_findings
from disclosure.models import AnnualReport
from portal import demo as portal_demo
from portal.models import Agency
from requests_app.models import InfoRequest, Status

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
SIGNED = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")


@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2027, 3, 15)], ids=str)
def test_the_demo_reads_like_a_real_district(today):
    with time_machine.travel(
        datetime(today.year, today.month, today.day, 10, 0, tzinfo=TZ), tick=False
    ):
        call_command("seed_demo", notices=360, stdout=StringIO())
    _no_agency_is_stale_and_every_gap_is_a_documented_example(today)
    _published_reports_pass_the_guard_and_the_flagship_adds_up(today)
    _texts_dates_and_numbers_are_consistent(today)
    _requests_have_deadlines_around_the_seeding_day(today)


def _no_agency_is_stale_and_every_gap_is_a_documented_example(today: date) -> None:
    report = site_report(today=today)
    kinds = {(f.agency, f.kind) for f in report.findings}
    stale = {
        k
        for k in kinds
        if k[1]
        in ("home_stale", "column_stale", "columns_stale_veto", "columns_empty_veto")
    }
    assert stale == set()
    empty = {f.agency for f in report.findings if f.kind == "column_empty"}
    assert empty == {n for _, n in demo_statutory.EMPTY_ITEMS} | set(
        demo_statutory.NO_SYSTEM
    )
    assert all(card.verdict == "合格" for card in report.agencies)
    late = {f.agency for f in report.findings if f.kind == "annual_report_late"}
    assert late == {disclosure_demo.LATE_TOWNSHIP}
    # the 办公室's figures are in the 区人民政府's report: no report of its own, no finding
    office = Agency.objects.get(name=portal_demo.OFFICE)
    assert not [
        f
        for f in report.findings
        if f.agency == office.name and f.kind.startswith("annual_report")
    ]
    assert report.report_notes == {office.pk: "已并入天元区人民政府年报"}
    # something was published in the last few days, and the monitor finds a few
    # overdue requests (the examples of Builder.around_today)
    last = Notice.objects.listed().latest("published_at").published_at
    assert (today - timezone.localdate(last)).days <= 3
    assert 1 <= sum(f.kind == "request_overdue" for f in report.findings) <= 4


def _published_reports_pass_the_guard_and_the_flagship_adds_up(today: date) -> None:
    published = AnnualReport.objects.filter(current_version__gt=0).exclude(
        layout=AnnualReport.Layout.LEGACY
    )
    assert not published.filter(year__gte=today.year).exists()
    last_year = published.filter(year=today.year - 1)
    # every agency but LATE_TOWNSHIP and the 办公室 (in the 区人民政府's report)
    assert last_year.count() == Agency.objects.count() - 2
    assert not AnnualReport.objects.filter(agency__name=portal_demo.OFFICE).exists()
    first_year = published.order_by("year").first().year
    for report in published.select_related("agency"):
        version = report.versions.get(number=report.current_version)
        content = version_content(version, report)
        check = publication_check(content, today)
        assert check.refusals == [], (report, check.refusals)
        assert check.warnings == [], (report, check.warnings)
        assert unresolved_findings(report) == [], report
        assert content.blocking_checks == [], report
        # the only hint: the first year cannot be compared with an earlier report
        hints = [c for c in content.warnings if report.year != first_year]
        assert hints == [], (report, hints)
    # the current year's report is a draft in progress
    assert AnnualReport.objects.filter(year=today.year, current_version=0).exists()

    government = Agency.objects.get(kind=Agency.Kind.GOVERNMENT)
    office = Agency.objects.get(name=portal_demo.OFFICE)
    assert office.report_included_in_id == government.pk
    flagship = last_year.get(agency=government)
    content = version_content(
        flagship.versions.get(number=flagship.current_version), flagship
    )
    figures = content.figures
    assert content.scope_line == "统计范围：天元区人民政府（含区人民政府办公室）"
    assert content.scope_line in flagship.notice.body
    data = stats.report_data(government.pk, flagship.year)
    assert [a.name for a in data.included] == [office.name]
    assert figures.table3 == data.table3
    assert figures.table4 == data.table4
    for row, cells in data.table2.items():
        assert {k: figures.table2[row][k] for k in cells} == cells
    received = {
        a: InfoRequest.objects.filter(
            agency=a, received_date__year=flagship.year
        ).count()
        for a in (government, office)
    }
    assert received[government] > 0
    assert received[office] > 0
    assert figures.table3[layout.ROW_NEW][layout.TOTAL] == sum(received.values())
    # the figures are those of both agencies: each alone is less
    alone = stats.report_data(office.pk, flagship.year)
    assert alone.included == ()
    assert (
        figures.table3[layout.ROW_NEW][layout.TOTAL]
        > alone.table3[layout.ROW_NEW][layout.TOTAL]
    )


def _texts_dates_and_numbers_are_consistent(today: date) -> None:
    for field in ("address", "phone", "fax", "email"):
        values = list(Agency.objects.values_list(field, flat=True))
        assert all(values), field
        assert len(set(values)) == len(values), field

    notices = list(Notice.objects.select_related("genre", "owner_agency"))
    for n in notices:
        years = re.findall(r"(\d{4})年", n.title)
        assert len(years) == len(set(years)), n.title
        assert "天元区天元区" not in n.title
        genre = n.genre.name if n.genre else ""
        if genre == "批复":
            assert n.owner_agency.kind == Agency.Kind.GOVERNMENT, n.title
            assert n.title.startswith("天元区人民政府关于同意")
            assert not n.doc_number or n.doc_number.startswith("株天政函〔"), n
        signed = SIGNED.search(strip_tags(n.body or ""))
        if signed and n.written_date and genre != "解读":
            assert date(*map(int, signed.groups())) == n.written_date, n.title
    batches = Notice.objects.filter(genre__name="批复")
    assert batches.exists()

    interpretations = Notice.objects.filter(genre__name="解读")
    assert interpretations.exists()
    for jd in interpretations.filter(body__contains="自印发之日起施行"):
        for policy in jd.interpreted_policies.all():
            assert not (
                policy.valid_from
                and policy.valid_from > timezone.localdate(policy.published_at)
            ), jd.title
    assert not Notice.objects.filter(published_at__date__gt=today).exists()
    # summaries are not one formula
    summaries = [n.summary[-12:] for n in notices if n.summary]
    most = max(summaries.count(s) for s in set(summaries))
    assert most < len(summaries) / 5


def _requests_have_deadlines_around_the_seeding_day(today: date) -> None:
    running = InfoRequest.objects.clock_running()
    assert running.filter(reply_due_date=today).exists()
    assert running.filter(
        reply_due_date__gt=today, reply_due_date__lte=today + timedelta(days=7)
    ).exists()
    assert running.filter(reply_due_date__lt=today).exists()
    assert InfoRequest.objects.filter(status=Status.AWAITING_CORRECTION).exists()
    assert InfoRequest.objects.filter(status=Status.CONSULTING).exists()
