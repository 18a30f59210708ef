"""Password rules beyond Django's own validators (issue 11 §1.7).

``AUTH_PASSWORD_VALIDATORS`` (portal/settings.py) applies to every path that sets a
password through Django: the admin's 修改密码 page, the admin's user forms (add user,
change another user's password), ``manage.py changepassword`` and
``createsuperuser``. Django's ``UserAttributeSimilarityValidator`` compares the whole
password with the user name by similarity ratio (0.7 by default), so the user name
written twice (``jiaoyu2jiaoyu2``: ratio 0.67) passed; this validator refuses any
password that contains the user name, the e-mail's local part or a name of the user
(case-insensitive, after NFKC), for values of at least 3 characters.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

MIN_PART = 3


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()


class UserAttributeContainedValidator:
    """Refuse a password that contains the user name (or e-mail local part, or name)."""

    def _parts(self, user) -> list[tuple[str, str]]:
        if user is None:
            return []
        email = getattr(user, "email", "") or ""
        values = [
            ("用户名", user.get_username() if hasattr(user, "get_username") else ""),
            ("电子邮箱", email.split("@", 1)[0]),
            ("姓名", getattr(user, "first_name", "") or ""),
            ("姓名", getattr(user, "last_name", "") or ""),
        ]
        return [(label, _fold(v)) for label, v in values if len(_fold(v)) >= MIN_PART]

    def validate(self, password: str, user=None) -> None:
        folded = _fold(password)
        for label, part in self._parts(user):
            if part in folded:
                raise ValidationError(
                    f"密码不能包含{label}。",
                    code="password_contains_user_attribute",
                )

    def get_help_text(self) -> str:
        return "密码不能包含用户名、电子邮箱名或姓名。"
