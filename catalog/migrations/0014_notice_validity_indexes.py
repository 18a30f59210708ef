"""Partial indexes for today's 有效性 of the listed notices (Notice.current_validity_q).

Built CONCURRENTLY (no lock on writes while they build: a minute or so at 1,000,000
notices), so the migration is not atomic.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0013_search_trigram_codes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="notice",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["validity", "valid_from"],
                name="catalog_notice_vfrom_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="notice",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["validity", "valid_until"],
                name="catalog_notice_vuntil_idx",
            ),
        ),
    ]
