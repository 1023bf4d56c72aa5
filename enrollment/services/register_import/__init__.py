"""Register import: check a file row by row, then write it in one transaction.

``register_import_check`` (``check``) reads the file (``enrollment.register_files``), finds each
row's village within the actor's scope and compares the rows with the register by certificate
number, a few thousand rows per query, never one query per row. It writes nothing.

``register_import_apply`` writes a checked plan in one transaction (``write``): the new
households and the changed ones, one audit event per household written and one for the import.
A changed household is locked first, and compared again if someone edited it since the check, so
the audit holds the values really replaced. On PostgreSQL the rows go in with COPY and one
``UPDATE ... FROM (VALUES ...)`` per thousand rows (``bulk``), which keeps 100,000 rows well
under a minute. A plan with any error writes nothing. The database constraint that a child is on
one valid certificate only is the last guard against two people importing at once; if it fires,
everything is rolled back and the user gets a plain Chinese message.

In the browser a file is first stored (``register_import_upload``) with what its check found,
shown as a preview (``report``), and imported by ``register_import_confirm``, which checks the
stored file again because the register may have changed since the upload.
"""

from .check import Change, ImportPlan, ImportResult, register_import_check
from .write import register_import_apply, register_import_confirm, register_import_upload

__all__ = [
    "Change",
    "ImportPlan",
    "ImportResult",
    "register_import_apply",
    "register_import_check",
    "register_import_confirm",
    "register_import_upload",
]
