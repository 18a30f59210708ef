"""The reply outcomes of an information request (条例 第三十六条至第四十条) and the row
of table 三 of the annual report each one is counted in (国办公开办函〔2021〕30号).

Every closed request has exactly one outcome; the annual report counts it in exactly
one row (rule R6). The labels of ``REPORT_ROWS`` are the national format's, verbatim.
"""

from __future__ import annotations

from django.db import models


class Outcome(models.TextChoices):
    DISCLOSED = "disclosed", "予以公开"
    PARTIAL = "partial", "部分公开"
    # 不予公开
    STATE_SECRET = "state_secret", "不予公开—属于国家秘密"
    LAW_FORBIDS = "law_forbids", "不予公开—其他法律行政法规禁止公开"
    THREE_SECURITIES = "three_securities", "不予公开—危及“三安全一稳定”"
    THIRD_PARTY = "third_party", "不予公开—保护第三方合法权益"
    INTERNAL_AFFAIRS = "internal_affairs", "不予公开—属于三类内部事务信息"
    PROCESS_INFO = "process_info", "不予公开—属于四类过程性信息"
    ENFORCEMENT_FILE = "enforcement_file", "不予公开—属于行政执法案卷"
    ADMIN_QUERY = "admin_query", "不予公开—属于行政查询事项"
    # 无法提供
    NOT_HELD = "not_held", "无法提供—本机关不掌握相关政府信息"
    NEEDS_CREATION = "needs_creation", "无法提供—没有现成信息需要另行制作"
    STILL_UNCLEAR = "still_unclear", "无法提供—补正后申请内容仍不明确"
    # 不予处理
    PETITION = "petition", "不予处理—信访举报投诉类申请"
    REPEATED = "repeated", "不予处理—重复申请"
    PUBLICATION = "publication", "不予处理—要求提供公开出版物"
    EXCESSIVE = "excessive", "不予处理—无正当理由大量反复申请"
    CONFIRMATION = "confirmation", "不予处理—要求行政机关确认或重新出具已获取信息"
    # 其他处理
    NO_CORRECTION = "no_correction", "其他处理—申请人无正当理由逾期不补正"
    UNPAID_FEE = "unpaid_fee", "其他处理—申请人逾期未按收费通知要求缴纳费用"
    OTHER = "other", "其他处理—其他"


# Outcomes a handler may choose when replying (the last three are set by the system:
# no correction in time, fee not paid in time, withdrawn by the applicant).
REPLY_OUTCOMES = tuple(
    o for o in Outcome if o not in (Outcome.NO_CORRECTION, Outcome.UNPAID_FEE)
)


# Applicant columns of table 三, in order; "总计" is their sum.
class ApplicantKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    PUBLIC_INTEREST = "public_interest", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER = "other", "其他"


TABLE3_COLUMNS = [k.label for k in ApplicantKind] + ["总计"]

# (row label verbatim, outcome counted in it or None for non-outcome rows, indent level)
REPORT_ROWS: list[tuple[str, str | None, int]] = [
    ("一、本年新收政府信息公开申请数量", None, 0),
    ("二、上年结转政府信息公开申请数量", None, 0),
    ("三、本年度办理结果", None, 0),
    ("（一）予以公开", Outcome.DISCLOSED, 1),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", Outcome.PARTIAL, 1),
    ("（三）不予公开", None, 1),
    ("1.属于国家秘密", Outcome.STATE_SECRET, 2),
    ("2.其他法律行政法规禁止公开", Outcome.LAW_FORBIDS, 2),
    ("3.危及“三安全一稳定”", Outcome.THREE_SECURITIES, 2),
    ("4.保护第三方合法权益", Outcome.THIRD_PARTY, 2),
    ("5.属于三类内部事务信息", Outcome.INTERNAL_AFFAIRS, 2),
    ("6.属于四类过程性信息", Outcome.PROCESS_INFO, 2),
    ("7.属于行政执法案卷", Outcome.ENFORCEMENT_FILE, 2),
    ("8.属于行政查询事项", Outcome.ADMIN_QUERY, 2),
    ("（四）无法提供", None, 1),
    ("1.本机关不掌握相关政府信息", Outcome.NOT_HELD, 2),
    ("2.没有现成信息需要另行制作", Outcome.NEEDS_CREATION, 2),
    ("3.补正后申请内容仍不明确", Outcome.STILL_UNCLEAR, 2),
    ("（五）不予处理", None, 1),
    ("1.信访举报投诉类申请", Outcome.PETITION, 2),
    ("2.重复申请", Outcome.REPEATED, 2),
    ("3.要求提供公开出版物", Outcome.PUBLICATION, 2),
    ("4.无正当理由大量反复申请", Outcome.EXCESSIVE, 2),
    ("5.要求行政机关确认或重新出具已获取信息", Outcome.CONFIRMATION, 2),
    ("（六）其他处理", None, 1),
    (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        Outcome.NO_CORRECTION,
        2,
    ),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        Outcome.UNPAID_FEE,
        2,
    ),
    ("3.其他", Outcome.OTHER, 2),
    ("（七）总计", None, 1),
    ("四、结转下年度继续办理", None, 0),
]
# The 25 data rows (group captions （三）–（六） and "三、本年度办理结果" carry no numbers).
DATA_ROW_LABELS = [
    label
    for label, outcome, _ in REPORT_ROWS
    if outcome is not None or label.startswith(("一、", "二、", "四、", "（七）"))
]
assert len(DATA_ROW_LABELS) == 25  # noqa: S101 - module invariant

# Import/ledger label (issue: `outcome` in import_requests) → outcome.
OUTCOME_BY_ROW_LABEL = {
    "予以公开": Outcome.DISCLOSED,
    "部分公开": Outcome.PARTIAL,
    **{
        label.split(".", 1)[1]: outcome
        for label, outcome, level in REPORT_ROWS
        if level == 2 and outcome is not None
    },
}
