"""Staff notice pages (/staff/xinxi/): the list with filters and bulk actions, the
editor (new and existing notices, attachments, 提交审核, 确认保密审查, 发布, 定时发布,
撤回) and the preview in the public page's template. Every write goes through
``catalog.services`` / ``catalog.attachments``; every notice through one of the two
access helpers below (404 outside the user's scope)."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog import guard, publishing
from catalog.attachments import attachment_add, attachment_remove, inspect_upload
from catalog.forms import (
    StaffNoticeForm,
    WithdrawForm,
    personal_data_message,
    record_shown,
)
from catalog.models import (
    Attachment,
    Column,
    Notice,
    NoticeCleanupReview,
    NoticePublisher,
    Theme,
)
from catalog.sanitize import body_for_staff, clean_body, html_to_text
from catalog.services import (
    EDITABLE_FIELDS,
    notice_confirm_security_review,
    notice_create,
    notice_publish,
    notice_schedule,
    notice_set_interpretations,
    notice_submit_for_review,
    notice_unschedule,
    notice_update,
    notice_withdraw,
)
from catalog.views import (
    ATTACHMENT_LINK_FIELDS,
    SEARCH_COLUMNS,
    _column_url,
    attachment_response,
    publishers_prefetch,
    related_prefetch,
)
from portal import roles, timeutil
from portal.filestore import STORAGE_FULL_MESSAGE, StorageFull
from portal.validators import parse_id

logger = logging.getLogger(__name__)
PER_PAGE = 30
# The editor page only: Jodit positions its toolbar helpers and placeholder with style
# attributes, which ``style-src 'self'`` blocks. ``style-src-attr`` allows inline style
# *attributes* on this staff page and nothing else: no <style> element, no inline or
# foreign script (docs/security.md §2).
EDITOR_CSP = {"style-src-attr": ["'unsafe-inline'"]}
IMAGE_KINDS = ("jpg", "png")


# --- access -------------------------------------------------------------------------------


def _staff_only(request: HttpRequest, codename: str = "view_notice"):
    """What each page needs of the user's Django permissions: the same model permissions
    as the admin's notice pages and the services (catalog.publishing), so the staff desk
    never lets a role do what another path would refuse it."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser and roles.staff_agency(request.user) is None:
        raise PermissionDenied("您的账号未关联机关，不能管理政府信息")
    # a 审核人 confirms the 保密审查 (catalog.publishing.check_may_manage): they see the
    # list and the previews, and the list's bulk 确认保密审查
    if codename == "view_notice":
        allowed = publishing.may_see_notice_desk(request.user)
    else:
        allowed = request.user.has_perm(f"catalog.{codename}")
    if not allowed:
        raise PermissionDenied(
            f"您没有{publishing.PERMISSION_WORDS[codename]}政府信息的权限，请联系本机关管理员"
        )
    return None


def access_notice_for_editing(user, pk: int) -> Notice:
    """A notice the user's agency leads (superuser: any); anything else → 404."""
    qs = Notice.objects.editable_by(user).select_related(
        "owner_agency", "security_reviewed_by", "submitted_by", "scheduled_by"
    )
    return get_object_or_404(qs.defer(*SEARCH_COLUMNS), pk=pk)


def access_notice_for_viewing(user, pk: int) -> Notice:
    """A notice the user's agency leads or co-publishes (superuser: any); else → 404."""
    qs = Notice.objects.visible_to(user).select_related(
        "owner_agency", "theme__parent", "genre", "column"
    )
    return get_object_or_404(qs.defer(*SEARCH_COLUMNS), pk=pk)


# --- list ---------------------------------------------------------------------------------

STATE_CHOICES = [
    ("draft", "草稿"),
    ("pending", "待审核"),
    ("scheduled", "已排期"),
    ("published", "已发布"),
    ("withdrawn", "已撤回"),
    ("lapsed", "失效"),
]
STATE_LABELS = dict(STATE_CHOICES)
SORTS = {
    "-updated": (F("updated_at").desc(), F("id").desc()),
    "updated": (F("updated_at").asc(), F("id").asc()),
    "-published": (F("published_at").desc(nulls_last=True), F("id").desc()),
    "published": (F("published_at").asc(nulls_last=True), F("id").asc()),
}


def state_expression():
    """草稿 / 待审核 / 已排期 / 已发布 / 已撤回 / 失效 of each row (needs
    ``with_current_validity``): 失效 = published, and today expired or repealed."""
    return Case(
        When(status=Notice.Status.WITHDRAWN, then=Value("withdrawn")),
        When(
            status=Notice.Status.PUBLISHED,
            current_validity__in=[Notice.Validity.EXPIRED, Notice.Validity.REPEALED],
            then=Value("lapsed"),
        ),
        When(status=Notice.Status.PUBLISHED, then=Value("published")),
        When(scheduled_at__isnull=False, then=Value("scheduled")),
        When(
            submitted_at__isnull=False,
            security_reviewed_by__isnull=True,
            then=Value("pending"),
        ),
        default=Value("draft"),
    )


class NoticeFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *STATE_CHOICES]
    )
    column = forms.ModelChoiceField(
        label="栏目", required=False, queryset=Column.objects.all(), empty_label="全部"
    )
    theme = forms.ModelChoiceField(
        label="主题",
        required=False,
        queryset=Theme.objects.filter(parent__isnull=True),
        empty_label="全部",
    )
    year = forms.IntegerField(
        label="年份",
        required=False,
        min_value=1949,
        max_value=2100,
        error_messages={"invalid": "请填写四位年份，例如 2026"},
    )
    q = forms.CharField(label="标题、发文字号或索引号", required=False, max_length=100)
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[
            ("-updated", "最近修改在前"),
            ("updated", "最早修改在前"),
            ("-published", "最近发布在前"),
            ("published", "最早发布在前"),
        ],
    )


BULK_ACTIONS = {
    "review": "确认保密审查",
    "publish": "发布",
    "submit": "提交审核",
}


def _bulk(request: HttpRequest) -> None:
    action = request.POST.get("bulk_action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, "请选择要执行的操作")
        return
    verb = BULK_ACTIONS[action]
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
    if not ids:
        messages.error(request, f"请先勾选要{verb}的信息")
        return
    if action == "review" and not roles.has_role(request.user, roles.APPROVER):
        messages.error(request, "只有审核人可以确认保密审查")
        return
    notices = list(
        Notice.objects.editable_by(request.user)
        .filter(pk__in=ids)
        .defer(*SEARCH_COLUMNS)
        .order_by("pk")
    )
    missing = len(set(ids)) - len(notices)
    if missing:
        messages.error(
            request,
            f"{missing} 条所选信息不是本机关牵头发布的，或已不存在，未作处理",
        )
    now = timeutil.local_now()
    done = 0
    for notice in notices:
        try:
            if action == "review":
                notice_confirm_security_review(notice=notice, by=request.user, now=now)
            elif action == "publish":
                notice_publish(notice=notice, by=request.user, now=now)
            else:
                notice_submit_for_review(notice=notice, by=request.user, now=now)
        except guard.PersonalDataFound as exc:
            messages.error(
                request,
                f"“{notice.title}”未能{verb}：{guard.findings_message(exc.findings)}"
                "（放行须在编辑页由审核人逐条确认）",
            )
        except (ValidationError, PermissionDenied) as exc:
            reason = "；".join(
                exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            )
            messages.error(request, f"“{notice.title}”未能{verb}：{reason}")
        else:
            done += 1
    if done:
        messages.success(request, f"已{verb} {done} 条信息。")


@require_http_methods(["GET", "HEAD", "POST"])
def staff_notice_list(request: HttpRequest) -> HttpResponse:
    if (login := _staff_only(request)) is not None:
        return login
    if request.method == "POST":
        if request.POST.get("bulk_action") != "review":
            _staff_only(request, "change_notice")
        _bulk(request)
        query = request.POST.get("query", "")
        url = reverse("catalog:staff_notice_list")
        return redirect(f"{url}?{query}" if query else url)
    form = NoticeFilterForm(request.GET or None)
    today = timeutil.local_today()
    user = request.user
    agency = roles.staff_agency(user)
    qs = (
        Notice.objects.visible_to(user)
        .with_current_validity(today)
        .annotate(
            state=state_expression(),
            editable=Value(True, output_field=BooleanField())
            if user.is_superuser
            else Case(
                When(owner_agency_id=agency.pk if agency else -1, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("owner_agency", "column", "theme__parent", "genre")
        .defer(*SEARCH_COLUMNS, "body")
    )
    sort = "-updated"
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["column"]:
            qs = qs.filter(column=data["column"])
        if data["theme"]:
            qs = qs.filter(Q(theme=data["theme"]) | Q(theme__parent=data["theme"]))
        if data["year"]:
            qs = qs.filter(
                Q(published_at__year=data["year"])
                | Q(published_at__isnull=True, created_at__year=data["year"])
            )
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(
                Q(title__icontains=q)
                | Q(doc_number__icontains=q)
                | Q(index_number__icontains=q)
            )
        sort = data["sort"] or sort
    qs = qs.order_by(*SORTS[sort]).prefetch_related(
        Prefetch(
            "publisher_links",
            queryset=NoticePublisher.objects.select_related("agency"),
        )
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.state_label = STATE_LABELS[notice.state]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "catalog/staff_notice_list.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "bulk_actions": BULK_ACTIONS,
            "is_approver": roles.has_role(user, roles.APPROVER),
        },
    )


# --- editor -------------------------------------------------------------------------------

EDITOR_ACTIONS = {
    "save": "保存草稿",
    "submit": "提交审核",
    "review": "确认保密审查",
    "publish": "发布",
    "schedule": "定时发布",
    "unschedule": "取消定时发布",
}


def _make_form(request: HttpRequest, notice: Notice, data=None, files=None):
    form_class = type(
        "StaffNoticeForm",
        (StaffNoticeForm,),
        {"request_user": request.user, "request_post": data},
    )
    return form_class(data, files, instance=notice, today=timeutil.local_today())


def _errors_from(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None
            if name == "file":
                target = "uploads" if "uploads" in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _save(request: HttpRequest, form, notice: Notice) -> Notice:
    """Fields, 发文机关, 解读, attachments: one transaction, all through the services."""
    data = form.cleaned_data
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    publishers = form.ordered_publishers()
    if notice.pk:
        saved = notice_update(
            notice=notice,
            by=request.user,
            publishers=publishers,
            override_reason=form.override_reason(),
            override_shown=form.shown_fingerprints(),
            security_review_confirmed=bool(data.get("security_review_confirmed")),
            **fields,
        )
    else:
        saved = notice_create(
            owner_agency=form.lead_agency(),
            by=request.user,
            publishers=publishers,
            **fields,
        )
    notice_set_interpretations(
        policy=saved,
        interpretations=list(data.get("interpretation_notices") or []),
        by=request.user,
        now=timeutil.local_now(),
    )
    confirmed = bool(data.get("security_review_confirmed"))
    for attachment in data.get("remove_attachments") or []:
        attachment_remove(
            attachment=attachment,
            by=request.user,
            security_review_confirmed=confirmed,
        )
    for inspected in form.inspected:
        attachment_add(
            notice=saved,
            by=request.user,
            inspected=inspected,
            override_reason=form.override_reason(),
            override_shown=form.shown_fingerprints(),
            security_review_confirmed=confirmed,
        )
    return saved


def _act(request: HttpRequest, form, notice: Notice, action: str) -> Notice:
    now = timeutil.local_now()
    by = request.user
    if action == "submit":
        return notice_submit_for_review(notice=notice, by=by, now=now)
    if action == "review":
        return notice_confirm_security_review(notice=notice, by=by, now=now)
    if action == "publish":
        return notice_publish(
            notice=notice,
            by=by,
            now=now,
            override_reason=form.override_reason(),
            override_shown=form.shown_fingerprints(),
        )
    if action == "schedule":
        at = form.cleaned_data.get("scheduled_at")
        if at is None:
            raise ValidationError({"scheduled_at": "请填写定时发布的日期和时间"})
        return notice_schedule(
            notice=notice,
            by=by,
            at=at,
            now=now,
            override_reason=form.override_reason(),
            override_shown=form.shown_fingerprints(),
        )
    if action == "unschedule":
        return notice_unschedule(notice=notice, by=by)
    return notice


def _refuse_personal_data(request, form, data, findings) -> None:
    record_shown(data, findings)
    ticked = data.get("pii_override") in ("on", "true", "1")
    form.pii_findings = [*form.pii_findings, *findings]
    form.action_errors.append(
        personal_data_message(findings, request.user, ticked, action="发布")
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def staff_notice_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    review_only = pk is not None and _reviews_only(request.user)
    needed = (
        "add_notice"
        if pk is None
        else ("view_notice" if review_only else "change_notice")
    )
    if (login := _staff_only(request, needed)) is not None:
        return login
    notice = (
        access_notice_for_editing(request.user, pk)
        if pk is not None
        else Notice(owner_agency=roles.staff_agency(request.user))
    )
    if review_only:
        return _review_only_editor(request, notice)
    was_scheduled = notice.scheduled_at is not None
    if request.method != "POST":
        form = _make_form(request, notice)
        form.action_errors = []
        return _render_editor(request, form, notice)
    data = request.POST.copy()
    action = data.get("action", "save")
    if action not in EDITOR_ACTIONS:
        action = "save"
    form = _make_form(request, notice, data, request.FILES)
    form.action_errors = []
    if not form.is_valid():
        return _render_editor(request, form, notice, status=400)
    try:
        with transaction.atomic():
            saved = _save(request, form, notice)
    except guard.PersonalDataFound as exc:
        _refuse_personal_data(request, form, data, exc.findings)
        return _render_editor(request, form, notice, status=400)
    except ValidationError as exc:
        _errors_from(form, exc)
        return _render_editor(request, form, notice, status=400)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _render_editor(request, form, notice, status=403)
    except StorageFull:
        logger.error("staff editor: storage full storing an attachment")
        form.add_error(
            "uploads" if "uploads" in form.fields else None,
            f"{STORAGE_FULL_MESSAGE}：附件未能保存，本页的修改也都未保存；"
            "请稍后再次提交（需重新选择文件）",
        )
        return _render_editor(request, form, notice, status=503)
    pending = getattr(saved, "pending_revision", None)
    saved.refresh_from_db()
    notes = []
    if pending is not None:
        # a second-person agency: the change waits for another person's 保密审查
        messages.info(
            request,
            "修改已提交，公开页面仍显示原内容；须由本机关另一名工作人员在“修订记录”中"
            "确认保密审查后生效（条例第十七条）。",
        )
        return redirect("catalog:staff_notice_history", pk=saved.pk)
    if was_scheduled and saved.scheduled_at is None and action != "unschedule":
        notes.append("内容已修改，原定时发布已取消；如仍需定时发布，请重新设定。")
    if action != "save":
        try:
            with transaction.atomic():
                saved = _act(request, form, saved, action)
        except guard.PersonalDataFound as exc:
            return _rerender_saved(request, saved, data, action, exc=exc)
        except (ValidationError, PermissionDenied) as exc:
            return _rerender_saved(request, saved, data, action, exc=exc)
    messages.success(request, _done_message(action, saved))
    for note in notes:
        messages.warning(request, note)
    return redirect("catalog:staff_notice_edit", pk=saved.pk)


def _done_message(action: str, notice: Notice) -> str:
    if action == "publish":
        return f"已发布，索引号 {notice.index_number}。"
    if action == "schedule":
        at = timezone.localtime(notice.scheduled_at)
        return f"已保存，并定于 {at:%Y-%m-%d %H:%M} 自动发布。"
    return {
        "save": "已保存。",
        "submit": "已保存并提交审核。",
        "review": "已保存并确认保密审查。",
        "unschedule": "已取消定时发布，信息仍为草稿。",
    }[action]


def _rerender_saved(request, saved: Notice, data, action: str, *, exc):
    """The content was saved but the action was refused: show the editor of the saved
    notice with what was typed and why (the next submission goes to its edit URL)."""
    clean = data.copy()
    for key in ("remove_attachments",):
        clean.pop(key, None)
    notice = access_notice_for_editing(request.user, saved.pk)
    form = _make_form(request, notice, clean)
    form.action_errors = []
    form.is_valid()
    verb = EDITOR_ACTIONS[action]
    if isinstance(exc, guard.PersonalDataFound):
        _refuse_personal_data(request, form, clean, exc.findings)
    elif isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                if name in form.fields:
                    for error in errors:
                        form.add_error(name, error)
                else:
                    form.action_errors += errors
        else:
            form.action_errors += exc.messages
    else:
        form.action_errors.append(str(exc))
    form.action_errors.insert(0, f"内容已保存，但未能{verb}：")
    return _render_editor(request, form, notice, status=400)


def _reviews_only(user) -> bool:
    """A 审核人 without the 管理员 role: opens a notice of the lead agency in the editor
    to read it and confirm its 保密审查 (``check_may_manage(reviewing=True)``), but may
    not change it (the list links its titles here, as for the 信息员)."""
    return (
        user.is_authenticated
        and not user.is_superuser
        and not user.has_perm("catalog.change_notice")
        and roles.has_role(user, roles.APPROVER)
    )


def _review_only_editor(request: HttpRequest, notice: Notice) -> HttpResponse:
    """The editor, every field read-only, with one action: 确认保密审查."""
    form = _make_form(request, notice)
    form.action_errors = []
    for field in form.fields.values():
        field.disabled = True
    status = 200
    if request.method == "POST":
        if request.POST.get("action") != "review":
            form.action_errors = [
                "您是审核人，只能确认保密审查；修改、提交或发布须由本机关管理员操作"
            ]
            status = 403
        else:
            try:
                with transaction.atomic():
                    notice_confirm_security_review(
                        notice=notice, by=request.user, now=timeutil.local_now()
                    )
            except (ValidationError, PermissionDenied) as exc:
                reasons = (
                    exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                )
                form.action_errors = ["未能确认保密审查", *reasons]
                status = 400
            else:
                messages.success(request, "已确认保密审查。")
                return redirect("catalog:staff_notice_edit", pk=notice.pk)
    return _render_editor(request, form, notice, status=status, review_only=True)


def _render_editor(
    request, form, notice: Notice, *, status: int = 200, review_only: bool = False
):
    attachments = list(notice.attachments.all()) if notice.pk else []
    events = (
        list(notice.events.select_related("actor").order_by("-at", "-id")[:20])
        if notice.pk
        else []
    )
    context = {
        "form": form,
        "notice": notice,
        "attachments": attachments,
        "events": events,
        "is_approver": roles.has_role(request.user, roles.APPROVER),
        "review_only": review_only,
        "withdraw_form": WithdrawForm(prefix="withdraw")
        if notice.status == Notice.Status.PUBLISHED and not review_only
        else None,
        "form_action": reverse("catalog:staff_notice_edit", args=[notice.pk])
        if notice.pk
        else reverse("catalog:staff_notice_new"),
        "image_upload_url": reverse("catalog:staff_notice_image", args=[notice.pk])
        if notice.pk
        else "",
    }
    response = render(request, "catalog/staff_notice_edit.html", context, status=status)
    response._csp_update = EDITOR_CSP  # read by csp.middleware.CSPMiddleware
    return response


@require_POST
def staff_notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _staff_only(request, "change_notice")) is not None:
        return login
    notice = access_notice_for_editing(request.user, pk)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            notice_withdraw(
                notice=notice,
                by=request.user,
                now=timeutil.local_now(),
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            reason = "；".join(
                exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            )
            messages.error(request, f"未能撤回：{reason}")
        else:
            messages.success(
                request,
                "已撤回。公开页面只显示标题、索引号、日期和撤回原因类别；如属误撤回，可重新发布。",
            )
            return redirect("catalog:staff_notice_edit", pk=notice.pk)
    edit_form = _make_form(request, notice)
    edit_form.action_errors = [
        f"未能撤回：{e}" for e in form.errors.get("category", [])
    ]
    response = _render_editor(request, edit_form, notice, status=400)
    return response


# --- preview ------------------------------------------------------------------------------


def _preview(request: HttpRequest, notice: Notice, publishers, attachments):
    today = timeutil.local_today()
    description = notice.summary or html_to_text(notice.body)
    latest = (
        NoticeCleanupReview.objects.filter(notice_id=notice.pk)
        .order_by("-decided_date", "-id")
        .first()
        if notice.pk
        else None
    )
    notice.cleanup_date = latest.decided_date if latest else None
    # the draft's images and attachments through the staff URL (public ones 404 yet)
    notice.body = body_for_staff(notice.body, uuid=notice.uuid, pk=notice.pk)
    response = render(
        request,
        "catalog/notice_detail.html",
        {
            "notice": notice,
            "preview": True,
            "publishers": publishers,
            "validity_label": notice.validity_label_on(today),
            "cleanup_label": latest.get_result_display() if latest else "",
            "attachments": attachments,
            "interpretations": getattr(notice, "public_interpretations", []),
            "interpreted_policies": getattr(notice, "public_interpreted_policies", []),
            "column_url": _column_url(notice.column),
            "meta_description": " ".join(description.split())[:200],
            "meta_keywords": ",".join(notice.keywords or []),
            "meta_source": "、".join(a.name for a in publishers),
            "staff_view_of_withdrawn": notice.is_withdrawn,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def staff_notice_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The saved notice exactly as the public page shows it, marked 预览，尚未发布."""
    if (login := _staff_only(request)) is not None:
        return login
    notice = access_notice_for_viewing(request.user, pk)
    prefetch_related_objects(
        [notice],
        publishers_prefetch(),
        Prefetch(
            "attachments", queryset=Attachment.objects.only(*ATTACHMENT_LINK_FIELDS)
        ),
        related_prefetch("interpretations"),
        related_prefetch("interpreted_policies"),
    )
    publishers = [link.agency for link in notice.publisher_links.all()]
    return _preview(request, notice, publishers, list(notice.attachments.all()))


@never_cache
@require_POST
def staff_notice_preview_unsaved(request: HttpRequest) -> HttpResponse:
    """What the editor's form holds, unsaved, in the public page's template."""
    if (login := _staff_only(request, "change_notice")) is not None:
        return login
    pk = parse_id(request.POST.get("notice_pk", ""))
    notice = (
        access_notice_for_editing(request.user, pk)
        if pk is not None
        else Notice(owner_agency=roles.staff_agency(request.user))
    )
    form = _make_form(request, notice, request.POST.copy())
    form.action_errors = []
    if not form.is_valid():
        form.action_errors.append("表单中有错误，无法预览；请修改后再预览。")
        return _render_editor(request, form, notice, status=400)
    data = form.cleaned_data
    # an unsaved copy: never saved (the services are not called)
    draft = Notice(pk=notice.pk, uuid=notice.uuid, owner_agency=form.lead_agency())
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(draft, name, data[name])
    draft.status = notice.status
    draft.index_number = notice.index_number
    draft.published_at = notice.published_at
    draft.body = clean_body(draft.body or "")
    attachments = list(notice.attachments.all()) if notice.pk else []
    return _preview(request, draft, form.ordered_publishers(), attachments)


# --- attachments seen by staff, images inserted in the body --------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def staff_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """An attachment of a notice the user may see (a draft's too: the preview and the
    editor link here); the public URL stays the public access check's."""
    if (login := _staff_only(request)) is not None:
        return login
    notice = access_notice_for_viewing(request.user, pk)
    attachment = Attachment.objects.filter(
        notice_id=notice.pk, pk=attachment_id
    ).first()
    response = attachment_response(notice, attachment)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _image_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@never_cache
@require_POST
def staff_notice_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's image button: one JPG/PNG with its 替代文字, stored as an attachment
    of the notice through ``attachment_add`` (its file checks, its event); answers JSON
    with the URL to put in the body (the staff URL while editing; saved as public)."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return _image_error("登录已过期，请重新登录后再插入图片", status=403)
    if not request.user.is_superuser and roles.staff_agency(request.user) is None:
        return _image_error("您的账号未关联机关，不能管理政府信息", status=403)
    if not request.user.has_perm("catalog.change_notice"):
        # the editor's own right: a 承办人 or 审核人 may not add content to a notice
        return _image_error(
            f"您没有{publishing.PERMISSION_WORDS['change_notice']}政府信息的权限，请联系本机关管理员",
            status=403,
        )
    notice = access_notice_for_editing(request.user, pk)
    alt = " ".join((request.POST.get("alt") or "").split())
    upload = request.FILES.get("image")
    if upload is None:
        return _image_error("请选择要插入的图片（JPG 或 PNG）")
    if not alt:
        return _image_error("请填写图片说明（替代文字），读屏软件会朗读它")
    if len(alt) > 200:
        return _image_error("图片说明不能超过 200 个字")
    if notice.status == Notice.Status.WITHDRAWN:
        return _image_error("已撤回的信息不能插入图片")
    confirmed = request.POST.get("security_review_confirmed") in ("on", "true", "1")
    if notice.status == Notice.Status.PUBLISHED and not confirmed:
        return _image_error(
            "修改已发布的信息，须先勾选“我已对修改后的内容进行保密审查”再插入图片"
        )
    try:
        inspected = inspect_upload(upload)
        if inspected.kind not in IMAGE_KINDS:
            return _image_error(
                f"“{inspected.name}”不是 JPG 或 PNG 图片；其他文件请作为附件上传"
            )
        with transaction.atomic():
            attachment = attachment_add(
                notice=notice,
                by=request.user,
                inspected=inspected,
                security_review_confirmed=confirmed,
            )
    except ValidationError as exc:
        messages_ = (
            exc.message_dict.get("file") if hasattr(exc, "error_dict") else None
        ) or exc.messages
        return _image_error("；".join(messages_))
    except guard.PersonalDataFound as exc:
        return _image_error(
            f"未能插入图片：{guard.findings_message(exc.findings)}；请在编辑页处理后再试"
        )
    except PermissionDenied as exc:
        return _image_error(str(exc), status=403)
    except StorageFull:
        logger.error("staff editor: storage full storing an image")
        return _image_error(f"{STORAGE_FULL_MESSAGE}：图片未能保存，请稍后再试", 503)
    return JsonResponse(
        {
            "src": reverse("catalog:staff_attachment", args=[notice.pk, attachment.pk]),
            "alt": alt,
            "name": attachment.name,
            "size": attachment.size,
        }
    )
