"""The staff notice desk attacked from inside: a 承办人 of the same agency without the
catalog's permissions, a 审核人, another agency's staff, a superuser, and malformed
input that must never produce a 500. Each test here failed before its fix (see the
commit that added it)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.attachments import attachment_add, attachment_remove
from catalog.docx_views import hold_file
from catalog.models import Attachment, Notice
from portal import roles
from tests.catalog.docx_samples import plain_docx
from tests.catalog.public_data import at, draft, publish
from tests.catalog.test_attachments import PNG_1X1
from tests.factories import StaffFactory
from tests.security.test_access_crawl import all_patterns

pytestmark = pytest.mark.django_db


def _image(name: str = "示意图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_1X1, content_type="image/png")


@pytest.fixture
def approver(agency):
    return StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])


@pytest.mark.parametrize("who", ["teammate_user", "approver"])
def test_image_upload_needs_the_catalog_change_permission(request, client, agency, who):
    """A 承办人 (no catalog rights) or a 审核人 could add pictures — new public
    content — to any notice of their agency, a published one included."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    for notice in (
        draft(agency=agency, title="草稿通知"),
        publish(agency=agency, title="已发布通知", published_at=at(2026, 3, 2)),
    ):
        response = client.post(
            reverse("catalog:staff_notice_image", args=[notice.pk]),
            {"image": _image(), "alt": "图", "security_review_confirmed": "on"},
        )
        assert response.status_code == 403, notice.title
        assert "权限" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_attachment_service_refuses_users_without_the_right(
    agency, teammate_user, other_staff_user
):
    """The service itself (not only the views) asks who may change the notice."""
    notice = draft(agency=agency)
    for user in (teammate_user, other_staff_user):
        with pytest.raises(PermissionDenied):
            attachment_add(
                notice=notice, by=user, name="a.txt", content="内容".encode()
            )
    attachment = attachment_add(
        notice=notice, by=None, name="a.txt", content="内容".encode()
    )
    for user in (teammate_user, other_staff_user):
        with pytest.raises(PermissionDenied):
            attachment_remove(attachment=attachment, by=user)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_history_page_is_part_of_the_notice_desk(client, agency, teammate_user):
    """修订记录 shows old and proposed texts: a 承办人 without the catalog's rights
    gets the desk's 403, as on the list and the previews."""
    notice = publish(agency=agency, published_at=at(2026, 3, 2))
    client.force_login(teammate_user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "approve", "revision": "1"}).status_code == 403


@pytest.mark.parametrize("revision", ["abc", "1.5", "²", "99999999999999999999"])
def test_history_bad_revision_id_is_404_not_500(staff_client, agency, revision):
    notice = publish(agency=agency, published_at=at(2026, 3, 2))
    response = staff_client.post(
        reverse("catalog:staff_notice_history", args=[notice.pk]),
        {"action": "approve", "revision": revision},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999", "-1"])
def test_bulk_and_preview_ids_never_500(staff_client, agency, value):
    notice = draft(agency=agency)
    response = staff_client.post(
        reverse("catalog:staff_notice_list"),
        {"bulk_action": "submit", "ids": [value, str(notice.pk)]},
    )
    assert response.status_code == 302
    response = staff_client.post(
        reverse("catalog:staff_notice_preview_unsaved"),
        {"notice_pk": value, "title": "标题"},
    )
    assert response.status_code in (200, 400, 404)


def test_bulk_redirect_query_cannot_inject_headers(staff_client):
    response = staff_client.post(
        reverse("catalog:staff_notice_list"),
        {"bulk_action": "submit", "query": "state=draft\r\nSet-Cookie: x=1"},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("catalog:staff_notice_list") + "?")
    assert "\n" not in location
    assert "\r" not in location
    assert "x" not in response.cookies


@pytest.mark.parametrize(
    "query", ["//evil.example/", "https://evil.example/", "/\\evil.example"]
)
def test_bulk_redirect_stays_on_the_list(staff_client, query):
    response = staff_client.post(
        reverse("catalog:staff_notice_list"),
        {"bulk_action": "submit", "query": query},
    )
    assert response["Location"].startswith(reverse("catalog:staff_notice_list") + "?")


def test_bulk_with_another_agencys_ids_changes_nothing(
    other_agency_staff_client, agency
):
    mine = draft(agency=agency, title="甲局草稿")
    for action in ("submit", "publish", "review"):
        response = other_agency_staff_client.post(
            reverse("catalog:staff_notice_list"),
            {"bulk_action": action, "ids": [str(mine.pk)]},
        )
        assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Notice.Status.DRAFT
    assert mine.submitted_at is None
    assert mine.security_reviewed_by_id is None


# --- every URL of the desk, for the roles without the catalog's rights ----------------------

# every named URL of the notice desk (new ones are picked up by their name); the 清理
# page (staff_notice_cleanup) belongs to the compliance monitor, not to the desk
DESK_NAMES = sorted(
    p.name
    for p in all_patterns()
    if p.name
    and p.name.startswith(("catalog:staff_notice", "catalog:staff_attachment"))
    and p.name != "catalog:staff_notice_cleanup"
)
# what a 审核人 may open: the list (and its bulk 确认保密审查), previews, files, 修订记录
APPROVER_READS = {
    "catalog:staff_notice_list",
    "catalog:staff_notice_preview",
    "catalog:staff_attachment",
    "catalog:staff_notice_history",
    # read-only for a 审核人, whose one action there is 确认保密审查 (its POST of
    # "publish" is refused: the notice is unchanged, asserted below)
    "catalog:staff_notice_edit",
}


def _desk_urls(agency, user) -> list[tuple[str, str]]:
    notice = publish(agency=agency, title="已发布通知", published_at=at(2026, 3, 2))
    attachment = attachment_add(
        notice=notice, by=None, name="附件.txt", content="附件内容".encode()
    )
    token = hold_file(user=user, name="通知.docx", data=plain_docx("标题", "正文"))
    values = {
        "pk": notice.pk,
        "attachment_id": attachment.pk,
        "token": token,
        "number": 1,
    }
    urls = []
    for name in DESK_NAMES:
        pattern = next(p for p in all_patterns() if p.name == name)
        params = re.findall(r"<(?:\w+:)?(\w+)>", pattern.route)
        urls.append((name, reverse(name, kwargs={k: values[k] for k in params})))
    return urls


def test_desk_names_are_found():
    assert "catalog:staff_notice_image" in DESK_NAMES
    assert "catalog:staff_notice_import_docx_review" in DESK_NAMES
    assert len(DESK_NAMES) >= 12


@pytest.mark.parametrize("who", ["teammate_user", "approver"])
def test_roles_without_catalog_rights_get_403_on_the_desk(request, client, agency, who):
    """A 承办人 gets 403 on every page and POST of the desk; a 审核人 on every one but
    the reading pages. Nothing of the notice changes either way."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    urls = _desk_urls(agency, user)
    notice = Notice.objects.get()
    before = (
        list(Notice.objects.values()),
        list(Attachment.objects.values("pk", "name")),
    )
    body = {
        "title": "改写尝试",
        "body": "<p>改写</p>",
        "action": "publish",
        "bulk_action": "publish",
        "ids": [str(notice.pk)],
        "notice_pk": str(notice.pk),
        "withdraw-category": "mistake",
        "withdraw-reason": "撤回尝试",
        "alt": "图",
        "image": _image(),
        "security_review_confirmed": "on",
        "file": SimpleUploadedFile("通知.docx", plain_docx("标题", "正文")),
    }
    wrong = []
    for name, url in urls:
        for method in ("GET", "POST"):
            if method == "GET":
                response = client.get(url)
            else:
                for upload in (body["image"], body["file"]):
                    upload.seek(0)
                response = client.post(url, body)
            allowed = who == "approver" and name in APPROVER_READS
            if response.status_code == 405 or (allowed and response.status_code < 500):
                continue
            if response.status_code != 403:
                wrong.append(f"{method} {url} [{name}]: {response.status_code}")
    assert wrong == []
    after = (
        list(Notice.objects.values()),
        list(Attachment.objects.values("pk", "name")),
    )
    assert after == before


# --- pending revisions (second-person 保密审查) ------------------------------------------------


def _pending(agency, by):
    from catalog import services
    from catalog.models import NoticeRevision

    notice = publish(agency=agency, title="原标题", published_at=at(2026, 3, 2))
    agency.requires_second_security_review = True  # from now on (a test setup)
    agency.save(update_fields=["requires_second_security_review"])
    services.notice_update(notice=notice, by=by, title="改后的标题")
    return notice, NoticeRevision.objects.get(
        notice=notice, status=NoticeRevision.Status.PENDING
    )


@pytest.mark.parametrize("proposer", ["staff_user", "superuser"])
def test_nobody_confirms_their_own_pending_revision(request, client, agency, proposer):
    from django.contrib.auth import get_user_model

    from catalog.models import NoticeRevision

    user = (
        get_user_model().objects.create_superuser("root", "r@example.gov.cn", "x" * 20)
        if proposer == "superuser"
        else request.getfixturevalue(proposer)
    )
    notice, revision = _pending(agency, user)
    client.force_login(user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    client.post(url, {"action": "approve", "revision": str(revision.pk)})
    revision.refresh_from_db()
    notice.refresh_from_db()
    assert revision.status == NoticeRevision.Status.PENDING
    assert notice.title == "原标题"


def test_pending_revision_of_another_agency_is_404(
    other_agency_staff_client, agency, staff_user
):
    notice, revision = _pending(agency, staff_user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    assert other_agency_staff_client.get(url).status_code == 404
    response = other_agency_staff_client.post(
        url, {"action": "approve", "revision": str(revision.pk)}
    )
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.title == "原标题"


def test_a_revision_id_of_another_notice_is_404(staff_client, agency, other_agency):
    """The revision is looked up under the notice of the URL, not by id alone."""
    from tests.factories import StaffFactory as Staff

    stranger = Staff(username="erin", agency=other_agency, roles=[roles.ADMIN])
    _, foreign = _pending(other_agency, stranger)
    mine = publish(agency=agency, title="本机关", published_at=at(2026, 3, 2))
    response = staff_client.post(
        reverse("catalog:staff_notice_history", args=[mine.pk]),
        {"action": "approve", "revision": str(foreign.pk)},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "pending"


def test_a_forged_pin_cookie_is_ignored(rf, settings):
    from portal import dbrouter

    settings.READ_YOUR_WRITES_SECONDS = 60
    request = rf.get("/xxgk/")
    request.COOKIES[dbrouter.PIN_COOKIE] = "1"
    assert not dbrouter.is_pinned(request)
    request.COOKIES[dbrouter.PIN_COOKIE] = "1:abc:forged"
    assert not dbrouter.is_pinned(request)
