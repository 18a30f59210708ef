"""Staff pages of the 基层政务公开标准目录: an agency's items and, per item, which of its
notices fulfil it (an item with none is a finding of the compliance monitor)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from catalog.models import Notice, StandardItem
from catalog.services import standard_item_set_notices
from portal import roles

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
