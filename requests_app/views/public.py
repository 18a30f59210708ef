"""Public pages of 依申请公开: landing, the application form (fill → confirm → done),
and the applicant's own case (lookup by 申请编号 + 查询码, then session-bound).

Applicants have no accounts (security.md §3). After a successful lookup the session
holds the request's id; no 查询码 or id ever appears in a URL, pages showing personal
data are ``no-store``, wrong codes get one generic message and are throttled per IP
and per tracking number.

The ID proof chosen on the form is kept between the preview and the final submit in
a short-lived server-side holding area (encrypted, outside the web root, bound to the
session by a random token), so the applicant need not select it again; the final
submit claims it with an atomic rename, so a double click cannot submit twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from portal.filestore import STORAGE_FULL_MESSAGE, StorageFull, write_file
from portal.ratelimit import too_many_requests, wait_minutes
from portal.security import pii_page
from portal.timeutil import local_now
from portal.workdays import WEEKDAY_NAMES
from requests_app import crypto, ratelimit, selectors, services
from requests_app.forms import (
    ApplicationForm,
    CorrectionForm,
    LookupForm,
    ResendQueryCodeForm,
    WithdrawForm,
    safe_display_name,
)
from requests_app.models import (
    OPEN_STATUSES,
    ApplicantType,
    DeliveryMethod,
    FileKind,
    IdType,
    InfoRequest,
    ProvideForm,
    Reply,
    RequestFile,
    Status,
)
from requests_app.outcomes import ApplicantKind, Outcome

logger = logging.getLogger(__name__)

SESSION_CASE = (
    "ysq_case"  # {"id": pk, "at": unix time}: the case this browser looked up
)
SESSION_HOLDING = "ysq_holding"  # {token: {"name": display name, "at": unix time}}
SESSION_DONE = "ysq_done"  # the result shown once on the success page
SESSION_SUBMITTED = "ysq_submitted"  # {holding token: tracking no}: double-submit guard

HOLDING_DIR = "ysq-holding"
HOLDING_SECONDS = 30 * 60  # as long as an idle session lives
HOLDING_MINUTES = HOLDING_SECONDS // 60
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")

# service/model field name → form field name, to put a service's message on the right field
_SERVICE_TO_FORM = {"applicant_name": "name", "applicant_kind": "org_kind"}

# What a reply row and its linked catalog notice need on a page (not the notice's
# body or search columns).
REPLY_COLUMNS = (
    "id",
    "info_request_id",
    "outcome",
    "title",
    "letter_text",
    "sent_at",
    "replied_date",
    "notice_id",
    "notice__id",
    "notice__uuid",
    "notice__title",
    "notice__index_number",
    "notice__status",
)

# How many catalog notices the confirm page shows, and how many searches it runs.
MATCH_LIMIT = 8
MATCH_SEARCHES = 4
MATCH_MAX_TOTAL = 20  # a phrase found in more notices than this is not specific


# =========================================================================================
# the applicant's access helper
# =========================================================================================


def get_applicant_request(request: HttpRequest) -> InfoRequest | None:
    """The request this browser session proved it may see (申请编号 + 查询码 at lookup),
    or None. The only way an applicant page gets a request."""
    data = request.session.get(SESSION_CASE)
    if not isinstance(data, dict):
        return None
    pk = data.get("id")
    if not isinstance(pk, int):
        return None
    return InfoRequest.objects.select_related("agency").filter(pk=pk).first()


def _need_lookup(request: HttpRequest) -> HttpResponse:
    messages.info(request, "请先输入申请编号和查询码。")
    return redirect("requests_app:lookup")


# =========================================================================================
# landing
# =========================================================================================


@login_not_required
@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/landing.html")


# =========================================================================================
# holding area for the ID proof between preview and submit
# =========================================================================================


def _holding_root() -> Path:
    return Path(settings.MEDIA_ROOT) / HOLDING_DIR


def _holding_path(token: str) -> Path:
    return _holding_root() / token


def _purge_holding(now_ts: float) -> None:
    """Remove files older than twice the holding time (abandoned forms)."""
    root = _holding_root()
    if not root.is_dir():
        return
    for entry in root.iterdir():
        try:
            if now_ts - entry.stat().st_mtime > 2 * HOLDING_SECONDS:
                entry.unlink()
        except OSError:
            continue


def _hold_file(request: HttpRequest, upload: Any, *, now_ts: float) -> str:
    """Keep a validated upload encrypted on disk; the token is bound to this session."""
    root = _holding_root()
    root.mkdir(parents=True, exist_ok=True)
    _purge_holding(now_ts)
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    data = upload.read()
    # temporary name + rename: a full disk leaves nothing (StorageFull)
    write_file(_holding_path(token), crypto.encrypt_file(data), mode=0o600)
    held = dict(request.session.get(SESSION_HOLDING) or {})
    # keep only live entries: one browser fills one form at a time, rarely two
    held = {
        t: v
        for t, v in held.items()
        if isinstance(v, dict) and now_ts - v.get("at", 0) < HOLDING_SECONDS
    }
    held[token] = {
        "name": safe_display_name(upload.name, upload.checked.extension),
        "at": now_ts,
    }
    request.session[SESSION_HOLDING] = held
    return token


def _held(request: HttpRequest, token: str, *, now_ts: float) -> dict | None:
    """The session's live holding entry for ``token`` whose file is still there."""
    if not token or not _TOKEN_RE.match(token):
        return None
    entry = (request.session.get(SESSION_HOLDING) or {}).get(token)
    if not isinstance(entry, dict) or now_ts - entry.get("at", 0) >= HOLDING_SECONDS:
        return None
    if not _holding_path(token).exists():
        return None
    return entry


def _claim_held(token: str, name: str) -> SimpleUploadedFile | None:
    """Take the held file for submission (atomic rename: one submit wins)."""
    path, claimed = _holding_path(token), _holding_path(token + ".claimed")
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return None
    try:
        data = crypto.decrypt_file(claimed.read_bytes())
    except (OSError, crypto.DecryptionError):
        claimed.unlink(missing_ok=True)
        return None
    return SimpleUploadedFile(name, data)


def _unclaim_held(token: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.rename(_holding_path(token + ".claimed"), _holding_path(token))


def _drop_held(request: HttpRequest, token: str) -> None:
    _holding_path(token).unlink(missing_ok=True)
    _holding_path(token + ".claimed").unlink(missing_ok=True)
    held = dict(request.session.get(SESSION_HOLDING) or {})
    if held.pop(token, None) is not None:
        request.session[SESSION_HOLDING] = held


# =========================================================================================
# catalog notices that may already answer the application
# =========================================================================================

# Words that say nothing about *which* information is wanted.
_FILLER = re.compile(
    r"(?:申请公开|依申请|政府信息|信息公开|相关信息|有关信息|请求|申请|要求|希望|需要|了解|知道|请|提供|获取|"
    r"查询|查阅|公开|关于|有关|相关|我想|想|本人|我们|我|贵单位|贵局|贵机关|贵府|以下|如下|具体|内容|文件|"
    r"资料|信息|的|了|和|与|及|或|等|是|在|对|为|年度|年|月|日)"
)
# Punctuation and digit runs (years, numbers: too common to identify anything).
_SPLIT = re.compile(r"[\s,，.。;；:：!！?？、/\\|()（）\[\]【】《》“”\"'‘’<>\-—…·\d]+")


# A leading place name (天元区…, 栗雨街道…) says where, not what.
_PLACE_PREFIX = re.compile(
    r"^[\u4e00-\u9fff]{2,4}?(?:省|市|区|县|镇|乡|街道)(?=[\u4e00-\u9fff]{2})"
)


def description_terms(text: str, limit: int = 2) -> list[str]:
    """The few longest content phrases of a free-text description, for a catalog
    search: filler words ("请提供", "关于", "的"), punctuation and numbers split it;
    phrases of 4+ characters are preferred (shorter ones are mostly place names)."""
    parts: list[str] = []
    for chunk in _SPLIT.split(unicodedata.normalize("NFKC", text or "")):
        for piece in _FILLER.split(chunk):
            piece = piece.strip()
            piece = _PLACE_PREFIX.sub("", piece)
            if 2 <= len(piece) <= 20 and piece not in parts:
                parts.append(piece)
    parts.sort(key=len, reverse=True)
    long_ones = [p for p in parts if len(p) >= 4]
    return (long_ones or parts)[:limit]


@dataclass(frozen=True)
class NoticeMatch:
    title: str
    url: str
    doc_number: str
    index_number: str
    published_at: Any


def _notice_url(notice: Any) -> str:
    try:
        return reverse("catalog:notice_detail", args=[notice.uuid])
    except NoReverseMatch:
        return reverse("catalog:notice_list") + "?" + urlencode({"q": notice.title})


def pieces_query(phrase: str) -> str:
    """A lenient form of a phrase: its two-character pieces, all of which must occur
    somewhere ("最低生活保障标准调整" → "最低 生活 保障 标准 调整", found in
    "关于调整城乡居民最低生活保障标准的通知")."""
    text = "".join((phrase or "").split())
    if len(text) <= 3:
        return text
    parts = [text[i : i + 2] for i in range(0, len(text), 2)]
    if len(parts[-1]) < 2:
        last = parts.pop()
        parts[-1] += last
    return " ".join(parts)


def matching_notices(cleaned: dict[str, Any]) -> tuple[list[NoticeMatch], list[str]]:
    """Published notices that may be what the applicant asks for. At most
    ``MATCH_SEARCHES`` searches through ``catalog.search``, most specific first:
    the 索引号 and 文号 typed (identifiers, always shown), the 名称, then the key
    phrases of the description (both, the longest, then its two-character pieces,
    which tolerate words in between). A phrase that matches more
    than ``MATCH_MAX_TOTAL`` notices says nothing specific ("天元区2025") and is
    ignored. Returns (matches, the queries searched)."""
    from catalog import search
    from catalog.models import Notice

    queries: list[tuple[str, bool]] = []  # (query, is an identifier)
    for name in ("doc_index_no", "doc_number"):
        value = (cleaned.get(name) or "").strip()[:80]
        if value:
            queries.append((value, True))
    title = "".join((cleaned.get("doc_title") or "").split())[:60]
    if title:
        queries.append((title, False))
    phrases = description_terms(cleaned.get("description", ""))
    if len(phrases) == 2:
        queries.append((f"{phrases[0]} {phrases[1]}", False))
    if phrases:
        queries.append((phrases[0], False))
        queries.append((pieces_query(phrases[0]), False))
    seen: set[str] = set()
    queries = [q for q in queries if q[0] and not (q[0] in seen or seen.add(q[0]))][
        :MATCH_SEARCHES
    ]

    found: dict[int, Any] = {}
    searched: list[str] = []
    described = False  # a description phrase already gave specific results
    for query, identifier in queries:
        if described and not identifier:
            continue
        parsed = search.parse_query(query)
        if parsed.is_empty:
            continue
        searched.append(query)
        page = search.search_notices(
            Notice.objects.listed(),
            parsed,
            order="relevance",
            cursor=None,
            limit=MATCH_LIMIT,
        )
        if not identifier and (page.total > MATCH_MAX_TOTAL or page.total_capped):
            continue
        for notice in page.results:
            found.setdefault(notice.pk, notice)
        described = described or (not identifier and bool(page.results))
        if len(found) >= MATCH_LIMIT:
            break
    matches = [
        NoticeMatch(
            n.title, _notice_url(n), n.doc_number, n.index_number or "", n.published_at
        )
        for n in list(found.values())[:MATCH_LIMIT]
    ]
    return matches, searched


# =========================================================================================
# the application form
# =========================================================================================


def _choice_labels(choices: Any, values: list[str]) -> list[str]:
    labels = dict(choices)
    return [labels.get(v, v) for v in values]


def _summary(cleaned: dict[str, Any], file_name: str) -> dict[str, Any]:
    is_org = cleaned.get("applicant_type") == ApplicantType.ORGANISATION
    return {
        "applicant_type": ApplicantType(cleaned["applicant_type"]).label,
        "org_kind": ApplicantKind(cleaned["org_kind"]).label
        if is_org and cleaned.get("org_kind")
        else "",
        "name": cleaned["name"],
        "work_unit": cleaned.get("work_unit", ""),
        "id_type": IdType(cleaned["id_type"]).label if cleaned.get("id_type") else "",
        "id_number": cleaned.get("id_number", ""),
        "uscc": cleaned.get("uscc", ""),
        "legal_representative": cleaned.get("legal_representative", ""),
        "contact_name": cleaned.get("contact_name", ""),
        "phone": cleaned["phone"],
        "email": cleaned.get("email", ""),
        "fax": cleaned.get("fax", ""),
        "address": cleaned["address"],
        "postcode": cleaned.get("postcode", ""),
        "agency": cleaned["agency"].name,
        "description": cleaned["description"],
        "doc_title": cleaned.get("doc_title", ""),
        "doc_number": cleaned.get("doc_number", ""),
        "doc_index_no": cleaned.get("doc_index_no", ""),
        "provide_forms": _choice_labels(ProvideForm.choices, cleaned["provide_forms"]),
        "delivery_methods": _choice_labels(
            DeliveryMethod.choices, cleaned["delivery_methods"]
        ),
        "accept_other_forms": cleaned.get("accept_other_forms", False),
        "file_name": file_name,
    }


def _hidden_fields(form: ApplicationForm) -> list[tuple[str, str]]:
    """Every value the applicant typed, as (name, value) pairs for hidden inputs. Only
    the form's own fields: anything else in the POST is dropped here."""
    pairs: list[tuple[str, str]] = []
    for name in form.fields:
        if name == "id_proof":
            continue
        key = form.add_prefix(name)
        values = (
            form.data.getlist(key)
            if hasattr(form.data, "getlist")
            else [form.data.get(key, "")]
        )
        pairs.extend((key, v) for v in values if v is not None)
    return pairs


def _render_form(
    request: HttpRequest,
    form: ApplicationForm,
    *,
    holding: str = "",
    held_name: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "requests_app/apply.html",
        {"form": form, "holding": holding, "held_file_name": held_name},
        status=status,
    )


def _add_service_errors(form: ApplicationForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = _SERVICE_TO_FORM.get(name, name)
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_not_required
@pii_page
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The application form. POST validates and shows the confirm page (with already
    published notices that may answer it); ``action=edit`` comes back from there."""
    now = local_now()
    today, now_ts = now.date(), now.timestamp()
    if request.method != "POST":
        return _render_form(request, ApplicationForm(today=today))
    token = request.POST.get("holding", "")
    held = _held(request, token, now_ts=now_ts)
    held_name = held["name"] if held else ""
    form = ApplicationForm(
        request.POST, request.FILES, today=today, held_file_name=held_name
    )
    if request.POST.get("action") == "edit" or not form.is_valid():
        return _render_form(
            request, form, holding=token if held else "", held_name=held_name
        )
    upload = form.cleaned_data.get("id_proof")
    if upload:
        try:
            new_token = _hold_file(request, upload, now_ts=now_ts)
        except StorageFull:
            # the new file never reached the disk: ask for it again, keep the rest
            logger.error("requests_app: storage full holding an ID proof")
            form.add_error(
                "id_proof",
                f"{STORAGE_FULL_MESSAGE}。您填写的内容都已保留；所选文件未能保存，"
                "请稍后重新选择身份证明文件并提交。",
            )
            return _render_form(
                request,
                form,
                holding=token if held else "",
                held_name=held_name,
                status=503,
            )
        if held:
            _drop_held(request, token)
        token = new_token
        held_name = request.session[SESSION_HOLDING][token]["name"]
    try:
        matches, terms = matching_notices(form.cleaned_data)
    except Exception:
        logger.exception("requests_app: catalog search for the confirm page failed")
        matches, terms = [], []
    return render(
        request,
        "requests_app/apply_confirm.html",
        {
            "summary": _summary(form.cleaned_data, held_name),
            "hidden_fields": _hidden_fields(form),
            "holding": token,
            "holding_minutes": HOLDING_MINUTES,
            "matches": matches,
            "search_terms": terms,
            "matches_more": reverse("catalog:notice_list")
            + "?"
            + urlencode({"q": terms[0]})
            if matches and terms
            else "",
        },
    )


@login_not_required
@pii_page
@require_POST
def apply_submit(request: HttpRequest) -> HttpResponse:
    """Submit the confirmed application through ``services.request_submit_online``."""
    now = local_now()
    today, now_ts = now.date(), now.timestamp()
    token = request.POST.get("holding", "")
    submitted = request.session.get(SESSION_SUBMITTED) or {}
    if token and token in submitted:
        return redirect("requests_app:apply_done")
    ip = ratelimit.client_ip(request)
    if ratelimit.is_blocked(ratelimit.SUBMIT_PER_IP, ip):
        ratelimit.log_block(ratelimit.SUBMIT_PER_IP, ip, request)
        return too_many_requests(
            request, ratelimit.retry_after(ratelimit.SUBMIT_PER_IP, ip) or 60
        )
    held = _held(request, token, now_ts=now_ts)
    if held is None:
        form = ApplicationForm(request.POST, today=today)
        form.is_valid()
        form.errors.pop("id_proof", None)
        form.add_error(
            "id_proof",
            f"确认页面已超过 {HOLDING_MINUTES} 分钟或已失效，为保护您的信息，已选择的文件已删除，请重新选择身份证明文件。",
        )
        return _render_form(request, form)
    upload = _claim_held(token, held["name"])
    if upload is None:  # another submit of the same form is taking or took it
        return redirect("requests_app:apply_done")
    form = ApplicationForm(request.POST, {"id_proof": upload}, today=today)
    if not form.is_valid():
        _unclaim_held(token)
        form.held_file_name = held["name"]
        form.errors.pop("id_proof", None)
        return _render_form(request, form, holding=token, held_name=held["name"])
    ratelimit.record_hit(ratelimit.SUBMIT_PER_IP, ip)
    try:
        result = services.request_submit_online(
            agency=form.cleaned_data["agency"],
            now=now,
            id_proof=form.cleaned_data["id_proof"],
            **services.application_fields_from_form(form.cleaned_data),
        )
    except ValidationError as exc:
        _unclaim_held(token)
        _add_service_errors(form, exc)
        return _render_form(request, form, holding=token, held_name=held["name"])
    except StorageFull:
        # nothing was committed; the held file goes back, the form keeps every value
        logger.error("requests_app: storage full on the final submit")
        _unclaim_held(token)
        form.add_error(
            None,
            f"{STORAGE_FULL_MESSAGE}。申请尚未提交；您填写的内容和已选择的文件"
            f"（{held['name']}）都已保留，请稍后再次提交。",
        )
        return _render_form(
            request, form, holding=token, held_name=held["name"], status=503
        )
    _drop_held(request, token)
    req = result.info_request
    request.session[SESSION_SUBMITTED] = {**submitted, token: req.tracking_no}
    request.session[SESSION_DONE] = {
        "tracking_no": req.tracking_no,
        "query_code": result.query_code,
        "agency": req.agency.name,
        "emailed": bool(req.email),
        "email_masked": _mask_email(req.email),
    }
    return redirect("requests_app:apply_done")


def _mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return (local[:2] + "***" if len(local) > 2 else local[:1] + "***") + "@" + domain


@login_not_required
@pii_page
@require_safe
def apply_done(request: HttpRequest) -> HttpResponse:
    """The tracking number and 查询码, shown exactly once."""
    done = request.session.pop(SESSION_DONE, None)
    submitted = request.session.get(SESSION_SUBMITTED) or {}
    last = list(submitted.values())[-1] if submitted else ""
    return render(
        request,
        "requests_app/apply_done.html",
        {"done": done, "already_submitted": last},
    )


# =========================================================================================
# lookup and the applicant's case
# =========================================================================================


@login_not_required
@pii_page
@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """申请编号 + 查询码 → the case page. POST only; any mismatch gets one generic
    message. Failures are limited per client address and per (address, case), never
    per case for everyone (issue 11 §1.6, ``requests_app.ratelimit``); sustained
    guessing against one case alerts its staff."""
    ip = ratelimit.client_ip(request)
    context: dict[str, Any] = {
        "limit_ip": ratelimit.LOOKUP_PER_IP.max_hits,
        "limit_ip_case": ratelimit.LOOKUP_PER_IP_CASE.max_hits,
        "limit_ip_day": ratelimit.LOOKUP_PER_IP_DAY.max_hits,
    }
    if request.method != "POST":
        context["form"] = LookupForm()
        return render(request, "requests_app/lookup.html", context)
    form = LookupForm(request.POST)
    context["form"] = form
    tracking_no = (
        form.cleaned_data["tracking_no"]
        if form.is_valid()
        else request.POST.get("tracking_no", "")[:40]
    )
    idents = ratelimit.lookup_idents(ip, tracking_no)
    for limit in ratelimit.LOOKUP_LIMITS:
        if limit is ratelimit.LOOKUP_PER_IP_CASE and not form.is_valid():
            continue
        if ratelimit.is_blocked(limit, idents[limit]):
            return _lookup_blocked(request, context, limit, idents[limit])
    if not form.is_valid():
        return render(request, "requests_app/lookup.html", context)
    req = selectors.get_request_for_applicant(
        tracking_no, form.cleaned_data["query_code"]
    )
    if req is None:
        for limit in ratelimit.LOOKUP_LIMITS:
            ratelimit.record_hit(limit, idents[limit])
        _count_guess_against_case(tracking_no)
        context["failed"] = True
        context["form"] = LookupForm(initial={"tracking_no": tracking_no})
        return render(request, "requests_app/lookup.html", context, status=200)
    request.session.cycle_key()  # a new session id once the code is proven
    request.session[SESSION_CASE] = {"id": req.pk, "at": local_now().timestamp()}
    return redirect("requests_app:case")


RESEND_SENT_MESSAGE = "如果该申请编号存在且登记了电子邮箱，查询码已发送到该邮箱"


@login_not_required
@pii_page
@require_http_methods(["GET", "HEAD", "POST"])
def lookup_resend(request: HttpRequest) -> HttpResponse:
    """A lost 查询码: a new one is e-mailed to the address on file. The answer is the
    same whether the number exists, has an e-mail address, or its daily limit is used
    up; only the per-address limit is shown (it says nothing about the case)."""
    ip = ratelimit.client_ip(request)
    context: dict[str, Any] = {
        "limit_case": ratelimit.RESEND_PER_CASE.max_hits,
        "sent_message": RESEND_SENT_MESSAGE,
    }
    if request.method != "POST":
        context["form"] = ResendQueryCodeForm()
        return render(request, "requests_app/lookup_resend.html", context)
    form = ResendQueryCodeForm(request.POST)
    context["form"] = form
    if ratelimit.is_blocked(ratelimit.RESEND_PER_IP, ip):
        ratelimit.log_block(ratelimit.RESEND_PER_IP, ip, request)
        seconds = ratelimit.retry_after(ratelimit.RESEND_PER_IP, ip) or 3600
        context["blocked"] = True
        context["wait_minutes"] = wait_minutes(seconds)
        response = render(
            request, "requests_app/lookup_resend.html", context, status=429
        )
        response["Retry-After"] = str(seconds)
        return response
    if not form.is_valid():
        return render(request, "requests_app/lookup_resend.html", context)
    tracking_no = selectors.normalise_tracking_no(form.cleaned_data["tracking_no"])
    ratelimit.record_hit(ratelimit.RESEND_PER_IP, ip)
    # the mail goes once the answer has been sent: an SMTP round trip must not make
    # the answer for a number with an e-mail address slower than for any other
    with services.mail_after_response() as deferred:
        if ratelimit.record_hit(ratelimit.RESEND_PER_CASE, tracking_no) <= (
            ratelimit.RESEND_PER_CASE.max_hits
        ):
            services.request_reissue_query_code(
                tracking_no=tracking_no, now=local_now()
            )
        else:
            ratelimit.log_block(ratelimit.RESEND_PER_CASE, tracking_no, request)
    context["sent"] = True
    context["form"] = ResendQueryCodeForm()
    response = render(request, "requests_app/lookup_resend.html", context)
    # the WSGI server closes the response after writing it (Django's own hook)
    response._resource_closers.append(deferred.release)
    return response


def _lookup_blocked(
    request: HttpRequest, context: dict[str, Any], limit: Any, ident: str
) -> HttpResponse:
    ratelimit.log_block(limit, ident, request)
    seconds = ratelimit.retry_after(limit, ident) or limit.window_seconds
    context["blocked"] = True
    context["wait_minutes"] = wait_minutes(seconds)
    response = render(request, "requests_app/lookup.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _count_guess_against_case(tracking_no: str) -> None:
    """Failures against one tracking number from every address: the one that
    reaches ``LOOKUP_CASE_ALERT`` alerts the case's staff (once per window)."""
    count = ratelimit.record_hit(
        ratelimit.LOOKUP_CASE_ALERT, selectors.normalise_tracking_no(tracking_no)
    )
    if count == ratelimit.LOOKUP_CASE_ALERT.max_hits:
        services.request_alert_lookup_guessing(
            tracking_no=tracking_no,
            failures=count,
            window_hours=ratelimit.LOOKUP_CASE_ALERT.window_seconds // 3600,
            now=local_now(),
        )


@dataclass(frozen=True)
class ExplainDay:
    """One day of a reply deadline, shaped for ``portal/_deadline_explain.html``."""

    date: date
    reason: str
    provisional: bool

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()]


@dataclass(frozen=True)
class ExplainedDeadline:
    """A ``deadlines.ReplyDeadline`` adapted to the explain partial (which numbers days
    with ``numbered_days()``); paused days show the pause as their reason."""

    due_date: date
    provisional: bool
    rows: tuple[tuple[ExplainDay, int | None], ...]

    def numbered_days(self) -> tuple[tuple[ExplainDay, int | None], ...]:
        return self.rows


def explained_deadline(reply_deadline: Any) -> ExplainedDeadline | None:
    if reply_deadline is None:
        return None
    rows = tuple(
        (ExplainDay(d.date, d.reason, d.provisional), d.number)
        for d in reply_deadline.days
    )
    return ExplainedDeadline(reply_deadline.due_date, reply_deadline.provisional, rows)


def _case_context(
    req: InfoRequest, *, today: date, correction_form: CorrectionForm | None = None
) -> dict[str, Any]:
    events = list(selectors.public_events(req))
    replies = list(
        Reply.objects.filter(info_request=req)
        .select_related("notice")
        .only(*REPLY_COLUMNS)
        .prefetch_related(
            Prefetch(
                "files",
                queryset=RequestFile.objects.filter(is_public=True),
                to_attr="file_list",
            )
        )
        .order_by("sent_at", "id")
    )
    for reply in replies:
        notice = reply.notice
        listed = notice is not None and notice.status == "published"
        reply.notice_url = _notice_url(notice) if listed else ""
        reply.notice_title = notice.title if listed else ""
    applicant_files = list(
        RequestFile.objects.filter(
            info_request=req, kind__in=[FileKind.ID_PROOF, FileKind.CORRECTION]
        ).only("pk", "original_name", "kind", "info_request_id")
    )
    deadline = None
    if (
        req.status in OPEN_STATUSES
        and req.clock_start_date is not None
        and req.status != Status.AWAITING_CORRECTION
    ):
        deadline = explained_deadline(selectors.deadline_explanation(req))
    correction_open = req.status == Status.AWAITING_CORRECTION
    return {
        "req": req,
        "letters": list(selectors.applicant_letters(req)),
        "outcome_label": Outcome(req.outcome).label if req.outcome else "",
        "events": events,
        "replies": replies,
        "applicant_files": applicant_files,
        "deadline": deadline,
        "deadline_start": req.clock_start_date,
        "correction_open": correction_open,
        "correction_form": correction_form
        or (CorrectionForm() if correction_open else None),
        "can_withdraw": req.status in OPEN_STATUSES,
        "overdue": req.is_overdue(today),
    }


@login_not_required
@pii_page
@require_safe
def case(request: HttpRequest) -> HttpResponse:
    req = get_applicant_request(request)
    if req is None:
        return _need_lookup(request)
    return render(
        request, "requests_app/case.html", _case_context(req, today=local_now().date())
    )


@login_not_required
@pii_page
@require_POST
def case_correction(request: HttpRequest) -> HttpResponse:
    """The applicant's 补正 (text and an optional file): the clock restarts today."""
    req = get_applicant_request(request)
    if req is None:
        return _need_lookup(request)
    now = local_now()
    form = CorrectionForm(request.POST, request.FILES)
    if req.status != Status.AWAITING_CORRECTION:
        messages.error(request, "本申请现在不需要补正。")
        return redirect("requests_app:case")
    if form.is_valid():
        upload = form.cleaned_data.get("attachment")
        try:
            services.request_receive_correction(
                info_request=req,
                now=now,
                text=form.cleaned_data["text"],
                files=[upload] if upload else [],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "补正已提交，答复期限自今天起重新计算。")
            return redirect("requests_app:case")
    return render(
        request,
        "requests_app/case.html",
        _case_context(req, today=now.date(), correction_form=form),
    )


@login_not_required
@pii_page
@require_http_methods(["GET", "HEAD", "POST"])
def case_withdraw(request: HttpRequest) -> HttpResponse:
    """撤回: a confirmation page, then ``services.request_withdraw``."""
    req = get_applicant_request(request)
    if req is None:
        return _need_lookup(request)
    if req.status not in OPEN_STATUSES:
        messages.info(request, "本申请已办结，不能撤回。")
        return redirect("requests_app:case")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_withdraw(
                info_request=req, now=local_now(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "申请已撤回。")
            return redirect("requests_app:case")
    return render(
        request, "requests_app/case_withdraw.html", {"req": req, "form": form}
    )


@login_not_required
@require_safe
def case_file(request: HttpRequest, file_id: int) -> HttpResponse:
    """A reply file of the session's case (nothing else: ID proofs are staff-only)."""
    req = get_applicant_request(request)
    if req is None:
        raise Http404
    rf = RequestFile.objects.filter(
        pk=file_id, info_request=req, kind=FileKind.REPLY, is_public=True
    ).first()
    if rf is None:
        raise Http404
    data = stored_file_or_404(lambda: services.request_file_bytes(file=rf), rf)
    return file_response(data, rf.original_name, rf.content_type)


def stored_file_or_404(read: Callable[[], bytes], rf: RequestFile) -> bytes:
    """``read()``'s bytes; a file missing from disk (a failed restore, a deleted
    volume) is a 404 page in the site's layout and an error in the log, not a 500
    (issue 11 §1.8). A transaction ``read`` opened (an audited reveal) rolls back."""
    try:
        return read()
    except FileNotFoundError as exc:
        logger.error(
            "stored file missing request_file=%s request=%s path=%s",
            rf.pk,
            rf.info_request_id,
            rf.file.name,
        )
        raise Http404("文件不存在") from exc


@login_not_required
@pii_page
@require_safe
def case_letter(request: HttpRequest, letter_id: int) -> HttpResponse:
    """A sent letter of the session's case as a printable page."""
    req = get_applicant_request(request)
    if req is None:
        raise Http404
    letter = selectors.get_letter_for_applicant(req, letter_id)
    return render(request, "requests_app/letter.html", {"letter": letter, "req": req})


@login_not_required
@pii_page
@require_safe
def case_letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    """A sent letter of the session's case as PDF (download)."""
    from portal.documents import render_pdf
    from requests_app.letters import official_document, pdf_filename

    req = get_applicant_request(request)
    if req is None:
        raise Http404
    letter = selectors.get_letter_for_applicant(req, letter_id)
    return file_response(
        render_pdf(official_document(letter)), pdf_filename(letter), "application/pdf"
    )


def file_response(data: bytes, name: str, content_type: str) -> HttpResponse:
    """A private download: attachment, nosniff, never cached."""
    response = HttpResponse(
        data, content_type=content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, name or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    return response


@login_not_required
@require_POST
def case_exit(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_CASE, None)
    messages.info(request, "已退出查询。")
    return redirect("requests_app:lookup")
