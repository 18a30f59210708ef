"""send_deadline_reminders (twice → each reminder once) and import_requests."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from portal import roles
from requests_app import services
from requests_app.models import InfoRequest, ReminderLog, Status, TrackingCounter
from requests_app.outcomes import Outcome
from tests.factories import InfoRequestFactory, StaffFactory
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def due_cases(
    agency, other_agency, staff_user, teammate_user, approver_user, other_staff_user
):
    # due 2026-03-30 (Mon): due soon on 03-24; assigned to bob
    soon = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    services.request_assign(
        info_request=soon, by=staff_user, assignee=teammate_user, now=at("2026-03-02")
    )
    # due 2026-03-06 (after 春节): overdue on 03-24; unassigned → all handlers (alice, bob) + approver
    late = InfoRequestFactory(
        agency=agency, confirm_by=staff_user, now=at("2026-02-02")
    )
    # other agency, due soon → charlie only
    theirs = InfoRequestFactory(agency=other_agency, confirm_by=other_staff_user)
    # not yet due: no reminder
    InfoRequestFactory(agency=agency, confirm_by=staff_user, now=at("2026-03-20"))
    return soon, late, theirs


def test_reminders_twice_send_each_reminder_once(
    due_cases, staff_user, teammate_user, approver_user, other_staff_user
):
    soon, late, theirs = due_cases
    with time_machine.travel(at("2026-03-24", 8), tick=False):
        first = run("send_deadline_reminders")
        sent_first = len(mail.outbox)
        second = run("send_deadline_reminders")
    assert "已发送提醒 6 条" in first
    assert "已发送提醒 0 条" in second
    assert sent_first == len(mail.outbox) == 4  # one digest per recipient
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {
        staff_user.email,
        teammate_user.email,
        approver_user.email,
        other_staff_user.email,
    }
    assert soon.tracking_no in by_to[teammate_user.email].body
    assert late.tracking_no in by_to[teammate_user.email].body
    assert (
        soon.tracking_no not in by_to[staff_user.email].body
    )  # soon is bob's; alice gets the unassigned one
    assert late.tracking_no in by_to[staff_user.email].body
    assert "已逾期 12 个工作日" in by_to[approver_user.email].body
    assert "，剩 4 个工作日" in by_to[approver_user.email].body
    assert theirs.tracking_no not in by_to[approver_user.email].body
    assert theirs.tracking_no in by_to[other_staff_user.email].body
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 6


def test_reminder_due_soon_then_overdue_is_a_new_reminder(due_cases, teammate_user):
    soon, _, _ = due_cases
    with time_machine.travel(at("2026-03-24", 8), tick=False):
        run("send_deadline_reminders")
    with time_machine.travel(at("2026-03-31", 8), tick=False):
        out = run("send_deadline_reminders")
    kinds = set(
        ReminderLog.objects.filter(
            info_request=soon, recipient=teammate_user
        ).values_list("kind", flat=True)
    )
    assert kinds == {"due_soon", "overdue"}
    assert "已发送提醒" in out


def test_reminder_dry_run_sends_and_claims_nothing(due_cases):
    with time_machine.travel(at("2026-03-24", 8), tick=False):
        out = run("send_deadline_reminders", "--dry-run")
    assert "将提醒" in out
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_failed_mail_releases_claims_for_the_next_run(due_cases, settings):
    settings.EMAIL_BACKEND = "tests.requests_app.broken_mail.Backend"
    with time_machine.travel(at("2026-03-24", 8), tick=False):
        out = run("send_deadline_reminders")
    assert "重试" in out
    assert not ReminderLog.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(at("2026-03-24", 14), tick=False):
        run("send_deadline_reminders")
    assert len(mail.outbox) == 4


def test_reminders_command_expires_corrections_and_fees(agency, staff_user):
    corr = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    services.request_ask_correction(
        info_request=corr,
        by=staff_user,
        items="补充",
        due_date=D("2026-03-10"),
        now=at("2026-03-03"),
    )
    # an e-mail address: delivered online the day it is issued (a posted notice
    # would wait for its recorded receipt, and never expires without one)
    fee = InfoRequestFactory(
        agency=agency, confirm_by=staff_user, email="fee@example.com"
    )
    posted = InfoRequestFactory(agency=agency, confirm_by=staff_user, email="")
    services.request_send_fee_notice(
        info_request=posted,
        by=staff_user,
        method="by_volume",
        quantity=100,
        now=at("2026-03-03"),
    )
    services.request_send_fee_notice(
        info_request=fee,
        by=staff_user,
        method="by_volume",
        quantity=100,
        now=at("2026-03-03"),
    )  # pay by 2026-03-31
    with time_machine.travel(at("2026-03-11", 8), tick=False):
        run("send_deadline_reminders", "--no-expire")
        assert InfoRequest.objects.get(pk=corr.pk).status == Status.AWAITING_CORRECTION
        out = run("send_deadline_reminders")
    assert "已按逾期不补正办结" in out
    assert InfoRequest.objects.get(pk=corr.pk).outcome == Outcome.NO_CORRECTION
    assert InfoRequest.objects.get(pk=fee.pk).status == Status.AWAITING_PAYMENT
    with time_machine.travel(at("2026-04-01", 8), tick=False):
        run("send_deadline_reminders")
    assert InfoRequest.objects.get(pk=fee.pk).outcome == Outcome.UNPAID_FEE
    assert InfoRequest.objects.get(pk=posted.pk).status == Status.AWAITING_PAYMENT


def test_reminders_skip_inactive_and_emailless_staff(agency, staff_user):
    StaffFactory(
        username="gone", agency=agency, roles=[roles.APPROVER], is_active=False
    )
    StaffFactory(username="nomail", agency=agency, roles=[roles.APPROVER], email="")
    InfoRequestFactory(agency=agency, confirm_by=staff_user, now=at("2026-02-02"))
    with time_machine.travel(at("2026-03-24", 8), tick=False):
        run("send_deadline_reminders")
    assert [m.to for m in mail.outbox] == [[staff_user.email]]


# --- import_requests -----------------------------------------------------------------------------


def write(tmp_path, lines) -> str:
    path = tmp_path / "ledger.jsonl"
    path.write_text(
        "\n".join(
            x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
            for x in lines
        ),
        encoding="utf-8",
    )
    return str(path)


GOOD = [
    {
        "tracking_no": "TY-2024-0001",
        "agency": "天元区教育局",
        "applicant_type": "自然人",
        "channel": "当面",
        "received_date": "2024-03-05",
        "description": "学校收费标准",
        "status": "closed",
        "outcome": "予以公开",
        "closed_date": "2024-03-20",
    },
    {
        "tracking_no": "TY-2024-0002",
        "agency": "区教育局",
        "applicant_type": "商业企业",
        "channel": "网上",
        "received_date": "2024-12-20",
        "status": "open",
    },
    {
        "tracking_no": "TY-2025-0003",
        "agency": "天元区教育局",
        "applicant_type": "法律服务机构",
        "channel": "平常信函",
        "received_date": "2025-02-03",
        "status": "closed",
        "outcome": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "closed_date": "2025-03-03",
    },
    {
        "tracking_no": "YSQ-2025-000040",
        "agency": "天元区教育局",
        "applicant_type": "其他",
        "channel": "email",
        "received_date": "2025-06-03",
        "status": "closed",
        "outcome": "其他",
        "closed_date": "2025-06-04",
    },
]


def test_import_good_lines_and_idempotent(agency, tmp_path):
    path = write(tmp_path, GOOD)
    with time_machine.travel(at("2026-03-02"), tick=False):
        out = run("import_requests", path)
        assert "新增 4 条" in out
        assert "跳过 0 行" in out
        again = run("import_requests", path)
    assert "新增 0 条" in again
    assert "未变 4 条" in again
    a = InfoRequest.objects.get(tracking_no="TY-2024-0001")
    assert (a.status, a.outcome, a.applicant_kind, a.channel, a.closed_date) == (
        Status.REPLIED,
        Outcome.DISCLOSED,
        "natural",
        "in_person",
        D("2024-03-20"),
    )
    b = InfoRequest.objects.get(tracking_no="TY-2024-0002")
    assert b.status == Status.PROCESSING
    assert b.reply_due_date is not None
    assert b.applicant_type == "organisation"
    c = InfoRequest.objects.get(tracking_no="TY-2025-0003")
    assert (c.status, c.outcome) == (Status.ABANDONED, Outcome.NO_CORRECTION)
    assert (
        TrackingCounter.objects.get(year=2025).last == 40
    )  # live numbers continue after imported ones


def test_import_update_changes_existing_case(agency, tmp_path):
    with time_machine.travel(at("2026-03-02"), tick=False):
        run("import_requests", write(tmp_path, GOOD[1:2]))
        closed = {
            **GOOD[1],
            "status": "closed",
            "outcome": "部分公开",
            "closed_date": "2025-01-10",
        }
        out = run("import_requests", write(tmp_path, [closed]))
    assert "更新 1 条" in out
    assert (
        InfoRequest.objects.get(tracking_no="TY-2024-0002").outcome == Outcome.PARTIAL
    )


BAD = [
    ("not json", "不是有效的 JSON"),
    ("[1, 2]", "JSON 对象"),
    (
        {
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
        },
        "缺少 tracking_no",
    ),
    (
        {
            "tracking_no": "B1",
            "agency": "火星局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
        },
        "找不到机关",
    ),
    (
        {
            "tracking_no": "B2",
            "agency": "天元区教育局",
            "applicant_type": "公民",
            "received_date": "2024-01-02",
        },
        "applicant_type",
    ),
    (
        {"tracking_no": "B3", "agency": "天元区教育局", "applicant_type": "自然人"},
        "缺少 received_date",
    ),
    (
        {
            "tracking_no": "B4",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-02-30",
        },
        "不是有效日期",
    ),
    (
        {
            "tracking_no": "B5",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
            "status": "closed",
            "outcome": "不予公开",
            "closed_date": "2024-01-05",
        },
        "不是年度报告表三的行名称",
    ),
    (
        {
            "tracking_no": "B6",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
            "status": "closed",
            "outcome": "予以公开",
        },
        "缺少 closed_date",
    ),
    (
        {
            "tracking_no": "B7",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-09",
            "status": "closed",
            "outcome": "予以公开",
            "closed_date": "2024-01-05",
        },
        "早于",
    ),
    (
        {
            "tracking_no": "B8",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
            "status": "pending",
        },
        "open 或 closed",
    ),
    (
        {
            "tracking_no": "B9",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2024-01-02",
            "channel": "飞鸽",
        },
        "channel",
    ),
    (
        {
            "tracking_no": "B10",
            "agency": "天元区教育局",
            "applicant_type": "自然人",
            "received_date": "2030-01-02",
        },
        "晚于今天",
    ),
]


def test_import_reports_bad_lines_with_number_and_reason(agency, tmp_path):
    lines = [GOOD[0]] + [b for b, _ in BAD]
    with time_machine.travel(at("2026-03-02"), tick=False):
        out = run("import_requests", write(tmp_path, lines))
    for i, (_, reason) in enumerate(BAD, start=2):
        line = next(x for x in out.splitlines() if x.startswith(f"第 {i} 行："))
        assert reason in line, (i, line)
    assert "新增 1 条" in out
    assert f"跳过 {len(BAD)} 行" in out
    assert InfoRequest.objects.count() == 1


def test_import_refuses_to_overwrite_a_live_request(agency, staff_user, tmp_path):
    live = InfoRequestFactory(agency=agency)
    line = {**GOOD[0], "tracking_no": live.tracking_no}
    with time_machine.travel(at("2026-03-02"), tick=False):
        out = run("import_requests", write(tmp_path, [line]))
    assert "已被本系统的申请使用" in out
    assert InfoRequest.objects.get(pk=live.pk).status == Status.PENDING


def test_import_missing_file():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到文件"):
        run("import_requests", "/nonexistent/ledger.jsonl")
