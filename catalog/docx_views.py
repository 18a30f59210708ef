"""Word import for staff: upload a .docx, review what was extracted, create a draft.

1. ``/staff/xinxi/word/`` — the upload form. A file that cannot be imported comes back
   to the same form with the Chinese reason (``catalog.docx_import``).
2. The accepted file is held on disk (``MEDIA_ROOT/docx-holding/``, random name, mode
   0600, purged after twice ``HOLD_SECONDS``) and the browser goes to the review page,
   whose address carries a signed token naming the file *and the user*: another user
   (of this agency or another) gets 404, an expired token sends back to the upload.
3. The review page converts the held file again and shows 标题/发文字号/成文日期 as
   editable fields, the body as the public page will show it, the pictures, the
   warnings and any personal data found (the draft is not refused for it).
4. “创建草稿” converts the held file once more — the body never comes from the browser —
   and creates the notice with ``notice_create`` (owner: the user's agency) and each
   picture with ``attachment_add`` in one transaction, then opens the new draft.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from catalog.attachments import clean_filename
from catalog.docx_import import DocxImportError, DocxResult, convert_docx
from catalog.guard import agency_allowed, scan_texts
from catalog.services import attachment_add, notice_create
from portal import roles, timeutil
from portal.filestore import STORAGE_FULL_MESSAGE, StorageFull, write_file
from portal.models import Agency
from portal.validators import normalise_doc_number

logger = logging.getLogger(__name__)

HOLDING_DIR = "docx-holding"  # also in cleanup_orphan_files.SKIP_DIRS
HOLD_SECONDS = (
    60 * 60
)  # a review takes minutes; the staff session itself idles out sooner
_SALT = "catalog.docx_import.held"
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
_ACCEPT = (
    ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


# --- who may import -----------------------------------------------------------------------


def _importer_agency(request: HttpRequest) -> Agency:
    """The agency the user creates notices for; 403 for staff who may not create them."""
    agency = roles.staff_agency(request.user)
    if agency is None:
        raise PermissionDenied("您的账号未关联机关，不能创建政府信息")
    if not request.user.has_perm("catalog.add_notice"):
        raise PermissionDenied("您没有创建政府信息的权限，请联系本机关管理员")
    return agency


def _login_needed(request: HttpRequest):
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    return None


# --- the holding area -----------------------------------------------------------------------


def _holding_root() -> Path:
    return Path(settings.MEDIA_ROOT) / HOLDING_DIR


def _purge_holding(now_ts: float) -> None:
    root = _holding_root()
    if not root.is_dir():
        return
    for entry in root.iterdir():
        try:
            if now_ts - entry.stat().st_mtime > 2 * HOLD_SECONDS:
                entry.unlink()
        except OSError:
            continue


def hold_file(*, user, name: str, data: bytes) -> str:
    """Keep the accepted upload on disk; the token names it and is bound to ``user``."""
    _purge_holding(timeutil.local_now().timestamp())
    file_id = secrets.token_hex(16)
    write_file(_holding_root() / f"{file_id}.docx", data, mode=0o600)
    return signing.dumps({"f": file_id, "u": user.pk, "n": name[:200]}, salt=_SALT)


def held_file(*, user, token: str) -> tuple[str, bytes] | None:
    """(name, bytes) of the held file; None when it has expired or is gone; 404 when
    the token is forged or belongs to another user."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=HOLD_SECONDS)
    except signing.SignatureExpired:
        return None
    except signing.BadSignature as exc:
        raise Http404 from exc
    if (
        not isinstance(payload, dict)
        or payload.get("u") != user.pk
        or not _FILE_ID.match(str(payload.get("f", "")))
    ):
        raise Http404
    try:
        data = (_holding_root() / f"{payload['f']}.docx").read_bytes()
    except OSError:
        return None
    return str(payload.get("n") or "文档.docx"), data


def drop_held(token: str) -> None:
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return
    file_id = str(payload.get("f", "")) if isinstance(payload, dict) else ""
    if _FILE_ID.match(file_id):
        (_holding_root() / f"{file_id}.docx").unlink(missing_ok=True)


# --- forms --------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Word 文档（.docx）",
        help_text="选择要导入的公文原稿。只接受 .docx 格式；.doc 或 .wps 文件请先在 Word/WPS 中"
        "“另存为”Word 文档（*.docx）。",
        widget=forms.FileInput(attrs={"accept": _ACCEPT}),
        error_messages={
            "required": "请选择要导入的 Word 文档",
            "empty": "所选文件是空文件（0 字节），请选择要导入的 Word 文档",
            "invalid": "没有收到文件，请重新选择",
        },
    )


class ReviewForm(forms.Form):
    title = forms.CharField(
        label="标题",
        max_length=300,
        # a long 公文 title stays readable on a phone
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={
            "required": "请填写标题",
            "max_length": "标题不能超过 300 个字",
        },
    )
    doc_number = forms.CharField(
        label="发文字号",
        max_length=80,
        required=False,
        help_text="例如：天政办函〔2026〕12号；没有文号的可不填",
        error_messages={"max_length": "发文字号不能超过 80 个字"},
    )
    written_date = forms.DateField(
        label="成文日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="公文落款处的日期，格式：2026-03-05",
        error_messages={"invalid": "日期格式不正确，请按 2026-03-05 的格式填写"},
    )

    def clean_doc_number(self) -> str:
        try:
            return normalise_doc_number(self.cleaned_data.get("doc_number") or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from exc


# --- views --------------------------------------------------------------------------------


def _read_upload(upload) -> bytes:
    limit = int(settings.UPLOAD_MAX_BYTES)
    if (getattr(upload, "size", 0) or 0) > limit:
        return b"\0" * (limit + 1)  # convert_docx gives the size message
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            return b"\0" * (limit + 1)
        chunks.append(chunk)
    return b"".join(chunks)


_OLD_FORMATS = (".doc", ".wps", ".dot", ".wpt")


@require_http_methods(["GET", "HEAD", "POST"])
def notice_import_docx(request: HttpRequest) -> HttpResponse:
    if (login := _login_needed(request)) is not None:
        return login
    _importer_agency(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = clean_filename(upload.name or "文档.docx")
        data = _read_upload(upload)
        try:
            if name.lower().endswith(_OLD_FORMATS) and not data.startswith(b"PK"):
                raise DocxImportError(
                    f"“{name}”是旧版 Word（.doc）或 WPS（.wps）格式，不能直接导入。"
                    "请将文件另存为 .docx 格式后再上传（Word/WPS：文件 → 另存为 → Word 文档 *.docx）"
                )
            convert_docx(data, name)
            token = hold_file(user=request.user, name=name, data=data)
        except DocxImportError as exc:
            form.add_error("file", exc.message)
        except StorageFull:
            form.add_error(None, STORAGE_FULL_MESSAGE)
        else:
            return redirect("catalog:staff_notice_import_docx_review", token=token)
    return render(request, "catalog/staff_notice_import_docx.html", {"form": form})


def _edit_url(notice) -> str:
    return reverse("catalog:staff_notice_edit", args=[notice.pk])


def _expired(request: HttpRequest) -> HttpResponse:
    messages.warning(request, "导入的文件已过期或已使用，请重新上传。")
    return redirect("catalog:staff_notice_import_docx")


def _convert_held(name: str, data: bytes) -> DocxResult | None:
    try:
        return convert_docx(data, name)
    except DocxImportError:
        return None


@require_http_methods(["GET", "HEAD", "POST"])
def notice_import_docx_review(request: HttpRequest, token: str) -> HttpResponse:
    if (login := _login_needed(request)) is not None:
        return login
    agency = _importer_agency(request)
    held = held_file(user=request.user, token=token)
    if held is None:
        return _expired(request)
    name, data = held
    result = _convert_held(name, data)
    if result is None:
        drop_held(token)
        return _expired(request)
    form = ReviewForm(
        request.POST or None,
        initial={
            "title": result.title,
            "doc_number": result.doc_number,
            "written_date": result.written_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = _create_draft(
                agency=agency, user=request.user, form=form, result=result
            )
        except StorageFull:
            form.add_error(None, STORAGE_FULL_MESSAGE)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for field_name, errors in (
                exc.message_dict.items()
                if hasattr(exc, "error_dict")
                else [(None, exc.messages)]
            ):
                for error in errors:
                    form.add_error(
                        field_name if field_name in form.fields else None, error
                    )
        else:
            drop_held(token)
            messages.success(
                request,
                f"已从 Word 文档创建草稿“{notice.title}”"
                + (
                    f"，并添加了 {len(result.images)} 张图片附件"
                    if result.images
                    else ""
                )
                + "。请补充主题分类、体裁等信息并核对正文后提交审核。",
            )
            return redirect(_edit_url(notice))
    title = form["title"].value() if form.is_bound else result.title
    findings = scan_texts(
        fields={"title": title or "", "body": result.body_html},
        attachments=[],
        allowed=agency_allowed([agency]),
    )
    return render(
        request,
        "catalog/staff_notice_import_docx_review.html",
        {
            "form": form,
            "result": result,
            "file_name": name,
            "token": token,
            "findings": findings,
            "agency": agency,
        },
    )


def _create_draft(*, agency: Agency, user, form: ReviewForm, result: DocxResult):
    with transaction.atomic():
        notice = notice_create(
            owner_agency=agency,
            by=user,
            title=" ".join(form.cleaned_data["title"].split()),
            doc_number=form.cleaned_data["doc_number"],
            written_date=form.cleaned_data["written_date"],
            body=result.body_html,  # converted on the server again, cleaned by the service
        )
        for image in result.images:
            attachment_add(
                notice=notice, by=user, name=image.filename, content=image.data
            )
    return notice


@require_safe
def notice_import_docx_image(request: HttpRequest, token: str, number: int):
    """A picture of the held file, for the review page only."""
    if (login := _login_needed(request)) is not None:
        return login
    _importer_agency(request)
    held = held_file(user=request.user, token=token)
    if held is None:
        raise Http404
    result = _convert_held(*held)
    if result is None or not 1 <= number <= len(result.images):
        raise Http404
    image = result.images[number - 1]
    response = HttpResponse(image.data, content_type=image.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
