"""Search schema: character / character-pair keys with GIN indexes replace the tsvector.

See catalog/search.py and docs/search.md. Storage settings:
- ``search_text`` stays uncompressed in the row (STORAGE MAIN and toast_tuple_target 8160):
  every word of three or more characters is re-checked with strpos on it, which costs ~3 µs a
  row in place against ~20 µs when it has to be decompressed from pglz or fetched from TOAST.
- ``search_codes`` is only read through its GIN index, so it goes out of line uncompressed.
- Larger statistics targets give the search planner (and PostgreSQL's) the frequencies of the
  10,000 most common keys.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_seed_taxonomy"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notice", name="catalog_notice_search_gin"),
        migrations.RemoveField(model_name="notice", name="search_vector"),
        migrations.AddField(
            model_name="notice",
            name="search_title",
            field=models.TextField(blank=True, editable=False, verbose_name="检索标题"),
        ),
        migrations.AddField(
            model_name="notice",
            name="search_codes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, default=list, editable=False,
                help_text="检索文本中每个字和每两个相邻字的编码，按发布半年分段（catalog.search.keys_of）。",
                size=None, verbose_name="检索码",
            ),
        ),
        migrations.AddField(
            model_name="notice",
            name="search_title_codes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, default=list, editable=False, size=None,
                verbose_name="标题检索码",
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["search_codes"], name="catalog_notice_codes_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["search_title_codes"], name="catalog_notice_title_codes_gin"
            ),
        ),
        migrations.RunSQL(
            sql=[
                "ALTER TABLE catalog_notice SET (toast_tuple_target = 8160)",
                "ALTER TABLE catalog_notice ALTER COLUMN search_text SET STORAGE MAIN",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STORAGE EXTERNAL",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STATISTICS 1000",
                "ALTER TABLE catalog_notice ALTER COLUMN search_title_codes SET STATISTICS 1000",
            ],
            reverse_sql=[
                "ALTER TABLE catalog_notice ALTER COLUMN search_title_codes SET STATISTICS -1",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STATISTICS -1",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STORAGE EXTENDED",
                "ALTER TABLE catalog_notice ALTER COLUMN search_text SET STORAGE EXTENDED",
                "ALTER TABLE catalog_notice RESET (toast_tuple_target)",
            ],
        ),
    ]
