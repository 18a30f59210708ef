"""清理 decisions on 行政规范性文件 (issue 13 §2 validity): the one service's rules, the
staff page that records them, and the public metadata block that shows the latest."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog.models import Notice, NoticeCleanupReview, NoticeEvent
from catalog.services import notice_record_cleanup
from tests.disclosure.conftest import at
from tests.factories import GenreFactory, NoticeFactory

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 10, 10)


@pytest.fixture
def policy(agency, staff_user):
    return NoticeFactory(
        owner_agency=agency,
        by=staff_user,
        title="关于规范农村宅基地管理的办法",
        genre=GenreFactory(name="行政规范性文件"),
        written_date=date(2020, 3, 1),
        valid_from=date(2020, 4, 1),
        published_at=at(2020, 3, 2, 9),
    )


def record(policy, by, **kwargs):
    args = {
        "decided_date": date(2026, 3, 5),
        "result": NoticeCleanupReview.Result.CONTINUE,
        "basis": "天政办发〔2026〕3号",
        "now": NOW,
    }
    args.update(kwargs)
    return notice_record_cleanup(notice=policy, by=by, **args)


def test_continue_is_recorded_with_an_event_and_keeps_validity(policy, staff_user):
    review = record(policy, staff_user, basis="  天政办发〔2026〕3号 ")

    assert review.basis == "天政办发〔2026〕3号"
    assert review.recorded_by == staff_user
    assert review.recorded_at == NOW
    policy.refresh_from_db()
    assert policy.validity == Notice.Validity.EFFECTIVE
    event = policy.events.get(action=NoticeEvent.Action.CLEANUP)
    assert event.actor == staff_user
    assert event.changes["cleanup"] == ["2026-03-05", "继续有效", "天政办发〔2026〕3号"]


@pytest.mark.parametrize(
    ("result", "validity"),
    [
        (NoticeCleanupReview.Result.REPEAL, Notice.Validity.REPEALED),
        (NoticeCleanupReview.Result.DECLARE_INVALID, Notice.Validity.EXPIRED),
    ],
)
def test_repeal_or_invalid_sets_validity_through_notice_update(
    policy, staff_user, result, validity
):
    record(policy, staff_user, result=result)

    policy.refresh_from_db()
    assert policy.validity == validity
    update = policy.events.get(action=NoticeEvent.Action.UPDATED)
    assert update.changes["validity"] == ["effective", validity.value]
    assert "清理决定" in update.reason


def test_other_agency_is_refused(policy, other_staff_user):
    with pytest.raises(PermissionDenied, match="只有牵头发文机关可以登记清理决定"):
        record(policy, other_staff_user)
    assert not NoticeCleanupReview.objects.exists()


def test_joint_publisher_is_refused(agency, other_agency, other_staff_user, staff_user):
    joint = NoticeFactory(
        owner_agency=agency,
        by=staff_user,
        publishers=[agency, other_agency],
        published_at=at(2020, 3, 2, 9),
    )
    with pytest.raises(PermissionDenied):
        record(joint, other_staff_user)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"decided_date": date(2026, 3, 11)}, "decided_date", "晚于今天"),
        ({"decided_date": date(2020, 2, 29)}, "decided_date", "早于该文件的成文日期"),
        ({"basis": "   "}, "basis", "请填写清理依据"),
        ({"result": "keep"}, "result", "请选择清理结果"),
    ],
)
def test_bad_decisions_are_refused(policy, staff_user, kwargs, field, text):
    with pytest.raises(ValidationError) as exc:
        record(policy, staff_user, **kwargs)
    assert text in " ".join(exc.value.message_dict[field])
    assert not NoticeCleanupReview.objects.exists()


def test_today_and_the_written_date_are_allowed(policy, staff_user):
    record(policy, staff_user, decided_date=date(2026, 3, 10))
    record(policy, staff_user, decided_date=date(2020, 3, 1))
    assert NoticeCleanupReview.objects.count() == 2


def test_draft_is_refused(agency, staff_user):
    draft = NoticeFactory(owner_agency=agency, by=staff_user)
    with pytest.raises(ValidationError, match="草稿"):
        record(draft, staff_user)


# --- the staff page ---------------------------------------------------------------------


def test_staff_page_records_a_decision(staff_client, policy):
    url = reverse("catalog:staff_notice_cleanup", args=[policy.pk])
    with time_machine.travel(NOW, tick=False):
        response = staff_client.post(
            url,
            {
                "decided_date": "2026-03-05",
                "result": "repeal",
                "basis": "天政办发〔2026〕3号",
            },
        )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.validity == Notice.Validity.REPEALED
    with time_machine.travel(NOW, tick=False):
        page = staff_client.get(url).content.decode()
    assert "天政办发〔2026〕3号" in page
    assert "废止" in page


def test_staff_page_explains_a_future_date_and_keeps_the_input(staff_client, policy):
    url = reverse("catalog:staff_notice_cleanup", args=[policy.pk])
    with time_machine.travel(NOW, tick=False):
        response = staff_client.post(
            url,
            {"decided_date": "2026-04-01", "result": "continue", "basis": "清理目录甲"},
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "晚于今天" in html
    assert 'value="清理目录甲"' in html
    assert 'value="2026-04-01"' in html
    assert not NoticeCleanupReview.objects.exists()


def test_staff_page_of_another_agency_is_404(other_agency_staff_client, policy):
    url = reverse("catalog:staff_notice_cleanup", args=[policy.pk])
    assert other_agency_staff_client.get(url).status_code == 404
    response = other_agency_staff_client.post(
        url, {"decided_date": "2026-03-05", "result": "repeal", "basis": "x"}
    )
    assert response.status_code == 404
    assert not NoticeCleanupReview.objects.exists()


# --- the public page --------------------------------------------------------------------


def test_public_page_shows_the_latest_cleanup(client, policy, staff_user):
    url = reverse("catalog:notice_detail", args=[policy.uuid])
    with time_machine.travel(NOW, tick=False):
        assert "清理情况" not in client.get(url).content.decode()
        record(policy, staff_user, decided_date=date(2023, 6, 1), basis="旧清理")
        record(policy, staff_user, decided_date=date(2026, 3, 5))
        html = client.get(url).content.decode()
    assert "清理情况" in html
    assert "2026年3月5日 经清理继续有效" in html
    assert "2023年6月1日" not in html
