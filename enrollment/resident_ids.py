"""Chinese resident identity numbers (GB 11643-1999).

An 18-character number is: 6-digit region code, birth date ``YYYYMMDD``,
3-digit sequence (odd = male, even = female) and a check character computed
with ISO 7064 MOD 11-2. First-generation 15-digit numbers (``YYMMDD``, no
check character) are upgraded to 18 characters on parsing.

Error messages are in Simplified Chinese because they are shown to users.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from haimen_insurance.privacy import mask

__all__ = [
    "ResidentId",
    "ResidentIdError",
    "Sex",
    "check_against",
    "check_character",
    "looks_like_excel_number",
    "mask",
    "parse_resident_id",
    "plain_resident_id",
]

Sex = Literal["male", "female"]

_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH_DATE = date(1800, 1, 1)

_BODY_17 = re.compile(r"[0-9]{17}")
_VALID_18 = re.compile(r"[0-9]{17}[0-9X]")
_VALID_15 = re.compile(r"[0-9]{15}")
# Excel keeps 15 significant digits and shows big numbers as "3.20684199901011E+17";
# converted back to text they may also come out as "320684199901011000.0".
_SCIENTIFIC = re.compile(r"([0-9])(?:\.([0-9]*))?E\+?([0-9]{1,3})", re.IGNORECASE)
_FLOAT = re.compile(r"([0-9]+)\.0*")
_MIN_EXCEL_DIGITS = 15

_SEX_ALIASES: dict[str, Sex] = {
    "male": "male",
    "m": "male",
    "男": "male",
    "female": "female",
    "f": "female",
    "女": "female",
}
_SEX_LABELS: dict[Sex, str] = {"male": "男", "female": "女"}


class ResidentIdError(ValueError):
    """A resident ID number that cannot be accepted; ``str(exc)`` is a Chinese message."""


@dataclass(frozen=True)
class ResidentId:
    """A validated resident ID number."""

    number: str
    birth_date: date
    sex: Sex
    upgraded_from: str | None = None


def check_character(first17: str) -> str:
    """Return the MOD 11-2 check character ('0'-'9' or 'X') for the first 17 digits."""
    if not _BODY_17.fullmatch(first17):
        raise ValueError(f"check_character needs exactly 17 ASCII digits, got {first17!r}")
    return _CHECK_CHARS[_check_sum(first17)]


def _check_sum(first17: str) -> int:
    """The weighted sum of the 17 digits, modulo 11, for 17 ASCII digits already checked.

    The weights are 2**(17 - i) modulo 11 (7, 9, 10, 5, ...), and 13 is 2 modulo 11, so the sum
    is twice the digits read as a number in base 13: one C-speed ``int()`` instead of 17
    multiplications (``int`` would also take other digits, spaces and underscores, which is why
    the digits must have been checked first)."""
    return 2 * int(first17, 13) % 11


def _normalise(raw: str) -> str:
    # NFKC turns full-width digits and letters (common with Chinese IMEs) into ASCII.
    return unicodedata.normalize("NFKC", raw).strip().replace("x", "X")


def looks_like_excel_number(raw: str) -> bool:
    """True if ``raw`` looks like a 15+ digit number that Excel stored as a number.

    Matches scientific notation ("3.20684199901011E+17") and float text
    ("320684199901011000.0").
    """
    text = _normalise(raw)
    if match := _SCIENTIFIC.fullmatch(text):
        return int(match.group(3)) + 1 >= _MIN_EXCEL_DIGITS
    if match := _FLOAT.fullmatch(text):
        return len(match.group(1)) >= _MIN_EXCEL_DIGITS
    return False


def _birth_date(yyyymmdd: str, *, today: date) -> date:
    try:
        birth = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise ResidentIdError(f"身份证号中的出生日期无效：{yyyymmdd}") from None
    if birth < _EARLIEST_BIRTH_DATE:
        raise ResidentIdError(f"身份证号中的出生日期无效：{yyyymmdd}")
    if birth > today:
        raise ResidentIdError(f"身份证号中的出生日期（{birth.isoformat()}）晚于今天，请核对")
    return birth


@lru_cache(maxsize=65536)
def _plain_birth_date(yyyymmdd: str, today: date) -> date | None:
    try:
        return _birth_date(yyyymmdd, today=today)
    except ResidentIdError:
        return None


def plain_resident_id(text: str, *, today: date) -> tuple[date, Sex] | None:
    """(birth date, sex) of ``text`` when it is a valid 18-character ID already in the form the
    register stores (ASCII digits, an upper-case X, nothing around it): the usual cell of a
    register file, checked without the normalising of ``parse_resident_id``. None when the text
    needs that closer look, which also gives the reason it is refused."""
    if not _VALID_18.fullmatch(text):
        return None
    birth = _plain_birth_date(text[6:14], today)
    if birth is None or text[17] != _CHECK_CHARS[_check_sum(text[:17])]:
        return None
    return birth, "male" if int(text[16]) % 2 else "female"


def _bad_character(text: str) -> str:
    return next(ch for ch in text if ch not in "0123456789")


def parse_resident_id(raw: str, *, today: date) -> ResidentId:
    """Validate and normalise a resident ID; 15-digit numbers are upgraded to 18 characters.

    Raises ``ResidentIdError`` with a Chinese message if the number is invalid.
    """
    number = _normalise(raw)
    if not number:
        raise ResidentIdError("请填写身份证号")
    if looks_like_excel_number(number):
        raise ResidentIdError(
            "身份证号被Excel存成了数字，末几位已丢失，请将该列设为文本格式后重新填写"
        )
    if len(number) not in (15, 18):
        raise ResidentIdError(f"身份证号应为18位（或15位旧号），实际为{len(number)}位")

    upgraded_from: str | None = None
    if len(number) == 15:
        if not _VALID_15.fullmatch(number):
            raise ResidentIdError(f"15位旧身份证号只能包含数字，发现了“{_bad_character(number)}”")
        upgraded_from = number
        body = number[:6] + "19" + number[6:]
        number = body + check_character(body)
    elif not _VALID_18.fullmatch(number):
        if not _BODY_17.fullmatch(number[:17]):
            raise ResidentIdError(
                f"身份证号只能包含数字（最后一位可以是X），发现了“{_bad_character(number[:17])}”"
            )
        raise ResidentIdError(f"身份证号最后一位只能是数字或X，发现了“{number[17]}”")

    birth = _birth_date(number[6:14], today=today)
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ResidentIdError(f"校验码错误：末位应为{expected}，请核对身份证号是否输错")

    sex: Sex = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, birth_date=birth, sex=sex, upgraded_from=upgraded_from)


def _normalise_sex(value: str) -> Sex:
    try:
        return _SEX_ALIASES[value.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown sex value {value!r}") from None


def check_against(rid: ResidentId, *, birth_date: date | None, sex: str | None) -> list[str]:
    """Return Chinese messages for entered values that disagree with the ID (empty if none).

    ``sex`` may be 'male'/'female', 'm'/'f' or '男'/'女'; ``None``/'' means not entered.
    """
    problems: list[str] = []
    if birth_date is not None and birth_date != rid.birth_date:
        problems.append(f"出生日期与身份证号不符（身份证号为{rid.birth_date.isoformat()}）")
    if sex and _normalise_sex(sex) != rid.sex:
        problems.append(f"性别与身份证号不符（身份证号为{_SEX_LABELS[rid.sex]}）")
    return problems
