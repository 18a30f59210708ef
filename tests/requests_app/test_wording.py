"""Wording (issue 12 §3): the application form's words (公民 / 法人或者其他组织) on
public pages, the annual report's (自然人 and the five kinds) on staff pages; every
form of the requests pages speaks with the site's messages, not Django's."""

from __future__ import annotations

import inspect

import pytest
from django import forms
from django.urls import reverse

from portal.forms import SiteMessagesMixin
from requests_app import forms as request_forms
from tests.factories import InfoRequestFactory

pytestmark = pytest.mark.django_db


def test_staff_case_page_uses_the_reports_words(staff_client, agency):
    citizen = InfoRequestFactory(agency=agency)
    company = InfoRequestFactory(
        agency=agency,
        applicant_type="organisation",
        applicant_kind="commercial",
        applicant_name="株洲某科技有限公司",
        uscc="91430211MA4L0000AH",
        contact_name="李联系",
    )
    page = staff_client.get(
        reverse("requests_app:staff_request_detail", args=[citizen.code])
    ).content.decode()
    assert "（自然人）" in page
    assert "（公民）" not in page
    page = staff_client.get(
        reverse("requests_app:staff_request_detail", args=[company.code])
    ).content.decode()
    assert "（法人或者其他组织 · 商业企业）" in page


def test_public_application_pages_use_the_forms_words(client):
    for name in ("requests_app:landing", "requests_app:apply"):
        page = client.get(reverse(name)).content.decode()
        assert "公民" in page, name
        assert "自然人" not in page, name


def test_every_form_of_the_requests_pages_uses_the_sites_messages():
    plain = [
        name
        for name, klass in inspect.getmembers(request_forms, inspect.isclass)
        if issubclass(klass, forms.BaseForm)
        and klass.__module__ == request_forms.__name__
        and not issubclass(klass, SiteMessagesMixin)
    ]
    assert plain == []
    form = request_forms.ReasonForm(data={"reason": ""}, prefix="reveal")
    assert not form.is_valid()
    assert form.errors["reason"] == ["请填写原因"]
