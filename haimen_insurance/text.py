"""Text that people type or upload: control characters, and text in which nothing shows.

One place decides both, for the request middleware, the forms and the file imports:

- a control character (C0, DEL, C1; tab, newline and carriage return only where the text may
  have several lines) never reaches the database: PostgreSQL refuses NUL outright, and the others
  are invisible in every page and PDF;
- a name made only of invisible characters (spaces of any width, zero-width and direction marks,
  fillers) looks empty on every page yet is not, so it is refused like an empty one.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls, DEL and C1 controls; the multi-line set leaves out tab, newline and CR.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Characters that show nothing, beyond the categories below: zero-width space, non-joiner and
# joiner, the direction marks and embeddings/overrides, word joiner and invisible operators,
# byte-order mark, and the fillers that are letters but draw nothing.
_INVISIBLE = frozenset(
    [*map(chr, range(0x200B, 0x2010)), *map(chr, range(0x202A, 0x202F))]
    + [*map(chr, range(0x2060, 0x2065)), *map(chr, range(0x2066, 0x206A))]
    + ["\ufeff", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e", "\u034f"]
)
# Format, control, space and separator characters, and combining marks with nothing to mark.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})

CONTROL_MESSAGE = "含有控制字符（{characters}），请删除后重新填写。"
INVISIBLE_MESSAGE = "不能只有空格或不可见的字符（如零宽空格），请填写实际内容。"


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters of ``text``, each once, as U+XXXX (empty when there are none)."""
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL
    found = dict.fromkeys(pattern.findall(text))
    return [f"U+{ord(character):04X}" for character in found]


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(text) is not None


def control_message(text: str, *, multiline: bool = False) -> str:
    """The Chinese reason for text with control characters, naming them (never showing them)."""
    characters = control_characters(text, multiline=multiline)
    shown = "、".join(characters[:3]) + ("等" if len(characters) > 3 else "")
    return CONTROL_MESSAGE.format(characters=shown)


def _shows_nothing(character: str) -> bool:
    return character in _INVISIBLE or unicodedata.category(character) in _INVISIBLE_CATEGORIES


# Whether a character shows, as found so far: most texts answer from their first character,
# and a file of 100,000 rows has a few thousand distinct ones (at most every code point).
_SHOWS: dict[str, bool] = {}


def is_invisible(text: str) -> bool:
    """Whether non-empty ``text`` is made only of characters that show nothing."""
    if not text:
        return False
    first = text[0]
    shows = _SHOWS.get(first)
    if shows is None:
        shows = _SHOWS[first] = not _shows_nothing(first)
    return not shows and all(map(_shows_nothing, text))
