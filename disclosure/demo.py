"""Demo annual reports for ``seed_demo`` (runs after portal, catalog and requests_app).

* the seed's 2013 report of 天元区人民政府 as a legacy, text-only published report with
  its original 发布时间 (2014-02-27) and 索引号 (0122/2016-00001);
* computed reports of every agency for the three years before the seeding year,
  built through ``disclosure.services`` exactly as staff would (open, fill the manual
  cells and narratives, submit, approve, publish in the second half of January of the
  next year). Every figure of tables 二–四 is computed by ``disclosure.stats`` from the
  demo's own notices, requests and cases. The 区人民政府's report is a 本级政府年报
  （含办公室）: ``portal.demo`` includes the 办公室 in it (``Agency.report_included_in``),
  so its tables count the applications, notices, cases and fees of both and it says
  “统计范围：天元区人民政府（含区人民政府办公室）”; the 办公室 publishes no report of its
  own (the monitor says 已并入天元区人民政府年报). The narratives quote those figures
  (主动公开 counts the published notices of the report's agencies). The
  manual cells (行政许可/处罚/强制, 事业性收费) are filled only for the agencies that
  hold those powers (``catalog.demo_statutory.REQUIRED``), from a fixed per-agency base.
* Relative to the seeding day: a report for a year that has not ended is never
  published; last year's reports are published on their January day once it has passed
  (seeded earlier in January they are complete drafts). Examples for the monitor:
  财政局 published the report of two years ago late (10 February), and LATE_TOWNSHIP
  has not published last year's report (已逾期未发布 after 31 January). The education
  bureau corrects last year's report on 9 February and has the current year's draft.
* a few 复议/诉讼 cases for table 四.

Deterministic for a given seeding day (one seeded ``random.Random``); re-running skips
what exists.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from disclosure import layout, services
from disclosure.content import live_content
from disclosure.models import AnnualReport, AppealCase
from portal import roles
from portal.models import Agency

BEIJING = ZoneInfo("Asia/Shanghai")
SEED = 20140227
REPORT_2013_FILE = (
    Path(__file__).resolve().parent.parent
    / "catalog"
    / "demo_data"
    / "tianyuan_2013_report.txt"
)
LEGACY_2013 = {
    "index_number": "0122/2016-00001",
    "published_at": datetime(2014, 2, 27, 0, 0, tzinfo=BEIJING),
}
LATE_TOWNSHIP = "天元区雷打石镇人民政府"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo accounts' shared password (printed by portal.demo)


def _user(username: str, agency: Agency, role_names: list[str], full_name: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.demo import demo_password_hash
    from portal.models import StaffProfile

    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "is_staff": True,
            "first_name": full_name,
            "email": f"{username}@tianyuan.example.gov.cn",
        },
    )
    if created:
        user.password = demo_password_hash()  # hashed once: PBKDF2 is slow on purpose
        user.save(update_fields=["password"])
    StaffProfile.objects.get_or_create(user=user, defaults={"agency": agency})
    for role in role_names:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _people(agency: Agency, slug: str) -> tuple:
    """An admin and a reviewer (审核人) of ``agency`` (existing demo users when present)."""
    admins = [
        p.user
        for p in agency.staff_profiles.select_related("user")
        if roles.has_role(p.user, roles.ADMIN)
    ]
    approvers = [
        p.user
        for p in agency.staff_profiles.select_related("user")
        if roles.has_role(p.user, roles.APPROVER)
    ]
    admin = (
        admins[0]
        if admins
        else _user(f"{slug}_nb", agency, [roles.ADMIN], "年报管理员")
    )
    # the submitter may never approve their own report: a second person approves
    others = [u for u in approvers if u.pk != admin.pk]
    approver = (
        others[0]
        if others
        else _user(f"{slug}_sh", agency, [roles.APPROVER], "年报审核人")
    )
    return admin, approver


def _moment(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=BEIJING)


def _narratives(report: AnnualReport, rng: random.Random) -> dict[str, str]:
    content = live_content(report)
    f = content.figures
    t = f.table3
    name, year = report.agency.name, report.year
    new, carried = (
        t[layout.ROW_NEW][layout.TOTAL],
        t[layout.ROW_CARRIED_IN][layout.TOTAL],
    )
    closed, carried_out = (
        t[layout.ROW_CLOSED_TOTAL][layout.TOTAL],
        t[layout.ROW_CARRIED_OUT][layout.TOTAL],
    )
    disclosed = t["（一）予以公开"][layout.TOTAL]
    issued = f.cell2(layout.NORMATIVE, layout.ISSUED)
    appeals = sum(f.table4[g][layout.TOTAL] for g in layout.TABLE4_GROUPS)
    from catalog.models import Notice
    from disclosure.stats import scope_agencies

    start, end = date(year, 1, 1), date(year, 12, 31)
    items = (
        Notice.objects.published()
        .filter(
            owner_agency_id__in=scope_agencies(report.agency_id),
            published_at__date__gte=start,
            published_at__date__lte=end,
        )
        .count()
    )
    scope = (
        f"本报告统计范围为{content.scope_label}，各项数据均合并统计。\n"
        if content.included
        else ""
    )
    return {
        "section_overview": (
            f"{scope}{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
            f"和上级政务公开工作要点，围绕中心工作推进决策、执行、管理、服务、结果公开。\n"
            f"（一）主动公开。全年通过政府信息公开平台主动公开政府信息 {items} 条，制发行政规范性文件 {issued} 件，"
            f"均按规定同步公开并做好政策解读。\n"
            f"（二）依申请公开。全年收到政府信息公开申请 {new} 件，上年结转 {carried} 件，办结 {closed} 件，"
            f"结转下年度继续办理 {carried_out} 件，均在法定期限内登记、审核、办理、答复和归档。\n"
            f"（三）政府信息管理。落实公开属性源头认定和发布前保密审查，动态更新政府信息公开目录。\n"
            f"（四）平台建设。优化政府信息公开平台栏目设置，完善检索功能和适老化、无障碍服务。\n"
            f"（五）监督保障。将政务公开纳入年度绩效考核，开展业务培训 {rng.randint(1, 4)} 次。"
        ),
        "section_active": (
            f"本年度制发行政规范性文件 {issued} 件，均按规定通过政府信息公开平台主动公开，"
            "主动公开情况详见下表。"
        ),
        "section_requests": f"本年度予以公开 {disclosed} 件，其余申请均依法作出答复并告知理由和救济途径。"
        if new or carried
        else "本年度未收到政府信息公开申请。",
        "section_appeals": (
            f"本年度涉及政府信息公开的行政复议、行政诉讼案件共 {appeals} 件，详见下表。"
            if appeals
            else "本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。"
        ),
        "section_problems": (
            f"{year}年工作中仍存在一些不足：一是部分栏目信息更新不够及时；二是政策解读形式较为单一。"
            f"下一步，{name}将加强信息发布审核和栏目日常维护，丰富图解、视频等解读形式，持续提升公开质量。"
        ),
        "section_other": (
            "依据《政府信息公开信息处理费管理办法》，本年度信息处理费收取情况见下表。"
            f"本机关认真落实{year}年政务公开工作要点，人大代表建议和政协提案办理结果均已按规定公开。"
        ),
    }


def _appeals(
    agency: Agency, admin, rng: random.Random, years: tuple[int, ...], today: date
) -> int:
    if AppealCase.objects.filter(agency=agency).exists():
        return 0
    made = 0
    for year in years:
        for _ in range(rng.randint(0, 2)):
            kind = rng.choice(list(AppealCase.Kind))
            filed = date(year, rng.randint(2, 11), rng.randint(1, 28))
            result = rng.choice(
                [
                    AppealCase.Result.UPHELD,
                    AppealCase.Result.UPHELD,
                    AppealCase.Result.CORRECTED,
                    AppealCase.Result.OTHER,
                    AppealCase.Result.PENDING,
                ]
            )
            decided = None
            if result != AppealCase.Result.PENDING:
                decided = date(
                    filed.year + (1 if filed.month > 9 else 0),
                    (filed.month + 2) % 12 + 1,
                    min(filed.day, 28),
                )
                decided = max(decided, filed)
                if decided > today:
                    result, decided = AppealCase.Result.PENDING, None
            court = (
                "株洲市天元区人民法院"
                if kind != AppealCase.Kind.RECONSIDERATION
                else "株洲市人民政府"
            )
            services.appeal_case_save(
                agency=agency,
                by=admin,
                kind=kind,
                filed_year=year,
                filed_date=filed,
                result=result,
                decided_date=decided,
                case_number=f"（{year}）湘0211行初{rng.randint(10, 99)}号"
                if kind != AppealCase.Kind.RECONSIDERATION
                else f"株政复〔{year}〕{rng.randint(10, 99)}号",
                note=f"{court}受理",
            )
            made += 1
    return made


def _manual(agency: Agency, year: int) -> dict:
    """Table 二's typed cells: only for the agencies holding those powers, from a fixed
    per-agency base that grows a little each year (never random per year)."""
    from catalog.demo_statutory import REQUIRED

    base = sum(ord(c) for c in agency.name) % 97
    growth = year % 10
    licensing = agency.name in REQUIRED["xzxk"]
    penalty = agency.name in REQUIRED["xzcf"]
    fees = agency.name in REQUIRED["sfxm"]
    return {
        "licensing_count": 300 + 4 * base + 12 * growth if licensing else 0,
        "penalty_count": 20 + base % 40 + 2 * growth if penalty else 0,
        "coercion_count": 2 + base % 5 if penalty else 0,
        "fee_amount": Decimal(120 + base + 3 * growth) if fees else Decimal(0),
    }


def _publish_year(
    agency: Agency,
    year: int,
    admin,
    approver,
    rng: random.Random,
    *,
    publish_on: date | None,
    out,
) -> AnnualReport | None:
    if AnnualReport.objects.filter(agency=agency, year=year).exists():
        return None
    opened = _moment(date(year + 1, 1, 4), 9)
    report = services.report_open(agency=agency, year=year, by=admin, now=opened)
    manual = _manual(agency, year)
    services.report_update(
        report=report, by=admin, now=opened, **manual, **_narratives(report, rng)
    )
    if publish_on is None:
        return None  # last year's report, before its publication day: a complete draft
    try:
        services.report_submit(report=report, by=admin, now=_moment(publish_on, 9))
        services.report_approve(
            report=report, by=approver, now=_moment(publish_on, 10), comment="同意发布"
        )
        services.report_publish(report=report, by=admin, now=_moment(publish_on, 15))
    except ValidationError as exc:
        out.write(f"  {agency.name}{year}年年报未能发布：{'；'.join(exc.messages)}")
        return None
    return report


def build(out, **context) -> dict:
    from portal import timeutil

    agencies: dict[str, Agency] = context["agencies"]
    government: Agency = context["government"]
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
    today = timeutil.local_today()
    this_year = today.year
    years = (this_year - 3, this_year - 2, this_year - 1)

    legacy = services.report_import_legacy(
        agency=government,
        year=2013,
        text=REPORT_2013_FILE.read_text(encoding="utf-8"),
        published_at=LEGACY_2013["published_at"],
        index_number=LEGACY_2013["index_number"],
        by=None,
        now=LEGACY_2013["published_at"],
    )
    people = {}
    for i, (name, agency) in enumerate(agencies.items()):
        people[name] = _people(agency, f"nianbao{i:02d}")

    cases = sum(
        _appeals(agencies[name], admin, rng, years, today)
        for name, (admin, _) in people.items()
        if name
        in ("天元区人民政府", "天元区人民政府办公室", "天元区教育局", "天元区财政局")
    )
    published = 0
    for year in years:
        for i, (name, (admin, approver)) in enumerate(people.items()):
            agency = agencies[name]
            if agency.report_included_in_id is not None:
                continue  # its figures are in the including agency's report
            day: date | None = date(year + 1, 1, 15 + i % 14)
            while day.weekday() >= 5:  # a working day
                day += timedelta(days=1)
            if name == "天元区财政局" and year == this_year - 2:
                day = date(year + 1, 2, 10)  # published late: shows on the dashboard
            if name == LATE_TOWNSHIP and year == this_year - 1:
                day = None  # not published yet: the monitor's example
            if day is not None and day > today:
                day = None
            if _publish_year(
                agency, year, admin, approver, rng, publish_on=day, out=out
            ):
                published += 1

    # a correction: 教育局's report on last year republished with a 更正说明
    edu = agencies.get("天元区教育局")
    corrected = 0
    when = date(this_year, 2, 9)
    if edu is not None and when <= today:
        report = AnnualReport.objects.filter(
            agency=edu, year=this_year - 1, current_version=1
        ).first()
        if report is not None:
            admin, approver = people[edu.name]
            services.report_start_correction(
                report=report, by=admin, now=_moment(when, 9)
            )
            services.report_update(
                report=report,
                by=admin,
                now=_moment(when, 9),
                licensing_count=(report.licensing_count or 0) + 3,
                section_problems=report.section_problems
                + "\n（已补充行政许可统计口径说明。）",
            )
            services.report_submit(report=report, by=admin, now=_moment(when, 10))
            services.report_approve(report=report, by=approver, now=_moment(when, 11))
            services.report_publish(
                report=report,
                by=admin,
                now=_moment(when, 16),
                correction_note="表二“行政许可”本年处理决定数量漏计 3 件（一网通办平台数据延迟），予以更正。",
            )
            corrected = 1

    # the current year's draft, in progress
    drafts = 0
    if (
        edu is not None
        and not AnnualReport.objects.filter(agency=edu, year=this_year).exists()
    ):
        admin, _ = people[edu.name]
        opened = _moment(max(date(this_year, 1, 2), today - timedelta(days=20)), 9)
        opened = min(opened, timeutil.local_now())
        report = services.report_open(agency=edu, year=this_year, by=admin, now=opened)
        services.report_update(
            report=report,
            by=admin,
            now=opened,
            section_overview=f"（草稿）{this_year}年政府信息公开工作总体情况，年度结束后补充完整。",
        )
        drafts = 1
    out.write(
        f"  年报：历史年报 1 份（{legacy.title}），发布 {published} 份（{years[0]}–{years[-1]} 年），"
        f"更正 {corrected} 份，草稿 {drafts} 份；复议诉讼案件 {cases} 件"
    )
    return {"annual_reports": published}
