"""Focused checks for what the access-leak crawl (test_access_crawl.py) found in the
Django admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_view_only_admin_can_open_a_theme(client, staff_user):
    """管理员 may view (not change) 主题分类: the form has no editable ``parent`` field."""
    from catalog.models import Theme

    client.force_login(staff_user)
    child = Theme.objects.filter(parent__isnull=False).first()
    response = client.get(reverse("admin:catalog_theme_change", args=[child.pk]))
    assert response.status_code == 200
    assert child.name in response.content.decode()
