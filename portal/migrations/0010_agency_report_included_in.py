"""年报并入机关 (本级政府年报含办公室): an agency's figures reported in another's annual
report, one level deep. The CheckConstraint refuses "itself"; the row trigger refuses
an including agency that is itself included and an included agency that includes
others. It locks the chosen agency's row, so two concurrent edits cannot build a chain.
"""

import django.db.models.deletion
from django.db import migrations, models


TRIGGER_SQL = """
CREATE FUNCTION portal_agency_report_scope() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target_included bigint;
BEGIN
    IF NEW.report_included_in_id IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT report_included_in_id INTO target_included
      FROM portal_agency WHERE id = NEW.report_included_in_id FOR UPDATE;
    IF target_included IS NOT NULL THEN
        RAISE EXCEPTION 'agency % is included in another report and cannot include %',
            NEW.report_included_in_id, NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'portal_agency_report_scope';
    END IF;
    IF EXISTS (SELECT 1 FROM portal_agency
                WHERE report_included_in_id = NEW.id AND id <> NEW.id) THEN
        RAISE EXCEPTION 'agency % includes others and cannot be included', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'portal_agency_report_scope';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER portal_agency_report_scope
    AFTER INSERT OR UPDATE OF report_included_in_id ON portal_agency
    FOR EACH ROW EXECUTE FUNCTION portal_agency_report_scope();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS portal_agency_report_scope ON portal_agency;
DROP FUNCTION IF EXISTS portal_agency_report_scope();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0009_agency_profile'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='report_included_in',
            field=models.ForeignKey(blank=True, help_text='本机关不单独编制政府信息公开工作年度报告，其数据并入所选机关的年报（例如区人民政府办公室并入区人民政府年报）。只有超级管理员可以修改；已发布的年报不受影响，尚未发布的年报按新的范围统计。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='report_includes', to='portal.agency', verbose_name='年报并入机关'),
        ),
        migrations.AddConstraint(
            model_name='agency',
            constraint=models.CheckConstraint(condition=models.Q(('report_included_in', models.F('pk')), _negated=True), name='portal_agency_report_not_included_in_itself'),
        ),
        migrations.RunSQL(sql=TRIGGER_SQL, reverse_sql=REVERSE_SQL),
    ]
