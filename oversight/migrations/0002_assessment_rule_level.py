"""Assessment rules per level: each rule scores the townships (every existing rule, and every
rule of a city without counties) or, where the city has counties, the counties. A measure is
set once per campaign and level."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="assessmentrule",
            options={
                "ordering": ["campaign", "level", "metric"],
                "permissions": [("view_dashboard", "查看仪表板与考核")],
                "verbose_name": "考核评分规则",
                "verbose_name_plural": "考核评分规则",
            },
        ),
        migrations.AddField(
            model_name="assessmentrule",
            name="level",
            field=models.CharField(
                choices=[("township", "乡镇（园区）"), ("county", "县（区）")],
                default="township",
                max_length=10,
                verbose_name="考核对象",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="assessmentrule",
            name="assessment_rule_once",
        ),
        migrations.AddConstraint(
            model_name="assessmentrule",
            constraint=models.UniqueConstraint(
                fields=("campaign", "level", "metric"), name="assessment_rule_once_per_level"
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentrule",
            constraint=models.CheckConstraint(
                condition=models.Q(("level__in", ["township", "county"])),
                name="assessment_rule_level_known",
            ),
        ),
    ]
