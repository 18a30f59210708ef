"""Staff pages of the 基层政务公开标准目录: an agency's items and, per item, which of its
notices fulfil it (an item with none is a finding of the compliance monitor); and the
page where the lead agency records a 清理 decision on a notice (``validity_review``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from catalog import publishing, revisions
from catalog.models import Notice, NoticeCleanupReview, NoticeRevision, StandardItem
from catalog.services import (
    check_cleanup,
    notice_record_cleanup,
    notice_revision_approve,
    notice_revision_reject,
    standard_item_set_notices,
)
from portal import roles, timeutil
from portal.validators import parse_id

CHOICES_LIMIT = 200


def access_standard_item_by_staff(user, pk: int) -> StandardItem:
    """An item of the user's agency (superuser: any); another agency's → 404."""
    qs = StandardItem.objects.select_related("domain", "agency", "column")
    if user.is_superuser:
        return get_object_or_404(qs, pk=pk)
    agency = roles.staff_agency(user)
    if agency is None:
        raise Http404
    return get_object_or_404(qs, pk=pk, agency_id=agency.pk)


def _staff_only(request: HttpRequest):
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    return None


class ItemNoticesForm(forms.Form):
    notices = forms.ModelMultipleChoiceField(
        label="落实本事项的政府信息",
        queryset=Notice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选信息不属于本机关或已不存在"},
    )

    def __init__(self, *args, item: StandardItem, **kwargs):
        super().__init__(*args, **kwargs)
        own = Notice.objects.filter(owner_agency_id=item.agency_id).exclude(
            status=Notice.Status.WITHDRAWN
        )
        linked = list(item.notices.values_list("pk", flat=True))
        recent = own.order_by("-published_at", "-id")
        if item.column_id:
            recent = recent.filter(column_id=item.column_id)
        ids = list(recent.values_list("pk", flat=True)[:CHOICES_LIMIT]) + linked
        self.fields["notices"].queryset = own.filter(pk__in=ids).order_by(
            "-published_at", "-id"
        )


@require_safe
def standard_item_list(request: HttpRequest) -> HttpResponse:
    if (login := _staff_only(request)) is not None:
        return login
    items = StandardItem.objects.select_related("domain", "agency").annotate(
        n=Count("notices")
    )
    if not request.user.is_superuser:
        agency = roles.staff_agency(request.user)
        items = items.filter(agency_id=agency.pk if agency else -1)
    return render(request, "catalog/staff_standard_items.html", {"items": items})


@require_http_methods(["GET", "HEAD", "POST"])
def standard_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _staff_only(request)) is not None:
        return login
    item = access_standard_item_by_staff(request.user, pk)
    form = ItemNoticesForm(
        request.POST or None,
        item=item,
        initial={"notices": list(item.notices.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            standard_item_set_notices(
                item=item, notices=form.cleaned_data["notices"], by=request.user
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("notices", error)
        else:
            messages.success(request, "已保存本事项关联的政府信息。")
            return redirect("catalog:staff_standard_items")
    return render(
        request, "catalog/staff_standard_item.html", {"item": item, "form": form}
    )


def access_notice_for_cleanup(user, pk: int) -> Notice:
    """A notice whose lead agency is the user's (superuser: any); another's → 404."""
    qs = Notice.objects.select_related("owner_agency", "genre")
    if user.is_superuser:
        return get_object_or_404(qs, pk=pk)
    agency = roles.staff_agency(user)
    if agency is None:
        raise Http404
    return get_object_or_404(qs, pk=pk, owner_agency_id=agency.pk)


class CleanupForm(forms.Form):
    decided_date = forms.DateField(
        label="清理决定日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="清理决定印发的日期，格式：2026-03-05",
        error_messages={
            "required": "请填写清理决定日期",
            "invalid": "日期格式不正确，请按 2026-03-05 的格式填写",
        },
    )
    result = forms.ChoiceField(
        label="清理结果",
        choices=NoticeCleanupReview.Result.choices,
        widget=forms.RadioSelect,
        help_text="选择“废止”或“宣布失效”会同时把该文件的有效性改为“已废止”或“失效”。",
        error_messages={
            "required": "请选择清理结果",
            "invalid_choice": "请选择清理结果：继续有效、修改、废止或宣布失效",
        },
    )
    basis = forms.CharField(
        label="清理依据",
        max_length=200,
        help_text="清理决定文件的发文字号或标题，例如：某政办发〔2026〕3号",
        error_messages={
            "required": "请填写清理依据（清理决定文件的发文字号或标题）",
            "max_length": "清理依据不能超过 200 个字",
        },
    )

    def __init__(self, *args, notice: Notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["basis"] = check_cleanup(
                notice=self.notice,
                decided_date=data.get("decided_date"),
                result=data.get("result", ""),
                basis=data.get("basis", ""),
                today=timeutil.local_today(),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def notice_cleanup(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a 清理 decision on one of the agency's notices; list the earlier ones."""
    if (login := _staff_only(request)) is not None:
        return login
    notice = access_notice_for_cleanup(request.user, pk)
    form = CleanupForm(request.POST or None, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            notice_record_cleanup(
                notice=notice,
                by=request.user,
                decided_date=form.cleaned_data["decided_date"],
                result=form.cleaned_data["result"],
                basis=form.cleaned_data["basis"],
                now=timeutil.local_now(),
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                for error in getattr(exc, "messages", [str(exc)]):
                    form.add_error(None, error)
        else:
            messages.success(request, "已登记清理决定。")
            return redirect("catalog:staff_notice_cleanup", pk=notice.pk)
    reviews = notice.cleanup_reviews.select_related("recorded_by")
    return render(
        request,
        "catalog/staff_notice_cleanup.html",
        {"notice": notice, "form": form, "reviews": reviews},
    )


# --- 修订记录: the versions of a notice and what changed between them ----------------------


def access_notice_history(user, pk: int) -> Notice:
    """A notice the staff user may see (their agency's and the 联合发文 it co-publishes;
    superuser: any), otherwise 404."""
    qs = Notice.objects.visible_to(user).select_related("owner_agency")
    return get_object_or_404(qs, pk=pk)


class RevisionRejectForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例如：第三段涉及尚未公开的工作安排，请删除后重新提交。记入修订记录。",
        error_messages={
            "required": "请填写退回理由",
            "max_length": "退回理由不能超过 300 个字",
        },
    )


@dataclass
class RevisionRow:
    revision: NoticeRevision
    number: int | None  # the version number of a live version
    changes: list


def _history_rows(items: list[NoticeRevision]) -> tuple[list, RevisionRow | None]:
    """The live versions newest first, each with what changed from the one before, and
    the pending proposal compared with the live version; a returned (退回) proposal is
    compared with the version live when it was made."""
    applied = sorted(
        (r for r in items if r.status == NoticeRevision.Status.APPLIED),
        key=lambda r: (r.applied_at, r.pk),
    )
    rows: list[RevisionRow] = []
    previous = None
    for number, rev in enumerate(applied, start=1):
        rows.append(
            RevisionRow(
                rev,
                number,
                revisions.diff(previous.content, rev.content) if previous else [],
            )
        )
        previous = rev
    pending = None
    for rev in items:
        if rev.status == NoticeRevision.Status.APPLIED:
            continue
        if rev.status == NoticeRevision.Status.PENDING:
            base = applied[-1] if applied else None
        else:
            earlier = [r for r in applied if r.applied_at <= rev.created_at]
            base = earlier[-1] if earlier else None
        row = RevisionRow(
            rev, None, revisions.diff(base.content, rev.content) if base else []
        )
        if rev.status == NoticeRevision.Status.PENDING:
            pending = row
        else:
            rows.append(row)
    rows.sort(
        key=lambda r: (
            r.revision.applied_at or r.revision.decided_at or r.revision.created_at
        ),
        reverse=True,
    )
    return rows, pending


@require_http_methods(["GET", "HEAD", "POST"])
def notice_history(request: HttpRequest, pk: int) -> HttpResponse:
    """修订记录: who changed a notice, when, who confirmed the 保密审查, and a readable
    diff between consecutive versions; the pending change (second-person agencies) is
    confirmed or returned here. The public page never shows any of this."""
    if (login := _staff_only(request)) is not None:
        return login
    # the notice desk's own rule (the nav and the list ask it too): a 承办人 without
    # the catalog's rights sees no old or proposed texts
    if not publishing.may_see_notice_desk(request.user):
        raise PermissionDenied("您没有查看政府信息的权限，请联系本机关管理员")
    notice = access_notice_history(request.user, pk)
    may_manage = Notice.objects.editable_by(request.user).filter(pk=notice.pk).exists()
    reject_form = RevisionRejectForm(
        request.POST if request.POST.get("action") == "reject" else None
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("联合发文机关只能查看修订记录，不能确认或退回修改")
        revision = get_object_or_404(
            NoticeRevision,
            pk=parse_id(request.POST.get("revision")) or 0,
            notice_id=notice.pk,
            status=NoticeRevision.Status.PENDING,
        )
        action = request.POST.get("action")
        try:
            if action == "approve":
                notice_revision_approve(
                    revision=revision, by=request.user, now=timeutil.local_now()
                )
                messages.success(
                    request, "已确认保密审查，修改已生效并在公开页面显示。"
                )
                return redirect("catalog:staff_notice_history", pk=notice.pk)
            if action == "reject" and reject_form.is_valid():
                notice_revision_reject(
                    revision=revision,
                    by=request.user,
                    reason=reject_form.cleaned_data["reason"],
                    now=timeutil.local_now(),
                )
                messages.success(request, "已退回该修改，公开页面保持原内容。")
                return redirect("catalog:staff_notice_history", pk=notice.pk)
        except (ValidationError, PermissionDenied) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for error in errors:
                messages.error(request, f"未能处理该修改：{error}")
    items = list(
        NoticeRevision.objects.filter(notice_id=notice.pk).select_related(
            "created_by", "security_reviewed_by", "decided_by"
        )
    )
    rows, pending = _history_rows(items)
    return render(
        request,
        "catalog/staff_notice_history.html",
        {
            "notice": notice,
            "rows": rows,
            "pending": pending,
            "may_manage": may_manage,
            "is_proposer": pending is not None
            and pending.revision.created_by_id == request.user.pk,
            "reject_form": reject_form,
        },
    )
