"""The law of 依申请公开 deadlines, as pure functions (no database access).

Every period is counted with ``portal.workdays``: the start day is not counted and
the period ends on the N-th working day after it (《民法典》第二百零一条; a period
that would end on a rest day thus ends on the next working day, 第二百零三条).

Article → constant → function (also in docs/requests.md):

=============================================  ==========================  ===============================
条例 第三十一条 收到申请之日 (by channel)       RECEIPT_RULES               received_date_for()
条例 第三十三条第一款 20 个工作日内答复         REPLY_WORKDAYS              reply_deadline()
条例 第三十三条第二款 延长不超过 20 个工作日     EXTENSION_MAX_WORKDAYS      reply_deadline(extension_days=)
条例 第三十条 7 个工作日内一次性告知补正        CORRECTION_NOTICE_WORKDAYS  correction_notice_due()
条例 第三十条 补正期限 (not fixed by law)        CORRECTION_PERIOD_WORKDAYS  correction_period_due()
条例 第三十条 收到补正之日起计算 (restart)       —                           clock_start_for()
条例 第三十二条、第三十四条 15 个工作日          CONSULTATION_MAX_WORKDAYS   consultation_due(), consultation_pause()
条例 第三十三条第三款 征求意见期间不计算         —                           reply_deadline(pauses=)
国办函〔2020〕109号 第四条 按件计收             —                           fee_for_nth_item(), fee_by_item()
国办函〔2020〕109号 第五条 按量计收             —                           fee_by_volume()
收费通知 20 个工作日内缴费 (provincial notice)   FEE_PAYMENT_WORKDAYS        fee_pay_by()
=============================================  ==========================  ===============================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.workdays import (
    PROVISIONAL_NOTE,
    Deadline,
    WorkCalendar,
    add_working_days,
    day_status,
    working_days_between,
)

__all__ = ["PROVISIONAL_NOTE"]  # re-exported for templates that show deadlines

# 条例 第三十三条第一款: 自收到申请之日起20个工作日内予以答复
REPLY_WORKDAYS = 20
# 条例 第三十三条第二款: 延长答复的期限最长不得超过20个工作日 (once, 负责人同意)
EXTENSION_MAX_WORKDAYS = 20
# 条例 第三十条: 应当在收到申请之日起7个工作日内一次性告知申请人作出补正
CORRECTION_NOTICE_WORKDAYS = 7
# 条例 第三十条: "合理的补正期限" is not fixed by law; our default, staff may choose another.
CORRECTION_PERIOD_WORKDAYS = 15
# 条例 第三十二条 (第三方) / 第三十四条 (其他机关): 15个工作日内提出意见
CONSULTATION_MAX_WORKDAYS = 15
# 收费通知: 申请人应当在收到收费通知次日起20个工作日内缴纳费用 (provincial implementing
# notices of 国办函〔2020〕109号, e.g. 四川省财政厅 2021); late → 视为放弃申请.
FEE_PAYMENT_WORKDAYS = 20
# Whether the time from sending a 收费通知 to payment is excluded from the reply period.
# 109号 leaves it open (domain.md §2.6 "verify"); we exclude it, like a consultation,
# so a fee notice sent late in the period cannot make the agency miss the deadline.
FEE_NOTICE_PAUSES_CLOCK = True
# Workbench: 即将到期 = due within this many working days (today not counted).
DUE_SOON_WORKDAYS = 5


# --- 条例 第三十一条: which day counts as "received" ------------------------------------------

ONLINE, IN_PERSON, POST_SIGNED, POST_ORDINARY, FAX, EMAIL = (
    "online",
    "in_person",
    "post_signed",
    "post_ordinary",
    "fax",
    "email",
)

# channel → (the date that counts, the article's wording)
RECEIPT_RULES: dict[str, tuple[str, str]] = {
    IN_PERSON: ("handed_in", "当面提交的，以提交之日为收到申请之日"),
    POST_SIGNED: ("signed", "以邮寄方式提交的，以行政机关签收之日为收到申请之日"),
    POST_ORDINARY: (
        "confirmed",
        "以平常信函等无需签收的邮寄方式提交的，以双方确认之日为收到申请之日",
    ),
    ONLINE: ("confirmed", "通过互联网渠道提交的，以双方确认之日为收到申请之日"),
    EMAIL: ("confirmed", "通过电子邮件提交的，以双方确认之日为收到申请之日"),
    FAX: (
        "confirmed",
        "通过政府信息公开工作机构的传真提交的，以双方确认之日为收到申请之日",
    ),
}


def receipt_rule(channel: str) -> tuple[str, str]:
    """``(which date counts, the rule in words)`` for a channel."""
    try:
        return RECEIPT_RULES[channel]
    except KeyError:
        raise ValueError(f"未知的申请渠道：{channel}") from None


def needs_confirmation(channel: str) -> bool:
    """True when the receipt date is the day both sides confirm (online, e-mail, fax,
    ordinary letters): such requests wait in 待确认 until staff confirm."""
    return receipt_rule(channel)[0] == "confirmed"


def received_date_for(
    channel: str,
    *,
    handed_in_date: date | None = None,
    signed_date: date | None = None,
    confirmed_date: date | None = None,
) -> date:
    """The legal receipt date (收到申请之日) under 条例 第三十一条.

    * 当面提交: the day it was handed in;
    * 邮寄 with signature: the day the agency signed for it;
    * 平常信函, online form, e-mail, fax: the day both sides confirmed (双方确认之日).

    Raises ``ValueError`` (Chinese message) when the date the rule needs is missing.
    This is the only place the rule lives.
    """
    which, rule = receipt_rule(channel)
    value = {
        "handed_in": handed_in_date,
        "signed": signed_date,
        "confirmed": confirmed_date,
    }[which]
    if value is None:
        missing = {
            "handed_in": "提交日期",
            "signed": "签收日期",
            "confirmed": "双方确认日期",
        }[which]
        raise ValueError(f"{rule}：请填写{missing}")
    return value


# --- the reply period -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """Working days d with ``after`` < d <= ``until`` do not count (``reason`` explains)."""

    after: date
    until: date
    reason: str

    def covers(self, d: date) -> bool:
        return self.after < d <= self.until


@dataclass(frozen=True)
class ExplainedDay:
    date: date
    number: int | None  # 1…N for a counted working day, None otherwise
    reason: str  # "" for an ordinary counted weekday; 周六/春节/调休上班/征求意见… otherwise
    provisional: bool
    paused: bool = False

    @property
    def is_counted(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class ReplyDeadline:
    clock_start: date
    due_date: date
    provisional: bool
    workdays: int  # REPLY_WORKDAYS + extension days
    extension_days: int
    paused_workdays: int  # working days inside pauses (not counted)
    days: tuple[ExplainedDay, ...]  # clock_start + 1 … due_date

    @property
    def note(self) -> str:
        return PROVISIONAL_NOTE if self.provisional else ""


def clock_start_for(received_date: date, correction_received_date: date | None) -> date:
    """条例 第三十条: after a correction the period runs afresh from the day it arrived."""
    return correction_received_date or received_date


def reply_deadline(
    clock_start: date,
    cal: WorkCalendar,
    *,
    extension_days: int = 0,
    pauses: Sequence[Pause] = (),
) -> ReplyDeadline:
    """The reply deadline: the (20 + extension)-th counted working day after
    ``clock_start``, where working days inside a pause (consultation, fee notice)
    are not counted, so each pause moves the deadline by exactly its working days.
    """
    if not 0 <= extension_days <= EXTENSION_MAX_WORKDAYS:
        raise ValueError(f"延长期限应在 0 至 {EXTENSION_MAX_WORKDAYS} 个工作日之间")
    target = REPLY_WORKDAYS + extension_days
    # Walk the calendar once; a generous bound keeps a broken table from looping forever.
    plain = add_working_days(
        clock_start,
        target
        + sum(
            working_days_between(p.after, p.until, cal)
            for p in pauses
            if p.until > p.after
        ),
        cal,
    )
    days: list[ExplainedDay] = []
    counted = paused = 0
    for status in plain.days:
        if counted == target:
            break
        pause = (
            next((p for p in pauses if p.covers(status.date)), None)
            if status.is_workday
            else None
        )
        if status.is_workday and pause is None:
            counted += 1
            days.append(
                ExplainedDay(status.date, counted, status.reason, status.provisional)
            )
        elif status.is_workday and pause is not None:
            paused += 1
            days.append(
                ExplainedDay(
                    status.date, None, pause.reason, status.provisional, paused=True
                )
            )
        else:
            days.append(
                ExplainedDay(status.date, None, status.reason, status.provisional)
            )
    if counted != target:  # pragma: no cover - the bound above always suffices
        raise ValueError("期限计算异常")
    return ReplyDeadline(
        clock_start=clock_start,
        due_date=days[-1].date,
        provisional=any(d.provisional for d in days),
        workdays=target,
        extension_days=extension_days,
        paused_workdays=paused,
        days=tuple(days),
    )


def correction_notice_due(received_date: date, cal: WorkCalendar) -> Deadline:
    """条例 第三十条: the last day to send the (one) 补正 notice."""
    return add_working_days(received_date, CORRECTION_NOTICE_WORKDAYS, cal)


def correction_period_due(
    asked_date: date, cal: WorkCalendar, workdays: int = CORRECTION_PERIOD_WORKDAYS
) -> Deadline:
    """Default 补正期限: ``workdays`` working days after the notice."""
    return add_working_days(asked_date, workdays, cal)


# --- consultation (条例 第三十二条 / 第三十四条) ---------------------------------------------


def consultation_due(sent_date: date, cal: WorkCalendar) -> Deadline:
    """The day the consulted party's 15 working days run out."""
    return add_working_days(sent_date, CONSULTATION_MAX_WORKDAYS, cal)


def consultation_pause(
    sent_date: date, replied_date: date, cal: WorkCalendar
) -> tuple[date, int]:
    """``(pause end, paused working days)`` of a finished consultation: the working days
    after sending up to the reply, at most 15 (after that the agency decides alone)."""
    if replied_date < sent_date:
        raise ValueError("收到意见的日期不能早于发出征求意见的日期")
    last = min(replied_date, consultation_due(sent_date, cal).due_date)
    return last, working_days_between(sent_date, last, cal)


CONSULTATION_PAUSE_REASON = "征求意见期间，不计算在答复期限内"
FEE_PAUSE_REASON = "收费通知发出至缴费期间，不计算在答复期限内"


# --- due-soon / overdue ----------------------------------------------------------------------


def workdays_left(today: date, due_date: date, cal: WorkCalendar) -> int:
    """Working days after today up to the due date (0 on the due day, negative = days late)."""
    if due_date >= today:
        return working_days_between(today, due_date, cal)
    return -working_days_between(due_date, today, cal)


def is_due_soon(today: date, due_date: date, cal: WorkCalendar) -> bool:
    return (
        today <= due_date
        and working_days_between(today, due_date, cal) <= DUE_SOON_WORKDAYS
    )


# --- 信息处理费 (国办函〔2020〕109号) -------------------------------------------------------

FEE_ITEM_FREE = 10  # 一个自然月内累计申请 10 件以下（含10件）不收费
FEE_VOLUME_BANDS: tuple[tuple[int, int, int], ...] = (
    # (first page, last page or 0 = no limit, 元 per page) — 超额累进
    (31, 100, 10),
    (101, 200, 20),
    (201, 0, 40),
)


def fee_for_nth_item(n: int) -> Decimal:
    """按件计收: the fee of the applicant's n-th request in one natural month.

    1–10: free; 11–30: 100 元; from 31 on, each further band of 10 adds 100 元/件
    (31–40: 200, 41–50: 300, …).
    """
    if n < 1:
        raise ValueError("件数必须是正整数")
    if n <= FEE_ITEM_FREE:
        return Decimal(0)
    if n <= 30:
        return Decimal(100)
    return Decimal(100 * (2 + (n - 31) // 10))


def fee_by_item(count: int, *, previous: int = 0) -> Decimal:
    """按件计收 for ``count`` requests after ``previous`` earlier ones in the same month
    (35 requests in one month → 3000 元)."""
    if count < 0 or previous < 0:
        raise ValueError("件数不能为负数")
    return sum(
        (fee_for_nth_item(n) for n in range(previous + 1, previous + count + 1)),
        Decimal(0),
    )


def fee_by_volume(pages: int) -> Decimal:
    """按量计收, 超额累进 (150 pages → 1700 元; 250 pages → 4700 元)."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    total = 0
    for first, last, rate in FEE_VOLUME_BANDS:
        top = pages if last == 0 else min(pages, last)
        if top >= first:
            total += (top - first + 1) * rate
    return Decimal(total)


def fee_pay_by(issued_date: date, cal: WorkCalendar) -> Deadline:
    """The last day to pay: 20 working days from the day after the notice."""
    return add_working_days(issued_date, FEE_PAYMENT_WORKDAYS, cal)


def day_reason(d: date, cal: WorkCalendar) -> str:
    """Why a day is or is not a working day (for explanations)."""
    return day_status(d, cal).reason
