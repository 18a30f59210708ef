"""Chinese full-text search over notices.

INTERIM implementation (plain substring scan) to be replaced by the bigram index
design in this module; the public functions below are the stable interface.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from catalog.sanitize import html_to_text


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def notice_search_text(notice) -> str:
    parts = [notice.title, notice.doc_number, notice.index_number or "", notice.summary, html_to_text(notice.body)]
    parts += [a.text for a in notice.attachments.all()]
    return normalise("\n".join(p for p in parts if p))


def refresh_notice_search(notice_ids: Iterable[int]) -> None:
    from catalog.models import Notice

    for notice in Notice.objects.filter(pk__in=list(notice_ids)).prefetch_related("attachments"):
        notice.search_text = notice_search_text(notice)
        notice.save(update_fields=["search_text"])
