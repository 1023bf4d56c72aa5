from django.db import migrations, models
from django.db.models import F


def open_existing(apps, schema_editor):
    """The campaigns made before a campaign could be prepared are in use: they are open, since
    they were made."""
    Campaign = apps.get_model("enrollment", "Campaign")
    Campaign.objects.update(opened_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0006_entry_totals")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="opened_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="开放时间"),
        ),
        # Existing rows become open; the default for new ones is set just below.
        migrations.AddField(
            model_name="campaign",
            name="status",
            field=models.CharField(
                choices=[("preparing", "筹备中"), ("open", "已开放")],
                default="open",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(open_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="campaign",
            name="status",
            field=models.CharField(
                choices=[("preparing", "筹备中"), ("open", "已开放")],
                default="preparing",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("opened_at__isnull", False), ("status", "open"))
                | models.Q(("opened_at__isnull", True), ("status", "preparing")),
                name="campaign_opened_at_with_status",
                violation_error_message="开放时间与状态不一致。",
            ),
        ),
    ]
