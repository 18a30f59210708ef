"""Make the request history and the PII access log append-only in the database:
UPDATE and DELETE on these tables raise, whatever the application code does
(security.md §4: "No audit row, no action"; logs are append-only)."""

from django.db import migrations

TABLES = ("requests_app_requestevent", "requests_app_piiaccesslog")

FUNCTION = """
CREATE OR REPLACE FUNCTION requests_app_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _create(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION requests_app_refuse_change();"
    )


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS requests_app_refuse_change();"),
        *[migrations.RunSQL(_create(t), _drop(t)) for t in TABLES],
    ]
