"""The live 数据统计 page: per month, on-time share, median and P90 working days to
reply (from the legal received date, minus consultation pauses), outcomes, overdue
now; counts instead of percentages for agencies with fewer than 10 replies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from disclosure import stats
from requests_app import services as rs
from requests_app.models import InfoRequest, PartyType
from requests_app.outcomes import ApplicantKind, Outcome
from tests.disclosure import requests_world as w
from tests.disclosure.conftest import travel

pytestmark = pytest.mark.django_db

# March 2025 has no holiday: received on Monday 3-3, replied after 1, 2, … 12 working days
REPLY_DAYS = [date(2025, 3, d) for d in (4, 5, 6, 7, 10, 11, 12, 13, 14, 17, 18, 19)]


@pytest.fixture
def twelve_replies(agency, staff_user):
    reqs = []
    for replied in REPLY_DAYS:
        req = w.apply(agency, ApplicantKind.NATURAL, date(2025, 3, 3), staff_user)
        w.reply(req, staff_user, Outcome.DISCLOSED, replied)
        reqs.append(req)
    return reqs


def test_reply_stats_in_working_days(agency, twelve_replies):
    result = stats.reply_stats(stats.reply_rows([agency.pk], 2025))
    assert sorted(result.days) == list(range(1, 13))
    assert (result.replied, result.on_time, result.median_days) == (12, 12, 6.5)
    assert result.p90_days == pytest.approx(10.9)
    assert not result.few
    assert result.on_time_percent == 100


def test_consultation_pause_is_not_counted(agency, staff_user):
    req = w.apply(agency, ApplicantKind.NATURAL, date(2025, 3, 3), staff_user)
    rs.request_start_consultation(
        info_request=req,
        by=staff_user,
        party_type=PartyType.THIRD_PARTY,
        party_name="第三方公司",
        now=w.noon(date(2025, 3, 4)),
    )
    rs.request_end_consultation(
        info_request=req, by=staff_user, now=w.noon(date(2025, 3, 10))
    )
    w.reply(req, staff_user, Outcome.DISCLOSED, date(2025, 3, 14))
    req = InfoRequest.objects.get(pk=req.pk)
    assert req.paused_workdays > 0
    [days] = stats.reply_stats(stats.reply_rows([agency.pk], 2025)).days
    assert days == 9 - req.paused_workdays  # 3-3 → 3-14 is 9 working days


def test_months_and_overdue(agency, staff_user):
    for d in (date(2025, 1, 6), date(2025, 1, 7), date(2025, 12, 1)):
        w.apply(agency, ApplicantKind.NATURAL, d, staff_user)
    assert stats.received_by_month([agency.pk], 2025) == [
        2,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
    ]
    assert stats.overdue_open([agency.pk], date(2025, 12, 1)) == 2  # the January ones
    assert stats.overdue_open([agency.pk], date(2026, 2, 1)) == 3


def test_page_shows_percent_for_enough_cases(client, agency, twelve_replies):
    with travel(2026, 1, 10, 9):
        html = client.get(
            reverse("disclosure:statistics"), {"agency": agency.pk, "year": "2025"}
        ).content.decode()
    assert "100.0%（12 件答复中 12 件按时）" in html
    assert "中位数 6.5 个工作日；第 90 百分位 10.9 个工作日" in html
    assert (
        '<th scope="row" class="level-1">（一）予以公开</th><td class="num">12</td>'
        in html
    )


def test_page_shows_counts_not_percent_for_few_cases(
    client, agency, other_agency, staff_user, other_staff_user, twelve_replies
):
    for d in REPLY_DAYS[:3]:
        w.reply(
            w.apply(
                other_agency,
                ApplicantKind.COMMERCIAL,
                date(2025, 3, 3),
                other_staff_user,
            ),
            other_staff_user,
            Outcome.NOT_HELD,
            d,
        )
    with travel(2026, 1, 10, 9):
        html = client.get(
            reverse("disclosure:statistics"),
            {"agency": other_agency.pk, "year": "2025"},
        ).content.decode()
        whole = client.get(
            reverse("disclosure:statistics"), {"year": "2025"}
        ).content.decode()
        csv_body = client.get(
            reverse("disclosure:statistics_csv"),
            {"agency": other_agency.pk, "year": "2025"},
        ).content.decode("utf-8-sig")
    assert "3 件答复中 3 件按时（不足 10 件，不计算比例）" in html
    assert "%" not in html.split('<th scope="row">按时答复</th>')[1].split("</tr>")[0]
    assert "样本较少" in html
    assert "按时答复率" not in csv_body
    assert "按时答复（件）,3" in csv_body
    assert "全区（所有机关） · 2025年" in whole
    assert "15 件答复中 15 件按时" in whole


def test_statistics_page_runs_a_fixed_number_of_queries(
    client, agency, staff_user, django_assert_num_queries
):
    url = reverse("disclosure:statistics")
    params = {"agency": agency.pk, "year": "2025"}
    w.reply(
        w.apply(agency, ApplicantKind.NATURAL, date(2025, 3, 3), staff_user),
        staff_user,
        Outcome.DISCLOSED,
        date(2025, 3, 4),
    )
    with travel(2026, 1, 10, 9):
        client.get(url, params)
        with django_assert_num_queries(8) as few:
            client.get(url, params)
        for i in range(6):
            req = w.apply(
                agency,
                ApplicantKind.COMMERCIAL,
                date(2025, 4, 1) + timedelta(days=i),
                staff_user,
            )
            w.reply(req, staff_user, Outcome.PARTIAL, date(2025, 4, 30))
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url, params)
