"""Django's flush, as the test runner uses it between transactional tests: the audit trail
refuses TRUNCATE unless the connection says this is the suite's reset (see the migration
haimen_insurance 0005), so this command says so for its own run and nothing else."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        with connection.cursor() as cursor:
            cursor.execute("SET haimen.allow_audit_truncate = 'on'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET haimen.allow_audit_truncate")
