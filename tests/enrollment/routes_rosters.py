"""Permission-matrix rows for enrollment/views/rosters.py (see tests/permissions.py)."""

ROWS = {}
