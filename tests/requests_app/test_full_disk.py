"""A full disk at the confirm step and at the final submit of an application: a clear
Chinese answer, nothing typed lost, no half-written file (security.md §8, issue 11 §2.4)."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from portal import filestore
from requests_app.models import InfoRequest, RequestFile
from tests.requests_app.test_public_views import (
    MONDAY,
    application,
    hidden_inputs,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def disk(monkeypatch):
    """``disk.full = True`` makes every stored file fail half-way with ENOSPC."""

    class Disk:
        full = False

    real = filestore._write

    def write(handle, data):
        if Disk.full:
            handle.write(data[: len(data) // 2])
            handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(handle, data)

    monkeypatch.setattr(filestore, "_write", write)
    return Disk


def media_files(settings) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_full_disk_at_the_confirm_step_keeps_what_was_typed(
    client, agency, disk, settings, caplog
):
    disk.full = True
    with time_machine.travel(MONDAY, tick=False), caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
        )
    html = response.content.decode()
    assert response.status_code == 503
    assert "存储空间不足，请稍后再试" in html
    assert "请稍后重新选择身份证明文件" in html
    assert 'value="王小明"' in html
    assert "请公开天元区2025年义务教育学校招生划片方案" in html
    assert media_files(settings) == []  # no half-written or temporary file
    assert "storage full" in caplog.text


def test_full_disk_at_the_final_submit_keeps_the_form_and_the_held_file(
    client, agency, disk, settings, caplog
):
    with time_machine.travel(MONDAY, tick=False):
        confirm = client.post(
            reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
        )
        fields = hidden_inputs(confirm.content.decode())
        held = media_files(settings)
        assert len(held) == 1
        disk.full = True
        with caplog.at_level(logging.ERROR):
            response = client.post(reverse("requests_app:apply_submit"), fields)
        html = response.content.decode()
        assert response.status_code == 503
        assert "存储空间不足，请稍后再试" in html
        assert "申请尚未提交" in html
        assert 'value="王小明"' in html
        assert "身份证.pdf" in html  # the chosen file is kept, not asked again
        assert "storage full" in caplog.text
        assert not InfoRequest.objects.exists()
        assert not RequestFile.objects.exists()
        assert media_files(settings) == held  # only the held file, nothing half-written
        # the disk has room again: the form shown goes on with the held file
        disk.full = False
        token = hidden_inputs(html)["holding"][0]
        assert token == fields["holding"][0]
        confirm = client.post(
            reverse("requests_app:apply"), {**application(agency), "holding": token}
        )
        assert confirm.status_code == 200
        done = client.post(
            reverse("requests_app:apply_submit"),
            hidden_inputs(confirm.content.decode()),
        )
    assert done.status_code == 302
    assert done.url == reverse("requests_app:apply_done")
    req = InfoRequest.objects.get()
    assert req.applicant_name == "王小明"
    assert req.files.get().original_name == "身份证.pdf"
