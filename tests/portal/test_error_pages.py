"""The 500 page needs neither the database nor inline styles."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

from portal.views import server_error


@pytest.mark.django_db
def test_500_page_renders_without_queries_or_inline_styles(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.font_size, request.high_contrast = "large", True
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙，请稍后再试" in html
    assert not re.search(r"style=|<style|<script", html)
    assert re.search(r'<link rel="stylesheet" href="/static/css/site\.css', html)
    assert '<html lang="zh-CN" class="font-large contrast">' in html
