"""The requests admin is read-only and scoped to the user's agency."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.factories import InfoRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_inforequest"))
    client.force_login(staff_user)
    return client


def test_admin_lists_only_own_agency_with_masked_data(
    admin_client, agency, other_agency, staff_user
):
    mine = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    theirs = InfoRequestFactory(agency=other_agency)
    page = admin_client.get("/admin/requests_app/inforequest/")
    # a staff member with the view permission reaches the list: a redirect or 403 here
    # is a permission regression, not a reason to skip
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert mine.tracking_no in html
    assert theirs.tracking_no not in html
    detail = admin_client.get(f"/admin/requests_app/inforequest/{mine.pk}/change/")
    body = detail.content.decode()
    assert "110105********002X" in body
    assert "11010519491231002X" not in body
    assert "13812341234" not in body
    assert admin_client.get(
        f"/admin/requests_app/inforequest/{theirs.pk}/change/"
    ).status_code in (302, 404)


def test_role_groups_have_view_permissions():
    from django.contrib.auth.models import Group

    assert (
        Group.objects.get(name="承办人")
        .permissions.filter(codename="view_inforequest")
        .exists()
    )
    assert (
        not Group.objects.get(name="承办人")
        .permissions.filter(codename="change_inforequest")
        .exists()
    )
    assert (
        Group.objects.get(name="管理员")
        .permissions.filter(codename="view_replytemplate")
        .exists()
    )
