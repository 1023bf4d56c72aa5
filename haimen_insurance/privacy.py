"""Resident IDs as a reader may see them: in full for the roles that work with them (docs/design.md
section 2), otherwise with the middle masked.

The masked middle of an 18-character ID is the birth date, and the last four characters stay
visible, so a full birth date beside a masked ID gives the whole ID back. Wherever a person's
birth date is shown, a reader who sees IDs masked sees only the year (``2005年``): with the
region, the year and the last four characters about a third of the year's days still fit the
check character, so no ID can be rebuilt. Every page, table, export and the audit trail go
through ``shown_birth_date`` (templates through the ``birth_date`` filter of the ``ui`` tags).
"""

import re
from datetime import date, datetime

# Fields that hold a person's birth date (the audit trail shows their changes with
# ``shown_birth_date``).
BIRTH_DATE_FIELDS = frozenset({"child_birth_date"})

# A full date as ISO text (2005-03-14) inside free text.
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-\d{2}-\d{2}(?!\d)")

# An 18-character resident ID (last character a digit or x) or an old 15-digit one.
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask(number: str) -> str:
    """Mask the middle of an ID for display: first 6 + '********' + last 4."""
    if len(number) < 10:
        return number
    return f"{number[:6]}********{number[-4:]}"


def shown_id(number: str, *, full: bool) -> str:
    """A resident ID as this reader may see it: in full, or ``320684********1234``."""
    if not number:
        return ""
    return number if full else mask(number)


def mask_ids_in(text: str) -> str:
    """The text with every resident ID in it masked."""
    return RESIDENT_ID.sub(lambda match: mask(match.group(1)), text)


def shown_text(text: str, *, full_ids: bool) -> str:
    """Free text (a reason, a description) as this reader may see it: any resident ID in it
    masked unless ``full_ids``."""
    if full_ids or not text:
        return text or ""
    return mask_ids_in(text)


def shown_birth_date(value: date | str | None, *, full_ids: bool) -> str:
    """A birth date (a date or ISO text) as this reader may see it: ``2005-03-14`` in full, or
    only the year, ``2005年``, for a reader who sees IDs masked."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            # Not a date: nothing to hide but the digits, which may spell one.
            return value if full_ids else "—"
    return value.isoformat() if full_ids else f"{value.year}年"


def shown_dates_in(text: str, *, full_ids: bool) -> str:
    """A message that may name a birth date (``身份证号为2005-03-14``) as this reader may see it:
    every ISO date in it cut to its year unless ``full_ids``."""
    if full_ids or not text:
        return text or ""
    return ISO_DATE.sub(lambda match: f"{match.group(1)}年", text)
