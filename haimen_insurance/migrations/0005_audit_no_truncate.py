"""On PostgreSQL the database refuses TRUNCATE of the audit trail too, as it refuses UPDATE and
DELETE (migration 0002): a statement-level trigger, since TRUNCATE fires no row triggers."""

from django.db import migrations

CREATE = """
CREATE TRIGGER haimen_audit_no_truncate
    BEFORE TRUNCATE ON haimen_insurance_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION haimen_audit_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS haimen_audit_no_truncate ON haimen_insurance_auditevent;"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("haimen_insurance", "0004_user_role_or_staff")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
