"""The grids behind the page and the XLSX: merges, scopes and headers/id links. Pure."""

from __future__ import annotations

from decimal import Decimal

from disclosure import charts, layout
from disclosure.figures import Figures, diff_figures, fee_text
from disclosure.render import table2_grid, table3_grid, table4_grid
from tests.disclosure.helpers import consistent_figures


def _ids(grid):
    return {cell.id for _, _, cell in grid.positions() if cell.id}


def test_table3_header_has_corner_note_and_merged_applicant_headers():
    grid = table3_grid(Figures.empty())
    corner, applicant = grid.head[0]
    assert (corner.text, corner.colspan, corner.rowspan, corner.header) == (
        layout.TABLE3_CORNER_NOTE,
        3,
        3,
        False,
    )
    assert (applicant.text, applicant.colspan, applicant.scope) == (
        "申请人情况",
        7,
        "colgroup",
    )
    natural, org, total = grid.head[1]
    assert (natural.text, natural.rowspan) == ("自然人", 2)
    assert (org.text, org.colspan, org.scope) == ("法人或其他组织", 5, "colgroup")
    assert (total.text, total.rowspan) == ("总计", 2)
    assert [c.text for c in grid.head[2]] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]


def test_table3_body_has_25_rows_of_10_columns_with_merged_row_labels():
    grid = table3_grid(Figures.empty())
    assert len(grid.body) == 25
    positions = grid.positions()
    # every body row ends with 7 numbers in columns 3..9
    numbers = [(r, c) for r, c, cell in positions if cell.numeric]
    assert len(numbers) == 175
    assert {c for _, c in numbers} == set(range(3, 10))
    results = next(
        cell for _, _, cell in positions if cell.text == "三、本年度办理结果"
    )
    assert (results.rowspan, results.scope) == (22, "rowgroup")
    spans = {
        cell.text: cell.rowspan for _, _, cell in positions if cell.scope == "rowgroup"
    }
    assert spans == {
        "三、本年度办理结果": 22,
        "（三）不予公开": 8,
        "（四）无法提供": 3,
        "（五）不予处理": 5,
        "（六）其他处理": 3,
    }
    first = grid.body[0][0]
    assert (first.text, first.colspan, first.scope) == (
        "一、本年新收政府信息公开申请数量",
        3,
        "row",
    )


def test_every_headers_reference_points_to_an_existing_header_cell():
    f = consistent_figures()
    for grid in (table2_grid(f), table3_grid(f), table4_grid(f)):
        ids = _ids(grid)
        for _, _, cell in grid.positions():
            for ref in cell.headers.split():
                assert ref in ids, (grid.key, cell.text, ref)


def test_data_cell_headers_name_row_and_column():
    grid = table3_grid(consistent_figures())
    cells = {cell.text: cell for _, _, cell in grid.positions() if cell.header}
    row = next(r for r in grid.body if any(c.text == "1.属于国家秘密" for c in r))
    research = row[-5]  # 科研机构
    refs = research.headers.split()
    assert cells["科研机构"].id in refs
    assert cells["法人或其他组织"].id in refs
    assert cells["1.属于国家秘密"].id in refs
    assert cells["（三）不予公开"].id in refs


def test_table4_has_three_header_levels_and_15_numbers():
    grid = table4_grid(consistent_figures())
    assert [(c.text, c.colspan) for c in grid.head[0]] == [
        ("行政复议", 5),
        ("行政诉讼", 10),
    ]
    assert [c.text for c in grid.head[1]] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
    ]
    assert all(c.rowspan == 2 for c in grid.head[1][:5])
    assert [c.text for c in grid.head[2]] == list(layout.TABLE4_COLUMNS) * 2
    assert [c.text for c in grid.body[0]] == [
        "1",
        "1",
        "0",
        "0",
        "2",
        "0",
        "0",
        "0",
        "1",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]


def test_table2_blank_cells_render_as_zero_and_fee_keeps_decimals():
    f = consistent_figures()
    f.table2[layout.PENALTY][layout.DECISIONS] = None
    grid = table2_grid(f)
    texts = [cell.text for _, _, cell in grid.positions() if cell.numeric]
    assert texts == ["1", "0", "3", "0", "0", "0", "120", "0", "2", "12.3456"]
    captions = [
        cell.text for _, _, cell in grid.positions() if cell.scope == "colgroup"
    ]
    assert captions == [b.caption for b in layout.TABLE2_BLOCKS]


def test_fee_text():
    assert fee_text(Decimal("12.3400")) == "12.34"
    assert fee_text(Decimal("0.0000")) == "0"
    assert fee_text(None) == "0"
    assert fee_text(Decimal("5")) == "5"


def test_figures_json_round_trip_and_diff():
    f = consistent_figures()
    back = Figures.from_json(f.to_json())
    assert back == f
    back.table3["（一）予以公开"]["自然人"] = 4
    back.table2[layout.FEES][layout.FEE_COLUMN] = Decimal("12.3")
    changes = diff_figures(f, back)
    assert [(c.table, c.row, c.column, c.old, c.new) for c in changes] == [
        (
            "表二",
            "行政事业性收费",
            "本年收费金额（单位：万元）",
            Decimal("12.3456"),
            Decimal("12.3"),
        ),
        ("表三", "（一）予以公开", "自然人", 3, 4),
    ]


def test_issue_json_shape_of_tables():
    f = consistent_figures()
    t3 = f.table3_json()
    assert t3["columns"] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert [r["label"] for r in t3["rows"]] == layout.TABLE3_DATA_ROWS
    assert t3["rows"][0] == {
        "label": "一、本年新收政府信息公开申请数量",
        "values": {
            "自然人": 5,
            "商业企业": 2,
            "科研机构": 0,
            "社会公益组织": 0,
            "法律服务机构": 0,
            "其他": 0,
            "总计": 7,
        },
    }
    assert f.table4_json()["行政复议"] == {
        "结果维持": 1,
        "结果纠正": 1,
        "其他结果": 0,
        "尚未审结": 0,
        "总计": 2,
    }
    assert f.table2_json()["行政事业性收费"] == {"本年收费金额（单位：万元）": 12.3456}


def test_chart_groups_cover_every_outcome_row_once():
    rows = [row for _, group in charts.BAR_GROUPS for row in group]
    assert sorted(rows) == sorted(layout.OUTCOME_ROWS)


def test_charts_are_svg_with_title_and_escaped_labels():
    chart = charts.horizontal_bars("c1", "标题<x>", ["a&b", "c"], [3, 0])
    assert chart.svg.startswith("<svg")
    assert 'role="img"' in chart.svg
    assert "标题&lt;x&gt;" in chart.svg
    assert "a&amp;b" in chart.svg
    assert "style=" not in chart.svg  # the CSP forbids inline styles
    assert chart.rows == [("a&b", 3), ("c", 0)]
    assert chart.total == 3
    f = consistent_figures()
    applicants, outcomes = charts.report_charts(f)
    assert applicants.values == [5, 2, 0, 0, 0, 0]
    assert outcomes.values == [3, 1, 0, 1, 0, 1]
