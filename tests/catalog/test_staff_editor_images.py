"""The staff editor's images and attachments (issue 12 §2, editor in a real browser):
the sanitiser keeps an <img> only with this site's attachment URL, no style or class
survives a paste from Word; images are uploaded as attachments through
``attachment_add``; a draft's attachments are seen by staff through the staff URL
(preview, editor) while the public URL still refuses them; the editor page alone may
use inline style attributes (Jodit), the script policy stays strict."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import Attachment, Notice, NoticeEvent
from catalog.sanitize import body_for_public, body_for_staff, clean_body
from tests.catalog.public_data import at, draft, publish
from tests.catalog.test_attachments import PNG_1X1

pytestmark = pytest.mark.django_db

UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
PUBLIC_SRC = f"/xxgk/{UUID}/fujian/12/"
WORD_PASTE = (
    '<p class="MsoNormal" style="mso-margin-top-alt:auto;text-indent:21.0pt">'
    '<span lang="EN-US" style="font-size:12.0pt;font-family:宋体;mso-bidi-font-family:'
    'Arial">一、报名时间</span><o:p></o:p></p>'
    '<table class="MsoTableGrid" border="1" style="border-collapse:collapse">'
    '<tr><td width="200" valign="top" style="width:150pt">学校</td>'
    '<td class="xl65" style="mso-number-format:\\@">人数</td></tr></table>'
    '<ul style="margin-top:0"><li class="MsoListParagraph">第一项</li></ul>'
)


# --- the sanitiser ------------------------------------------------------------------------


def test_paste_from_word_keeps_structure_and_drops_styles_and_classes():
    cleaned = clean_body(WORD_PASTE)
    assert "style=" not in cleaned
    assert "class=" not in cleaned
    assert "mso" not in cleaned.lower()
    assert "<o:p>" not in cleaned
    for kept in ("<p>", "<table>", "<td>学校</td>", "<ul>", "<li>第一项</li>"):
        assert kept in cleaned, kept
    assert "一、报名时间" in cleaned


def test_editor_cursor_markers_are_removed():
    assert clean_body("<p><strong>\ufeff报名</strong>\ufeff时间</p>") == (
        "<p><strong>报名</strong>时间</p>"
    )


def test_image_kept_only_with_this_sites_attachment_url_and_its_alt():
    cleaned = clean_body(
        f'<p>图：<img src="{PUBLIC_SRC}" alt="招生范围示意图" style="width:9px"'
        ' onerror="alert(1)" class="x" width="300"></p>'
    )
    assert cleaned == (
        f'<p>图：<img src="{PUBLIC_SRC}" alt="招生范围示意图" width="300"></p>'
    )


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://evil.example/x.png",
        "http://evil.example" + PUBLIC_SRC,
        "//evil.example" + PUBLIC_SRC,
        "/media/attachments/secret.png",
        "/staff/xinxi/7/fujian/12/",
        PUBLIC_SRC + "?x=1",
        "",
    ],
)
def test_image_with_any_other_source_is_dropped_entirely(src):
    cleaned = clean_body(f'<p>前<img src="{src}" alt="图">后</p>')
    assert cleaned == "<p>前后</p>"
    assert clean_body('<p>前<img alt="没有地址">后</p>') == "<p>前后</p>"


def test_staff_and_public_attachment_urls_round_trip():
    body = f'<p><img src="{PUBLIC_SRC}" alt="图"><a href="{PUBLIC_SRC}">附件</a></p>'
    staff = body_for_staff(body, uuid=UUID, pk=7)
    assert staff == (
        '<p><img src="/staff/xinxi/7/fujian/12/" alt="图">'
        '<a href="/staff/xinxi/7/fujian/12/">附件</a></p>'
    )
    assert body_for_public(staff, uuid=UUID, pk=7) == body
    # a browser may have made it absolute; another notice's staff URL is not this one's
    assert body_for_public(
        '<img src="https://gk.example.gov.cn/staff/xinxi/7/fujian/12/" alt="图">'
        '<img src="/staff/xinxi/8/fujian/3/" alt="乙">',
        uuid=UUID,
        pk=7,
    ) == (
        f'<img src="{PUBLIC_SRC}" alt="图"><img src="/staff/xinxi/8/fujian/3/" alt="乙">'
    )
    # another notice's public URL stays as it is
    other = "/xxgk/00000000-0000-0000-0000-000000000001/fujian/5/"
    assert body_for_staff(f'<img src="{other}">', uuid=UUID, pk=7) == (
        f'<img src="{other}">'
    )


# --- the editor page's CSP -----------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    return {
        d.strip().split(" ", 1)[0]: d.strip().split(" ", 1)[1]
        for d in response["Content-Security-Policy"].split(";")
        if d.strip()
    }


def test_only_the_editor_page_allows_inline_style_attributes(staff_client, agency):
    notice = draft(agency=agency)
    for url in (
        reverse("catalog:staff_notice_new"),
        reverse("catalog:staff_notice_edit", args=[notice.pk]),
    ):
        csp = _csp(staff_client.get(url))
        assert csp["style-src-attr"] == "'unsafe-inline'", url
        assert csp["style-src"] == "'self'"
        assert csp["script-src"] == "'self'"
    # an error re-renders the editor: same policy
    response = staff_client.post(reverse("catalog:staff_notice_new"), {"title": ""})
    assert response.status_code == 400
    assert _csp(response)["style-src-attr"] == "'unsafe-inline'"
    for url in (
        reverse("catalog:staff_notice_list"),
        reverse("catalog:staff_notice_preview", args=[notice.pk]),
        reverse("portal:staff_home"),
    ):
        csp = _csp(staff_client.get(url))
        assert "style-src-attr" not in csp, url
        assert csp["style-src"] == "'self'"


def test_jodit_is_loaded_on_the_editor_page_only(staff_client):
    editor = staff_client.get(reverse("catalog:staff_notice_new")).content.decode()
    listing = staff_client.get(reverse("catalog:staff_notice_list")).content.decode()
    assert "vendor/jodit/jodit.min.js" in editor
    assert "jodit" not in listing.lower()
    assert "notice-editor.js" not in listing


# --- inserting an image --------------------------------------------------------------------


def _image(name="示意图.png", data=PNG_1X1, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _insert(client, notice, **data):
    data.setdefault("image", _image())
    data.setdefault("alt", "招生范围示意图")
    return client.post(reverse("catalog:staff_notice_image", args=[notice.pk]), data)


def test_image_is_stored_as_an_attachment_and_saved_with_its_public_url(
    staff_client, agency
):
    notice = draft(agency=agency, title="招生通知", body="<p>正文</p>")
    response = _insert(staff_client, notice)
    assert response.status_code == 200
    answer = response.json()
    attachment = Attachment.objects.get(notice=notice)
    assert attachment.name == "示意图.png"
    assert attachment.content_type == "image/png"
    staff_src = reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk])
    assert answer == {
        "src": staff_src,
        "alt": "招生范围示意图",
        "name": "示意图.png",
        "size": len(PNG_1X1),
    }
    assert NoticeEvent.objects.filter(
        notice=notice, action=NoticeEvent.Action.UPDATED
    ).exists()
    # the editor shows the draft's image through the staff URL …
    editor = staff_client.get(reverse("catalog:staff_notice_edit", args=[notice.pk]))
    assert staff_client.get(staff_src).status_code == 200
    # … and what the editor sends back is saved with the public URL
    from tests.catalog.test_staff_notices import form

    body = f'<p>正文</p><p><img src="{staff_src}" alt="招生范围示意图"></p>'
    response = staff_client.post(
        reverse("catalog:staff_notice_edit", args=[notice.pk]),
        form(title="招生通知", body=body),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    notice.refresh_from_db()
    public_src = reverse(
        "catalog:attachment_download", args=[notice.uuid, attachment.pk]
    )
    assert f'<img src="{public_src}" alt="招生范围示意图">' in notice.body
    assert "/staff/" not in notice.body
    editor = staff_client.get(reverse("catalog:staff_notice_edit", args=[notice.pk]))
    html = editor.content.decode()
    assert staff_src in html
    assert public_src not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"alt": "  "}, "请填写图片说明（替代文字）"),
        ({"image": None}, "请选择要插入的图片"),
        (
            {"image": SimpleUploadedFile("说明.txt", "文字".encode(), "text/plain")},
            "“说明.txt”不是 JPG 或 PNG 图片",
        ),
        (
            {"image": SimpleUploadedFile("假图.png", b"%PDF-1.4 not really")},
            "扩展名 .png 与文件内容",
        ),
        (
            {"image": SimpleUploadedFile("脚本.svg", b"<svg onload=alert(1)>")},
            "SVG",
        ),
    ],
)
def test_bad_image_is_refused_in_chinese_and_nothing_is_stored(
    staff_client, agency, data, message
):
    notice = draft(agency=agency)
    if data.get("image", "") is None:
        del data["image"]  # no file at all
        data["alt"] = "图"
        response = staff_client.post(
            reverse("catalog:staff_notice_image", args=[notice.pk]), data
        )
    else:
        response = _insert(staff_client, notice, **data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Attachment.objects.filter(notice=notice).exists()


def test_image_on_another_agencys_notice_is_404(other_agency_staff_client, agency):
    notice = draft(agency=agency)
    assert _insert(other_agency_staff_client, notice).status_code == 404
    assert not Attachment.objects.exists()


def test_image_needs_a_signed_in_staff_member(client, agency):
    notice = draft(agency=agency)
    response = _insert(client, notice)
    assert response.status_code == 403
    assert "登录" in response.json()["error"]


def test_image_in_a_published_notice_needs_the_security_review_tick(
    staff_client, agency
):
    notice = publish(agency=agency, published_at=at(2026, 3, 2))
    response = _insert(staff_client, notice)
    assert response.status_code == 400
    assert "保密审查" in response.json()["error"]
    assert not Attachment.objects.exists()
    response = _insert(staff_client, notice, security_review_confirmed="on")
    assert response.status_code == 200


def test_new_notice_editor_says_save_first(staff_client):
    html = staff_client.get(reverse("catalog:staff_notice_new")).content.decode()
    assert "请先保存草稿再插入图片" in html
    assert "data-upload-url" not in html


# --- a draft's attachments for staff ----------------------------------------------------------


def test_preview_links_draft_attachments_and_images_through_the_staff_url(
    staff_client, agency
):
    notice = draft(agency=agency, title="草稿通知")
    _insert(staff_client, notice)
    attachment = Attachment.objects.get(notice=notice)
    public_src = reverse(
        "catalog:attachment_download", args=[notice.uuid, attachment.pk]
    )
    Notice.objects.filter(pk=notice.pk).update(
        body=f'<p><img src="{public_src}" alt="示意图"></p>'
    )
    staff_src = reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk])
    response = staff_client.get(
        reverse("catalog:staff_notice_preview", args=[notice.pk])
    )
    html = response.content.decode()
    assert f'<img src="{staff_src}" alt="示意图">' in html
    assert re.search(
        rf'<a href="{re.escape(staff_src)}" download>示意图\.png</a>', html
    )
    assert public_src not in html
    # the staff URL: the file, never cached, not indexed
    download = staff_client.get(staff_src)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_1X1
    assert download["Content-Type"] == "image/png"
    assert "no-store" in download["Cache-Control"]
    assert download["X-Robots-Tag"] == "noindex, nofollow"
    # the public URL still refuses a draft's attachment, to everyone
    assert Client().get(public_src).status_code == 404
    assert staff_client.get(public_src).status_code == 404


def test_unsaved_preview_shows_images_through_the_staff_url(staff_client, agency):
    notice = draft(agency=agency, title="草稿通知")
    src = _insert(staff_client, notice).json()["src"]
    from tests.catalog.test_staff_notices import form

    response = staff_client.post(
        reverse("catalog:staff_notice_preview_unsaved"),
        form(
            title="草稿通知",
            notice_pk=str(notice.pk),
            body=f'<p><img src="{src}" alt="示意图"></p>',
        ),
    )
    assert response.status_code == 200
    assert f'<img src="{src}" alt="示意图">' in response.content.decode()


def test_staff_attachment_url_keeps_to_the_notice_access_helper(
    staff_client, other_staff_user, agency, other_agency
):
    other_agency_staff_client = Client()
    other_agency_staff_client.force_login(other_staff_user)
    notice = draft(agency=agency)
    _insert(staff_client, notice)
    attachment = Attachment.objects.get()
    url = reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk])
    assert other_agency_staff_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    # an attachment of another notice through this notice's URL
    other = draft(agency=agency, title="另一份")
    assert (
        staff_client.get(
            reverse("catalog:staff_attachment", args=[other.pk, attachment.pk])
        ).status_code
        == 404
    )
    # a co-publisher sees it (visible_to), as it sees the preview
    co = draft(agency=agency, title="联合发文", publishers=[agency, other_agency])
    _insert(staff_client, co)
    co_attachment = Attachment.objects.get(notice=co)
    assert (
        other_agency_staff_client.get(
            reverse("catalog:staff_attachment", args=[co.pk, co_attachment.pk])
        ).status_code
        == 200
    )


def test_json_answers_are_json(staff_client, agency):
    notice = draft(agency=agency)
    response = _insert(staff_client, notice, alt="")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["error"]
