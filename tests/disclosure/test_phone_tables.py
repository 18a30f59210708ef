"""The statutory tables on a phone (issue 12 §3): every data cell carries its column
in words (data-label) for the card layout of report.css; the table keeps its real
semantics; the card rules are for screens only."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from disclosure import layout
from disclosure.render import grids
from tests.disclosure.helpers import consistent_figures


def rendered() -> str:
    return "".join(
        render_to_string("disclosure/_grid.html", {"grid": grid})
        for grid in grids(consistent_figures())
    )


def test_every_data_cell_has_a_label_naming_its_column():
    html = rendered()
    cells = re.findall(r"<td role=\"cell\" headers=\"[^\"]+\"([^>]*)>", html)
    assert len(cells) == 10 + 25 * 7 + 15  # tables 二, 三, 四
    labels = [re.search(r'data-label="([^"]*)"', attrs).group(1) for attrs in cells]
    assert all(labels), "a data cell without data-label"
    # table 三: 申请人情况 (shared by every cell) is left out, the group is kept
    assert labels[10] == layout.NATURAL_PERSON
    assert labels[11] == f"{layout.ORGANISATIONS} · 商业企业"
    assert labels[10 + 6] == layout.TOTAL
    assert "申请人情况" not in " ".join(labels)
    # table 四 keeps 行政复议 / 行政诉讼 and the 诉讼 kind
    assert labels[-15] == f"{layout.RECONSIDERATION} · 结果维持"
    assert labels[-1] == "行政诉讼 · 复议后起诉 · 总计"
    # table 二 names its block and column
    assert labels[0] == "第二十条第（一）项 · 本年制发件数"


def test_real_table_semantics_stay():
    html = rendered()
    assert html.count("<table ") == 3
    assert html.count('role="table"') == 3
    # row labels are row headers; the caption names the table
    for th in re.findall(r"<th [^>]*scope=\"row\"[^>]*>", html):
        assert 'role="rowheader"' in th
    assert "<caption" in html


def test_the_card_layout_is_for_small_screens_only():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "report.css").read_text()
    block = css[css.index("@media screen and (max-width: 600px)") :]
    assert "attr(data-label)" in block
    # the column headers stay readable by screen readers: hidden visually, not removed
    assert "display: none" not in block
    print_css = (
        Path(settings.BASE_DIR) / "static" / "css" / "report-print.css"
    ).read_text()
    assert "data-label" not in print_css
