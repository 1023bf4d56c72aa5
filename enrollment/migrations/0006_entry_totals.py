from decimal import Decimal

from django.db import migrations, models
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def fill_totals(apps, schema_editor):
    """Each entry's policies and premium from its products."""
    RosterEntry = apps.get_model("enrollment", "RosterEntry")
    EntryProduct = apps.get_model("enrollment", "EntryProduct")
    products = EntryProduct.objects.filter(entry=OuterRef("pk")).values("entry")
    RosterEntry.objects.update(
        policies=Coalesce(
            Subquery(products.annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        premium=Coalesce(
            Subquery(products.annotate(total=Sum("premium")).values("total")[:1]),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=10, decimal_places=2),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0005_assessment_rules")]

    operations = [
        migrations.AddField(
            model_name="rosterentry",
            name="policies",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="保单数"),
        ),
        migrations.AddField(
            model_name="rosterentry",
            name="premium",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=10, verbose_name="保费（元）"
            ),
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(
                fields=["roster", "decision"],
                include=("policies", "premium"),
                name="entry_roster_decision",
            ),
        ),
    ]
