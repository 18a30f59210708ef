"""Search schema: character / character-pair keys with GIN indexes replace the tsvector.

See catalog/search.py and docs/search.md. Storage settings:
- ``search_text`` stays uncompressed in the row (STORAGE MAIN and toast_tuple_target 8160):
  every word of three or more characters is re-checked with strpos on it, which costs ~3 µs a
  row in place against ~20 µs when it has to be decompressed from pglz or fetched from TOAST.
- ``search_codes`` is only read through its GIN index, so it goes out of line uncompressed.
- Expression statistics on the codes without their half-year give the search planner the
  frequencies of the 10,000 most common codes (the keys themselves split every frequency over
  ~35 half-years, which hides everything below ~80 %). Needs PostgreSQL 14 or later.
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
                # no column statistics on the keys: spread over ~35 half-years they mislead the
                # planner (a 35-key && looked like 17 % of the table and got ANDed with a btree
                # scan of every published notice); the default estimate (0.5 %) does not
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STATISTICS 0",
                "ALTER TABLE catalog_notice ALTER COLUMN search_title_codes SET STATISTICS 0",
                # the keys without their half-year, for ANALYZE only (see catalog.search._load_stats)
                "CREATE FUNCTION catalog_search_codes_of(keys bigint[]) RETURNS bigint[] "
                "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
                "AS $$ SELECT coalesce(array_agg(k & 4294967295), '{}') FROM unnest(keys) AS k $$",
                "CREATE STATISTICS catalog_notice_search_codes_stats "
                "ON (catalog_search_codes_of(search_codes)) FROM catalog_notice",
                "ALTER STATISTICS catalog_notice_search_codes_stats SET STATISTICS 1000",
                "CREATE STATISTICS catalog_notice_search_title_codes_stats "
                "ON (catalog_search_codes_of(search_title_codes)) FROM catalog_notice",
                "ALTER STATISTICS catalog_notice_search_title_codes_stats SET STATISTICS 1000",
            ],
            reverse_sql=[
                "DROP STATISTICS catalog_notice_search_title_codes_stats",
                "DROP STATISTICS catalog_notice_search_codes_stats",
                "DROP FUNCTION catalog_search_codes_of(bigint[])",
                "ALTER TABLE catalog_notice ALTER COLUMN search_title_codes SET STATISTICS -1",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STATISTICS -1",
                "ALTER TABLE catalog_notice ALTER COLUMN search_codes SET STORAGE EXTENDED",
                "ALTER TABLE catalog_notice ALTER COLUMN search_text SET STORAGE EXTENDED",
                "ALTER TABLE catalog_notice RESET (toast_tuple_target)",
            ],
        ),
    ]
