"""Seed the work calendar for 2004–2026 from chinesecalendar 1.11.0.

The package's data transcribes the 国务院办公厅 holiday notices; its coverage ends in
2026. Years are fixed here so that a newer package release cannot change what this
migration writes. Reversible: the seeded rows, years and log entries are removed.
"""

from django.db import migrations

SOURCE = "chinesecalendar 1.11.0 / 国务院办公厅通知"
YEARS = range(2004, 2027)

# chinesecalendar's English holiday keys -> the names the notices use.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _notice_year(day, name):
    # Only 元旦 crosses a year boundary (its December days belong to next year's notice).
    return day.year + 1 if day.month == 12 and name == "元旦" else day.year


def seed(apps, schema_editor):
    from chinese_calendar.constants import holidays, workdays

    Day = apps.get_model("portal", "WorkCalendarDay")
    Year = apps.get_model("portal", "WorkCalendarYear")
    Change = apps.get_model("portal", "WorkCalendarChange")

    rows = [(d, "rest", NAMES[v]) for d, v in holidays.items()]
    rows += [(d, "work", NAMES[v]) for d, v in workdays.items()]
    rows = sorted(r for r in rows if _notice_year(r[0], r[2]) in YEARS)
    existing = set(Day.objects.values_list("date", flat=True))
    Day.objects.bulk_create(
        [Day(date=d, kind=k, name=n, source=SOURCE) for d, k, n in rows if d not in existing]
    )
    have_years = set(Year.objects.values_list("year", flat=True))
    Year.objects.bulk_create([Year(year=y, source=SOURCE) for y in YEARS if y not in have_years])
    per_year = {}
    for d, k, n in rows:
        if d not in existing:
            per_year.setdefault(_notice_year(d, n), []).append(k)
    Change.objects.bulk_create(
        [
            Change(
                year=y,
                action="seed",
                detail=f"初始数据：{SOURCE}，放假 {kinds.count('rest')} 天，调休上班 {kinds.count('work')} 天",
            )
            for y, kinds in sorted(per_year.items())
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("portal", "WorkCalendarDay").objects.filter(source=SOURCE).delete()
    apps.get_model("portal", "WorkCalendarYear").objects.filter(source=SOURCE, year__in=list(YEARS)).delete()
    apps.get_model("portal", "WorkCalendarChange").objects.filter(action="seed").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
