"""Hand-made figures for the pure tests."""

from __future__ import annotations

from decimal import Decimal

from disclosure import layout
from disclosure.figures import Figures


def consistent_figures() -> Figures:
    """A small table 三 that satisfies R1–R3, table 四 satisfying R4, manual cells filled."""
    f = Figures.empty()
    t = f.table3
    # 自然人: 5 new + 1 carried in = 3 disclosed + 1 partial + 1 other + 1 carried out
    t[layout.ROW_NEW]["自然人"] = 5
    t[layout.ROW_CARRIED_IN]["自然人"] = 1
    t["（一）予以公开"]["自然人"] = 3
    t["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]["自然人"] = 1
    t["3.其他"]["自然人"] = 1
    t[layout.ROW_CARRIED_OUT]["自然人"] = 1
    # 商业企业: 2 new = 1 not held + 1 carried out
    t[layout.ROW_NEW]["商业企业"] = 2
    t["1.本机关不掌握相关政府信息"]["商业企业"] = 1
    t[layout.ROW_CARRIED_OUT]["商业企业"] = 1
    for column in layout.KIND_COLUMNS:
        t[layout.ROW_CLOSED_TOTAL][column] = sum(
            t[row][column] for row in layout.OUTCOME_ROWS
        )
    for row in layout.TABLE3_DATA_ROWS:
        t[row][layout.TOTAL] = sum(t[row][c] for c in layout.KIND_COLUMNS)
    f.table4[layout.RECONSIDERATION].update({"结果维持": 1, "结果纠正": 1, "总计": 2})
    f.table4[layout.LITIGATION_DIRECT].update({"尚未审结": 1, "总计": 1})
    f.table2[layout.RULES].update(
        {layout.ISSUED: 1, layout.REPEALED: 0, layout.IN_FORCE: 3}
    )
    f.table2[layout.LICENSING][layout.DECISIONS] = 120
    f.table2[layout.PENALTY][layout.DECISIONS] = 30
    f.table2[layout.COERCION][layout.DECISIONS] = 2
    f.table2[layout.FEES][layout.FEE_COLUMN] = Decimal("12.3456")
    return f


# finished narrative text: publication refuses empty sections (disclosure.readiness)
NARRATIVES = {
    "section_overview": "本年度依法推进政府信息公开工作。",
    "section_active": "主动公开情况见下表。",
    "section_requests": "依申请公开情况见下表。",
    "section_appeals": "本年度无行政复议、行政诉讼案件。",
    "section_problems": "信息更新不够及时，下一步加强栏目维护。",
    "section_other": "无其他需要报告的事项。",
}
