"""Assessment rules and review notes move to the ``oversight`` app, which shows and writes them.

Only the migration state changes here: the models leave ``enrollment``'s state and the tables
and their rows stay as they are. ``oversight`` 0001 takes the models into its state, renames the
tables to its own names and moves their content types (and so their permissions) across."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_roster_on_behalf")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AssessmentRule"),
                migrations.DeleteModel(name="ReviewNote"),
            ],
            database_operations=[],
        )
    ]
