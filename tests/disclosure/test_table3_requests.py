"""Every row of table 三 from requests built through the request services: each outcome,
partial disclosure counted once, withdrawn, abandoned after 补正, unpaid fee, carry-over
across years, unconfirmed and other agencies' requests left out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from disclosure import layout, services
from disclosure.checks import blocking
from disclosure.content import live_content, version_content
from disclosure.models import AnnualReport
from disclosure.stats import fee_figures, table3
from requests_app.outcomes import REPLY_OUTCOMES, ApplicantKind, Outcome
from tests.disclosure import requests_world as w
from tests.disclosure.conftest import at, publish

pytestmark = pytest.mark.django_db
KINDS = list(ApplicantKind)
KIND_LABEL = {k.value: k.label for k in ApplicantKind}
ROW_OF = {outcome: label for label, outcome in layout.OUTCOME_ROWS.items()}


@pytest.fixture
def handler(staff_user):
    return staff_user


def test_every_outcome_row_counts_its_request_once_in_its_column(agency, handler):
    expected: dict[tuple[str, str], int] = {}
    day = date(2025, 3, 3)
    for i, outcome in enumerate(REPLY_OUTCOMES):
        kind = KINDS[i % len(KINDS)]
        req = w.apply(agency, kind, day, handler)
        w.reply(req, handler, outcome, date(2025, 3, 10))
        key = (ROW_OF[outcome], KIND_LABEL[kind])
        expected[key] = expected.get(key, 0) + 1
    # the three system outcomes of （六）
    withdrawn = w.apply(agency, ApplicantKind.NATURAL, date(2025, 4, 1), handler)
    w.withdraw(withdrawn, date(2025, 4, 3))
    expected[(ROW_OF[Outcome.OTHER], "自然人")] = (
        expected.get((ROW_OF[Outcome.OTHER], "自然人"), 0) + 1
    )
    no_correction = w.apply(agency, ApplicantKind.RESEARCH, date(2025, 5, 6), handler)
    w.abandon_after_correction(no_correction, handler, date(2025, 5, 7))
    expected[(ROW_OF[Outcome.NO_CORRECTION], "科研机构")] = 1
    unpaid = w.apply(agency, ApplicantKind.PUBLIC_INTEREST, date(2025, 6, 2), handler)
    notice = w.send_fee(unpaid, handler, date(2025, 6, 3))
    w.expire_fee(unpaid, notice)
    expected[(ROW_OF[Outcome.UNPAID_FEE], "社会公益组织")] = 1

    t, count = table3([agency.pk], 2025)
    closed = len(REPLY_OUTCOMES) + 3
    for row in layout.OUTCOME_ROWS:
        for column in layout.KIND_COLUMNS:
            assert t[row][column] == expected.get((row, column), 0), (row, column)
        assert t[row]["总计"] == sum(v for (r, _), v in expected.items() if r == row), (
            row
        )
    assert t["（七）总计"]["总计"] == closed == count.closed
    assert t[layout.ROW_NEW]["总计"] == closed
    assert t[layout.ROW_CARRIED_OUT]["总计"] == 0
    # partial disclosure counted only in （二）
    partial_row = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert sum(t[partial_row][c] for c in layout.KIND_COLUMNS) == 1
    assert t["（一）予以公开"]["总计"] == 1
    # withdrawn counts under （六）3 其他 together with the replied "其他"
    assert t["3.其他"]["总计"] == 2
    content = live_content(
        services.report_open(agency=agency, year=2025, by=handler, now=at(2026, 1, 5))
    )
    assert blocking(content.checks) == []


def test_carry_over_across_years(agency, handler, approver_user):
    old = w.apply(agency, ApplicantKind.NATURAL, date(2023, 6, 1), handler)
    w.reply(old, handler, Outcome.DISCLOSED, date(2023, 6, 12))  # closed before 2024
    across = w.apply(agency, ApplicantKind.COMMERCIAL, date(2024, 12, 23), handler)
    open_2025 = w.apply(agency, ApplicantKind.NATURAL, date(2025, 12, 29), handler)
    unconfirmed = w.apply(
        agency, ApplicantKind.NATURAL, date(2025, 8, 1), handler, confirm=False
    )

    t2024, _ = table3([agency.pk], 2024)
    assert t2024[layout.ROW_NEW]["商业企业"] == 1
    assert t2024[layout.ROW_CARRIED_OUT]["商业企业"] == 1
    assert t2024[layout.ROW_NEW]["自然人"] == 0
    assert t2024["（七）总计"]["总计"] == 0

    r2024 = services.report_open(
        agency=agency, year=2024, by=handler, now=at(2025, 1, 6)
    )
    publish(r2024, admin=handler, approver=approver_user, now=at(2025, 1, 20))

    w.reply(across, handler, Outcome.PARTIAL, date(2025, 1, 10))
    t2025, _ = table3([agency.pk], 2025)
    assert t2025[layout.ROW_CARRIED_IN]["商业企业"] == 1
    assert (
        t2025["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]["商业企业"]
        == 1
    )
    assert (
        t2025[layout.ROW_NEW]["自然人"] == 1
    )  # open_2025 only: the unconfirmed one has no received date
    assert t2025[layout.ROW_CARRIED_OUT]["自然人"] == 1
    assert t2025[layout.ROW_NEW]["总计"] == 1
    assert t2025[layout.ROW_CARRIED_OUT]["总计"] == 1
    r2025 = services.report_open(
        agency=agency, year=2025, by=handler, now=at(2026, 1, 5)
    )
    checks = live_content(r2025).checks
    assert blocking(checks) == []
    assert [c.level for c in checks if c.rule == "R5"] == ["ok"]
    assert unconfirmed.received_date is None
    assert open_2025.closed_date is None


def test_r5_blocks_publication_when_last_years_carry_out_differs(
    agency, handler, approver_user
):
    r2024 = services.report_open(
        agency=agency, year=2024, by=handler, now=at(2025, 1, 6)
    )
    publish(
        r2024, admin=handler, approver=approver_user, now=at(2025, 1, 20)
    )  # carried out: 0
    # a request of 2024 registered after last year's report was published
    late = w.apply(agency, ApplicantKind.NATURAL, date(2024, 12, 30), handler)
    w.reply(late, handler, Outcome.DISCLOSED, date(2025, 1, 15))
    r2025 = services.report_open(
        agency=agency, year=2025, by=handler, now=at(2026, 1, 5)
    )
    failing = blocking(live_content(r2025).checks)
    assert [c.rule for c in failing] == ["R5", "R5"]
    assert "“自然人”列为 1，上年年报“四、结转下年度继续办理”为 0" in failing[0].detail
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不能提交审核：有 2 项核对未通过"):
        services.report_submit(report=r2025, by=handler, now=at(2026, 1, 6))
    # once the 2024 report is corrected from the data, 2025 passes
    services.report_start_correction(report=r2024, by=handler, now=at(2026, 1, 6))
    publish(
        r2024,
        admin=handler,
        approver=approver_user,
        now=at(2026, 1, 6),
        correction_note="补计 12 月 30 日收到的申请",
    )
    assert blocking(live_content(r2025).checks) == []


def test_other_agencies_requests_are_not_counted(
    agency, other_agency, handler, other_staff_user
):
    w.apply(other_agency, ApplicantKind.NATURAL, date(2025, 3, 3), other_staff_user)
    t, _ = table3([agency.pk], 2025)
    assert t[layout.ROW_NEW]["总计"] == 0
    whole, _ = table3(None, 2025)
    assert whole[layout.ROW_NEW]["总计"] == 1


def test_published_snapshot_does_not_change_with_later_data(
    agency, handler, approver_user, client
):
    req = w.apply(agency, ApplicantKind.NATURAL, date(2025, 3, 3), handler)
    report = services.report_open(
        agency=agency, year=2025, by=handler, now=at(2026, 1, 5)
    )
    version = publish(report, admin=handler, approver=approver_user, now=at(2026, 1, 9))
    before = version_content(version).to_json()
    assert before["table3"]["rows"][0]["values"]["自然人"] == 1
    # later: the open request is answered, and a forgotten 2025 request is registered
    w.reply(req, handler, Outcome.DISCLOSED, date(2026, 1, 12))
    w.apply(agency, ApplicantKind.COMMERCIAL, date(2025, 11, 3), handler)
    version.refresh_from_db()
    after = version_content(version).to_json()
    assert after == before
    live = live_content(AnnualReport.objects.get(pk=report.pk)).to_json()
    assert (
        live["table3"]["rows"][0]["values"]["总计"] == 2
    )  # the live draft would differ
    import json

    downloaded = json.loads(client.get(f"/nianbao/{report.pk}/download.json").content)
    assert downloaded["table3"] == before["table3"]


def test_section_six_fee_figures_from_fee_notices(agency, handler):
    unpaid = w.apply(agency, ApplicantKind.NATURAL, date(2025, 6, 2), handler)
    notice = w.send_fee(unpaid, handler, date(2025, 6, 3), pages=50)  # 20 × 10 元
    w.expire_fee(unpaid, notice)
    paid = w.apply(agency, ApplicantKind.NATURAL, date(2025, 9, 1), handler)
    w.send_fee(paid, handler, date(2025, 9, 2), pages=150)  # 70 × 10 + 50 × 20 元
    w.pay_fee(paid, handler, date(2025, 9, 5))
    figures = fee_figures(agency.pk, 2025)
    assert (
        figures.notice_count,
        figures.notified_amount,
        figures.collected_amount,
    ) == (2, Decimal("1900.00"), Decimal("1700.00"))


def test_report_statement_equals_the_orm_evaluated_afresh(
    agency, other_agency, handler, other_staff_user, approver_user
):
    """report_data runs one statement compiled once with sentinel arguments; it must give
    exactly what the ORM query built for the real agency and year gives."""
    import json

    from disclosure.stats import (
        fold_table2,
        fold_table4,
        report_data,
        report_query,
        table3_from_groups,
    )

    w.reply(
        w.apply(agency, ApplicantKind.NATURAL, date(2024, 12, 30), handler),
        handler,
        Outcome.PARTIAL,
        date(2025, 1, 6),
    )
    w.apply(agency, ApplicantKind.COMMERCIAL, date(2025, 12, 30), handler)
    w.apply(other_agency, ApplicantKind.NATURAL, date(2025, 3, 3), other_staff_user)
    r2024 = services.report_open(
        agency=agency, year=2024, by=handler, now=at(2025, 1, 6)
    )
    publish(r2024, admin=handler, approver=approver_user, now=at(2025, 1, 20))
    from disclosure.models import AppealCase

    services.appeal_case_save(
        agency=agency,
        by=handler,
        kind=AppealCase.Kind.RECONSIDERATION,
        filed_year=2025,
        filed_date=date(2025, 2, 1),
        result=AppealCase.Result.OTHER,
        decided_date=date(2025, 3, 1),
    )
    for agency_id, year in [
        (agency.pk, 2025),
        (agency.pk, 2024),
        (other_agency.pk, 2025),
        (agency.pk, 2013),
    ]:
        data = report_data(agency_id, year)
        fresh = report_query(agency_id, year).first()

        def parsed(items):
            return [json.loads(i) if isinstance(i, str) else i for i in items or []]

        assert (data.table3, data.request_count) == table3_from_groups(
            parsed(fresh["table3"])
        )
        assert data.table4 == fold_table4(parsed(fresh["appeals"]))
        assert data.table2 == fold_table2(parsed(fresh["notices"]), year)
    assert report_data(agency.pk, 2025).previous.carried_out["自然人"] == 1
    assert report_data(agency.pk, 2025).table4["行政复议"]["其他结果"] == 1
