"""Trigram codes in the search keys (runs of three characters holding an ASCII one: amounts,
years, 发文字号 numbers, Latin words), see catalog.search.text_codes. Data only: every
notice's key arrays are recomputed, because a query now asks for these codes and a notice
indexed without them would be missed. For a very large catalog, drop the two GIN indexes
first and recreate them afterwards (docs/search.md, "Bulk loads")."""

from django.db import migrations

BATCH = 500


def fill(apps, schema_editor):
    from catalog.search import notice_search_fields

    Notice = apps.get_model("catalog", "Notice")
    Attachment = apps.get_model("catalog", "Attachment")
    ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
    with schema_editor.connection.cursor() as cur:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            texts: dict[int, list[str]] = {}
            for notice_id, text in (
                Attachment.objects.filter(notice_id__in=chunk)
                .order_by("position", "id")
                .values_list("notice_id", "text")
            ):
                texts.setdefault(notice_id, []).append(text)
            rows = []
            for notice in Notice.objects.filter(pk__in=chunk).only(
                "pk",
                "title",
                "doc_number",
                "index_number",
                "summary",
                "body",
                "published_at",
            ):
                fields = notice_search_fields(
                    title=notice.title,
                    doc_number=notice.doc_number,
                    index_number=notice.index_number or "",
                    summary=notice.summary,
                    body_html=notice.body,
                    attachment_texts=texts.get(notice.pk, []),
                    published_at=notice.published_at,
                )
                rows.append(
                    (
                        notice.pk,
                        "{" + ",".join(map(str, fields["search_codes"])) + "}",
                        "{" + ",".join(map(str, fields["search_title_codes"])) + "}",
                    )
                )
            if rows:
                ids_, codes, title_codes = (list(c) for c in zip(*rows, strict=True))
                cur.execute(
                    "UPDATE catalog_notice n SET search_codes = v.c::bigint[], "
                    "search_title_codes = v.tc::bigint[] "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, c, tc) "
                    "WHERE n.id = v.id",
                    [ids_, codes, title_codes],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_notice_revisions"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
