"""Versions of published notices (NoticeRevision), the new 保密审查 (条例 第十七条) of an
edit to a published notice, the pending change for second-person agencies, the staff
history page with its diff, and 最后更新 on the public page."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog import guard, revisions, services
from catalog.models import Notice, NoticeEvent, NoticeRevision
from portal import roles
from tests.catalog.public_data import at, theme
from tests.catalog.test_admin import form_data
from tests.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def published(agency, by, **fields):
    fields.setdefault("body", "<p>第一段。</p><p>第二段。</p>")
    notice = services.notice_create(
        owner_agency=agency,
        by=by,
        title=fields.pop("title", "关于招生的通知"),
        **fields,
    )
    return services.notice_publish(notice=notice, by=by, now=at(2026, 3, 2, 10))


def second_person(agency):
    agency.requires_second_security_review = True
    agency.save(update_fields=["requires_second_security_review"])


@pytest.fixture
def teammate_user(agency):
    """A second 管理员 of the agency (the shared fixture's teammate is a 承办人, who may
    not edit notices at all)."""
    return StaffFactory(username="bob", agency=agency, roles=[roles.ADMIN])


@pytest.fixture
def carol(agency):
    return StaffFactory(username="carol", agency=agency, roles=[roles.ADMIN])


# --- services -------------------------------------------------------------------------------


def test_publication_writes_the_first_revision(agency, staff_user):
    notice = published(agency, staff_user, keywords=["招生"])
    rev = notice.revisions.get()
    assert (rev.kind, rev.status, rev.created_by) == (
        "published",
        "applied",
        staff_user,
    )
    assert rev.applied_at == at(2026, 3, 2, 10)
    assert rev.security_reviewed_by == staff_user
    assert rev.content["title"] == "关于招生的通知"
    assert rev.content["publishers"] == ["天元区教育局"]
    assert rev.content["keywords"] == ["招生"]
    assert rev.event == notice.events.get(action=NoticeEvent.Action.PUBLISHED)
    assert (rev.changed_fields, rev.public_change) == ([], False)


def test_edit_without_confirmation_is_refused_and_nothing_changes(agency, staff_user):
    notice = published(agency, staff_user)
    with pytest.raises(ValidationError) as exc:
        services.notice_update(notice=notice, by=staff_user, body="<p>新正文</p>")
    assert "第十七条" in exc.value.messages[0]
    notice.refresh_from_db()
    assert notice.body == "<p>第一段。</p><p>第二段。</p>"
    assert notice.revisions.count() == 1


def test_confirmed_edit_records_the_reviewer_and_a_revision(
    agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    updated = services.notice_update(
        notice=notice,
        by=teammate_user,
        body="<p>第一段。</p><p>第二段（修订）。</p>",
        reason="更正笔误",
        security_review_confirmed=True,
        now=at(2026, 3, 5, 15),
    )
    assert updated.pending_revision is None
    notice.refresh_from_db()
    assert notice.body == "<p>第一段。</p><p>第二段（修订）。</p>"
    assert (notice.security_reviewed_by, notice.security_reviewed_at) == (
        teammate_user,
        at(2026, 3, 5, 15),
    )
    first, second = notice.revisions.order_by("id")
    assert (second.kind, second.created_by, second.reason) == (
        "edited",
        teammate_user,
        "更正笔误",
    )
    assert second.security_reviewed_by == teammate_user
    assert (second.changed_fields, second.public_change) == (["body"], True)
    assert second.event.action == NoticeEvent.Action.UPDATED
    assert first.content["body"] == "<p>第一段。</p><p>第二段。</p>"


def test_metadata_fix_needs_no_new_review_and_is_not_a_content_update(
    agency, staff_user
):
    notice = published(agency, staff_user)
    services.notice_update(notice=notice, by=staff_user, theme=theme("教育"))
    rev = notice.revisions.latest("id")
    assert (rev.changed_fields, rev.public_change) == (["theme"], False)
    assert rev.content["theme"] == "科技、教育\\教育"
    assert rev.security_reviewed_by == staff_user  # the reviewed content is unchanged


def test_system_edit_keeps_working_without_confirmation(agency, staff_user):
    notice = published(agency, staff_user)
    services.notice_update(notice=notice, by=None, title="新标题")
    notice.refresh_from_db()
    assert notice.title == "新标题"
    assert notice.security_reviewed_by is None  # nobody reviewed this version
    rev = notice.revisions.latest("id")
    assert (rev.created_by, rev.security_reviewed_by, rev.public_change) == (
        None,
        None,
        True,
    )


def test_a_notice_without_revisions_gets_a_baseline_before_its_first_change(
    agency, staff_user
):
    notice = published(agency, staff_user)
    notice.revisions.all().delete()  # as if published before revisions were kept
    services.notice_update(
        notice=notice, by=staff_user, title="新标题", security_review_confirmed=True
    )
    baseline, edit = notice.revisions.order_by("id")
    assert baseline.kind == "baseline"
    assert baseline.content["title"] == "关于招生的通知"
    assert edit.changed_fields == ["title"]


def test_attachment_on_a_published_notice_needs_the_review(agency, staff_user):
    notice = published(agency, staff_user)
    with pytest.raises(ValidationError, match="第十七条"):
        services.attachment_add(
            notice=notice, by=staff_user, name="附表.txt", content=b"table"
        )
    assert not notice.attachments.exists()
    attachment = services.attachment_add(
        notice=notice,
        by=staff_user,
        name="附表.txt",
        content=b"table",
        security_review_confirmed=True,
    )
    rev = notice.revisions.latest("id")
    assert rev.changed_fields == ["attachments"]
    assert rev.content["attachments"][0]["name"] == "附表.txt"
    assert rev.public_change
    with pytest.raises(ValidationError, match="第十七条"):
        services.attachment_remove(attachment=attachment, by=staff_user)
    services.attachment_remove(
        attachment=attachment, by=staff_user, security_review_confirmed=True
    )
    assert notice.revisions.latest("id").content["attachments"] == []


def test_second_person_agency_refuses_attachment_changes_with_a_way_out(
    agency, staff_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    with pytest.raises(ValidationError, match="请先撤回"):
        services.attachment_add(
            notice=notice,
            by=staff_user,
            name="附表.txt",
            content=b"table",
            security_review_confirmed=True,
        )
    assert not notice.attachments.exists()


# --- the pending change (second person) ----------------------------------------------------


def test_second_person_edit_waits_and_the_live_page_is_unchanged(
    client, agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    result = services.notice_update(
        notice=notice,
        by=staff_user,
        title="关于招生的通知（修订）",
        body="<p>第一段。</p><p>新增的第三段。</p>",
        reason="补充报名时间",
        security_review_confirmed=True,  # the proposer cannot be the second person
        now=at(2026, 3, 5, 9),
    )
    pending = result.pending_revision
    assert (pending.status, pending.created_by) == ("pending", staff_user)
    assert pending.proposed["title"] == "关于招生的通知（修订）"
    notice.refresh_from_db()
    assert notice.title == "关于招生的通知"
    page = client.get(reverse("catalog:notice_detail", args=[notice.uuid]))
    assert "第二段。" in page.content.decode()
    assert "新增的第三段" not in page.content.decode()
    assert notice.events.latest("id").action == NoticeEvent.Action.REVISION_PROPOSED

    # the proposer cannot confirm their own change
    with pytest.raises(ValidationError, match="提出修改的人不能确认"):
        services.notice_revision_approve(
            revision=pending, by=staff_user, now=at(2026, 3, 5, 10)
        )
    row = services.notice_revision_approve(
        revision=pending, by=teammate_user, now=at(2026, 3, 5, 11)
    )
    assert (row.status, row.security_reviewed_by, row.decided_by) == (
        "applied",
        teammate_user,
        teammate_user,
    )
    assert row.applied_at == at(2026, 3, 5, 11)
    assert row.changed_fields == ["title", "body"]
    notice.refresh_from_db()
    assert notice.title == "关于招生的通知（修订）"
    assert (notice.security_reviewed_by, notice.security_reviewed_at) == (
        teammate_user,
        at(2026, 3, 5, 11),
    )
    event = notice.events.latest("id")
    assert (event.action, event.actor) == (
        NoticeEvent.Action.REVISION_APPROVED,
        teammate_user,
    )
    assert event.changes["proposed_by"] == str(staff_user)
    with pytest.raises(ValidationError, match="已处理"):
        services.notice_revision_approve(
            revision=pending, by=teammate_user, now=at(2026, 3, 5, 12)
        )


def test_a_new_proposal_replaces_the_pending_one(agency, staff_user, teammate_user):
    notice = published(agency, staff_user)
    second_person(agency)
    first = services.notice_update(
        notice=notice, by=staff_user, title="第一次提出"
    ).pending_revision
    second = services.notice_update(
        notice=notice, by=teammate_user, summary="第二次提出"
    ).pending_revision
    assert first.pk == second.pk
    assert notice.revisions.filter(status="pending").count() == 1
    assert second.created_by == teammate_user
    assert second.proposed == {"summary": "第二次提出"}


def test_metadata_fix_of_a_second_person_agency_applies_at_once(agency, staff_user):
    notice = published(agency, staff_user)
    second_person(agency)
    result = services.notice_update(notice=notice, by=staff_user, department="办公室")
    assert result.pending_revision is None
    notice.refresh_from_db()
    assert notice.department == "办公室"


def test_personal_data_in_the_pending_change_is_refused_at_approval(
    agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    pending = services.notice_update(
        notice=notice, by=staff_user, body="<p>联系人手机 13812345678</p>"
    ).pending_revision
    with pytest.raises(guard.PersonalDataFound, match="138\\*\\*\\*\\*5678"):
        services.notice_revision_approve(
            revision=pending, by=teammate_user, now=at(2026, 3, 5, 11)
        )
    pending.refresh_from_db()
    assert pending.status == "pending"
    notice.refresh_from_db()
    assert "13812345678" not in notice.body


def test_reject_keeps_the_live_content_and_needs_a_reason(
    agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    pending = services.notice_update(
        notice=notice, by=staff_user, title="不妥的标题"
    ).pending_revision
    with pytest.raises(ValidationError, match="退回理由"):
        services.notice_revision_reject(revision=pending, by=teammate_user, reason=" ")
    row = services.notice_revision_reject(
        revision=pending, by=teammate_user, reason="标题不准确", now=at(2026, 3, 6)
    )
    assert (row.status, row.decision_reason, row.decided_by) == (
        "rejected",
        "标题不准确",
        teammate_user,
    )
    notice.refresh_from_db()
    assert notice.title == "关于招生的通知"
    assert notice.events.latest("id").action == NoticeEvent.Action.REVISION_REJECTED


def test_republication_after_withdrawal_is_compared_with_the_last_version(
    agency, staff_user
):
    notice = published(agency, staff_user)
    services.notice_withdraw(
        notice=notice, by=staff_user, now=at(2026, 3, 3), category="mistake"
    )
    services.notice_update(notice=notice, by=staff_user, summary="新的概述")
    services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 4))
    rev = notice.revisions.latest("id")
    assert (rev.kind, rev.changed_fields, rev.public_change) == (
        "republished",
        ["summary"],
        True,
    )


def test_diff_shows_deleted_and_inserted_lines():
    old = {"body": "<p>甲</p><p>乙</p><p>丙</p>", "title": "旧"}
    new = {"body": "<p>甲</p><p>乙二</p><p>丙</p>", "title": "新"}
    changes = {c.key: c for c in revisions.diff(old, new)}
    assert (changes["title"].old, changes["title"].new) == ("旧", "新")
    assert [(line.op, line.text) for line in changes["body"].lines] == [
        ("same", "甲"),
        ("del", "乙"),
        ("ins", "乙二"),
        ("same", "丙"),
    ]


# --- the admin ------------------------------------------------------------------------------


def test_admin_edit_of_a_published_notice_without_the_tick_is_refused(
    staff_client, agency, staff_user
):
    notice = published(agency, staff_user)
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    page = staff_client.get(url)
    assert "我已对修改后的内容进行保密审查（条例第十七条）" in page.content.decode()
    assert f"staff/xinxi/{notice.pk}/lishi/" in page.content.decode()
    data = form_data(page)
    data["body"] = "<p>改过的正文</p>"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "请先对修改后的内容进行保密审查" in response.content.decode()
    assert "改过的正文" in response.content.decode()  # the input is kept
    notice.refresh_from_db()
    assert notice.body == "<p>第一段。</p><p>第二段。</p>"
    data["security_review_confirmed"] = "on"
    assert staff_client.post(url, data).status_code == 302
    notice.refresh_from_db()
    assert notice.body == "<p>改过的正文</p>"
    assert notice.revisions.latest("id").security_reviewed_by == staff_user


def test_admin_edit_of_a_second_person_agency_goes_pending(
    staff_client, agency, staff_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    data = form_data(staff_client.get(url))
    assert "security_review_confirmed" not in data
    data["title"] = "待确认的新标题"
    response = staff_client.post(url, data, follow=True)
    assert "已作为待确认的修改保存" in response.content.decode()
    notice.refresh_from_db()
    assert notice.title == "关于招生的通知"
    assert notice.revisions.get(status="pending").content["title"] == "待确认的新标题"


# --- the history page -------------------------------------------------------------------------


def test_history_page_lists_versions_with_the_diff(
    staff_client, agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    services.notice_update(
        notice=notice,
        by=teammate_user,
        body="<p>第一段。</p><p>第二段，已改。</p>",
        reason="更正",
        security_review_confirmed=True,
        now=at(2026, 3, 5, 15),
    )
    page = staff_client.get(reverse("catalog:staff_notice_history", args=[notice.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "第 2 版 · 修改" in html
    assert "第 1 版 · 发布" in html
    assert '<del><span class="sr-only">删除：</span>' in html
    assert "第二段，已改。" in html
    assert "更正" in html
    assert "bob（2026年3月5日 15:00）" in html  # the 保密审查 confirmer


def test_history_page_of_another_agencys_notice_is_404(
    other_agency_staff_client, agency, staff_user
):
    notice = published(agency, staff_user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    assert other_agency_staff_client.get(url).status_code == 404


def test_history_page_asks_anonymous_visitors_to_log_in(client, agency, staff_user):
    notice = published(agency, staff_user)
    response = client.get(reverse("catalog:staff_notice_history", args=[notice.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_history_page_approves_the_pending_change(
    client, agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    pending = services.notice_update(
        notice=notice, by=staff_user, title="新标题"
    ).pending_revision
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    client.force_login(staff_user)
    own = client.get(url).content.decode()
    assert "待确认的修改" in own
    assert "您是这项修改的提出人" in own
    client.force_login(teammate_user)
    page = client.get(url).content.decode()
    assert "确认生效" in page
    with time_machine.travel(at(2026, 3, 5, 11), tick=False):
        response = client.post(
            url, {"action": "approve", "revision": pending.pk}, follow=True
        )
    assert "修改已生效" in response.content.decode()
    notice.refresh_from_db()
    assert (notice.title, notice.security_reviewed_by) == ("新标题", teammate_user)


def test_history_page_reject_without_reason_keeps_the_pending_change(
    client, agency, staff_user, teammate_user
):
    notice = published(agency, staff_user)
    second_person(agency)
    pending = services.notice_update(
        notice=notice, by=staff_user, title="新标题"
    ).pending_revision
    client.force_login(teammate_user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    response = client.post(url, {"action": "reject", "revision": pending.pk})
    assert response.status_code == 200
    assert "请填写退回理由" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_history_page_query_count_does_not_grow_with_versions(
    staff_client, agency, staff_user, django_assert_max_num_queries
):
    notice = published(agency, staff_user)
    url = reverse("catalog:staff_notice_history", args=[notice.pk])
    # 14: two of them ask the notice desk's permission (may_see_notice_desk)
    with django_assert_max_num_queries(14) as few:
        staff_client.get(url)
    for i in range(5):
        services.notice_update(
            notice=notice,
            by=staff_user,
            body=f"<p>第{i}版</p>",
            security_review_confirmed=True,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(url).status_code == 200


# --- the public page: 最后更新 --------------------------------------------------------------


def test_last_updated_shows_only_after_a_content_change(client, agency, staff_user):
    notice = published(agency, staff_user)
    url = reverse("catalog:notice_detail", args=[notice.uuid])
    assert "最后更新" not in client.get(url).content.decode()
    services.notice_update(notice=notice, by=staff_user, department="办公室")
    assert "最后更新" not in client.get(url).content.decode()
    services.notice_update(
        notice=notice,
        by=staff_user,
        body="<p>新正文</p>",
        security_review_confirmed=True,
        now=at(2026, 4, 8, 16),
    )
    html = client.get(url).content.decode()
    assert "<dt>最后更新</dt>" in html
    assert "2026年4月8日" in html
    assert "alice" not in html  # never who changed it


def test_factory_path_still_publishes(agency):
    notice = NoticeFactory(owner_agency=agency, published_at=at(2026, 3, 2))
    assert Notice.objects.get(pk=notice.pk).revisions.count() == 1
    assert NoticeRevision.objects.filter(status="pending").count() == 0


# --- the data migration -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_writes_a_baseline_for_every_public_notice():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import AgencyFactory

    before = [("catalog", "0011_notice_review_and_schedule")]
    after = [("catalog", "0012_notice_revisions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldNotice = old.get_model("catalog", "Notice")
    OldPublisher = old.get_model("catalog", "NoticePublisher")
    owner = AgencyFactory(name="天元区民政局")
    live = OldNotice.objects.create(
        owner_agency_id=owner.pk,
        title="低保标准调整公告",
        body="<p>正文</p>",
        status="published",
        index_number="MZ-2026-1",
        published_at=at(2026, 1, 5),
    )
    OldPublisher.objects.create(notice=live, agency_id=owner.pk, position=0)
    OldNotice.objects.create(owner_agency_id=owner.pk, title="草稿")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    Revision = new.get_model("catalog", "NoticeRevision")
    rev = Revision.objects.get()
    assert (rev.notice_id, rev.kind, rev.status) == (live.pk, "baseline", "applied")
    assert rev.content["title"] == "低保标准调整公告"
    assert rev.content["publishers"] == ["天元区民政局"]
    assert rev.content["published_at"] == "2026-01-05T09:00:00+08:00"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
