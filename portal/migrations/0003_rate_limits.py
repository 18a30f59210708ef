from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_seed_workdays"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateLimitBucket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100, unique=True, verbose_name="键")),
                ("window_start", models.DateTimeField(verbose_name="窗口开始")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="次数")),
            ],
            options={
                "verbose_name": "访问频率计数",
                "verbose_name_plural": "访问频率计数",
                "indexes": [models.Index(fields=["window_start"], name="portal_ratelimit_window_idx")],
            },
        ),
    ]
