"""Table 四 from the 复议/诉讼 register: cases pending at any time during the year, with
their result as at 12月31日 (docs/annual-report.md)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disclosure import services
from disclosure.checks import check_r4
from disclosure.figures import Figures
from disclosure.models import AppealCase
from disclosure.stats import table4

pytestmark = pytest.mark.django_db
K, R = AppealCase.Kind, AppealCase.Result


def _case(agency, by, kind, filed, result=R.PENDING, decided=None, **extra):
    return services.appeal_case_save(
        agency=agency,
        by=by,
        kind=kind,
        filed_year=filed.year,
        filed_date=filed,
        result=result,
        decided_date=decided,
        **extra,
    )


def test_table4_counts_by_kind_and_result_at_year_end(
    agency, other_agency, staff_user, other_staff_user
):
    _case(
        agency,
        staff_user,
        K.RECONSIDERATION,
        date(2025, 3, 1),
        R.UPHELD,
        date(2025, 5, 1),
    )
    _case(
        agency,
        staff_user,
        K.RECONSIDERATION,
        date(2025, 4, 1),
        R.CORRECTED,
        date(2025, 6, 1),
    )
    _case(
        agency,
        staff_user,
        K.RECONSIDERATION,
        date(2025, 11, 1),
        R.OTHER,
        date(2026, 1, 10),
    )  # pending on 12-31
    _case(
        agency,
        staff_user,
        K.LITIGATION_DIRECT,
        date(2024, 10, 1),
        R.CORRECTED,
        date(2025, 2, 1),
    )  # from 2024
    _case(agency, staff_user, K.LITIGATION_AFTER, date(2025, 7, 1))  # still pending
    _case(
        agency,
        staff_user,
        K.LITIGATION_DIRECT,
        date(2024, 1, 1),
        R.UPHELD,
        date(2024, 6, 1),
    )  # ended in 2024
    _case(agency, staff_user, K.RECONSIDERATION, date(2026, 1, 5))  # next year
    _case(
        other_agency, other_staff_user, K.RECONSIDERATION, date(2025, 3, 1)
    )  # another agency
    t = table4(agency.pk, 2025)
    assert t["行政复议"] == {
        "结果维持": 1,
        "结果纠正": 1,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 3,
    }
    assert t["未经复议直接起诉"] == {
        "结果维持": 0,
        "结果纠正": 1,
        "其他结果": 0,
        "尚未审结": 0,
        "总计": 1,
    }
    assert t["复议后起诉"] == {
        "结果维持": 0,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 1,
    }
    t2024 = table4(agency.pk, 2024)
    assert t2024["未经复议直接起诉"] == {
        "结果维持": 1,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 2,
    }
    f = Figures.empty()
    f.table4 = t
    assert check_r4(f)[0].level == "ok"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"result": R.UPHELD, "decided_date": None}, "decided_date", "请填写审结日期"),
        (
            {"result": R.PENDING, "decided_date": date(2025, 5, 1)},
            "decided_date",
            "不应填写审结日期",
        ),
        (
            {"result": R.UPHELD, "decided_date": date(2025, 1, 1)},
            "decided_date",
            "不能早于",
        ),
        ({"filed_year": 2024}, "filed_date", "应在所填年度内"),
    ],
)
def test_register_refuses_inconsistent_dates(
    agency, staff_user, values, field, message
):
    data = {
        "kind": K.RECONSIDERATION,
        "filed_year": 2025,
        "filed_date": date(2025, 3, 1),
        "result": R.PENDING,
        "decided_date": None,
        **values,
    }
    with pytest.raises(ValidationError) as exc:
        services.appeal_case_save(agency=agency, by=staff_user, **data)
    assert message in exc.value.message_dict[field][0]
    assert not AppealCase.objects.exists()


def test_only_admins_keep_the_register(agency, teammate_user):
    with pytest.raises(PermissionDenied):
        services.appeal_case_save(
            agency=agency, by=teammate_user, kind=K.RECONSIDERATION, filed_year=2025
        )


def test_every_registration_and_change_is_kept_as_an_event(
    agency, staff_user, time_machine
):
    time_machine.move_to("2026-02-03 09:00 +08:00", tick=False)
    case = _case(agency, staff_user, K.RECONSIDERATION, date(2025, 3, 1))
    created = case.events.get()
    assert created.action == "created"
    assert created.actor == staff_user
    assert created.at == datetime(2026, 2, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert created.changes["kind"][1] == "reconsideration"
    assert created.changes["filed_date"][1] == "2025-03-01"

    time_machine.move_to("2026-02-04 10:00 +08:00", tick=False)
    services.appeal_case_save(
        agency=agency,
        by=staff_user,
        case=case,
        result=R.CORRECTED,
        decided_date=date(2025, 6, 30),
    )
    updated = case.events.order_by("id").last()
    assert updated.action == "updated"
    assert updated.changes == {
        "result": [R.PENDING, R.CORRECTED],
        "decided_date": [None, "2025-06-30"],
    }

    services.appeal_case_save(agency=agency, by=staff_user, case=case, note="")
    assert case.events.count() == 2  # nothing changed: no event
