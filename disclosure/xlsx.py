"""The report as an XLSX workbook: one sheet per table, laid out like the page (same
grids from ``disclosure.render``, same merged cells), numbers as numbers."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from disclosure.content import ReportContent
from disclosure.render import Grid, grids
from portal.exports import xlsx_text

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_ROWS = 2  # sheet title, then the 统计范围 line (or blank), then the table


def _write_grid(ws, grid: Grid, title: str, scope_line: str = "") -> None:
    heading = ws.cell(row=1, column=1)
    xlsx_text(heading, f"{title} · {grid.caption}")
    heading.font = Font(bold=True, size=12)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.columns)
    if scope_line:
        xlsx_text(ws.cell(row=2, column=1), scope_line)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=grid.columns)
    for r, c, cell in grid.positions():
        row, col = r + 1 + TITLE_ROWS, c + 1
        target = ws.cell(row=row, column=col)
        if cell.numeric:
            target.value = cell.value if cell.value is not None else 0
            if cell.text and "." in cell.text:
                target.number_format = "0.0###"
            target.alignment = Alignment(horizontal="right", vertical="center")
        else:
            xlsx_text(target, cell.text or "")
            target.alignment = Alignment(
                wrap_text=True,
                vertical="center",
                horizontal="center"
                if cell.header and cell.scope in ("col", "colgroup")
                else "left",
            )
            if cell.header:
                target.font = Font(bold=True)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + cell.rowspan - 1,
                end_column=col + cell.colspan - 1,
            )
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                ws.cell(row=row + dr, column=col + dc).border = BORDER
    for col in range(1, grid.columns + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    if grid.key == "table3":
        ws.column_dimensions["A"].width = 10
        ws.column_dimensions["B"].width = 12
        ws.column_dimensions["C"].width = 40
    if grid.key == "table2":
        ws.column_dimensions["A"].width = 20


def workbook_bytes(content: ReportContent) -> bytes:
    if content.figures is None:
        raise ValueError("历史年报没有统计表")
    wb = Workbook()
    wb.remove(wb.active)
    title = content.report.title
    for grid in grids(content.figures):
        ws = wb.create_sheet(grid.sheet)
        _write_grid(ws, grid, title, content.scope_line)
    wb.properties.title = title
    if content.scope_line:
        wb.properties.subject = content.scope_line
    wb.properties.creator = content.report.agency.name
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
