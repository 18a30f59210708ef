"""Access to every 依申请公开 URL, taken from the URLconf (a new URL is covered or the
test fails): the owner agency's staff get the page, other agencies' staff get 404,
anonymous visitors go to the login page; applicants see only their own case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from requests_app import urls
from requests_app.models import FileKind
from tests.factories import InfoRequestFactory, send_reply

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=TZ)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"


def _names(patterns, prefix=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _names(p.url_patterns, prefix + str(p.pattern))
        else:
            yield p.name, prefix + str(p.pattern)


ALL_URLS = dict(_names(urls.urlpatterns))
STAFF_NAMES = sorted(
    name for name, route in ALL_URLS.items() if route.startswith("staff/")
)
PUBLIC_NAMES = sorted(
    name for name, route in ALL_URLS.items() if not route.startswith("staff/")
)
# POST-only staff actions (everything else answers GET)
GET_NAMES = {
    "staff_queue",
    "staff_register",
    "staff_request_detail",
    "staff_request_file",
    "staff_letter",
    "staff_letter_pdf",
    "staff_letters",
}


@pytest.fixture
def case(agency, staff_user):
    """A replied request of ``agency`` with an ID proof and a reply file."""
    with time_machine.travel(NOW, tick=False):
        req = InfoRequestFactory(
            agency=agency,
            confirm_by=staff_user,
            id_proof=SimpleUploadedFile("证件.pdf", PDF),
        )
        reply_file = SimpleUploadedFile("答复.pdf", PDF)
        reply = send_reply(
            info_request=req,
            by=staff_user,
            outcome="disclosed",
            letter_text="告知书，见附件。",
            now=NOW,
            files=[reply_file],
        )
    return {
        "req": req,
        "letter": reply.letter,
        "proof": req.files.get(kind=FileKind.ID_PROOF),
        "reply_file": req.files.get(kind=FileKind.REPLY),
    }


def url_for(name: str, case) -> str:
    route = ALL_URLS[name]
    args = []
    if "<uuid:code>" in route:
        args.append(case["req"].code)
    if "<int:file_id>" in route:
        args.append(
            (
                case["reply_file"]
                if name in ("staff_request_file", "case_file")
                else case["proof"]
            ).pk
        )
    if "<int:letter_id>" in route:
        args.append(case["letter"].pk)
    return reverse(f"requests_app:{name}", args=args)


def request(client, name, case):
    url = url_for(name, case)
    with time_machine.travel(NOW, tick=False):
        if name in GET_NAMES:
            return client.get(url)
        return client.post(url, {})


def test_every_staff_url_is_listed():
    assert len(STAFF_NAMES) >= 20
    assert {
        "staff_queue",
        "staff_request_detail",
        "staff_request_reveal",
        "staff_request_file_open",
    } <= set(STAFF_NAMES)


@pytest.mark.parametrize("name", STAFF_NAMES)
def test_owner_agency_staff_reach_every_staff_url(staff_client, case, name):
    response = request(staff_client, name, case)
    assert response.status_code in (200, 302), (name, response.status_code)
    if response.status_code == 302:
        assert "/login/" not in response.url


@pytest.mark.parametrize("name", STAFF_NAMES)
def test_teammate_reaches_every_staff_url(client, teammate_user, case, name):
    client.force_login(teammate_user)
    response = request(client, name, case)
    assert response.status_code in (200, 302), (name, response.status_code)


@pytest.mark.parametrize(
    "name",
    sorted(set(STAFF_NAMES) - {"staff_queue", "staff_register", "staff_letters"}),
)
def test_other_agency_staff_get_404_on_every_case_url(
    other_agency_staff_client, case, name
):
    response = request(other_agency_staff_client, name, case)
    assert response.status_code == 404, name


@pytest.mark.parametrize("name", STAFF_NAMES)
def test_anonymous_visitors_are_sent_to_login(client, case, name):
    response = request(client, name, case)
    assert response.status_code == 302, name
    assert response.url.startswith(reverse("portal:login"))


@pytest.mark.parametrize("name", STAFF_NAMES)
def test_signed_in_non_staff_users_get_404(client, case, name, django_user_model):
    user = django_user_model.objects.create_user("citizen-account", password="x" * 20)
    client.force_login(user)
    assert request(client, name, case).status_code == 404


def test_other_agency_queue_does_not_list_the_case(other_agency_staff_client, case):
    with time_machine.travel(NOW, tick=False):
        for show in ("open", "closed", "pending", "overdue"):
            html = other_agency_staff_client.get(
                reverse("requests_app:staff_queue"), {"show": show}
            ).content.decode()
            assert case["req"].tracking_no not in html


def test_other_agency_staff_cannot_act_by_posting(
    other_agency_staff_client, agency, staff_user
):
    with time_machine.travel(NOW, tick=False):
        req = InfoRequestFactory(agency=agency)
        response = other_agency_staff_client.post(
            reverse("requests_app:staff_request_confirm", args=[req.code]),
            {"confirm-confirmed_date": "2026-03-02"},
        )
    assert response.status_code == 404
    req.refresh_from_db()
    assert req.status == "pending"


def test_staff_urls_with_a_malformed_or_unknown_code_are_404(staff_client):
    assert staff_client.get("/ysq/staff/not-a-uuid/").status_code == 404
    assert (
        staff_client.get("/ysq/staff/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_reply_file_of_another_request_is_404_on_the_staff_side(
    staff_client, case, agency, staff_user
):
    with time_machine.travel(NOW, tick=False):
        other = InfoRequestFactory(agency=agency)
        url = reverse(
            "requests_app:staff_request_file", args=[other.code, case["reply_file"].pk]
        )
        assert staff_client.get(url).status_code == 404
        proof_as_reply = reverse(
            "requests_app:staff_request_file", args=[case["req"].code, case["proof"].pk]
        )
        assert (
            staff_client.get(proof_as_reply).status_code == 404
        )  # ID proofs only through the logged view


# --- applicants ----------------------------------------------------------------------------------


def test_public_urls_are_the_reviewed_set():
    assert set(PUBLIC_NAMES) == {
        "landing",
        "apply",
        "apply_submit",
        "apply_done",
        "lookup",
        # 查询码 resend: the same neutral answer whether the number exists, rate-limited
        # (tests/requests_app/test_query_code_resend.py)
        "lookup_resend",
        "case",
        "case_correction",
        "case_withdraw",
        "case_file",
        "case_letter",
        "case_letter_pdf",
        "case_exit",
    }


def test_an_applicant_sees_only_their_own_case_and_files(client, case, agency):
    with time_machine.travel(NOW, tick=False):
        mine = InfoRequestFactory(agency=agency)
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": mine.tracking_no, "query_code": mine.query_code},
        )
        html = client.get(reverse("requests_app:case")).content.decode()
        assert mine.tracking_no in html
        assert case["req"].tracking_no not in html
        # another applicant's reply file by id: 404
        assert (
            client.get(
                reverse("requests_app:case_file", args=[case["reply_file"].pk])
            ).status_code
            == 404
        )
        # … and another applicant's letter by id: 404
        assert (
            client.get(
                reverse("requests_app:case_letter", args=[case["letter"].pk])
            ).status_code
            == 404
        )

        owner = Client()
        owner.post(
            reverse("requests_app:lookup"),
            {
                "tracking_no": case["req"].tracking_no,
                "query_code": case["req"].query_code,
            },
        )
        assert (
            owner.get(
                reverse("requests_app:case_file", args=[case["reply_file"].pk])
            ).status_code
            == 200
        )
        assert (
            owner.get(
                reverse("requests_app:case_file", args=[case["proof"].pk])
            ).status_code
            == 404
        )


def test_case_pages_need_a_lookup_first(client, case):
    with time_machine.travel(NOW, tick=False):
        for name in ("case", "case_withdraw"):
            response = client.get(reverse(f"requests_app:{name}"))
            assert response.status_code == 302
            assert response.url == reverse("requests_app:lookup")
        assert (
            client.post(
                reverse("requests_app:case_correction"), {"text": "x"}
            ).status_code
            == 302
        )
        assert (
            client.get(
                reverse("requests_app:case_file", args=[case["reply_file"].pk])
            ).status_code
            == 404
        )


def test_a_forged_session_value_gives_nothing(client, case):
    session = client.session
    session["ysq_case"] = {"id": "1 OR 1=1"}
    session.save()
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("requests_app:case")).status_code == 302
