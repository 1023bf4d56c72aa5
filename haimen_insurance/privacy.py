"""Resident IDs as a reader may see them: in full for the roles that work with them (DESIGN.md
section 2), otherwise with the middle masked."""

import re

# An 18-character resident ID (last character a digit or x) or an old 15-digit one.
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask(number: str) -> str:
    """Mask the middle of an ID for display: first 6 + '********' + last 4."""
    if len(number) < 10:
        return number
    return f"{number[:6]}********{number[-4:]}"


def mask_ids_in(text: str) -> str:
    """The text with every resident ID in it masked."""
    return RESIDENT_ID.sub(lambda match: mask(match.group(1)), text)
