"""Staff pages through the views: the workbench, registering an offline application,
and a case handled from confirmation to reply (补正 restarts the clock, a consultation
moves it, an approved extension adds to it). Every deadline is checked against an
independent count over the official calendar (the chinesecalendar package)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app import services
from requests_app.models import EventKind, ExtensionStatus, InfoRequest, Status
from requests_app.services import letters as letter_svc
from tests.factories import InfoRequestFactory, send_reply

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=TZ)


def nth_workday_after(start: date, n: int, skip: set[date] = frozenset()) -> date:
    """An independent count: the n-th official working day after ``start``."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d) and d not in skip:
            counted += 1
    return d


def detail_url(req: InfoRequest, name: str = "staff_request_detail") -> str:
    return reverse(f"requests_app:{name}", args=[req.code])


def post(client, req, name, data, when):
    with time_machine.travel(when, tick=False):
        response = client.post(detail_url(req, name), data)
    if (
        response.status_code == 302
    ):  # actions go back to the case page, never to the login
        assert response.url == detail_url(req), response.url
    return response


@pytest.fixture(autouse=True)
def _long_sessions(settings):
    """These scenarios travel over weeks: keep the staff sessions alive meanwhile
    (session expiry has its own tests in tests/security)."""
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600
    settings.SESSION_ABSOLUTE_AGE = 365 * 24 * 3600


@pytest.fixture
def approver_client(approver_user):
    from django.test import Client

    c = Client()
    c.force_login(approver_user)
    return c


# --- the whole handling, through the views --------------------------------------------------------


def test_handler_confirms_corrects_consults_extends_and_replies(
    staff_client, approver_client, agency, staff_user
):
    with time_machine.travel(at("2026-03-02"), tick=False):
        req = InfoRequestFactory(agency=agency, email="citizen@example.com")
        queue = staff_client.get(reverse("requests_app:staff_queue"))
        assert queue.status_code == 200
        assert req.tracking_no in queue.content.decode()
        page = staff_client.get(detail_url(req))
        assert page.status_code == 200
        assert "确认受理" in page.content.decode()

    # confirm: the receipt date is the day both sides confirmed (条例 第三十一条)
    response = post(
        staff_client,
        req,
        "staff_request_confirm",
        {"confirm-confirmed_date": "2026-03-02"},
        at("2026-03-02"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PROCESSING
    assert req.received_date == date(2026, 3, 2)
    assert (
        req.reply_due_date
        == nth_workday_after(date(2026, 3, 2), 20)
        == date(2026, 3, 30)
    )

    # ask for a correction once; a second try is refused with the message and the text kept
    response = post(
        staff_client,
        req,
        "staff_request_correction_ask",
        {
            "correction_ask-items": "请说明所需方案的学年。",
            "correction_ask-due_date": "",
        },
        at("2026-03-03"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CORRECTION
    assert req.assigned_to == staff_user
    assert req.correction_due_date == nth_workday_after(date(2026, 3, 3), 15)

    # the correction arrives by letter: the clock restarts from that day
    response = post(
        staff_client,
        req,
        "staff_request_correction_receive",
        {
            "correction_receive-received_date": "2026-03-16",
            "correction_receive-text": "2025—2026学年",
        },
        at("2026-03-16"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PROCESSING
    assert req.clock_start_date == date(2026, 3, 16)
    assert (
        req.reply_due_date
        == nth_workday_after(date(2026, 3, 16), 20)
        == date(2026, 4, 14)
    )

    again = post(
        staff_client,
        req,
        "staff_request_correction_ask",
        {"correction_ask-items": "再补充一次", "correction_ask-due_date": ""},
        at("2026-03-16"),
    )
    html = again.content.decode()
    assert again.status_code == 200
    assert "补正只能一次性告知" in html
    assert "再补充一次</textarea>" in html

    # a third party is consulted from 3-17 to 3-20: those 3 working days do not count
    response = post(
        staff_client,
        req,
        "staff_request_consult_start",
        {
            "consult_start-party_type": "third_party",
            "consult_start-party_name": "某建设有限公司",
            "consult_start-sent_date": "2026-03-17",
        },
        at("2026-03-17"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.CONSULTING
    response = post(
        staff_client,
        req,
        "staff_request_consult_end",
        {
            "consult_end-replied_date": "2026-03-20",
            "consult_end-opinion": "不同意公开联系人电话",
        },
        at("2026-03-20"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    paused = {date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 20)}
    assert req.status == Status.PROCESSING
    assert req.paused_workdays == 3
    assert (
        req.reply_due_date
        == nth_workday_after(date(2026, 3, 16), 20, paused)
        == date(2026, 4, 17)
    )

    # an extension: requested by the handler, refused to a non-approver, approved by the 审核人
    too_long = post(
        staff_client,
        req,
        "staff_request_extend",
        {"extension_request-days": "21", "extension_request-reason": "数据量大"},
        at("2026-03-23"),
    )
    assert too_long.status_code == 200
    assert "延长期限最长不超过 20 个工作日" in too_long.content.decode()
    response = post(
        staff_client,
        req,
        "staff_request_extend",
        {
            "extension_request-days": "20",
            "extension_request-reason": "需要调取多个学校档案",
        },
        at("2026-03-23"),
    )
    assert response.status_code == 302
    page = staff_client.get(detail_url(req)).content.decode()
    assert "待审批" in page
    assert "张审核" in page  # who can approve is shown
    refused = post(
        staff_client,
        req,
        "staff_request_extension_decide",
        {"extension_decide-decision": "approve"},
        at("2026-03-23"),
    )
    assert refused.status_code == 200  # alice has no 审核人 role: the page says who can
    req.refresh_from_db()
    assert req.extension_status == ExtensionStatus.PENDING
    assert not req.is_extended
    response = post(
        approver_client,
        req,
        "staff_request_extension_decide",
        {"extension_decide-decision": "approve", "extension_decide-note": "同意"},
        at("2026-03-24"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.is_extended
    assert req.extension_days == 20
    assert (
        req.reply_due_date
        == nth_workday_after(date(2026, 3, 16), 40, paused)
        == date(2026, 5, 19)
    )

    # the reply: the letter is generated from the outcome's template, edited, sent
    with time_machine.travel(at("2026-04-01"), tick=False):
        page = staff_client.get(detail_url(req)).content.decode()
        assert "予以公开" in page
        assert "不予公开" in page
        assert "<optgroup" in page
    generated = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_provide",
            "reply-material_kind": "post",
            "reply-material_date": "2026-04-01",
            "action": "generate",
        },
        at("2026-04-01"),
    )
    html = generated.content.decode()
    assert generated.status_code == 200
    assert "已按模板生成告知书" in html
    letter = re.search(
        r'<textarea name="reply-letter_text"[^>]*>\n?(.*?)</textarea>', html, re.S
    ).group(1)
    assert req.tracking_no in letter
    assert "第三十六条第（二）项" in letter
    assert "本机关已于2026年4月1日将该信息以纸质形式邮寄给您" in letter
    assert (
        InfoRequest.objects.get(pk=req.pk).status == Status.PROCESSING
    )  # nothing sent yet
    edited = (
        letter.replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    edited += "\n附：2025—2026学年划片方案。"
    response = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_provide",
            "reply-material_kind": "post",
            "reply-material_date": "2026-04-01",
            "reply-letter_text": edited,
            "action": "submit",
        },
        at("2026-04-01"),
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PROCESSING  # waiting for 签发
    letter_row = req.letters.get(kind="reply")
    with time_machine.travel(at("2026-04-01"), tick=False):
        response = approver_client.post(
            reverse("requests_app:staff_letter_approve", args=[req.code, letter_row.pk])
        )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.REPLIED
    assert req.outcome == "disclosed"
    assert req.replied_date == date(2026, 4, 1)
    assert "附：2025—2026学年划片方案。" in req.replies.get().letter_text
    kinds = list(req.events.values_list("kind", flat=True))
    for kind in (
        EventKind.CONFIRMED,
        EventKind.CORRECTION_ASKED,
        EventKind.CORRECTION_RECEIVED,
        EventKind.CONSULTATION_STARTED,
        EventKind.CONSULTATION_ENDED,
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_APPROVED,
        EventKind.REPLIED,
    ):
        assert kind in kinds

    # archive; the page then offers nothing but the 主动公开 draft
    with time_machine.travel(at("2026-04-02"), tick=False):
        assert (
            staff_client.post(detail_url(req, "staff_request_archive")).status_code
            == 302
        )
    req.refresh_from_db()
    assert req.status == Status.ARCHIVED


def test_send_without_generated_letter_and_without_outcome_keeps_the_input(
    staff_client, confirmed_request
):
    req = confirmed_request
    no_outcome = post(
        staff_client,
        req,
        "staff_request_reply",
        {"reply-ground": "", "reply-reason": "理由甲", "action": "submit"},
        at("2026-03-03"),
    )
    assert no_outcome.status_code == 200
    assert "请选择答复的法定情形" in no_outcome.content.decode()
    assert "理由甲</textarea>" in no_outcome.content.decode()
    no_letter = post(
        staff_client,
        req,
        "staff_request_reply",
        {"reply-ground": "not_exist", "action": "submit"},
        at("2026-03-03"),
    )
    assert "请先点击“生成告知书”" in no_letter.content.decode()
    req.refresh_from_db()
    assert req.status == Status.PROCESSING


def test_a_service_error_rerenders_the_form_with_the_input(
    staff_client, confirmed_request
):
    future = post(
        staff_client,
        confirmed_request,
        "staff_request_consult_start",
        {
            "consult_start-party_type": "third_party",
            "consult_start-party_name": "甲公司",
            "consult_start-sent_date": "2026-03-09",
        },
        at("2026-03-03"),
    )
    html = future.content.decode()
    assert future.status_code == 200
    assert "不能晚于今天" in html
    assert 'value="甲公司"' in html
    assert 'id="action-consult_start" open' in html


def test_fee_calculator_shows_the_amount_before_sending(
    staff_client, confirmed_request
):
    req = confirmed_request
    shown = post(
        staff_client,
        req,
        "staff_request_fee",
        {"fee-method": "by_volume", "fee-quantity": "150", "action": "calculate"},
        at("2026-03-03"),
    )
    assert shown.status_code == 200
    assert "1700 元" in shown.content.decode()
    assert not req.fee_notices.exists()
    free = post(
        staff_client,
        req,
        "staff_request_fee",
        {
            "fee-method": "by_volume",
            "fee-quantity": "20",
            "fee-payment_method": "到本机关一楼窗口缴纳",
            "action": "send",
        },
        at("2026-03-03"),
    )
    assert "不收取信息处理费" in free.content.decode()
    sent = post(
        staff_client,
        req,
        "staff_request_fee",
        {
            "fee-method": "by_volume",
            "fee-quantity": "250",
            "fee-payment_method": "到本机关一楼窗口缴纳",
            "action": "send",
        },
        at("2026-03-03"),
    )
    assert sent.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.AWAITING_PAYMENT
    assert str(req.fee_notices.get().amount) == "4700.00"
    paid = post(
        staff_client,
        req,
        "staff_request_payment",
        {"payment-paid_date": "2026-03-05"},
        at("2026-03-05"),
    )
    assert paid.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PROCESSING


def test_register_offline_application_by_signed_post(staff_client, agency):
    with time_machine.travel(at("2026-03-02"), tick=False):
        page = staff_client.get(reverse("requests_app:staff_register"))
        assert page.status_code == 200
        assert "以行政机关签收之日为收到申请之日" in page.content.decode()
        missing = staff_client.post(
            reverse("requests_app:staff_register"),
            {
                "channel": "post_signed",
                "submitted_at": "2026-02-27T15:00",
                "applicant_type": "citizen",
                "name": "李大爷",
                "id_type": "resident_id",
                "id_number": "440524188001010014",
                "address": "株洲市天元区泰山路 8 号",
                "description": "请公开本社区2025年低保名单公示",
            },
        )
        assert "请填写签收日期" in missing.content.decode()
        assert 'value="李大爷"' in missing.content.decode()
        response = staff_client.post(
            reverse("requests_app:staff_register"),
            {
                "channel": "post_signed",
                "submitted_at": "2026-02-27T15:00",
                "receipt_date": "2026-02-27",
                "applicant_type": "citizen",
                "name": "李大爷",
                "id_type": "resident_id",
                "id_number": "440524188001010014",
                "address": "株洲市天元区泰山路 8 号",
                "description": "请公开本社区2025年低保名单公示",
                "provide_forms": ["paper"],
                "delivery_methods": ["post"],
            },
        )
        assert response.status_code == 302
        req = InfoRequest.objects.get(applicant_name="李大爷")
        assert req.channel == "post_signed"
        assert req.status == Status.PROCESSING
        assert req.received_date == date(2026, 2, 27)
        assert req.reply_due_date == nth_workday_after(date(2026, 2, 27), 20)
        first = staff_client.get(response.url).content.decode()
        assert "只显示这一次" in first
        assert re.search(r"[0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4}", first)
        second = staff_client.get(response.url).content.decode()
        assert "只显示这一次" not in second


def test_register_ordinary_letter_waits_for_confirmation(staff_client, agency):
    with time_machine.travel(at("2026-03-02"), tick=False):
        response = staff_client.post(
            reverse("requests_app:staff_register"),
            {
                "channel": "post_ordinary",
                "submitted_at": "2026-03-02T09:00",
                "applicant_type": "organisation",
                "org_kind": "legal_service",
                "name": "湖南某律师事务所",
                "uscc": "91350100M0001TGQXM",
                "uscc_checked": "on",
                "contact_name": "赵律师",
                "phone": "0731-28112345",
                "description": "请公开2025年行政处罚决定书目录",
            },
        )
        assert response.status_code == 302
    req = InfoRequest.objects.get(applicant_name="湖南某律师事务所")
    assert req.status == Status.PENDING
    assert req.received_date is None
    assert req.applicant_kind == "legal_service"


def test_pii_is_masked_and_revealed_only_to_the_assignee_with_a_reason(
    client, staff_client, teammate_user, confirmed_request
):
    req = confirmed_request
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.request_assign(
            info_request=req,
            by=teammate_user,
            assignee=teammate_user,
            now=at("2026-03-03"),
        )
    page = staff_client.get(detail_url(req)).content.decode()
    assert "11010519491231002X" not in page
    assert "110105********002X" in page
    assert "13812341234" not in page
    refused = post(
        staff_client,
        req,
        "staff_request_reveal",
        {"reveal-reason": "核对身份"},
        at("2026-03-03"),
    )
    assert "只有本申请的承办人可以查看完整个人信息" in refused.content.decode()
    client.force_login(teammate_user)
    empty = post(
        client, req, "staff_request_reveal", {"reveal-reason": ""}, at("2026-03-03")
    )
    # the site's own message, not Django's default (issue 12 §3)
    assert "请填写原因" in empty.content.decode()
    assert "这个字段是必填项" not in empty.content.decode()
    shown = post(
        client,
        req,
        "staff_request_reveal",
        {"reveal-reason": "电话核实申请内容"},
        at("2026-03-03"),
    )
    html = shown.content.decode()
    assert "11010519491231002X" in html
    assert "13812341234" in html
    assert "no-store" in shown["Cache-Control"]
    assert req.pii_access_logs.get().reason == "电话核实申请内容"
    # the next page view is masked again
    assert "11010519491231002X" not in client.get(detail_url(req)).content.decode()


def test_id_proof_download_is_for_the_assignee_and_logged(
    client, staff_client, teammate_user, agency
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
    with time_machine.travel(at("2026-03-02"), tick=False):
        req = InfoRequestFactory(
            agency=agency,
            confirm_by=teammate_user,
            id_proof=SimpleUploadedFile("证件.pdf", pdf),
        )
        services.request_assign(
            info_request=req,
            by=teammate_user,
            assignee=teammate_user,
            now=at("2026-03-02"),
        )
    proof = req.files.get(kind="id_proof")
    url = reverse("requests_app:staff_request_file_open", args=[req.code, proof.pk])
    with time_machine.travel(at("2026-03-03"), tick=False):
        refused = staff_client.post(url, {"file_open-reason": "核对"})
        assert refused.status_code == 200
        assert "只有本申请的承办人可以查看身份证明" in refused.content.decode()
        client.force_login(teammate_user)
        download = client.post(url, {"file_open-reason": "核对申请人身份"})
    assert download.status_code == 200
    assert download.content == pdf
    assert download["Content-Disposition"].startswith("attachment;")
    assert req.pii_access_logs.filter(reason="核对申请人身份").exists()


def test_internal_notes_are_never_shown_to_the_applicant(
    client, staff_client, confirmed_request
):
    req = confirmed_request
    assert (
        post(
            staff_client,
            req,
            "staff_request_note",
            {"note-text": "申请人情绪激动，注意沟通"},
            at("2026-03-03"),
        ).status_code
        == 302
    )
    assert "申请人情绪激动" in staff_client.get(detail_url(req)).content.decode()
    from django.test import Client

    applicant = Client()
    with time_machine.travel(at("2026-03-03"), tick=False):
        applicant.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        html = applicant.get(reverse("requests_app:case")).content.decode()
    assert "申请人情绪激动" not in html
    assert "添加备注" not in html


def test_queue_and_detail_say_today_is_the_last_day(staff_client, agency, staff_user):
    with time_machine.travel(at("2026-03-02"), tick=False):
        req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    last_day = req.reply_due_date.isoformat()
    with time_machine.travel(at(last_day), tick=False):
        queue = staff_client.get(reverse("requests_app:staff_queue")).content.decode()
        detail = staff_client.get(
            reverse("requests_app:staff_request_detail", args=[req.code])
        ).content.decode()
    assert '<span class="badge overdue">今天到期</span>' in queue
    assert "，今天到期" in detail
    assert "剩 0 个工作日" not in queue + detail


def test_queue_filters_and_flags(staff_client, agency, staff_user):
    with time_machine.travel(at("2026-03-02"), tick=False):
        pending = InfoRequestFactory(agency=agency)
        soon = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    with time_machine.travel(at("2026-01-05"), tick=False):
        late = InfoRequestFactory(
            agency=agency, confirm_by=staff_user, now=at("2026-01-05")
        )
    with time_machine.travel(at("2026-03-25"), tick=False):
        page = staff_client.get(reverse("requests_app:staff_queue")).content.decode()
        assert "已逾期" in page
        assert "即将到期：剩 3 个工作日" in page
        overdue = staff_client.get(
            reverse("requests_app:staff_queue"), {"show": "overdue"}
        ).content.decode()
        assert late.tracking_no in overdue
        assert soon.tracking_no not in overdue
        assert pending.tracking_no not in overdue
        due_soon = staff_client.get(
            reverse("requests_app:staff_queue"), {"show": "due_soon"}
        ).content.decode()
        assert soon.tracking_no in due_soon
        assert late.tracking_no not in due_soon
        waiting = staff_client.get(
            reverse("requests_app:staff_queue"), {"show": "pending"}
        ).content.decode()
        assert pending.tracking_no in waiting
        assert soon.tracking_no not in waiting
        found = staff_client.get(
            reverse("requests_app:staff_queue"), {"q": late.tracking_no.lower()}
        ).content.decode()
        assert late.tracking_no in found
        assert soon.tracking_no not in found
        bad = staff_client.get(
            reverse("requests_app:staff_queue"), {"show": "<script>", "page": "x"}
        )
        assert bad.status_code == 200


# --- query counts -----------------------------------------------------------------------------


def _queue_queries(client) -> int:
    client.get(reverse("requests_app:staff_queue"))  # warm the site-identity cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("requests_app:staff_queue")).status_code == 200
    return len(ctx.captured_queries)


def test_workbench_runs_a_fixed_number_of_queries(
    staff_client, agency, staff_user, django_assert_max_num_queries
):
    with time_machine.travel(at("2026-03-02"), tick=False):
        for _ in range(2):
            InfoRequestFactory(agency=agency, confirm_by=staff_user)
        few = _queue_queries(staff_client)
        for _ in range(25):
            InfoRequestFactory(agency=agency, confirm_by=staff_user)
        many = _queue_queries(staff_client)
        assert few == many
        # 12 for the queue itself, 1 for the open consultations (征求意见中，暂停至…),
        # 3 for the staff layout's header and navigation (roles, permissions)
        with django_assert_max_num_queries(16):
            staff_client.get(reverse("requests_app:staff_queue"))


def test_case_page_runs_a_fixed_number_of_queries(
    staff_client, confirmed_request, staff_user, django_assert_max_num_queries
):
    req = confirmed_request
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.request_add_note(
            info_request=req, by=staff_user, text="一", now=at("2026-03-03")
        )
        staff_client.get(detail_url(req))  # warm the site-identity cache
        with CaptureQueriesContext(connection) as few:
            staff_client.get(detail_url(req))
        for i in range(15):
            services.request_add_note(
                info_request=req, by=staff_user, text=f"备注{i}", now=at("2026-03-03")
            )
        with CaptureQueriesContext(connection) as many:
            staff_client.get(detail_url(req))
        assert len(few.captured_queries) == len(many.captured_queries)
        with django_assert_max_num_queries(30):
            staff_client.get(detail_url(req))


def test_applicant_case_page_runs_a_fixed_number_of_queries(
    client, confirmed_request, staff_user, django_assert_max_num_queries
):
    req = confirmed_request
    with time_machine.travel(at("2026-03-03"), tick=False):
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        client.get(reverse("requests_app:case"))  # warm the site-identity cache
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("requests_app:case"))
        consult = services.request_start_consultation(
            info_request=req,
            by=staff_user,
            party_type="third_party",
            party_name="甲",
            now=at("2026-03-03"),
        )
        assert consult.pk
        services.request_end_consultation(
            info_request=req, by=staff_user, now=at("2026-03-03")
        )
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("requests_app:case"))
        assert len(few.captured_queries) == len(many.captured_queries)
        with django_assert_max_num_queries(15):
            client.get(reverse("requests_app:case"))


def test_correction_notice_is_offered_only_within_seven_working_days(
    staff_client, confirmed_request
):
    with time_machine.travel(
        at("2026-03-11"), tick=False
    ):  # the 7th working day after 3-2
        assert (
            "发出补正通知"
            in staff_client.get(detail_url(confirmed_request)).content.decode()
        )
    with time_machine.travel(at("2026-03-12"), tick=False):
        html = staff_client.get(detail_url(confirmed_request)).content.decode()
        assert "发出补正通知" not in html
        assert "不能再告知补正" in html
    late = post(
        staff_client,
        confirmed_request,
        "staff_request_correction_ask",
        {"correction_ask-items": "补充学年"},
        at("2026-03-12"),
    )
    assert "已超过期限" in late.content.decode()
    assert "补充学年</textarea>" in late.content.decode()


def test_applicant_is_told_when_the_deadline_has_passed(client, confirmed_request):
    req = confirmed_request
    with time_machine.travel(at("2026-03-31"), tick=False):
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        html = client.get(reverse("requests_app:case")).content.decode()
    assert "答复期限已过" in html
    assert "条例第五十一条" in html


def real_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_reply_with_files_checks_each_file_by_content(
    staff_client, confirmed_request, approver_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    req = confirmed_request
    pdf = real_pdf()
    letter = "申请人：\n现将所需信息提供给您（见附件）。"
    disguised = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_provide",
            "reply-material_kind": "attachment",
            "reply-letter_text": letter,
            "action": "submit",
            "reply-files": [
                SimpleUploadedFile("方案.pdf", pdf),
                SimpleUploadedFile(
                    "附表.pdf", b"<html><script>alert(1)</script></html>"
                ),
            ],
        },
        at("2026-03-04"),
    )
    html = disguised.content.decode()
    assert disguised.status_code == 200
    assert "附表.pdf" in html
    assert (
        "现将所需信息提供给您（见附件）。</textarea>" in html
    )  # the letter typed is kept
    req.refresh_from_db()
    assert req.status == Status.PROCESSING
    sent = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_provide",
            "reply-material_kind": "attachment",
            "reply-letter_text": letter,
            "action": "submit",
            "reply-files": [SimpleUploadedFile("方案.pdf", pdf)],
        },
        at("2026-03-04"),
    )
    assert sent.status_code == 302
    with time_machine.travel(at("2026-03-04"), tick=False):
        letter_svc.letter_approve(
            letter=req.letters.get(kind="reply"), by=approver_user, now=at("2026-03-04")
        )
    reply = req.replies.get()
    assert [f.original_name for f in reply.files.all()] == ["方案.pdf"]
    download = staff_client.get(
        reverse(
            "requests_app:staff_request_file", args=[req.code, reply.files.get().pk]
        )
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content == pdf
    assert download["Content-Type"] == "application/pdf"


def test_reply_links_an_already_published_notice(
    staff_client, confirmed_request, agency
):
    from tests.factories import NoticeFactory

    notice = NoticeFactory(
        owner_agency=agency,
        title="天元区2025年义务教育招生方案",
        published_at=datetime(2025, 6, 1, 9, 0, tzinfo=TZ),
    )
    req = confirmed_request
    unknown = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_public",
            "reply-material_kind": "notice",
            "reply-notice_index": "NO-SUCH",
            "action": "generate",
        },
        at("2026-03-04"),
    )
    assert "没有找到该索引号对应的已发布信息" in unknown.content.decode()
    generated = post(
        staff_client,
        req,
        "staff_request_reply",
        {
            "reply-ground": "disclosed_public",
            "reply-material_kind": "notice",
            "reply-notice_index": notice.index_number,
            "action": "generate",
        },
        at("2026-03-04"),
    )
    html = generated.content.decode()
    assert notice.title in html
    assert notice.index_number in html


def test_answered_request_becomes_a_draft_notice_without_the_applicant(
    staff_client, confirmed_request, staff_user
):
    from catalog.models import Notice

    req = confirmed_request
    with time_machine.travel(at("2026-03-04"), tick=False):
        send_reply(
            info_request=req,
            by=staff_user,
            outcome="disclosed",
            letter_text="告知书",
            now=at("2026-03-04"),
        )
    response = post(
        staff_client,
        req,
        "staff_request_notice_draft",
        {"notice_draft-title": f"{req.applicant_name}申请的学校改扩建立项批复"},
        at("2026-03-05"),
    )
    assert response.status_code == 302
    draft = Notice.objects.get(status="draft")
    assert req.applicant_name not in draft.title
    page = staff_client.get(detail_url(req)).content.decode()
    assert "转为主动公开草稿" in page
    assert "打开草稿" in page


BAD_VALUES = ["", "\x00‮<script>alert(1)</script>", "9" * 400, "2026-02-30", "-5"]


@pytest.mark.parametrize("value", BAD_VALUES)
def test_staff_actions_never_fail_on_bad_input(
    staff_client, confirmed_request, staff_user, value
):
    from requests_app.urls import staff_case_patterns

    req = confirmed_request
    fields = [
        "confirmed_date",
        "assignee",
        "items",
        "due_date",
        "received_date",
        "text",
        "late_reason",
        "party_type",
        "party_name",
        "sent_date",
        "replied_date",
        "opinion",
        "days",
        "reason",
        "decision",
        "note",
        "method",
        "quantity",
        "basis",
        "paid_date",
        "ground",
        "material_kind",
        "material_date",
        "other_agency_contact",
        "comment",
        "tracking_number",
        "delivered_date",
        "letter_text",
        "notice_index",
        "title",
        "summary",
        "other_agency",
    ]
    prefixes = [
        "confirm",
        "assign",
        "correction_ask",
        "correction_receive",
        "consult_start",
        "consult_end",
        "extension_request",
        "extension_decide",
        "fee",
        "payment",
        "fee_waive",
        "reply",
        "note",
        "reveal",
        "notice_draft",
        "return",
    ]
    with time_machine.travel(at("2026-03-03"), tick=False):
        letter = letter_svc.reply_draft(
            info_request=req, by=staff_user, ground="not_exist", now=at("2026-03-03")
        )
    prefixes.append(f"delivery{letter.pk}")
    data = {f"{p}-{f}": value for p in prefixes for f in fields}
    data["action"] = "submit"
    with time_machine.travel(at("2026-03-03"), tick=False):
        for pattern in staff_case_patterns:
            if (
                "file_id" in str(pattern.pattern)
                or pattern.name == "staff_request_detail"
            ):
                continue
            args = [req.code]
            if "letter_id" in str(pattern.pattern):
                args.append(letter.pk)
            response = staff_client.post(
                reverse(f"requests_app:{pattern.name}", args=args), data
            )
            assert response.status_code < 500, pattern.name
        assert (
            staff_client.post(
                reverse("requests_app:staff_register"),
                {
                    "channel": value,
                    "submitted_at": value,
                    "receipt_date": value,
                    "name": value,
                    "applicant_type": value,
                    "description": value,
                },
            ).status_code
            == 200
        )
        assert (
            staff_client.get(
                reverse("requests_app:staff_queue"),
                {"show": value, "q": value, "page": value},
            ).status_code
            == 200
        )
