"""Permission-matrix rows for enrollment/views/reports.py (see tests/permissions.py)."""

ROWS = {}
