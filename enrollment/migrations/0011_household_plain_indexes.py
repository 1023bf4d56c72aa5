"""Plain indexes for the household's IDs and certificate number, without the second index for
LIKE 'prefix%' that ``db_index=True`` and ``unique=True`` add on PostgreSQL (nothing queries
them; an import of 100,000 households wrote every one of them again). The village's own index
goes too: the index on (village, status) serves it.

The child's partial unique constraint is taken off first and put back last: altering the field
drops every plain index on the column, that one included."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

CHILD_ONCE = models.UniqueConstraint(
    fields=("child_id_number",),
    condition=Q(status="valid"),
    name="household_child_once_among_valid",
    violation_error_message="该子女身份证号已登记在另一本有效的独生子女证上。",
)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0010_assessment_review_to_oversight"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="household", name="household_child_once_among_valid"
        ),
        migrations.AlterField(
            model_name="household",
            name="certificate_no",
            field=models.CharField(max_length=40, verbose_name="证号"),
        ),
        migrations.AlterField(
            model_name="household",
            name="child_id_number",
            field=models.CharField(max_length=18, verbose_name="子女身份证号"),
        ),
        migrations.AlterField(
            model_name="household",
            name="father_id_number",
            field=models.CharField(blank=True, max_length=18, verbose_name="父亲身份证号"),
        ),
        migrations.AlterField(
            model_name="household",
            name="mother_id_number",
            field=models.CharField(blank=True, max_length=18, verbose_name="母亲身份证号"),
        ),
        migrations.AlterField(
            model_name="household",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="households",
                to="haimen_insurance.area",
                verbose_name="村（社区）",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["father_id_number"], name="household_father_id_idx"),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["mother_id_number"], name="household_mother_id_idx"),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["child_id_number"], name="household_child_id_idx"),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.UniqueConstraint(
                fields=("certificate_no",), name="household_certificate_no_unique"
            ),
        ),
        migrations.AddConstraint(model_name="household", constraint=CHILD_ONCE),
    ]
