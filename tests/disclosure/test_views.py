"""Public and staff pages: layout, access (404 for another agency's draft), query
counts that do not grow with the data, and bad input that keeps what was typed."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from disclosure import services
from disclosure.models import AnnualReport, AppealCase
from portal.models import SiteIdentity
from tests.disclosure.conftest import at, publish, travel
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(draft, staff_user, approver_user):
    services.report_update(
        report=draft,
        by=staff_user,
        now=at(2026, 1, 6),
        licensing_count=120,
        penalty_count=7,
        fee_amount=Decimal("3.25"),
        section_overview="本年度主动公开政府信息 500 条。",
    )
    services.appeal_case_save(
        agency=draft.agency,
        by=staff_user,
        kind=AppealCase.Kind.RECONSIDERATION,
        filed_year=2025,
        filed_date=date(2025, 3, 1),
        result=AppealCase.Result.UPHELD,
        decided_date=date(2025, 5, 1),
    )
    publish(draft, admin=staff_user, approver=approver_user, now=at(2026, 1, 9, 10))
    return AnnualReport.objects.get(pk=draft.pk)


def _text(response) -> str:
    return response.content.decode()


# --- public -------------------------------------------------------------------------


def test_report_page_renders_the_national_layout(client, published):
    response = client.get(reverse("disclosure:report_detail", args=[published.pk]))
    assert response.status_code == 200
    html = _text(response)
    assert published.title in html
    assert published.index_number in html
    assert "2026-01-09 10:00" in html
    for heading in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "六、其他需要报告的事项",
    ]:
        assert heading in html
    assert 'colspan="3" rowspan="3"' in html
    assert (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    )
    assert (
        '<th role="columnheader" id="t3-applicant" scope="colgroup" colspan="7">申请人情况</th>'
        in html
    )
    assert (
        '<th role="columnheader" id="t3-org" scope="colgroup" colspan="5">法人或其他组织</th>'
        in html
    )
    assert (
        '<th role="rowheader" id="t3-r2" scope="rowgroup" rowspan="22" class="level-0">三、本年度办理结果</th>'
        in html
    )
    assert (
        '<th role="columnheader" id="t4-lit" scope="colgroup" colspan="10">行政诉讼</th>'
        in html
    )
    # every data cell of table 三 is a number (blank written as 0)
    table3 = html[
        html.index('id="table3"') : html.index("</table>", html.index('id="table3"'))
    ]
    cells = re.findall(
        r'<td role="cell" headers="[^"]+" data-label="[^"]+" class="num">([^<]*)</td>',
        table3,
    )
    assert len(cells) == 175
    assert set(cells) == {"0"}
    assert "<svg" in html
    assert "本年新收申请按申请人类别" in html
    assert "本年度主动公开政府信息 500 条。" in html


def test_report_list_shows_published_and_legacy_reports_newest_first(
    client, published, agency
):
    services.report_import_legacy(
        agency=agency,
        year=2013,
        text="原文",
        published_at=at(2014, 2, 27),
        index_number="0122/2016-00001",
        by=None,
        now=at(2026, 1, 5),
    )
    draft_only = AgencyFactory(name="天元区民政局")
    AnnualReport.objects.create(agency=draft_only, year=2025)
    html = _text(client.get(reverse("disclosure:report_list")))
    assert html.index("2025年度") < html.index("2013年度")
    assert "历史年报" in html
    assert "0122/2016-00001" in html
    assert "天元区民政局2025年" not in html  # drafts are not public
    filtered = _text(client.get(reverse("disclosure:report_list"), {"year": "2013"}))
    assert "天元区教育局2025年" not in filtered
    assert "天元区教育局2013年" in filtered
    assert (
        client.get(
            reverse("disclosure:report_list"), {"year": "abc", "page": "zz"}
        ).status_code
        == 200
    )


def test_drafts_are_not_public(client, draft):
    assert (
        client.get(reverse("disclosure:report_detail", args=[draft.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("disclosure:report_download", args=[draft.pk, "json"])
        ).status_code
        == 404
    )


def test_public_pages_run_a_fixed_number_of_queries(
    client, published, staff_user, approver_user, agency, django_assert_num_queries
):
    url = reverse("disclosure:report_detail", args=[published.pk])
    client.get(url)  # warm the site identity cache
    with django_assert_num_queries(2) as one_version:
        client.get(url)
    services.report_start_correction(
        report=published, by=staff_user, now=at(2026, 2, 1)
    )
    services.report_update(
        report=published, by=staff_user, now=at(2026, 2, 1), penalty_count=8
    )
    publish(
        published,
        admin=staff_user,
        approver=approver_user,
        now=at(2026, 2, 2),
        correction_note="更正处罚数",
    )
    with django_assert_num_queries(len(one_version.captured_queries)):
        response = client.get(url)
    assert "更正处罚数" in _text(response)
    list_url = reverse("disclosure:report_list")
    client.get(list_url)
    with django_assert_num_queries(4) as few:
        client.get(list_url)
    for year in range(2016, 2024):
        services.report_import_legacy(
            agency=agency,
            year=year,
            text="原文",
            published_at=at(year + 1, 2, 1),
            index_number=f"L-{year}",
            by=None,
            now=at(2026, 1, 5),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(list_url)


def test_earlier_versions_stay_readable_with_what_changed(
    client, published, staff_user, approver_user
):
    services.report_start_correction(
        report=published, by=staff_user, now=at(2026, 2, 1)
    )
    services.report_update(
        report=published,
        by=staff_user,
        now=at(2026, 2, 1),
        penalty_count=8,
        section_problems="补充问题说明",
    )
    publish(
        published,
        admin=staff_user,
        approver=approver_user,
        now=at(2026, 2, 2),
        correction_note="行政处罚数量更正",
    )
    latest = _text(client.get(reverse("disclosure:report_detail", args=[published.pk])))
    assert "更正说明（第 2 版）" in latest
    assert "行政处罚数量更正" in latest
    assert (
        '<td>行政处罚</td><td>本年处理决定数量</td><td class="num">7</td><td class="num">8</td>'
        in latest
    )
    assert "五、存在的主要问题及改进情况" in latest.split("修改了文字部分：")[1]
    old = client.get(reverse("disclosure:report_version", args=[published.pk, 1]))
    assert old.status_code == 200
    assert "这是第 1 版" in _text(old)
    assert "已被更正" in _text(old)
    assert (
        client.get(
            reverse("disclosure:report_version", args=[published.pk, 3])
        ).status_code
        == 404
    )


def test_statistics_page_and_csv(client, agency):
    with travel(2026, 3, 1, 10):
        response = client.get(
            reverse("disclosure:statistics"), {"agency": agency.pk, "year": 2026}
        )
        assert response.status_code == 200
        html = _text(response)
        assert "天元区教育局 · 2026年" in html
        assert "各月收到的申请" in html
        csv_response = client.get(
            reverse("disclosure:statistics_csv"), {"agency": agency.pk, "year": "2026"}
        )
        assert csv_response["Content-Type"].startswith("text/csv")
        body = csv_response.content.decode("utf-8-sig")
        assert "本年新收申请（件）,0" in body
        assert "1月,0" in body
        # a bad year or agency falls back instead of failing
        assert (
            client.get(
                reverse("disclosure:statistics"), {"year": "1900", "agency": "x"}
            ).status_code
            == 200
        )


# --- staff --------------------------------------------------------------------------


def test_staff_of_another_agency_gets_404(other_agency_staff_client, draft):
    for name in ("staff_report_detail", "staff_report_edit"):
        assert (
            other_agency_staff_client.get(
                reverse(f"disclosure:{name}", args=[draft.pk])
            ).status_code
            == 404
        )
    assert (
        other_agency_staff_client.get(
            reverse("disclosure:staff_report_download", args=[draft.pk, "json"])
        ).status_code
        == 404
    )
    response = other_agency_staff_client.post(
        reverse("disclosure:staff_report_edit", args=[draft.pk]),
        {"section_overview": "x"},
    )
    assert response.status_code == 404
    response = other_agency_staff_client.post(
        reverse("disclosure:staff_report_action", args=[draft.pk, "submit"])
    )
    assert response.status_code == 404
    assert AnnualReport.objects.get(pk=draft.pk).status == AnnualReport.Status.DRAFT


def test_anonymous_is_sent_to_login(client, draft):
    response = client.get(reverse("disclosure:staff_report_detail", args=[draft.pk]))
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_staff_opens_the_years_draft(staff_client, agency):
    with travel(2026, 1, 5, 9):
        response = staff_client.post(
            reverse("disclosure:staff_report_list"), {"year": "2025"}
        )
    report = AnnualReport.objects.get(agency=agency, year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "disclosure:staff_report_detail", args=[report.pk]
    )


def test_edit_form_bad_input_keeps_everything_typed(staff_client, draft):
    data = {
        "licensing_count": "-3",
        "penalty_count": "十二",
        "coercion_count": "2",
        "fee_amount": "1.23456",
        "section_overview": "我写了很长的总体情况",
        "section_problems": "问题和改进",
        "fee_notice_count": "",
        "fee_notified_amount": "",
        "fee_collected_amount": "",
    }
    response = staff_client.post(
        reverse("disclosure:staff_report_edit", args=[draft.pk]), data
    )
    assert response.status_code == 400
    html = _text(response)
    assert "不能为负数" in html
    assert "请填写整数" in html
    assert "最多 4 位小数" in html
    assert "我写了很长的总体情况" in html
    assert "问题和改进" in html
    assert 'value="1.23456"' in html
    assert AnnualReport.objects.get(pk=draft.pk).section_overview == ""


def test_edit_form_saves_and_shows_checks(staff_client, draft):
    data = {"licensing_count": "5", "fee_amount": "0.5", "section_overview": "文字"}
    response = staff_client.post(
        reverse("disclosure:staff_report_edit", args=[draft.pk]), data, follow=True
    )
    assert response.status_code == 200
    report = AnnualReport.objects.get(pk=draft.pk)
    assert (report.licensing_count, report.fee_amount) == (5, Decimal("0.5000"))
    html = _text(response)
    assert "已保存" in html
    assert "数据核对（R1–R7）" in html


def test_editing_a_published_report_from_the_form_is_refused_and_input_kept(
    staff_client, published
):
    response = staff_client.post(
        reverse("disclosure:staff_report_edit", args=[published.pk]),
        {"section_overview": "新的文字", "licensing_count": "1"},
    )
    assert response.status_code == 400
    html = _text(response)
    assert "已发布的年报不能直接修改" in html
    assert "新的文字" in html
    assert (
        AnnualReport.objects.get(pk=published.pk).section_overview
        == "本年度主动公开政府信息 500 条。"
    )


def test_publishing_twice_from_the_page_gives_a_message(staff_client, published):
    response = staff_client.post(
        reverse("disclosure:staff_report_action", args=[published.pk, "publish"]),
        follow=True,
    )
    assert "须经审核人审核通过后才能发布" in _text(response) or "不能重复发布" in _text(
        response
    )
    assert published.versions.count() == 1


def test_review_buttons_only_for_approvers(client, staff_user, approver_user, draft):
    services.report_submit(report=draft, by=staff_user, now=at(2026, 1, 7))
    client.force_login(staff_user)
    html = _text(client.get(reverse("disclosure:staff_report_detail", args=[draft.pk])))
    assert "审核通过" not in html
    assert "退回修改</button>" not in html
    response = client.post(
        reverse("disclosure:staff_report_action", args=[draft.pk, "approve"]),
        follow=True,
    )
    assert "只有审核人可以审核年度报告" in _text(response)
    assert AnnualReport.objects.get(pk=draft.pk).status == AnnualReport.Status.REVIEW
    client.force_login(approver_user)
    html = _text(client.get(reverse("disclosure:staff_report_detail", args=[draft.pk])))
    assert "审核通过" in html
    response = client.post(
        reverse("disclosure:staff_report_action", args=[draft.pk, "send_back"]),
        {"comment": ""},
    )
    assert response.status_code == 400
    assert "请填写退回意见" in _text(response)
    client.post(
        reverse("disclosure:staff_report_action", args=[draft.pk, "send_back"]),
        {"comment": "补充数据"},
    )
    assert AnnualReport.objects.get(pk=draft.pk).review_comment == "补充数据"


def test_correction_publish_without_note_keeps_form(
    client, published, staff_user, approver_user
):
    services.report_start_correction(
        report=published, by=staff_user, now=at(2026, 2, 1)
    )
    services.report_submit(report=published, by=staff_user, now=at(2026, 2, 1))
    services.report_approve(report=published, by=approver_user, now=at(2026, 2, 1))
    client.force_login(staff_user)
    url = reverse("disclosure:staff_report_action", args=[published.pk, "publish"])
    response = client.post(url, {"correction_note": ""})
    assert response.status_code == 400
    assert "必须填写更正说明" in _text(response)
    response = client.post(url, {"correction_note": "更正文字"}, follow=True)
    assert "已发布第 2 版" in _text(response)


def test_staff_detail_runs_a_fixed_number_of_queries(
    staff_client, draft, staff_user, django_assert_max_num_queries
):
    url = reverse("disclosure:staff_report_detail", args=[draft.pk])
    staff_client.get(url)
    with django_assert_max_num_queries(20) as few:
        staff_client.get(url)
    for i in range(5):
        services.report_update(
            report=draft, by=staff_user, now=at(2026, 1, 6), licensing_count=i
        )
        services.appeal_case_save(
            agency=draft.agency,
            by=staff_user,
            kind=AppealCase.Kind.RECONSIDERATION,
            filed_year=2025,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_dashboard_for_the_government_admin(client, agency):
    from portal import roles
    from portal.models import Agency
    from tests.factories import StaffFactory

    gov = AgencyFactory(name="天元区人民政府", kind=Agency.Kind.GOVERNMENT)
    agency.parent = gov
    agency.save(update_fields=["parent"])
    late = AgencyFactory(name="天元区民政局", parent=gov)
    gov_admin = StaffFactory(username="gov", agency=gov, roles=[roles.ADMIN])
    SiteIdentity.objects.create(
        pk=1,
        site_name="平台",
        sponsor="办",
        site_code="4302110001",
        report_deadline_department="01-20",
        report_deadline_government="03-31",
    )
    services.report_import_legacy(
        agency=agency,
        year=2025,
        text="原文",
        published_at=at(2026, 1, 25),
        index_number="L-1",
        by=None,
        now=at(2026, 1, 25),
    )
    client.force_login(gov_admin)
    with travel(2026, 2, 10, 9):
        html = _text(
            client.get(reverse("disclosure:staff_dashboard"), {"year": "2025"})
        )
    html = html[html.index("<main") :]  # the staff header names the user's agency
    rows = {
        name: html[html.index(name) : html.index("</tr>", html.index(name))]
        for name in ("天元区人民政府", "天元区教育局", "天元区民政局")
    }
    assert "2026-03-31" in rows["天元区人民政府"]
    assert "未发布（未到期限）" in rows["天元区人民政府"]
    assert "2026-01-20" in rows["天元区教育局"]
    assert "逾期发布" in rows["天元区教育局"]
    assert "已逾期未发布" in rows["天元区民政局"]
    assert late.name in html


def test_dashboard_is_refused_to_department_staff(staff_client):
    assert staff_client.get(reverse("disclosure:staff_dashboard")).status_code == 403


def test_appeal_register_form(staff_client, agency):
    url = reverse("disclosure:staff_appeal_list")
    with travel(2026, 1, 5, 9):
        bad = staff_client.post(
            url,
            {
                "kind": "reconsideration",
                "filed_year": "2025",
                "filed_date": "2025-03-01",
                "result": "upheld",
                "decided_date": "",
                "case_number": "（2025）复1号",
                "tracking_no": "YSQ-2025-999999",
            },
        )
        assert bad.status_code == 400
        html = _text(bad)
        assert "已审结的案件请填写审结日期" in html
        assert "本机关没有这个申请编号" in html
        assert "（2025）复1号" in html
        ok = staff_client.post(
            url,
            {
                "kind": "reconsideration",
                "filed_year": "2025",
                "filed_date": "2025-03-01",
                "result": "upheld",
                "decided_date": "2025-04-01",
                "case_number": "（2025）复1号",
            },
        )
        assert ok.status_code == 302
    case = AppealCase.objects.get()
    assert (case.agency, case.result, case.case_number) == (
        agency,
        "upheld",
        "（2025）复1号",
    )


def test_appeal_case_of_another_agency_is_404(
    other_agency_staff_client, agency, staff_user
):
    case = services.appeal_case_save(
        agency=agency,
        by=staff_user,
        kind=AppealCase.Kind.RECONSIDERATION,
        filed_year=2025,
    )
    assert (
        other_agency_staff_client.get(
            reverse("disclosure:staff_appeal_edit", args=[case.pk])
        ).status_code
        == 404
    )


def test_admin_lists_reports_read_only(admin_client, published):
    response = admin_client.get(reverse("admin:disclosure_annualreport_changelist"))
    assert response.status_code == 200
    assert published.index_number in response.content.decode()
    assert (
        admin_client.get(reverse("admin:disclosure_annualreport_add")).status_code
        == 403
    )


def test_report_page_has_a_script_only_print_button(client, published):
    html = _text(client.get(reverse("disclosure:report_detail", args=[published.pk])))
    assert (
        '<button type="button" class="button" data-print hidden>打印本页</button>'
        in (html)
    )
    assert "下载 XLSX 表格" in html
    assert "下载 JSON 数据" not in html  # on the 开放数据 page instead
