"""Rendered public pages for anonymous visitors (catalog.pagecache), and a wider catalog
generation.

A cached page is valid only for the catalog generation it was rendered in. Migration 0005
bumps that generation on every write to notices, their 发文机关 links and 主题分类; a page
also shows attachments, 解读 links, 栏目 and 体裁 names, agency names and the 网站标识,
so writes to those tables bump it too (the same trigger function). These are rare, staff
made changes; a bump also drops cached search totals and facets, which is harmless.

The cache table is UNLOGGED: no WAL for churn that needs no durability; a crash empties
it (pages are rendered again), and streaming replicas do not carry it.
"""

from django.db import migrations, models

TABLES = [
    "catalog_attachment",
    "catalog_notice_interpretations",
    "catalog_column",
    "catalog_genre",
    "portal_agency",
    "portal_siteidentity",
]


def trigger_sql(table):
    return (
        f"CREATE TRIGGER {table}_catalog_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_bump_generation()"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_search_count_cache"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageCache",
            fields=[
                ("key", models.UUIDField(primary_key=True, serialize=False, verbose_name="页面键")),
                ("generation", models.BigIntegerField(verbose_name="代次")),
                ("html", models.TextField(verbose_name="页面")),
                ("created_at", models.DateTimeField(verbose_name="生成时间")),
            ],
            options={
                "verbose_name": "页面缓存",
                "verbose_name_plural": "页面缓存",
                "indexes": [
                    models.Index(fields=["generation"], name="catalog_pagecache_gen_idx"),
                    models.Index(fields=["created_at"], name="catalog_pagecache_age_idx"),
                ],
            },
        ),
        migrations.RunSQL(
            sql=["ALTER TABLE catalog_pagecache SET UNLOGGED", *[trigger_sql(t) for t in TABLES]],
            reverse_sql=[
                *[f"DROP TRIGGER IF EXISTS {t}_catalog_generation ON {t}" for t in TABLES],
                "ALTER TABLE catalog_pagecache SET LOGGED",
            ],
        ),
    ]
