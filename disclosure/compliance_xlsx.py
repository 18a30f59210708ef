"""The monthly compliance workbook for the 政务公开办's report: 评分, 问题, 栏目.

Every text cell is written as a string (``data_type = "s"``), so a title or message
starting with ``=``, ``+``, ``-`` or ``@`` stays text in Excel/WPS (no formula
injection); numbers are numbers."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from disclosure.compliance import SiteReport

SEVERITY = {"veto": "单项否决", "error": "扣分", "warning": "提示"}
STATUS = {"ok": "正常", "stale": "未按时更新", "empty": "空白"}


def _row(ws, values) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula


def compliance_workbook(report: SiteReport, *, base: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "评分"
    _row(ws, [f"政务公开合规检查（截至 {report.as_of:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=12)
    _row(ws, ["机关", "得分", "结论", "问题数", "单项否决数"])
    for card in report.agencies:
        _row(ws, [card.agency, card.score, card.verdict, card.findings, card.vetoes])
    ws.column_dimensions["A"].width = 30

    ws = wb.create_sheet("问题")
    _row(ws, ["机关", "类别", "性质", "说明", "处理链接"])
    for f in report.findings:
        _row(ws, [f.agency, f.label, SEVERITY[f.severity], f.message, base + f.url])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["D"].width = 80

    ws = wb.create_sheet("栏目")
    _row(ws, ["栏目", "机关", "最近发布", "最长未更新天数", "状态"])
    for c in report.columns:
        _row(
            ws,
            [
                c.column,
                c.agency,
                c.last_published or "",
                c.max_days if c.max_days is not None else "",
                STATUS[c.status],
            ],
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
