"""The deadline explanation partial (portal_tags.deadline_explain). No database."""

from __future__ import annotations

from datetime import date

from django.template import Context, Template

from portal.workdays import add_working_days
from tests.portal.calendar_data import package_calendar

CAL = package_calendar()


def _render(source: str, **context) -> str:
    return Template("{% load portal_tags %}" + source).render(Context(context))


def test_explain_table_numbers_working_days_and_names_skipped_ones():
    deadline = add_working_days(date(2026, 2, 13), 3, CAL)
    html = _render(
        "{% deadline_explain deadline start=start %}",
        deadline=deadline,
        start=date(2026, 2, 13),
    )
    assert "期限届满日：<strong>2026年2月25日</strong>（周三）" in html
    assert "<td>收到当日，不计入</td>" in html
    assert "第 1 个工作日（调休上班）" in html  # 2026-02-14, a working Saturday
    assert html.count("不计：春节") == 9
    assert "第 3 个工作日" in html
    assert html.count('data-counted="yes"') == 3
    assert "预计" not in html
    assert "<caption>期限计算明细</caption>" in html


def test_explain_shows_the_provisional_note():
    deadline = add_working_days(date(2026, 12, 28), 5, CAL)
    html = _render(
        "{% deadline_explain deadline caption='答复期限' collapsed=True %}",
        deadline=deadline,
    )
    assert html.lstrip().startswith(
        '<details class="deadline-explain"><summary>答复期限</summary>'
    )
    assert "预计，以国务院办公厅公布的节假日安排为准" in html
    assert "不计：元旦（预计）" in html
    assert "收到当日" not in html


def test_filters_and_note_tag():
    assert _render(
        "{{ d|cn_weekday }}|{% provisional_note %}", d=date(2026, 2, 14)
    ) == ("周六|预计，以国务院办公厅公布的节假日安排为准")
