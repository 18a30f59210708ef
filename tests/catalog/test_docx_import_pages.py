"""/staff/xinxi/word/: upload a .docx → review → 创建草稿 (issue 12 §2)."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import docx_views
from catalog.models import Notice, NoticeEvent
from portal import roles
from tests.catalog.docx_samples import TITLE, gongwen, plain_docx
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
UPLOAD = reverse("catalog:staff_notice_import_docx")


def _upload(client, data: bytes, name: str = "通知.docx"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)})


def _review_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(UPLOAD)
    return response["Location"]


def _held_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / docx_views.HOLDING_DIR
    return sorted(root.iterdir()) if root.is_dir() else []


def test_upload_review_and_create_a_draft(staff_client, staff_user, agency, settings):
    page = staff_client.get(UPLOAD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html
    assert 'accept=".docx,' in html
    assert "从 Word 文档导入" in html

    review = _review_url(_upload(staff_client, gongwen()))
    assert len(_held_files(settings)) == 1
    page = staff_client.get(review)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{TITLE}</textarea>" in html
    assert 'value="天政发〔2026〕3号"' in html
    assert 'value="2026-03-05"' in html
    assert '<div class="article-body docx-preview">' in html
    assert "<h2>一、总体要求</h2>" in html
    assert "已从正文中移出：发文字号、标题、落款和成文日期、版记" in html
    image_url = re.search(r'<img src="([^"]+)"', html)[1]
    picture = staff_client.get(image_url)
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert picture["Cache-Control"] == "private, no-store"
    assert picture.content.startswith(b"\x89PNG")

    response = staff_client.post(
        review,
        {
            "title": TITLE + "（修改）",
            "doc_number": "天政发[2026]3号",
            "written_date": "2026-03-05",
            # the body is converted again on the server; one typed here is ignored
            "body": "<p>伪造的正文</p>",
        },
    )

    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == docx_views._edit_url(notice)
    assert notice.status == Notice.Status.DRAFT
    assert notice.owner_agency == agency
    assert notice.title == TITLE + "（修改）"
    assert notice.doc_number == "天政发〔2026〕3号"
    assert notice.written_date == date(2026, 3, 5)
    assert "<h2>一、总体要求</h2>" in notice.body
    assert "伪造" not in notice.body
    assert list(notice.publishers.all()) == [agency]
    attachment = notice.attachments.get()
    assert attachment.name == "正文图片1.png"
    assert attachment.content_type == "image/png"
    events = list(
        NoticeEvent.objects.filter(notice=notice).values_list("action", "actor")
    )
    assert (NoticeEvent.Action.CREATED, staff_user.pk) in events
    assert (NoticeEvent.Action.UPDATED, staff_user.pk) in events  # the picture
    assert _held_files(settings) == []  # the held file is gone once used

    # the token is spent: the same page sends back to the upload
    again = staff_client.post(review, {"title": "再来一次"})
    assert again.status_code == 302
    assert again["Location"] == UPLOAD
    assert Notice.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "通知.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "请将文件另存为 .docx 格式后再上传（Word/WPS：文件 → 另存为 → Word 文档 *.docx）",
        ),
        ("通知.wps", b"WPS legacy bytes" * 10, "另存为 .docx"),
        ("通知.docx", b"\x01\x02not a document" * 30, "不是 Word 文档（.docx）"),
        ("空白.docx", plain_docx(), "没有文字内容"),
        ("通知.docx", b"", "所选文件是空文件"),
    ],
)
def test_bad_files_come_back_to_the_form_with_a_message(
    staff_client, name, data, message, settings
):
    response = _upload(staff_client, data, name)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert Notice.objects.count() == 0
    assert _held_files(settings) == []


def test_a_huge_file_is_refused(staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024
    response = _upload(staff_client, gongwen())
    assert response.status_code == 200
    assert "超过大小上限 20 KB" in response.content.decode()


def test_personal_data_is_shown_but_the_draft_is_created(staff_client):
    review = _review_url(
        _upload(staff_client, gongwen(extra_body=["联系人：王五，手机13812345678。"]))
    )
    html = staff_client.get(review).content.decode()
    assert "可能的个人信息" in html
    assert "手机号" in html
    assert "13812345678" not in html.split("可能的个人信息")[1].split("</div>")[0]

    response = staff_client.post(review, {"title": TITLE, "doc_number": ""})

    assert response.status_code == 302
    assert "13812345678" in Notice.objects.get().body  # a draft: the guard acts later


def test_bad_fields_keep_what_was_typed(staff_client):
    review = _review_url(_upload(staff_client, gongwen()))

    response = staff_client.post(
        review, {"title": "", "doc_number": "第三号文", "written_date": "2026-13-40"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写标题" in html
    assert "发文字号格式不正确" in html
    assert "日期格式不正确" in html
    assert 'value="第三号文"' in html
    assert "<h2>一、总体要求</h2>" in html  # the preview is still there
    assert Notice.objects.count() == 0


def test_the_held_file_belongs_to_the_uploader(
    client, staff_user, other_staff_user, agency
):
    client.force_login(staff_user)
    review = _review_url(_upload(client, gongwen()))
    image = review + "tupian/1/"
    assert client.get(image).status_code == 200

    colleague = StaffFactory(username="dave", agency=agency, roles=[roles.ADMIN])
    for user in (other_staff_user, colleague):
        client.force_login(user)
        assert client.get(review).status_code == 404
        assert client.get(image).status_code == 404
        assert client.post(review, {"title": "抢先"}).status_code == 404
    assert Notice.objects.count() == 0

    client.force_login(staff_user)
    forged = review.replace(review.split("/")[-2][-6:], "AAAAAA")
    assert client.get(forged).status_code == 404


def test_an_expired_upload_asks_to_upload_again(client, staff_user):
    client.force_login(staff_user)
    staff_client = client
    with time_machine.travel("2026-03-05 09:00 +0800", tick=False) as traveller:
        review = _review_url(_upload(staff_client, gongwen()))
        traveller.shift(timedelta(seconds=docx_views.HOLD_SECONDS + 1))
        client.force_login(staff_user)  # signed in again, the old link opened
        response = staff_client.get(review)
        assert response.status_code == 302
        assert response["Location"] == UPLOAD
        page = staff_client.get(UPLOAD).content.decode()
    assert "导入的文件已过期或已使用，请重新上传" in page


def test_abandoned_uploads_are_purged(client, staff_user, settings):
    client.force_login(staff_user)
    start = datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        _review_url(_upload(client, gongwen()))
        old = _held_files(settings)
        assert len(old) == 1
        # the file system stamps the real time: stamp it with the travelled one
        os.utime(old[0], (start.timestamp(), start.timestamp()))
        traveller.shift(timedelta(seconds=2 * docx_views.HOLD_SECONDS + 60))
        client.force_login(staff_user)
        assert "tupian" not in _review_url(_upload(client, gongwen()))
    assert old[0] not in _held_files(settings)
    assert len(_held_files(settings)) == 1


def test_who_may_import(client, teammate_user):
    assert client.get(UPLOAD).status_code == 302  # anonymous → login
    assert "next=/staff/xinxi/word/" in client.get(UPLOAD)["Location"]
    citizen = UserFactory(username="citizen")
    client.force_login(citizen)
    assert client.get(UPLOAD).status_code == 302
    client.force_login(teammate_user)  # 承办人 only: may not create notices
    assert client.get(UPLOAD).status_code == 403
    assert _upload(client, gongwen()).status_code == 403
    no_agency = UserFactory(username="loose", is_staff=True)
    client.force_login(no_agency)
    assert client.get(UPLOAD).status_code == 403
