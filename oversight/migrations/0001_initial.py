"""Assessment rules and review notes, moved here from ``enrollment`` with their rows.

1. The models enter this app's state on the tables ``enrollment`` made (``enrollment`` 0005 and
   0008; ``enrollment`` 0010 took them out of its state): nothing is created in the database.
2. The tables are renamed to this app's names (``ALTER TABLE ... RENAME``, on PostgreSQL and
   SQLite alike); the rows, their ids, constraints and indexes stay.
3. The content types ``enrollment.assessmentrule`` and ``enrollment.reviewnote`` become
   ``oversight.*`` (the same rows, so their permissions and the groups holding them follow), and
   the permission ``view_dashboard`` moves from ``haimen_insurance.Area`` to ``AssessmentRule``.

Audit events are not touched: the trail is append-only and PostgreSQL refuses every UPDATE of
it. Events written before the move keep ``object_type`` ``enrollment.assessmentrule`` /
``enrollment.reviewnote``; the models list those labels in ``former_labels`` and the audit's
readers (``haimen_insurance.audit.audited_model``) resolve them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("assessmentrule", "reviewnote")
DASHBOARD = "view_dashboard"


def _move_permission(Permission, db, permission, content_type):
    """Put ``permission`` on ``content_type``; where that type already has one of the same
    codename, that one takes over the groups and users, and ``permission`` goes."""
    twin = (
        Permission.objects.using(db)
        .filter(content_type=content_type, codename=permission.codename)
        .first()
    )
    if twin is None:
        permission.content_type = content_type
        permission.save(update_fields=["content_type"])
        return
    twin.group_set.add(*permission.group_set.all())
    twin.user_set.add(*permission.user_set.all())
    permission.delete()


def _move_type(apps, db, model, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
    if old is None:
        return  # a database whose content types were never made: post_migrate makes them
    new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
    if new is None:
        old.app_label = target
        old.save(update_fields=["app_label"])
        return
    for permission in Permission.objects.using(db).filter(content_type=old):
        _move_permission(Permission, db, permission, new)
    old.delete()


def _move_dashboard_permission(apps, db, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    permission = (
        Permission.objects.using(db)
        .filter(
            content_type__app_label=source[0], content_type__model=source[1], codename=DASHBOARD
        )
        .first()
    )
    if permission is None:
        return
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label=target[0], model=target[1]
    )
    _move_permission(Permission, db, permission, content_type)


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    for model in MOVED:
        _move_type(apps, db, model, "enrollment", "oversight")
    _move_dashboard_permission(
        apps, db, ("haimen_insurance", "area"), ("oversight", "assessmentrule")
    )


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    _move_dashboard_permission(
        apps, db, ("oversight", "assessmentrule"), ("haimen_insurance", "area")
    )
    for model in MOVED:
        _move_type(apps, db, model, "oversight", "enrollment")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("enrollment", "0010_assessment_review_to_oversight"),
        ("haimen_insurance", "0008_dashboard_permission_to_oversight"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AssessmentRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "metric",
                            models.CharField(
                                choices=[
                                    ("coverage_rate", "投保率"),
                                    ("rosters_approved", "名册审核通过率"),
                                    ("reported_on_time", "按期汇总上报"),
                                    ("claims_within_standard", "理赔服务标准达标率"),
                                ],
                                max_length=30,
                                verbose_name="考核项目",
                            ),
                        ),
                        (
                            "threshold",
                            models.DecimalField(
                                decimal_places=2, max_digits=5, verbose_name="达标线（%）"
                            ),
                        ),
                        (
                            "points",
                            models.DecimalField(
                                decimal_places=2, max_digits=5, verbose_name="分值"
                            ),
                        ),
                        (
                            "pro_rata",
                            models.BooleanField(default=True, verbose_name="未达标按比例得分"),
                        ),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="assessment_rules",
                                to="enrollment.campaign",
                                verbose_name="参保年度",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "enrollment_assessmentrule",
                        "verbose_name": "考核评分规则",
                        "verbose_name_plural": "考核评分规则",
                        "ordering": ["campaign", "metric"],
                        "permissions": [("view_dashboard", "查看仪表板与考核")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("campaign", "metric"), name="assessment_rule_once"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("threshold__gt", 0), ("threshold__lte", 100)),
                                name="assessment_threshold_in_range",
                                violation_error_message="达标线应大于 0%、不超过 100%。",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("points__gt", 0)),
                                name="assessment_points_positive",
                                violation_error_message="分值必须大于 0。",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ReviewNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("achievements", models.TextField(blank=True, verbose_name="肯定成绩")),
                        ("shortcomings", models.TextField(blank=True, verbose_name="找出不足")),
                        ("measures", models.TextField(blank=True, verbose_name="完善措施")),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="填写时间"),
                        ),
                        (
                            "area",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="review_notes",
                                to="haimen_insurance.area",
                                verbose_name="区域",
                            ),
                        ),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review_notes",
                                to="enrollment.campaign",
                                verbose_name="参保年度",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="填写人",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "enrollment_reviewnote",
                        "verbose_name": "点评总结",
                        "verbose_name_plural": "点评总结",
                        "ordering": ["campaign", "area__code"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("campaign", "area"), name="review_note_once_per_area"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="assessmentrule", table=None),
        migrations.AlterModelTable(name="reviewnote", table=None),
        migrations.RunPython(forwards, backwards),
    ]
