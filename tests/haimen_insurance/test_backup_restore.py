"""Backup and restore as docs/operations.md tells it: `pg_dump -Fc` of the database, `createdb`
and `pg_restore` into a new one, and every row is back."""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from claims.models import Claim, ClaimDocument
from enrollment.models import (
    Campaign,
    EntryProduct,
    FundTransfer,
    Household,
    InsuredPerson,
    Policy,
    Roster,
    RosterEntry,
    TownshipReport,
)
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.rosters import entry_decide
from haimen_insurance.models import Area, AuditEvent, User
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"{', '.join(MISSING)} not installed (Debian package postgresql-client)",
    ),
]

# The tables a restore must bring back whole, by what they hold.
TABLES = {
    "areas": Area,
    "users": User,
    "campaigns": Campaign,
    "households": Household,
    "rosters": Roster,
    "entries": RosterEntry,
    "entry products": EntryProduct,
    "insured persons": InsuredPerson,
    "township reports": TownshipReport,
    "fund transfers": FundTransfer,
    "policies": Policy,
    "claims": Claim,
    "claim documents": ClaimDocument,
    "audit events": AuditEvent,
}


def client_command(tool: str, *args: str) -> list[str]:
    """A PostgreSQL client command that reaches the test database's server as its user."""
    settings = connection.settings_dict
    command = [tool, "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    return [*command, "-U", settings["USER"], *args]


def client_env() -> dict:
    password = connection.settings_dict["PASSWORD"]
    return {**os.environ, **({"PGPASSWORD": password} if password else {})}


def connect(database: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=database,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )


def snapshot(database: str) -> dict:
    """Row counts of the main tables, and the policy numbers, read with psycopg2."""
    with connect(database) as db, db.cursor() as cursor:
        counts = {}
        for label, model in TABLES.items():
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            counts[label] = cursor.fetchone()[0]
        cursor.execute(f'SELECT number FROM "{Policy._meta.db_table}" ORDER BY number')
        numbers = [row[0] for row in cursor.fetchall()]
    db.close()
    return {"counts": counts, "policy numbers": numbers}


def test_pg_dump_restores_every_row_into_a_new_database(world, tmp_path):
    # A year's work, committed: 海门镇 reported, funded and issued; a decision in 三星镇.
    campaign = build_campaign()
    build_household(world.village_a1, child_name="林小雨")
    build_household(world.village_a1, child_name="赵一鸣")
    build_household(world.village_a2, child_name="孙浩然")
    declined = build_household(world.village_b1, child_name="周晓")
    report = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    assert policies_issue(actor=None, report=report) == 6
    entry_decide(
        actor=world.user("cadre_b1"),
        roster=Roster.objects.get(campaign=campaign, village=world.village_b1),
        household=declined,
        decision="declined",
        reason="家庭自愿放弃",
    )
    source = connection.settings_dict["NAME"]
    before = snapshot(source)
    assert before["counts"]["households"] == 4
    assert before["counts"]["policies"] == 6
    assert before["counts"]["users"] == len(world.users)
    assert before["counts"]["audit events"] > 0

    backup = tmp_path / "haimen.dump"
    restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    run = {"check": True, "env": client_env(), "capture_output": True, "text": True}
    subprocess.run(client_command("pg_dump", "-Fc", "-f", str(backup), source), **run)
    assert backup.stat().st_size > 0
    subprocess.run(client_command("createdb", restored), **run)
    try:
        subprocess.run(
            client_command("pg_restore", "--exit-on-error", "-d", restored, str(backup)), **run
        )
        after = snapshot(restored)
        # The append-only trigger on audit events comes back with the data.
        db = connect(restored)
        with db.cursor() as cursor, pytest.raises(psycopg2.Error, match="审计记录只能追加"):
            cursor.execute(f'DELETE FROM "{AuditEvent._meta.db_table}"')
        db.close()
    finally:
        subprocess.run(client_command("dropdb", "--if-exists", "--force", restored), **run)

    assert after == before
