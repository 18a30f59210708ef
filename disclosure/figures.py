"""The numbers of one report (tables 二, 三, 四) as a plain value, with its JSON form.

Pure: no ORM. ``stats.py`` fills a ``Figures`` from the database; a published version
stores ``Figures.to_json()`` in its snapshot and reads it back with ``from_json``.
A blank manual cell is ``None`` here (not yet entered) and counts as 0 everywhere it is
shown or exported (domain.md §5.6, "blank means 0").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from disclosure import layout

Number = int | Decimal


@dataclass
class Figures:
    # row → column → value; None marks a manual cell left blank
    table2: dict[str, dict[str, Number | None]] = field(default_factory=dict)
    table3: dict[str, dict[str, int]] = field(default_factory=dict)
    table4: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Figures:
        table2: dict[str, dict[str, Number | None]] = {}
        for block in layout.TABLE2_BLOCKS:
            for row in block.rows:
                table2[row] = dict.fromkeys(block.columns, 0)
        table3 = {
            row: dict.fromkeys(layout.TABLE3_COLUMNS, 0)
            for row in layout.TABLE3_DATA_ROWS
        }
        table4 = {
            group: dict.fromkeys(layout.TABLE4_COLUMNS, 0)
            for group in layout.TABLE4_GROUPS
        }
        return cls(table2=table2, table3=table3, table4=table4)

    def cell2(self, row: str, column: str) -> Number:
        value = self.table2.get(row, {}).get(column)
        return 0 if value is None else value

    def fee(self) -> Decimal:
        value = self.table2.get(layout.FEES, {}).get(layout.FEE_COLUMN)
        return Decimal(0) if value is None else Decimal(value)

    # --- JSON ------------------------------------------------------------------------
    def table2_json(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for block in layout.TABLE2_BLOCKS:
            for row in block.rows:
                out[row] = {}
                for column in block.columns:
                    value = self.cell2(row, column)
                    out[row][column] = _json_number(value)
        return out

    def table3_json(self) -> dict[str, Any]:
        return {
            "columns": list(layout.TABLE3_COLUMNS),
            "rows": [
                {
                    "label": row,
                    "values": {
                        c: int(self.table3[row][c]) for c in layout.TABLE3_COLUMNS
                    },
                }
                for row in layout.TABLE3_DATA_ROWS
            ],
        }

    def table4_json(self) -> dict[str, dict[str, int]]:
        return {
            g: {c: int(self.table4[g][c]) for c in layout.TABLE4_COLUMNS}
            for g in layout.TABLE4_GROUPS
        }

    def to_json(self) -> dict[str, Any]:
        """Snapshot form: manual blanks stay ``None``, the fee keeps its exact digits."""
        table2: dict[str, dict[str, Any]] = {}
        for row, cells in self.table2.items():
            table2[row] = {
                c: (str(v) if isinstance(v, Decimal) else v) for c, v in cells.items()
            }
        return {
            "table2": table2,
            "table3": self.table3_json(),
            "table4": self.table4_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        figures = cls.empty()
        for row, cells in (data.get("table2") or {}).items():
            for column, value in cells.items():
                if row not in figures.table2 or column not in figures.table2[row]:
                    continue
                figures.table2[row][column] = _parse_number(
                    value, decimal=(row, column) == (layout.FEES, layout.FEE_COLUMN)
                )
        t3 = data.get("table3") or {}
        for item in t3.get("rows", []):
            if item.get("label") in figures.table3:
                for column, value in item.get("values", {}).items():
                    if column in figures.table3[item["label"]]:
                        figures.table3[item["label"]][column] = value
        for group, cells in (data.get("table4") or {}).items():
            if group in figures.table4:
                for column, value in cells.items():
                    if column in figures.table4[group]:
                        figures.table4[group][column] = value
        return figures


def _json_number(value: Number) -> int | float:
    if isinstance(value, Decimal):
        # at most 4 decimals (R7): a float prints them back exactly
        return float(value)
    return int(value)


def _parse_number(value: Any, *, decimal: bool) -> Number | None:
    if value is None:
        return None
    if decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return value


def fee_text(value: Decimal | None) -> str:
    """万元 amount as shown: blank → 0, no trailing zeros beyond what was entered."""
    if value is None:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class CellChange:
    table: str
    row: str
    column: str
    old: Any
    new: Any


def diff_figures(old: Figures, new: Figures) -> list[CellChange]:
    """Cells whose value differs between two versions, in table order."""
    changes: list[CellChange] = []
    for row, column in layout.TABLE2_CELLS:
        a, b = old.cell2(row, column), new.cell2(row, column)
        if Decimal(a) != Decimal(b):
            changes.append(CellChange("表二", row, column, a, b))
    for row in layout.TABLE3_DATA_ROWS:
        for column in layout.TABLE3_COLUMNS:
            a3, b3 = old.table3[row][column], new.table3[row][column]
            if a3 != b3:
                changes.append(CellChange("表三", row, column, a3, b3))
    for group in layout.TABLE4_GROUPS:
        for column in layout.TABLE4_COLUMNS:
            a4, b4 = old.table4[group][column], new.table4[group][column]
            if a4 != b4:
                changes.append(CellChange("表四", group, column, a4, b4))
    return changes
