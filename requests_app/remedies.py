"""The remedy clause (救济途径告知) that closes every letter to an applicant, under the
《中华人民共和国行政复议法》 as revised in 2023 (in force 2024-01-01). Pure: no ORM.

行政复议法 第二十三条第一款: 有下列情形之一的，申请人应当先向行政复议机关申请行政复议，
对行政复议决定不服的，可以再依法向人民法院提起行政诉讼：…（三）认为行政机关存在本法
第十一条规定的未履行法定职责情形；（四）申请政府信息公开，行政机关不予公开；…
第二款: 对前款规定的情形，行政机关在作出行政行为时应当告知公民、法人或者其他组织先向
行政复议机关申请行政复议。

So a 不予公开 decision (and the withheld part of a 部分公开 one) must tell the applicant
to apply for 行政复议 first ("review_first"). Whether 无法提供, 不予处理, 其他处理 and a
failure to reply are "不予公开" is open to two readings (docs/requests.md, "Remedy
clauses"); the safer one for the applicant is review first, because going to 复议 first
never loses the lawsuit (行政诉讼法 第四十五条: 15 days after the 复议决定), while suing
directly where 复议前置 applies is refused and the 60 days may be gone by then. That
reading is the default; ``settings.REMEDY_DOUBTFUL_REVIEW_FIRST = False`` switches the
doubtful outcomes to the ordinary clause where a province's rule says so.
"""

from __future__ import annotations

import datetime

from portal.documents import chinese_date
from requests_app.outcomes import Outcome

REVIEW_FIRST = "review_first"
ORDINARY = "ordinary"

# 行政复议法 第二十条第一款: 60 days to apply for 复议 from knowing of the act.
REVIEW_DAYS_TEXT = "六十日"
# 行政诉讼法 第四十五条: 15 days to sue from receiving the 复议决定书.
SUIT_AFTER_REVIEW_DAYS_TEXT = "十五日"
# 行政诉讼法 第四十六条第一款: 6 months to sue directly.
DIRECT_SUIT_PERIOD_TEXT = "六个月"

# 第二十三条第一款第（四）项 without doubt: the 不予公开 grounds of 条例 第十四条至第十六条
# (table 三 rows （三）1–7) and the withheld part of 部分公开 (第三十七条). 行政查询事项
# (table 三 row （三）8) is held here too: the agency counts it as 不予公开, so a letter
# that offered a direct lawsuit would contradict its own report (第二十三条第二款).
CERTAIN_REVIEW_FIRST: frozenset[str] = frozenset(
    {
        Outcome.PARTIAL,
        Outcome.STATE_SECRET,
        Outcome.LAW_FORBIDS,
        Outcome.THREE_SECURITIES,
        Outcome.THIRD_PARTY,
        Outcome.INTERNAL_AFFAIRS,
        Outcome.PROCESS_INFO,
        Outcome.ENFORCEMENT_FILE,
        Outcome.ADMIN_QUERY,
    }
)

# Open to two readings: is it "行政机关不予公开"? The agency gives no information, but the
# 条例 calls these answers something else (第三十六条第（四）至（七）项, 第三十条,
# 第三十五条, 第三十八条, 第三十九条, 第四十二条), and 国办函〔2021〕132号 lists 不予公开,
# 无法提供, 不予处理 and 逾期未作出处理 side by side.
DOUBTFUL: frozenset[str] = frozenset(
    {
        Outcome.NOT_HELD,
        Outcome.NEEDS_CREATION,
        Outcome.STILL_UNCLEAR,
        Outcome.PETITION,
        Outcome.REPEATED,
        Outcome.PUBLICATION,
        Outcome.EXCESSIVE,
        Outcome.CONFIRMATION,
        Outcome.NO_CORRECTION,
        Outcome.UNPAID_FEE,
        Outcome.OTHER,
    }
)

# The applicant got what they asked for; 复议 or 诉讼 at their choice (第二十三条 does not
# apply; 行政诉讼法 第四十四条第一款).
ORDINARY_OUTCOMES: frozenset[str] = frozenset({Outcome.DISCLOSED})

assert set(Outcome.values) == CERTAIN_REVIEW_FIRST | DOUBTFUL | ORDINARY_OUTCOMES  # noqa: S101
assert not (CERTAIN_REVIEW_FIRST & DOUBTFUL)  # noqa: S101

REVIEW_FIRST_CLAUSE = (
    "如不服本决定，应当先自收到本告知书之日起六十日内向{review_body}申请行政复议；"
    "对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向{court}"
    "提起行政诉讼。"
)
ORDINARY_CLAUSE = (
    "如不服本决定，可以自收到本告知书之日起六十日内向{review_body}申请行政复议，"
    "或者自收到本告知书之日起六个月内依法向{court}提起行政诉讼。"
)
# 收费通知: an ordinary clause (the fee decision is not among the 复议前置 cases of
# 行政复议法 第二十三条第一款).
FEE_NOTICE_CLAUSE = (
    "如对本收费通知不服，可以自收到本通知之日起六十日内向{review_body}申请行政复议，"
    "或者自收到本通知之日起六个月内依法向{court}提起行政诉讼。"
)
FAILURE_REVIEW_FIRST_CLAUSE = (
    "{agency}未在答复期限（{due}，含当日）内作出答复的，{term}应当先自答复期限届满之日起"
    "六十日内向{review_body}申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书"
    "之日起十五日内依法向{court}提起行政诉讼。{term}也可以向上一级行政机关或者政府信息公开工作"
    "主管部门投诉、举报。"
)
FAILURE_ORDINARY_CLAUSE = (
    "{agency}未在答复期限（{due}，含当日）内作出答复的，{term}可以自答复期限届满之日起"
    "六十日内向{review_body}申请行政复议，或者依法向{court}提起行政诉讼。{term}也可以向上一级"
    "行政机关或者政府信息公开工作主管部门投诉、举报。"
)


def _doubtful_review_first(value: bool | None) -> bool:
    if value is not None:
        return value
    from django.conf import settings

    return bool(getattr(settings, "REMEDY_DOUBTFUL_REVIEW_FIRST", True))


def remedy_kind(outcome: str, *, doubtful_review_first: bool | None = None) -> str:
    """ "review_first" (复议前置, 行政复议法 第二十三条) or "ordinary" for a reply outcome.

    ``doubtful_review_first`` defaults to ``settings.REMEDY_DOUBTFUL_REVIEW_FIRST``.
    """
    if outcome in CERTAIN_REVIEW_FIRST:
        return REVIEW_FIRST
    if outcome in ORDINARY_OUTCOMES:
        return ORDINARY
    if outcome in DOUBTFUL:
        return (
            REVIEW_FIRST if _doubtful_review_first(doubtful_review_first) else ORDINARY
        )
    raise ValueError(f"未知的答复结果：{outcome!r}")


def _require(review_body: str, court: str) -> tuple[str, str]:
    review_body = (review_body or "").strip()
    court = (court or "").strip()
    if not review_body:
        raise ValueError(
            "未配置行政复议机关：告知书必须写明复议机关（行政复议法第二十三条第二款）。"
        )
    if not court:
        raise ValueError("未配置管辖法院：告知书必须写明可以起诉的人民法院。")
    return review_body, court


def remedy_clause(
    *,
    outcome: str,
    review_body: str,
    court: str,
    doubtful_review_first: bool | None = None,
) -> str:
    """The closing paragraph of a reply letter for ``outcome``, naming the 复议机关 and
    the court. ValueError on an unknown outcome or an empty body/court."""
    review_body, court = _require(review_body, court)
    kind = remedy_kind(outcome, doubtful_review_first=doubtful_review_first)
    template = REVIEW_FIRST_CLAUSE if kind == REVIEW_FIRST else ORDINARY_CLAUSE
    return template.format(review_body=review_body, court=court)


def failure_to_reply_remedy(
    *,
    agency: str,
    due_date: datetime.date,
    review_body: str,
    court: str,
    doubtful_review_first: bool | None = None,
    term: str = "您",
) -> str:
    """What an applicant may do when the agency has not replied by ``due_date`` (the case
    page of an overdue request). 复议前置 under 第二十三条第一款第（三）或（四）项 is
    doubtful for a silence, so it follows the same setting as the doubtful outcomes; the
    60 days are counted from the end of the reply period, the earliest start any reading
    gives. The complaint route is 条例 第五十一条. ``term``: the applicant as
    ``letters.address_term`` gives it (您 / 你单位)."""
    review_body, court = _require(review_body, court)
    agency = (agency or "").strip() or "行政机关"
    review_first = _doubtful_review_first(doubtful_review_first)
    template = FAILURE_REVIEW_FIRST_CLAUSE if review_first else FAILURE_ORDINARY_CLAUSE
    return template.format(
        agency=agency,
        due=chinese_date(due_date),
        review_body=review_body,
        court=court,
        term=term if term in ("您", "你单位") else "您",
    )
