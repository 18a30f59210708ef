from __future__ import annotations

from django.urls import include, path

from requests_app.views import public, staff

app_name = "requests_app"

public_patterns = [
    path("", public.landing, name="landing"),
    path("apply/", public.apply, name="apply"),
    path("apply/submit/", public.apply_submit, name="apply_submit"),
    path("apply/done/", public.apply_done, name="apply_done"),
    path("lookup/", public.lookup, name="lookup"),
    path("lookup/resend/", public.lookup_resend, name="lookup_resend"),
    # the applicant's case: bound to the session after a lookup; no id or 查询码 in URLs
    path("case/", public.case, name="case"),
    path("case/correction/", public.case_correction, name="case_correction"),
    path("case/withdraw/", public.case_withdraw, name="case_withdraw"),
    path("case/files/<int:file_id>/", public.case_file, name="case_file"),
    path("case/letters/<int:letter_id>/", public.case_letter, name="case_letter"),
    path(
        "case/letters/<int:letter_id>/pdf/",
        public.case_letter_pdf,
        name="case_letter_pdf",
    ),
    path("case/exit/", public.case_exit, name="case_exit"),
]

staff_case_patterns = [
    path("", staff.staff_request_detail, name="staff_request_detail"),
    path("confirm/", staff.staff_request_confirm, name="staff_request_confirm"),
    path("assign/", staff.staff_request_assign, name="staff_request_assign"),
    path(
        "correction/ask/",
        staff.staff_request_correction_ask,
        name="staff_request_correction_ask",
    ),
    path(
        "correction/receive/",
        staff.staff_request_correction_receive,
        name="staff_request_correction_receive",
    ),
    path(
        "correction/expire/",
        staff.staff_request_correction_expire,
        name="staff_request_correction_expire",
    ),
    path(
        "consultation/start/",
        staff.staff_request_consult_start,
        name="staff_request_consult_start",
    ),
    path(
        "consultation/receipt/",
        staff.staff_request_consult_receipt,
        name="staff_request_consult_receipt",
    ),
    path(
        "consultation/end/",
        staff.staff_request_consult_end,
        name="staff_request_consult_end",
    ),
    path(
        "extension/", staff.staff_request_extension_request, name="staff_request_extend"
    ),
    path(
        "extension/decide/",
        staff.staff_request_extension_decide,
        name="staff_request_extension_decide",
    ),
    path("fee/", staff.staff_request_fee, name="staff_request_fee"),
    path("fee/paid/", staff.staff_request_payment, name="staff_request_payment"),
    path("fee/waive/", staff.staff_request_fee_waive, name="staff_request_fee_waive"),
    path(
        "fee/expire/", staff.staff_request_fee_expire, name="staff_request_fee_expire"
    ),
    path("reply/", staff.staff_request_reply, name="staff_request_reply"),
    path("letters/<int:letter_id>/", staff.staff_letter, name="staff_letter"),
    path(
        "letters/<int:letter_id>/pdf/", staff.staff_letter_pdf, name="staff_letter_pdf"
    ),
    path(
        "letters/<int:letter_id>/approve/",
        staff.staff_letter_approve,
        name="staff_letter_approve",
    ),
    path(
        "letters/<int:letter_id>/return/",
        staff.staff_letter_return,
        name="staff_letter_return",
    ),
    path(
        "letters/<int:letter_id>/delivery/",
        staff.staff_letter_delivery,
        name="staff_letter_delivery",
    ),
    path("archive/", staff.staff_request_archive, name="staff_request_archive"),
    path("notes/", staff.staff_request_note, name="staff_request_note"),
    path(
        "to-notice/",
        staff.staff_request_notice_draft,
        name="staff_request_notice_draft",
    ),
    path("pii/", staff.staff_request_reveal, name="staff_request_reveal"),
    path(
        "files/<int:file_id>/open/",
        staff.staff_request_file_open,
        name="staff_request_file_open",
    ),
    path("files/<int:file_id>/", staff.staff_request_file, name="staff_request_file"),
]

staff_patterns = [
    path("", staff.staff_queue, name="staff_queue"),
    path("register/", staff.staff_register, name="staff_register"),
    path("letters/", staff.staff_letters_post, name="staff_letters"),
    path("<uuid:code>/", include(staff_case_patterns)),
]

urlpatterns = [
    *public_patterns,
    path("staff/", include(staff_patterns)),
]
