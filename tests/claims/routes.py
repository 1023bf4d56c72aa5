"""Rows of the permission matrix for the claims routes (see tests/permissions.py)."""

ROWS = {}
