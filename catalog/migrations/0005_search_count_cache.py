"""Cached search totals, invalidated by a generation number that triggers bump.

Every INSERT/UPDATE/DELETE/TRUNCATE statement on the tables a search total depends on
(notices, their 发文机关 links, 主题分类) adds one to catalog_searchgeneration.value in the
same transaction, so a total cached for generation g is never served after a change commits.
"""

from django.db import migrations, models

TABLES = ["catalog_notice", "catalog_noticepublisher", "catalog_theme"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_search_bump_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_searchgeneration SET value = value + 1;
    RETURN NULL;
END
$$
"""


def trigger_sql(table):
    return (
        f"CREATE TRIGGER {table}_search_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_bump_generation()"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_search_fill_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0, verbose_name="代次")),
            ],
            options={"verbose_name": "检索数据代次", "verbose_name_plural": "检索数据代次"},
        ),
        migrations.CreateModel(
            name="SearchCount",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="检索键")),
                ("generation", models.BigIntegerField(verbose_name="代次")),
                ("total", models.PositiveIntegerField(verbose_name="结果数")),
                ("is_capped", models.BooleanField(default=False, verbose_name="超过上限")),
                ("created_at", models.DateTimeField(auto_now=True, verbose_name="统计时间")),
            ],
            options={"verbose_name": "检索结果数缓存", "verbose_name_plural": "检索结果数缓存"},
        ),
        migrations.RunSQL(
            sql=[
                "INSERT INTO catalog_searchgeneration (value) VALUES (0)",
                CREATE_FUNCTION,
                *[trigger_sql(t) for t in TABLES],
            ],
            reverse_sql=[
                *[f"DROP TRIGGER IF EXISTS {t}_search_generation ON {t}" for t in TABLES],
                "DROP FUNCTION IF EXISTS catalog_search_bump_generation()",
            ],
        ),
    ]
