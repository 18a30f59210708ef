"""The law of 依申请公开 deadlines, as pure functions (no database access).

Every period is counted with ``portal.workdays``: the start day is not counted and
the period ends on the N-th working day after it (《民法典》第二百零一条; a period
that would end on a rest day thus ends on the next working day, 第二百零三条).

Article → constant → function (also in docs/requests.md):

=============================================  ==========================  ===============================
条例 第三十一条 收到申请之日 (by channel)       RECEIPT_RULES               received_date_for()
条例 第三十一条第（二）项 平常信函当日确认      —                           confirmation_is_late()
条例 第三十三条第二款 20 个工作日内答复         REPLY_WORKDAYS              reply_deadline()
条例 第三十三条第二款 延长不超过 20 个工作日     EXTENSION_MAX_WORKDAYS      reply_deadline(extension_days=)
条例 第三十条 7 个工作日内一次性告知补正        CORRECTION_NOTICE_WORKDAYS  correction_notice_due()
条例 第三十条 补正期限 (not fixed by law)        CORRECTION_PERIOD_WORKDAYS  correction_period_due()
条例 第三十条 收到补正之日起计算 (restart)       —                           clock_start_for()
条例 第三十二条、第三十四条 收到后15个工作日    CONSULTATION_MAX_WORKDAYS   consultation_due(), consultation_pause()
条例 第三十三条第三款 征求意见所需时间不计算     —                           clock_pauses(), reply_deadline(pauses=)
国办函〔2020〕109号 第四条 按件计收             —                           fee_for_nth_item(), fee_by_item()
国办函〔2020〕109号 第五条 按量计收             —                           fee_by_volume()
收费通知 收到次日起20个工作日 (provincial)     FEE_PAYMENT_WORKDAYS        fee_pay_by()
国办函〔2020〕109号 第三条 一种标准，不得重复     —                           fee_method_problem()
国办函〔2020〕109号 第五条 按量计收的提供方式     FEE_VOLUME_PROVIDE_FORMS    fee_method_problem()
=============================================  ==========================  ===============================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from portal.workdays import (
    PROVISIONAL_NOTE,
    Deadline,
    WorkCalendar,
    add_working_days,
    working_days_between,
)

__all__ = ["PROVISIONAL_NOTE"]  # re-exported for templates that show deadlines

# 条例 第三十三条第二款: 不能当场答复的，应当自收到申请之日起20个工作日内予以答复
# (第一款 is 当场答复; 第三款 excludes the consultation time, see reply_deadline)
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
        "以平常信函等无需签收的邮寄方式提交的，于收到申请的当日与申请人确认，"
        "以确认之日为收到申请之日",
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
    arrived_date: date | None = None,
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
    if channel == POST_ORDINARY and arrived_date is not None:
        # 第三十一条第（二）项: the office must confirm on the day the letter arrives. A
        # later confirmation is the office's delay, not the applicant's: the receipt
        # date is never later than the arrival date (docs/requests.md).
        return min(value, arrived_date)
    return value


def unconfirmed_age_days(
    today: date, *, arrived_date: date | None, submitted_at: datetime
) -> int:
    """How many calendar days an unconfirmed application has waited since the letter
    arrived (平常信函) or it was submitted (online, fax, e-mail); 0 on the day itself.
    ``submitted_at`` is aware; its Beijing date counts."""
    from django.utils import timezone

    start = arrived_date or timezone.localdate(submitted_at)
    return max((today - start).days, 0)


def confirmation_is_late(
    channel: str, *, arrived_date: date | None, confirmed_date: date | None
) -> bool:
    """平常信函 confirmed after the letter's arrival day (第三十一条第（二）项 asks for
    the same day): allowed, but flagged on the case and the workbench."""
    return (
        channel == POST_ORDINARY
        and arrived_date is not None
        and confirmed_date is not None
        and confirmed_date > arrived_date
    )


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


def consultation_due(
    sent_date: date, cal: WorkCalendar, *, party_received_date: date | None = None
) -> Deadline:
    """The day the consulted party's 15 working days run out. They run from the
    party's receipt of the 征求意见书 (条例 第三十二条 "自收到征求意见书之日起15个工作日内",
    第三十四条 likewise); while that receipt date is not known yet, from the sending date
    (the earliest the party can have it, so the pause is never longer than the law
    allows)."""
    return add_working_days(
        party_received_date or sent_date, CONSULTATION_MAX_WORKDAYS, cal
    )


def consultation_pause(
    sent_date: date,
    replied_date: date,
    cal: WorkCalendar,
    *,
    party_received_date: date | None = None,
) -> tuple[date, int]:
    """``(pause end, paused working days)`` of a finished consultation: the working days
    after sending up to the reply, but never past the party's 15 working days from its
    receipt of the letter (after that the agency decides alone). 条例 第三十三条第三款:
    the time the consultation needs is not counted in the reply period."""
    problem = consultation_dates_problem(
        sent_date, party_received_date=party_received_date, replied_date=replied_date
    )
    if problem:
        raise ValueError(problem)
    due = consultation_due(sent_date, cal, party_received_date=party_received_date)
    last = min(replied_date, due.due_date)
    return last, working_days_between(sent_date, last, cal)


def consultation_dates_problem(
    sent_date: date,
    *,
    party_received_date: date | None = None,
    replied_date: date | None = None,
) -> str:
    """The order of a consultation's dates: sent ≤ received by the party ≤ opinion."""
    if party_received_date is not None and party_received_date < sent_date:
        return "对方收到征求意见书的日期不能早于发出日期"
    if replied_date is not None and replied_date < sent_date:
        return "收到意见的日期不能早于发出征求意见的日期"
    if (
        replied_date is not None
        and party_received_date is not None
        and replied_date < party_received_date
    ):
        return "收到意见的日期不能早于对方收到征求意见书的日期"
    return ""


CONSULTATION_PAUSE_REASON = "征求意见期间，不计算在答复期限内"
FEE_PAUSE_REASON = "收费通知发出至缴费期间，不计算在答复期限内"


@dataclass(frozen=True)
class ConsultationFacts:
    """What is stored about one consultation (``Consultation`` row)."""

    sent_date: date
    replied_date: date | None
    party_received_date: date | None = None


@dataclass(frozen=True)
class FeeFacts:
    """What is stored about one 收费通知: its issue day and the day it was settled
    (paid or waived; None while open or when it expired)."""

    issued_date: date
    settled_date: date | None


def clock_pauses(
    clock_start: date,
    cal: WorkCalendar,
    *,
    consultations: Sequence[ConsultationFacts] = (),
    fees: Sequence[FeeFacts] = (),
    fee_notice_pauses_clock: bool = FEE_NOTICE_PAUSES_CLOCK,
) -> list[Pause]:
    """The pauses of the reply clock from stored facts: each finished consultation
    sent on or after the clock start (条例 第三十三条第三款), and — when
    ``fee_notice_pauses_clock`` — each settled fee notice from issue to settlement.
    Open consultations and fee notices do not pause yet: the deadline moves when they
    end. Facts from before the clock start (e.g. before a correction restarted the
    clock) are ignored."""
    pauses: list[Pause] = []
    for c in consultations:
        if c.replied_date is not None and c.sent_date >= clock_start:
            end, _ = consultation_pause(
                c.sent_date,
                c.replied_date,
                cal,
                party_received_date=c.party_received_date,
            )
            pauses.append(Pause(c.sent_date, end, CONSULTATION_PAUSE_REASON))
    if fee_notice_pauses_clock:
        for f in fees:
            if f.settled_date is not None and f.issued_date >= clock_start:
                pauses.append(Pause(f.issued_date, f.settled_date, FEE_PAUSE_REASON))
    return pauses


def request_reply_deadline(
    clock_start: date | None,
    cal: WorkCalendar,
    *,
    extension_days: int = 0,
    consultations: Sequence[ConsultationFacts] = (),
    fees: Sequence[FeeFacts] = (),
    fee_notice_pauses_clock: bool = FEE_NOTICE_PAUSES_CLOCK,
) -> ReplyDeadline | None:
    """A request's reply deadline from its stored facts (None while there is no
    clock, i.e. 待确认). The one computation every path uses."""
    if clock_start is None:
        return None
    return reply_deadline(
        clock_start,
        cal,
        extension_days=extension_days,
        pauses=clock_pauses(
            clock_start,
            cal,
            consultations=consultations,
            fees=fees,
            fee_notice_pauses_clock=fee_notice_pauses_clock,
        ),
    )


def paused_workdays_split(result: ReplyDeadline) -> tuple[int, int]:
    """``(consultation, fee notice)`` working days inside pauses of a deadline."""
    consult = sum(
        1 for d in result.days if d.paused and d.reason == CONSULTATION_PAUSE_REASON
    )
    return consult, result.paused_workdays - consult


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


def fee_pay_by(
    issued_date: date, cal: WorkCalendar, workdays: int = FEE_PAYMENT_WORKDAYS
) -> Deadline:
    """The last day to pay (inclusive): ``workdays`` (default 20) working days from the
    day after the applicant received the notice — pass its 送达 date, not its issue
    date (settings.REQUESTS_FEE_PAYMENT_WORKDAYS; docs/requests.md "Fees")."""
    return add_working_days(issued_date, workdays, cal)


# 国办函〔2020〕109号 第三条: 行政机关对每件申请可以根据实际情况选择适用其中一种标准，
# 但不得同时按照两种标准重复计算.
FEE_BY_ITEM, FEE_BY_VOLUME = "by_item", "by_volume"
FEE_METHOD_LABELS = {FEE_BY_ITEM: "按件计收", FEE_BY_VOLUME: "按量计收"}
# 109号 第五条: 按量计收适用于申请人要求以提供纸质件、发送电子邮件、复制电子数据等方式获取
# 政府信息的情形 — the 指定提供方式 (ProvideForm values) that qualify: paper, e-mail, and
# electronic data copied to a disc or disk.
FEE_VOLUME_PROVIDE_FORMS = ("paper", "email", "cd", "disk")
# Whose requests the 按件 monthly count counts (109号 第四条 "同一申请人一个自然月内累计申请"):
# "agency" = the applicant's requests to the receiving agency (default, the reading in
# docs/requests.md), "all" = to every agency on this platform.
FEE_COUNT_SCOPES = ("agency", "all")


def fee_method_problem(
    method: str,
    *,
    earlier_methods: Sequence[str] = (),
    provide_forms: Sequence[str] = (),
) -> str:
    """Why ``method`` may not be used for this request ("" when it may): one method per
    request (109号 第三条), 按量 only for paper, e-mail or copied electronic data
    (109号 第五条)."""
    if method not in FEE_METHOD_LABELS:
        return "请选择计费方式：按件计收或按量计收"
    other = next((m for m in earlier_methods if m != method), None)
    if other is not None:
        return (
            f"本申请已按“{FEE_METHOD_LABELS.get(other, other)}”发出过收费通知；"
            "同一申请只能选择一种计费方式，不得同时按照两种标准重复计算"
            "（国办函〔2020〕109号第三条）"
        )
    if method == FEE_BY_VOLUME and not set(provide_forms) & set(
        FEE_VOLUME_PROVIDE_FORMS
    ):
        return (
            "按量计收只适用于申请人要求以提供纸质件、发送电子邮件、复制电子数据"
            "（光盘、磁盘）等方式获取信息的情形（国办函〔2020〕109号第五条）；"
            "本申请未指定这些提供方式，请按件计收"
        )
    return ""
