"""Forms of the portal app (they parse input; the rules live in portal.validators), and
the site's own wording for form errors, instead of Django's defaults.

Django answers an empty field with "这个字段是必填项。" and a failed login with
"请输入一个正确的用户名和密码…"; the portal names the field and says what to do.
:class:`SiteMessagesMixin` rewrites a field's message only where it is still Django's
default, so a message a form sets itself always wins.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from portal.validators import agency_profile_errors, parse_leader_lines

CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField)


def site_error_messages(field: forms.Field, label: str) -> dict[str, str]:
    """The portal's wording for ``field``'s standard errors (pure)."""
    name = label or "此项"
    if isinstance(field, forms.BooleanField):
        required = f"请勾选“{name}”"
    elif isinstance(field, CHOICE_FIELDS):
        required = f"请选择{name}"
    elif isinstance(field, forms.FileField):
        required = f"请上传{name}"
    else:
        required = f"请填写{name}"
    return {
        "required": required,
        "invalid_choice": f"{name}的选项无效，请重新选择",
    }


class SiteMessagesMixin:
    """Put the site's wording on every field whose message is still Django's."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            defaults: dict[str, str] = {}
            for klass in reversed(type(field).__mro__):
                defaults.update(getattr(klass, "default_error_messages", {}))
            label = str(field.label or "").rstrip("：:（）() ")
            for key, text in site_error_messages(field, label).items():
                current = field.error_messages.get(key)
                if current is not None and str(current) == str(defaults.get(key)):
                    field.error_messages[key] = text


class StaffAuthenticationForm(SiteMessagesMixin, AuthenticationForm):
    """The sign-in form with the site's wording (no hint which of the two was wrong)."""

    error_messages: ClassVar[dict[str, str]] = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。密码区分大小写。",
        "inactive": "此账号已停用，请联系网站管理员。",
    }


class AgencyProfileForm(forms.Form):
    """机构信息 (条例 第二十条第（二）项), edited by the agency's administrator."""

    functions = forms.CharField(
        label="机构职能", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    internal_units = forms.CharField(
        label="内设机构",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="每行一个内设机构，可写“名称：职责”。",
    )
    leaders = forms.CharField(
        label="负责人",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="每行一人：姓名｜职务｜分工（分工可省略），按显示顺序填写。",
    )
    address = forms.CharField(label="办公地址", required=False)
    office_hours = forms.CharField(label="办公时间", required=False)
    phone = forms.CharField(label="联系电话", required=False)
    fax = forms.CharField(label="传真", required=False)
    postcode = forms.CharField(label="邮政编码", required=False)
    email = forms.CharField(label="电子邮箱", required=False)
    note = forms.CharField(
        label="变更说明",
        required=False,
        max_length=200,
        help_text="选填，例如：机构改革后职能调整。记入变更记录。",
    )

    def clean(self):
        data = super().clean()
        leaders, line_errors = parse_leader_lines(data.get("leaders", ""))
        for message in line_errors:
            self.add_error("leaders", message)
        if line_errors:
            return data
        data["leader_list"] = leaders
        for field, messages in agency_profile_errors(
            {**data, "leaders": leaders}
        ).items():
            for message in messages:
                self.add_error(field, message)
        return data
