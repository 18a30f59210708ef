"""A lost 查询码 (issue 12 §3): a new one is e-mailed to the address on file; the
answer never says whether the number exists; the old code stops working; limited."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from requests_app.models import EventKind, RequestEvent
from requests_app.views.public import RESEND_SENT_MESSAGE
from tests.factories import InfoRequestFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
URL = "requests_app:lookup_resend"


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        yield


def lookup(client, tracking_no: str, code: str):
    return client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": tracking_no, "query_code": code},
    )


def resend(client, tracking_no: str, **extra):
    return client.post(reverse(URL), {"tracking_no": tracking_no}, **extra)


def test_a_new_code_is_mailed_and_the_old_one_stops_working(
    client, agency, frozen, django_capture_on_commit_callbacks
):
    req = InfoRequestFactory(agency=agency, email="wang@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = resend(client, " " + req.tracking_no.lower() + " ")
    assert response.status_code == 200
    assert RESEND_SENT_MESSAGE in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.com"]
    assert req.tracking_no in message.subject
    assert "原来的查询码从 2026-03-02 10:00 起不再有效" in message.body
    new_code = re.search(r"新查询码：([A-Z0-9 ]+)\n", message.body).group(1).strip()
    assert new_code.replace(" ", "") != req.query_code.replace(" ", "")
    # the code is nowhere but in the mail
    event = RequestEvent.objects.get(
        info_request=req, kind=EventKind.QUERY_CODE_REISSUED
    )
    assert event.is_public
    assert new_code not in str(event.data) + event.note
    assert new_code not in response.content.decode()
    # the old code no longer opens the case, the new one does
    assert (
        "申请编号或查询码不正确"
        in lookup(client, req.tracking_no, req.query_code).content.decode()
    )
    assert lookup(client, req.tracking_no, new_code).status_code == 302


def test_the_answer_is_the_same_for_unknown_numbers_and_cases_without_email(
    client, agency, frozen, django_capture_on_commit_callbacks
):
    no_email = InfoRequestFactory(agency=agency, email="")
    with_email = InfoRequestFactory(agency=agency, email="li@example.com")
    mail.outbox.clear()
    pages = []
    for number in ("YSQ-2026-999999", no_email.tracking_no, with_email.tracking_no):
        with django_capture_on_commit_callbacks(execute=True):
            response = resend(client, number, REMOTE_ADDR=f"10.0.0.{len(pages) + 1}")
        assert response.status_code == 200
        page = response.content.decode()
        # nothing that differs with the case: same page apart from the CSRF token
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in mail.outbox] == [["li@example.com"]]
    assert not RequestEvent.objects.filter(
        info_request=no_email, kind=EventKind.QUERY_CODE_REISSUED
    ).exists()
    # the applicant without an e-mail address keeps their code
    assert lookup(client, no_email.tracking_no, no_email.query_code).status_code == 302


def test_three_a_day_per_number_then_silently_nothing(
    client, agency, frozen, django_capture_on_commit_callbacks
):
    req = InfoRequestFactory(agency=agency, email="wang@example.com")
    mail.outbox.clear()
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = resend(client, req.tracking_no, REMOTE_ADDR=f"10.0.1.{n}")
        assert RESEND_SENT_MESSAGE in response.content.decode()
    assert len(mail.outbox) == 3
    last_code = re.search(r"新查询码：([A-Z0-9 ]+)\n", mail.outbox[-1].body).group(1)
    # the fourth did not replace the last code sent
    assert lookup(client, req.tracking_no, last_code.strip()).status_code == 302
    next_day = datetime(2026, 3, 3, 10, 1, tzinfo=TZ)
    with (
        time_machine.travel(next_day, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        resend(client, req.tracking_no, REMOTE_ADDR="10.0.1.9")
    assert len(mail.outbox) == 4


def test_five_an_hour_per_address(client, agency, frozen):
    for n in range(5):
        assert resend(client, f"YSQ-2026-{n:06d}").status_code == 200
    blocked = resend(client, "YSQ-2026-000009")
    assert blocked.status_code == 429
    assert "操作次数过多" in blocked.content.decode()
    assert blocked["Retry-After"]
    assert resend(client, "YSQ-2026-000009", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_empty_number_gets_the_sites_message_and_lookup_links_here(client, frozen):
    response = resend(client, "")
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写申请编号" in page
    assert "This field is required" not in page
    assert RESEND_SENT_MESSAGE not in page
    lookup_page = client.get(reverse("requests_app:lookup")).content.decode()
    assert f'href="{reverse(URL)}"' in lookup_page
    assert client.get(reverse(URL)).status_code == 200


def test_a_resend_is_not_a_step_of_the_case():
    """Anyone who knows a number can cause the event: it must not count as the next
    step that lets a handler who took the case over reveal personal data."""
    from requests_app.services.pii import NOT_A_STEP

    assert EventKind.QUERY_CODE_REISSUED in NOT_A_STEP
