"""JSON and XLSX outputs carry the page's numbers; the command prints the issue's shape."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from disclosure import layout, services
from disclosure.models import AnnualReport, AppealCase
from requests_app.outcomes import ApplicantKind, Outcome
from tests.disclosure import requests_world as w
from tests.disclosure.conftest import at, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_report(agency, staff_user, approver_user):
    h = staff_user
    for kind, outcome in [
        (ApplicantKind.NATURAL, Outcome.DISCLOSED),
        (ApplicantKind.NATURAL, Outcome.PARTIAL),
        (ApplicantKind.COMMERCIAL, Outcome.NOT_HELD),
        (ApplicantKind.LEGAL_SERVICE, Outcome.REPEATED),
    ]:
        w.reply(
            w.apply(agency, kind, date(2025, 4, 1), h), h, outcome, date(2025, 4, 10)
        )
    w.apply(agency, ApplicantKind.RESEARCH, date(2025, 12, 29), h)  # carried over
    services.appeal_case_save(
        agency=agency,
        by=h,
        kind=AppealCase.Kind.LITIGATION_AFTER,
        filed_year=2025,
        filed_date=date(2025, 5, 1),
        result=AppealCase.Result.CORRECTED,
        decided_date=date(2025, 9, 1),
    )
    report = services.report_open(agency=agency, year=2025, by=h, now=at(2026, 1, 5))
    services.report_update(
        report=report,
        by=h,
        now=at(2026, 1, 5),
        licensing_count=321,
        coercion_count=4,
        fee_amount=Decimal("0.0125"),
    )
    publish(report, admin=h, approver=approver_user, now=at(2026, 1, 9))
    return AnnualReport.objects.get(pk=report.pk)


def _page_numbers(html: str, table_id: str) -> list[str]:
    start = html.index(f'id="{table_id}"')
    table = html[start : html.index("</table>", start)]
    return re.findall(
        r'<td role="cell" headers="[^"]+" data-label="[^"]+"(?: colspan="\d")? class="num">([^<]*)</td>',
        table,
    )


def _json_numbers(data: dict) -> tuple[list, list, list]:
    t2 = [data["table2"][row][column] for row, column in layout.TABLE2_CELLS]
    t3 = [
        row["values"][c]
        for row in data["table3"]["rows"]
        for c in data["table3"]["columns"]
    ]
    t4 = [
        data["table4"][g][c]
        for g in layout.TABLE4_GROUPS
        for c in layout.TABLE4_COLUMNS
    ]
    return t2, t3, t4


def test_json_download_matches_the_page(client, busy_report):
    html = client.get(
        reverse("disclosure:report_detail", args=[busy_report.pk])
    ).content.decode()
    data = json.loads(
        client.get(
            reverse("disclosure:report_download", args=[busy_report.pk, "json"])
        ).content
    )
    t2, t3, t4 = _json_numbers(data)
    assert [str(v) for v in t2] == _page_numbers(html, "table2")
    assert [str(v) for v in t3] == _page_numbers(html, "table3")
    assert [str(v) for v in t4] == _page_numbers(html, "table4")
    assert data["table2"]["行政许可"]["本年处理决定数量"] == 321
    assert data["table2"]["行政事业性收费"]["本年收费金额（单位：万元）"] == 0.0125
    assert data["table3"]["rows"][0]["values"]["总计"] == 5
    assert data["table4"]["复议后起诉"] == {
        "结果维持": 0,
        "结果纠正": 1,
        "其他结果": 0,
        "尚未审结": 0,
        "总计": 1,
    }


def _sheet_table3(ws) -> dict[str, list]:
    rows = {}
    for values in ws.iter_rows(min_row=1, values_only=True):
        labels = [v for v in values[:3] if isinstance(v, str)]
        if labels and labels[-1] in layout.TABLE3_DATA_ROWS:
            rows[labels[-1]] = list(values[3:10])
    return rows


def test_xlsx_has_one_sheet_per_table_with_the_pages_numbers_and_merges(
    client, busy_report
):
    response = client.get(
        reverse("disclosure:report_download", args=[busy_report.pk, "xlsx"])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["表二 主动公开", "表三 依申请公开", "表四 复议诉讼"]
    data = json.loads(
        client.get(
            reverse("disclosure:report_download", args=[busy_report.pk, "json"])
        ).content
    )
    t3 = _sheet_table3(wb["表三 依申请公开"])
    assert list(t3) == layout.TABLE3_DATA_ROWS
    for row in data["table3"]["rows"]:
        assert t3[row["label"]] == [row["values"][c] for c in data["table3"]["columns"]]
    ws3 = wb["表三 依申请公开"]
    merged = {str(r) for r in ws3.merged_cells.ranges}
    assert {"A3:C5", "D3:J3", "E4:I4", "D4:D5", "J4:J5", "A8:A29"} <= merged
    assert ws3["A3"].value == layout.TABLE3_CORNER_NOTE
    assert ws3["D3"].value == "申请人情况"
    ws4 = wb["表四 复议诉讼"]
    assert [c.value for c in ws4[6]] == [
        data["table4"][g][c]
        for g in layout.TABLE4_GROUPS
        for c in layout.TABLE4_COLUMNS
    ]
    assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5"} <= {
        str(r) for r in ws4.merged_cells.ranges
    }
    ws2 = wb["表二 主动公开"]
    cells = {}
    for values in ws2.iter_rows(values_only=True):
        if values[0] in ("行政许可", "行政事业性收费"):
            cells[values[0]] = values[1]
    assert cells == {"行政许可": 321, "行政事业性收费": 0.0125}


def _command(*args) -> str:
    out = io.StringIO()
    call_command("annual_report", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_issue_json_shape(busy_report, agency):
    data = json.loads(
        _command("--agency", agency.name, "--year", "2025", "--format", "json")
    )
    assert list(data) == [
        "agency",
        "year",
        "version",
        "status",
        "table2",
        "table3",
        "table4",
        "checks",
    ]
    assert (data["agency"], data["year"]) == ("天元区教育局", 2025)
    assert data["table3"]["columns"] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert [r["label"] for r in data["table3"]["rows"]] == layout.TABLE3_DATA_ROWS
    assert all(set(r) == {"label", "values"} for r in data["table3"]["rows"])
    assert list(data["table4"]) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert all(set(c) == {"rule", "ok", "detail"} for c in data["checks"])
    assert {c["rule"] for c in data["checks"]} == {
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "R6",
        "R7",
    }
    published = json.loads(
        _command("--agency", "区教育局", "--year", "2025", "--published")
    )
    assert (published["version"], published["status"]) == (1, "已发布")
    assert published["table3"] == data["table3"]  # nothing changed since publication


def test_command_published_ignores_later_data(busy_report, agency, staff_user):
    w.apply(agency, ApplicantKind.OTHER, date(2025, 11, 3), staff_user)
    live = json.loads(_command("--agency", agency.name, "--year", "2025"))
    frozen = json.loads(
        _command("--agency", agency.name, "--year", "2025", "--published")
    )
    assert live["table3"]["rows"][0]["values"]["其他"] == 1
    assert frozen["table3"]["rows"][0]["values"]["其他"] == 0


def test_command_writes_xlsx(busy_report, agency, tmp_path):
    target = tmp_path / "2025.xlsx"
    assert "已写入" in _command(
        "--agency",
        agency.name,
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--published",
        "--output",
        str(target),
    )
    wb = load_workbook(target)
    assert _sheet_table3(wb["表三 依申请公开"])["（七）总计"][-1] == 4


def test_command_errors_are_clear(agency):
    with pytest.raises(CommandError, match="没有名为“不存在局”的机关"):
        _command("--agency", "不存在局", "--year", "2025")
    with pytest.raises(CommandError, match="尚未发布"):
        _command("--agency", agency.name, "--year", "2025", "--published")
    with pytest.raises(CommandError, match="--output"):
        _command("--agency", agency.name, "--year", "2025", "--format", "xlsx")
    # a year without a report is computed as a fresh draft, not saved
    data = json.loads(_command("--agency", agency.name, "--year", "2024"))
    assert data["status"] == "草稿"
    assert not AnnualReport.objects.exists()
