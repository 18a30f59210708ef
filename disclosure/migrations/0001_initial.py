# Initial schema of the annual report app.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0001_initial'),
        ('requests_app', '0003_seed_reply_templates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AnnualReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(help_text='报告所述年度（1月1日至12月31日）', verbose_name='年度')),
                ('layout', models.CharField(choices=[('2021', '国办公开办函〔2021〕30号格式'), ('legacy', '历史年报（仅文本）')], default='2021', help_text='历史年报只保存原文，不含统计表。', max_length=8, verbose_name='格式')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('review', '待审核'), ('approved', '已审核'), ('published', '已发布')], default='draft', max_length=10, verbose_name='状态')),
                ('licensing_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='行政许可 本年处理决定数量')),
                ('penalty_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='行政处罚 本年处理决定数量')),
                ('coercion_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='行政强制 本年处理决定数量')),
                ('fee_amount', models.DecimalField(blank=True, decimal_places=4, help_text='单位：万元，最多 4 位小数。', max_digits=14, null=True, verbose_name='行政事业性收费 本年收费金额（万元）')),
                ('section_overview', models.TextField(blank=True, verbose_name='一、总体情况')),
                ('section_active', models.TextField(blank=True, verbose_name='二、主动公开政府信息情况')),
                ('section_requests', models.TextField(blank=True, verbose_name='三、收到和处理政府信息公开申请情况')),
                ('section_appeals', models.TextField(blank=True, verbose_name='四、政府信息公开行政复议、行政诉讼情况')),
                ('section_problems', models.TextField(blank=True, verbose_name='五、存在的主要问题及改进情况')),
                ('section_other', models.TextField(blank=True, verbose_name='六、其他需要报告的事项')),
                ('fee_notice_count', models.PositiveIntegerField(blank=True, help_text='留空则按本平台的收费通知记录统计。', null=True, verbose_name='发出收费通知件数')),
                ('fee_notified_amount', models.DecimalField(blank=True, decimal_places=2, help_text='留空则按本平台的收费通知记录统计。', max_digits=12, null=True, verbose_name='收费通知总金额（元）')),
                ('fee_collected_amount', models.DecimalField(blank=True, decimal_places=2, help_text='留空则按本平台的缴费记录统计。', max_digits=12, null=True, verbose_name='实际收取金额（元）')),
                ('review_comment', models.TextField(blank=True, help_text='审核人最近一次退回修改的意见。', verbose_name='退回意见')),
                ('index_number', models.CharField(blank=True, help_text='首次发布时生成，更正时不变；历史年报保留原索引号。', max_length=60, null=True, unique=True, verbose_name='索引号')),
                ('first_published_at', models.DateTimeField(blank=True, null=True, verbose_name='发布时间')),
                ('current_version', models.PositiveSmallIntegerField(default=0, help_text='0 表示尚未发布；更正后递增。', verbose_name='已发布版本')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='annual_reports', to='portal.agency', verbose_name='机关')),
            ],
            options={
                'verbose_name': '政府信息公开工作年度报告',
                'verbose_name_plural': '政府信息公开工作年度报告',
                'ordering': ['-year', 'agency__sort_order', 'agency_id'],
            },
        ),
        migrations.CreateModel(
            name='AnnualReportEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('action', models.CharField(choices=[('created', '创建'), ('updated', '修改'), ('submitted', '提交审核'), ('sent_back', '退回修改'), ('approved', '审核通过'), ('published', '发布'), ('correction', '发起更正'), ('imported', '导入历史年报')], max_length=12, verbose_name='操作')),
                ('comment', models.TextField(blank=True, verbose_name='意见/说明')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='变更内容')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='disclosure.annualreport')),
            ],
            options={
                'verbose_name': '年度报告记录',
                'verbose_name_plural': '年度报告记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AnnualReportVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='版本')),
                ('published_at', models.DateTimeField(verbose_name='发布时间')),
                ('correction_note', models.TextField(blank=True, help_text='第 2 版起必填：更正了什么、为什么。', verbose_name='更正说明')),
                ('snapshot', models.JSONField(help_text='发布时冻结的数字和文本，之后的数据变化不影响它。', verbose_name='发布内容')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='disclosure.annualreport', verbose_name='年度报告')),
            ],
            options={
                'verbose_name': '年度报告发布版本',
                'verbose_name_plural': '年度报告发布版本',
                'ordering': ['report_id', 'number'],
            },
        ),
        migrations.CreateModel(
            name='AppealCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reconsideration', '行政复议'), ('litigation_direct', '行政诉讼（未经复议直接起诉）'), ('litigation_after', '行政诉讼（复议后起诉）')], max_length=20, verbose_name='类型')),
                ('case_number', models.CharField(blank=True, help_text='例如：（2025）湘0211行初12号', max_length=80, verbose_name='案号')),
                ('filed_year', models.PositiveSmallIntegerField(verbose_name='申请/立案年度')),
                ('filed_date', models.DateField(blank=True, help_text='不清楚具体日期时可只填年度。', null=True, verbose_name='申请/立案日期')),
                ('result', models.CharField(choices=[('upheld', '维持'), ('corrected', '纠正'), ('other', '其他'), ('pending', '尚未审结')], default='pending', max_length=10, verbose_name='结果')),
                ('decided_date', models.DateField(blank=True, help_text='作出复议决定或裁判的日期。', null=True, verbose_name='审结日期')),
                ('note', models.TextField(blank=True, verbose_name='备注')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appeal_cases', to='portal.agency', verbose_name='被申请/被诉机关')),
                ('info_request', models.ForeignKey(blank=True, help_text='已知时关联本平台的政府信息公开申请。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='appeal_cases', to='requests_app.inforequest', verbose_name='相关申请')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
            ],
            options={
                'verbose_name': '行政复议、行政诉讼案件',
                'verbose_name_plural': '行政复议、行政诉讼案件',
                'ordering': ['-filed_year', '-filed_date', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='annualreport',
            index=models.Index(fields=['-year', 'current_version'], name='disclosure_report_year_idx'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.UniqueConstraint(fields=('agency', 'year'), name='disclosure_annualreport_one_per_agency_year'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'review', 'approved', 'published'])), name='disclosure_annualreport_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(('layout__in', ['2021', 'legacy'])), name='disclosure_annualreport_layout_valid'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(('fee_amount__isnull', True), ('fee_amount__gte', 0), _connector='OR'), name='disclosure_annualreport_fee_non_negative'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('fee_notified_amount__isnull', True), ('fee_notified_amount__gte', 0), _connector='OR'), models.Q(('fee_collected_amount__isnull', True), ('fee_collected_amount__gte', 0), _connector='OR')), name='disclosure_annualreport_fee_figures_non_negative'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(('current_version', 0), models.Q(('index_number__isnull', False), ('first_published_at__isnull', False)), _connector='OR'), name='disclosure_annualreport_published_has_index_number'),
        ),
        migrations.AddConstraint(
            model_name='annualreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('current_version__gt', 0), _connector='OR'), name='disclosure_annualreport_published_has_version'),
        ),
        migrations.AddConstraint(
            model_name='annualreportevent',
            constraint=models.CheckConstraint(condition=models.Q(('action__in', ['created', 'updated', 'submitted', 'sent_back', 'approved', 'published', 'correction', 'imported'])), name='disclosure_annualreportevent_action_valid'),
        ),
        migrations.AddConstraint(
            model_name='annualreportversion',
            constraint=models.UniqueConstraint(fields=('report', 'number'), name='disclosure_annualreportversion_unique_number'),
        ),
        migrations.AddConstraint(
            model_name='annualreportversion',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='disclosure_annualreportversion_number_positive'),
        ),
        migrations.AddConstraint(
            model_name='annualreportversion',
            constraint=models.CheckConstraint(condition=models.Q(('number', 1), models.Q(('correction_note', ''), _negated=True), _connector='OR'), name='disclosure_annualreportversion_correction_has_note'),
        ),
        migrations.AddIndex(
            model_name='appealcase',
            index=models.Index(fields=['agency', 'filed_year'], name='disclosure_appeal_agency_idx'),
        ),
        migrations.AddConstraint(
            model_name='appealcase',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['reconsideration', 'litigation_direct', 'litigation_after'])), name='disclosure_appealcase_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='appealcase',
            constraint=models.CheckConstraint(condition=models.Q(('result__in', ['upheld', 'corrected', 'other', 'pending'])), name='disclosure_appealcase_result_valid'),
        ),
        migrations.AddConstraint(
            model_name='appealcase',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('result', 'pending'), ('decided_date__isnull', True)), models.Q(models.Q(('result', 'pending'), _negated=True), ('decided_date__isnull', False)), _connector='OR'), name='disclosure_appealcase_decided_iff_result'),
        ),
        migrations.AddConstraint(
            model_name='appealcase',
            constraint=models.CheckConstraint(condition=models.Q(('filed_date__isnull', True), ('decided_date__isnull', True), ('decided_date__gte', models.F('filed_date')), _connector='OR'), name='disclosure_appealcase_dates_ordered'),
        ),
    ]
