"""Issue 10 §2 and §4: publishing by and for the right agency, 解读 links that wait for
the other agency, 保密审查, and 撤回 that takes a notice down everywhere."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog import services
from catalog.attachments import attachment_add
from catalog.models import InterpretationLinkRequest, Notice, NoticeEvent
from tests.catalog.public_data import at, column
from tests.catalog.test_admin import form_data

pytestmark = pytest.mark.django_db

MARKER = "蓝鲸九号标记"  # a word found nowhere else: it must vanish from public view
# the texts holding it (search pages echo the query itself, so look for these)
PHRASES = (f"摘要里有{MARKER}", f"正文里有{MARKER}", f"附件里有{MARKER}", "内部说明")
CHANGELIST = "admin:catalog_notice_changelist"


def _publish(*, agency, by, title="关于做好义务教育招生工作的通知", **fields):
    notice = services.notice_create(owner_agency=agency, by=by, title=title, **fields)
    return services.notice_publish(notice=notice, by=by, now=at(2024, 3, 1))


# --- lead publisher ---------------------------------------------------------------


def test_staff_cannot_create_a_notice_in_another_agencys_name(
    agency, other_agency, staff_user
):
    with pytest.raises(ValidationError, match="不能以"):
        services.notice_create(
            owner_agency=other_agency, by=staff_user, title="冒名发文"
        )
    with pytest.raises(ValidationError, match="牵头发文机关"):
        services.notice_create(
            owner_agency=agency,
            by=staff_user,
            publishers=[other_agency],
            title="只列他机关",
        )
    with pytest.raises(ValidationError, match="牵头发文机关"):
        services.notice_create(
            owner_agency=agency,
            by=staff_user,
            publishers=[other_agency, agency],
            title="他机关牵头",
        )
    assert not Notice.objects.exists()
    joint = services.notice_create(
        owner_agency=agency,
        by=staff_user,
        publishers=[agency, other_agency],
        title="联合发文",
    )
    assert [link.agency for link in joint.publisher_links.all()] == [
        agency,
        other_agency,
    ]


def test_co_publisher_may_not_edit_publish_or_withdraw(
    agency, other_agency, staff_user, other_staff_user
):
    joint = services.notice_create(
        owner_agency=agency,
        by=staff_user,
        publishers=[agency, other_agency],
        title="联合发文",
    )
    with pytest.raises(PermissionDenied):
        services.notice_update(notice=joint, by=other_staff_user, title="改掉")
    with pytest.raises(PermissionDenied):
        services.notice_publish(notice=joint, by=other_staff_user, now=at(2024, 3, 1))
    joint = services.notice_publish(notice=joint, by=staff_user, now=at(2024, 3, 1))
    with pytest.raises(PermissionDenied):
        services.notice_withdraw(
            notice=joint, by=other_staff_user, now=at(2024, 4, 1), category="mistake"
        )
    joint.refresh_from_db()
    assert (joint.title, joint.status) == ("联合发文", Notice.Status.PUBLISHED)


def test_import_with_a_user_acts_for_that_users_agency_only(
    agency, other_agency, staff_user
):
    with pytest.raises(ValidationError, match="不能以"):
        services.notice_import_upsert(
            publishers=[other_agency],
            published_at=at(2024, 3, 1),
            by=staff_user,
            title="导入的他机关文件",
        )
    # an operator's import (no user) acts for the agencies the line names
    notice, outcome = services.notice_import_upsert(
        publishers=[other_agency], published_at=at(2024, 3, 1), title="历史文件"
    )
    assert (outcome, notice.owner_agency) == ("created", other_agency)


def test_admin_refuses_a_publisher_list_without_the_own_agency(
    staff_client, agency, other_agency
):
    add = reverse("admin:catalog_notice_add")
    data = form_data(staff_client.get(add))
    data.update(title="以他机关名义的通知", publisher_agencies=[str(other_agency.pk)])
    response = staff_client.post(add, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "发文机关必须包含主办机关" in html
    assert "以他机关名义的通知" in html  # nothing typed is lost
    assert not Notice.objects.exists()
    data["publisher_agencies"] = [str(agency.pk), str(other_agency.pk)]
    assert staff_client.post(add, data).status_code == 302
    notice = Notice.objects.get()
    assert notice.owner_agency == agency
    assert [link.agency for link in notice.publisher_links.all()] == [
        agency,
        other_agency,
    ]


def test_co_publishers_staff_see_the_notice_in_the_admin_but_cannot_change_it(
    client, agency, other_agency, staff_user, other_staff_user
):
    joint = services.notice_create(
        owner_agency=agency,
        by=staff_user,
        publishers=[agency, other_agency],
        title="联合发文的通知",
    )
    services.notice_create(owner_agency=agency, by=staff_user, title="独家")
    client.force_login(other_staff_user)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "联合发文的通知" in listing
    assert "独家" not in listing
    url = reverse("admin:catalog_notice_change", args=[joint.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only
    assert client.post(url, {"title": "改掉"}).status_code == 403
    client.post(
        reverse(CHANGELIST),
        {"action": "publish_selected", ACTION_CHECKBOX_NAME: [joint.pk]},
    )
    joint.refresh_from_db()
    assert (joint.title, joint.status) == ("联合发文的通知", Notice.Status.DRAFT)


# --- 解读 links ---------------------------------------------------------------------


def test_interpretation_links_need_the_other_agencys_acceptance(
    client, agency, other_agency, staff_user, other_staff_user, teammate_user
):
    policy = _publish(agency=other_agency, by=other_staff_user, title="教育局的办法")
    reading = _publish(
        agency=agency, by=staff_user, title="财政局写的解读", column=column("zcjd")
    )
    foreign_reading = _publish(agency=other_agency, by=other_staff_user, title="另一")
    # neither notice is the user's agency's: refused
    with pytest.raises(ValidationError, match="都不是本机关"):
        services.notice_link_interpretation(
            policy=policy, interpretation=foreign_reading, by=staff_user
        )
    # one is: the link waits
    assert services.notice_link_interpretation(
        policy=policy, interpretation=reading, by=staff_user, now=at(2024, 3, 2)
    )
    request = InterpretationLinkRequest.objects.get()
    assert request.deciding_agency == other_agency
    assert list(policy.interpretations.all()) == []
    policy_url = reverse("catalog:notice_detail", args=[policy.uuid])
    assert "财政局写的解读" not in client.get(policy_url).content.decode()
    # the asking agency cannot decide its own request
    with pytest.raises(PermissionDenied):
        services.notice_decide_interpretation_link(
            link_request=request, by=teammate_user, now=at(2024, 3, 3), accept=True
        )
    services.notice_decide_interpretation_link(
        link_request=request, by=other_staff_user, now=at(2024, 3, 3), accept=True
    )
    assert list(policy.interpretations.all()) == [reading]
    assert "财政局写的解读" in client.get(policy_url).content.decode()
    assert NoticeEvent.objects.filter(
        notice=policy, action=NoticeEvent.Action.LINK_ACCEPTED
    ).exists()
    with pytest.raises(ValidationError, match="已处理"):
        services.notice_decide_interpretation_link(
            link_request=request, by=other_staff_user, now=at(2024, 3, 3), accept=False
        )


def test_refused_interpretation_link_is_never_shown(
    client, agency, other_agency, staff_user, other_staff_user
):
    policy = _publish(agency=other_agency, by=other_staff_user, title="教育局的办法")
    reading = _publish(agency=agency, by=staff_user, title="未获同意的解读")
    services.notice_link_interpretation(
        policy=policy, interpretation=reading, by=staff_user, now=at(2024, 3, 2)
    )
    request = InterpretationLinkRequest.objects.get()
    services.notice_decide_interpretation_link(
        link_request=request, by=other_staff_user, now=at(2024, 3, 3), accept=False
    )
    assert request.__class__.objects.get().status == "refused"
    assert list(policy.interpretations.all()) == []
    html = client.get(reverse("catalog:notice_detail", args=[policy.uuid]))
    assert "未获同意的解读" not in html.content.decode()


# --- 保密审查 -------------------------------------------------------------------------


def test_publication_records_who_confirmed_the_security_review(agency, staff_user):
    notice = _publish(agency=agency, by=staff_user)
    assert notice.security_reviewed_by == staff_user
    assert notice.security_reviewed_at == at(2024, 3, 1)
    event = notice.events.get(action=NoticeEvent.Action.PUBLISHED)
    assert event.changes["security_reviewed_by"] == str(staff_user)


def test_second_person_security_review_when_the_agency_requires_it(
    agency, staff_user, reviewer
):
    agency.requires_second_security_review = True
    agency.save(update_fields=["requires_second_security_review"])
    notice = services.notice_create(owner_agency=agency, by=staff_user, title="通知")
    with pytest.raises(ValidationError, match="第二人确认"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))
    # the drafter confirming their own draft does not count
    services.notice_confirm_security_review(
        notice=notice, by=staff_user, now=at(2024, 3, 1)
    )
    with pytest.raises(ValidationError, match="不能是本信息的起草人或发布人"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1, 10)
    )
    # an edit after the review clears it: the reviewed text is no longer what is published
    services.notice_update(notice=notice, by=staff_user, body="<p>新增一段</p>")
    with pytest.raises(ValidationError, match="第二人确认"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1, 11)
    )
    notice = services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 2))
    assert (notice.status, notice.security_reviewed_by) == ("published", reviewer)
    assert notice.security_reviewed_at == at(2024, 3, 1, 11)


def test_an_attachment_added_or_removed_after_the_review_asks_for_it_again(
    agency, staff_user, reviewer
):
    agency.requires_second_security_review = True
    agency.save(update_fields=["requires_second_security_review"])
    notice = services.notice_create(owner_agency=agency, by=staff_user, title="通知")
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1, 10)
    )
    added = attachment_add(
        notice=notice, by=staff_user, name="附件.txt", content="附件正文".encode()
    )
    notice.refresh_from_db()
    assert notice.security_reviewed_by is None
    with pytest.raises(ValidationError, match="第二人确认"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1, 11)
    )
    from catalog.attachments import attachment_remove

    attachment_remove(attachment=added, by=staff_user)
    notice.refresh_from_db()
    assert notice.security_reviewed_by is None


def test_republication_after_withdrawal_is_reviewed_again(agency, staff_user, reviewer):
    agency.requires_second_security_review = True
    agency.save(update_fields=["requires_second_security_review"])
    notice = services.notice_create(owner_agency=agency, by=staff_user, title="通知")
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1, 10)
    )
    notice = services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))
    services.notice_withdraw(
        notice=notice, by=staff_user, now=at(2024, 6, 1), category="not_public"
    )
    with pytest.raises(ValidationError, match="第二人确认"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 6, 2))
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 6, 2, 9)
    )
    again = services.notice_publish(notice=notice, by=staff_user, now=at(2024, 6, 2))
    assert (again.status, again.security_reviewed_by) == ("published", reviewer)


def test_site_setting_requires_the_second_person_for_every_agency(
    settings, agency, staff_user
):
    settings.NOTICE_SECOND_SECURITY_REVIEW = True
    notice = services.notice_create(owner_agency=agency, by=staff_user, title="通知")
    with pytest.raises(ValidationError, match="第二人确认"):
        services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))


def test_security_review_is_shown_to_staff_on_the_notice(staff_client, staff_user):
    notice = _publish(agency=staff_user.staff_profile.agency, by=staff_user)
    page = staff_client.get(reverse("admin:catalog_notice_change", args=[notice.pk]))
    assert "保密审查" in page.content.decode()
    assert "2024-03-01 09:00）确认" in page.content.decode()


# --- 撤回 -----------------------------------------------------------------------------


@pytest.fixture
def marked(agency, staff_user):
    notice = services.notice_create(
        owner_agency=agency,
        by=staff_user,
        title="关于公布某项目名单的通知",
        summary=f"摘要里有{MARKER}",
        body=f"<p>正文里有{MARKER}</p>",
        column=column("tzgg"),
    )
    attachment_add(
        notice=notice,
        by=staff_user,
        name="名单.txt",
        content=f"附件里有{MARKER}".encode(),
    )
    return services.notice_publish(notice=notice, by=staff_user, now=at(2024, 3, 1))


def _public_texts(client, notice) -> dict[str, str]:
    attachment = notice.attachments.get()
    urls = {
        "page": reverse("catalog:notice_detail", args=[notice.uuid]),
        "attachment": reverse(
            "catalog:attachment_download", args=[notice.uuid, attachment.pk]
        ),
        "api": reverse("catalog:api_notice_detail", args=[notice.uuid]),
        "api_search": reverse("catalog:api_notice_list") + f"?q={MARKER}",
        "search": reverse("catalog:notice_list") + f"?q={MARKER}",
        "feed": reverse("catalog:notice_feed"),
        "sitemap": reverse("catalog:sitemap_section", args=["notices"]),
        "directory": reverse("catalog:directory"),
        "home": reverse("catalog:home"),
    }
    texts = {}
    for name, url in urls.items():
        response = client.get(url)
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        texts[name] = f"{response.status_code} {body.decode()}"
    return texts


def test_withdrawal_leaves_nothing_but_the_withdrawal_notice_in_public_view(
    client, marked, staff_user
):
    before = _public_texts(client, marked)
    for name in ("page", "attachment", "api", "feed"):
        assert any(phrase in before[name] for phrase in PHRASES), name
    for name in ("search", "api_search", "feed", "directory", "home"):
        assert "关于公布某项目名单的通知" in before[name], name
    assert str(marked.uuid) in before["sitemap"]

    services.notice_withdraw(
        notice=marked,
        by=staff_user,
        now=at(2024, 6, 1, 10),
        category="personal_data",
        reason=f"内部说明{MARKER}",
    )

    after = _public_texts(client, marked)
    for name, text in after.items():
        for phrase in PHRASES:
            assert phrase not in text, (name, phrase)
        if name not in ("page", "api"):  # the withdrawal notice keeps the title
            assert "关于公布某项目名单的通知" not in text, name
    assert after["attachment"].startswith("404")
    assert str(marked.uuid) not in after["sitemap"]
    page = after["page"]
    assert "该信息已撤回" in page
    assert "含有个人信息" in page
    # withdrawn for personal data: the title is taken down too (it may be the data)
    assert marked.title not in page
    assert "（已撤回的信息）" in page
    assert marked.index_number in page
    assert "2024-03-01" in page
    api = client.get(reverse("catalog:api_notice_detail", args=[marked.uuid])).json()
    assert api["withdrawn_category"] == "personal_data"
    assert api["title"] == "（已撤回的信息）"
    assert api["index_number"] == marked.index_number


def test_withdrawn_content_stays_visible_to_the_lead_agencys_staff_only(
    client, marked, staff_user, other_staff_user
):
    services.notice_withdraw(
        notice=marked, by=staff_user, now=at(2024, 6, 1), category="mistake"
    )
    page = reverse("catalog:notice_detail", args=[marked.uuid])
    download = reverse(
        "catalog:attachment_download", args=[marked.uuid, marked.attachments.get().pk]
    )
    client.force_login(other_staff_user)
    assert MARKER not in client.get(page).content.decode()
    assert client.get(download).status_code == 404
    client.force_login(staff_user)
    html = client.get(page).content.decode()
    assert MARKER in html
    assert "以下内容仅本机关工作人员可见" in html
    assert client.get(download).status_code == 200
    admin_page = client.get(reverse("admin:catalog_notice_change", args=[marked.pk]))
    assert MARKER in admin_page.content.decode()  # kept for the record


def test_a_wrong_withdrawal_is_undone_by_republication_and_logged(
    client, marked, staff_user
):
    services.notice_withdraw(
        notice=marked, by=staff_user, now=at(2024, 6, 1), category="mistake"
    )
    again = services.notice_publish(notice=marked, by=staff_user, now=at(2024, 6, 2))
    assert (again.status, again.index_number) == ("published", marked.index_number)
    assert again.withdrawn_category == ""
    event = again.events.filter(action=NoticeEvent.Action.PUBLISHED).latest("id")
    assert event.changes["republished"] is True
    texts = _public_texts(client, again)
    assert MARKER in texts["page"]
    assert MARKER in texts["search"]


def test_withdrawal_bumps_the_catalog_generation_in_its_own_transaction(
    marked, staff_user, django_capture_on_commit_callbacks
):
    from catalog.models import SearchGeneration

    before = SearchGeneration.objects.get().value
    services.notice_withdraw(
        notice=marked, by=staff_user, now=at(2024, 6, 1), category="mistake"
    )
    assert SearchGeneration.objects.get().value != before


def test_import_notices_with_user_refuses_lines_of_another_agency(
    tmp_path, agency, other_agency, staff_user
):
    import json
    from io import StringIO

    from django.core.management import call_command

    lines = [
        {
            "title": "本机关的通知",
            "publisher": agency.name,
            "published_at": "2024-03-01",
        },
        {
            "title": "他机关名义的通知",
            "publisher": other_agency.name,
            "published_at": "2024-03-01",
        },
    ]
    path = tmp_path / "notices.jsonl"
    path.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command(
        "import_notices",
        str(path),
        "--user",
        staff_user.username,
        stdout=out,
        stderr=err,
    )
    assert "第 2 行" in err.getvalue()
    assert "不能以" in err.getvalue()
    assert list(Notice.objects.values_list("title", flat=True)) == ["本机关的通知"]


@pytest.fixture
def reviewer(agency):
    """A 审核人 of the agency: confirms 保密审查 without the catalog's edit rights."""
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(username="rita", agency=agency, roles=[roles.APPROVER])


def test_a_role_without_catalog_rights_cannot_use_the_services(
    agency, staff_user, teammate_user, reviewer
):
    """The desk and the admin ask the catalog permissions; so do the services, so a
    承办人 cannot draft, edit, publish or confirm through any path, and a 审核人 may only
    confirm the 保密审查."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="没有新建政府信息的权限"):
        services.notice_create(owner_agency=agency, by=teammate_user, title="通知")
    notice = services.notice_create(owner_agency=agency, by=staff_user, title="通知")
    for call in (
        lambda: services.notice_update(notice=notice, by=teammate_user, title="改"),
        lambda: services.notice_confirm_security_review(
            notice=notice, by=teammate_user, now=at(2024, 3, 1)
        ),
        lambda: services.notice_publish(
            notice=notice, by=teammate_user, now=at(2024, 3, 1)
        ),
        lambda: services.notice_publish(notice=notice, by=reviewer, now=at(2024, 3, 1)),
    ):
        with pytest.raises(PermissionDenied):
            call()
    services.notice_confirm_security_review(
        notice=notice, by=reviewer, now=at(2024, 3, 1)
    )
    notice.refresh_from_db()
    assert (notice.status, notice.security_reviewed_by) == ("draft", reviewer)
