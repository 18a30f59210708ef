"""The 查询码 resend page as an oracle for which 申请编号 exist (and have an e-mail
address): the answer must not wait for the mail, and the per-number limit must not be
dodged by writing the number differently."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from requests_app import ratelimit
from requests_app.views.public import lookup_resend
from tests.factories import InfoRequestFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        yield


def test_the_mail_goes_only_after_the_answer(
    agency, frozen, django_capture_on_commit_callbacks
):
    """Before: the SMTP conversation ran inside the request (on commit), so a number
    with an e-mail address answered measurably later than an unknown one."""
    req = InfoRequestFactory(agency=agency, email="wang@example.com")
    mail.outbox.clear()
    request = RequestFactory().post(
        reverse("requests_app:lookup_resend"), {"tracking_no": req.tracking_no}
    )
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._dont_enforce_csrf_checks = True
    with django_capture_on_commit_callbacks(execute=True):
        response = lookup_resend(request)
    assert response.status_code == 200
    assert mail.outbox == []  # the page is complete, nothing sent yet
    response.close()  # what the WSGI server does once the page has been written
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.com"]


def test_the_answer_is_byte_identical_for_every_kind_of_number(
    client, agency, frozen, django_capture_on_commit_callbacks
):
    with_email = InfoRequestFactory(agency=agency, email="li@example.com")
    no_email = InfoRequestFactory(agency=agency, email="")
    pages = set()
    for i, number in enumerate(
        ("YSQ-2026-999999", no_email.tracking_no, with_email.tracking_no)
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("requests_app:lookup_resend"),
                {"tracking_no": number},
                REMOTE_ADDR=f"203.0.113.{i + 1}",
            )
        # the masked CSRF token and the CSP nonce differ on every page anyway
        body = re.sub(
            r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"',
            r"\1",
            response.content.decode(),
        )
        pages.add((response.status_code, body))
    assert len(pages) == 1


@pytest.mark.parametrize(
    "variant",
    [
        lambda n: n.lower(),
        lambda n: f"  {n}\t",
        lambda n: n.replace("-", " - "),
        lambda n: n.translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
        lambda n: "\u3000" + n.lower() + "\u3000",
    ],
)
def test_the_per_number_limit_holds_however_the_number_is_written(
    client, agency, frozen, django_capture_on_commit_callbacks, variant
):
    req = InfoRequestFactory(agency=agency, email="wang@example.com")
    mail.outbox.clear()
    limit = ratelimit.RESEND_PER_CASE.max_hits
    for i in range(limit + 2):
        number = req.tracking_no if i % 2 else variant(req.tracking_no)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("requests_app:lookup_resend"),
                {"tracking_no": number},
                REMOTE_ADDR=f"198.51.100.{i + 1}",  # a new address each time
            )
    assert len(mail.outbox) == limit
