"""The permission 查看仪表板与考核 (``view_dashboard``) leaves ``Area``: it is the permission of
the roof's pages and lives on ``oversight.AssessmentRule`` (``oversight`` 0001 moves the row, so
the groups keep it). Only the state changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("haimen_insurance", "0007_audit_action_choices")]

    operations = [
        migrations.AlterModelOptions(
            name="area",
            options={
                "ordering": ["code"],
                "verbose_name": "行政区划",
                "verbose_name_plural": "行政区划",
            },
        ),
    ]
