"""The applicant's case page offers no link that fails: every file it links to downloads.

Regression: the page linked the applicant's own ID proof and 补正 material to
``case_file``, which (rightly) serves only reply files, so those links answered 404.
The uploads are now listed by name only.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app import services
from requests_app.models import FileKind
from tests.factories import InfoRequestFactory, send_reply

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_every_file_link_on_the_case_page_downloads(client, agency, staff_user):
    with time_machine.travel(MONDAY, tick=False):
        req = InfoRequestFactory(
            agency=agency, confirm_by=staff_user, id_proof=pdf("身份证.pdf")
        )
        services.request_ask_correction(
            info_request=req, by=staff_user, items="请写明学年。", now=MONDAY
        )
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        assert (
            client.post(
                reverse("requests_app:case_correction"),
                {"text": "2025—2026学年。", "attachment": pdf("补充.pdf")},
            ).status_code
            == 302
        )
        req.refresh_from_db()
        send_reply(
            info_request=req,
            by=staff_user,
            outcome="disclosed",
            now=MONDAY,
            letter_text="现将该信息提供给您。",
            files=[pdf("答复.pdf")],
        )

        html = client.get(reverse("requests_app:case")).content.decode()
        kinds = set(req.files.values_list("kind", flat=True))
        assert kinds == {FileKind.ID_PROOF, FileKind.CORRECTION, FileKind.REPLY}
        # every file link on the page works (only the reply file is linked) …
        prefix = reverse("requests_app:case_file", args=[0]).rsplit("0/", 1)[0]
        links = re.findall(rf'href="({re.escape(prefix)}\d+/)"', html)
        for href in links:
            response = client.get(href)
            assert response.status_code == 200, href
            assert response.content == PDF
        assert len(links) == 1
        # … and the applicant still sees what they uploaded
        assert "身份证.pdf（身份证明）" in html
        assert "补充.pdf（补正材料）" in html
