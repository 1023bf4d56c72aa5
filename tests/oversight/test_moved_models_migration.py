"""Assessment rules and review notes moved from ``enrollment`` to ``oversight`` with their rows
(migrations enrollment 0010, haimen_insurance 0007, oversight 0001): the database is walked back
to before the move, rows are written as the old code wrote them, and forward again."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haimen_insurance.audit import audited_model, readable_changes
from haimen_insurance.models import AuditEvent
from oversight.models import AssessmentRule, ReviewNote
from tests.enrollment.conftest import build_campaign

# Before the move: what the old code had applied.
BEFORE = [
    ("oversight", None),
    ("enrollment", "0009_roster_on_behalf"),
    ("haimen_insurance", "0006_user_must_change_password"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def latest():
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_the_rows_content_types_and_permission_survive_the_move(world):
    campaign = build_campaign()
    # A role that came after the move (市财政局) would not fit the old constraint on users.
    world.user("city_finance").delete()
    try:
        executor = migrate(BEFORE)
        old = executor.loader.project_state([node for node in BEFORE if node[1] is not None]).apps
        assert {"enrollment_assessmentrule", "enrollment_reviewnote"} <= table_names()
        old_type = old.get_model("contenttypes", "ContentType")
        rule_type = old_type.objects.get(app_label="enrollment", model="assessmentrule")
        note_type = old_type.objects.get(app_label="enrollment", model="reviewnote")
        dashboard = old.get_model("auth", "Permission").objects.get(
            codename="view_dashboard", content_type__app_label="haimen_insurance"
        )
        old.get_model("auth", "Group").objects.get(name="市人口计生委").permissions.add(dashboard)
        rule = old.get_model("enrollment", "AssessmentRule").objects.create(
            campaign_id=campaign.pk,
            metric="coverage_rate",
            threshold=Decimal("90.00"),
            points=Decimal("10.00"),
            pro_rata=True,
        )
        note = old.get_model("enrollment", "ReviewNote").objects.create(
            campaign_id=campaign.pk,
            area_id=world.city.pk,
            achievements="全市按期完成",
            updated_by_id=world.user("city").pk,
        )
        old.get_model("haimen_insurance", "AuditEvent").objects.create(
            action="assessment.rule",
            object_type="enrollment.assessmentrule",
            object_id=str(rule.pk),
            object_repr="2013年度 投保率",
            changes={"points": [None, "10.00"]},
        )
    finally:
        latest()

    assert "enrollment_assessmentrule" not in table_names()
    moved = AssessmentRule.objects.get(pk=rule.pk)
    assert (moved.campaign, moved.metric, moved.threshold, moved.points, moved.pro_rata) == (
        campaign,
        "coverage_rate",
        Decimal("90.00"),
        Decimal("10.00"),
        True,
    )
    moved_note = ReviewNote.objects.get(pk=note.pk)
    assert (moved_note.area, moved_note.achievements, moved_note.updated_by) == (
        world.city,
        "全市按期完成",
        world.user("city"),
    )
    # A new row follows the old ones (the id sequence went with the table).
    assert (
        AssessmentRule.objects.create(
            campaign=campaign, metric="reported_on_time", threshold=100, points=5
        ).pk
        > rule.pk
    )
    # The same content type rows, now oversight's; the dashboard permission on the rule's type,
    # still held by the group that had it.
    assert ContentType.objects.get_for_model(AssessmentRule).pk == rule_type.pk
    assert ContentType.objects.get_for_model(ReviewNote).pk == note_type.pk
    assert not ContentType.objects.filter(app_label="enrollment", model="assessmentrule").exists()
    permission = Permission.objects.get(codename="view_dashboard")
    assert permission.pk == dashboard.pk
    assert permission.content_type.pk == rule_type.pk
    assert Group.objects.get(name="市人口计生委").permissions.filter(pk=permission.pk).exists()
    # The audit event keeps the label it was written with and still reads in Chinese.
    event = AuditEvent.objects.get(object_type="enrollment.assessmentrule")
    assert audited_model(event.object_type) is AssessmentRule
    assert readable_changes(event, full_ids=True) == [("分值", "—", "10.00")]


@pytest.mark.django_db
def test_events_written_before_the_move_are_found_and_read_under_the_moved_model(world, client_for):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from oversight.services import review_note_save

    campaign = build_campaign()
    AuditEvent.objects.create(
        action="review.note",
        object_type="enrollment.reviewnote",  # as the old code wrote it
        object_id="1",
        object_repr="2013年度 海门市点评总结",
        changes={"achievements": [None, "旧的点评"]},
    )
    review_note_save(
        actor=world.user("city"),
        campaign=campaign,
        area=world.city,
        achievements="新的点评",
        shortcomings="",
        measures="",
    )
    client = client_for(world.user("leader"))
    listed = client.get(reverse("audit_list"), {"object_type": "oversight.reviewnote"})
    assert listed.context["table"].paginator.count == 2
    assert "旧的点评" in listed.text and "新的点评" in listed.text
    assert "肯定成绩" in listed.text
    response = client.get(reverse("audit_export"), {"object_type": "oversight.reviewnote"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    _, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert {row[4] for row in rows} == {"点评总结"}
    changes = "\n".join(row[7] for row in rows)
    assert "肯定成绩：— → 旧的点评" in changes and "肯定成绩：— → 新的点评" in changes
