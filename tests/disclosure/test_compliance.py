"""The compliance monitor (issue 13 §2–§4): one table test per finding kind with
frozen dates, the score's arithmetic, site_check's JSON shape and bad input, and the
query count."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Column
from disclosure.compliance import (
    KINDS,
    Finding,
    annual_report_state,
    column_status,
    internal_links,
    score_card,
    site_report,
)
from tests.disclosure.conftest import at
from tests.factories import AgencyFactory, ColumnFactory, GenreFactory, NoticeFactory

pytestmark = pytest.mark.django_db


def kinds(report, agency) -> list[str]:
    return [f.kind for f in report.findings_of(agency.name)]


def messages(report, agency, kind) -> list[str]:
    return [f.message for f in report.findings_of(agency.name) if f.kind == kind]


# --- columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "max_days", "last", "status"),
    [
        ("dynamic", 14, date(2026, 3, 1), "stale"),  # 15 days old under a 14-day rule
        ("dynamic", 14, date(2026, 3, 2), "ok"),  # 14 days: still fresh
        ("dynamic", 14, None, "empty"),  # never filled
        ("periodic", 183, date(2025, 9, 13), "stale"),
        ("periodic", 183, date(2025, 9, 14), "ok"),
        ("on_change", None, date(2010, 1, 1), "ok"),  # no clock
        ("on_change", None, None, "empty"),
    ],
)
def test_column_status_table(rule, max_days, last, status):
    today = date(2026, 3, 16)
    assert (
        column_status(update_rule=rule, max_days=max_days, last=last, today=today)
        == status
    )


@pytest.fixture
def some_column(agency):
    """A 动态 column (14 days) only ``agency`` must fill."""
    col = ColumnFactory(
        name="测试动态",
        slug="test-dynamic",
        update_rule=Column.UpdateRule.DYNAMIC,
        max_days=14,
        required_scope=Column.RequiredScope.SOME,
    )
    col.required_agencies.set([agency])
    return col


def _state(report, agency, slug):
    return next(
        c for c in report.columns if c.agency == agency.name and c.column_slug == slug
    )


def test_column_fifteen_days_old_is_stale_and_links_to_the_fix(agency, some_column):
    NoticeFactory(
        owner_agency=agency, column=some_column, published_at=at(2026, 3, 1, 10)
    )
    report = site_report(today=date(2026, 3, 16))
    state = _state(report, agency, "test-dynamic")
    assert (state.status, state.last_published, state.max_days) == (
        "stale",
        "2026-03-01",
        14,
    )
    stale = [
        f
        for f in report.findings_of(agency.name)
        if f.kind == "column_stale" and "测试动态" in f.message
    ]
    assert len(stale) == 1
    assert f"column={some_column.pk}" in stale[0].url
    report = site_report(today=date(2026, 3, 15))
    assert _state(report, agency, "test-dynamic").status == "ok"


def test_column_never_filled_is_empty_and_only_for_required_agencies(
    agency, other_agency, some_column
):
    report = site_report(today=date(2026, 3, 16))
    assert _state(report, agency, "test-dynamic").status == "empty"
    assert not [
        c
        for c in report.columns
        if c.agency == other_agency.name and c.column_slug == "test-dynamic"
    ]
    assert any("测试动态" in m for m in messages(report, agency, "column_empty"))


# --- publication lag (条例 第二十六条) ------------------------------------------------


@pytest.mark.parametrize(
    ("published", "late"),
    [
        # 2025-09-26 + 20 working days = 2025-10-30 across 国庆/中秋 (docs/deadlines.md)
        (at(2025, 10, 30, 9), False),
        (at(2025, 10, 31, 9), True),  # 21 working days
    ],
)
def test_publication_lag_across_national_day(agency, published, late):
    NoticeFactory(
        owner_agency=agency,
        title="关于秋季学期工作的通知",
        written_date=date(2025, 9, 26),
        published_at=published,
    )
    report = site_report(today=date(2025, 11, 5))
    found = messages(report, agency, "publication_late")
    assert bool(found) is late
    lag = next(x for x in report.publication_lag if x["agency"] == agency.name)
    assert lag == {
        "agency": agency.name,
        "year": 2025,
        "published": 1,
        "late": int(late),
    }
    if late:
        assert "21 个工作日" in found[0]


# --- 解读同步 ----------------------------------------------------------------------------


def test_policy_without_interpretation_is_a_finding(agency):
    genre = GenreFactory(name="行政规范性文件")
    policy = NoticeFactory(
        owner_agency=agency,
        title="天元区校外培训管理办法",
        genre=genre,
        published_at=at(2026, 3, 2, 9),
    )
    report = site_report(today=date(2026, 3, 10))
    assert any(
        "校外培训管理办法" in m
        for m in messages(report, agency, "interpretation_missing")
    )
    # a 解读 published 9 days later is not 同步
    late = NoticeFactory(
        owner_agency=agency, title="迟到的解读", published_at=at(2026, 3, 11, 9)
    )
    from catalog import services

    services.notice_link_interpretation(policy=policy, interpretation=late, by=None)
    found = messages(
        site_report(today=date(2026, 3, 12)), agency, "interpretation_missing"
    )
    assert len(found) == 1
    assert "2026-03-11 才发布" in found[0]
    # the same, with a 解读 published the next day: no finding
    jd = NoticeFactory(
        owner_agency=agency,
        title="《管理办法》政策解读",
        published_at=at(2026, 3, 3, 9),
    )
    services.notice_link_interpretation(policy=policy, interpretation=jd, by=None)
    report = site_report(today=date(2026, 3, 10))
    assert not messages(report, agency, "interpretation_missing")


# --- validity -------------------------------------------------------------------------


def test_validity_findings(agency):
    genre = GenreFactory(name="行政规范性文件")
    NoticeFactory(
        owner_agency=agency,
        title="过期仍有效的通知",
        validity="effective",
        valid_from=date(2024, 1, 1),
        valid_until=date(2026, 1, 31),
        published_at=at(2024, 1, 2, 9),
    )
    NoticeFactory(
        owner_agency=agency,
        title="老规范性文件",
        genre=genre,
        validity="effective",
        written_date=date(2020, 3, 1),
        valid_from=date(2020, 3, 1),
        published_at=at(2020, 3, 2, 9),
    )
    NoticeFactory(
        owner_agency=agency,
        title="新规范性文件",
        genre=genre,
        validity="effective",
        written_date=date(2023, 3, 1),
        valid_from=date(2023, 3, 1),
        published_at=at(2023, 3, 2, 9),
    )
    report = site_report(today=date(2026, 3, 10))
    expired = messages(report, agency, "validity_expired")
    review = messages(report, agency, "validity_review")
    assert len(expired) == 1
    assert "过期仍有效" in expired[0]
    assert len(review) == 1
    assert "老规范性文件" in review[0]


def _old_policy(agency, title):
    return NoticeFactory(
        owner_agency=agency,
        title=title,
        genre=GenreFactory(name="行政规范性文件"),
        validity="effective",
        written_date=date(2019, 3, 1),
        valid_from=date(2019, 3, 1),
        published_at=at(2019, 3, 2, 9),
    )


def test_validity_review_cleared_by_a_recent_cleanup_raised_by_an_old_one(agency):
    from catalog.models import NoticeCleanupReview
    from catalog.services import notice_record_cleanup

    recent = _old_policy(agency, "近期清理的文件")
    old = _old_policy(agency, "早年清理的文件")
    for notice, day in ((recent, date(2024, 6, 1)), (old, date(2021, 3, 9))):
        notice_record_cleanup(
            notice=notice,
            by=None,
            decided_date=day,
            result=NoticeCleanupReview.Result.CONTINUE,
            basis="天政办发〔2021〕1号",
            now=at(2026, 3, 1, 9),
        )
    report = site_report(today=date(2026, 3, 10))
    review = [f for f in report.findings_of(agency.name) if f.kind == "validity_review"]
    assert [f.message for f in review] == [
        "行政规范性文件《早年清理的文件》最近一次清理决定作出于 2021-03-09，已超过 5 年"
    ]
    assert review[0].url == reverse("catalog:staff_notice_cleanup", args=[old.pk])


def test_validity_review_counts_from_the_latest_decision(agency):
    from catalog.models import NoticeCleanupReview
    from catalog.services import notice_record_cleanup

    policy = _old_policy(agency, "清理过两次的文件")
    for day in (date(2020, 1, 1), date(2022, 1, 1)):
        notice_record_cleanup(
            notice=policy,
            by=None,
            decided_date=day,
            result=NoticeCleanupReview.Result.AMEND,
            basis="清理目录",
            now=at(2026, 3, 1, 9),
        )
    assert "validity_review" not in kinds(site_report(today=date(2026, 3, 10)), agency)
    assert "validity_review" in kinds(site_report(today=date(2027, 1, 10)), agency)


# --- annual report ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "deadline", "published_on", "state"),
    [
        (date(2026, 1, 14), date(2026, 1, 31), None, None),
        (date(2026, 1, 15), date(2026, 1, 31), None, "annual_report_due"),
        (date(2026, 1, 31), date(2026, 1, 31), None, "annual_report_due"),
        (date(2026, 2, 1), date(2026, 1, 31), None, "annual_report_late"),
        (date(2026, 2, 10), date(2026, 1, 31), date(2026, 1, 20), None),
        (date(2026, 2, 10), date(2026, 1, 31), date(2026, 2, 3), "annual_report_late"),
        (date(2026, 2, 10), date(2026, 3, 31), None, None),  # a government: 3月31日
        (date(2026, 3, 15), date(2026, 3, 31), None, "annual_report_due"),
    ],
)
def test_annual_report_state_table(today, deadline, published_on, state):
    assert (
        annual_report_state(today=today, deadline=deadline, published_on=published_on)
        == state
    )


def test_annual_report_findings_in_the_report(agency):
    report = site_report(today=date(2026, 1, 20))
    assert "annual_report_due" in kinds(report, agency)
    report = site_report(today=date(2026, 2, 2))
    assert "annual_report_late" in kinds(report, agency)
    report = site_report(today=date(2026, 1, 10))
    assert not {"annual_report_due", "annual_report_late"} & set(kinds(report, agency))


def test_government_report_is_due_by_march_31(db):
    gov = AgencyFactory(name="天元区人民政府", kind="government")
    assert "annual_report_late" not in kinds(site_report(today=date(2026, 2, 2)), gov)
    found = messages(site_report(today=date(2026, 4, 1)), gov, "annual_report_late")
    assert found == [
        "2025 年度报告应于 2026-03-31 前发布（条例第四十九条第二款），已逾期未发布"
    ]


# --- requests -----------------------------------------------------------------------------


def test_unconfirmed_application_older_than_one_working_day(agency):
    from tests.factories import InfoRequestFactory

    InfoRequestFactory(agency=agency)  # submitted Monday 2026-03-02, still 待确认
    assert "request_unconfirmed" not in kinds(
        site_report(today=date(2026, 3, 3)), agency
    )
    report = site_report(today=date(2026, 3, 4))
    assert "request_unconfirmed" in kinds(report, agency)
    assert "/ysq/staff/" in report.findings_of(agency.name)[-1].url or any(
        "/ysq/staff/" in f.url
        for f in report.findings_of(agency.name)
        if f.kind == "request_unconfirmed"
    )


def test_reply_waiting_for_signoff_more_than_one_working_day(agency, staff_user):
    from requests_app.services import letters as letter_svc
    from tests.factories import InfoRequestFactory

    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    letter = letter_svc.reply_draft(
        info_request=req, by=staff_user, ground="not_exist", now=at(2026, 3, 5, 10)
    )
    # a draft the handler has not submitted is not waiting for anyone
    assert "reply_awaiting_signoff" not in kinds(
        site_report(today=date(2026, 3, 9)), agency
    )
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at(2026, 3, 5, 11))
    # Thursday → Friday: one working day is allowed
    assert "reply_awaiting_signoff" not in kinds(
        site_report(today=date(2026, 3, 6)), agency
    )
    report = site_report(today=date(2026, 3, 9))
    found = [
        f for f in report.findings_of(agency.name) if f.kind == "reply_awaiting_signoff"
    ]
    assert len(found) == 1
    assert found[0].message == (
        f"{req.tracking_no} 的答复于 2026-03-05 提交签发，已 2 个工作日未签发"
    )
    assert found[0].url.endswith(f"/letters/{letter.pk}/")


def test_overdue_request(agency, staff_user):
    from tests.factories import InfoRequestFactory

    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    due = req.reply_due_date
    assert "request_overdue" not in kinds(site_report(today=due), agency)
    report = site_report(today=date.fromordinal(due.toordinal() + 1))
    overdue = [
        f for f in report.findings_of(agency.name) if f.kind == "request_overdue"
    ]
    assert len(overdue) == 1
    assert str(req.code) in overdue[0].url


# --- links ----------------------------------------------------------------------------


def test_internal_links_parsing(settings):
    settings.ALLOWED_HOSTS = ["gk.example.gov.cn"]
    body = (
        '<a href="/xxgk/">a</a><a href="https://gk.example.gov.cn/zhinan/">b</a>'
        '<a href="https://www.gov.cn/">c</a><a href="mailto:x@y.cn">d</a>'
        '<img src="/media/a.png"><a href="#top">e</a>'
    )
    assert internal_links(body, {"gk.example.gov.cn"}) == [
        "/xxgk/",
        "/zhinan/",
        "/media/a.png",
    ]


def test_broken_internal_links_and_missing_attachment(agency, settings):
    target = NoticeFactory(owner_agency=agency, published_at=at(2026, 3, 2, 9))
    gone = uuid.uuid4()
    NoticeFactory(
        owner_agency=agency,
        title="带链接的通知",
        body=(
            f'<p><a href="/xxgk/{target.uuid}/">有效</a>'
            f'<a href="/xxgk/{gone}/">失效</a>'
            '<a href="/no-such-page-at-all/x/y/">不存在</a>'
            '<a href="/media/missing/file.pdf">附件</a></p>'
        ),
        published_at=at(2026, 3, 3, 9),
    )
    report = site_report(today=date(2026, 3, 10))
    broken = messages(report, agency, "link_broken")
    assert any(str(gone) in m for m in broken)
    assert not any(str(target.uuid) in m for m in broken)
    assert any("/media/missing/file.pdf" in m for m in broken)


# --- 基层目录 -----------------------------------------------------------------------------


def test_standard_item_without_notice(agency):
    from catalog import services
    from catalog.models import StandardItem

    for name in ("低保申请条件", "低保审批结果"):
        services.standard_item_upsert(
            domain="社会救助",
            source="",
            agency=agency,
            category="最低生活保障",
            name=name,
            content="",
            basis="",
            time_limit="20个工作日内",
            time_limit_working_days=20,
            disclosure_method="主动公开",
        )
    n = NoticeFactory(owner_agency=agency, published_at=at(2026, 3, 2, 9))
    services.standard_item_set_notices(
        item=StandardItem.objects.get(name="低保申请条件"), notices=[n]
    )
    found = messages(
        site_report(today=date(2026, 3, 10)), agency, "standard_item_empty"
    )
    assert found == ["基层目录“社会救助·低保审批结果”还没有已发布的信息"]


# --- the score ------------------------------------------------------------------------


def _f(kind):
    return Finding(kind, "甲", KINDS[kind][1], "", "")


@pytest.mark.parametrize(
    ("found", "score", "verdict"),
    [
        ([], 100, "合格"),
        (["column_stale"] * 3, 94, "合格"),  # 3 × 2
        (["publication_late"] * 15, 90, "合格"),  # capped at 10
        (["annual_report_due"], 100, "合格"),  # a warning deducts nothing
        (
            ["request_overdue"] * 4
            + ["annual_report_late"]
            + ["column_empty"] * 4
            + ["link_broken"] * 2,
            100 - 20 - 10 - 8 - 2,  # exactly 60: not below 60
            "合格",
        ),
        (
            ["request_overdue"] * 4
            + ["annual_report_late"]
            + ["column_empty"] * 4
            + ["link_broken"] * 3,
            59,
            "不合格",
        ),
        (
            ["request_overdue"] * 5 + ["column_stale"] * 10 + ["annual_report_late"],
            50,
            "不合格",
        ),  # 20 + 20 + 10 → 50 < 60
        (["home_stale"], 0, "不合格"),  # 单项否决
        (["columns_empty_veto", "link_broken"], 0, "不合格"),
    ],
)
def test_score_arithmetic(found, score, verdict):
    card = score_card(AgencyFactory.build(name="甲", pk=1), [_f(k) for k in found])
    assert (card.score, card.verdict, card.findings) == (score, verdict, len(found))


def test_five_stale_columns_veto(agency):
    for i in range(5):
        col = ColumnFactory(
            name=f"动态{i}",
            slug=f"dyn{i}",
            update_rule=Column.UpdateRule.DYNAMIC,
            max_days=14,
            required_scope=Column.RequiredScope.SOME,
        )
        col.required_agencies.set([agency])
        NoticeFactory(owner_agency=agency, column=col, published_at=at(2026, 3, 1, 9))
    report = site_report(today=date(2026, 3, 16))
    assert "columns_stale_veto" in kinds(report, agency)
    card = next(c for c in report.agencies if c.agency == agency.name)
    assert (card.score, card.verdict) == (0, "不合格")


# --- site_check ---------------------------------------------------------------------------


def test_site_check_json_shape(agency, some_column):
    NoticeFactory(
        owner_agency=agency, column=some_column, published_at=at(2026, 3, 1, 10)
    )
    out = io.StringIO()
    call_command("site_check", "--format", "json", "--today", "2026-03-16", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2026-03-16"
    assert set(data) >= {"as_of", "columns", "findings", "agencies"}
    col = next(c for c in data["columns"] if c["column"] == "测试动态")
    assert {k: col[k] for k in ("agency", "last_published", "max_days", "status")} == {
        "agency": agency.name,
        "last_published": "2026-03-01",
        "max_days": 14,
        "status": "stale",
    }
    for f in data["findings"]:
        assert set(f) >= {"kind", "agency", "severity", "message", "url"}
        assert f["severity"] in ("veto", "error", "warning")
        assert f["url"].startswith("/")
    card = next(a for a in data["agencies"] if a["agency"] == agency.name)
    assert set(card) >= {"agency", "score", "findings"}
    assert card["findings"] == sum(
        1 for f in data["findings"] if f["agency"] == agency.name
    )


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("2026-13-01", "YYYY-MM-DD"),
        ("明天", "YYYY-MM-DD"),
        ("2026/03/01", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("0001-01-01", "超出范围"),
        ("9999-12-31", "超出范围"),
    ],
)
def test_site_check_bad_today(bad, says, db):
    with pytest.raises(CommandError) as exc:
        call_command("site_check", "--today", bad)
    assert exc.value.returncode == 2
    assert "--today" in str(exc.value)
    assert says in str(exc.value)


def test_site_check_unknown_agency(db):
    with pytest.raises(CommandError) as exc:
        call_command("site_check", "--agency", "不存在的局")
    assert exc.value.returncode == 2
    assert "找不到" in str(exc.value)


def test_agency_without_staff_still_listed(agency, other_agency):
    out = io.StringIO()
    call_command(
        "site_check", "--agency", other_agency.name, "--today", "2026-03-16", stdout=out
    )
    text = out.getvalue()
    assert other_agency.name in text
    assert agency.name not in text
    assert "首页不更新" in text  # nothing published, no staff: findings still listed


# --- query count ------------------------------------------------------------------------


def _count_queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        site_report(today=date(2026, 3, 16))
    return len(ctx.captured_queries)


def test_query_count_constant_in_the_number_of_agencies(agency):
    NoticeFactory(owner_agency=agency, published_at=at(2026, 3, 2, 9))
    few = _count_queries()
    for i in range(6):
        a = AgencyFactory(name=f"天元区第{i}局")
        NoticeFactory(
            owner_agency=a,
            published_at=at(2026, 3, 2, 9),
            written_date=date(2026, 1, 5),
        )
    assert _count_queries() == few
    # 清理 decisions are read in the same annotated query, whatever their number
    from catalog.models import NoticeCleanupReview
    from catalog.services import notice_record_cleanup

    for i in range(3):
        notice_record_cleanup(
            notice=_old_policy(agency, f"规范性文件{i}"),
            by=None,
            decided_date=date(2020, 1, 1 + i),
            result=NoticeCleanupReview.Result.CONTINUE,
            basis="清理目录",
            now=at(2026, 3, 1, 9),
        )
    assert _count_queries() == few


# --- the page and the export ------------------------------------------------------------


@pytest.fixture
def government(db):
    return AgencyFactory(name="天元区人民政府", kind="government")


@pytest.fixture
def gov_admin_client(client, government, agency, other_agency):
    from portal import roles
    from tests.factories import StaffFactory

    for a in (agency, other_agency):
        a.parent = government
        a.save(update_fields=["parent"])
    user = StaffFactory(username="gkb", agency=government, roles=[roles.ADMIN])
    client.force_login(user)
    return client


def test_page_for_the_county_office_lists_every_agency_sorted(
    gov_admin_client, agency, other_agency
):
    NoticeFactory(owner_agency=agency, published_at=at(2026, 3, 10, 9))
    with __import__("time_machine").travel(at(2026, 3, 16, 10), tick=False):
        r = gov_admin_client.get("/staff/hegui/?sort=-score")
    assert r.status_code == 200
    html = r.content.decode()
    assert agency.name in html
    assert other_agency.name in html
    assert "天元区人民政府" in html
    assert 'aria-sort="descending"' in html
    assert "?sort=score" in html
    # the findings link to their fix
    assert "/admin/catalog/notice/add/" in html


def test_agency_admin_sees_only_their_own(staff_client, agency, other_agency):
    r = staff_client.get("/staff/hegui/")
    assert r.status_code == 200
    html = r.content.decode()
    assert agency.name in html
    assert other_agency.name not in html
    # asking for another agency falls back to their own
    r = staff_client.get(f"/staff/hegui/?agency={other_agency.pk}")
    assert other_agency.name not in r.content.decode()


def test_handler_without_admin_role_is_refused(client, teammate_user):
    client.force_login(teammate_user)
    assert client.get("/staff/hegui/").status_code == 403


def test_anonymous_goes_to_login(client, db):
    r = client.get("/staff/hegui/")
    assert r.status_code == 302
    assert "login" in r["Location"]


def test_export_neutralises_formulas(staff_client, agency):
    from io import BytesIO

    from openpyxl import load_workbook

    NoticeFactory(
        owner_agency=agency,
        title='=HYPERLINK("http://evil.example/","点我")',
        written_date=date(2026, 1, 5),
        published_at=at(2026, 3, 10, 9),
    )
    with __import__("time_machine").travel(at(2026, 3, 16, 10), tick=False):
        r = staff_client.get("/staff/hegui/export.xlsx?month=2026-03")
    assert r.status_code == 200
    wb = load_workbook(BytesIO(r.content))
    cells = [c for row in wb["问题"].iter_rows() for c in row]
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert evil
    assert all(c.data_type == "s" for c in evil)
    assert wb["评分"]["A3"].value == agency.name


@pytest.mark.parametrize("bad", ["2026-13", "三月", "2027-01"])
def test_export_bad_month_keeps_the_user_on_the_page(staff_client, agency, bad):
    with __import__("time_machine").travel(at(2026, 3, 16, 10), tick=False):
        r = staff_client.get(f"/staff/hegui/export.xlsx?month={bad}", follow=True)
    assert r.status_code == 200
    assert "月份" in r.content.decode()


def test_page_query_count_constant_in_the_number_of_agencies(
    gov_admin_client, government
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = gov_admin_client.get("/staff/hegui/")
        assert r.status_code == 200
        return len(ctx.captured_queries)

    count()  # warm the per-process caches (site identity, …)
    few = count()
    for i in range(6):
        AgencyFactory(name=f"天元区第{i}街道", kind="township", parent=government)
    assert count() == few


def test_staff_home_links_to_the_page(staff_client):
    assert "/staff/hegui/" in staff_client.get("/staff/").content.decode()
