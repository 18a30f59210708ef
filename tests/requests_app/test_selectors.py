"""Access (visible_to / 404), applicant lookup, queue counts, similar requests."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.http import Http404

from requests_app import selectors, services
from requests_app.outcomes import Outcome
from tests.factories import InfoRequestFactory, UserFactory, send_reply
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def test_visible_to_owner_agency_only(
    agency, other_agency, staff_user, teammate_user, other_staff_user
):
    mine = InfoRequestFactory(agency=agency)
    theirs = InfoRequestFactory(agency=other_agency)
    assert list(selectors.visible_to(staff_user)) == [mine]
    assert list(selectors.visible_to(teammate_user)) == [mine]
    assert list(selectors.visible_to(other_staff_user)) == [theirs]
    assert selectors.get_request_for_staff(staff_user, mine.code) == mine
    with pytest.raises(Http404):
        selectors.get_request_for_staff(other_staff_user, mine.code)
    for bad in ("not-a-uuid", uuid.uuid4(), None):
        with pytest.raises(Http404):
            selectors.get_request_for_staff(staff_user, bad)


def test_visible_to_nobody_without_staff_agency(agency):
    InfoRequestFactory(agency=agency)
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.visible_to(AnonymousUser()).exists()
    assert not selectors.visible_to(UserFactory(username="citizen")).exists()
    assert (
        selectors.visible_to(
            UserFactory(username="root", is_superuser=True, is_staff=True)
        ).count()
        == 1
    )


def test_applicant_lookup_needs_number_and_code(agency):
    req = InfoRequestFactory(agency=agency)
    assert selectors.get_request_for_applicant(req.tracking_no, req.query_code) == req
    assert (
        selectors.get_request_for_applicant(
            req.tracking_no.lower() + " ", req.query_code.lower()
        )
        == req
    )
    assert (
        selectors.get_request_for_applicant(req.tracking_no, "0000 0000 0000 0000")
        is None
    )
    assert (
        selectors.get_request_for_applicant("YSQ-2026-999999", req.query_code) is None
    )
    assert selectors.get_request_for_applicant("", "") is None
    assert selectors.get_request_for_applicant("x" * 500, req.query_code) is None


def test_public_events_hide_staff_events(agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    services.request_add_note(
        info_request=req, by=staff_user, text="内部", now=at("2026-03-02")
    )
    assert [e.kind for e in selectors.public_events(req)] == [
        "submitted",
        "confirmed",
        "letter_sent",  # the 受理回执
    ]
    assert "note_added" in [e.kind for e in selectors.staff_events(req)]


def test_queue_counts_and_filters(agency, other_agency, staff_user, other_staff_user):
    InfoRequestFactory(agency=agency)  # 待确认
    InfoRequestFactory(agency=other_agency)  # not counted for alice
    # received 2026-03-02 → due 03-30; on 03-24 it is due soon (4 working days left)
    soon = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    # received 2026-02-02 → due 2026-03-06 (春节); overdue on 03-24
    late = InfoRequestFactory(
        agency=agency, confirm_by=staff_user, now=at("2026-02-02")
    )
    fresh = InfoRequestFactory(
        agency=agency, confirm_by=staff_user, now=at("2026-03-20")
    )
    services.request_ask_correction(
        info_request=fresh, by=staff_user, items="补充", now=at("2026-03-23")
    )
    counts = selectors.queue_counts(staff_user, D("2026-03-24"))
    assert counts["pending"] == 1
    assert counts["processing"] == 2
    assert counts["awaiting_correction"] == 1
    assert counts["due_soon"] == 1
    assert counts["overdue"] == 1
    assert counts["mine"] == 1  # the correction claimed `fresh`
    assert list(selectors.queue(staff_user, D("2026-03-24"), show="due_soon")) == [soon]
    assert list(selectors.queue(staff_user, D("2026-03-24"), show="overdue")) == [late]
    assert selectors.queue(staff_user, D("2026-03-24"), show="open").count() == 4
    assert selectors.queue_counts(other_staff_user, D("2026-03-24"))["pending"] == 1


def test_queue_counts_query_count_does_not_grow(
    agency, staff_user, django_assert_max_num_queries
):
    for _ in range(3):
        InfoRequestFactory(agency=agency, confirm_by=staff_user)
    from portal.workdays import load_calendar

    cal = load_calendar(years=[2026, 2027])
    for _ in range(2):
        with django_assert_max_num_queries(
            3
        ):  # staff agency (profile, agency) + one aggregate
            selectors.queue_counts(staff_user, D("2026-03-24"), cal)
        InfoRequestFactory(agency=agency, confirm_by=staff_user)


def test_similar_requests_by_text_and_by_applicant(agency, other_agency, staff_user):
    base = InfoRequestFactory(
        agency=agency, description="请公开2025年天元区义务教育学校招生划片方案"
    )
    twin = InfoRequestFactory(
        agency=agency,
        description="申请公开2025年天元区义务教育学校招生划片方案全文",
        id_number="440524188001010014",
    )
    same_person = InfoRequestFactory(
        agency=agency, description="请公开区教育局2024年部门预算"
    )
    InfoRequestFactory(
        agency=agency,
        description="请公开某路段交通事故处理结果",
        id_number="440524188001010014",
    )
    InfoRequestFactory(
        agency=other_agency, description="请公开2025年天元区义务教育学校招生划片方案"
    )
    found = selectors.similar_requests(base)
    assert [s.info_request for s in found] == [twin, same_person]
    assert found[0].score > 0.5
    assert not found[0].same_applicant
    assert found[1].same_applicant


def test_deadline_explanation_for_display(agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, now=at("2026-01-29"))
    result = selectors.deadline_explanation(req)
    assert result.due_date == D("2026-03-04") == req.reply_due_date
    assert [d.number for d in result.days if d.is_counted] == list(range(1, 21))
    assert selectors.deadline_explanation(InfoRequestFactory(agency=agency)) is None
    send_reply(
        info_request=req,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="x",
        now=at("2026-02-02"),
    )
    # a closed request still explains the deadline it had
    assert selectors.deadline_explanation(req).due_date == D("2026-03-04")
