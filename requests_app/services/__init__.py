"""Every state change of an information request (依申请公开).

Each step is a function ``request_<verb>(*, info_request, by, ..., now)`` that

1. runs in ``transaction.atomic`` and locks the row (``select_for_update``),
2. checks the transition and the actor, raising ``ValidationError`` with a Chinese
   message on an illegal one (nothing is written then),
3. computes every date through ``requests_app.deadlines`` (the law) over the work
   calendar (``portal.workdays``),
4. writes an append-only ``RequestEvent`` (who, when, what, why; ``is_public`` for the
   applicant's timeline) and saves with ``update_fields``.

Views, the admin, commands, the demo and test factories all call these functions, so
there is one path to each state. ``now`` is an aware datetime passed in by the caller
(views take it from ``portal.timeutil``); the legal "today" is ``localdate(now)``.

Who may do what (docs/requests.md has the table):

* 承办人 (``roles.HANDLER``) of the request's agency handles it. The first handling
  step by an unassigned request's handler assigns it to them; afterwards only the
  assigned handler may act (补正, 征求意见, 延期申请, 收费, 答复, 查看完整个人信息).
* 审核人 (``roles.APPROVER``) of the agency decides extensions (never their own request).
* Any staff of the agency may add internal notes; 承办人/审核人/管理员 may assign.
* The applicant (``by=None``) may submit, send a correction and withdraw.
* Superusers may do everything a handler or approver may.

The functions live in modules that follow a request's life (``intake``,
``confirmation``, ``assignment``, ``correction``, ``consultation``, ``extension``,
``fees``, ``letters`` (reply drafting, 签发, 文号, 送达), ``reply`` (system
letters), ``withdrawal``, ``archive``, ``notes``, ``pii``, ``recompute``,
``imports``; private helpers in ``_common``); this package re-exports the public
names, so ``from requests_app import services`` / ``services.request_x`` work.
"""

from requests_app.application import (
    APPLICATION_FIELDS,
    CHECKSUM_ID_TYPES,
    DESCRIPTION_MAX,
    application_fields_from_form,
)
from requests_app.services._common import (
    APPLICANT_LABEL,
    SYSTEM_LABEL,
    compute_reply_deadline,
    mail_after_response,
    staff_url,
)
from requests_app.services.archive import (
    request_archive,
)
from requests_app.services.assignment import (
    may_reassign,
    request_assign,
)
from requests_app.services.confirmation import (
    request_confirm,
)
from requests_app.services.consultation import (
    request_end_consultation,
    request_record_consultation_receipt,
    request_start_consultation,
)
from requests_app.services.correction import (
    request_ask_correction,
    request_expire_correction,
    request_receive_correction,
)
from requests_app.services.extension import (
    request_decide_extension,
    request_request_extension,
)
from requests_app.services.fees import (
    default_payment_method,
    fee_amount,
    fee_method_problem,
    month_request_count,
    request_expire_fee,
    request_record_payment,
    request_send_fee_notice,
    request_waive_fee,
)
from requests_app.services.imports import (
    request_import,
)
from requests_app.services.intake import (
    TRACKING_PREFIX,
    TRACKING_RE,
    Submission,
    format_tracking_no,
    request_file_bytes,
    request_register_offline,
    request_submit_online,
)
from requests_app.services.letters import (
    issue_letter_number,
    letter_approve,
    letter_record_delivery,
    letter_return,
    letter_submit,
    render_reply_letter,
    reply_draft,
    reply_template_update,
)
from requests_app.services.notes import (
    request_add_note,
)
from requests_app.services.pii import (
    PII_FIELDS,
    request_alert_lookup_guessing,
    request_open_id_proof,
    request_reveal_pii,
    request_to_notice_draft,
    reveal_refusal,
    strip_identity,
)
from requests_app.services.query_code import (
    request_reissue_query_code,
)
from requests_app.services.recompute import (
    on_work_calendar_changed,
    recompute_open_deadlines,
    request_recompute_deadline,
)
from requests_app.services.withdrawal import (
    request_withdraw,
)

__all__ = [
    "APPLICANT_LABEL",
    "APPLICATION_FIELDS",
    "CHECKSUM_ID_TYPES",
    "DESCRIPTION_MAX",
    "PII_FIELDS",
    "SYSTEM_LABEL",
    "TRACKING_PREFIX",
    "TRACKING_RE",
    "Submission",
    "application_fields_from_form",
    "compute_reply_deadline",
    "default_payment_method",
    "fee_amount",
    "fee_method_problem",
    "format_tracking_no",
    "issue_letter_number",
    "letter_approve",
    "letter_record_delivery",
    "letter_return",
    "letter_submit",
    "mail_after_response",
    "may_reassign",
    "month_request_count",
    "on_work_calendar_changed",
    "recompute_open_deadlines",
    "render_reply_letter",
    "reply_draft",
    "reply_template_update",
    "request_add_note",
    "request_alert_lookup_guessing",
    "request_archive",
    "request_ask_correction",
    "request_assign",
    "request_confirm",
    "request_decide_extension",
    "request_end_consultation",
    "request_expire_correction",
    "request_expire_fee",
    "request_file_bytes",
    "request_import",
    "request_open_id_proof",
    "request_receive_correction",
    "request_recompute_deadline",
    "request_record_consultation_receipt",
    "request_record_payment",
    "request_register_offline",
    "request_reissue_query_code",
    "request_request_extension",
    "request_reveal_pii",
    "request_send_fee_notice",
    "request_start_consultation",
    "request_submit_online",
    "request_to_notice_draft",
    "request_waive_fee",
    "request_withdraw",
    "reveal_refusal",
    "staff_url",
    "strip_identity",
]
