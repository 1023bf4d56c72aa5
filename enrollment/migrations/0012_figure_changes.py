"""The figure change log (``FigureChange``, ``FigureLog``) and, on PostgreSQL, the triggers that
write it: after each statement that inserts, updates or deletes households, roster entries,
insured persons or rosters, the villages (and insured ID numbers) it changed, with the
transaction's id. Statement-level triggers with transition tables: one insert per statement,
however many rows (an import's COPY of 100,000 households writes one row per village). A
TRUNCATE empties ``FigureLog`` so that
nothing counted before is trusted. SQLite (the demo) gets the tables and no triggers."""

import uuid

from django.db import migrations, models

TXID = "pg_current_xact_id()::text::bigint"
LOG = "enrollment_figurechange"
# More rows than this in one statement of entries or insured persons: the campaign as a whole
# is logged rather than each village and ID number (a roll-over, a bench's COPY).
MANY = 1000


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND $$;"
    )


def _trigger(table: str, name: str, event: str, referencing: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
    )


# Households: the villages of the rows written (both villages of a move).
HOUSEHOLD_ROWS = f"""
INSERT INTO {LOG} (txid, village_id) SELECT DISTINCT {TXID}, village_id FROM %s;"""
# Roster entries: the village of the roster and the village of the household.
ENTRY_ROWS = f"""
IF (SELECT count(*) FROM %(rows)s counted) > {MANY} THEN
  INSERT INTO {LOG} (txid, campaign_id)
  SELECT DISTINCT {TXID}, r.campaign_id FROM %(rows)s e JOIN enrollment_roster r ON r.id = e.roster_id;
ELSE
  INSERT INTO {LOG} (txid, village_id)
  SELECT {TXID}, village FROM (
    SELECT r.village_id AS village FROM %(rows)s e JOIN enrollment_roster r ON r.id = e.roster_id
    UNION
    SELECT h.village_id FROM %(rows)s e JOIN enrollment_household h ON h.id = e.household_id
  ) changed;
END IF;"""

# Insured persons: the village of the roster they are insured in, and their ID number.
PERSON_ROWS = f"""
IF (SELECT count(*) FROM %(rows)s counted) > {MANY} THEN
  INSERT INTO {LOG} (txid, campaign_id) SELECT DISTINCT {TXID}, p.campaign_id FROM %(rows)s p;
ELSE
  INSERT INTO {LOG} (txid, village_id)
  SELECT DISTINCT {TXID}, r.village_id FROM %(rows)s p
  JOIN enrollment_entryproduct ep ON ep.id = p.entry_product_id
  JOIN enrollment_rosterentry e ON e.id = ep.entry_id
  JOIN enrollment_roster r ON r.id = e.roster_id;
  INSERT INTO {LOG} (txid, campaign_id, id_number)
  SELECT DISTINCT {TXID}, p.campaign_id, p.id_number FROM %(rows)s p;
END IF;"""


def _both(columns: str) -> str:
    """The old and the new version of each updated row, as one FROM item with ``columns``.
    Every updated row counts, whatever column changed: telling a phone number's change apart
    would join the two transition tables, which costs more (a second for 100,000 rows) than
    counting a village again."""
    return f"(SELECT {columns} FROM old_rows UNION ALL SELECT {columns} FROM new_rows)"


HOUSEHOLD_UPDATE = HOUSEHOLD_ROWS % f"{_both('village_id')} changed"
ENTRY_UPDATE = ENTRY_ROWS % {"rows": _both("roster_id, household_id")}
PERSON_UPDATE = PERSON_ROWS % {"rows": _both("entry_product_id, campaign_id, id_number")}

# Rosters: a village's roster made or removed (its status is not counted).
ROSTER_ROWS = f"""
INSERT INTO {LOG} (txid, village_id) SELECT DISTINCT {TXID}, village_id FROM %s;"""

FORGET = "DELETE FROM enrollment_figurelog;"

TABLES = {
    "enrollment_household": ("household", HOUSEHOLD_ROWS, HOUSEHOLD_UPDATE),
    "enrollment_rosterentry": ("entry", ENTRY_ROWS, ENTRY_UPDATE),
    "enrollment_insuredperson": ("person", PERSON_ROWS, PERSON_UPDATE),
    "enrollment_roster": ("roster", ROSTER_ROWS, None),
}


def _rows(template: str, rows: str) -> str:
    return template % ({"rows": rows} if "%(rows)s" in template else rows)


def _statements() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, (short, rows, update) in TABLES.items():
        events = [
            ("insert", "INSERT", "NEW TABLE AS new_rows", _rows(rows, "new_rows")),
            ("delete", "DELETE", "OLD TABLE AS old_rows", _rows(rows, "old_rows")),
        ]
        if update is not None:
            events.append(
                ("update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", update)
            )
        for suffix, event, referencing, body in events:
            name = f"enrollment_figures_{short}_{suffix}"
            create += [_function(name, body), _trigger(table, name, event, referencing)]
            drop += [
                f"DROP TRIGGER IF EXISTS {name} ON {table};",
                f"DROP FUNCTION IF EXISTS {name}();",
            ]
        name = f"enrollment_figures_{short}_truncate"
        create += [
            _function(name, FORGET),
            f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
        ]
        drop += [f"DROP TRIGGER IF EXISTS {name} ON {table};", f"DROP FUNCTION IF EXISTS {name}();"]
    return create, drop


FIRST_LOG = (
    "INSERT INTO enrollment_figurelog (id, epoch, horizon, candidate, candidate_at) "
    "VALUES (1, %s, 0, pg_current_snapshot()::text, now()) ON CONFLICT (id) DO NOTHING"
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    create, _ = _statements()
    for statement in create:
        schema_editor.execute(statement)
    schema_editor.execute(FIRST_LOG, [uuid.uuid4()])


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _, drop = _statements()
    for statement in drop:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0011_household_plain_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FigureLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("epoch", models.UUIDField(default=uuid.uuid4)),
                ("horizon", models.BigIntegerField(default=0)),
                ("candidate", models.TextField()),
                ("candidate_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "统计变更记录状态",
                "verbose_name_plural": "统计变更记录状态",
            },
        ),
        migrations.CreateModel(
            name="FigureChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("txid", models.BigIntegerField(verbose_name="事务号")),
                ("village_id", models.BigIntegerField(null=True, verbose_name="村（社区）")),
                ("campaign_id", models.BigIntegerField(null=True, verbose_name="参保年度")),
                ("id_number", models.CharField(max_length=18, null=True, verbose_name="身份证号")),
            ],
            options={
                "verbose_name": "统计变更记录",
                "verbose_name_plural": "统计变更记录",
                "indexes": [models.Index(fields=["txid"], name="figurechange_txid")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
