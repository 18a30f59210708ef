"""Every state change of a notice. Each runs in a transaction, locks the row, and writes
an append-only ``NoticeEvent`` (who, when, what). Views, the admin, commands and tests
all call these; nothing else changes a notice's status or 索引号."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import IndexCounter, Notice, NoticeEvent, NoticePublisher
from catalog.sanitize import clean_body
from catalog.search import refresh_notice_search
from portal.models import Agency
from portal.validators import normalise_doc_number

# Fields staff may set through notice_create/notice_update (never status or 索引号).
EDITABLE_FIELDS = (
    "title", "doc_number", "written_date", "theme", "genre", "validity", "valid_from", "valid_until",
    "disclosure_mode", "audience", "department", "keywords", "summary", "body", "column",
)


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
    return out


def _set_publishers(notice: Notice, publishers: Iterable[Agency]) -> None:
    NoticePublisher.objects.filter(notice=notice).delete()
    NoticePublisher.objects.bulk_create(
        NoticePublisher(notice=notice, agency=agency, position=i) for i, agency in enumerate(publishers)
    )


@transaction.atomic
def notice_create(
    *, owner_agency: Agency, by, publishers: Iterable[Agency] | None = None, **fields: Any
) -> Notice:
    data = _normalise_fields(fields)
    notice = Notice(owner_agency=owner_agency, **data)
    notice.full_clean(exclude=["index_number", "search_vector"])
    notice.save()
    _set_publishers(notice, list(publishers) if publishers else [owner_agency])
    NoticeEvent.objects.create(
        notice=notice, actor=by, action=NoticeEvent.Action.CREATED,
        changes={k: _jsonable(v) for k, v in data.items() if v not in ("", None, [])},
    )
    refresh_notice_search([notice.pk])
    return notice


@transaction.atomic
def notice_update(*, notice: Notice, by, publishers: Iterable[Agency] | None = None, reason: str = "", **fields: Any) -> Notice:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    data = _normalise_fields(fields)
    changes: dict[str, list[Any]] = {}
    for name, value in data.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(locked, name, value)
    if publishers is not None:
        new = list(publishers)
        old_names = [str(a) for a in locked.publishers.order_by("publisher_links__position")]
        if old_names != [str(a) for a in new]:
            changes["publishers"] = [old_names, [str(a) for a in new]]
            _set_publishers(locked, new)
    if changes:
        locked.full_clean(exclude=["index_number", "search_vector"])
        locked.save(update_fields=[f for f in changes if f != "publishers"] + ["updated_at"])
        NoticeEvent.objects.create(
            notice=locked, actor=by, action=NoticeEvent.Action.UPDATED, changes=changes, reason=reason
        )
        refresh_notice_search([locked.pk])
    return locked


def format_index_number(agency: Agency, year: int, month: int, seq: int) -> str:
    code = agency.org_code or f"A{agency.pk:04d}"
    try:
        return agency.index_template.format(org_code=code, year=year, month=f"{month:02d}", seq=seq)
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
    counter = IndexCounter.objects.select_for_update().get(agency=agency, year=local.year)
    while True:
        counter.last += 1
        number = format_index_number(agency, local.year, local.month, counter.last)
        # an imported legacy notice may already hold this number: skip past it
        if not Notice.objects.filter(index_number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


@transaction.atomic
def notice_publish(*, notice: Notice, by, now: datetime, published_at: datetime | None = None) -> Notice:
    """Publish a draft (issuing its 索引号), or re-publish a withdrawn notice (keeping it)."""
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status == Notice.Status.PUBLISHED:
        raise ValidationError("该信息已经发布")
    changes: dict[str, Any] = {"status": [locked.status, Notice.Status.PUBLISHED]}
    if not locked.index_number:
        agency = Agency.objects.get(pk=locked.owner_agency_id)
        locked.index_number = issue_index_number(agency, published_at or now)
        changes["index_number"] = [None, locked.index_number]
    if locked.published_at is None or published_at is not None:
        locked.published_at = published_at or now
        changes["published_at"] = [None, locked.published_at.isoformat()]
    locked.status = Notice.Status.PUBLISHED
    locked.withdrawn_at = None
    locked.withdrawn_reason = ""
    locked.save(update_fields=["status", "index_number", "published_at", "withdrawn_at", "withdrawn_reason", "updated_at"])
    NoticeEvent.objects.create(notice=locked, actor=by, action=NoticeEvent.Action.PUBLISHED, changes=changes)
    refresh_notice_search([locked.pk])
    return locked


@transaction.atomic
def notice_withdraw(*, notice: Notice, by, now: datetime, reason: str) -> Notice:
    """撤销: the page stays reachable and says it was withdrawn, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因"})
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status != Notice.Status.PUBLISHED:
        raise ValidationError("只有已发布的信息可以撤销")
    locked.status = Notice.Status.WITHDRAWN
    locked.withdrawn_at = now
    locked.withdrawn_reason = reason
    locked.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
    NoticeEvent.objects.create(
        notice=locked, actor=by, action=NoticeEvent.Action.WITHDRAWN,
        changes={"status": [Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN]}, reason=reason,
    )
    return locked
