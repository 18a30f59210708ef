"""Table 二 规章 / 行政规范性文件 from the catalog and the 有效性 history of each notice."""

from __future__ import annotations

from datetime import date

import pytest

from catalog import services as catalog
from catalog.models import Genre
from disclosure import layout
from disclosure.stats import table2_catalog
from tests.disclosure.conftest import at, travel

pytestmark = pytest.mark.django_db
NORMATIVE, RULES = layout.NORMATIVE, layout.RULES


def _notice(
    owner, by, genre, *, written, published, publishers=None, publish=True, **fields
):
    with travel(published.year, published.month, published.day, 9):
        notice = catalog.notice_create(
            owner_agency=owner,
            by=by,
            publishers=publishers,
            title=f"文件{written}",
            genre=Genre.objects.get(name=genre),
            written_date=written,
            **fields,
        )
        if publish:
            notice = catalog.notice_publish(
                notice=notice,
                by=by,
                now=at(published.year, published.month, published.day, 9),
            )
    return notice


def _set_validity(notice, by, when: date, validity: str):
    with travel(when.year, when.month, when.day, 10):
        catalog.notice_update(notice=notice, by=by, validity=validity, reason="清理")


@pytest.fixture
def catalog_world(agency, other_agency, staff_user, other_staff_user):
    n = {}
    n["issued_2025"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2025, 3, 1),
        published=date(2025, 3, 5),
    )
    n["repealed_2025"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2023, 5, 1),
        published=date(2023, 5, 3),
    )
    _set_validity(n["repealed_2025"], staff_user, date(2025, 6, 1), "repealed")
    n["expires_2025"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2022, 1, 10),
        published=date(2022, 1, 12),
        valid_until=date(2025, 8, 31),
    )
    n["repealed_2024"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2024, 2, 1),
        published=date(2024, 2, 2),
    )
    _set_validity(n["repealed_2024"], staff_user, date(2024, 11, 1), "repealed")
    n["repealed_2026"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2021, 4, 1),
        published=date(2021, 4, 2),
    )
    _set_validity(n["repealed_2026"], staff_user, date(2026, 1, 15), "repealed")
    n["amended"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2020, 4, 1),
        published=date(2020, 4, 2),
    )
    _set_validity(n["amended"], staff_user, date(2025, 4, 1), "amended")
    # a joint 规章 owned by another agency with ours among its 发文机关
    n["joint_rule"] = _notice(
        other_agency,
        other_staff_user,
        RULES,
        written=date(2025, 9, 1),
        published=date(2025, 9, 2),
        publishers=[other_agency, agency],
    )
    # not counted: a draft, another 体裁, next year's, another agency's alone
    n["draft"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2025, 7, 1),
        published=date(2025, 7, 1),
        publish=False,
    )
    n["other_genre"] = _notice(
        agency, staff_user, "通知", written=date(2025, 7, 1), published=date(2025, 7, 2)
    )
    n["next_year"] = _notice(
        agency,
        staff_user,
        NORMATIVE,
        written=date(2026, 1, 2),
        published=date(2026, 1, 3),
    )
    n["theirs"] = _notice(
        other_agency,
        other_staff_user,
        NORMATIVE,
        written=date(2025, 5, 1),
        published=date(2025, 5, 2),
    )
    return n


def test_table2_2025(agency, catalog_world):
    t = table2_catalog(agency.pk, 2025)
    # 制发: issued_2025 (not next_year, draft, other genre or theirs)
    # 废止: repealed_2025 and expires_2025 (not repealed_2024, already ended; not repealed_2026, still in force)
    # 现行有效: issued_2025, repealed_2026 and amended (已修改 stays in force)
    assert t[NORMATIVE] == {layout.ISSUED: 1, layout.REPEALED: 2, layout.IN_FORCE: 3}
    assert t[RULES] == {layout.ISSUED: 1, layout.REPEALED: 0, layout.IN_FORCE: 1}


def test_table2_2024_reads_the_history_as_of_that_year_end(agency, catalog_world):
    t = table2_catalog(agency.pk, 2024)
    # 制发: repealed_2024; 废止: repealed_2024 (issued and repealed in 2024)
    # 现行有效 at 2024-12-31: repealed_2025, expires_2025, repealed_2026, amended (then still 有效)
    assert t[NORMATIVE] == {layout.ISSUED: 1, layout.REPEALED: 1, layout.IN_FORCE: 4}
    assert t[RULES] == {layout.ISSUED: 0, layout.REPEALED: 0, layout.IN_FORCE: 0}


def test_the_other_agency_sees_only_its_own(other_agency, catalog_world):
    t = table2_catalog(other_agency.pk, 2025)
    assert t[NORMATIVE] == {layout.ISSUED: 1, layout.REPEALED: 0, layout.IN_FORCE: 1}
    assert t[RULES][layout.ISSUED] == 1


def test_table2_runs_one_query(agency, catalog_world, django_assert_num_queries):
    with django_assert_num_queries(1):
        table2_catalog(agency.pk, 2025)
