"""Every state transition of a request, legal and illegal, through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import InternalError

from requests_app import crypto, letters, services
from requests_app.models import (
    Consultation,
    EventKind,
    ExtensionStatus,
    FeeNotice,
    InfoRequest,
    PiiAccessLog,
    Reply,
    RequestEvent,
    RequestFile,
    Status,
    TrackingCounter,
)
from requests_app.outcomes import Outcome
from requests_app.services import letters as letter_svc
from tests.factories import InfoRequestFactory, send_reply
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
D = date.fromisoformat

APPLICANT = {
    "applicant_type": "citizen",
    "applicant_kind": "natural",
    "applicant_name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13812341234",
    "address": "湖南省株洲市天元区天台路1号3栋",
    "email": "wang@example.com",
    "description": "请公开2025年天元区义务教育学校招生划片方案",
    "provide_forms": ["paper", "email"],
    "delivery_methods": ["email"],
}


def kinds(req, public=None):
    qs = RequestEvent.objects.filter(info_request=req).order_by("at", "id")
    if public is not None:
        qs = qs.filter(is_public=public)
    return list(qs.values_list("kind", flat=True))


def reload(req):
    return InfoRequest.objects.get(pk=req.pk)


# --- submission ---------------------------------------------------------------------------


def test_submit_online_returns_number_and_code_once_and_waits_for_confirmation(agency):
    sub = services.request_submit_online(
        agency=agency, now=at("2026-03-02"), **APPLICANT
    )
    req = reload(sub.info_request)
    assert req.tracking_no == "YSQ-2026-000001"
    assert req.status == Status.PENDING
    assert req.received_date is None
    assert req.reply_due_date is None
    groups = sub.query_code.split(" ")
    assert len(groups) == 4
    assert all(len(g) == 4 for g in groups)
    assert set(sub.query_code.replace(" ", "")) <= set(crypto.QUERY_CODE_ALPHABET)
    assert sub.query_code.replace(" ", "") not in req.query_code_hash
    assert crypto.query_code_matches(sub.query_code.lower(), req.query_code_hash)
    assert kinds(req, public=True) == [EventKind.SUBMITTED]


def test_submit_online_emails_number_and_code_when_address_given(
    agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sub = services.request_submit_online(
            agency=agency, now=at("2026-03-02"), **APPLICANT
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.com"]
    assert sub.info_request.tracking_no in mail.outbox[0].body
    assert sub.query_code in mail.outbox[0].body
    # the code is in no event
    assert not RequestEvent.objects.filter(
        note__contains=sub.query_code.replace(" ", "")[:8]
    ).exists()


def test_submit_online_without_email_sends_nothing(
    agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit_online(
            agency=agency,
            now=at("2026-03-02"),
            **{
                **APPLICANT,
                "email": "",
                "provide_forms": ["paper"],
                "delivery_methods": ["post"],
            },
        )
    assert mail.outbox == []


def test_personal_data_is_encrypted_and_masked_in_the_row(agency):
    req = services.request_submit_online(
        agency=agency, now=at("2026-03-02"), **APPLICANT
    ).info_request
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM requests_app_inforequest WHERE id = %s", [req.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    for plain in ("11010519491231002X", "13812341234", "天台路1号3栋"):
        assert plain not in row
    req = reload(req)
    assert req.id_number_masked == "110105********002X"
    assert req.phone_masked == "138****1234"
    assert req.address_masked == "湖南省株洲市****"
    assert (
        crypto.decrypt(req.id_number_encrypted, field="id_number")
        == "11010519491231002X"
    )
    assert req.id_number_hmac == crypto.lookup_hmac(
        "11010519491231002x", field="applicant_id"
    )


def test_submit_online_rejects_bad_input_and_creates_nothing(agency):
    bad = {**APPLICANT, "id_number": "110105194912310021", "description": ""}
    with pytest.raises(ValidationError) as exc:
        services.request_submit_online(agency=agency, now=at("2026-03-02"), **bad)
    assert "校验位" in exc.value.message_dict["id_number"][0]
    assert "内容描述" in exc.value.message_dict["description"][0]
    assert not InfoRequest.objects.exists()
    assert not TrackingCounter.objects.exists()


def test_submit_organisation_checks_uscc_and_kind(agency):
    org = {
        **APPLICANT,
        "applicant_type": "organisation",
        "applicant_kind": "commercial",
        "id_type": "",
        "id_number": "",
        "uscc": "91110000600037342L",
        "contact_name": "李联系",
    }
    with pytest.raises(ValidationError) as exc:
        services.request_submit_online(agency=agency, now=at("2026-03-02"), **org)
    assert "uscc" in exc.value.message_dict
    org["uscc"] = "91110000600037341L"
    req = services.request_submit_online(
        agency=agency, now=at("2026-03-02"), **org
    ).info_request
    assert req.applicant_kind == "commercial"
    assert req.id_number_masked == ""
    with pytest.raises(ValidationError):
        services.request_submit_online(
            agency=agency, now=at("2026-03-02"), **{**org, "applicant_kind": "natural"}
        )


def test_description_over_2000_characters_is_refused(agency):
    with pytest.raises(ValidationError) as exc:
        services.request_submit_online(
            agency=agency,
            now=at("2026-03-02"),
            **{**APPLICANT, "description": "字" * 2001},
        )
    assert "2000" in exc.value.message_dict["description"][0]


def test_id_proof_is_stored_encrypted_under_a_random_name(agency):
    upload = SimpleUploadedFile(
        "我的身份证.pdf", b"%PDF-1.4 secret id scan", content_type="application/pdf"
    )
    req = services.request_submit_online(
        agency=agency, now=at("2026-03-02"), id_proof=upload, **APPLICANT
    ).info_request
    rf = RequestFile.objects.get(info_request=req)
    assert rf.kind == "id_proof"
    assert rf.encrypted
    assert not rf.is_public
    assert "身份证" not in rf.file.name
    assert rf.original_name == "我的身份证.pdf"
    with rf.file.open("rb") as fh:
        assert b"secret id scan" not in fh.read()
    assert services.request_file_bytes(file=rf) == b"%PDF-1.4 secret id scan"


def test_tracking_numbers_are_sequential_per_year(agency):
    a = services.request_submit_online(
        agency=agency, now=at("2025-12-31", 23, 59), **APPLICANT
    ).info_request
    b = services.request_submit_online(
        agency=agency, now=at("2026-01-01", 0, 30), **APPLICANT
    ).info_request
    c = services.request_submit_online(
        agency=agency, now=at("2026-01-02"), **APPLICANT
    ).info_request
    assert [a.tracking_no, b.tracking_no, c.tracking_no] == [
        "YSQ-2025-000001",
        "YSQ-2026-000001",
        "YSQ-2026-000002",
    ]


# --- offline registration (条例 第三十一条) ------------------------------------------------------


def test_register_in_person_starts_clock_on_the_day_handed_in(agency, staff_user):
    sub = services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="in_person",
        submitted_at=at("2026-01-29", 9),
        now=at("2026-01-29", 11),
        **APPLICANT,
    )
    req = reload(sub.info_request)
    assert req.status == Status.PROCESSING
    assert req.received_date == D("2026-01-29")
    assert req.reply_due_date == D("2026-03-04")
    assert kinds(req) == [
        EventKind.REGISTERED,
        EventKind.CONFIRMED,
        EventKind.LETTER_SENT,  # the 受理回执
    ]
    assert sub.query_code


def test_register_signed_post_needs_the_signature_date(agency, staff_user):
    with pytest.raises(ValidationError, match="签收日期"):
        services.request_register_offline(
            agency=agency,
            by=staff_user,
            channel="post_signed",
            submitted_at=at("2026-03-03"),
            now=at("2026-03-04"),
            **APPLICANT,
        )
    req = services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="post_signed",
        signed_date=D("2026-03-03"),
        submitted_at=at("2026-03-03"),
        now=at("2026-03-04"),
        **APPLICANT,
    ).info_request
    assert req.received_date == D("2026-03-03")


def test_register_ordinary_letter_waits_for_confirmation(agency, staff_user):
    req = services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="post_ordinary",
        submitted_at=at("2026-03-03"),
        now=at("2026-03-03"),
        **APPLICANT,
    ).info_request
    assert req.status == Status.PENDING
    req = services.request_confirm(
        info_request=req,
        by=staff_user,
        now=at("2026-03-05"),
        confirmed_date=D("2026-03-04"),
    )
    # 条例 第三十一条第（二）项: confirmed a day after arrival → flagged late, and the
    # receipt date stays the arrival date (never later).
    assert req.received_date == D("2026-03-03")
    assert req.status == Status.PROCESSING
    assert req.arrived_date == D("2026-03-03")
    assert req.confirmed_date == D("2026-03-04")
    assert req.confirmation_late


def test_register_refuses_online_channel_future_dates_and_outsiders(
    agency, staff_user, other_staff_user
):
    with pytest.raises(ValidationError, match="线下"):
        services.request_register_offline(
            agency=agency,
            by=staff_user,
            channel="online",
            submitted_at=at("2026-03-03"),
            now=at("2026-03-03"),
            **APPLICANT,
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.request_register_offline(
            agency=agency,
            by=staff_user,
            channel="post_signed",
            signed_date=D("2026-03-09"),
            submitted_at=at("2026-03-03"),
            now=at("2026-03-04"),
            **APPLICANT,
        )
    with pytest.raises(ValidationError, match="无权"):
        services.request_register_offline(
            agency=agency,
            by=other_staff_user,
            channel="in_person",
            submitted_at=at("2026-03-03"),
            now=at("2026-03-03"),
            **APPLICANT,
        )


def test_register_with_unverifiable_uscc_needs_staff_check(agency, staff_user):
    org = {
        **APPLICANT,
        "applicant_type": "organisation",
        "applicant_kind": "other",
        "id_type": "",
        "id_number": "",
        "uscc": "91350100M0001TGQXM",
        "contact_name": "陈",
    }
    with pytest.raises(ValidationError):
        services.request_register_offline(
            agency=agency,
            by=staff_user,
            channel="in_person",
            submitted_at=at("2026-03-03"),
            now=at("2026-03-03"),
            **org,
        )
    req = services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="in_person",
        uscc_checked=True,
        submitted_at=at("2026-03-03"),
        now=at("2026-03-03"),
        **org,
    ).info_request
    assert req.uscc == "91350100M0001TGQXM"


# --- confirm / assign ------------------------------------------------------------------------


def test_confirm_sets_received_date_and_reference_deadline(agency, staff_user):
    req = InfoRequestFactory(agency=agency, now=at("2026-01-28", 20))
    req = services.request_confirm(
        info_request=req, by=staff_user, now=at("2026-01-29")
    )
    assert req.received_date == D("2026-01-29")
    assert req.reply_due_date == D("2026-03-04")
    assert req.due_is_provisional is False
    assert req.confirmed_by == staff_user
    assert EventKind.CONFIRMED in kinds(req, public=True)


def test_confirm_twice_or_by_outsider_is_refused(agency, staff_user, other_staff_user):
    req = InfoRequestFactory(agency=agency)
    with pytest.raises(ValidationError, match="无权"):
        services.request_confirm(
            info_request=req, by=other_staff_user, now=at("2026-03-02")
        )
    services.request_confirm(info_request=req, by=staff_user, now=at("2026-03-02"))
    with pytest.raises(ValidationError, match="不能确认受理"):
        services.request_confirm(info_request=req, by=staff_user, now=at("2026-03-03"))


def test_confirm_before_submission_is_refused(agency, staff_user):
    req = InfoRequestFactory(agency=agency, now=at("2026-03-04"))
    with pytest.raises(ValidationError, match="不能早于"):
        services.request_confirm(
            info_request=req,
            by=staff_user,
            now=at("2026-03-05"),
            confirmed_date=D("2026-03-03"),
        )


def test_confirm_at_half_past_midnight_uses_the_beijing_date(agency, staff_user):
    req = InfoRequestFactory(agency=agency, now=at("2026-03-01", 23))
    req = services.request_confirm(
        info_request=req, by=staff_user, now=at("2026-03-02", 0, 30)
    )
    assert req.received_date == D("2026-03-02")


def test_assign_to_teammate_and_not_to_outsider(
    confirmed_request, staff_user, teammate_user, other_staff_user
):
    req = services.request_assign(
        info_request=confirmed_request,
        by=staff_user,
        assignee=teammate_user,
        now=at("2026-03-02"),
    )
    assert req.assigned_to == teammate_user
    with pytest.raises(ValidationError, match="本机关的承办人"):
        services.request_assign(
            info_request=req,
            by=staff_user,
            assignee=other_staff_user,
            now=at("2026-03-02"),
        )


# --- 补正 -------------------------------------------------------------------------------------


def test_correction_restarts_clock_then_extension_reference_example(
    confirmed_request, staff_user, approver_user, django_capture_on_commit_callbacks
):
    # §3.5: received 2026-03-02; correction received 2026-03-16 → 2026-04-14; extended → 2026-05-14
    req = confirmed_request
    assert req.reply_due_date == D("2026-03-30")
    with django_capture_on_commit_callbacks(execute=True):
        req = services.request_ask_correction(
            info_request=req,
            by=staff_user,
            items="请写明学校名称",
            now=at("2026-03-11"),
        )
    assert req.status == Status.AWAITING_CORRECTION
    assert req.correction_due_date == D("2026-04-01")  # 15 working days after 03-11
    assert req.assigned_to == staff_user  # the first handling step claims the request
    assert "请写明学校名称" in mail.outbox[-1].body
    req = services.request_receive_correction(
        info_request=req, text="天元区第一中学", now=at("2026-03-16", 15)
    )
    assert req.status == Status.PROCESSING
    assert req.clock_start_date == D("2026-03-16")
    assert req.reply_due_date == D("2026-04-14")
    services.request_request_extension(
        info_request=req,
        by=staff_user,
        days=20,
        reason="需要调取档案",
        now=at("2026-04-10"),
    )
    req = services.request_decide_extension(
        info_request=req, by=approver_user, approve=True, now=at("2026-04-13")
    )
    assert req.reply_due_date == D("2026-05-14")
    assert req.is_extended
    assert kinds(req, public=True)[-2:] == [
        EventKind.EXTENSION_APPROVED,
        EventKind.LETTER_SENT,  # the 延期告知
    ]


def test_correction_only_once(confirmed_request, staff_user):
    req = services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="补充",
        now=at("2026-03-03"),
    )
    req = services.request_receive_correction(
        info_request=req, text="已补充", now=at("2026-03-04")
    )
    with pytest.raises(ValidationError, match="一次性"):
        services.request_ask_correction(
            info_request=req, by=staff_user, items="再补充", now=at("2026-03-05")
        )


def test_correction_after_seven_working_days_is_refused(confirmed_request, staff_user):
    # received 2026-03-02 → last day for the notice 2026-03-11
    with pytest.raises(ValidationError, match="7 个工作日"):
        services.request_ask_correction(
            info_request=confirmed_request,
            by=staff_user,
            items="补充",
            now=at("2026-03-12"),
        )
    assert reload(confirmed_request).status == Status.PROCESSING


def test_correction_needs_items_and_a_future_period(confirmed_request, staff_user):
    with pytest.raises(ValidationError, match="需要补正的事项"):
        services.request_ask_correction(
            info_request=confirmed_request,
            by=staff_user,
            items="  ",
            now=at("2026-03-03"),
        )
    with pytest.raises(ValidationError, match="补正期限应晚于今天"):
        services.request_ask_correction(
            info_request=confirmed_request,
            by=staff_user,
            items="补充",
            due_date=D("2026-03-03"),
            now=at("2026-03-03"),
        )


def test_late_correction_from_applicant_is_refused_staff_may_accept_with_reason(
    confirmed_request, staff_user
):
    req = services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="补充",
        due_date=D("2026-03-10"),
        now=at("2026-03-03"),
    )
    with pytest.raises(ValidationError, match="补正期限"):
        services.request_receive_correction(
            info_request=req, text="迟到的补正", now=at("2026-03-11")
        )
    with pytest.raises(ValidationError, match="正当理由"):
        services.request_receive_correction(
            info_request=req, by=staff_user, text="迟到的补正", now=at("2026-03-11")
        )
    req = services.request_receive_correction(
        info_request=req,
        by=staff_user,
        text="迟到的补正",
        late_reason="申请人住院，有证明",
        now=at("2026-03-11"),
    )
    assert req.clock_start_date == D("2026-03-11")
    assert req.status == Status.PROCESSING


def test_no_correction_in_time_closes_as_abandoned(confirmed_request, staff_user):
    req = services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="补充",
        due_date=D("2026-03-10"),
        now=at("2026-03-03"),
    )
    with pytest.raises(ValidationError, match="尚未届满"):
        services.request_expire_correction(info_request=req, now=at("2026-03-10", 18))
    req = services.request_expire_correction(info_request=req, now=at("2026-03-11", 1))
    assert (req.status, req.outcome, req.closed_date) == (
        Status.ABANDONED,
        Outcome.NO_CORRECTION,
        D("2026-03-11"),
    )
    letter = Reply.objects.get(info_request=req)
    assert "逾期未补正" in letter.letter_text
    assert kinds(req, public=True)[-1] == EventKind.CORRECTION_EXPIRED


def test_receive_correction_when_none_asked_is_refused(confirmed_request):
    with pytest.raises(ValidationError, match="不能接收补正"):
        services.request_receive_correction(
            info_request=confirmed_request, text="x", now=at("2026-03-03")
        )


# --- consultation --------------------------------------------------------------------------------


def test_consultation_moves_deadline_by_exactly_its_working_days(
    confirmed_request, staff_user
):
    req = confirmed_request
    before = req.reply_due_date  # 2026-03-30
    c = services.request_start_consultation(
        info_request=req,
        by=staff_user,
        party_type="third_party",
        party_name="某某公司",
        now=at("2026-03-05"),
    )
    assert c.due_date == D("2026-03-26")
    assert reload(req).status == Status.CONSULTING
    c = services.request_end_consultation(
        info_request=req,
        by=staff_user,
        replied_date=D("2026-03-12"),
        opinion="不同意公开",
        now=at("2026-03-12"),
    )
    assert c.paused_workdays == 5
    req = reload(req)
    assert req.status == Status.PROCESSING
    assert req.paused_workdays == 5
    assert req.reply_due_date == D(
        "2026-04-07"
    )  # 03-30 + 5 working days (04-04..06 清明)
    assert before < req.reply_due_date
    event = RequestEvent.objects.filter(
        info_request=req, kind=EventKind.CONSULTATION_ENDED
    ).get()
    assert event.is_public
    assert event.data["paused_workdays"] == 5
    assert "某某公司" not in " ".join(
        RequestEvent.objects.filter(info_request=req, is_public=True).values_list(
            "note", flat=True
        )
    )


def test_consultation_pause_is_capped_at_fifteen(confirmed_request, staff_user):
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="other_agency",
        party_name="区财政局",
        now=at("2026-03-03"),
    )
    c = services.request_end_consultation(
        info_request=confirmed_request, by=staff_user, now=at("2026-04-20")
    )
    assert c.paused_workdays == 15
    assert reload(confirmed_request).paused_workdays == 15


def test_consultation_illegal_steps(confirmed_request, staff_user, teammate_user):
    with pytest.raises(ValidationError, match="不能结束征求意见"):
        services.request_end_consultation(
            info_request=confirmed_request, by=staff_user, now=at("2026-03-03")
        )
    with pytest.raises(ValidationError, match="征求对象类型"):
        services.request_start_consultation(
            info_request=confirmed_request,
            by=staff_user,
            party_type="friend",
            party_name="x",
            now=at("2026-03-03"),
        )
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="third_party",
        party_name="某公司",
        now=at("2026-03-03"),
    )
    with pytest.raises(ValidationError, match="只有承办人"):
        services.request_end_consultation(
            info_request=confirmed_request, by=teammate_user, now=at("2026-03-04")
        )
    with pytest.raises(ValidationError, match="不能征求意见"):
        services.request_start_consultation(
            info_request=confirmed_request,
            by=staff_user,
            party_type="third_party",
            party_name="另一公司",
            now=at("2026-03-04"),
        )
    with pytest.raises(ValidationError, match="不能早于"):
        services.request_end_consultation(
            info_request=confirmed_request,
            by=staff_user,
            replied_date=D("2026-03-02"),
            now=at("2026-03-04"),
        )
    assert Consultation.objects.filter(info_request=confirmed_request).count() == 1


# --- extension --------------------------------------------------------------------------------------


def test_extension_needs_an_approver(
    confirmed_request, staff_user, teammate_user, approver_user, other_approver_user
):
    req = services.request_request_extension(
        info_request=confirmed_request,
        by=staff_user,
        days=10,
        reason="涉及多个科室",
        now=at("2026-03-20"),
    )
    assert req.extension_status == ExtensionStatus.PENDING
    assert req.reply_due_date == D("2026-03-30")
    for outsider in (teammate_user, other_approver_user):
        with pytest.raises(ValidationError):
            services.request_decide_extension(
                info_request=req, by=outsider, approve=True, now=at("2026-03-20")
            )
    assert not reload(req).is_extended
    req = services.request_decide_extension(
        info_request=req, by=approver_user, approve=True, now=at("2026-03-23")
    )
    assert req.reply_due_date == D("2026-04-14")  # +10 working days
    assert req.extension_decided_by == approver_user


def test_extension_only_once_and_at_most_twenty(
    confirmed_request, staff_user, approver_user
):
    for days in (0, 21, "5"):
        with pytest.raises(ValidationError, match="1 至 20"):
            services.request_request_extension(
                info_request=confirmed_request,
                by=staff_user,
                days=days,
                reason="理由",
                now=at("2026-03-20"),
            )
    with pytest.raises(ValidationError, match="延期理由"):
        services.request_request_extension(
            info_request=confirmed_request,
            by=staff_user,
            days=5,
            reason="",
            now=at("2026-03-20"),
        )
    services.request_request_extension(
        info_request=confirmed_request,
        by=staff_user,
        days=20,
        reason="理由",
        now=at("2026-03-20"),
    )
    with pytest.raises(ValidationError, match="待审批"):
        services.request_request_extension(
            info_request=confirmed_request,
            by=staff_user,
            days=5,
            reason="理由",
            now=at("2026-03-20"),
        )
    services.request_decide_extension(
        info_request=confirmed_request,
        by=approver_user,
        approve=True,
        now=at("2026-03-20"),
    )
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.request_request_extension(
            info_request=confirmed_request,
            by=staff_user,
            days=5,
            reason="理由",
            now=at("2026-03-24"),
        )


def test_rejected_extension_leaves_deadline_and_may_be_asked_again(
    confirmed_request, staff_user, approver_user
):
    services.request_request_extension(
        info_request=confirmed_request,
        by=staff_user,
        days=5,
        reason="理由",
        now=at("2026-03-20"),
    )
    req = services.request_decide_extension(
        info_request=confirmed_request,
        by=approver_user,
        approve=False,
        note="理由不充分",
        now=at("2026-03-20"),
    )
    assert req.extension_status == ExtensionStatus.REJECTED
    assert req.reply_due_date == D("2026-03-30")
    assert EventKind.EXTENSION_REJECTED not in kinds(req, public=True)
    services.request_request_extension(
        info_request=req, by=staff_user, days=5, reason="补充理由", now=at("2026-03-23")
    )


def test_extension_after_the_deadline_or_self_approved_is_refused(
    agency, confirmed_request, staff_user
):
    from portal import roles
    from tests.factories import StaffFactory

    with pytest.raises(ValidationError, match="已过"):
        services.request_request_extension(
            info_request=confirmed_request,
            by=staff_user,
            days=5,
            reason="理由",
            now=at("2026-03-31"),
        )
    boss = StaffFactory(
        username="boss", agency=agency, roles=[roles.HANDLER, roles.APPROVER]
    )
    req = services.request_assign(
        info_request=confirmed_request,
        by=staff_user,
        assignee=boss,
        now=at("2026-03-20"),
    )
    services.request_request_extension(
        info_request=req, by=boss, days=5, reason="理由", now=at("2026-03-20")
    )
    with pytest.raises(ValidationError, match="自己"):
        services.request_decide_extension(
            info_request=req, by=boss, approve=True, now=at("2026-03-20")
        )


def test_approved_extension_tells_the_applicant(
    confirmed_request, staff_user, approver_user, django_capture_on_commit_callbacks
):
    services.request_request_extension(
        info_request=confirmed_request,
        by=staff_user,
        days=20,
        reason="需要调取档案",
        now=at("2026-03-20"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide_extension(
            info_request=confirmed_request,
            by=approver_user,
            approve=True,
            now=at("2026-03-20"),
        )
    assert mail.outbox[-1].to == ["citizen@example.com"]
    assert "延长 20 个工作日" in mail.outbox[-1].body


# --- fees ----------------------------------------------------------------------------------------


def test_fee_notice_payment_and_pause(confirmed_request, staff_user):
    notice = services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_volume",
        quantity=150,
        now=at("2026-03-05"),
    )
    assert notice.amount == Decimal(1700)
    assert notice.pay_by_date == D("2026-04-02")
    assert reload(confirmed_request).status == Status.AWAITING_PAYMENT
    services.request_record_payment(
        info_request=confirmed_request,
        by=staff_user,
        paid_date=D("2026-03-10"),
        now=at("2026-03-10"),
    )
    req = reload(confirmed_request)
    assert req.status == Status.PROCESSING
    assert req.fee_paused_workdays == 3  # 03-06, 03-09, 03-10
    assert req.reply_due_date == D("2026-04-02")  # 03-30 + 3 working days


def test_fee_below_threshold_or_twice_is_refused(confirmed_request, staff_user):
    with pytest.raises(ValidationError, match="不收取"):
        services.request_send_fee_notice(
            info_request=confirmed_request,
            by=staff_user,
            method="by_volume",
            quantity=30,
            now=at("2026-03-05"),
        )
    with pytest.raises(ValidationError, match="计费方式"):
        services.request_send_fee_notice(
            info_request=confirmed_request,
            by=staff_user,
            method="by_weight",
            quantity=300,
            now=at("2026-03-05"),
        )
    services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_item",
        quantity=35,
        now=at("2026-03-05"),
    )
    assert FeeNotice.objects.get().amount == Decimal(200)
    with pytest.raises(ValidationError, match="不能发出收费通知"):
        services.request_send_fee_notice(
            info_request=confirmed_request,
            by=staff_user,
            method="by_item",
            quantity=35,
            now=at("2026-03-05"),
        )


def test_unpaid_fee_closes_as_abandoned(confirmed_request, staff_user):
    notice = services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_volume",
        quantity=250,
        now=at("2026-03-05"),
    )
    assert notice.amount == Decimal(4700)
    with pytest.raises(ValidationError, match="尚未届满"):
        services.request_expire_fee(
            info_request=confirmed_request, now=at("2026-04-02")
        )
    with pytest.raises(ValidationError, match="已过"):
        services.request_record_payment(
            info_request=confirmed_request,
            by=staff_user,
            paid_date=D("2026-04-03"),
            now=at("2026-04-03"),
        )
    req = services.request_expire_fee(
        info_request=confirmed_request, now=at("2026-04-03")
    )
    assert (req.status, req.outcome, req.closed_date) == (
        Status.ABANDONED,
        Outcome.UNPAID_FEE,
        D("2026-04-03"),
    )
    assert FeeNotice.objects.get().expired_date == D("2026-04-03")


def test_waiving_a_fee_needs_an_approver(confirmed_request, staff_user, approver_user):
    services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_volume",
        quantity=40,
        now=at("2026-03-05"),
    )
    with pytest.raises(ValidationError):
        services.request_waive_fee(
            info_request=confirmed_request,
            by=staff_user,
            reason="困难",
            now=at("2026-03-06"),
        )
    services.request_waive_fee(
        info_request=confirmed_request,
        by=approver_user,
        reason="申请人经济困难",
        now=at("2026-03-06"),
    )
    req = reload(confirmed_request)
    assert req.status == Status.PROCESSING
    assert req.fee_paused_workdays == 1


# --- reply ----------------------------------------------------------------------------------------


def test_reply_without_ground_or_with_system_ground_is_refused(
    confirmed_request, staff_user
):
    for ground in ("", "no_correction", "unpaid_fee", "bogus"):
        with pytest.raises(ValidationError, match="法定情形"):
            services.reply_draft(
                info_request=confirmed_request,
                by=staff_user,
                ground=ground,
                body="答复",
                now=at("2026-03-10"),
            )
    assert reload(confirmed_request).status == Status.PROCESSING


def test_reply_from_non_handler_is_refused(
    confirmed_request, staff_user, teammate_user, approver_user, other_staff_user
):
    services.request_assign(
        info_request=confirmed_request,
        by=staff_user,
        assignee=staff_user,
        now=at("2026-03-03"),
    )
    for user in (teammate_user, approver_user, other_staff_user):
        with pytest.raises(ValidationError):
            services.reply_draft(
                info_request=confirmed_request,
                by=user,
                ground="not_exist",
                body="答复",
                now=at("2026-03-10"),
            )


@pytest.mark.parametrize("ground", [key for key, _ in letters.HANDLER_GROUNDS])
def test_reply_with_each_ground_closes_the_request(agency, staff_user, ground):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    title, text = letter_svc.render_reply_letter(
        info_request=req,
        ground=ground,
        letter_date=D("2026-03-10"),
        reason="理由若干",
        other_agency="天元区住建局",
        other_agency_contact="0731-22000000",
    )
    assert req.tracking_no in text
    assert "{" not in text
    assert "2026年3月2日" in text
    outcome = letters.GROUNDS[ground].outcome
    reply = send_reply(
        info_request=req,
        by=staff_user,
        outcome=outcome,
        ground=ground,
        letter_text=text,
        now=at("2026-03-10"),
    )
    req = reload(req)
    assert (req.status, req.outcome, req.closed_date, req.replied_date) == (
        Status.REPLIED,
        outcome,
        D("2026-03-10"),
        D("2026-03-10"),
    )
    assert reply.title == title


def test_reply_with_files_and_published_notice(
    confirmed_request, staff_user, django_capture_on_commit_callbacks
):
    from tests.factories import NoticeFactory

    notice = NoticeFactory(
        owner_agency=confirmed_request.agency,
        title="2025年招生划片方案",
        published_at=at("2026-01-05"),
    )
    _title, text = services.render_reply_letter(
        info_request=confirmed_request,
        ground="disclosed_public",
        letter_date=D("2026-03-10"),
        notice=notice,
        material_kind="notice",
    )
    assert "2025年招生划片方案" in text
    assert "已在本机关政府信息公开平台公开" in text
    upload = SimpleUploadedFile(
        "答复.pdf", b"%PDF-1.4 reply", content_type="application/pdf"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(
            info_request=confirmed_request,
            by=staff_user,
            outcome=Outcome.DISCLOSED,
            ground="disclosed_public",
            letter_text=text,
            files=[upload],
            notice=notice,
            now=at("2026-03-10"),
        )
    rf = reply.files.get()
    assert rf.is_public
    assert not rf.encrypted
    assert services.request_file_bytes(file=rf) == b"%PDF-1.4 reply"
    assert mail.outbox[-1].to == ["citizen@example.com"]


def test_reply_linking_a_draft_notice_is_refused(confirmed_request, staff_user):
    from tests.factories import NoticeFactory

    draft = NoticeFactory(owner_agency=confirmed_request.agency)
    with pytest.raises(ValidationError, match="尚未发布"):
        services.reply_draft(
            info_request=confirmed_request,
            by=staff_user,
            ground="disclosed_public",
            body="答复",
            notice=draft,
            material_kind="notice",
            now=at("2026-03-10"),
        )


def test_reply_while_pending_or_consulting_is_refused(agency, staff_user):
    req = InfoRequestFactory(agency=agency)
    with pytest.raises(ValidationError, match="待确认"):
        services.reply_draft(
            info_request=req,
            by=staff_user,
            ground="not_exist",
            body="x",
            now=at("2026-03-10"),
        )


def test_late_reply_is_recorded_as_late(confirmed_request, staff_user):
    send_reply(
        info_request=confirmed_request,
        by=staff_user,
        outcome=Outcome.NOT_HELD,
        letter_text="不存在",
        now=at("2026-04-01"),
    )
    event = RequestEvent.objects.get(
        info_request=confirmed_request, kind=EventKind.REPLIED
    )
    assert event.data["late"] is True


# --- withdraw, archive, notes --------------------------------------------------------------------


def test_applicant_withdraws_counted_as_other(confirmed_request):
    req = services.request_withdraw(
        info_request=confirmed_request,
        reason="已通过其他途径获得",
        now=at("2026-03-04"),
    )
    assert (req.status, req.outcome, req.closed_date) == (
        Status.WITHDRAWN,
        Outcome.OTHER,
        D("2026-03-04"),
    )
    event = RequestEvent.objects.get(info_request=req, kind=EventKind.WITHDRAWN)
    assert event.is_public
    assert event.actor is None
    assert event.actor_label == "申请人"
    with pytest.raises(ValidationError, match="已办结"):
        services.request_withdraw(info_request=req, now=at("2026-03-05"))


def test_withdraw_while_pending_has_no_receipt_date(agency):
    req = InfoRequestFactory(agency=agency)
    req = services.request_withdraw(info_request=req, now=at("2026-03-02", 11))
    assert req.status == Status.WITHDRAWN
    assert req.received_date is None
    assert req.closed_date == D("2026-03-02")


def test_withdraw_during_consultation_and_fee_closes_them(
    confirmed_request, staff_user
):
    services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_volume",
        quantity=40,
        now=at("2026-03-05"),
    )
    services.request_withdraw(info_request=confirmed_request, now=at("2026-03-06"))
    assert FeeNotice.objects.get().waived


def test_archive_only_after_closing(confirmed_request, staff_user):
    with pytest.raises(ValidationError, match="不能归档"):
        services.request_archive(
            info_request=confirmed_request, by=staff_user, now=at("2026-03-05")
        )
    send_reply(
        info_request=confirmed_request,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="答复",
        now=at("2026-03-05"),
    )
    req = services.request_archive(
        info_request=confirmed_request, by=staff_user, now=at("2026-03-06")
    )
    assert req.status == Status.ARCHIVED
    assert req.outcome == Outcome.DISCLOSED
    assert req.archived_at


def test_internal_note_is_never_public(
    confirmed_request, teammate_user, other_staff_user
):
    note = services.request_add_note(
        info_request=confirmed_request,
        by=teammate_user,
        text="申请人来电，语气激动",
        now=at("2026-03-03"),
    )
    assert note.text == "申请人来电，语气激动"
    assert not RequestEvent.objects.filter(
        info_request=confirmed_request, is_public=True, note__contains="来电"
    ).exists()
    assert EventKind.NOTE_ADDED in kinds(confirmed_request, public=False)
    with pytest.raises(ValidationError):
        services.request_add_note(
            info_request=confirmed_request,
            by=other_staff_user,
            text="x",
            now=at("2026-03-03"),
        )


# --- personal data -----------------------------------------------------------------------------


def test_reveal_pii_only_for_the_assignee_and_logged(
    confirmed_request, staff_user, teammate_user
):
    with pytest.raises(ValidationError, match="承办人"):
        services.request_reveal_pii(
            info_request=confirmed_request,
            by=staff_user,
            reason="核对",
            now=at("2026-03-03"),
        )
    services.request_assign(
        info_request=confirmed_request,
        by=staff_user,
        assignee=staff_user,
        now=at("2026-03-03"),
    )
    with pytest.raises(ValidationError, match="承办人"):
        services.request_reveal_pii(
            info_request=confirmed_request,
            by=teammate_user,
            reason="核对",
            now=at("2026-03-03"),
        )
    with pytest.raises(ValidationError, match="查看原因"):
        services.request_reveal_pii(
            info_request=confirmed_request,
            by=staff_user,
            reason="",
            now=at("2026-03-03"),
        )
    values = services.request_reveal_pii(
        info_request=confirmed_request,
        by=staff_user,
        reason="邮寄答复需要地址",
        now=at("2026-03-03"),
    )
    assert values == {
        "id_number": "11010519491231002X",
        "phone": "13812341234",
        "address": "湖南省株洲市天元区天台路1号",
    }
    log = PiiAccessLog.objects.get()
    assert (log.user, log.reason) == (staff_user, "邮寄答复需要地址")
    event = RequestEvent.objects.get(
        info_request=confirmed_request, kind=EventKind.PII_REVEALED
    )
    assert not event.is_public
    assert "11010519491231002X" not in str(event.data) + event.note


def test_id_proof_view_is_audited(agency, staff_user):
    upload = SimpleUploadedFile("id.png", b"\x89PNG fake", content_type="image/png")
    sub = services.request_submit_online(
        agency=agency, now=at("2026-03-02"), id_proof=upload, **APPLICANT
    )
    req = services.request_confirm(
        info_request=sub.info_request, by=staff_user, now=at("2026-03-02")
    )
    services.request_assign(
        info_request=req, by=staff_user, assignee=staff_user, now=at("2026-03-02")
    )
    rf = RequestFile.objects.get(info_request=req)
    data = services.request_open_id_proof(
        file=rf, by=staff_user, reason="核验身份", now=at("2026-03-03")
    )
    assert data == b"\x89PNG fake"
    assert PiiAccessLog.objects.get().fields == [f"file:{rf.pk}"]


def test_events_and_pii_log_are_append_only(confirmed_request):
    event = RequestEvent.objects.filter(info_request=confirmed_request).first()
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        RequestEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        RequestEvent.objects.filter(pk=event.pk).delete()


# --- 条例 第四十四条 --------------------------------------------------------------------------------


def test_answered_request_becomes_anonymous_draft_notice(agency, staff_user):
    from catalog.models import Notice

    req = InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        applicant_name="赵大勇",
        description="赵大勇申请公开2025年天元区校车采购合同，联系电话13912345678",
    )
    with pytest.raises(ValidationError, match="不能转为主动公开"):
        services.request_to_notice_draft(
            info_request=req, by=staff_user, now=at("2026-03-05")
        )
    send_reply(
        info_request=req,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="答复",
        now=at("2026-03-05"),
    )
    notice = services.request_to_notice_draft(
        info_request=req, by=staff_user, now=at("2026-03-06")
    )
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == Notice.Status.DRAFT
    assert notice.owner_agency == agency
    text = notice.title + notice.summary
    assert "赵大勇" not in text
    assert "13912345678" not in text
    assert "校车采购合同" in text


def test_draft_notice_drops_the_stored_passport_number_address_and_landline(
    agency, staff_user
):
    """去标识化 uses what the applicant gave: a passport number is not shaped like a
    resident ID, a landline not like a mobile, and an address is written in part."""
    from catalog.models import Notice

    req = InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        applicant_name="赵大勇",
        id_type="passport",
        id_number="E12345678",
        phone="0731-22334455",
        address="湖南省株洲市天元区泰山路88号",
        description="本人（护照E12345678，电话0731-22334455）请公开天元区泰山路88号地块房屋征收补偿方案，株洲市天元区2025年",
    )
    send_reply(
        info_request=req,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="答复",
        now=at("2026-03-05"),
    )
    notice = services.request_to_notice_draft(
        info_request=req, by=staff_user, now=at("2026-03-06")
    )
    text = Notice.objects.get(pk=notice.pk).summary
    assert "E12345678" not in text
    assert "0731-22334455" not in text
    assert "泰山路88号" not in text
    assert "房屋征收补偿方案" in text
    assert "株洲市天元区2025年" in text  # a place name alone stays
