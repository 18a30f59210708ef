"""Fill the new search columns of existing notices (data only; the schema is 0003)."""

from django.db import migrations

BATCH = 500


def fill(apps, schema_editor):
    from catalog.search import notice_search_fields

    Notice = apps.get_model("catalog", "Notice")
    Attachment = apps.get_model("catalog", "Attachment")
    ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        texts: dict[int, list[str]] = {}
        for notice_id, text in Attachment.objects.filter(notice_id__in=chunk).order_by("position", "id").values_list(
            "notice_id", "text"
        ):
            texts.setdefault(notice_id, []).append(text)
        for notice in Notice.objects.filter(pk__in=chunk).only(
            "pk", "title", "doc_number", "index_number", "summary", "body", "published_at"
        ):
            fields = notice_search_fields(
                title=notice.title, doc_number=notice.doc_number, index_number=notice.index_number or "",
                summary=notice.summary, body_html=notice.body, attachment_texts=texts.get(notice.pk, []),
                published_at=notice.published_at,
            )
            Notice.objects.filter(pk=notice.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_codes"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
