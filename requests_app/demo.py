"""Demo 依申请公开 data for ``seed_demo``: a few hundred requests from 2 January two
years before the seeding day up to that day, built entirely through
``requests_app.services`` with explicit past ``now`` values, so every status, event,
deadline and outcome is what the production path produces, and the annual reports add
up (R1: received + carried = closed + carried on).

Four staffed agencies handle requests (教育局: jiaoyu, jiaoyu2, approver jiaoyu_sh;
财政局: caizheng; 区政府办公室: zhengfu; 区人民政府 itself: quzhengfu, approver
quzhengfu_sh — its annual report counts them). Requests received in the last 24 days
are still open; ``Builder.around_today`` adds open ones whose 答复期限 is today, in the
next days and (two) a few days past, plus two paused for 补正 and 征求意见.
Deterministic for a given seeding day. Demo applicants have no e-mail address, so
seeding sends no mail.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count

from portal import timeutil
from portal.validators import id_check_char, uscc_check_char
from portal.workdays import WorkCalendar, add_working_days, is_workday, load_calendar
from requests_app import letters, services
from requests_app.models import Channel, InfoRequest, PartyType, Status
from requests_app.outcomes import ApplicantKind, Outcome
from requests_app.services import letters as letter_svc

TZ = ZoneInfo("Asia/Shanghai")
PER_MONTH = 11  # about 380 requests from FIRST_DAY
FIRST_DAY: date | None = None  # None: 2 January two years before the seeding day

# The 审核人 who 签发 each agency's replies (never the drafting handler).
SIGNERS = {
    "天元区教育局": "jiaoyu_sh",
    "天元区财政局": "caizheng_sh",
    "天元区人民政府办公室": "zhengfu_sh",
    "天元区人民政府": "quzhengfu_sh",
}
STAFF = {
    "天元区教育局": (["jiaoyu", "jiaoyu2"], "jiaoyu_sh"),
    "天元区财政局": (["caizheng"], None),
    "天元区人民政府办公室": (["zhengfu"], None),
    "天元区人民政府": (["quzhengfu"], "quzhengfu_sh"),
}
AGENCY_WEIGHTS = [
    ("天元区教育局", 5),
    ("天元区财政局", 3),
    ("天元区人民政府办公室", 2),
    ("天元区人民政府", 2),
]

TOPICS = {
    "天元区教育局": [
        "{y}年天元区义务教育阶段学校招生划片方案",
        "{y}年天元区第{n}小学改扩建工程的立项批复",
        "天元区{y}年教师招聘的考试成绩及拟录用名单公示",
        "{y}年天元区学前教育普惠性幼儿园认定名单",
        "天元区教育局{y}年部门预算和“三公”经费支出情况",
        "{y}年天元区中小学校服采购项目的招标文件和中标结果",
        "天元区第{n}中学食堂承包合同",
        "{y}年天元区义务教育学生营养改善计划资金使用情况",
    ],
    "天元区财政局": [
        "天元区{y}年一般公共预算执行情况报告",
        "{y}年天元区政府债务限额及余额情况",
        "天元区{y}年度区级部门决算汇总表",
        "{y}年天元区惠民惠农财政补贴资金发放明细",
        "天元区{y}年政府采购意向公开目录",
        "{y}年天元区财政专项资金第{n}批分配文件",
    ],
    "天元区人民政府办公室": [
        "天元区{y}年老旧小区改造项目实施方案",
        "天元区人民政府{y}年政府信息公开工作要点",
        "天元区{y}年民生实事项目完成情况",
        "天元区人民政府办公室{y}年12345热线诉求办理情况统计",
    ],
    "天元区人民政府": [
        "天元区人民政府{y}年第{n}次常务会议纪要",
        "天元区人民政府关于{y}年征收土地的补偿安置方案",
        "天元区{y}年重点建设项目计划",
        "天元区人民政府{y}年第{n}号土地征收公告及附图",
    ],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "桂英",
    "建华",
    "海燕",
]
ORGS = {
    ApplicantKind.COMMERCIAL: [
        "株洲市天元建设工程有限公司",
        "湖南华信物业管理有限公司",
        "株洲新材料科技有限公司",
    ],
    ApplicantKind.RESEARCH: ["湖南工业大学城市治理研究中心", "株洲市社会科学研究所"],
    ApplicantKind.PUBLIC_INTEREST: ["株洲市绿色环保志愿者协会", "天元区助学公益基金会"],
    ApplicantKind.LEGAL_SERVICE: ["湖南天衡律师事务所", "株洲市法律援助中心"],
    ApplicantKind.OTHER: ["天元区某小区业主委员会", "株洲市个体劳动者协会"],
}
KIND_WEIGHTS = [
    (ApplicantKind.NATURAL, 70),
    (ApplicantKind.COMMERCIAL, 12),
    (ApplicantKind.RESEARCH, 4),
    (ApplicantKind.PUBLIC_INTEREST, 4),
    (ApplicantKind.LEGAL_SERVICE, 6),
    (ApplicantKind.OTHER, 4),
]
CHANNEL_WEIGHTS = [
    (Channel.ONLINE, 60),
    (Channel.IN_PERSON, 15),
    (Channel.POST_SIGNED, 10),
    (Channel.POST_ORDINARY, 5),
    (Channel.EMAIL, 5),
    (Channel.FAX, 5),
]
# How closed requests end (weights); "withdraw" is the applicant's 撤回 (→ 其他).
ENDINGS = [
    (Outcome.DISCLOSED, 34),
    (Outcome.PARTIAL, 9),
    (Outcome.STATE_SECRET, 1),
    (Outcome.LAW_FORBIDS, 1),
    (Outcome.THREE_SECURITIES, 1),
    (Outcome.THIRD_PARTY, 3),
    (Outcome.INTERNAL_AFFAIRS, 2),
    (Outcome.PROCESS_INFO, 3),
    (Outcome.ENFORCEMENT_FILE, 1),
    (Outcome.ADMIN_QUERY, 1),
    (Outcome.NOT_HELD, 17),
    (Outcome.NEEDS_CREATION, 4),
    (Outcome.STILL_UNCLEAR, 2),
    (Outcome.PETITION, 3),
    (Outcome.REPEATED, 2),
    (Outcome.PUBLICATION, 1),
    (Outcome.EXCESSIVE, 1),
    (Outcome.CONFIRMATION, 1),
    (Outcome.NO_CORRECTION, 4),
    (Outcome.UNPAID_FEE, 1),
    (Outcome.OTHER, 2),
    ("withdraw", 4),
]
PAUSES = ("correction", "consulting")  # Builder.around_today: the first two
# What a still-open recent request is doing.
OPEN_STATES = [
    ("processing", 6),
    ("correction", 4),
    ("consulting", 2),
    ("payment", 2),
    ("extension_pending", 2),
    ("extended", 2),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


class Later(Exception):
    """A step would fall after today."""


@dataclass
class Ctx:
    rng: random.Random
    cal: WorkCalendar
    today: date
    now: datetime
    users: dict[str, Any]
    notices: dict[int, list]


class Builder:
    def __init__(self, ctx: Ctx, agencies: dict[str, Any]):
        self.c = ctx
        self.agencies = agencies
        self.handler_turn: dict[str, int] = {}
        self.codes: list[tuple[str, str, str]] = []

    # -- small helpers ---------------------------------------------------------------------
    def at(self, d: date, hour: int, minute: int = 0) -> datetime:
        """That moment, but never later than now (steps of today happen before the run)."""
        return min(_at(d, hour, minute), self.c.now)

    def workday_on_or_after(self, d: date) -> date:
        while not is_workday(d, self.c.cal):
            d += timedelta(days=1)
        return d

    def plus(self, d: date, n: int) -> date:
        return add_working_days(d, n, self.c.cal).due_date if n > 0 else d

    def handler(self, agency_name: str):
        names = STAFF[agency_name][0]
        i = self.handler_turn.get(agency_name, 0)
        self.handler_turn[agency_name] = i + 1
        return self.c.users[names[i % len(names)]]

    def applicant(self, kind: str, n: int) -> dict[str, Any]:
        rng = self.c.rng
        fields: dict[str, Any] = {
            "applicant_kind": kind,
            "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            "address": f"湖南省株洲市天元区{rng.choice(['长江', '黄河', '珠江', '湘江'])}路{rng.randint(1, 300)}号",
            "postcode": "412007",
            "email": "",
        }
        if kind == ApplicantKind.NATURAL:
            birth = date(
                rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)
            )
            body = f"430211{birth:%Y%m%d}{rng.randint(100, 999)}"
            fields.update(
                applicant_type="citizen",
                id_type="resident_id",
                id_number=body + id_check_char(body),
                applicant_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            )
        else:
            alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
            body = "91430211" + "".join(rng.choice(alphabet) for _ in range(9))
            fields.update(
                applicant_type="organisation",
                uscc=body + uscc_check_char(body),
                applicant_name=rng.choice(ORGS[kind]),
                contact_name=rng.choice(SURNAMES) + "经办",
                legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
            )
        return fields

    # -- one request --------------------------------------------------------------------------
    def make(self, n: int, received_target: date) -> InfoRequest | None:
        rng, today = self.c.rng, self.c.today
        agency_name = _pick(rng, AGENCY_WEIGHTS)
        agency = self.agencies[agency_name]
        kind = _pick(rng, KIND_WEIGHTS)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        year = received_target.year
        topic = rng.choice(TOPICS[agency_name]).format(
            y=rng.choice([year - 1, year]), n=rng.randint(1, 12)
        )
        fields = {
            **self.applicant(kind, n),
            "description": f"请公开{topic}。",
            "provide_forms": rng.sample(["paper", "email", "cd"], k=rng.randint(1, 2)),
            "delivery_methods": rng.sample(
                ["post", "email", "pickup"], k=rng.randint(1, 2)
            ),
            "accept_other_forms": rng.random() < 0.7,
        }
        if not fields.get("email"):  # e-mail chosen needs an address (application rule)
            for name, fallback in (
                ("provide_forms", "paper"),
                ("delivery_methods", "post"),
            ):
                fields[name] = [v for v in fields[name] if v != "email"] or [fallback]
        handler = self.handler(agency_name)
        arrive = received_target
        if channel == Channel.ONLINE:
            sub = services.request_submit_online(
                agency=agency,
                now=self.at(arrive, rng.randint(7, 16), rng.randint(0, 59)),
                **fields,
            )
            req = sub.info_request
            confirm_day = self.workday_on_or_after(
                arrive + timedelta(days=1 if rng.random() < 0.5 else 0)
            )
            age = (today - arrive).days
            if age <= 3 and rng.random() < 0.7:
                self.codes.append((req.tracking_no, sub.query_code, "待确认"))
                return req
            if confirm_day > today:
                return req
            started = self.at(confirm_day, 17 if confirm_day == arrive else 9, 30)
            req = services.request_confirm(info_request=req, by=handler, now=started)
        else:
            arrive = self.workday_on_or_after(arrive)
            extra: dict[str, Any] = {}
            if channel == Channel.POST_SIGNED:
                extra["signed_date"] = arrive
            elif channel in (Channel.POST_ORDINARY, Channel.EMAIL, Channel.FAX):
                extra["confirmed_date"] = arrive
            sub = services.request_register_offline(
                agency=agency,
                by=handler,
                channel=channel,
                submitted_at=self.at(arrive, 9),
                now=self.at(arrive, 10),
                **extra,
                **fields,
            )
            req = sub.info_request
            started = self.at(arrive, 10)
        req = services.request_assign(
            info_request=req,
            by=handler,
            assignee=handler,
            now=min(started + timedelta(minutes=5), self.c.now),
        )
        self.drive(req, handler, agency_name, sub.query_code)
        return req

    def drive(
        self, req: InfoRequest, handler: Any, agency_name: str, code: str
    ) -> None:
        rng, today = self.c.rng, self.c.today
        age = (today - req.received_date).days
        if age > 24:
            # a story that would run past today leaves the request in its current state
            with contextlib.suppress(Later):
                self.close(
                    req, handler, agency_name, _pick(rng, ENDINGS), simple=age <= 100
                )
        else:
            self.keep_open(req, handler, agency_name, _pick(rng, OPEN_STATES), code)

    def on(self, d: date) -> date:
        if d > self.c.today:
            raise Later
        return d

    def close(
        self,
        req: InfoRequest,
        handler: Any,
        agency_name: str,
        ending: Any,
        *,
        simple: bool,
    ) -> None:
        rng = self.c.rng
        received = req.received_date
        floor = received
        if ending == "withdraw":
            services.request_withdraw(
                info_request=req,
                reason="已通过其他途径获取",
                now=self.at(self.on(self.plus(received, rng.randint(1, 8))), 15),
            )
            return
        if ending in (Outcome.NO_CORRECTION, Outcome.STILL_UNCLEAR) or (
            not simple and rng.random() < 0.06
        ):
            asked = self.on(self.plus(received, rng.randint(1, 6)))
            req = services.request_ask_correction(
                info_request=req,
                by=handler,
                now=self.at(asked, 11),
                items="请写明所需信息的名称、文号或者形成时间等特征。",
            )
            if ending == Outcome.NO_CORRECTION:
                services.request_expire_correction(
                    info_request=req,
                    now=self.at(
                        self.on(req.correction_due_date + timedelta(days=1)), 8
                    ),
                )
                return
            floor = self.on(self.plus(asked, rng.randint(2, 10)))
            req = services.request_receive_correction(
                info_request=req,
                now=self.at(floor, 16),
                text="补充：所需信息为该事项的正式文件。",
            )
        if ending == Outcome.UNPAID_FEE:
            sent_on = self.on(self.plus(req.clock_start_date, 3))
            fee = services.request_send_fee_notice(
                info_request=req,
                by=handler,
                method="by_volume",
                quantity=rng.randint(120, 400),
                now=self.at(sent_on, 10),
            )
            if fee.pay_by_date is None:
                # posted (EMS): the payment period runs from its recorded receipt
                from requests_app.services.letters import letter_record_delivery

                arrived = self.on(self.plus(sent_on, 2))
                letter_record_delivery(
                    letter=fee.letter,
                    by=handler,
                    method="ems",
                    tracking_number=f"EMS{req.pk:09d}CN",
                    delivered_date=arrived,
                    now=self.at(arrived, 17),
                )
                fee.refresh_from_db()
            services.request_expire_fee(
                info_request=req,
                now=self.at(self.on(fee.pay_by_date + timedelta(days=1)), 8),
            )
            return
        if ending in (Outcome.PARTIAL, Outcome.THIRD_PARTY) or (
            not simple and rng.random() < 0.05
        ):
            sent = self.on(self.plus(req.clock_start_date, rng.randint(2, 6)))
            services.request_start_consultation(
                info_request=req,
                by=handler,
                party_type=PartyType.THIRD_PARTY,
                party_name="相关企业",
                now=self.at(sent, 10),
            )
            floor = self.on(self.plus(sent, rng.randint(3, 15)))
            services.request_end_consultation(
                info_request=req,
                by=handler,
                opinion="不同意公开其商业信息",
                now=self.at(floor, 15),
            )
            req.refresh_from_db()
        approver = STAFF[agency_name][1]
        if approver and not simple and rng.random() < 0.12:
            ask = self.on(
                self.plus(max(floor, req.clock_start_date), rng.randint(3, 8))
            )
            if ask <= req.reply_due_date:
                services.request_request_extension(
                    info_request=req,
                    by=handler,
                    days=rng.choice([10, 15, 20]),
                    reason="所需信息涉及多个科室，需要调取档案核实",
                    now=self.at(ask, 10),
                )
                req = services.request_decide_extension(
                    info_request=req,
                    by=self.c.users[approver],
                    approve=True,
                    now=self.at(ask, 16),
                )
                floor = ask
        # reply inside the period, after the last step (and, rarely, late — as in real life)
        replied = max(
            self.plus(req.clock_start_date, rng.randint(2, 18)), self.plus(floor, 1)
        )
        replied = min(replied, req.reply_due_date)
        if rng.random() < 0.03:
            replied = self.plus(req.reply_due_date, rng.randint(1, 3))
        replied = self.on(replied)
        notices = self.c.notices.get(req.agency_id) or []
        notice = (
            rng.choice(notices)
            if ending == Outcome.DISCLOSED and notices and rng.random() < 0.3
            else None
        )
        reason = (
            "经审查，所申请信息中涉及第三方商业秘密的部分不予公开，其余部分予以公开。"
            if ending == Outcome.PARTIAL
            else "经审查，依法作出上述答复。"
        )
        ground = next(g.key for g in letters.GROUND_LIST if g.outcome == ending)
        if ending == Outcome.NOT_HELD:
            ground = "not_ours"
        spec = letters.GROUNDS[ground]
        material = {}
        if spec.needs_material:
            material = (
                {"material_kind": "notice", "notice": notice}
                if notice is not None
                else {"material_kind": "post", "material_date": replied}
            )
        letter = letter_svc.reply_draft(
            info_request=req,
            by=handler,
            ground=ground,
            reason=reason if spec.needs_reason else "",
            other_agency="天元区住房和城乡建设局" if spec.needs_other_agency else "",
            other_agency_contact="0731-28112401" if spec.needs_other_agency else "",
            now=self.at(replied, 15, rng.randint(0, 59)),
            **material,
        )
        letter = letter_svc.letter_submit(
            letter=letter, by=handler, now=self.at(replied, 16)
        )
        if letter.status != "sent":
            letter_svc.letter_approve(
                letter=letter,
                by=self.c.users[SIGNERS[agency_name]],
                now=self.at(replied, 17),
            )
        archived = self.plus(replied, 5)
        if (self.c.today - replied).days > 365 and rng.random() < 0.8:
            services.request_archive(
                info_request=req, by=handler, now=self.at(self.on(archived), 9)
            )

    def around_today(self) -> int:
        """Requests in 办理中 whose 答复期限 falls around the seeding day, so the queue's
        deadline column shows every state: one due today, two due within a few working
        days, and two overdue by a few days (examples of 依申请公开逾期未答复 for the
        compliance monitor). Paused ones (补正, 征求意见) come from ``keep_open``."""
        today = self.c.today
        by_due: dict[date, date] = {}
        for back in range(60, 0, -1):
            received = today - timedelta(days=back)
            if is_workday(received, self.c.cal):
                by_due.setdefault(self.plus(received, 20), received)
        dues = sorted(by_due)
        wanted = [d for d in dues if d == today]
        wanted += [d for d in dues if today < d][:2]
        wanted += [d for d in dues if today - timedelta(days=7) <= d < today][-2:]
        # and two more, due within the next weeks, paused for 补正 and 征求意见
        wanted = [
            *[d for d in dues if d > today + timedelta(days=10)][:2],
            *wanted,
        ]
        agencies = [
            "天元区教育局",
            "天元区财政局",
            "天元区人民政府",
            "天元区教育局",
            "天元区人民政府办公室",
        ]
        for i, due in enumerate(wanted):
            agency_name = agencies[i % len(agencies)]
            handler = self.handler(agency_name)
            received = by_due[due]
            topic = self.c.rng.choice(TOPICS[agency_name]).format(
                y=received.year, n=self.c.rng.randint(1, 12)
            )
            sub = services.request_register_offline(
                agency=self.agencies[agency_name],
                by=handler,
                channel=Channel.IN_PERSON,
                submitted_at=self.at(received, 9),
                now=self.at(received, 10),
                description=f"请公开{topic}。",
                provide_forms=["paper"],
                delivery_methods=["pickup"],
                accept_other_forms=True,
                **self.applicant(ApplicantKind.NATURAL, i),
            )
            req = services.request_assign(
                info_request=sub.info_request,
                by=handler,
                assignee=handler,
                now=self.at(received, 10, 5),
            )
            if i < len(PAUSES):
                # paused the working day after arrival (the deadline column shows 暂停)
                self.pause(req, handler, PAUSES[i], self.plus(received, 1))
        return len(wanted)

    def pause(self, req: InfoRequest, handler: Any, kind: str, day: date) -> None:
        day = self.workday_on_or_after(day)
        if day > self.c.today:
            return
        if kind == "correction":
            services.request_ask_correction(
                info_request=req,
                by=handler,
                now=self.at(day, 11),
                items="请说明所需信息对应的年份和项目名称。",
            )
        else:
            services.request_start_consultation(
                info_request=req,
                by=handler,
                party_type=PartyType.THIRD_PARTY,
                party_name="相关企业",
                now=self.at(day, 10),
            )

    def keep_open(
        self, req: InfoRequest, handler: Any, agency_name: str, state: str, code: str
    ) -> None:
        rng, today = self.c.rng, self.c.today
        received = req.received_date
        if state == "correction" and received >= today - timedelta(days=9):
            asked = min(self.plus(received, 1), today)
            services.request_ask_correction(
                info_request=req,
                by=handler,
                now=self.at(asked, 11),
                items="请说明所需信息对应的年份和项目名称。",
            )
        elif state == "consulting":
            sent = min(self.plus(received, 2), today)
            services.request_start_consultation(
                info_request=req,
                by=handler,
                party_type=PartyType.OTHER_AGENCY,
                party_name="天元区自然资源局",
                now=self.at(sent, 10),
            )
        elif state == "payment":
            services.request_send_fee_notice(
                info_request=req,
                by=handler,
                method="by_item",
                quantity=rng.randint(11, 35),
                now=self.at(min(self.plus(received, 2), today), 10),
            )
        elif state in ("extension_pending", "extended") and STAFF[agency_name][1]:
            ask = min(self.plus(received, 3), today)
            services.request_request_extension(
                info_request=req,
                by=handler,
                days=20,
                reason="所需信息数量较大，需要逐页审核",
                now=self.at(ask, 10),
            )
            if state == "extended":
                services.request_decide_extension(
                    info_request=req,
                    by=self.c.users[STAFF[agency_name][1]],
                    approve=True,
                    now=self.at(ask, 17),
                )
        if len(self.codes) < 6:
            self.codes.append(
                (
                    req.tracking_no,
                    code,
                    Status(InfoRequest.objects.get(pk=req.pk).status).label,
                )
            )


def build(out, **context) -> dict:
    if InfoRequest.objects.exists():
        out.write("  已有依申请公开数据，未再生成演示申请")
        return {}
    agencies = context["agencies"]
    now = timeutil.local_now()
    today = now.date()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[
                *(n for names, a in STAFF.values() for n in [*names, a] if n),
                *SIGNERS.values(),
            ]
        )
    }
    from catalog.models import Notice

    notices: dict[int, list] = {}
    for n in Notice.objects.listed().only(
        "pk", "title", "index_number", "uuid", "owner_agency_id", "status"
    ):
        notices.setdefault(n.owner_agency_id, []).append(n)
    ctx = Ctx(
        rng=random.Random(20240102),  # noqa: S311 - repeatable demo data
        cal=load_calendar(),
        today=today,
        now=now,
        users=users,
        notices=notices,
    )
    builder = Builder(ctx, agencies)
    made = skipped = 0
    first_day = FIRST_DAY or date(today.year - 2, 1, 2)
    month = date(first_day.year, first_day.month, 1)
    n = 0
    while month <= today:
        for _ in range(PER_MONTH):
            day = month + timedelta(days=ctx.rng.randint(0, 27))
            if day < first_day or day >= today:
                continue
            n += 1
            try:
                builder.make(n, day)
                made += 1
            except (
                ValidationError
            ) as exc:  # a combination the law refuses: leave it out
                skipped += 1
                out.write(f"  跳过一件演示申请：{'；'.join(exc.messages)}")
        month = (month + timedelta(days=32)).replace(day=1)
    made += builder.around_today()
    counts = {
        Status(s).label: c
        for s, c in InfoRequest.objects.values_list("status")
        .order_by("status")
        .annotate(c=Count("pk"))
    }
    out.write(
        f"  依申请公开申请 {made} 件（{'，'.join(f'{k} {v}' for k, v in counts.items())}）"
    )
    for tracking_no, code, label in builder.codes[:6]:
        out.write(f"  演示查询：申请编号 {tracking_no}  查询码 {code}（{label}）")
    return {"info_requests": made}
