"""Remedy clauses per reply outcome (行政复议法 第二十三条; docs/requests.md "Remedy
clauses"). Pure module: no database mark, so an accidental query fails."""

from __future__ import annotations

import datetime

import pytest

from requests_app import remedies
from requests_app.outcomes import Outcome

BODY = "株洲市天元区人民政府"
COURT = "株洲市天元区人民法院"

# outcome → kind under the default (broad, safer) reading, and under the narrow reading.
TABLE = [
    (Outcome.DISCLOSED, "ordinary", "ordinary"),
    (Outcome.PARTIAL, "review_first", "review_first"),
    (Outcome.STATE_SECRET, "review_first", "review_first"),
    (Outcome.LAW_FORBIDS, "review_first", "review_first"),
    (Outcome.THREE_SECURITIES, "review_first", "review_first"),
    (Outcome.THIRD_PARTY, "review_first", "review_first"),
    (Outcome.INTERNAL_AFFAIRS, "review_first", "review_first"),
    (Outcome.PROCESS_INFO, "review_first", "review_first"),
    (Outcome.ENFORCEMENT_FILE, "review_first", "review_first"),
    (Outcome.ADMIN_QUERY, "review_first", "review_first"),
    (Outcome.NOT_HELD, "review_first", "ordinary"),
    (Outcome.NEEDS_CREATION, "review_first", "ordinary"),
    (Outcome.STILL_UNCLEAR, "review_first", "ordinary"),
    (Outcome.PETITION, "review_first", "ordinary"),
    (Outcome.REPEATED, "review_first", "ordinary"),
    (Outcome.PUBLICATION, "review_first", "ordinary"),
    (Outcome.EXCESSIVE, "review_first", "ordinary"),
    (Outcome.CONFIRMATION, "review_first", "ordinary"),
    (Outcome.NO_CORRECTION, "review_first", "ordinary"),
    (Outcome.UNPAID_FEE, "review_first", "ordinary"),
    (Outcome.OTHER, "review_first", "ordinary"),
]

REVIEW_FIRST_TEXT = (
    "如不服本决定，应当先自收到本告知书之日起六十日内向株洲市天元区人民政府申请行政复议；"
    "对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向"
    "株洲市天元区人民法院提起行政诉讼。"
)
ORDINARY_TEXT = (
    "如不服本决定，可以自收到本告知书之日起六十日内向株洲市天元区人民政府申请行政复议，"
    "或者自收到本告知书之日起六个月内依法向株洲市天元区人民法院提起行政诉讼。"
)


def test_table_covers_every_outcome_once():
    assert sorted(o for o, _, _ in TABLE) == sorted(Outcome.values)


@pytest.mark.parametrize(("outcome", "broad", "narrow"), TABLE)
def test_remedy_kind_per_outcome(outcome, broad, narrow):
    assert remedies.remedy_kind(outcome, doubtful_review_first=True) == broad
    assert remedies.remedy_kind(outcome, doubtful_review_first=False) == narrow


@pytest.mark.parametrize(("outcome", "broad", "narrow"), TABLE)
def test_remedy_clause_wording_per_outcome(outcome, broad, narrow):
    expected = {"review_first": REVIEW_FIRST_TEXT, "ordinary": ORDINARY_TEXT}
    for doubtful, kind in ((True, broad), (False, narrow)):
        text = remedies.remedy_clause(
            outcome=outcome,
            review_body=BODY,
            court=COURT,
            doubtful_review_first=doubtful,
        )
        assert text == expected[kind]
        # A review-first letter never offers a direct lawsuit (第二十三条第二款).
        if kind == "review_first":
            assert "六个月" not in text
            assert "应当先" in text
        assert "{" not in text


@pytest.mark.parametrize("outcome", [o for o, _, _ in TABLE])
def test_every_withholding_outcome_is_review_first_by_default(outcome, settings):
    settings.REMEDY_DOUBTFUL_REVIEW_FIRST = True
    expected = "ordinary" if outcome == Outcome.DISCLOSED else "review_first"
    assert remedies.remedy_kind(outcome) == expected


def test_setting_switches_the_doubtful_outcomes_only(settings):
    settings.REMEDY_DOUBTFUL_REVIEW_FIRST = False
    assert remedies.remedy_kind(Outcome.NOT_HELD) == "ordinary"
    assert remedies.remedy_kind(Outcome.PETITION) == "ordinary"
    assert remedies.remedy_kind(Outcome.STATE_SECRET) == "review_first"
    assert remedies.remedy_kind(Outcome.PARTIAL) == "review_first"


@pytest.mark.parametrize(
    ("body", "court", "message"),
    [
        ("", COURT, "未配置行政复议机关"),
        ("   ", COURT, "未配置行政复议机关"),
        (BODY, "", "未配置管辖法院"),
        (BODY, " ", "未配置管辖法院"),
    ],
)
def test_empty_review_body_or_court_is_refused(body, court, message):
    with pytest.raises(ValueError, match=message):
        remedies.remedy_clause(
            outcome=Outcome.STATE_SECRET, review_body=body, court=court
        )


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="未知的答复结果"):
        remedies.remedy_kind("granted")


def test_names_are_stripped():
    text = remedies.remedy_clause(
        outcome=Outcome.DISCLOSED, review_body=f" {BODY} ", court=f"{COURT}\n"
    )
    assert text == ORDINARY_TEXT


def test_failure_to_reply_review_first():
    text = remedies.failure_to_reply_remedy(
        agency="株洲市天元区教育局",
        due_date=datetime.date(2026, 3, 5),
        review_body=BODY,
        court=COURT,
        doubtful_review_first=True,
    )
    assert text.startswith(
        "株洲市天元区教育局未在答复期限（2026年3月5日，含当日）内作出答复的"
    )
    assert (
        "应当先自答复期限届满之日起六十日内向株洲市天元区人民政府申请行政复议" in text
    )
    assert "十五日内依法向株洲市天元区人民法院提起行政诉讼" in text
    assert "投诉、举报" in text  # 条例 第五十一条


def test_failure_to_reply_ordinary():
    text = remedies.failure_to_reply_remedy(
        agency="株洲市天元区教育局",
        due_date=datetime.date(2026, 11, 20),
        review_body=BODY,
        court=COURT,
        doubtful_review_first=False,
    )
    assert "（2026年11月20日，含当日）" in text
    assert "应当先" not in text
    assert "或者依法向株洲市天元区人民法院提起行政诉讼" in text


def test_failure_to_reply_needs_body_and_court():
    with pytest.raises(ValueError, match="未配置行政复议机关"):
        remedies.failure_to_reply_remedy(
            agency="某局",
            due_date=datetime.date(2026, 1, 5),
            review_body="",
            court=COURT,
        )
