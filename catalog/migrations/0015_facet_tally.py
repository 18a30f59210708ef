"""Filter-value counts of the listed notices, kept by the database (catalog.models.FacetTally).

Row triggers append +1/−1 rows whenever a notice enters or leaves the listed notices
(status 'published'), or changes a counted value (主题分类, 体裁, 栏目, year of 发布时间 in
Beijing time, stored 有效性) while listed, and whenever a 发文机关 link of a listed notice is
added or removed. Every path that writes (services, admin, importers, plain SQL) is
counted; an update that changes none of those values (the search columns, a title)
appends nothing. The table is append-only: writers never update a shared row, so they
never wait for each other or deadlock here. The existing rows are counted once below.
"""

from django.conf import settings
from django.db import migrations, models

YEAR = "date_part('year', {0}.published_at AT TIME ZONE '%s')::int::text" % settings.TIME_ZONE

NOTICE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION catalog_facettally_notice() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'published';
    now_listed boolean := TG_OP <> 'DELETE' AND NEW.status = 'published';
BEGIN
    IF TG_OP = 'UPDATE' AND was = now_listed AND (NOT was OR (
        OLD.theme_id IS NOT DISTINCT FROM NEW.theme_id
        AND OLD.genre_id IS NOT DISTINCT FROM NEW.genre_id
        AND OLD.column_id IS NOT DISTINCT FROM NEW.column_id
        AND OLD.validity = NEW.validity
        AND {YEAR.format("OLD")} IS NOT DISTINCT FROM {YEAR.format("NEW")}
    )) THEN
        RETURN NULL;
    END IF;
    IF was THEN
        INSERT INTO catalog_facettally (facet, key, delta)
        SELECT f, k, -1 FROM (VALUES
            ('theme', OLD.theme_id::text), ('genre', OLD.genre_id::text),
            ('column', OLD.column_id::text), ('year', {YEAR.format("OLD")}),
            ('validity', OLD.validity::text)
        ) v (f, k) WHERE k IS NOT NULL;
        IF NOT now_listed THEN
            INSERT INTO catalog_facettally (facet, key, delta)
            SELECT 'publisher', p.agency_id::text, -1
            FROM catalog_noticepublisher p WHERE p.notice_id = OLD.id;
        END IF;
    END IF;
    IF now_listed THEN
        INSERT INTO catalog_facettally (facet, key, delta)
        SELECT f, k, 1 FROM (VALUES
            ('theme', NEW.theme_id::text), ('genre', NEW.genre_id::text),
            ('column', NEW.column_id::text), ('year', {YEAR.format("NEW")}),
            ('validity', NEW.validity::text)
        ) v (f, k) WHERE k IS NOT NULL;
        IF NOT was THEN
            INSERT INTO catalog_facettally (facet, key, delta)
            SELECT 'publisher', p.agency_id::text, 1
            FROM catalog_noticepublisher p WHERE p.notice_id = NEW.id;
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

PUBLISHER_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_facettally_publisher() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO catalog_facettally (facet, key, delta)
        SELECT 'publisher', OLD.agency_id::text, -1
        WHERE EXISTS (
            SELECT 1 FROM catalog_notice n WHERE n.id = OLD.notice_id AND n.status = 'published'
        );
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO catalog_facettally (facet, key, delta)
        SELECT 'publisher', NEW.agency_id::text, 1
        WHERE EXISTS (
            SELECT 1 FROM catalog_notice n WHERE n.id = NEW.notice_id AND n.status = 'published'
        );
    END IF;
    RETURN NULL;
END
$$
"""

BACKFILL = f"""
INSERT INTO catalog_facettally (facet, key, delta)
SELECT f, k, count(*) FROM catalog_notice n
CROSS JOIN LATERAL (VALUES
    ('theme', n.theme_id::text), ('genre', n.genre_id::text), ('column', n.column_id::text),
    ('year', {YEAR.format("n")}), ('validity', n.validity::text)
) v (f, k)
WHERE n.status = 'published' AND k IS NOT NULL
GROUP BY f, k
UNION ALL
SELECT 'publisher', p.agency_id::text, count(*)
FROM catalog_noticepublisher p JOIN catalog_notice n ON n.id = p.notice_id
WHERE n.status = 'published'
GROUP BY p.agency_id
"""


TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_facettally_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'catalog_notice' THEN
        DELETE FROM catalog_facettally;
    ELSE
        DELETE FROM catalog_facettally WHERE facet = 'publisher';
    END IF;
    RETURN NULL;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0014_notice_validity_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("facet", models.CharField(max_length=10, verbose_name="筛选项")),
                ("key", models.CharField(max_length=20, verbose_name="取值")),
                ("delta", models.IntegerField(verbose_name="增减")),
            ],
            options={
                "verbose_name": "筛选项计数",
                "verbose_name_plural": "筛选项计数",
            },
        ),
        migrations.RunSQL(
            [
                NOTICE_FUNCTION,
                PUBLISHER_FUNCTION,
                "CREATE TRIGGER catalog_notice_facettally "
                "AFTER INSERT OR UPDATE OR DELETE ON catalog_notice "
                "FOR EACH ROW EXECUTE FUNCTION catalog_facettally_notice()",
                "CREATE TRIGGER catalog_noticepublisher_facettally "
                "AFTER INSERT OR UPDATE OR DELETE ON catalog_noticepublisher "
                "FOR EACH ROW EXECUTE FUNCTION catalog_facettally_publisher()",
                TRUNCATE_FUNCTION,
                "CREATE TRIGGER catalog_notice_facettally_truncate AFTER TRUNCATE "
                "ON catalog_notice FOR EACH STATEMENT "
                "EXECUTE FUNCTION catalog_facettally_truncate()",
                "CREATE TRIGGER catalog_noticepublisher_facettally_truncate AFTER TRUNCATE "
                "ON catalog_noticepublisher FOR EACH STATEMENT "
                "EXECUTE FUNCTION catalog_facettally_truncate()",
                BACKFILL,
            ],
            [
                "DROP TRIGGER IF EXISTS catalog_noticepublisher_facettally_truncate "
                "ON catalog_noticepublisher",
                "DROP TRIGGER IF EXISTS catalog_notice_facettally_truncate ON catalog_notice",
                "DROP FUNCTION IF EXISTS catalog_facettally_truncate()",
                "DROP TRIGGER IF EXISTS catalog_noticepublisher_facettally "
                "ON catalog_noticepublisher",
                "DROP TRIGGER IF EXISTS catalog_notice_facettally ON catalog_notice",
                "DROP FUNCTION IF EXISTS catalog_facettally_publisher()",
                "DROP FUNCTION IF EXISTS catalog_facettally_notice()",
            ],
        ),
    ]
