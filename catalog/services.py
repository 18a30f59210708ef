"""Every state change of a notice. Each runs in a transaction, locks the row, and writes
an append-only ``NoticeEvent`` (who, when, what). Views, the admin, commands and tests
all call these; nothing else changes a notice's status or 索引号."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalog import publishing, revisions
from catalog.attachments import attachment_add, attachment_remove
from catalog.guard import (
    PersonalDataFound,
    override_problem,
    override_record,
    unresolved_findings,
)
from catalog.models import (
    IndexCounter,
    InterpretationLinkRequest,
    Notice,
    NoticeCleanupReview,
    NoticeEvent,
    NoticePublisher,
    NoticeRevision,
)
from catalog.sanitize import clean_body
from catalog.search import refresh_notice_search
from portal import timeutil
from portal.models import Agency
from portal.pii import LocatedFinding
from portal.validators import normalise_doc_number

__all__ = [
    "EDITABLE_FIELDS",
    "attachment_add",
    "attachment_remove",
    "issue_index_number",
    "notice_confirm_security_review",
    "notice_create",
    "notice_decide_interpretation_link",
    "notice_import_confirm_review",
    "notice_import_screen",
    "notice_import_upsert",
    "notice_link_interpretation",
    "notice_publish",
    "notice_publish_due",
    "notice_publish_mirror",
    "notice_record_cleanup",
    "notice_revision_approve",
    "notice_revision_reject",
    "notice_schedule",
    "notice_set_interpretations",
    "notice_submit_for_review",
    "notice_unlink_interpretation",
    "notice_unschedule",
    "notice_update",
    "notice_withdraw",
]

# Fields staff may set through notice_create/notice_update (never status or 索引号).
EDITABLE_FIELDS = (
    "title",
    "doc_number",
    "written_date",
    "theme",
    "genre",
    "validity",
    "valid_from",
    "valid_until",
    "disclosure_mode",
    "audience",
    "department",
    "keywords",
    "summary",
    "body",
    "column",
)


# not validated on save: the 索引号 is issued by the service, search columns are derived
CLEAN_EXCLUDE = [
    "index_number",
    *(f.name for f in Notice._meta.get_fields() if f.name.startswith("search_")),
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _normalise_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    out = dict(fields)
    if "doc_number" in out:
        out["doc_number"] = normalise_doc_number(out["doc_number"] or "")
    if "body" in out:
        out["body"] = clean_body(out["body"] or "")
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            raise ValidationError({"title": "标题不能为空"})
    if "keywords" in out:
        out["keywords"] = normalise_keywords(out["keywords"])
    for name in ("audience", "department", "summary"):
        if name in out:
            out[name] = (out[name] or "").strip()
    return out


def normalise_keywords(raw: Iterable[str] | str | None) -> list[str]:
    """关键词 as a clean list: split on commas/semicolons/spaces when given as text, trimmed, no repeats."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        for word in re.split(r"[,，;；、\s]+", str(item)):
            word = word.strip()
            if word and word not in out:
                out.append(word)
    return out


def _publisher_names(notice: Notice) -> list[str]:
    links = (
        NoticePublisher.objects.filter(notice=notice)
        .select_related("agency")
        .order_by("position", "id")
    )
    return [str(link.agency) for link in links]


def _set_publishers(notice: Notice, publishers: Iterable[Agency]) -> None:
    NoticePublisher.objects.filter(notice=notice).delete()
    NoticePublisher.objects.bulk_create(
        NoticePublisher(notice=notice, agency=agency, position=i)
        for i, agency in enumerate(publishers)
    )


def check_personal_data(
    notice: Notice,
    *,
    by,
    override_reason: str = "",
    action: str = "发布",
    shown: Iterable[str] | None = None,
) -> None:
    """Refuse (``PersonalDataFound``) when what the public would see of ``notice`` holds
    personal data not overridden before; with ``override_reason`` an approver overrides
    exactly the findings shown (a ``pii_override`` event with their fingerprints).

    ``shown``: the fingerprints the approver saw; a finding not among them is refused
    even with a reason (the notice changed since the confirmation page).

    Call inside the writing transaction, with ``notice`` as it is about to be saved."""
    findings = unresolved_findings(notice)
    if not findings:
        return
    if not (override_reason or "").strip():
        raise PersonalDataFound(findings, action=action)
    if shown is not None:
        unseen = [f for f in findings if f.fingerprint not in set(shown)]
        if unseen:
            raise PersonalDataFound(unseen, action=action)
    problem = override_problem(by, override_reason)
    if problem:
        raise ValidationError({"override_reason": problem})
    NoticeEvent.objects.create(
        notice=notice,
        actor=by,
        action=NoticeEvent.Action.PII_OVERRIDE,
        changes=override_record(findings),
        reason=override_reason.strip()[:300],
    )


@transaction.atomic
def notice_create(
    *,
    owner_agency: Agency,
    by,
    publishers: Iterable[Agency] | None = None,
    proposal: bool = False,
    **fields: Any,
) -> Notice:
    """A new draft. ``by`` needs the catalog's add permission (the 管理员 role), except
    for a ``proposal``: a draft another workflow proposes (条例 第四十四条, a request's
    承办人), which only someone with the catalog's rights can edit and publish."""
    data = _normalise_fields(fields)
    publishers = list(publishers) if publishers else [owner_agency]
    if not proposal:
        publishing.check_notice_permission(user=by, codename="add_notice")
    publishing.check_publishers(
        user=by, owner_agency=owner_agency, publishers=publishers
    )
    notice = Notice(owner_agency=owner_agency, **data)
    notice.full_clean(exclude=CLEAN_EXCLUDE)
    notice.save()
    _set_publishers(notice, publishers)
    NoticeEvent.objects.create(
        notice=notice,
        actor=by,
        action=NoticeEvent.Action.CREATED,
        changes={k: _jsonable(v) for k, v in data.items() if v not in ("", None, [])},
    )
    refresh_notice_search([notice.pk])
    return notice


def forget_security_review(locked: Notice, changes: dict[str, Any]) -> list[str]:
    """What was reviewed (保密审查, 条例 第十七条) is no longer what would be published:
    drop the confirmation on the locked notice so publishing asks for it again, and
    drop a 定时发布 (it was decided on the content as it was). Notes the change in
    ``changes`` and returns the fields to save (none when there was nothing to drop).
    Called by every write that changes an unpublished notice's public content (fields,
    attachments) and by 撤回 (a re-publication is reviewed again)."""
    fields: list[str] = []
    if locked.scheduled_at is not None:
        changes["scheduled_at"] = [locked.scheduled_at.isoformat(), None]
        locked.scheduled_at, locked.scheduled_by = None, None
        fields += ["scheduled_at", "scheduled_by"]
    if locked.security_reviewed_by_id:
        changes["security_reviewed_by"] = [str(locked.security_reviewed_by), None]
        locked.security_reviewed_by, locked.security_reviewed_at = None, None
        fields += ["security_reviewed_by", "security_reviewed_at"]
    return fields


SECURITY_REVIEW_REQUIRED = (
    "该信息已经发布：修改后的标题、正文、附件等内容将直接公开，须重新进行保密审查"
    "（《中华人民共和国政府信息公开条例》第十七条）。请确认已对修改后的内容进行保密审查后再保存。"
)


def _latest_revision(notice_id: int) -> NoticeRevision | None:
    return (
        NoticeRevision.objects.filter(
            notice_id=notice_id, status=NoticeRevision.Status.APPLIED
        )
        .order_by("-applied_at", "-id")
        .first()
    )


def ensure_baseline_revision(locked: Notice, *, now: datetime) -> None:
    """A published notice without any revision (published before revisions were kept,
    or laid down by the demo) gets one from its current content before it changes, so
    the first change has something to be compared with. Call with the row locked."""
    if NoticeRevision.objects.filter(
        notice_id=locked.pk, status=NoticeRevision.Status.APPLIED
    ).exists():
        return
    NoticeRevision.objects.create(
        notice=locked,
        kind=NoticeRevision.Kind.BASELINE,
        content=revisions.snapshot(locked),
        created_at=now,
        applied_at=now,
        security_reviewed_by_id=locked.security_reviewed_by_id,
        security_reviewed_at=locked.security_reviewed_at,
    )


def record_revision(
    *,
    notice: Notice,
    kind: str,
    by,
    now: datetime,
    event: NoticeEvent | None,
    reason: str = "",
) -> NoticeRevision:
    """The version of ``notice`` now live (saved, row locked), compared with the last
    one: which fields changed and whether the reader's text did (最后更新). Its
    保密审查 is the notice's as saved (the services set it before calling)."""
    previous = _latest_revision(notice.pk)
    content = revisions.snapshot(notice)
    changed = revisions.changed_fields(previous.content if previous else None, content)
    return NoticeRevision.objects.create(
        notice=notice,
        kind=kind,
        content=content,
        changed_fields=changed,
        public_change=bool(set(changed) & revisions.PUBLIC_CHANGE_FIELDS),
        created_by=by,
        created_at=now,
        applied_at=now,
        reason=(reason or "")[:300],
        security_reviewed_by_id=notice.security_reviewed_by_id,
        security_reviewed_at=notice.security_reviewed_at,
        event=event,
    )


def published_change_review(
    locked: Notice, *, by, touched: Iterable[str], confirmed: bool
) -> str:
    """How a change of ``touched`` fields reaches a notice (条例 第十七条):

    - ``"apply"``: not published, or nothing that needs a new 保密审查 (a metadata
      fix), or the system (``by=None``: an operator's import, the demo);
    - ``"confirmed"``: published and ``by`` confirmed the review of the new content
      (the agency does not require a second person): applied, ``by`` is the reviewer;
    - ``"pending"``: the agency requires a second person: the change waits as a
      pending revision (``notice_revision_approve``).

    Refuses (ValidationError) a published change of content without confirmation."""
    if locked.status != Notice.Status.PUBLISHED or by is None:
        return "apply"
    if not set(touched) & revisions.REVIEWED_FIELDS:
        return "apply"
    agency = Agency.objects.get(pk=locked.owner_agency_id)
    if publishing.second_security_review_required(agency):
        return "pending"
    if not confirmed:
        raise ValidationError({"security_review_confirmed": SECURITY_REVIEW_REQUIRED})
    return "confirmed"


def pending_revision_of(notice: Notice) -> NoticeRevision | None:
    return NoticeRevision.objects.filter(
        notice_id=notice.pk, status=NoticeRevision.Status.PENDING
    ).first()


def _propose_revision(
    *,
    locked: Notice,
    data: dict[str, Any],
    publishers: list[Agency] | None,
    changes: dict[str, Any],
    by,
    reason: str,
    now: datetime,
) -> NoticeRevision:
    """Store a change of a published notice as the pending revision (replacing an
    earlier pending one: the newest proposal is the one a second person confirms).
    The live notice is not touched; the proposal is validated as it would be saved."""
    candidate = Notice.objects.get(pk=locked.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=CLEAN_EXCLUDE)
    ensure_baseline_revision(locked, now=now)
    content = revisions.snapshot(
        candidate,
        publishers=[a.name for a in publishers] if publishers is not None else None,
    )
    live = _latest_revision(locked.pk)
    changed = revisions.changed_fields(live.content if live else None, content)
    proposed = revisions.encode_proposal(
        data, [a.pk for a in publishers] if publishers is not None else None
    )
    pending = (
        NoticeRevision.objects.select_for_update()
        .filter(notice_id=locked.pk, status=NoticeRevision.Status.PENDING)
        .first()
    )
    event = NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.REVISION_PROPOSED,
        changes={**changes, **({"replaces": pending.pk} if pending else {})},
        reason=reason,
    )
    values = {
        "kind": NoticeRevision.Kind.EDITED,
        "content": content,
        "proposed": proposed,
        "changed_fields": changed,
        "public_change": bool(set(changed) & revisions.PUBLIC_CHANGE_FIELDS),
        "created_by": by,
        "created_at": now,
        "reason": (reason or "")[:300],
        "event": event,
    }
    if pending is None:
        return NoticeRevision.objects.create(
            notice=locked, status=NoticeRevision.Status.PENDING, **values
        )
    for name, value in values.items():
        setattr(pending, name, value)
    pending.save(update_fields=list(values))
    return pending


@transaction.atomic
def notice_update(
    *,
    notice: Notice,
    by,
    publishers: Iterable[Agency] | None = None,
    reason: str = "",
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
    security_review_confirmed: bool = False,
    now: datetime | None = None,
    **fields: Any,
) -> Notice:
    """Edit a notice. A public (published or withdrawn) notice is re-checked for personal
    data before the change is saved: only overridden findings may stay.

    A published notice's content (``catalog.revisions.REVIEWED_FIELDS``) goes public
    only after a new 保密审查 (条例 第十七条, ``published_change_review``): with
    ``security_review_confirmed`` ``by`` is recorded as the reviewer; where the agency
    requires a second person the change is not applied but kept as the pending
    revision, returned on the notice as ``pending_revision`` (else None). Every applied
    change of a published notice writes a ``NoticeRevision``."""
    now = now or timeutil.local_now()
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    locked.pending_revision = None
    publishing.check_may_manage(user=by, notice=locked)
    data = _normalise_fields(fields)
    changes: dict[str, list[Any]] = {}
    for name, value in data.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
    data = {name: data[name] for name in changes}
    new_publishers = None
    if publishers is not None:
        new = list(publishers)
        old_names = _publisher_names(locked)
        if old_names != [str(a) for a in new]:
            owner = Agency.objects.get(pk=locked.owner_agency_id)
            publishing.check_publishers(user=by, owner_agency=owner, publishers=new)
            changes["publishers"] = [old_names, [str(a) for a in new]]
            new_publishers = new
    if not changes:
        return locked
    mode = published_change_review(
        locked, by=by, touched=changes, confirmed=security_review_confirmed
    )
    if mode == "pending":
        locked.pending_revision = _propose_revision(
            locked=locked,
            data=data,
            publishers=new_publishers,
            changes=changes,
            by=by,
            reason=reason,
            now=now,
        )
        return locked
    published = locked.status == Notice.Status.PUBLISHED
    if published:
        ensure_baseline_revision(locked, now=now)
    _apply_change(
        locked,
        data=data,
        publishers=new_publishers,
        changes=changes,
        by=by,
        reviewer=by if mode == "confirmed" else None,
        now=now,
        override_reason=override_reason,
        override_shown=override_shown,
        action="保存",
    )
    event = NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        changes=changes,
        reason=reason,
    )
    if published:
        record_revision(
            notice=locked,
            kind=NoticeRevision.Kind.EDITED,
            by=by,
            now=now,
            event=event,
            reason=reason,
        )
    refresh_notice_search([locked.pk])
    return locked


def _apply_change(
    locked: Notice,
    *,
    data: dict[str, Any],
    publishers: list[Agency] | None,
    changes: dict[str, Any],
    by,
    reviewer,
    now: datetime,
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
    action: str = "保存",
) -> None:
    """Set the changed fields and publishers on the locked notice, check and save it.

    The 保密审查 on record follows the content: an unpublished notice's is forgotten
    (asked again at publication); a published notice's content change records
    ``reviewer`` (None: the system changed it, nobody reviewed this version)."""
    for name, value in data.items():
        setattr(locked, name, value)
    if publishers is not None:
        _set_publishers(locked, publishers)
    update_fields = [f for f in changes if f in data] + ["updated_at"]
    if locked.status != Notice.Status.PUBLISHED:
        update_fields += forget_security_review(locked, changes)
    elif set(changes) & revisions.REVIEWED_FIELDS:
        update_fields += _set_reviewer(locked, changes, reviewer=reviewer, now=now)
    locked.full_clean(exclude=CLEAN_EXCLUDE)
    if locked.status != Notice.Status.DRAFT:
        check_personal_data(
            locked,
            by=by,
            override_reason=override_reason,
            action=action,
            shown=override_shown,
        )
    locked.save(update_fields=update_fields)


def _set_reviewer(locked: Notice, changes: dict[str, Any], *, reviewer, now) -> list:
    """The new version of a published notice was reviewed by ``reviewer`` (or nobody)."""
    old = str(locked.security_reviewed_by) if locked.security_reviewed_by_id else None
    new = str(reviewer) if reviewer is not None else None
    if reviewer is None and locked.security_reviewed_by_id is None:
        return []
    changes["security_reviewed_by"] = [old, new]
    locked.security_reviewed_by = reviewer
    locked.security_reviewed_at = now if reviewer is not None else None
    return ["security_reviewed_by", "security_reviewed_at"]


@transaction.atomic
def notice_revision_approve(
    *,
    revision: NoticeRevision,
    by,
    now: datetime,
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
) -> NoticeRevision:
    """A second person confirms the 保密审查 of a pending change (条例 第十七条) and it
    goes live: the proposal is applied to the published notice, checked for personal
    data as a publication is (``override_reason``: an approver's, as there), and ``by``
    is recorded as the reviewer of the new version. Refused for the proposer."""
    notice_id = NoticeRevision.objects.values_list("notice_id", flat=True).get(
        pk=revision.pk
    )
    locked = Notice.objects.select_for_update().get(pk=notice_id)
    row = NoticeRevision.objects.select_for_update().get(pk=revision.pk)
    publishing.check_may_manage(user=by, notice=locked, reviewing=True)
    if by is None:
        raise ValidationError("保密审查须由具体的工作人员确认")
    if row.status != NoticeRevision.Status.PENDING:
        raise ValidationError(
            f"该修改已处理（{row.get_status_display()}），不能重复处理"
        )
    if row.created_by_id == by.pk:
        raise ValidationError(
            "本机关要求保密审查由第二人确认（条例第十七条）：提出修改的人不能确认自己的修改，"
            "请由另一名工作人员确认"
        )
    if locked.status != Notice.Status.PUBLISHED:
        raise ValidationError(
            "该信息已不在发布状态，待确认的修改不能生效；请退回该修改，在重新发布前直接编辑"
        )
    try:
        data, publishers = revisions.decode_proposal(row.proposed)
    except revisions.ProposalGone as exc:
        raise ValidationError(
            f"修改中的“{exc}”已不存在，不能生效；请退回该修改后重新提出"
        ) from exc
    changes: dict[str, Any] = {}
    for name, value in data.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
    data = {name: data[name] for name in changes}
    if publishers is not None:
        old_names = _publisher_names(locked)
        if old_names != [a.name for a in publishers]:
            owner = Agency.objects.get(pk=locked.owner_agency_id)
            publishing.check_publishers(
                user=by, owner_agency=owner, publishers=publishers
            )
            changes["publishers"] = [old_names, [a.name for a in publishers]]
        else:
            publishers = None
    ensure_baseline_revision(locked, now=now)
    _apply_change(
        locked,
        data=data,
        publishers=publishers,
        changes=changes,
        by=by,
        reviewer=by,
        now=now,
        override_reason=override_reason,
        override_shown=override_shown,
        action="使该修改生效",
    )
    if "security_reviewed_by" not in changes:  # nothing reviewed changed any more
        locked.security_reviewed_by, locked.security_reviewed_at = by, now
        locked.save(update_fields=["security_reviewed_by", "security_reviewed_at"])
    changes["proposed_by"] = str(row.created_by) if row.created_by_id else None
    event = NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.REVISION_APPROVED,
        changes=changes,
        reason=row.reason,
    )
    previous = _latest_revision(locked.pk)
    content = revisions.snapshot(locked)
    changed = revisions.changed_fields(previous.content if previous else None, content)
    row.status = NoticeRevision.Status.APPLIED
    row.content = content
    row.changed_fields = changed
    row.public_change = bool(set(changed) & revisions.PUBLIC_CHANGE_FIELDS)
    row.applied_at = now
    row.security_reviewed_by, row.security_reviewed_at = by, now
    row.decided_by, row.decided_at = by, now
    row.event = event
    row.save(
        update_fields=[
            "status",
            "content",
            "changed_fields",
            "public_change",
            "applied_at",
            "security_reviewed_by",
            "security_reviewed_at",
            "decided_by",
            "decided_at",
            "event",
        ]
    )
    refresh_notice_search([locked.pk])
    return row


@transaction.atomic
def notice_revision_reject(
    *, revision: NoticeRevision, by, reason: str, now: datetime | None = None
) -> NoticeRevision:
    """Send a pending change back (its proposer may withdraw it the same way): the live
    notice stays as it is; the reason is kept in the history."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写退回理由"})
    if len(reason) > 300:
        raise ValidationError({"reason": "退回理由不能超过 300 个字"})
    notice_id = NoticeRevision.objects.values_list("notice_id", flat=True).get(
        pk=revision.pk
    )
    locked = Notice.objects.select_for_update().get(pk=notice_id)
    row = NoticeRevision.objects.select_for_update().get(pk=revision.pk)
    publishing.check_may_manage(user=by, notice=locked, reviewing=True)
    if row.status != NoticeRevision.Status.PENDING:
        raise ValidationError(
            f"该修改已处理（{row.get_status_display()}），不能重复处理"
        )
    now = now or timeutil.local_now()
    row.status = NoticeRevision.Status.REJECTED
    row.decided_by, row.decided_at, row.decision_reason = by, now, reason
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.REVISION_REJECTED,
        changes={
            "revision": row.pk,
            "proposed_by": str(row.created_by) if row.created_by_id else None,
        },
        reason=reason,
    )
    return row


# 清理 results that end the document's force, and the 有效性 each one sets
CLEANUP_VALIDITY = {
    NoticeCleanupReview.Result.REPEAL: Notice.Validity.REPEALED,
    NoticeCleanupReview.Result.DECLARE_INVALID: Notice.Validity.EXPIRED,
}


def check_cleanup(
    *, notice: Notice, decided_date: date | None, result: str, basis: str, today: date
) -> str:
    """The rule on a 清理 decision (form and service call it); returns the clean basis."""
    errors: dict[str, str] = {}
    if result not in NoticeCleanupReview.Result.values:
        errors["result"] = "请选择清理结果：继续有效、修改、废止或宣布失效"
    if decided_date is None:
        errors["decided_date"] = "请填写清理决定日期"
    elif decided_date > today:
        errors["decided_date"] = (
            f"清理决定日期 {decided_date:%Y-%m-%d} 晚于今天，不能登记尚未作出的决定"
        )
    elif notice.written_date and decided_date < notice.written_date:
        errors["decided_date"] = (
            f"清理决定日期 {decided_date:%Y-%m-%d} 早于该文件的成文日期 "
            f"{notice.written_date:%Y-%m-%d}"
        )
    basis = " ".join((basis or "").split())
    if not basis:
        errors["basis"] = "请填写清理依据（清理决定文件的发文字号或标题）"
    elif len(basis) > 200:
        errors["basis"] = "清理依据不能超过 200 个字"
    if errors:
        raise ValidationError(errors)
    return basis


@transaction.atomic
def notice_record_cleanup(
    *,
    notice: Notice,
    by,
    decided_date: date,
    result: str,
    basis: str,
    now: datetime,
) -> NoticeCleanupReview:
    """Record a 清理 decision on a notice (国办发〔2018〕37号). Only the lead (主办)
    agency's staff; 废止/宣布失效 set the notice's 有效性 through ``notice_update``."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if not publishing.acts_for_any_agency(by):
        agency = publishing.user_agency_or_refuse(by)
        if locked.owner_agency_id != agency.pk:
            raise PermissionDenied(
                f"“{locked.title}”的牵头发文机关不是本机关“{agency}”："
                "只有牵头发文机关可以登记清理决定"
            )
    if locked.status == Notice.Status.DRAFT:
        raise ValidationError("草稿尚未发布，不能登记清理决定")
    clean_basis = check_cleanup(
        notice=locked,
        decided_date=decided_date,
        result=result,
        basis=basis,
        today=timezone.localdate(now),
    )
    review = NoticeCleanupReview(
        notice=locked,
        decided_date=decided_date,
        result=result,
        basis=clean_basis,
        recorded_by=by,
        recorded_at=now,
    )
    review.full_clean()
    review.save()
    label = NoticeCleanupReview.Result(result).label
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.CLEANUP,
        changes={"cleanup": [f"{decided_date:%Y-%m-%d}", label, clean_basis]},
    )
    validity = CLEANUP_VALIDITY.get(result)
    if validity is not None and locked.validity != validity:
        notice_update(
            notice=locked,
            by=by,
            validity=validity,
            reason=f"清理决定：{label}（{clean_basis}）",
        )
    return review


def format_index_number(agency: Agency, year: int, month: int, seq: int) -> str:
    code = agency.org_code or f"A{agency.pk:04d}"
    try:
        return agency.index_template.format(
            org_code=code, year=year, month=f"{month:02d}", seq=seq
        )
    except (KeyError, ValueError, IndexError) as exc:
        raise ValidationError(f"机关“{agency}”的索引号模板无效：{exc}") from exc


def issue_index_number(agency: Agency, when: datetime) -> str:
    """Next 索引号 for ``agency`` in the year of ``when``: gapless and unique.

    Must run inside the publishing transaction: the counter row stays locked until
    commit, and a rollback returns the number (no gaps).
    """
    local = timezone.localtime(when)
    with connection.cursor() as cur:
        # create the counter row if it does not exist yet, without racing other publishers
        cur.execute(
            "INSERT INTO catalog_indexcounter (agency_id, year, last) VALUES (%s, %s, 0) "
            "ON CONFLICT (agency_id, year) DO NOTHING",
            [agency.pk, local.year],
        )
    counter = IndexCounter.objects.select_for_update().get(
        agency=agency, year=local.year
    )
    while True:
        counter.last += 1
        number = format_index_number(agency, local.year, local.month, counter.last)
        # an imported legacy notice may already hold this number: skip past it
        if not Notice.objects.filter(index_number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


def _drafter_id(notice: Notice) -> int | None:
    return (
        NoticeEvent.objects.filter(notice=notice, action=NoticeEvent.Action.CREATED)
        .order_by("at", "id")
        .values_list("actor_id", flat=True)
        .first()
    )


@transaction.atomic
def notice_confirm_security_review(*, notice: Notice, by, now: datetime) -> Notice:
    """保密审查 (条例 第十七条): ``by`` confirms the notice as it stands may be published.

    Any later edit of an unpublished notice clears the confirmation (``notice_update``).
    """
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    publishing.check_may_manage(user=by, notice=locked, reviewing=True)
    if by is None:
        raise ValidationError("保密审查须由具体的工作人员确认")
    if locked.status == Notice.Status.PUBLISHED:
        raise ValidationError("该信息已经发布，保密审查已在发布时记录")
    locked.security_reviewed_by = by
    locked.security_reviewed_at = now
    locked.save(update_fields=["security_reviewed_by", "security_reviewed_at"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.SECURITY_REVIEWED,
        changes={"security_reviewed_at": now.isoformat()},
    )
    return locked


def _check_publishable(
    locked: Notice,
    *,
    by,
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
) -> Agency:
    """The checks before publication, on the locked notice (``notice_publish`` and
    ``notice_schedule``): the managing agency, not yet published, personal data (an
    approver's override is recorded), and who confirmed the 保密审查. Returns the lead
    agency."""
    publishing.check_may_manage(user=by, notice=locked)
    if locked.status == Notice.Status.PUBLISHED:
        raise ValidationError("该信息已经发布")
    check_personal_data(
        locked, by=by, override_reason=override_reason, shown=override_shown
    )
    agency = Agency.objects.get(pk=locked.owner_agency_id)
    publishing.check_security_review(
        required_second=publishing.second_security_review_required(agency),
        reviewer_id=locked.security_reviewed_by_id,
        drafter_id=_drafter_id(locked),
        publisher_id=getattr(by, "pk", None),
    )
    return agency


@transaction.atomic
def notice_publish(
    *,
    notice: Notice,
    by,
    now: datetime,
    published_at: datetime | None = None,
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
) -> Notice:
    """Publish a draft (issuing its 索引号), or re-publish a withdrawn notice (keeping it).

    Only the lead agency's staff may publish (``catalog.publishing``). Records who
    confirmed the 保密审查: the confirmer on record, else the publisher, who confirms by
    publishing; when a second person is required, the confirmer on record must be
    someone other than the drafter and the publisher. Refused with
    ``PersonalDataFound`` while the notice shows personal data that no approver has
    overridden; ``override_reason`` (an approver's) overrides those shown.
    """
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    agency = _check_publishable(
        locked, by=by, override_reason=override_reason, override_shown=override_shown
    )
    changes: dict[str, Any] = {"status": [locked.status, Notice.Status.PUBLISHED]}
    if locked.status == Notice.Status.WITHDRAWN:
        changes["republished"] = True
        changes["withdrawn_category"] = [locked.withdrawn_category, ""]
    if not locked.index_number:
        locked.index_number = issue_index_number(agency, published_at or now)
        changes["index_number"] = [None, locked.index_number]
    if locked.published_at is None or published_at is not None:
        locked.published_at = published_at or now
        changes["published_at"] = [None, locked.published_at.isoformat()]
    if locked.security_reviewed_by_id is None and by is not None:
        locked.security_reviewed_by, locked.security_reviewed_at = by, now
    changes["security_reviewed_by"] = (
        str(locked.security_reviewed_by) if locked.security_reviewed_by_id else None
    )
    locked.status = Notice.Status.PUBLISHED
    locked.withdrawn_at = None
    locked.withdrawn_category = ""
    locked.withdrawn_reason = ""
    locked.scheduled_at, locked.scheduled_by = None, None
    locked.save(
        update_fields=[
            "status",
            "index_number",
            "published_at",
            "withdrawn_at",
            "withdrawn_category",
            "withdrawn_reason",
            "security_reviewed_by",
            "security_reviewed_at",
            "scheduled_at",
            "scheduled_by",
            "updated_at",
        ]
    )
    event = NoticeEvent.objects.create(
        notice=locked, actor=by, action=NoticeEvent.Action.PUBLISHED, changes=changes
    )
    record_revision(
        notice=locked,
        kind=NoticeRevision.Kind.REPUBLISHED
        if changes.get("republished")
        else NoticeRevision.Kind.PUBLISHED,
        by=by,
        now=now,
        event=event,
    )
    refresh_notice_search([locked.pk])
    return locked


def clean_withdrawal(category: str | None, reason: str | None) -> tuple[str, str]:
    """撤回 needs a reason category (shown publicly); the note is internal and optional."""
    category = (category or "").strip()
    if category not in Notice.WithdrawalCategory.values:
        raise ValidationError({"category": "请选择撤回原因类别"})
    return category, (reason or "").strip()


@transaction.atomic
def notice_withdraw(
    *, notice: Notice, by, now: datetime, category: str, reason: str = ""
) -> Notice:
    """撤回 (published by mistake or unlawfully): taken down from public view.

    The public page then shows only the title, 索引号, date and the reason category;
    body, summary, attachments, API text, feed, sitemap and search entries are no longer
    served (catalog.views / api / feeds / sitemaps). The content is kept for the record
    and the lead agency's staff can still read it; a re-publication undoes it. The write
    bumps the catalog generation (trigger, migrations 0005/0006), so the page cache and
    the cached search totals are stale from this very transaction on.

    A repealed or expired document (废止/失效) is not withdrawn: it stays public and
    its 有效性 says so.
    """
    category, reason = clean_withdrawal(category, reason)
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    publishing.check_may_manage(user=by, notice=locked)
    if locked.status != Notice.Status.PUBLISHED:
        raise ValidationError("只有已发布的信息可以撤回")
    locked.status = Notice.Status.WITHDRAWN
    locked.withdrawn_at = now
    locked.withdrawn_category = category
    locked.withdrawn_reason = reason
    changes: dict[str, Any] = {
        "status": [Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN],
        "withdrawn_category": category,
    }
    # a re-publication is a new decision to publish: 保密审查 again
    reviewed = forget_security_review(locked, changes)
    locked.save(
        update_fields=[
            "status",
            "withdrawn_at",
            "withdrawn_category",
            "withdrawn_reason",
            "updated_at",
            *reviewed,
        ]
    )
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.WITHDRAWN,
        changes=changes,
        reason=reason,
    )
    return locked


# --- 待审核 and 定时发布 -----------------------------------------------------------------


@transaction.atomic
def notice_submit_for_review(*, notice: Notice, by, now: datetime) -> Notice:
    """提交审核: the drafter asks an approver to confirm the 保密审查 and publish. Records
    who and when; the draft shows under 待审核 until the review is confirmed."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    publishing.check_may_manage(user=by, notice=locked)
    if by is None:
        raise ValidationError("提交审核须由具体的工作人员操作")
    if locked.status != Notice.Status.DRAFT:
        raise ValidationError("只有草稿可以提交审核")
    if locked.security_reviewed_by_id:
        raise ValidationError("该草稿的保密审查已经确认，可以直接发布，无需再提交审核")
    locked.submitted_by, locked.submitted_at = by, now
    locked.save(update_fields=["submitted_by", "submitted_at", "updated_at"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.SUBMITTED,
        changes={"submitted_at": now.isoformat()},
    )
    return locked


@transaction.atomic
def notice_schedule(
    *,
    notice: Notice,
    by,
    at: datetime,
    now: datetime,
    override_reason: str = "",
    override_shown: Iterable[str] | None = None,
) -> Notice:
    """定时发布: ``publish_scheduled`` publishes the draft at ``at`` (its 发布时间).

    Runs now every check of ``notice_publish`` (managing agency, personal data, who
    confirmed the 保密审查), so a refusal is seen when scheduling, not at night; the
    command runs them again at publication. Any later change of the content drops the
    schedule (``forget_security_review``)."""
    if at is None or timezone.is_naive(at):
        raise ValidationError({"scheduled_at": "请填写定时发布的日期和时间"})
    if at <= now:
        raise ValidationError(
            {
                "scheduled_at": f"定时发布时间 {timezone.localtime(at):%Y-%m-%d %H:%M} "
                "已经过去，请选择将来的时间，或直接发布"
            }
        )
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status == Notice.Status.WITHDRAWN:
        raise ValidationError("已撤回的信息不能定时发布；如需重新发布，请直接发布")
    _check_publishable(
        locked, by=by, override_reason=override_reason, override_shown=override_shown
    )
    old = locked.scheduled_at
    locked.scheduled_at, locked.scheduled_by = at, by
    locked.save(update_fields=["scheduled_at", "scheduled_by", "updated_at"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.SCHEDULED,
        changes={"scheduled_at": [_jsonable(old), at.isoformat()]},
    )
    return locked


@transaction.atomic
def notice_unschedule(*, notice: Notice, by, reason: str = "") -> Notice:
    """Cancel a 定时发布: the notice stays a draft."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    publishing.check_may_manage(user=by, notice=locked)
    if locked.scheduled_at is None:
        raise ValidationError("该信息没有设定定时发布")
    old = locked.scheduled_at
    locked.scheduled_at, locked.scheduled_by = None, None
    locked.save(update_fields=["scheduled_at", "scheduled_by", "updated_at"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.UNSCHEDULED,
        changes={"scheduled_at": [old.isoformat(), None]},
        reason=reason[:300],
    )
    return locked


def notice_publish_due(*, now: datetime) -> list[tuple[Notice, str | None]]:
    """Publish every draft whose 定时发布 time has come (``publish_scheduled``).

    One transaction per notice, taken with ``select_for_update(skip_locked=True)``: two
    runs at once never publish the same notice twice, and a second run finds nothing
    left. Each goes through ``notice_publish`` as the person who scheduled it, with
    发布时间 = the scheduled time, so every check runs again; a refusal drops the
    schedule (the notice stays a draft) and records a ``sched_failed`` event with the
    reason. Returns (notice, None) for each published and (notice, reason) for each
    refused."""
    results: list[tuple[Notice, str | None]] = []
    while True:
        with transaction.atomic():
            due = (
                Notice.objects.select_for_update(skip_locked=True)
                .filter(status=Notice.Status.DRAFT, scheduled_at__lte=now)
                .exclude(pk__in=[n.pk for n, _ in results])
                .order_by("scheduled_at", "pk")
                .first()
            )
            if due is None:
                return results
            by = due.scheduled_by
            try:
                published = notice_publish(
                    notice=due, by=by, now=now, published_at=due.scheduled_at
                )
            except (ValidationError, PermissionDenied) as exc:
                reason = "；".join(
                    exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                )
                scheduled = due.scheduled_at
                due.scheduled_at, due.scheduled_by = None, None
                due.save(update_fields=["scheduled_at", "scheduled_by", "updated_at"])
                NoticeEvent.objects.create(
                    notice=due,
                    actor=by,
                    action=NoticeEvent.Action.SCHEDULE_FAILED,
                    changes={"scheduled_at": [scheduled.isoformat(), None]},
                    reason=reason[:300],
                )
                results.append((due, reason))
            else:
                results.append((published, None))


# --- 政策解读 links -----------------------------------------------------------------------


def _notice_label(notice: Notice) -> str:
    return (
        f"{notice.title}（{notice.index_number}）"
        if notice.index_number
        else notice.title
    )


def _lock_pair(policy: Notice, interpretation: Notice) -> tuple[Notice, Notice]:
    # lock both rows in a fixed order so two staff linking the same pair cannot deadlock
    locked = {
        n.pk: n
        for n in Notice.objects.select_for_update()
        .filter(pk__in=[policy.pk, interpretation.pk])
        .order_by("pk")
    }
    return locked[policy.pk], locked[interpretation.pk]


def _publisher_ids(notice: Notice) -> set[int]:
    return set(
        NoticePublisher.objects.filter(notice=notice).values_list(
            "agency_id", flat=True
        )
    )


def _link_mode(*, by, policy: Notice, interpretation: Notice) -> str:
    return publishing.interpretation_link_mode(
        user=by,
        policy=policy,
        interpretation=interpretation,
        policy_publishers=_publisher_ids(policy),
        interpretation_publishers=_publisher_ids(interpretation),
    )


def _write_link(*, policy: Notice, interpretation: Notice, by, reason: str) -> None:
    policy.interpretations.add(interpretation)
    NoticeEvent.objects.create(
        notice=policy,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        reason=reason,
        changes={"interpretations": [None, _notice_label(interpretation)]},
    )
    NoticeEvent.objects.create(
        notice=interpretation,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        reason=reason,
        changes={"interpreted_policies": [None, _notice_label(policy)]},
    )


@transaction.atomic
def notice_link_interpretation(
    *,
    policy: Notice,
    interpretation: Notice,
    by,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """Link a policy to its 解读 (shown on both pages). Recorded in both notices' history.

    When ``by``'s agency publishes only one of the two notices, the link is not made:
    an ``InterpretationLinkRequest`` waits for the other notice's lead agency
    (``notice_decide_interpretation_link``), and nothing shows publicly until then.
    Refused when ``by``'s agency publishes neither. Returns False when the link (or an
    open request for it) already existed (nothing is written then).
    """
    if policy.pk == interpretation.pk:
        raise ValidationError({"interpretations": "不能把文件链接为它自己的解读"})
    policy, interpretation = _lock_pair(policy, interpretation)
    if policy.interpretations.filter(pk=interpretation.pk).exists():
        return False
    mode = _link_mode(by=by, policy=policy, interpretation=interpretation)
    if mode == "direct":
        _write_link(policy=policy, interpretation=interpretation, by=by, reason=reason)
        return True
    pending = InterpretationLinkRequest.objects.filter(
        policy=policy,
        interpretation=interpretation,
        status=InterpretationLinkRequest.Status.PENDING,
    )
    if pending.exists():
        return False
    agency = publishing.user_agency_or_refuse(by)
    own_policy = publishing.agency_publishes(agency.pk, policy, _publisher_ids(policy))
    other = interpretation if own_policy else policy
    InterpretationLinkRequest.objects.create(
        policy=policy,
        interpretation=interpretation,
        requested_by_agency=agency,
        deciding_agency_id=other.owner_agency_id,
        requested_by=by,
        requested_at=now or timeutil.local_now(),
    )
    for notice, label in (
        (policy, _notice_label(interpretation)),
        (interpretation, _notice_label(policy)),
    ):
        NoticeEvent.objects.create(
            notice=notice,
            actor=by,
            action=NoticeEvent.Action.LINK_REQUESTED,
            reason=reason,
            changes={"pending_link": label, "requested_by_agency": str(agency)},
        )
    return True


@transaction.atomic
def notice_decide_interpretation_link(
    *, link_request: InterpretationLinkRequest, by, now: datetime, accept: bool
) -> InterpretationLinkRequest:
    """The other agency accepts (the link is made) or refuses a pending 解读 link."""
    locked = InterpretationLinkRequest.objects.select_for_update().get(
        pk=link_request.pk
    )
    if not publishing.acts_for_any_agency(by):
        agency = publishing.user_agency_or_refuse(by)
        if agency.pk != locked.deciding_agency_id:
            raise PermissionDenied(
                "只有被关联信息的牵头发文机关可以接受或拒绝该解读关联"
            )
    if locked.status != InterpretationLinkRequest.Status.PENDING:
        raise ValidationError(
            f"该解读关联申请已处理（{locked.get_status_display()}），不能重复处理"
        )
    policy, interpretation = _lock_pair(locked.policy, locked.interpretation)
    locked.status = (
        InterpretationLinkRequest.Status.ACCEPTED
        if accept
        else InterpretationLinkRequest.Status.REFUSED
    )
    locked.decided_by, locked.decided_at = by, now
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    action = (
        NoticeEvent.Action.LINK_ACCEPTED if accept else NoticeEvent.Action.LINK_REFUSED
    )
    for notice, label in (
        (policy, _notice_label(interpretation)),
        (interpretation, _notice_label(policy)),
    ):
        NoticeEvent.objects.create(
            notice=notice, actor=by, action=action, changes={"pending_link": label}
        )
    if accept and not policy.interpretations.filter(pk=interpretation.pk).exists():
        _write_link(policy=policy, interpretation=interpretation, by=by, reason="")
    return locked


@transaction.atomic
def notice_unlink_interpretation(
    *, policy: Notice, interpretation: Notice, by, reason: str = ""
) -> bool:
    policy, interpretation = _lock_pair(policy, interpretation)
    if not policy.interpretations.filter(pk=interpretation.pk).exists():
        return False
    _link_mode(by=by, policy=policy, interpretation=interpretation)
    policy.interpretations.remove(interpretation)
    NoticeEvent.objects.create(
        notice=policy,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        reason=reason,
        changes={"interpretations": [_notice_label(interpretation), None]},
    )
    NoticeEvent.objects.create(
        notice=interpretation,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        reason=reason,
        changes={"interpreted_policies": [_notice_label(policy), None]},
    )
    return True


@transaction.atomic
def notice_set_interpretations(
    *,
    policy: Notice,
    interpretations: Iterable[Notice],
    by,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """Make ``policy``'s 解读 exactly ``interpretations`` (link new ones, unlink the rest)."""
    wanted = {n.pk: n for n in interpretations}
    current = {n.pk: n for n in policy.interpretations.all()}
    changed = False
    for pk, other in current.items():
        if pk not in wanted:
            changed |= notice_unlink_interpretation(
                policy=policy, interpretation=other, by=by, reason=reason
            )
    for pk, other in wanted.items():
        if pk not in current:
            changed |= notice_link_interpretation(
                policy=policy, interpretation=other, by=by, reason=reason, now=now
            )
    return changed


# --- import (legacy 索引号 kept as is) -----------------------------------------------------

INDEX_NUMBER_MAX = Notice._meta.get_field("index_number").max_length


def clean_index_number(raw: str | None) -> str | None:
    """A given 索引号 is kept exactly (legacy formats vary, domain.md §4.3); only trimmed."""
    if raw is None:
        return None
    value = str(raw).strip()
    if not value:
        return None
    if (
        len(value) > INDEX_NUMBER_MAX
        or re.search(r"\s", value)
        or not value.isprintable()
    ):
        raise ValidationError(
            {
                "index_number": f"索引号“{value[:80]}”不能含空白字符，且不超过 {INDEX_NUMBER_MAX} 个字符"
            }
        )
    return value


UNCHANGED, CREATED, UPDATED = "unchanged", "created", "updated"


@transaction.atomic
def notice_import_upsert(
    *,
    publishers: list[Agency],
    published_at: datetime,
    by=None,
    index_number: str | None = None,
    withdrawn: dict[str, Any] | bool | None = False,
    security_reviewed_by=None,
    security_reviewed_at: datetime | None = None,
    **fields: Any,
) -> tuple[Notice, str]:
    """Create or update one imported notice, published at ``published_at``.

    Idempotent: the notice is found by its 索引号 (kept exactly as given), or, when the
    line has none, by the same 主办机关 + 标题 + 发布时间 (so re-running a file without
    索引号 still never duplicates). A new notice without 索引号 is issued one from its
    agency's template for the year of ``published_at``.

    ``fields`` holds only the keys the line gave (absent keys leave an existing notice
    unchanged). ``withdrawn``: False = not given; None = published (not withdrawn);
    ``{"at": datetime, "reason": str}`` = withdrawn (撤销) with that reason.

    保密审查 (条例 第十七条): a line that would publish — a new notice, a draft or
    withdrawn one made public, or a change to a published one — needs
    ``security_reviewed_by``, who is recorded with ``security_reviewed_at`` (default:
    now) on the notice and in the event (``publishing.import_reviewer_problem`` says who
    may confirm). Without a valid confirmer a new or draft notice is kept as a draft, a
    withdrawn one stays withdrawn, and ``notice.import_held`` says why (it is "" when
    nothing was held back); a change to a published notice is refused
    (``ValidationError``), as taking it down would be a 撤回 nobody decided.

    Writes one ``imported`` history event when anything changed. Returns the notice and
    ``"created"``, ``"updated"`` or ``"unchanged"``.
    """
    if not publishers:
        raise ValidationError({"publishers": "至少需要一个发文机关"})
    if published_at is None or timezone.is_naive(published_at):
        raise ValidationError({"published_at": "发布时间必须是带时区的时间"})
    owner = publishers[0]
    # an operator's import (by=None) acts for the agencies each line names; with
    # ``--user`` it acts for that user's agency only (catalog.publishing)
    publishing.check_publishers(user=by, owner_agency=owner, publishers=publishers)
    index_number = clean_index_number(index_number)
    data = _normalise_fields(fields)
    if withdrawn not in (False, None):
        reason = str(withdrawn.get("reason") or "").strip()  # type: ignore[union-attr]
        if not reason:
            raise ValidationError({"withdrawn": "撤销的信息必须写明撤销原因"})
        category = withdrawn.get("category") or Notice.WithdrawalCategory.OTHER  # type: ignore[union-attr]
        category, reason = clean_withdrawal(category, reason)
        withdrawn = {
            "at": withdrawn.get("at") or published_at,  # type: ignore[union-attr]
            "reason": reason,
            "category": category,
        }

    if index_number:
        existing = (
            Notice.objects.select_for_update().filter(index_number=index_number).first()
        )
    else:
        existing = (
            Notice.objects.select_for_update()
            .filter(
                owner_agency=owner,
                title=data.get("title", ""),
                published_at=published_at,
            )
            .order_by("pk")
            .first()
        )

    reviewed_at = security_reviewed_at or timeutil.local_now()

    def review_problem(drafter_id: int | None) -> str:
        return publishing.import_reviewer_problem(
            reviewer=security_reviewed_by,
            agency=owner,
            operator=by,
            drafter_id=drafter_id,
        )

    if existing is None:
        notice = Notice(
            owner_agency=owner,
            published_at=published_at,
            status=Notice.Status.PUBLISHED,
            **data,
        )
        notice.import_held = ""
        if isinstance(withdrawn, dict):
            notice.status = Notice.Status.WITHDRAWN
            notice.withdrawn_at, notice.withdrawn_reason = (
                withdrawn["at"],
                withdrawn["reason"],
            )
            notice.withdrawn_category = withdrawn["category"]
        else:
            problem = review_problem(None)
            if problem:
                notice.status = Notice.Status.DRAFT
                notice.import_held = f"{problem}，已作为草稿导入、未发布"
            else:
                notice.security_reviewed_by = security_reviewed_by
                notice.security_reviewed_at = reviewed_at
        notice.full_clean(exclude=CLEAN_EXCLUDE)
        notice.index_number = index_number or issue_index_number(owner, published_at)
        notice.save()
        _set_publishers(notice, publishers)
        changes = {k: _jsonable(v) for k, v in data.items() if v not in ("", None, [])}
        changes.update(
            index_number=notice.index_number,
            published_at=published_at.isoformat(),
            publishers=[str(a) for a in publishers],
            status=notice.status,
        )
        if isinstance(withdrawn, dict):
            changes["withdrawn_reason"] = withdrawn["reason"]
        if notice.security_reviewed_by_id:
            changes["security_reviewed_by"] = str(notice.security_reviewed_by)
        if notice.import_held:
            changes["security_review"] = notice.import_held
        NoticeEvent.objects.create(
            notice=notice, actor=by, action=NoticeEvent.Action.IMPORTED, changes=changes
        )
        refresh_notice_search([notice.pk])
        return notice, CREATED

    notice = existing
    notice.import_held = ""
    publishing.check_may_manage(user=by, notice=notice)
    if notice.status == Notice.Status.PUBLISHED:
        # the version the import replaces stays in the history
        ensure_baseline_revision(notice, now=timeutil.local_now())
    was_status = notice.status
    was_withdrawal = (
        notice.withdrawn_at,
        notice.withdrawn_reason,
        notice.withdrawn_category,
    )
    changes: dict[str, Any] = {}
    for name, value in data.items():
        old = getattr(notice, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(notice, name, value)
    if notice.owner_agency_id != owner.pk:
        changes["owner_agency"] = [str(notice.owner_agency), str(owner)]
        notice.owner_agency = owner
    if notice.published_at != published_at:
        changes["published_at"] = [
            _jsonable(notice.published_at),
            published_at.isoformat(),
        ]
        notice.published_at = published_at
    if not notice.index_number:  # a draft matched by title: it gets its number now
        notice.index_number = index_number or issue_index_number(owner, published_at)
        changes["index_number"] = [None, notice.index_number]
    target_status = notice.status
    if isinstance(withdrawn, dict):
        target_status = Notice.Status.WITHDRAWN
        if (
            notice.withdrawn_reason != withdrawn["reason"]
            or notice.withdrawn_at != withdrawn["at"]
            or notice.withdrawn_category != withdrawn["category"]
        ):
            changes["withdrawn_reason"] = [notice.withdrawn_reason, withdrawn["reason"]]
            notice.withdrawn_at, notice.withdrawn_reason = (
                withdrawn["at"],
                withdrawn["reason"],
            )
            notice.withdrawn_category = withdrawn["category"]
    elif withdrawn is None or notice.status == Notice.Status.DRAFT:
        target_status = Notice.Status.PUBLISHED
        notice.withdrawn_at, notice.withdrawn_reason = None, ""
        notice.withdrawn_category = ""
    old_names = _publisher_names(notice)
    new_names = [str(a) for a in publishers]
    publishers_changed = old_names != new_names
    review_fields: list[str] = []
    if target_status == Notice.Status.PUBLISHED and (
        was_status != Notice.Status.PUBLISHED or changes or publishers_changed
    ):
        problem = review_problem(_drafter_id(notice))
        if problem and was_status == Notice.Status.PUBLISHED:
            raise ValidationError(
                f"{problem}：已发布信息的修改须记录保密审查，本行未导入"
                "（导入时用 --security-reviewed-by 指明确认人）"
            )
        if problem:
            target_status = was_status  # a draft stays a draft, a withdrawal stays
            if was_status == Notice.Status.WITHDRAWN:
                notice.import_held = f"{problem}，未重新发布（仍为已撤回）"
                (
                    notice.withdrawn_at,
                    notice.withdrawn_reason,
                    notice.withdrawn_category,
                ) = was_withdrawal
                changes.pop("withdrawn_reason", None)
            else:
                notice.import_held = f"{problem}，已作为草稿导入、未发布"
        else:
            changes["security_reviewed_by"] = [
                str(notice.security_reviewed_by)
                if notice.security_reviewed_by_id
                else None,
                str(security_reviewed_by),
            ]
            notice.security_reviewed_by = security_reviewed_by
            notice.security_reviewed_at = reviewed_at
            review_fields = ["security_reviewed_by", "security_reviewed_at"]
    if target_status != notice.status:
        changes["status"] = [notice.status, target_status]
        notice.status = target_status
    if target_status != Notice.Status.PUBLISHED and (changes or publishers_changed):
        # what was reviewed is no longer what would be published
        review_fields += forget_security_review(notice, changes)
    if notice.import_held and (changes or publishers_changed):
        changes["security_review"] = notice.import_held
    if publishers_changed:
        changes["publishers"] = [old_names, new_names]
        _set_publishers(notice, publishers)
    if not changes:
        return notice, UNCHANGED
    notice.full_clean(exclude=CLEAN_EXCLUDE)
    update_fields = {
        name
        for name in changes
        if name not in ("publishers", "security_review", "security_reviewed_by")
    }
    update_fields |= set(review_fields)
    if "withdrawn_reason" in update_fields or "status" in update_fields:
        update_fields |= {"withdrawn_at", "withdrawn_reason", "withdrawn_category"}
    notice.save(update_fields=sorted(update_fields | {"updated_at"}))
    NoticeEvent.objects.create(
        notice=notice, actor=by, action=NoticeEvent.Action.IMPORTED, changes=changes
    )
    refresh_notice_search([notice.pk])
    return notice, UPDATED


@transaction.atomic
def notice_import_confirm_review(
    *,
    notice: Notice,
    by=None,
    security_reviewed_by=None,
    security_reviewed_at: datetime | None = None,
) -> Notice:
    """An import changed only the attachments of a published notice: the line's
    confirmer is recorded as for any other change (``notice_import_upsert``), or the
    change is refused (``ValidationError``; the caller rolls the line back)."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    agency = Agency.objects.get(pk=locked.owner_agency_id)
    problem = publishing.import_reviewer_problem(
        reviewer=security_reviewed_by,
        agency=agency,
        operator=by,
        drafter_id=_drafter_id(locked),
    )
    if problem:
        raise ValidationError(
            f"{problem}：已发布信息的附件变更须记录保密审查，本行未导入"
            "（导入时用 --security-reviewed-by 指明确认人）"
        )
    locked.security_reviewed_by = security_reviewed_by
    locked.security_reviewed_at = security_reviewed_at or timeutil.local_now()
    locked.save(update_fields=["security_reviewed_by", "security_reviewed_at"])
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.SECURITY_REVIEWED,
        changes={
            "security_reviewed_by": str(security_reviewed_by),
            "security_reviewed_at": locked.security_reviewed_at.isoformat(),
            "source": "导入",
        },
    )
    return locked


IMPORT_OVERRIDE_REASON = "导入时使用 --allow-personal-data 放行"


@transaction.atomic
def notice_import_screen(
    *, notice: Notice, by=None, allow_personal_data: bool = False
) -> list[LocatedFinding]:
    """The personal-data guard for an imported line, after its text and attachments are in.

    A public notice showing findings not overridden before becomes a draft (not
    published; its 索引号 is kept) with an ``updated`` event naming them (masked). With
    ``allow_personal_data`` it stays public and a ``pii_override`` event records the
    findings and that the import allowed them. Returns the findings (none: clean).

    A line that leaves the notice published, with content other than its last
    revision, writes an ``imported`` revision (the operator's import is its own 保密
    审查 path: ``docs/revisions.md``)."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    findings = _import_screen(locked, notice=notice, by=by, allow=allow_personal_data)
    if locked.status == Notice.Status.PUBLISHED:
        previous = _latest_revision(locked.pk)
        if previous is None or revisions.changed_fields(
            previous.content, revisions.snapshot(locked)
        ):
            record_revision(
                notice=locked,
                kind=NoticeRevision.Kind.IMPORTED,
                by=by,
                now=timeutil.local_now(),
                event=NoticeEvent.objects.filter(
                    notice=locked, action=NoticeEvent.Action.IMPORTED
                )
                .order_by("-at", "-id")
                .first(),
                reason="导入",
            )
    return findings


def _import_screen(
    locked: Notice, *, notice: Notice, by, allow: bool
) -> list[LocatedFinding]:
    if locked.status == Notice.Status.DRAFT:
        return []
    findings = unresolved_findings(locked)
    if not findings:
        return []
    if allow:
        NoticeEvent.objects.create(
            notice=locked,
            actor=by,
            action=NoticeEvent.Action.PII_OVERRIDE,
            changes=override_record(findings),
            reason=IMPORT_OVERRIDE_REASON,
        )
        return findings
    changes = {
        "status": [locked.status, Notice.Status.DRAFT],
        "personal_data": override_record(findings)["findings"],
    }
    locked.status = Notice.Status.DRAFT
    locked.withdrawn_at = None
    locked.withdrawn_reason = ""
    locked.save(
        update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"]
    )
    NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        changes=changes,
        reason="导入时发现个人信息，未发布，改为草稿",
    )
    refresh_notice_search([locked.pk])
    notice.status = locked.status
    return findings


# -- entries published on behalf of another record (the annual report) -------------------

# what the other record decides on a later publication; the rest (主题分类, 关键词 …) is set
# once at creation and then belongs to the agency's staff like any notice's
MIRROR_FIELDS = ("title", "body")


@transaction.atomic
def notice_publish_mirror(
    *,
    owner_agency: Agency,
    index_number: str,
    published_at: datetime,
    by,
    reviewed_by,
    now: datetime,
    reason: str,
    cleared_fingerprints: Iterable[str] = (),
    cleared_reason: str = "",
    **fields: Any,
) -> Notice:
    """The catalog entry of a record that another app publishes under its own 索引号
    (``disclosure``: a published annual report), so that search, lists and the 索引号
    find it: created published with that 索引号 and ``published_at``, or — when the
    record is published again (a correction) — its 标题 and 正文 brought up to date.

    The record went through its own review: ``reviewed_by`` (who approved it, else
    ``by``) is recorded as the 保密审查 confirmer. The personal-data guard applies as on
    every publication path: findings the record's own guard let through (an approver's
    ``cleared_reason`` for ``cleared_fingerprints``) are recorded as a ``pii_override``
    event on the notice; any other finding refuses with ``PersonalDataFound``, and the
    caller's transaction rolls back with it. An entry the agency withdrew (撤回) stays
    withdrawn; only its content follows the record."""
    index_number = clean_index_number(index_number) or ""
    if not index_number:
        raise ValidationError({"index_number": "索引号不能为空"})
    if published_at is None or timezone.is_naive(published_at):
        raise ValidationError({"published_at": "发布时间必须是带时区的时间"})
    publishing.check_publishers(
        user=by, owner_agency=owner_agency, publishers=[owner_agency]
    )
    data = _normalise_fields(fields)
    notice = (
        Notice.objects.select_for_update().filter(index_number=index_number).first()
    )
    created = notice is None
    changes: dict[str, Any] = {}
    if created:
        notice = Notice(
            owner_agency=owner_agency,
            index_number=index_number,
            published_at=published_at,
            status=Notice.Status.PUBLISHED,
            **data,
        )
        changes = {k: _jsonable(v) for k, v in data.items() if v not in ("", None, [])}
        changes.update(index_number=index_number, published_at=published_at.isoformat())
    else:
        if notice.owner_agency_id != owner_agency.pk:
            raise ValidationError(
                {
                    "index_number": f"索引号 {index_number} 已被另一机关的政府信息"
                    f"“{notice.title}”使用"
                }
            )
        for name in MIRROR_FIELDS:
            if name in data and getattr(notice, name) != data[name]:
                changes[name] = [
                    _jsonable(getattr(notice, name)),
                    _jsonable(data[name]),
                ]
                setattr(notice, name, data[name])
        if notice.status == Notice.Status.DRAFT:
            changes["status"] = [notice.status, Notice.Status.PUBLISHED]
            notice.status = Notice.Status.PUBLISHED
    if not changes:
        return notice
    reviewer = reviewed_by or by
    if reviewer is not None and notice.status != Notice.Status.WITHDRAWN:
        notice.security_reviewed_by, notice.security_reviewed_at = reviewer, now
        changes["security_reviewed_by"] = str(reviewer)
    notice.full_clean(exclude=CLEAN_EXCLUDE)
    findings = unresolved_findings(notice)
    cleared = set(cleared_fingerprints)
    unseen = [f for f in findings if f.fingerprint not in cleared]
    if unseen:
        raise PersonalDataFound(unseen)
    if created:
        notice.save()
        _set_publishers(notice, [owner_agency])
    else:
        notice.save(
            update_fields=[
                *(f for f in MIRROR_FIELDS if f in changes),
                "status",
                "security_reviewed_by",
                "security_reviewed_at",
                "updated_at",
            ]
        )
    if findings:
        NoticeEvent.objects.create(
            notice=notice,
            actor=by,
            action=NoticeEvent.Action.PII_OVERRIDE,
            changes=override_record(findings),
            reason=(cleared_reason or reason).strip()[:300],
        )
    NoticeEvent.objects.create(
        notice=notice,
        actor=by,
        action=NoticeEvent.Action.PUBLISHED if created else NoticeEvent.Action.UPDATED,
        changes=changes,
        reason=reason[:300],
    )
    refresh_notice_search([notice.pk])
    return notice


# -- 基层政务公开标准目录 ----------------------------------------------------------------


@transaction.atomic
def standard_item_upsert(
    *,
    domain: str,
    source: str,
    agency: Agency,
    category: str,
    name: str,
    content: str,
    basis: str,
    time_limit: str,
    time_limit_working_days: int | None,
    disclosure_method: str,
    column=None,
    sort_order: int = 100,
) -> str:
    """Create or update one standard-catalogue item (key: 领域, 公开主体, 一级事项,
    事项名称). Returns "created", "updated" or "unchanged". The caller has checked the
    values (catalog.standard_catalogue.check_records)."""
    from catalog.models import StandardDomain, StandardItem

    domain_row = StandardDomain.objects.select_for_update().filter(name=domain).first()
    if domain_row is None:
        domain_row = StandardDomain.objects.create(name=domain, source=source)
    elif source and domain_row.source != source:
        domain_row.source = source
        domain_row.save(update_fields=["source"])
    values = {
        "content": content,
        "basis": basis,
        "time_limit": time_limit,
        "time_limit_working_days": time_limit_working_days,
        "disclosure_method": disclosure_method,
        "column_id": column.pk if column else None,
        "sort_order": sort_order,
    }
    item = (
        StandardItem.objects.select_for_update()
        .filter(domain=domain_row, agency=agency, category=category, name=name)
        .first()
    )
    if item is None:
        StandardItem.objects.create(
            domain=domain_row, agency=agency, category=category, name=name, **values
        )
        return "created"
    changed = [f for f, v in values.items() if getattr(item, f) != v]
    if not changed:
        return "unchanged"
    for f in changed:
        setattr(item, f, values[f])
    item.save(update_fields=[*changed, "updated_at"])
    return "updated"


@transaction.atomic
def standard_item_set_notices(*, item, notices: Iterable[Notice], by=None) -> None:
    """Link the notices that fulfil a standard-catalogue item. Only published or draft
    notices of the item's 公开主体 may be linked (staff edit their own agency's items)."""
    from catalog.models import StandardItem

    locked = StandardItem.objects.select_for_update().get(pk=item.pk)
    notices = list(notices)
    foreign = [n for n in notices if n.owner_agency_id != locked.agency_id]
    if foreign:
        raise ValidationError(
            {"notices": [f"“{foreign[0].title}”不是{locked.agency}的信息，不能关联"]}
        )
    locked.notices.set(notices)


@transaction.atomic
def column_set_required_agencies(*, column, agencies: Iterable[Agency]) -> None:
    """Which agencies must fill a “部分机关” column (the compliance monitor reads it)."""
    from catalog.models import Column

    locked = Column.objects.select_for_update().get(pk=column.pk)
    locked.required_agencies.set(list(agencies))
