"""Consistency rules R1–R7 of the annual report (domain.md §5.6). Pure: no ORM.

Every failure names the cell it is about. ``error`` results block publication;
``warning`` results (R5 without a comparable last-year report, R7 blank manual cells)
are shown but do not block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from disclosure import layout
from disclosure.figures import Figures

RULE_TITLES = {
    "R1": "表三各列：一 + 二 = 三（七）总计 + 四",
    "R2": "表三各列：（七）总计 = 各办理结果之和",
    "R3": "表三各行：总计 = 六类申请人之和",
    "R4": "表四各组：总计 = 维持 + 纠正 + 其他 + 尚未审结",
    "R5": "表三“二、上年结转”= 上年年报“四、结转下年度继续办理”",
    "R6": "每件申请只计入一个办理结果",
    "R7": "各项数据为非负整数（仅收费金额可为小数，最多 4 位）",
}
OK, WARNING, ERROR = "ok", "warning", "error"
MAX_FEE_DECIMALS = 4


@dataclass(frozen=True)
class CheckResult:
    rule: str
    level: str
    detail: str
    # (table, row, column) cells the result is about, for highlighting
    cells: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.level != ERROR

    @property
    def is_warning(self) -> bool:
        return self.level == WARNING

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        level = data.get("level") or (OK if data.get("ok") else ERROR)
        return cls(rule=data["rule"], level=level, detail=data.get("detail", ""))


@dataclass(frozen=True)
class PreviousYear:
    """What R5 compares with: last year's published carry-out, or why there is none."""

    carried_out: dict[str, int] | None
    reason: str = ""  # shown when carried_out is None


@dataclass(frozen=True)
class RequestCount:
    """For R6: distinct requests closed in the year, and those without a valid outcome."""

    closed: int
    without_outcome: int


def _t3(row: str) -> str:
    return "表三“" + row + "”"


def check_r1(f: Figures) -> list[CheckResult]:
    out = []
    t = f.table3
    for c in layout.TABLE3_COLUMNS:
        left = t[layout.ROW_NEW][c] + t[layout.ROW_CARRIED_IN][c]
        right = t[layout.ROW_CLOSED_TOTAL][c] + t[layout.ROW_CARRIED_OUT][c]
        if left != right:
            out.append(
                CheckResult(
                    "R1",
                    ERROR,
                    (
                        f"表三“{c}”列：一（{t[layout.ROW_NEW][c]}）+ 二（{t[layout.ROW_CARRIED_IN][c]}）= {left}，"
                        f"不等于 三（七）总计（{t[layout.ROW_CLOSED_TOTAL][c]}）+ 四（{t[layout.ROW_CARRIED_OUT][c]}）= {right}"
                    ),
                    (
                        ("表三", layout.ROW_CLOSED_TOTAL, c),
                        ("表三", layout.ROW_CARRIED_OUT, c),
                    ),
                )
            )
    return out or [CheckResult("R1", OK, "表三 7 列均满足 一 + 二 = 三（七）总计 + 四")]


def check_r2(f: Figures) -> list[CheckResult]:
    out = []
    for c in layout.TABLE3_COLUMNS:
        total = f.table3[layout.ROW_CLOSED_TOTAL][c]
        parts = sum(f.table3[row][c] for row in layout.OUTCOME_ROWS)
        if total != parts:
            out.append(
                CheckResult(
                    "R2",
                    ERROR,
                    (f"表三“（七）总计”行“{c}”列为 {total}，各办理结果之和为 {parts}"),
                    (("表三", layout.ROW_CLOSED_TOTAL, c),),
                )
            )
    return out or [CheckResult("R2", OK, "表三 7 列的（七）总计均等于各办理结果之和")]


def check_r3(f: Figures) -> list[CheckResult]:
    out = []
    for row in layout.TABLE3_DATA_ROWS:
        total = f.table3[row][layout.TOTAL]
        parts = sum(f.table3[row][c] for c in layout.KIND_COLUMNS)
        if total != parts:
            out.append(
                CheckResult(
                    "R3",
                    ERROR,
                    (f"{_t3(row)}行“总计”列为 {total}，六类申请人之和为 {parts}"),
                    (("表三", row, layout.TOTAL),),
                )
            )
    return out or [CheckResult("R3", OK, "表三 25 行的总计均等于六类申请人之和")]


def check_r4(f: Figures) -> list[CheckResult]:
    out = []
    for group in layout.TABLE4_GROUPS:
        cells = f.table4[group]
        parts = sum(cells[c] for c in layout.TABLE4_COLUMNS[:-1])
        if cells[layout.TOTAL] != parts:
            out.append(
                CheckResult(
                    "R4",
                    ERROR,
                    (
                        f"表四“{group}”组“总计”为 {cells[layout.TOTAL]}，维持、纠正、其他、尚未审结之和为 {parts}"
                    ),
                    (("表四", group, layout.TOTAL),),
                )
            )
    return out or [CheckResult("R4", OK, "表四 3 组的总计均等于各结果之和")]


def check_r5(f: Figures, previous: PreviousYear | None) -> list[CheckResult]:
    if previous is None or previous.carried_out is None:
        reason = previous.reason if previous else "上年年报不在本平台"
        return [
            CheckResult(
                "R5",
                WARNING,
                f"提示：{reason}，无法核对“二、上年结转政府信息公开申请数量”",
            )
        ]
    out = []
    for c in layout.TABLE3_COLUMNS:
        now, before = f.table3[layout.ROW_CARRIED_IN][c], previous.carried_out.get(c, 0)
        if now != before:
            out.append(
                CheckResult(
                    "R5",
                    ERROR,
                    (
                        f"表三“二、上年结转政府信息公开申请数量”行“{c}”列为 {now}，"
                        f"上年年报“四、结转下年度继续办理”为 {before}"
                    ),
                    (("表三", layout.ROW_CARRIED_IN, c),),
                )
            )
    return out or [
        CheckResult(
            "R5", OK, "本年“二、上年结转”与上年已发布年报的“四、结转下年度继续办理”一致"
        )
    ]


def check_r6(f: Figures, count: RequestCount | None) -> list[CheckResult]:
    if count is None:
        return [CheckResult("R6", OK, "已发布的数据，按发布时的核对结果")]
    counted = f.table3[layout.ROW_CLOSED_TOTAL][layout.TOTAL]
    out = []
    if count.without_outcome:
        out.append(
            CheckResult(
                "R6",
                ERROR,
                (
                    f"本年办结的申请中有 {count.without_outcome} 件没有有效的办理结果，未计入表三“三、本年度办理结果”"
                ),
                (("表三", layout.ROW_CLOSED_TOTAL, layout.TOTAL),),
            )
        )
    if count.closed != counted:
        out.append(
            CheckResult(
                "R6",
                ERROR,
                (
                    f"本年办结申请 {count.closed} 件，表三“（七）总计”行“总计”列为 {counted}：每件申请应只计入一个办理结果"
                ),
                (("表三", layout.ROW_CLOSED_TOTAL, layout.TOTAL),),
            )
        )
    return out or [
        CheckResult("R6", OK, f"本年办结申请 {count.closed} 件，每件只计入一个办理结果")
    ]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_r7(f: Figures) -> list[CheckResult]:
    out = []
    manual = set(layout.TABLE2_MANUAL_CELLS)
    for row, column in layout.TABLE2_CELLS:
        value = f.table2.get(row, {}).get(column)
        cell = (("表二", row, column),)
        if value is None:
            if (row, column) in manual:
                out.append(
                    CheckResult(
                        "R7",
                        WARNING,
                        f"提示：表二“{row}”“{column}”未填写，按 0 计",
                        cell,
                    )
                )
            continue
        if (row, column) == (layout.FEES, layout.FEE_COLUMN):
            ok = (
                isinstance(value, (int, Decimal))
                and not isinstance(value, bool)
                and value >= 0
            )
            if ok and isinstance(value, Decimal):
                exponent = value.as_tuple().exponent
                ok = (
                    value.is_finite()
                    and isinstance(exponent, int)
                    and -exponent <= MAX_FEE_DECIMALS
                )
            if not ok:
                out.append(
                    CheckResult(
                        "R7",
                        ERROR,
                        (
                            f"表二“{row}”“{column}”为 {value}：应为不小于 0 的数，最多 {MAX_FEE_DECIMALS} 位小数"
                        ),
                        cell,
                    )
                )
        elif not _is_count(value):
            out.append(
                CheckResult(
                    "R7", ERROR, f"表二“{row}”“{column}”为 {value}：应为非负整数", cell
                )
            )
    for row in layout.TABLE3_DATA_ROWS:
        for c in layout.TABLE3_COLUMNS:
            if not _is_count(f.table3[row][c]):
                out.append(
                    CheckResult(
                        "R7",
                        ERROR,
                        f"{_t3(row)}行“{c}”列为 {f.table3[row][c]}：应为非负整数",
                        (("表三", row, c),),
                    )
                )
    for group in layout.TABLE4_GROUPS:
        for c in layout.TABLE4_COLUMNS:
            if not _is_count(f.table4[group][c]):
                out.append(
                    CheckResult(
                        "R7",
                        ERROR,
                        f"表四“{group}”“{c}”为 {f.table4[group][c]}：应为非负整数",
                        (("表四", group, c),),
                    )
                )
    if not any(r.level == ERROR for r in out):
        out.insert(
            0, CheckResult("R7", OK, "各项数据均为非负整数，收费金额不超过 4 位小数")
        )
    return out


def run_checks(
    figures: Figures,
    *,
    previous: PreviousYear | None,
    request_count: RequestCount | None,
) -> list[CheckResult]:
    """All rules in order R1…R7. R7 first guards the arithmetic of the others."""
    r7 = check_r7(figures)
    if any(r.level == ERROR for r in r7):
        # the sums below would compare non-numbers; report only what R7 found
        return r7
    return [
        *check_r1(figures),
        *check_r2(figures),
        *check_r3(figures),
        *check_r4(figures),
        *check_r5(figures, previous),
        *check_r6(figures, request_count),
        *r7,
    ]


def blocking(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.level == ERROR]
