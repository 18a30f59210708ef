"""Rules R1–R7 (domain.md §5.6), each failing and passing, on hand-made figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure import layout
from disclosure.checks import (
    ERROR,
    OK,
    WARNING,
    PreviousYear,
    RequestCount,
    blocking,
    run_checks,
)
from tests.disclosure.helpers import consistent_figures

CARRIED_OUT_LAST_YEAR = {
    "自然人": 1,
    "商业企业": 0,
    "科研机构": 0,
    "社会公益组织": 0,
    "法律服务机构": 0,
    "其他": 0,
    "总计": 1,
}
COUNT = RequestCount(closed=6, without_outcome=0)


LAST_YEAR = PreviousYear(CARRIED_OUT_LAST_YEAR)


def _run(f, previous=LAST_YEAR, count=COUNT):
    return run_checks(f, previous=previous, request_count=count)


def _by_rule(results, rule):
    return [r for r in results if r.rule == rule]


def test_consistent_figures_pass_every_rule():
    results = _run(consistent_figures())
    assert blocking(results) == []
    assert {r.rule for r in results} == {"R1", "R2", "R3", "R4", "R5", "R6", "R7"}
    assert all(r.level == OK for r in results)


def test_r1_fails_naming_the_column():
    f = consistent_figures()
    f.table3[layout.ROW_NEW]["商业企业"] += 1
    f.table3[layout.ROW_NEW]["总计"] += 1
    fail, total = blocking(_by_rule(_run(f), "R1"))
    assert "表三“商业企业”列" in fail.detail
    assert "表三“总计”列" in total.detail
    assert "一（3）" in fail.detail
    assert ("表三", layout.ROW_CARRIED_OUT, "商业企业") in fail.cells


def test_r2_fails_when_total_row_differs_from_outcome_rows():
    f = consistent_figures()
    f.table3["（七）总计"]["自然人"] = 4
    fails = blocking(_by_rule(_run(f), "R2"))
    assert any(
        "“（七）总计”行“自然人”列为 4，各办理结果之和为 5" in r.detail for r in fails
    )


def test_r3_fails_naming_the_row():
    f = consistent_figures()
    f.table3["（一）予以公开"]["总计"] = 99
    fails = blocking(_by_rule(_run(f), "R3"))
    assert [r.detail for r in fails] == [
        "表三“（一）予以公开”行“总计”列为 99，六类申请人之和为 3"
    ]


def test_r4_fails_naming_the_group():
    f = consistent_figures()
    f.table4["复议后起诉"]["结果维持"] = 2
    [fail] = blocking(_by_rule(_run(f), "R4"))
    assert "表四“复议后起诉”组“总计”为 0" in fail.detail


def test_r5_compares_with_last_years_carry_out():
    f = consistent_figures()
    wrong = {**CARRIED_OUT_LAST_YEAR, "自然人": 2}
    [fail] = blocking(_by_rule(_run(f, previous=PreviousYear(wrong)), "R5"))
    assert "“二、上年结转政府信息公开申请数量”行“自然人”列为 1" in fail.detail
    assert "上年年报“四、结转下年度继续办理”为 2" in fail.detail


def test_r5_is_a_warning_when_last_year_is_missing():
    [r5] = _by_rule(
        _run(
            consistent_figures(),
            previous=PreviousYear(None, "2024年年报未在本平台发布"),
        ),
        "R5",
    )
    assert r5.level == WARNING
    assert r5.ok
    assert "2024年年报未在本平台发布" in r5.detail


def test_r6_fails_when_a_closed_request_has_no_outcome_row():
    results = _run(
        consistent_figures(), count=RequestCount(closed=7, without_outcome=1)
    )
    fails = blocking(_by_rule(results, "R6"))
    assert any("1 件没有有效的办理结果" in r.detail for r in fails)
    assert any("本年办结申请 7 件" in r.detail for r in fails)


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (layout.LICENSING, layout.DECISIONS, -1, "应为非负整数"),
        (layout.PENALTY, layout.DECISIONS, 1.5, "应为非负整数"),
        (layout.FEES, layout.FEE_COLUMN, Decimal("1.23456"), "最多 4 位小数"),
        (layout.FEES, layout.FEE_COLUMN, Decimal("-1"), "不小于 0"),
    ],
)
def test_r7_fails_for_negative_or_fractional_counts_and_long_fees(
    row, column, value, expected
):
    f = consistent_figures()
    f.table2[row][column] = value
    results = _run(f)
    fails = blocking(results)
    assert fails
    assert all(r.rule == "R7" for r in fails)
    assert expected in fails[0].detail
    assert f"表二“{row}”“{column}”" in fails[0].detail


def test_r7_fails_for_negative_table3_cell():
    f = consistent_figures()
    f.table3["（一）予以公开"]["科研机构"] = -1
    [fail] = blocking(_run(f))
    assert fail.rule == "R7"
    assert "“（一）予以公开”行“科研机构”列为 -1" in fail.detail


def test_r7_allows_a_decimal_fee_and_warns_on_blank_manual_cells():
    f = consistent_figures()
    f.table2[layout.FEES][layout.FEE_COLUMN] = Decimal("0.5")
    f.table2[layout.LICENSING][layout.DECISIONS] = None
    results = _run(f)
    assert blocking(results) == []
    warnings = [r for r in results if r.level == WARNING and r.rule == "R7"]
    assert [w.detail for w in warnings] == [
        "提示：表二“行政许可”“本年处理决定数量”未填写，按 0 计"
    ]


def test_check_json_has_rule_ok_detail():
    f = consistent_figures()
    f.table3["（一）予以公开"]["总计"] = 99
    items = [r.to_json() for r in _run(f)]
    assert all(set(i) == {"rule", "ok", "detail"} for i in items)
    assert {
        "rule": "R3",
        "ok": False,
        "detail": "表三“（一）予以公开”行“总计”列为 99，六类申请人之和为 3",
    } in items
    assert ERROR == "error"
