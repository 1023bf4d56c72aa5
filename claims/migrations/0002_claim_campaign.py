import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_campaign(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Policy = apps.get_model("enrollment", "Policy")
    Claim.objects.update(
        campaign=Subquery(Policy.objects.filter(pk=OuterRef("policy")).values("campaign")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_claims"),
        ("enrollment", "0006_entry_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="campaign",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enrollment.campaign",
                verbose_name="参保年度",
            ),
        ),
        migrations.RunPython(fill_campaign, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="claim",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enrollment.campaign",
                verbose_name="参保年度",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["campaign", "village"], name="claims_clai_campaig_b733d8_idx"
            ),
        ),
    ]
