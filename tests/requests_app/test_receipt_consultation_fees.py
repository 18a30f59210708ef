"""Issue 9 §3 through the services, the pages and the reminder command:

* 平常信函 (条例 第三十一条第（二）项): confirmed after the arrival day → allowed, flagged
  late, and the receipt date stays the arrival date; unconfirmed letters and online
  applications show their age on the workbench and are warned about once;
* consultation (第三十二条): the party's 15 working days run from ITS receipt of the
  征求意见书, and the pause follows;
* fees (国办函〔2020〕109号): one method per request, 按量 only for paper, e-mail or copied
  electronic data, the monthly count per receiving agency (a setting), and the payment
  period and the clock pause as settings.
"""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from portal.workdays import add_working_days, load_calendar
from requests_app import deadlines, services
from requests_app.models import (
    Consultation,
    EventKind,
    FeeNotice,
    ReminderLog,
    RequestEvent,
    Status,
)
from tests.factories import InfoRequestFactory
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
D = date.fromisoformat

LETTER = {
    "applicant_type": "citizen",
    "applicant_kind": "natural",
    "applicant_name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13812341234",
    "address": "湖南省株洲市天元区天台路1号3栋",
    "description": "请公开2025年天元区义务教育学校招生划片方案",
    "provide_forms": ["paper"],
    "delivery_methods": ["post"],
}


@pytest.fixture(autouse=True)
def _long_sessions(settings):
    """The page scenarios travel over days: keep the staff session alive."""
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600
    settings.SESSION_ABSOLUTE_AGE = 365 * 24 * 3600


def wd_after(start: date, n: int) -> date:
    return add_working_days(start, n, load_calendar()).due_date


def letter(agency, staff_user, arrived="2026-03-03", **kwargs):
    return services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="post_ordinary",
        submitted_at=at(arrived),
        now=at(arrived),
        **LETTER,
        **kwargs,
    ).info_request


# --- 平常信函 -----------------------------------------------------------------------------


def test_ordinary_letter_late_confirmation_keeps_the_arrival_date(agency, staff_user):
    req = letter(agency, staff_user)
    assert req.status == Status.PENDING
    assert req.arrived_date == D("2026-03-03")
    req = services.request_confirm(
        info_request=req,
        by=staff_user,
        now=at("2026-03-06"),
        confirmed_date=D("2026-03-05"),
    )
    assert req.received_date == D("2026-03-03")  # never later than the arrival
    assert req.confirmed_date == D("2026-03-05")
    assert req.confirmation_late
    assert req.reply_due_date == wd_after(D("2026-03-03"), 20)
    event = RequestEvent.objects.get(info_request=req, kind=EventKind.CONFIRMED)
    assert "晚于" in event.note
    assert event.data["confirmation_late"] is True


def test_ordinary_letter_confirmed_on_arrival_is_not_late(agency, staff_user):
    req = letter(agency, staff_user)
    req = services.request_confirm(
        info_request=req, by=staff_user, now=at("2026-03-03", 16)
    )
    assert req.received_date == D("2026-03-03")
    assert not req.confirmation_late


def test_ordinary_letter_registered_with_a_later_confirmation(agency, staff_user):
    req = services.request_register_offline(
        agency=agency,
        by=staff_user,
        channel="post_ordinary",
        submitted_at=at("2026-03-02"),
        now=at("2026-03-04"),
        confirmed_date=D("2026-03-04"),
        **LETTER,
    ).info_request
    assert req.status == Status.PROCESSING
    assert req.received_date == req.arrived_date == D("2026-03-02")
    assert req.confirmation_late


def test_confirmation_before_the_letter_arrived_is_refused(agency, staff_user):
    req = letter(agency, staff_user, arrived="2026-03-04")
    with pytest.raises(ValidationError, match="不能早于"):
        services.request_confirm(
            info_request=req,
            by=staff_user,
            now=at("2026-03-05"),
            confirmed_date=D("2026-03-03"),
        )


def test_online_confirmation_is_the_receipt_date(agency, staff_user):
    req = InfoRequestFactory(agency=agency, now=at("2026-03-02"))
    req = services.request_confirm(
        info_request=req,
        by=staff_user,
        now=at("2026-03-04"),
        confirmed_date=D("2026-03-04"),
    )
    assert req.received_date == req.confirmed_date == D("2026-03-04")
    assert req.arrived_date is None
    assert not req.confirmation_late


def test_workbench_and_case_page_show_waiting_and_late(
    staff_client, agency, staff_user
):
    waiting = letter(agency, staff_user, arrived="2026-03-02")
    late = letter(agency, staff_user, arrived="2026-03-02")
    services.request_confirm(
        info_request=late,
        by=staff_user,
        now=at("2026-03-04"),
        confirmed_date=D("2026-03-04"),
    )
    with time_machine.travel(at("2026-03-05"), tick=False):
        queue = staff_client.get(reverse("requests_app:staff_queue")).content.decode()
        page = staff_client.get(
            reverse("requests_app:staff_request_detail", args=[late.code])
        ).content.decode()
    assert "待确认，已等待 3 天" in queue
    assert waiting.tracking_no in queue
    assert "确认晚于信件到达" in queue
    assert "确认晚于到达当日" in page
    assert "2026-03-02" in page


def test_reminder_warns_once_about_unconfirmed_applications(
    agency, staff_user, approver_user
):
    old_letter = letter(agency, staff_user, arrived="2026-03-02")
    online = InfoRequestFactory(agency=agency, now=at("2026-03-03"))
    with time_machine.travel(at("2026-03-04", 8), tick=False):
        out = StringIO()
        call_command("send_deadline_reminders", stdout=out, stderr=out)
        sent = len(mail.outbox)
        call_command("send_deadline_reminders", stdout=out, stderr=out)
    assert sent == len(mail.outbox) == 2  # alice (handler, unassigned) + the approver
    body = mail.outbox[0].body
    assert old_letter.tracking_no in body
    assert online.tracking_no in body
    assert "已等待 2 天" in body
    assert "应于到达当日确认" in body
    assert "待确认 2 件" in mail.outbox[0].subject
    assert ReminderLog.objects.filter(kind="pending").count() == 4


# --- consultation: the party's 15 working days from its receipt -------------------------------


def test_consultation_deadline_runs_from_the_third_partys_receipt(
    confirmed_request, staff_user
):
    c = services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="third_party",
        party_name="某建设有限公司",
        now=at("2026-03-03"),
    )
    assert c.due_date == wd_after(D("2026-03-03"), 15)  # receipt not known yet
    c = services.request_record_consultation_receipt(
        info_request=confirmed_request,
        by=staff_user,
        party_received_date=D("2026-03-10"),
        now=at("2026-03-10"),
    )
    assert c.due_date == wd_after(D("2026-03-10"), 15) == D("2026-03-31")
    # the opinion comes on the party's last day: 20 working days after sending, all
    # of them excluded (capped at 15 from sending before this change)
    c = services.request_end_consultation(
        info_request=confirmed_request, by=staff_user, now=at("2026-03-31")
    )
    assert c.paused_workdays == 20
    req = type(confirmed_request).objects.get(pk=confirmed_request.pk)
    assert req.paused_workdays == 20
    expected = deadlines.reply_deadline(
        D("2026-03-02"),
        load_calendar(),
        pauses=[
            deadlines.Pause(
                D("2026-03-03"), D("2026-03-31"), deadlines.CONSULTATION_PAUSE_REASON
            )
        ],
    )
    assert req.reply_due_date == expected.due_date


def test_opinion_after_the_partys_period_counts_only_up_to_it(
    confirmed_request, staff_user
):
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="other_agency",
        party_name="区财政局",
        now=at("2026-03-05"),
        sent_date=D("2026-03-03"),
        party_received_date=D("2026-03-05"),
    )
    c = services.request_end_consultation(
        info_request=confirmed_request,
        by=staff_user,
        now=at("2026-04-20"),
    )
    # 03-04 … 15 working days after 03-05 (= 03-26): 17 working days
    assert c.due_date == D("2026-03-26")
    assert c.paused_workdays == 17


def test_consultation_receipt_dates_in_the_wrong_order_are_refused(
    confirmed_request, staff_user
):
    with pytest.raises(ValidationError, match="不能早于发出征求意见之日"):
        services.request_start_consultation(
            info_request=confirmed_request,
            by=staff_user,
            party_type="third_party",
            party_name="某公司",
            now=at("2026-03-05"),
            sent_date=D("2026-03-04"),
            party_received_date=D("2026-03-03"),
        )
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="third_party",
        party_name="某公司",
        now=at("2026-03-05"),
        sent_date=D("2026-03-04"),
    )
    with pytest.raises(ValidationError, match="不能早于对方收到征求意见书"):
        services.request_end_consultation(
            info_request=confirmed_request,
            by=staff_user,
            now=at("2026-03-12"),
            replied_date=D("2026-03-06"),
            party_received_date=D("2026-03-09"),
        )
    assert Consultation.objects.get().replied_date is None


def test_consultation_receipt_through_the_page(staff_client, confirmed_request):
    req = confirmed_request
    with time_machine.travel(at("2026-03-03"), tick=False):
        staff_client.post(
            reverse("requests_app:staff_request_consult_start", args=[req.code]),
            {
                "consult_start-party_type": "third_party",
                "consult_start-party_name": "某公司",
                "consult_start-sent_date": "2026-03-03",
            },
        )
        page = staff_client.get(
            reverse("requests_app:staff_request_detail", args=[req.code])
        ).content.decode()
    assert "登记对方收到征求意见书之日" in page
    with time_machine.travel(at("2026-03-06"), tick=False):
        response = staff_client.post(
            reverse("requests_app:staff_request_consult_receipt", args=[req.code]),
            {"consult_receipt-party_received_date": "2026-03-06"},
        )
    assert response.status_code == 302
    assert response.url == reverse("requests_app:staff_request_detail", args=[req.code])
    c = Consultation.objects.get(info_request=req)
    assert c.party_received_date == D("2026-03-06")
    assert c.due_date == wd_after(D("2026-03-06"), 15)


# --- fees ----------------------------------------------------------------------------------


def _pay(req, staff_user, day):
    services.request_record_payment(info_request=req, by=staff_user, now=at(day))


def test_fee_methods_are_never_mixed_on_one_request(confirmed_request, staff_user):
    services.request_send_fee_notice(
        info_request=confirmed_request,
        by=staff_user,
        method="by_item",
        quantity=11,
        now=at("2026-03-03"),
    )
    _pay(confirmed_request, staff_user, "2026-03-04")
    with pytest.raises(ValidationError, match=r"109号第三条"):
        services.request_send_fee_notice(
            info_request=confirmed_request,
            by=staff_user,
            method="by_volume",
            quantity=40,
            now=at("2026-03-05"),
        )
    assert FeeNotice.objects.filter(info_request=confirmed_request).count() == 1


def test_fee_method_mixing_is_refused_on_the_page(
    staff_client, confirmed_request, staff_user
):
    req = confirmed_request
    services.request_send_fee_notice(
        info_request=req,
        by=staff_user,
        method="by_volume",
        quantity=40,
        now=at("2026-03-03"),
    )
    _pay(req, staff_user, "2026-03-04")
    with time_machine.travel(at("2026-03-05"), tick=False):
        response = staff_client.post(
            reverse("requests_app:staff_request_fee", args=[req.code]),
            {
                "action": "send",
                "fee-method": "by_item",
                "fee-quantity": "12",
                "fee-basis": "本月第 12 件",
                "fee-payment_method": "到本机关一楼窗口缴纳",
            },
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "同一申请只能选择一种计费方式" in body
    assert "本月第 12 件" in body
    assert FeeNotice.objects.filter(info_request=req).count() == 1


def test_by_volume_only_for_paper_email_or_copied_data(agency, staff_user):
    req = InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        provide_forms=[],
        delivery_methods=["pickup"],
    )
    with pytest.raises(ValidationError, match=r"109号第五条"):
        services.request_send_fee_notice(
            info_request=req,
            by=staff_user,
            method="by_volume",
            quantity=40,
            now=at("2026-03-03"),
        )
    notice = services.request_send_fee_notice(
        info_request=req,
        by=staff_user,
        method="by_item",
        quantity=11,
        now=at("2026-03-03"),
    )
    assert notice.amount == 100


def test_monthly_count_is_per_receiving_agency_unless_set(
    agency, other_agency, staff_user, other_staff_user, settings
):
    InfoRequestFactory(agency=other_agency, confirm_by=other_staff_user)
    mine = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    assert services.month_request_count(mine) == 1
    settings.REQUESTS_FEE_COUNT_SCOPE = "all"
    assert services.month_request_count(mine) == 2


def test_payment_period_and_clock_pause_are_settings(agency, staff_user, settings):
    settings.REQUESTS_FEE_PAYMENT_WORKDAYS = 10
    settings.REQUESTS_FEE_NOTICE_PAUSES_CLOCK = False
    # an e-mail address: the notice is delivered online the day it is issued, and the
    # period runs from the next day (a posted one waits for its recorded receipt)
    req = InfoRequestFactory(
        agency=agency, confirm_by=staff_user, email="a@example.com"
    )
    due = req.reply_due_date
    notice = services.request_send_fee_notice(
        info_request=req,
        by=staff_user,
        method="by_item",
        quantity=11,
        now=at("2026-03-03"),
    )
    assert notice.pay_by_date == wd_after(D("2026-03-03"), 10)
    _pay(req, staff_user, "2026-03-10")
    req.refresh_from_db()
    assert req.reply_due_date == due
    assert req.fee_paused_workdays == 0
    settings.REQUESTS_FEE_NOTICE_PAUSES_CLOCK = True
    services.request_recompute_deadline(info_request=req, now=at("2026-03-11"))
    req.refresh_from_db()
    assert req.fee_paused_workdays == 5
    assert req.reply_due_date == wd_after(due, 5)
