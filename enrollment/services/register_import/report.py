"""What the preview page shows of a check: counts, errors, notices, samples (kept as JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...models import Household
from ...register_files import HEADER_OF_FIELD
from ...resident_ids import mask

if TYPE_CHECKING:
    from .check import ImportPlan

REPORT_LIMIT = 1000  # errors and notices kept for the preview page
SAMPLE_SIZE = 20  # new and changed households shown on the preview page
_ID_FIELDS = frozenset({"father_id_number", "mother_id_number", "child_id_number"})
_CHOICE_LABELS = {
    "hukou": dict(Household.Hukou.choices),
    "child_sex": dict(Household.Sex.choices),
}


def counts(plan: ImportPlan) -> dict:
    return {
        "filename": plan.filename,
        "rows": plan.row_count,
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
        "error_rows": plan.error_row_count,
    }


def _shown(name: str, value) -> str:
    if value is None:
        return ""
    if name in _CHOICE_LABELS:
        return _CHOICE_LABELS[name].get(value, value)
    return str(value)


def summary(plan: ImportPlan) -> dict:
    """The RegisterImport fields that record a check: counts and the preview's report."""
    return {
        "row_count": plan.row_count,
        "new_count": len(plan.new),
        "changed_count": len(plan.changed),
        "unchanged_count": plan.unchanged,
        "error_row_count": plan.error_row_count,
        "report": {
            "banner": plan.error_banner if plan.errors else "",
            "error_count": len(plan.errors),
            "errors": [
                [error.line, error.column, error.reason] for error in plan.errors[:REPORT_LIMIT]
            ],
            "notice_count": len(plan.notices),
            "notices": [
                {
                    "line": notice.line,
                    "column": notice.column,
                    "message": notice.message,
                    "old": notice.old,
                    "new": notice.new,
                    "old_masked": mask(notice.old),
                    "new_masked": mask(notice.new),
                }
                for notice in plan.notices[:REPORT_LIMIT]
            ],
            "new_sample": [
                {
                    "line": row.line,
                    "certificate_no": row.certificate_no,
                    "village": f"{row.township}{row.village}",
                    "child_name": row.child_name,
                    "child_id": row.child_id_number,
                    "child_id_masked": mask(row.child_id_number),
                    "child_birth_date": row.child_birth_date.isoformat(),
                    "parents": " / ".join(
                        name for name in (row.father_name, row.mother_name) if name
                    ),
                    "payer": row.employer_name or "村集体",
                }
                for row in plan.new[:SAMPLE_SIZE]
            ],
            "changed_sample": [
                {
                    "line": change.row.line,
                    "certificate_no": change.row.certificate_no,
                    "child_name": change.row.child_name,
                    "changes": [
                        {
                            "label": HEADER_OF_FIELD[name],
                            "old": _shown(name, old),
                            "new": _shown(name, new),
                            "old_masked": mask(old) if name in _ID_FIELDS and old else "",
                            "new_masked": mask(new) if name in _ID_FIELDS and new else "",
                            "is_id": name in _ID_FIELDS,
                        }
                        for name, (old, new) in change.changes.items()
                    ],
                }
                for change in plan.changed[:SAMPLE_SIZE]
            ],
        },
    }
