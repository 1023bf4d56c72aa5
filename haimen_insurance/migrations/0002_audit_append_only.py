"""On PostgreSQL the database itself refuses UPDATE and DELETE on audit events."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION haimen_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER haimen_audit_append_only
    BEFORE UPDATE OR DELETE ON haimen_insurance_auditevent
    FOR EACH ROW EXECUTE FUNCTION haimen_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS haimen_audit_append_only ON haimen_insurance_auditevent;
DROP FUNCTION IF EXISTS haimen_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("haimen_insurance", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
