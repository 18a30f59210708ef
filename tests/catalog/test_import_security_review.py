"""Issue 10: ``import_notices`` publishes a line only with a recorded 保密审查 confirmer
(条例 第十七条, ``--security-reviewed-by``), under the same second-person rule as
publishing in the workspace."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog import publishing, services
from catalog.demo import build_pdf
from catalog.models import Notice, NoticeEvent
from tests.catalog.public_data import at
from tests.factories import NoticeFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = at(2024, 6, 3, 10)


def run_import(tmp_path, records, *args):
    path = tmp_path / "notices.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import_notices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def line(n=1, **extra):
    return {
        "index_no": f"00001434-9/2024-{n:05d}",
        "title": f"关于做好第{n}项工作的通知",
        "publisher": "天元区教育局",
        "published_at": "2024-03-01T09:00:00",
        "body": "正文",
        **extra,
    }


def test_without_a_confirmer_lines_are_imported_as_drafts_and_reported(
    tmp_path, agency
):
    out, err = run_import(tmp_path, [line(1), line(2)])
    assert "第 1 行：未记录保密审查，已作为草稿导入" in err
    assert "第 2 行：未记录保密审查，已作为草稿导入" in err
    assert "--security-reviewed-by" in err
    assert "新增 2 条" in out
    assert "2 条未记录保密审查，未发布" in out
    notices = Notice.objects.order_by("index_number")
    assert [n.status for n in notices] == ["draft", "draft"]
    assert not Notice.objects.listed().exists()
    assert notices[0].index_number == "00001434-9/2024-00001"  # kept for later
    event = notices[0].events.get()
    assert event.action == NoticeEvent.Action.IMPORTED
    assert event.changes["security_review"].startswith("未记录保密审查")
    # re-running without a confirmer publishes nothing and writes nothing new
    out, err = run_import(tmp_path, [line(1), line(2)])
    assert "更新 2 条" in out
    assert "（其中 2 条内容无变化）" in out
    assert "未记录保密审查" in err
    assert not Notice.objects.listed().exists()
    assert NoticeEvent.objects.count() == 2


def test_a_confirmer_of_the_lead_agency_is_recorded_and_the_line_published(
    tmp_path, agency, staff_user, teammate_user
):
    _out, err = run_import(
        tmp_path, [line(1)], "--user", "alice", "--security-reviewed-by", "bob"
    )
    assert err == ""
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.PUBLISHED
    assert (notice.security_reviewed_by, notice.security_reviewed_at) == (
        teammate_user,
        NOW,
    )
    event = notice.events.get()
    assert event.actor == staff_user
    assert event.changes["security_reviewed_by"] == str(teammate_user)
    # the drafts of an earlier run without a confirmer are published by a run with one
    run_import(tmp_path, [line(2)])
    assert Notice.objects.get(title__contains="第2项").status == "draft"
    run_import(tmp_path, [line(2)], "--security-reviewed-by", "bob")
    second = Notice.objects.get(title__contains="第2项")
    assert (second.status, second.security_reviewed_by) == ("published", teammate_user)
    assert second.events.latest("id").changes["status"] == ["draft", "published"]


def test_a_confirmer_must_belong_to_the_lines_lead_agency(
    tmp_path, agency, other_agency, other_staff_user
):
    _out, err = run_import(
        tmp_path,
        [line(1), line(2, publisher="天元区财政局")],
        "--security-reviewed-by",
        "charlie",
    )
    assert (
        "第 1 行：保密审查确认人“charlie”不是牵头发文机关“天元区教育局”的工作人员"
        in err
    )
    assert "第 2 行" not in err
    by_title = {n.owner_agency: n for n in Notice.objects.all()}
    assert by_title[agency].status == "draft"
    assert by_title[other_agency].status == "published"
    assert by_title[other_agency].security_reviewed_by == other_staff_user
    # a superuser may confirm for any agency
    UserFactory(username="root", is_staff=True, is_superuser=True)
    run_import(tmp_path, [line(1)], "--security-reviewed-by", "root")
    assert Notice.objects.get(owner_agency=agency).status == "published"


def test_an_unknown_or_inactive_or_non_staff_confirmer_stops_the_run(
    tmp_path, agency, staff_user
):
    with pytest.raises(CommandError, match="保密审查确认人不存在：nobody"):
        run_import(tmp_path, [line(1)], "--security-reviewed-by", "nobody")
    StaffFactory(username="gone", agency=agency, is_active=False)
    with pytest.raises(CommandError, match="不是在职工作人员"):
        run_import(tmp_path, [line(1)], "--security-reviewed-by", "gone")
    UserFactory(username="citizen")
    with pytest.raises(CommandError, match="不是在职工作人员"):
        run_import(tmp_path, [line(1)], "--security-reviewed-by", "citizen")
    assert not Notice.objects.exists()


@pytest.mark.parametrize("where", ["agency", "site"])
def test_second_person_rule_the_confirmer_is_not_the_operator(
    tmp_path, settings, agency, staff_user, teammate_user, where
):
    if where == "agency":
        agency.requires_second_security_review = True
        agency.save(update_fields=["requires_second_security_review"])
    else:
        settings.NOTICE_SECOND_SECURITY_REVIEW = True
    # the operator confirming their own import
    _out, err = run_import(
        tmp_path, [line(1)], "--user", "alice", "--security-reviewed-by", "alice"
    )
    assert "第 1 行：保密审查的确认人不能是本信息的起草人或发布人" in err
    assert "已作为草稿导入" in err
    assert Notice.objects.get().status == "draft"
    # no operator named: nobody can tell the confirmer is a second person
    _out, err = run_import(tmp_path, [line(1)], "--security-reviewed-by", "bob")
    assert "要求保密审查由第二人确认" in err
    assert "--user" in err
    assert Notice.objects.get().status == "draft"
    # a second person confirms the operator's import
    _out, err = run_import(
        tmp_path, [line(1)], "--user", "alice", "--security-reviewed-by", "bob"
    )
    assert err == ""
    notice = Notice.objects.get()
    assert (notice.status, notice.security_reviewed_by) == ("published", teammate_user)


def test_second_person_rule_the_confirmer_is_not_the_drafter(
    agency, staff_user, teammate_user
):
    agency.requires_second_security_review = True
    problem = publishing.import_reviewer_problem(
        reviewer=teammate_user,
        agency=agency,
        operator=staff_user,
        drafter_id=teammate_user.pk,
    )
    assert problem.startswith("保密审查的确认人不能是本信息的起草人或发布人")
    assert (
        publishing.import_reviewer_problem(
            reviewer=teammate_user,
            agency=agency,
            operator=staff_user,
            drafter_id=staff_user.pk,
        )
        == ""
    )


def test_a_change_to_a_published_notice_needs_a_confirmer(
    tmp_path, agency, staff_user, teammate_user
):
    run_import(tmp_path, [line(1)], "--security-reviewed-by", "bob")
    notice = Notice.objects.get()
    events = notice.events.count()
    out, err = run_import(tmp_path, [line(1, body="改过的正文")])
    assert "第 1 行：未记录保密审查：已发布信息的修改须记录保密审查，本行未导入" in err
    assert "跳过 1 条" in out
    notice.refresh_from_db()
    assert (notice.status, notice.body) == ("published", "<p>正文</p>")
    assert notice.events.count() == events
    # with a confirmer the change is made and the new confirmation recorded
    run_import(
        tmp_path, [line(1, body="改过的正文")], "--security-reviewed-by", "alice"
    )
    notice.refresh_from_db()
    assert (notice.body, notice.security_reviewed_by) == (
        "<p>改过的正文</p>",
        staff_user,
    )
    event = notice.events.latest("id")
    assert event.changes["security_reviewed_by"] == [
        str(teammate_user),
        str(staff_user),
    ]


def test_an_attachment_change_to_a_published_notice_needs_a_confirmer(
    tmp_path, agency, teammate_user
):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "表.pdf").write_bytes(build_pdf("表", ["第一档"]))
    run_import(tmp_path, [line(1)], "--security-reviewed-by", "bob")
    with_file = line(1, attachments=[{"name": "表.pdf", "path": "files/表.pdf"}])
    _out, err = run_import(tmp_path, [with_file])
    assert "已发布信息的附件变更须记录保密审查，本行未导入" in err
    notice = Notice.objects.get()
    assert not notice.attachments.exists()
    _out, err = run_import(tmp_path, [with_file], "--security-reviewed-by", "bob")
    assert err == ""
    assert notice.attachments.get().name == "表.pdf"
    event = notice.events.get(action=NoticeEvent.Action.SECURITY_REVIEWED)
    assert event.changes["security_reviewed_by"] == str(teammate_user)


def test_a_withdrawn_notice_is_not_republished_without_a_confirmer(
    tmp_path, agency, teammate_user
):
    notice = NoticeFactory(
        owner_agency=agency, title="已撤回的通知", published_at=at(2024, 1, 5)
    )
    services.notice_withdraw(
        notice=notice, by=None, now=at(2024, 2, 1), category="mistake", reason="错发"
    )
    record = {
        "index_no": notice.index_number,
        "title": "已撤回的通知",
        "publisher": "天元区教育局",
        "published_at": "2024-01-05T09:00:00",
        "withdrawn": None,
    }
    _out, err = run_import(tmp_path, [record])
    assert "未记录保密审查，未重新发布（仍为已撤回）" in err
    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_category, notice.withdrawn_reason) == (
        "withdrawn",
        "mistake",
        "错发",
    )
    run_import(tmp_path, [record], "--security-reviewed-by", "bob")
    notice.refresh_from_db()
    assert (notice.status, notice.security_reviewed_by) == ("published", teammate_user)


def test_withdrawn_lines_need_no_confirmer(tmp_path, agency):
    record = line(1, withdrawn={"reason": "错发", "category": "mistake"})
    _out, err = run_import(tmp_path, [record])
    assert err == ""
    notice = Notice.objects.get()
    assert notice.status == "withdrawn"
    assert notice.security_reviewed_by is None
