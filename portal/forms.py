"""The site's own wording for form errors, instead of Django's defaults.

Django answers an empty field with "这个字段是必填项。" and a failed login with
"请输入一个正确的用户名和密码…"; the portal names the field and says what to do.
:class:`SiteMessagesMixin` rewrites a field's message only where it is still Django's
default, so a message a form sets itself always wins.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
