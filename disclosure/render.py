"""Tables 二, 三 and 四 as grids of cells with their merges, header scopes and
``headers``/``id`` links. The HTML template and the XLSX writer both walk these grids,
so the page and the spreadsheet share one layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from disclosure import layout
from disclosure.figures import Figures, fee_text


@dataclass
class Cell:
    text: str
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    id: str = ""
    headers: str = ""  # space-separated ids of the header cells that describe it
    scope: str = ""  # col, colgroup, row, rowgroup ("" for data and the corner note)
    numeric: bool = False
    value: int | Decimal | None = None
    failing: bool = False
    css: str = ""
    # a data cell's column in words (its column headers, less those every data cell
    # shares), for the phone layout's "列名：值" lines (``data-label``)
    label: str = ""


@dataclass
class Grid:
    key: str  # "table2" | "table3" | "table4"
    caption: str
    sheet: str  # XLSX sheet name
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    columns: int = 0

    def positions(self) -> list[tuple[int, int, Cell]]:
        """(row, column) of every cell, 0-based, resolving row and column spans."""
        taken: set[tuple[int, int]] = set()
        out: list[tuple[int, int, Cell]] = []
        for r, row in enumerate(self.head + self.body):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out


def _num(
    value: int | Decimal | None,
    *,
    id_headers: str,
    failing: bool = False,
    colspan: int = 1,
) -> Cell:
    # blank means 0, always written out
    text = fee_text(value) if isinstance(value, Decimal) else str(value or 0)
    return Cell(
        text,
        numeric=True,
        value=value if value is not None else 0,
        headers=id_headers,
        failing=failing,
        colspan=colspan,
    )


def table2_grid(
    f: Figures, failing: set[tuple[str, str, str]] | None = None, prefix: str = "t2"
) -> Grid:
    failing = failing or set()
    grid = Grid("table2", "二、主动公开政府信息情况", "表二 主动公开", columns=4)
    for b, block in enumerate(layout.TABLE2_BLOCKS, start=1):
        block_id = f"{prefix}-b{b}"
        grid.body.append(
            [
                Cell(
                    block.caption,
                    header=True,
                    colspan=4,
                    id=block_id,
                    scope="colgroup",
                    css="block-caption",
                )
            ]
        )
        head = [
            Cell(
                layout.CONTENT_HEADER,
                header=True,
                id=f"{block_id}-content",
                headers=block_id,
                scope="col",
            )
        ]
        col_ids = []
        span = 3 // len(block.columns)
        for i, column in enumerate(block.columns, start=1):
            col_id = f"{block_id}-c{i}"
            col_ids.append(col_id)
            head.append(
                Cell(
                    column,
                    header=True,
                    colspan=span,
                    id=col_id,
                    headers=block_id,
                    scope="col",
                )
            )
        grid.body.append(head)
        for r, row in enumerate(block.rows, start=1):
            row_id = f"{block_id}-r{r}"
            cells = [
                Cell(
                    row,
                    header=True,
                    id=row_id,
                    headers=f"{block_id}-content",
                    scope="row",
                )
            ]
            for column, col_id in zip(block.columns, col_ids, strict=True):
                value = f.table2.get(row, {}).get(column)
                cells.append(
                    _num(
                        value,
                        id_headers=f"{block_id} {col_id} {row_id}",
                        failing=("表二", row, column) in failing,
                        colspan=span,
                    )
                )
            grid.body.append(cells)
    return grid


def table3_grid(
    f: Figures, failing: set[tuple[str, str, str]] | None = None, prefix: str = "t3"
) -> Grid:
    failing = failing or set()
    grid = Grid(
        "table3", "三、收到和处理政府信息公开申请情况", "表三 依申请公开", columns=10
    )
    p = prefix
    col_ids = {layout.NATURAL_PERSON: f"{p}-natural", layout.TOTAL: f"{p}-total"}
    for i, column in enumerate(layout.ORGANISATION_COLUMNS, start=1):
        col_ids[column] = f"{p}-org{i}"
    grid.head = [
        [
            Cell(
                layout.TABLE3_CORNER_NOTE,
                header=False,
                colspan=3,
                rowspan=3,
                css="corner",
            ),
            Cell(
                layout.APPLICANT_HEADER,
                header=True,
                colspan=7,
                id=f"{p}-applicant",
                scope="colgroup",
            ),
        ],
        [
            Cell(
                layout.NATURAL_PERSON,
                header=True,
                rowspan=2,
                id=col_ids[layout.NATURAL_PERSON],
                headers=f"{p}-applicant",
                scope="col",
            ),
            Cell(
                layout.ORGANISATIONS,
                header=True,
                colspan=5,
                id=f"{p}-org",
                headers=f"{p}-applicant",
                scope="colgroup",
            ),
            Cell(
                layout.TOTAL,
                header=True,
                rowspan=2,
                id=col_ids[layout.TOTAL],
                headers=f"{p}-applicant",
                scope="col",
            ),
        ],
        [
            Cell(
                column,
                header=True,
                id=col_ids[column],
                headers=f"{p}-applicant {p}-org",
                scope="col",
            )
            for column in layout.ORGANISATION_COLUMNS
        ],
    ]

    def col_headers(column: str) -> str:
        if column in layout.ORGANISATION_COLUMNS:
            return f"{p}-applicant {p}-org {col_ids[column]}"
        return f"{p}-applicant {col_ids[column]}"

    # the group each numbered sub-row belongs to, and how many sub-rows each group has
    rows = layout.TABLE3_ROWS
    group_sizes: dict[int, int] = {}
    current_group: int | None = None
    for i, (label, outcome, level) in enumerate(rows):
        if level == 1 and outcome is None and not label.startswith("（七）"):
            current_group = i
            group_sizes[i] = 0
        elif level == 2 and current_group is not None:
            group_sizes[current_group] += 1
        elif level < 2:
            current_group = None
    results_id = f"{p}-r2"
    results_span = sum(
        1
        for label, outcome, level in rows
        if level >= 1
        and not (level == 1 and outcome is None and not label.startswith("（七）"))
    )
    pending: list[Cell] = []
    group_id = ""
    for i, (label, _outcome, level) in enumerate(rows):
        row_id = f"{p}-r{i}"
        if level == 0 and label == "三、本年度办理结果":
            pending = [
                Cell(
                    label,
                    header=True,
                    rowspan=results_span,
                    id=results_id,
                    scope="rowgroup",
                    css="level-0",
                )
            ]
            continue
        if level == 1 and i in group_sizes:
            group_id = row_id
            pending.append(
                Cell(
                    label,
                    header=True,
                    rowspan=group_sizes[i],
                    id=row_id,
                    headers=results_id,
                    scope="rowgroup",
                    css="level-1",
                )
            )
            continue
        if level == 0:
            cells = [
                Cell(
                    label, header=True, colspan=3, id=row_id, scope="row", css="level-0"
                )
            ]
            row_headers = row_id
        elif level == 1:
            cells = [
                *pending,
                Cell(
                    label,
                    header=True,
                    colspan=2,
                    id=row_id,
                    headers=results_id,
                    scope="row",
                    css="level-1",
                ),
            ]
            row_headers = f"{results_id} {row_id}"
            group_id = ""
        else:
            cells = [
                *pending,
                Cell(
                    label,
                    header=True,
                    id=row_id,
                    headers=f"{results_id} {group_id}",
                    scope="row",
                    css="level-2",
                ),
            ]
            row_headers = f"{results_id} {group_id} {row_id}"
        pending = []
        for column in layout.TABLE3_COLUMNS:
            cells.append(
                _num(
                    f.table3[label][column],
                    id_headers=f"{col_headers(column)} {row_headers}",
                    failing=("表三", label, column) in failing,
                )
            )
        grid.body.append(cells)
    return grid


def table4_grid(
    f: Figures, failing: set[tuple[str, str, str]] | None = None, prefix: str = "t4"
) -> Grid:
    failing = failing or set()
    p = prefix
    grid = Grid(
        "table4", "四、政府信息公开行政复议、行政诉讼情况", "表四 复议诉讼", columns=15
    )
    recon, lit = f"{p}-recon", f"{p}-lit"
    group_ids = {
        layout.RECONSIDERATION: recon,
        layout.LITIGATION_DIRECT: f"{p}-direct",
        layout.LITIGATION_AFTER: f"{p}-after",
    }
    grid.head = [
        [
            Cell(
                layout.RECONSIDERATION,
                header=True,
                colspan=5,
                id=recon,
                scope="colgroup",
            ),
            Cell(layout.LITIGATION, header=True, colspan=10, id=lit, scope="colgroup"),
        ],
        [
            *[
                Cell(
                    c,
                    header=True,
                    rowspan=2,
                    id=f"{recon}-{i}",
                    headers=recon,
                    scope="col",
                )
                for i, c in enumerate(layout.TABLE4_COLUMNS)
            ],
            Cell(
                layout.LITIGATION_DIRECT,
                header=True,
                colspan=5,
                id=group_ids[layout.LITIGATION_DIRECT],
                headers=lit,
                scope="colgroup",
            ),
            Cell(
                layout.LITIGATION_AFTER,
                header=True,
                colspan=5,
                id=group_ids[layout.LITIGATION_AFTER],
                headers=lit,
                scope="colgroup",
            ),
        ],
        [
            Cell(
                c,
                header=True,
                id=f"{group_ids[g]}-{i}",
                headers=f"{lit} {group_ids[g]}",
                scope="col",
            )
            for g in (layout.LITIGATION_DIRECT, layout.LITIGATION_AFTER)
            for i, c in enumerate(layout.TABLE4_COLUMNS)
        ],
    ]
    row = []
    for g in layout.TABLE4_GROUPS:
        for i, c in enumerate(layout.TABLE4_COLUMNS):
            if g == layout.RECONSIDERATION:
                hdr = f"{recon} {recon}-{i}"
            else:
                hdr = f"{lit} {group_ids[g]} {group_ids[g]}-{i}"
            row.append(
                _num(f.table4[g][c], id_headers=hdr, failing=("表四", g, c) in failing)
            )
    grid.body.append(row)
    return grid


def label_columns(grid: Grid) -> Grid:
    """Set each data cell's ``label`` from its column headers (``headers`` ids of
    ``col``/``colgroup`` cells), leaving out a header every data cell shares (table
    三's 申请人情况 says nothing about one cell)."""
    by_id = {
        cell.id: cell
        for row in grid.head + grid.body
        for cell in row
        if cell.header and cell.id and cell.scope in ("col", "colgroup")
    }
    data = [cell for row in grid.body for cell in row if not cell.header]
    columns = {
        id(cell): [i for i in cell.headers.split() if i in by_id] for cell in data
    }
    shared = (
        set.intersection(*(set(ids) for ids in columns.values())) if data else set()
    )
    for cell in data:
        cell.label = " · ".join(
            by_id[i].text for i in columns[id(cell)] if i not in shared
        )
    return grid


def grids(f: Figures, failing: set[tuple[str, str, str]] | None = None) -> list[Grid]:
    return [
        label_columns(grid)
        for grid in (
            table2_grid(f, failing),
            table3_grid(f, failing),
            table4_grid(f, failing),
        )
    ]
