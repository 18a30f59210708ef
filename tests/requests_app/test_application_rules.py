"""One application rule for the form and the service (issue 9 §4): the public form and
``request_submit_online``, and the staff register form and ``request_register_offline``,
accept and refuse the same inputs — every format and cross-field rule is
``requests_app.application.check_application`` (before, the service took foreign ID numbers in any
shape, any phone number and a two-character description that the form refused)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app import services
from requests_app.application import FORM_FIELD_NAMES, check_application
from requests_app.forms import ApplicationForm, StaffRegisterForm
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 3)

CITIZEN = {
    "applicant_type": "citizen",
    "applicant_kind": "natural",
    "applicant_name": "王小明",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13812341234",
    "address": "湖南省株洲市天元区天台路1号3栋",
    "email": "",
    "description": "请公开2025年天元区义务教育学校招生划片方案",
    "provide_forms": ["paper"],
    "delivery_methods": ["post"],
}
ORGANISATION = {
    **CITIZEN,
    "applicant_type": "organisation",
    "applicant_kind": "commercial",
    "id_type": "",
    "id_number": "",
    "uscc": "91110000600037341L",
    "contact_name": "李联系",
}

# (case, fields, accepted)
CASES = [
    ("resident id", CITIZEN, True),
    ("resident id bad checksum", {**CITIZEN, "id_number": "110105194912310021"}, False),
    (
        "foreign permanent residence id must start with 9",
        {**CITIZEN, "id_type": "foreign_pr"},
        False,
    ),
    (
        "hk/macao permit",
        {**CITIZEN, "id_type": "hk_macao_permit", "id_number": "H12345678"},
        True,
    ),
    (
        "hk/macao permit without H/M",
        {**CITIZEN, "id_type": "hk_macao_permit", "id_number": "12345678"},
        False,
    ),
    (
        "taiwan permit of 7 digits",
        {**CITIZEN, "id_type": "taiwan_permit", "id_number": "1234567"},
        False,
    ),
    ("passport", {**CITIZEN, "id_type": "passport", "id_number": "E1234567"}, True),
    (
        "passport with a hyphen",
        {**CITIZEN, "id_type": "passport", "id_number": "E-1234567"},
        False,
    ),
    ("other id", {**CITIZEN, "id_type": "other", "id_number": "AB-1234"}, True),
    ("no id type", {**CITIZEN, "id_type": ""}, False),
    ("landline", {**CITIZEN, "phone": "0731-28112345"}, True),
    ("phone of five digits", {**CITIZEN, "phone": "12345"}, False),
    ("postcode of five digits", {**CITIZEN, "postcode": "41200"}, False),
    ("postcode", {**CITIZEN, "postcode": "412007"}, True),
    ("description too short", {**CITIZEN, "description": "文件"}, False),
    (
        "e-mail delivery without an address",
        {**CITIZEN, "delivery_methods": ["email"]},
        False,
    ),
    (
        "e-mail delivery with an address",
        {**CITIZEN, "delivery_methods": ["email"], "email": "wang@example.com"},
        True,
    ),
    ("fax delivery without a number", {**CITIZEN, "delivery_methods": ["fax"]}, False),
    ("bad e-mail", {**CITIZEN, "email": "wang@example"}, False),
    ("organisation", ORGANISATION, True),
    ("organisation bad uscc", {**ORGANISATION, "uscc": "91110000600037342L"}, False),
    ("organisation without contact", {**ORGANISATION, "contact_name": ""}, False),
    ("organisation without kind", {**ORGANISATION, "applicant_kind": ""}, False),
]


def form_data(fields: dict, **extra) -> dict:
    data = {FORM_FIELD_NAMES.get(k, k): v for k, v in fields.items()}
    if data.get("applicant_type") != "organisation":
        data.pop("org_kind", None)
    return {k: v for k, v in {**data, **extra}.items() if v not in ("", None)}


def service_accepts(call) -> bool:
    try:
        call()
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("case", "fields", "accepted"), CASES, ids=[c[0] for c in CASES]
)
def test_public_form_and_online_service_agree(case, fields, accepted, agency):
    form = ApplicationForm(
        data=form_data(fields, agency=str(agency.pk), declaration="on"),
        today=TODAY,
        held_file_name="proof.png",
    )
    form_ok = form.is_valid()
    service_ok = service_accepts(
        lambda: services.request_submit_online(
            agency=agency, now=at("2026-03-03"), **fields
        )
    )
    assert (form_ok, service_ok) == (accepted, accepted), form.errors


STAFF_CASES = [
    *CASES,
    (
        "staff: e-mail only",
        {**CITIZEN, "phone": "", "address": "", "email": "a@b.cn"},
        True,
    ),
    ("staff: no contact at all", {**CITIZEN, "phone": "", "address": ""}, False),
    ("staff: no provide form", {**CITIZEN, "provide_forms": []}, True),
]
# The public form also marks phone, address and the 提供方式/获取方式 as required
# (presence only): those inputs are not in the public table.


@pytest.mark.parametrize(
    ("case", "fields", "accepted"), STAFF_CASES, ids=[c[0] for c in STAFF_CASES]
)
def test_staff_form_and_register_service_agree(
    case, fields, accepted, agency, staff_user
):
    form = StaffRegisterForm(
        data=form_data(fields, channel="in_person", submitted_at="2026-03-03 10:00"),
        today=TODAY,
        agency=agency,
    )
    form_ok = form.is_valid()
    service_ok = service_accepts(
        lambda: services.request_register_offline(
            agency=agency,
            by=staff_user,
            channel="in_person",
            submitted_at=at("2026-03-03"),
            now=at("2026-03-03"),
            **fields,
        )
    )
    assert (form_ok, service_ok) == (accepted, accepted), form.errors


def test_form_and_service_give_the_same_message():
    fields = {**CITIZEN, "id_type": "passport", "id_number": "E-1234567"}
    _, errors = check_application(fields, today=TODAY)
    form = ApplicationForm(data=form_data(fields), today=TODAY, held_file_name="x")
    form.is_valid()
    assert form.errors["id_number"] == [errors["id_number"]]
    assert "护照号码" in errors["id_number"]
