"""A realistic small portal and a tour of every page type, for the accessibility,
reflow and page-weight tests.

``build_world()`` makes the data through the services (the production path): two
departments, published notices with attachments and a 解读, a withdrawn notice, requests
that are overdue, due soon, pending and answered (with 补正 and a reply file), a published
annual report with its 复议 case and a draft for the current year.

``tour(page, world, visit)`` opens every page type in one browser page — public pages,
the applicant's pages (a failed submit, a lookup, the case), then the staff pages after a
real login — and calls ``visit(name, page)`` on each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.disclosure.helpers import NARRATIVES

STAFF_PASSWORD = "correct-horse-battery"  # noqa: S105 - tests/factories.py UserFactory
NO_HITS_QUERY = "氪星鸭嘴兽"  # no notice contains these characters


@dataclass
class World:
    notice_url: str
    interpretation_url: str
    tracking_no: str
    query_code: str
    staff_request_url: str
    report_url: str
    draft_report_url: str
    draft_edit_url: str
    staff_username: str
    theme_id: int
    year: int


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    from portal.timeutil import local_now

    return local_now().replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=hour,
        minute=0,
        second=0,
        microsecond=0,
    )


def _confirm_day_due_between(
    today: dt.date, first: dt.date, last: dt.date, cal
) -> dt.date:
    """A confirmation day (the receipt day) whose 20-working-day reply deadline falls in [first, last]."""
    from portal.workdays import add_working_days, is_workday
    from requests_app import deadlines

    for back in range(1, 90):
        day = today - dt.timedelta(days=back)
        if is_workday(day, cal):
            due = add_working_days(day, deadlines.REPLY_WORKDAYS, cal).due_date
            if first <= due <= last:
                return day
    raise AssertionError("no confirmation day gives that deadline")


def build_world() -> World:
    from catalog import services as cs
    from catalog.demo import build_docx, build_pdf
    from catalog.models import Column, Genre, Theme
    from disclosure import services as ds
    from disclosure.models import AppealCase
    from portal import roles
    from portal.models import SiteIdentity
    from portal.timeutil import local_today
    from portal.workdays import is_workday, load_calendar
    from requests_app import selectors
    from requests_app import services as rs
    from tests.factories import (
        AgencyFactory,
        InfoRequestFactory,
        StaffFactory,
        send_reply,
    )

    today = local_today()

    def day(days_ago: int) -> dt.date:
        return today - dt.timedelta(days=days_ago)

    SiteIdentity.objects.update_or_create(
        pk=1,
        defaults={
            "site_name": "天元区人民政府信息公开平台",
            "domain": "www.tyq.gov.cn",
            "sponsor": "天元区人民政府办公室",
            "site_code": "4302110001",
            "icp_number": "湘ICP备05004400号-1",
            "police_record": "湘公网安备 43020302000123号",
            "contact_phone": "0731-28112401",
            "contact_email": "xxgk@tyq.gov.cn",
            "address": "天元区天台路1号",
        },
    )
    education = AgencyFactory(
        name="天元区教育局", short_name="区教育局", org_code="00001434-9"
    )
    finance = AgencyFactory(
        name="天元区财政局", short_name="区财政局", org_code="014416330"
    )
    alice = StaffFactory(
        username="alice",
        first_name="李承办",
        agency=education,
        roles=[roles.HANDLER, roles.ADMIN],
    )
    dora = StaffFactory(
        username="dora", first_name="张审核", agency=education, roles=[roles.APPROVER]
    )

    # --- catalog: notices in several columns, themes and years ----------------------------------
    theme = Theme.objects.get(name="教育", parent__name="科技、教育")
    finance_theme = Theme.objects.get(name="财政", parent__name="财政、金融、审计")
    notice_genre = Genre.objects.get(name="通知")
    policies = Column.objects.get(slug="zcwj")
    readings = Column.objects.get(slug="zcjd")
    bulletins = Column.objects.get(slug="tzgg")
    year = (
        today - dt.timedelta(days=60)
    ).year  # last year's report was published on 9 January of it
    published = []
    for i, (title, agency, col, th) in enumerate(
        [
            ("关于做好义务教育招生入学工作的通知", education, policies, theme),
            ("天元区中小学校舍安全工程实施方案", education, policies, theme),
            ("关于公布区级部门预算的公告", finance, bulletins, finance_theme),
            ("关于开展学前教育普惠性幼儿园认定的通知", education, bulletins, theme),
            ("天元区教育事业发展第十五个五年规划", education, policies, theme),
            ("关于下达区级财政专项资金的通知", finance, policies, finance_theme),
        ]
    ):
        notice = cs.notice_create(
            owner_agency=agency,
            by=None,
            title=title,
            doc_number=f"天{'教' if agency == education else '财'}发〔{day(20 + 35 * i).year}〕{i + 1}号",
            written_date=day(21 + 35 * i),
            theme=th,
            genre=notice_genre,
            column=col,
            keywords=["招生", "教育"] if agency == education else ["预算"],
            summary=f"{title}的主要内容和适用范围。",
            body="<p>各学校：</p><p>现将有关事项通知如下，请认真贯彻执行。报名时间为每年7月1日至7月10日。</p>"
            "<p>咨询电话：0731-28112401。</p>",
        )
        published.append(
            cs.notice_publish(notice=notice, by=None, now=_at(day(20 + 35 * i), 9))
        )
    # enough more for a full first page of the 目录 (20) and a second page
    subjects = [
        "校园食品安全",
        "教师招聘",
        "学生资助",
        "校车管理",
        "课后服务",
        "民办学校年检",
        "中考报名",
        "教育收费",
        "校园安全",
        "义务教育均衡",
        "职业教育",
        "学前教育",
        "特殊教育",
        "教育督导",
        "政府采购",
        "专项资金绩效",
        "国有资产管理",
        "预算执行",
    ]
    for i, subject in enumerate(subjects):
        agency = education if i < 14 else finance
        notice = cs.notice_create(
            owner_agency=agency,
            by=None,
            title=f"关于做好{day(30 + 25 * i).year}年{subject}工作的通知",
            doc_number=f"天{'教' if agency == education else '财'}发〔{day(30 + 25 * i).year}〕{10 + i}号",
            written_date=day(31 + 25 * i),
            theme=theme if agency == education else finance_theme,
            genre=notice_genre,
            column=bulletins if i % 2 else policies,
            summary=f"部署{subject}有关工作。",
            body=f"<p>各有关单位：</p><p>为做好{subject}工作，现将有关事项通知如下。</p>",
        )
        cs.notice_publish(notice=notice, by=None, now=_at(day(30 + 25 * i), 9))
    policy = published[0]
    cs.attachment_add(
        notice=policy,
        by=alice,
        security_review_confirmed=True,  # a published notice: new public content
        name="招生入学实施细则.pdf",
        content=build_pdf(
            "天元区义务教育招生入学实施细则", ["报名时间：7月1日至7月10日"]
        ),
    )
    cs.attachment_add(
        notice=policy,
        by=alice,
        security_review_confirmed=True,
        name="学校划片范围.docx",
        content=build_docx("学校划片范围", ["天元区第一小学：天台路以东"]),
    )
    reading = cs.notice_publish(
        notice=cs.notice_create(
            owner_agency=education,
            by=None,
            title="《关于做好义务教育招生入学工作的通知》政策解读",
            theme=theme,
            genre=Genre.objects.get(name="解读"),
            column=readings,
            summary="一图读懂招生政策。",
            body="<p>一、出台背景</p><p>二、主要内容</p>",
        ),
        by=None,
        now=_at(day(18), 10),
    )
    cs.notice_link_interpretation(policy=policy, interpretation=reading, by=alice)
    withdrawn = published[3]
    cs.notice_withdraw(
        category="mistake",
        notice=withdrawn,
        by=None,
        now=_at(day(5)),
        reason="已被新文件替代",
    )

    # --- requests: answered (with 补正 and a reply file), overdue, due soon, pending -------------
    cal = load_calendar(years=[today.year - 1, today.year, today.year + 1])
    start = today - dt.timedelta(days=40)
    while not is_workday(start, cal):
        start -= dt.timedelta(days=1)
    answered = InfoRequestFactory(
        agency=education,
        now=_at(start),
        applicant_name="王小明",
        email="wang@example.com",
        confirm_by=alice,
        description="请公开天元区2025年义务教育学校招生划片方案",
    )
    rs.request_ask_correction(
        info_request=answered,
        by=alice,
        items="请写明所需方案的学年。",
        now=_at(start, 15),
    )
    rs.request_receive_correction(
        info_request=answered,
        now=_at(start + dt.timedelta(days=1)),
        text="需要2025—2026学年的划片方案。",
    )
    reply_file = SimpleUploadedFile(
        "招生划片方案.pdf",
        build_pdf("招生划片方案", ["第一小学"]),
        content_type="application/pdf",
    )
    reply_file.checked = None
    send_reply(
        info_request=answered,
        by=alice,
        outcome="disclosed",
        now=_at(start + dt.timedelta(days=7)),
        letter_text="王小明：\n现将2025—2026学年划片方案提供给您。",
        files=[reply_file],
    )
    overdue_day = _confirm_day_due_between(
        today, today - dt.timedelta(days=30), today - dt.timedelta(days=1), cal
    )
    overdue = InfoRequestFactory(
        agency=education,
        now=_at(overdue_day),
        applicant_name="刘逾期",
        confirm_by=alice,
        description="请公开天元区第一中学新校区的立项批复",
    )
    soon_until = selectors.due_soon_until(today, cal)
    soon_day = _confirm_day_due_between(
        today, today + dt.timedelta(days=1), soon_until, cal
    )
    InfoRequestFactory(
        agency=education,
        now=_at(soon_day),
        applicant_name="陈将至",
        confirm_by=alice,
        description="请公开天元区教育局2025年部门决算",
    )
    InfoRequestFactory(
        agency=education,
        now=_at(today, 9),
        applicant_name="赵待确认",
        description="请公开天元区校车安全管理的检查记录",
    )
    rs.request_add_note(
        info_request=overdue,
        by=alice,
        text="已联系学校调取批复文件。",
        now=_at(today, 9),
    )

    # --- annual reports: last year's published (with a 复议 case), this year's draft -----------
    report = ds.report_open(
        agency=education, year=year - 1, by=alice, now=_at(dt.date(year, 1, 5))
    )
    ds.report_update(
        report=report,
        by=alice,
        now=_at(dt.date(year, 1, 6)),
        licensing_count=120,
        penalty_count=7,
        fee_amount=Decimal("3.25"),
        **{
            **NARRATIVES,
            "section_overview": "本年度主动公开政府信息 500 条，办理政府信息公开申请 12 件。",
        },
    )
    ds.appeal_case_save(
        agency=education,
        by=alice,
        kind=AppealCase.Kind.RECONSIDERATION,
        filed_year=year - 1,
        filed_date=dt.date(year - 1, 3, 1),
        result=AppealCase.Result.UPHELD,
        decided_date=dt.date(year - 1, 5, 1),
    )
    ds.report_submit(report=report, by=alice, now=_at(dt.date(year, 1, 8)))
    ds.report_approve(report=report, by=dora, now=_at(dt.date(year, 1, 8)))
    ds.report_publish(report=report, by=alice, now=_at(dt.date(year, 1, 9)))
    draft = ds.report_open(agency=education, year=year, by=alice, now=_at(today))
    # an application from last December, registered only after last year's report was
    # published: this year's "上年结转" no longer matches it, so check R5 fails on the draft
    december = dt.date(year - 1, 12, 15)
    while not is_workday(december, cal):
        december += dt.timedelta(days=1)
    late = InfoRequestFactory(
        agency=education,
        now=_at(december),
        applicant_name="孙结转",
        confirm_by=alice,
        description="请公开天元区2025年校舍维修项目清单",
    )
    send_reply(
        info_request=late,
        by=alice,
        outcome="disclosed",
        now=_at(dt.date(year, 1, 12)),
        letter_text="孙结转：\n现将项目清单提供给您。",
    )

    return World(
        notice_url=reverse("catalog:notice_detail", args=[policy.uuid]),
        interpretation_url=reverse("catalog:notice_detail", args=[reading.uuid]),
        tracking_no=answered.tracking_no,
        query_code=answered.query_code,
        staff_request_url=reverse(
            "requests_app:staff_request_detail", args=[overdue.code]
        ),
        report_url=reverse("disclosure:report_detail", args=[report.pk]),
        draft_report_url=reverse("disclosure:staff_report_detail", args=[draft.pk]),
        draft_edit_url=reverse("disclosure:staff_report_edit", args=[draft.pk]),
        staff_username=alice.username,
        theme_id=theme.pk,
        year=policy.published_at.year,
    )


# --- the tour -------------------------------------------------------------------------------------

Visit = Callable[[str, object], None]


def public_pages(world: World) -> list[tuple[str, str]]:
    """Pages anybody can open with a GET: (name, path)."""
    return [
        ("首页", "/"),
        ("政府信息公开目录", reverse("catalog:notice_list")),
        (
            "检索结果",
            reverse("catalog:notice_list")
            + f"?q=招生&theme={world.theme_id}&year={world.year}",
        ),
        ("检索无结果", reverse("catalog:notice_list") + f"?q={NO_HITS_QUERY}"),
        ("政府信息", world.notice_url),
        ("政策解读", world.interpretation_url),
        ("目录（表格）", reverse("catalog:directory")),
        ("政府信息公开指南", reverse("catalog:guide")),
        ("网站地图", reverse("catalog:sitemap_page")),
        ("依申请公开", reverse("requests_app:landing")),
        ("申请表", reverse("requests_app:apply")),
        ("查询办理进度", reverse("requests_app:lookup")),
        ("年报列表", reverse("disclosure:report_list")),
        ("年报", world.report_url),
        ("数据统计", reverse("disclosure:statistics")),
        ("工作人员登录", reverse("portal:login")),
    ]


def staff_pages(world: World) -> list[tuple[str, str]]:
    return [
        ("工作台", reverse("portal:staff_home")),
        ("申请办理队列", reverse("requests_app:staff_queue")),
        ("申请办理（工作人员）", world.staff_request_url),
        ("登记申请", reverse("requests_app:staff_register")),
        ("年报管理", reverse("disclosure:staff_report_list")),
        ("复议诉讼登记", reverse("disclosure:staff_appeal_list")),
        ("年报草稿", world.draft_report_url),
        ("年报草稿编辑", world.draft_edit_url),
    ]


def open_page(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response is not None, f"{path}: no response"
    assert response.status == status, f"{path}: {response.status}"
    return response


def forget_status_console_error(page, status: int) -> None:
    """Chromium logs "Failed to load resource: … status of 404" for a page answered with an
    error status — which the 404 page, or a staff form re-shown with its errors (400), is
    meant to have. Any other console error still fails the test."""
    page.watch.console_errors[:] = [
        e for e in page.watch.console_errors if f"status of {status} " not in e
    ]


def staff_login(page, world: World) -> None:
    """A real login through the form, landing on the workbench."""
    open_page(page, reverse("portal:login"))
    page.get_by_label("用户名").fill(world.staff_username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + reverse("portal:staff_home"))


def tour(page, world: World, visit: Visit) -> list[str]:
    """Open every page type and call ``visit(name, page)`` on each; returns the names seen."""
    seen: list[str] = []

    def at(name: str) -> None:
        seen.append(name)
        visit(name, page)

    for name, path in public_pages(world):
        open_page(page, path)
        at(name)

    # the application form after a failed submit: errors shown and linked to their fields
    open_page(page, reverse("requests_app:apply"))
    page.get_by_label("姓名或者名称").fill("王小明")
    page.get_by_role("button", name="下一步：核对申请").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").count() == 1
    at("申请表（提交未成功）")

    # the applicant's case, reached by tracking number + 查询码
    open_page(page, reverse("requests_app:lookup"))
    page.get_by_label("申请编号", exact=False).fill(world.tracking_no)
    page.get_by_label("查询码", exact=False).fill(world.query_code)
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_url("**" + reverse("requests_app:case"))
    at("申请人的申请")

    open_page(page, "/no-such-page/", status=404)
    forget_status_console_error(page, 404)
    at("页面不存在")

    staff_login(page, world)
    for name, path in staff_pages(world):
        open_page(page, path)
        at(name)
    return seen
