"""Reassignment and reveal of personal data (issue 11 §1.2) and the alert on
sustained 查询码 guessing against one case (issue 11 §1.6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import roles
from requests_app import services
from requests_app.models import EventKind, RequestEvent
from tests.factories import StaffFactory
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(confirmed_request, staff_user):
    """alice's case (confirmed 2026-03-02, assigned to her the same day)."""
    return services.request_assign(
        info_request=confirmed_request,
        by=staff_user,
        assignee=staff_user,
        now=at("2026-03-02", 11),
    )


def _reveal(req, user, day="2026-03-03"):
    return services.request_reveal_pii(
        info_request=req, by=user, reason="核对身份", now=at(day, 15)
    )


def test_a_teammate_cannot_take_a_case_that_has_a_handler(assigned, teammate_user):
    with pytest.raises(ValidationError, match="审核人或管理员"):
        services.request_assign(
            info_request=assigned,
            by=teammate_user,
            assignee=teammate_user,
            now=at("2026-03-03"),
        )
    assigned.refresh_from_db()
    with pytest.raises(ValidationError, match="承办人"):
        _reveal(assigned, teammate_user)


def test_a_teammate_may_still_take_an_unassigned_case(confirmed_request, teammate_user):
    req = services.request_assign(
        info_request=confirmed_request,
        by=teammate_user,
        assignee=teammate_user,
        now=at("2026-03-03"),
    )
    assert req.assigned_to == teammate_user
    assert _reveal(req, teammate_user)["id_number"]


def test_an_approver_reassigns_and_the_previous_handler_is_told(
    assigned,
    staff_user,
    teammate_user,
    approver_user,
    django_capture_on_commit_callbacks,
):
    staff_user.email = "alice@example.gov.cn"
    staff_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        req = services.request_assign(
            info_request=assigned,
            by=approver_user,
            assignee=teammate_user,
            now=at("2026-03-03", 9),
        )
    assert req.assigned_to == teammate_user
    event = RequestEvent.objects.filter(
        info_request=req, kind=EventKind.ASSIGNED
    ).latest("id")
    assert event.data["from"] == staff_user.pk
    assert "已通知原承办人" in event.note
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.gov.cn"]
    assert req.tracking_no in mail.outbox[0].subject
    assert "重新分配" in mail.outbox[0].body
    # a reassignment made by an approver covers the current step at once
    assert _reveal(req, teammate_user)["id_number"]


def test_taking_a_case_over_oneself_reveals_nothing_until_the_next_step(
    assigned, agency
):
    frank = StaffFactory(
        username="frank", agency=agency, roles=[roles.HANDLER, roles.APPROVER]
    )
    req = services.request_assign(
        info_request=assigned, by=frank, assignee=frank, now=at("2026-03-03", 9)
    )
    with pytest.raises(ValidationError, match="本环节内不能查看"):
        _reveal(req, frank)
    proof = services.reveal_refusal(req, frank)
    assert proof
    # the next step of the case (logged and visible) ends the wait
    req = services.request_ask_correction(
        info_request=req, by=frank, items="请写明学校名称", now=at("2026-03-04")
    )
    assert _reveal(req, frank, day="2026-03-04")["id_number"]


def test_the_staff_case_page_lists_every_reveal_for_the_approver(
    client, assigned, staff_user, teammate_user, approver_user
):
    _reveal(assigned, staff_user)
    with time_machine.travel(at("2026-03-04"), tick=False):
        client.force_login(approver_user)
        url = reverse("requests_app:staff_request_detail", args=[assigned.code])
        html = client.get(url).content.decode()
        assert "个人信息查看记录" in html
        assert "核对身份" in html
        assert "2026-03-03 15:00" in html
        client.force_login(teammate_user)
        assert "个人信息查看记录" not in client.get(url).content.decode()


# --- sustained 查询码 guessing ------------------------------------------------------


def _wrong(client, req, n):
    return client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": "AAAA BBBB CCCC DDDD"},
        REMOTE_ADDR=f"203.0.113.{n}",
    )


def test_sustained_guessing_alerts_the_handler_once_per_window(
    client, assigned, staff_user, django_capture_on_commit_callbacks
):
    staff_user.email = "alice@example.gov.cn"
    staff_user.save(update_fields=["email"])
    start = at("2026-03-05", 9)
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for n in range(19):
            _wrong(client, assigned, n)
        assert not RequestEvent.objects.filter(kind=EventKind.LOOKUP_GUESSING)
        for n in range(19, 40):
            _wrong(client, assigned, n)
    alerts = RequestEvent.objects.filter(
        info_request=assigned, kind=EventKind.LOOKUP_GUESSING
    )
    assert alerts.count() == 1
    assert not alerts[0].is_public
    assert "20 次" in alerts[0].note
    sent = [m for m in mail.outbox if "查询码多次输错" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == ["alice@example.gov.cn"]
    assert "203.0.113" not in sent[0].body + alerts[0].note
    # a new window, a new alert
    with (
        time_machine.travel(start + timedelta(hours=25), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for n in range(40, 60):
            _wrong(client, assigned, n)
    assert alerts.count() == 2
