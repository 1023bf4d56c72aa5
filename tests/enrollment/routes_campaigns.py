"""Permission-matrix rows for enrollment/views/campaigns.py (see tests/permissions.py)."""

ROWS = {}
