"""On PostgreSQL the database refuses TRUNCATE of the audit trail too, as it refuses UPDATE and
DELETE (migration 0002): a statement-level trigger, since TRUNCATE fires no row triggers.

The one exception is the test suite's own flush between tests, which sets
``haimen.allow_audit_truncate`` on its connection first (the test settings install a ``flush``
command that does so); nothing in the application sets it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION haimen_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('haimen.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER haimen_audit_no_truncate
    BEFORE TRUNCATE ON haimen_insurance_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION haimen_audit_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS haimen_audit_no_truncate ON haimen_insurance_auditevent;
DROP FUNCTION IF EXISTS haimen_audit_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("haimen_insurance", "0004_user_role_or_staff")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
