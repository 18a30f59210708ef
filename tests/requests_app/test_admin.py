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


def test_editing_a_reply_template_keeps_each_version(client, django_user_model):
    from requests_app.models import ReplyTemplate

    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(boss)
    tpl = ReplyTemplate.objects.get(ground="disclosed_public")
    old_body = tpl.body
    url = f"/admin/requests_app/replytemplate/{tpl.pk}/change/"
    data = {
        "title": tpl.title,
        "legal_basis": tpl.legal_basis,
        "body": "新正文 {申请人}",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = tpl.versions.get()
    assert version.actor == boss
    assert version.changes == {"body": [old_body, "新正文 {申请人}"]}
    assert version.values["body"] == "新正文 {申请人}"
    tpl.refresh_from_db()
    assert tpl.body == "新正文 {申请人}"
    assert tpl.updated_by == boss

    assert client.post(url, data).status_code == 302  # saved again unchanged
    assert tpl.versions.count() == 1
    assert "body：&#x27;" in client.get(url).content.decode()  # the history is shown
