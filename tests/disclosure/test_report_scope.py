"""本级政府年报（含办公室）: an agency's report counts the agencies included in it
(``Agency.report_included_in``): the figures are the sum, the scope is stated on the
page, the exports and the catalog entry, a published version keeps its scope and
numbers, the included agency opens no report and is not flagged for missing one."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import model_to_dict
from django.urls import reverse
from openpyxl import load_workbook

from catalog import services as catalog
from catalog.models import Genre
from disclosure import layout, services
from disclosure.compliance import site_report
from disclosure.content import live_content, version_content
from disclosure.models import AnnualReport, AppealCase
from disclosure.stats import report_data, report_query, table3_from_groups
from portal import roles
from portal import services as portal_services
from portal.admin import AgencyAdminForm
from portal.models import Agency, SiteIdentity
from requests_app.outcomes import ApplicantKind, Outcome
from tests.disclosure import requests_world as w
from tests.disclosure.conftest import at, publish, travel
from tests.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db
SCOPE_LINE = "统计范围：天元区人民政府（含区人民政府办公室）"


@pytest.fixture
def gov(db):
    return AgencyFactory(
        name="天元区人民政府", short_name="区政府", kind=Agency.Kind.GOVERNMENT
    )


@pytest.fixture
def office(gov):
    return AgencyFactory(name="天元区人民政府办公室", short_name="区政府办", parent=gov)


@pytest.fixture
def gov_admin(gov):
    return StaffFactory(
        username="gov", agency=gov, roles=[roles.HANDLER, roles.ADMIN, roles.APPROVER]
    )


@pytest.fixture
def gov_approver(gov):
    return StaffFactory(username="gov_sh", agency=gov, roles=[roles.APPROVER])


@pytest.fixture
def office_admin(office):
    return StaffFactory(
        username="office", agency=office, roles=[roles.HANDLER, roles.ADMIN]
    )


def include(office: Agency, gov: Agency | None) -> None:
    office = Agency.objects.get(pk=office.pk)
    office.report_included_in = gov
    portal_services.agency_save(agency=office, by=None, source="test")


def _normative(owner, by, written: date, publishers=None):
    with travel(written.year, written.month, written.day, 9):
        notice = catalog.notice_create(
            owner_agency=owner,
            by=by,
            publishers=publishers,
            title=f"{owner.name}规范性文件{written}",
            genre=Genre.objects.get(name=layout.NORMATIVE),
            written_date=written,
        )
        return catalog.notice_publish(
            notice=notice,
            by=by,
            now=at(written.year, written.month, written.day, 9),
        )


def _appeal(agency, by, filed: date, result: str, decided: date | None):
    services.appeal_case_save(
        agency=agency,
        by=by,
        kind=AppealCase.Kind.RECONSIDERATION,
        filed_year=filed.year,
        filed_date=filed,
        result=result,
        decided_date=decided,
    )


@pytest.fixture
def world(gov, office, gov_admin, office_admin):
    """Requests, notices, cases and fees of both agencies in 2025 (and a carry-over)."""
    # 区人民政府: 2 natural persons (one disclosed), 1 company carried in from 2024
    w.reply(
        w.apply(gov, ApplicantKind.NATURAL, date(2025, 3, 3), gov_admin),
        gov_admin,
        Outcome.DISCLOSED,
        date(2025, 3, 10),
    )
    w.apply(gov, ApplicantKind.NATURAL, date(2025, 12, 29), gov_admin)
    w.reply(
        w.apply(gov, ApplicantKind.COMMERCIAL, date(2024, 12, 30), gov_admin),
        gov_admin,
        Outcome.NOT_HELD,
        date(2025, 1, 8),
    )
    # 办公室: 1 natural person disclosed, 1 research body with a paid fee
    w.reply(
        w.apply(office, ApplicantKind.NATURAL, date(2025, 5, 6), office_admin),
        office_admin,
        Outcome.DISCLOSED,
        date(2025, 5, 12),
    )
    paid = w.apply(office, ApplicantKind.RESEARCH, date(2025, 9, 1), office_admin)
    w.send_fee(paid, office_admin, date(2025, 9, 2), pages=150)
    w.pay_fee(paid, office_admin, date(2025, 9, 5))
    # 行政规范性文件 of each
    _normative(gov, gov_admin, date(2025, 4, 1))
    _normative(office, office_admin, date(2025, 6, 1))
    _normative(office, office_admin, date(2024, 6, 1))
    # 复议 cases of each
    _appeal(
        gov, gov_admin, date(2025, 2, 1), AppealCase.Result.UPHELD, date(2025, 4, 1)
    )
    _appeal(office, office_admin, date(2025, 7, 1), AppealCase.Result.PENDING, None)


def _sum(a: dict, b: dict) -> dict:
    return {row: {c: a[row][c] + b[row][c] for c in a[row]} for row in a}


def test_the_report_of_two_agencies_is_the_sum_of_their_figures(world, gov, office):
    alone_gov = report_data(gov.pk, 2025)
    alone_office = report_data(office.pk, 2025)
    assert alone_gov.included == ()
    assert alone_office.table3[layout.ROW_NEW][layout.TOTAL] == 2

    include(office, gov)
    both = report_data(gov.pk, 2025)

    assert [a.name for a in both.included] == ["天元区人民政府办公室"]
    assert both.table3 == _sum(alone_gov.table3, alone_office.table3)
    assert both.table3[layout.ROW_NEW][layout.TOTAL] == 4
    assert both.table3[layout.ROW_CARRIED_IN]["商业企业"] == 1
    assert both.table3["（一）予以公开"]["自然人"] == 2
    assert both.request_count.closed == (
        alone_gov.request_count.closed + alone_office.request_count.closed
    )
    assert both.table2 == _sum(alone_gov.table2, alone_office.table2)
    assert both.table2[layout.NORMATIVE] == {
        layout.ISSUED: 2,
        layout.REPEALED: 0,
        layout.IN_FORCE: 3,
    }
    assert both.table4 == _sum(alone_gov.table4, alone_office.table4)
    assert both.table4[layout.RECONSIDERATION][layout.TOTAL] == 2
    assert both.fees.notice_count == 1
    assert both.fees.collected_amount == alone_office.fees.collected_amount > 0
    # the included agency's own figures are unchanged (it includes nobody)
    assert report_data(office.pk, 2025).table3 == alone_office.table3

    # the statement compiled once with sentinels equals the ORM query built afresh
    fresh = report_query(gov.pk, 2025).first()
    groups = [json.loads(g) if isinstance(g, str) else g for g in fresh["table3"]]
    assert table3_from_groups(groups) == (both.table3, both.request_count)


def test_a_notice_of_both_agencies_counts_once(gov, office, gov_admin):
    include(office, gov)
    _normative(gov, gov_admin, date(2025, 4, 1), publishers=[gov, office])
    assert report_data(gov.pk, 2025).table2[layout.NORMATIVE][layout.ISSUED] == 1


def test_the_database_refuses_itself_chains_and_includers_being_included(gov, office):
    other = AgencyFactory(name="天元区教育局")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=gov.pk).update(report_included_in=gov)
    include(office, gov)
    # the including agency cannot itself be included
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=gov.pk).update(report_included_in=other)
    # an included agency cannot include others
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=other.pk).update(report_included_in=office)
    # a second included agency is fine (one level)
    Agency.objects.filter(pk=other.pk).update(report_included_in=gov)
    assert set(gov.report_includes.values_list("name", flat=True)) == {
        office.name,
        other.name,
    }


def _admin_form(agency: Agency, **changes) -> AgencyAdminForm:
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(agency, fields=AgencyAdminForm._meta.fields).items()
    }
    data.update({k: ("" if v is None else v) for k, v in changes.items()})
    return AgencyAdminForm(data=data, instance=agency)


def test_the_admin_form_explains_each_refusal_in_chinese(gov, office):
    other = AgencyFactory(name="天元区教育局")
    form = _admin_form(gov, report_included_in=gov.pk)
    assert not form.is_valid()  # itself is not even offered
    assert "report_included_in" in form.errors
    form = _admin_form(office, report_included_in=gov.pk)
    assert form.is_valid(), form.errors
    form.save(commit=False)
    portal_services.agency_save(agency=form.instance, by=None, source="admin")
    assert Agency.objects.get(pk=office.pk).report_included_in_id == gov.pk
    # the government now includes the office: it cannot be included elsewhere
    form = _admin_form(Agency.objects.get(pk=gov.pk), report_included_in=other.pk)
    assert not form.is_valid()
    assert "不能再并入其他机关的年报" in str(form.errors)
    # the model check names the including agency when the choice list is bypassed
    office = Agency.objects.get(pk=office.pk)
    other.report_included_in = office
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "天元区人民政府办公室本身已并入天元区人民政府年报" in str(exc.value)


def test_only_superusers_edit_the_setting_in_the_admin(rf, gov, gov_admin):
    from django.contrib import admin

    model_admin = admin.site.get_model_admin(Agency)
    request = rf.get("/")
    request.user = gov_admin
    assert "report_included_in" in model_admin.get_readonly_fields(request, gov)
    request.user = StaffFactory(username="root", agency=gov, is_superuser=True)
    assert "report_included_in" not in model_admin.get_readonly_fields(request, gov)


def test_the_included_agency_opens_no_report_of_its_own(gov, office, office_admin):
    draft = services.report_open(
        agency=office, year=2025, by=office_admin, now=at(2026, 1, 5)
    )
    include(office, gov)
    office = Agency.objects.get(pk=office.pk)
    with pytest.raises(ValidationError) as exc:
        services.report_open(
            agency=office, year=2024, by=office_admin, now=at(2026, 1, 5)
        )
    assert "已并入天元区人民政府年报，不单独编制年度报告" in exc.value.messages[0]
    assert not AnnualReport.objects.filter(agency=office, year=2024).exists()
    # a draft opened before the setting cannot be submitted any more
    with pytest.raises(ValidationError) as exc:
        services.report_submit(report=draft, by=office_admin, now=at(2026, 1, 6))
    assert "天元区人民政府" in exc.value.messages[0]


def test_the_staff_report_list_of_the_included_agency_says_so(
    client, gov, office, office_admin
):
    include(office, gov)
    client.force_login(office_admin)
    html = client.get(reverse("disclosure:staff_report_list")).content.decode()
    assert "已并入天元区人民政府年报" in html
    assert "打开该年度报告" not in html
    response = client.post(reverse("disclosure:staff_report_list"), {"year": "2025"})
    assert response.status_code == 200
    assert "已并入天元区人民政府年报" in response.content.decode()
    assert not AnnualReport.objects.filter(agency=office).exists()


def test_the_monitor_does_not_flag_the_included_agency(gov, office, gov_admin):
    before = site_report(today=date(2026, 2, 2))
    assert "annual_report_late" in {
        f.kind for f in before.findings if f.agency == office.name
    }
    include(office, gov)
    report = site_report(today=date(2026, 2, 2))
    assert not [
        f
        for f in report.findings
        if f.agency == office.name and f.kind.startswith("annual_report")
    ]
    assert report.report_notes == {office.pk: "已并入天元区人民政府年报"}
    assert report.as_json()["report_notes"] == {
        str(office.pk): "已并入天元区人民政府年报"
    }


def test_the_dashboard_lists_the_included_agency_without_a_deadline(
    client, gov, office, gov_admin
):
    include(office, gov)
    SiteIdentity.objects.create(pk=1, site_name="平台", sponsor="办", site_code="1")
    client.force_login(gov_admin)
    with travel(2026, 2, 10, 9):
        html = client.get(
            reverse("disclosure:staff_dashboard"), {"year": "2025"}
        ).content.decode()
    html = html[html.index("<main") :]
    row = html[html.index(office.name) : html.index("</tr>", html.index(office.name))]
    assert "已并入天元区人民政府年报" in row
    assert "已逾期未发布" not in row
    assert "已逾期未发布 <strong>0</strong>" in html


def _publish_gov(gov, gov_admin, gov_approver, year: int = 2025) -> AnnualReport:
    report = services.report_open(
        agency=gov, year=year, by=gov_admin, now=at(year + 1, 1, 5)
    )
    publish(report, admin=gov_admin, approver=gov_approver, now=at(year + 1, 1, 20))
    return AnnualReport.objects.get(pk=report.pk)


def test_the_scope_is_stated_on_the_page_the_exports_and_the_catalog_entry(
    client, world, gov, office, gov_admin, gov_approver
):
    include(office, gov)
    report = _publish_gov(gov, gov_admin, gov_approver)

    page = client.get(reverse("disclosure:report_detail", args=[report.pk]))
    assert SCOPE_LINE in page.content.decode()
    assert report.title == "天元区人民政府2025年政府信息公开工作年度报告"

    xlsx = client.get(reverse("disclosure:report_download", args=[report.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    for ws in wb.worksheets:
        assert ws["A2"].value == SCOPE_LINE
    assert wb.properties.subject == SCOPE_LINE

    data = json.loads(
        client.get(
            reverse("disclosure:report_download", args=[report.pk, "json"])
        ).content
    )
    assert data["scope"] == "天元区人民政府（含区人民政府办公室）"
    assert data["table3"]["rows"][0]["values"]["总计"] == 4

    assert SCOPE_LINE in report.notice.body


def test_a_single_agency_report_has_no_scope_line(client, world, gov, gov_admin):
    report = services.report_open(
        agency=gov, year=2025, by=gov_admin, now=at(2026, 1, 5)
    )
    content = live_content(report)
    assert content.scope_line == ""
    assert "scope" not in content.to_json()
    page = client.get(reverse("disclosure:report_detail", args=[report.pk]))
    assert "统计范围" not in page.content.decode()


def test_a_published_report_keeps_its_scope_and_figures_after_the_setting_changes(
    client, world, gov, office, gov_admin, gov_approver
):
    include(office, gov)
    report = _publish_gov(gov, gov_admin, gov_approver)
    version = report.versions.get(number=1)
    before = version_content(version, report)
    assert before.figures.table3[layout.ROW_NEW][layout.TOTAL] == 4

    include(office, None)
    after = version_content(report.versions.get(number=1), report)
    assert after.figures.table3 == before.figures.table3
    assert after.scope_line == SCOPE_LINE
    page = client.get(reverse("disclosure:report_detail", args=[report.pk]))
    assert SCOPE_LINE in page.content.decode()

    # only a draft follows the setting: a correction counts the government alone
    services.report_start_correction(report=report, by=gov_admin, now=at(2026, 2, 1))
    live = live_content(AnnualReport.objects.get(pk=report.pk))
    assert live.scope_line == ""
    assert live.figures.table3[layout.ROW_NEW][layout.TOTAL] == 2


def test_a_report_published_before_the_setting_is_unchanged_and_r5_explains(
    world, gov, office, gov_admin, gov_approver
):
    r2024 = _publish_gov(gov, gov_admin, gov_approver, year=2024)
    frozen = version_content(r2024.versions.get(number=1), r2024)
    include(office, gov)
    again = version_content(r2024.versions.get(number=1), r2024)
    assert again.figures.table3 == frozen.figures.table3
    assert again.scope_line == ""
    # this year's scope differs from last year's: R5 is a warning, not an error
    draft = services.report_open(
        agency=gov, year=2025, by=gov_admin, now=at(2026, 1, 5)
    )
    content = live_content(draft)
    r5 = [c for c in content.checks if c.rule == "R5"]
    assert r5
    assert all(c.is_warning for c in r5)
    assert "统计范围与本年不同" in r5[0].detail
    assert content.blocking_checks == []


@pytest.mark.parametrize(
    ("agency", "included", "label"),
    [
        (
            "天元区人民政府",
            ["天元区人民政府办公室"],
            "天元区人民政府（含区人民政府办公室）",
        ),
        (
            "株洲市天元区人民政府",
            ["株洲市天元区人民政府办公室", "天元区机关事务中心"],
            "株洲市天元区人民政府（含区人民政府办公室、天元区机关事务中心）",
        ),
        ("攸县人民政府", ["攸县人民政府办公室"], "攸县人民政府（含县人民政府办公室）"),
        (
            "天元区教育局",
            ["天元区教育局机关服务中心"],
            "天元区教育局（含天元区教育局机关服务中心）",
        ),
        ("天元区人民政府", [], "天元区人民政府"),
    ],
)
def test_scope_label(agency, included, label):
    assert layout.scope_label(agency, included) == label
    assert layout.scope_line(agency, included) == (
        f"统计范围：{label}" if included else ""
    )
