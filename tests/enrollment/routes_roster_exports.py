"""Permission-matrix rows for enrollment/views/roster_exports.py (see tests/permissions.py)."""

ROWS = {}
