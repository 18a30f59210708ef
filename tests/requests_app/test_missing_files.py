"""A stored file missing from disk is a 404 page in the site's layout and an error in
the log, never a 500 (issue 11 §1.8), on every view that serves a stored file."""

from __future__ import annotations

import logging
import os

import pytest
import time_machine
from django.urls import reverse

from catalog.attachments import attachment_add
from portal.timeutil import local_now
from requests_app.models import PiiAccessLog
from requests_app.views.public import SESSION_CASE
from tests.catalog.public_data import at, publish
from tests.requests_app.test_access_views import NOW, case  # noqa: F401

pytestmark = pytest.mark.django_db


def _remove(field_file) -> None:
    os.remove(field_file.path)


def _assert_404_page(response, caplog, logger_name: str) -> None:
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'name="SiteIDCode"' in html  # the site's layout
    errors = [
        r
        for r in caplog.records
        if r.levelno == logging.ERROR and r.name == logger_name
    ]
    assert errors
    assert "missing" in errors[0].getMessage()


def test_applicant_reply_file_missing_is_404_and_logged(client, case, caplog):  # noqa: F811
    rf = case["reply_file"]
    _remove(rf.file)
    session = client.session
    session[SESSION_CASE] = {"id": case["req"].pk, "at": local_now().timestamp()}
    session.save()
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("requests_app:case_file", args=[rf.pk]))
    _assert_404_page(response, caplog, "requests_app.views.public")


def test_staff_reply_file_missing_is_404_and_logged(staff_client, case, caplog):  # noqa: F811
    rf = case["reply_file"]
    _remove(rf.file)
    with time_machine.travel(NOW, tick=False):
        response = staff_client.get(
            reverse("requests_app:staff_request_file", args=[case["req"].code, rf.pk])
        )
    _assert_404_page(response, caplog, "requests_app.views.public")


def test_id_proof_missing_is_404_and_the_reveal_not_logged(
    staff_client,
    case,  # noqa: F811
    caplog,
):
    proof = case["proof"]
    _remove(proof.file)
    before = PiiAccessLog.objects.count()
    with time_machine.travel(NOW, tick=False):
        response = staff_client.post(
            reverse(
                "requests_app:staff_request_file_open",
                args=[case["req"].code, proof.pk],
            ),
            {"file_open-reason": "核对身份"},
        )
    _assert_404_page(response, caplog, "requests_app.views.public")
    assert PiiAccessLog.objects.count() == before  # nothing was shown


def test_notice_attachment_missing_is_404_and_logged(client, agency, caplog):
    notice = publish(agency=agency, title="附件丢失的通知", published_at=at(2024, 3, 1))
    attachment = attachment_add(
        notice=notice, by=None, name="说明.txt", content="全文".encode()
    )
    _remove(attachment.file)
    response = client.get(
        reverse("catalog:attachment_download", args=[notice.uuid, attachment.pk])
    )
    _assert_404_page(response, caplog, "catalog.views")
