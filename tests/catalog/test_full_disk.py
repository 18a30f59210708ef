"""A full disk while storing a notice attachment: no 500, no half-written file, the
admin form shown again with everything typed (security.md §8, issue 11 §2.4)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from catalog import services
from catalog.demo import build_pdf
from catalog.models import Attachment, Notice
from portal.filestore import StorageFull
from tests.catalog.test_admin import _with_upload, form_data
from tests.factories import NoticeFactory
from tests.requests_app.test_full_disk import disk, media_files  # noqa: F401

pytestmark = pytest.mark.django_db


def test_service_leaves_no_half_written_file(agency, disk, settings):  # noqa: F811
    notice = NoticeFactory(owner_agency=agency)
    disk.full = True
    with pytest.raises(StorageFull):
        services.attachment_add(
            notice=notice, by=None, name="a.txt", content="附件正文".encode()
        )
    assert media_files(settings) == []
    assert not Attachment.objects.exists()


def test_admin_upload_on_a_full_disk_shows_the_form_again(
    staff_client,
    agency,
    disk,  # noqa: F811
    settings,
    caplog,
):
    notice = NoticeFactory(owner_agency=agency, title="带附件的通知")
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    data = form_data(staff_client.get(url))
    data["title"] = "改过的标题"
    data = _with_upload(data, "细则.pdf", build_pdf("招生细则", ["报名时间"]))
    disk.full = True
    with caplog.at_level(logging.ERROR):
        response = staff_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "存储空间不足，请稍后再试" in html
    assert 'value="改过的标题"' in html
    assert "storage full" in caplog.text
    notice.refresh_from_db()
    assert notice.title == "带附件的通知"  # the whole change was rolled back
    assert not Attachment.objects.exists()
    assert media_files(settings) == []
    assert Notice.objects.count() == 1
