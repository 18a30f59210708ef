"""catalog_tags.body_tables: a notice body's tables scroll in their own region on a phone
(the page itself never scrolls sideways; tests/browser/test_citizen_reflow.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.sanitize import clean_body
from catalog.templatetags.catalog_tags import body_tables
from tests.catalog.public_data import publish

REGION = re.compile(
    r'<div class="table-scroll body-table" role="region" aria-label="([^"]*)" '
    r'tabindex="0">'
)


def test_each_outermost_table_gets_a_labelled_focusable_region():
    body = clean_body(
        "<p>前言</p><table><caption>招生<b>计划</b> 2026</caption><tr><td>1</td></tr>"
        "</table><p>中间</p><table><tr><td><table><tr><td>内</td></tr></table>"
        "</td></tr></table><p>结尾</p>"
    )
    html = body_tables(body)
    assert REGION.findall(html) == ["招生计划 2026", "正文表格2"]
    # the nested table stays inside its parent's region; nothing is lost or reordered
    assert html.count("<table>") == 3
    assert re.sub(r"</?div[^>]*>", "", html) == body
    assert html.startswith("<p>前言</p><div class=")
    assert html.endswith("</table></div><p>结尾</p>")


def test_a_caption_cannot_break_out_of_the_label():
    html = body_tables(
        '<table><caption>"&gt;&lt;script&gt; A&amp;B</caption><tr><td>1</td></tr></table>'
    )
    label = REGION.search(html).group(1)
    assert label == "&quot;&gt;&lt;script&gt; A&amp;B"  # the text once escaped
    assert "<script" not in html


def test_a_body_without_tables_is_unchanged():
    assert body_tables("<p>各学校：</p>") == "<p>各学校：</p>"
    assert body_tables("") == ""
    assert body_tables(None) == ""


@pytest.mark.django_db
def test_the_public_notice_page_wraps_the_body_tables(client, agency):
    notice = publish(
        agency=agency,
        title="关于公布招生计划的通知",
        body="<p>计划如下：</p><table><caption>招生计划</caption><tr><td>360</td></tr></table>",
    )
    html = client.get(
        reverse("catalog:notice_detail", args=[notice.uuid])
    ).content.decode()
    assert REGION.search(html).group(1) == "招生计划"
