"""The national layout of the annual report (国办公开办函〔2021〕30号): every label of
tables 二, 三 and 四, verbatim. Pure data; HTML, XLSX and JSON are all built from here.

Table 三's rows and columns are the shared contract in ``requests_app.outcomes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from requests_app.outcomes import DATA_ROW_LABELS, REPORT_ROWS, TABLE3_COLUMNS

REPORT_TITLE_SUFFIX = "年政府信息公开工作年度报告"

# Six sections (domain.md §5.2): (key, heading).
SECTIONS: list[tuple[str, str]] = [
    ("overview", "一、总体情况"),
    ("active", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
]
SECTION_KEYS = [key for key, _ in SECTIONS]

# --- Table 二 -------------------------------------------------------------------------
CONTENT_HEADER = "信息内容"
ISSUED = "本年制发件数"
REPEALED = "本年废止件数"
IN_FORCE = "现行有效件数"
DECISIONS = "本年处理决定数量"
FEE_COLUMN = "本年收费金额（单位：万元）"

RULES = "规章"
NORMATIVE = "行政规范性文件"
LICENSING = "行政许可"
PENALTY = "行政处罚"
COERCION = "行政强制"
FEES = "行政事业性收费"


@dataclass(frozen=True)
class Table2Block:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


TABLE2_BLOCKS: tuple[Table2Block, ...] = (
    Table2Block("第二十条第（一）项", (ISSUED, REPEALED, IN_FORCE), (RULES, NORMATIVE)),
    Table2Block("第二十条第（五）项", (DECISIONS,), (LICENSING,)),
    Table2Block("第二十条第（六）项", (DECISIONS,), (PENALTY, COERCION)),
    Table2Block("第二十条第（八）项", (FEE_COLUMN,), (FEES,)),
)
# The 体裁 (catalog.Genre.name) whose notices fill the first block, by row.
TABLE2_GENRES = {RULES: "规章", NORMATIVE: "行政规范性文件"}
# Cells the admin types in: (row, column).
TABLE2_MANUAL_CELLS = (
    (LICENSING, DECISIONS),
    (PENALTY, DECISIONS),
    (COERCION, DECISIONS),
    (FEES, FEE_COLUMN),
)
TABLE2_CELLS: tuple[tuple[str, str], ...] = tuple(
    (row, column)
    for block in TABLE2_BLOCKS
    for row in block.rows
    for column in block.columns
)
assert len(TABLE2_CELLS) == 10  # noqa: S101 - module invariant (domain.md §5.3)

# --- Table 三 -------------------------------------------------------------------------
TABLE3_CORNER_NOTE = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
)
APPLICANT_HEADER = "申请人情况"
NATURAL_PERSON = TABLE3_COLUMNS[0]
ORGANISATIONS = "法人或其他组织"
ORGANISATION_COLUMNS = TABLE3_COLUMNS[1:6]
TOTAL = "总计"
TABLE3_ROWS = REPORT_ROWS
TABLE3_DATA_ROWS = DATA_ROW_LABELS
ROW_NEW = DATA_ROW_LABELS[0]
ROW_CARRIED_IN = DATA_ROW_LABELS[1]
ROW_CLOSED_TOTAL = "（七）总计"
ROW_CARRIED_OUT = DATA_ROW_LABELS[-1]
# rows counting one outcome each: label → outcome value
OUTCOME_ROWS: dict[str, str] = {
    label: str(outcome) for label, outcome, _ in REPORT_ROWS if outcome is not None
}
KIND_COLUMNS = TABLE3_COLUMNS[:6]

# --- Table 四 -------------------------------------------------------------------------
RECONSIDERATION = "行政复议"
LITIGATION = "行政诉讼"
LITIGATION_DIRECT = "未经复议直接起诉"
LITIGATION_AFTER = "复议后起诉"
TABLE4_GROUPS = (RECONSIDERATION, LITIGATION_DIRECT, LITIGATION_AFTER)
UPHELD, CORRECTED, OTHER_RESULT, PENDING = (
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
)
TABLE4_COLUMNS = (UPHELD, CORRECTED, OTHER_RESULT, PENDING, TOTAL)


def report_title(agency_name: str, year: int) -> str:
    return f"{agency_name}{year}{REPORT_TITLE_SUFFIX}"


# --- 统计范围 (本级政府年报含办公室) ---------------------------------------------------------

SCOPE_PREFIX = "统计范围："
_GOVERNMENT_PLACE = re.compile(r"^(.+?)[省市县区旗州盟]人民政府")


def _within(agency_name: str, included_name: str) -> str:
    """An included agency's name as the scope line writes it: without the place name
    it shares with the government ("天元区人民政府" includes "天元区人民政府办公室" →
    "区人民政府办公室"); any other name in full."""
    m = _GOVERNMENT_PLACE.match(agency_name)
    if m is None:
        return included_name
    place = m.group(1)
    level = agency_name[len(place)]
    if included_name.startswith(place + level) and included_name != agency_name:
        return included_name[len(place) :]
    return included_name


def scope_label(agency_name: str, included_names: list[str]) -> str:
    """ "天元区人民政府（含区人民政府办公室）", or the agency's name alone."""
    if not included_names:
        return agency_name
    inner = "、".join(_within(agency_name, n) for n in included_names)
    return f"{agency_name}（含{inner}）"


def scope_line(agency_name: str, included_names: list[str]) -> str:
    """The line a report, its exports and its catalog entry carry when the report
    includes other agencies; "" when it covers its own agency only."""
    if not included_names:
        return ""
    return SCOPE_PREFIX + scope_label(agency_name, included_names)


def included_note(including_name: str) -> str:
    """Where an agency included in another's report lists its own report."""
    return f"已并入{including_name}年报"
