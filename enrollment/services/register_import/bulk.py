"""Updating the changed households off PostgreSQL (the SQLite demo): ``bulk_update``, a few
hundred at a time. (On PostgreSQL the changes go in with COPY and one ``UPDATE ... FROM``:
``write._write_changes_joined``.)"""

from ...models import Household
from .check import model_values


def update_households(updates: list[tuple[int, dict]], fields, now) -> None:
    """Write ``fields`` (and ``updated_at``) of each (primary key, values) pair."""
    if updates:
        Household.objects.bulk_update(
            [Household(pk=pk, updated_at=now, **model_values(values)) for pk, values in updates],
            [*fields, "updated_at"],
            batch_size=500,
        )
