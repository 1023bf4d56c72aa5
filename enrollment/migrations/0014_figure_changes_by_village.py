"""A finer figure change log: a statement of many roster entries or insured persons logs their
villages, as a small one does, instead of the whole campaign.

Before, more than a thousand rows in one statement (a large village's 全部参保, a roll-over's
round, a COPY) logged the campaign alone, and every village's kept figures of that campaign were
counted again. Now the entries' triggers always log the villages of the rows' rosters and
households, and the insured persons' triggers the villages of their rosters (through entry
product → entry → roster); a person whose line is already gone (deleted before the person in the
same transaction: the foreign keys are checked at commit) still logs its campaign as a whole.
The persons' ID numbers are logged one by one up to a thousand rows; beyond, one row with the
campaign and an empty ID number says "every ID number of the campaign", which makes the kept ID
numbers insured for two households counted again and leaves the villages' figures alone (they do
not depend on other villages' persons). The triggers stay as migration 0012 made them; only
their functions are replaced. SQLite (the demo) has no triggers."""

from django.db import migrations

TXID = "pg_current_xact_id()::text::bigint"
LOG = "enrollment_figurechange"
MANY = 1000  # more insured persons than this in one statement: their ID numbers as one row


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND $$;"
    )


def _both(columns: str) -> str:
    """The old and the new version of each updated row, as one FROM item (as in 0012)."""
    return f"(SELECT {columns} FROM old_rows UNION ALL SELECT {columns} FROM new_rows)"


# Roster entries: the village of the roster and the village of the household, however many rows
# (a roster or household deleted first logged its own village).
ENTRY_ROWS = f"""
INSERT INTO {LOG} (txid, village_id)
SELECT {TXID}, village FROM (
  SELECT r.village_id AS village FROM %(rows)s e JOIN enrollment_roster r ON r.id = e.roster_id
  UNION
  SELECT h.village_id FROM %(rows)s e JOIN enrollment_household h ON h.id = e.household_id
) changed;"""

# Insured persons: the village of the roster each is insured in (the campaign where its line is
# gone), then their ID numbers, or beyond MANY rows the campaign's ID numbers as one row.
PERSON_ROWS = f"""
INSERT INTO {LOG} (txid, village_id, campaign_id)
SELECT DISTINCT {TXID}, r.village_id, CASE WHEN r.village_id IS NULL THEN p.campaign_id END
FROM %(rows)s p
LEFT JOIN enrollment_entryproduct ep ON ep.id = p.entry_product_id
LEFT JOIN enrollment_rosterentry e ON e.id = ep.entry_id
LEFT JOIN enrollment_roster r ON r.id = e.roster_id;
IF (SELECT count(*) FROM %(rows)s counted) > {MANY} THEN
  INSERT INTO {LOG} (txid, campaign_id, id_number)
  SELECT DISTINCT {TXID}, p.campaign_id, '' FROM %(rows)s p;
ELSE
  INSERT INTO {LOG} (txid, campaign_id, id_number)
  SELECT DISTINCT {TXID}, p.campaign_id, p.id_number FROM %(rows)s p;
END IF;"""

# Migration 0012's bodies, to go back to.
OLD_ENTRY_ROWS = f"""
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
OLD_PERSON_ROWS = f"""
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

# Each table's short name in the functions' names, and the columns its update reads.
TABLES = {
    "entry": "roster_id, household_id",
    "person": "entry_product_id, campaign_id, id_number",
}


def _statements(bodies: dict[str, str]) -> list[str]:
    statements = []
    for short, columns in TABLES.items():
        for suffix, rows in (
            ("insert", "new_rows"),
            ("delete", "old_rows"),
            ("update", _both(columns)),
        ):
            name = f"enrollment_figures_{short}_{suffix}"
            statements.append(_function(name, bodies[short] % {"rows": rows}))
    return statements


def by_village(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _statements({"entry": ENTRY_ROWS, "person": PERSON_ROWS}):
        schema_editor.execute(statement)


def by_campaign(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _statements({"entry": OLD_ENTRY_ROWS, "person": OLD_PERSON_ROWS}):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0013_county_reports"),
    ]

    operations = [migrations.RunPython(by_village, by_campaign)]
