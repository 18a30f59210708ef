"""The weekly compliance e-mail: to each agency's 管理员 only, once a week however often
it runs, retried after a failed send."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from disclosure.models import ComplianceMailLog
from tests.disclosure.conftest import at

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("send_compliance_digest", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_weekly_mail_once_per_week_to_the_agency_admin(
    staff_user, teammate_user, other_agency, other_staff_user
):
    with time_machine.travel(at(2026, 3, 16, 8), tick=False):  # a Monday
        run()
        run()  # idempotent
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.gov.cn",
        "charlie@example.gov.cn",
    ]  # bob is a 承办人, not a 管理员
    alice = next(m for m in mail.outbox if m.to == ["alice@example.gov.cn"])
    assert "天元区教育局" in alice.subject
    assert "天元区财政局" not in alice.body  # only their own agency
    assert "/staff/hegui/" in alice.body
    with time_machine.travel(at(2026, 3, 20, 8), tick=False):  # same week
        run()
    assert len(mail.outbox) == 2
    with time_machine.travel(at(2026, 3, 23, 8), tick=False):  # next week
        run()
    assert len(mail.outbox) == 4


def test_failed_send_releases_the_claim(staff_user, settings):
    settings.EMAIL_BACKEND = "tests.requests_app.broken_mail.Backend"
    with time_machine.travel(at(2026, 3, 16, 8), tick=False):
        run()
        assert ComplianceMailLog.objects.count() == 0
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        run()
    assert len(mail.outbox) == 1
    assert ComplianceMailLog.objects.get().sent_at is not None


def test_agency_without_admin_is_reported(agency, other_agency):
    with time_machine.travel(at(2026, 3, 16, 8), tick=False):
        out = run()
    assert "天元区财政局：有" in out
    assert "没有可接收邮件的管理员" in out
    assert mail.outbox == []
