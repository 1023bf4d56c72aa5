"""Money formatting: 人民币大写 (capital numerals) and thousands-separated yuan."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["format_yuan", "to_capital_yuan"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DIGIT_UNITS = ("仟", "佰", "拾", "")  # within a 4-digit section, most significant first
_SECTION_UNITS = ("亿", "万", "")  # sections of 4 digits, most significant first
_CENT = Decimal("0.01")
_LIMIT = Decimal(10) ** 12  # 壹万亿: the largest section unit is 亿


def _cents(amount: Decimal) -> int:
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if amount >= _LIMIT:
        raise ValueError(f"amount must be less than 10^12, got {amount}")
    if amount != amount.quantize(_CENT):
        raise ValueError(f"amount must not have more than 2 decimal places, got {amount}")
    return int(amount * 100)


def _section(value: int) -> str:
    """Write 1..9999 with 零 for inner zero runs and no trailing 零."""
    parts: list[str] = []
    pending_zero = False
    for digit, unit in zip(f"{value:04d}", _DIGIT_UNITS, strict=True):
        if digit == "0":
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_DIGITS[int(digit)] + unit)
    return "".join(parts)


def _integer(value: int) -> str:
    """Write a positive integer below 10^12 in capital numerals."""
    sections = (value // 10**8, value // 10**4 % 10**4, value % 10**4)
    parts: list[str] = []
    skipped_section = False
    for section, unit in zip(sections, _SECTION_UNITS, strict=True):
        if section == 0:
            skipped_section = bool(parts)
            continue
        if parts and (skipped_section or section < 1000):
            parts.append("零")
        parts.append(_section(section) + unit)
        skipped_section = False
    return "".join(parts)


def to_capital_yuan(amount: Decimal) -> str:
    """Return ``amount`` in Chinese capital numerals (人民币大写), without the 人民币 prefix.

    Follows 《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》:

    * 整 only after 元 (1200.00 → 壹仟贰佰元整); none after 角 or 分 (0.50 → 伍角).
    * A run of zeros between digits is written as one 零 (1005.00 → 壹仟零伍元整,
      100000001.00 → 壹亿零壹元整); trailing zeros are not written.
    * Where the rules make 零 optional — 万位 or 元位 is 0 but the next digit (千位 or
      角位) is not — this function consistently omits it: 105000.00 → 壹拾万伍仟元整,
      1680.32 → 壹仟陆佰捌拾元叁角贰分. A whole 4-digit section of zeros still gets 零
      (100005000.00 → 壹亿零伍仟元整).
    * 角位 0 with 分位 non-zero requires 零 after 元 (100.05 → 壹佰元零伍分).
    * Amounts below 1 yuan omit 元 (0.05 → 伍分); zero is 零元整.
    * The tens digit is always written, also at the start (10.00 → 壹拾元整).

    Raises ``ValueError`` for negative, non-finite or ≥ 10^12 amounts and for amounts with
    non-zero digits beyond the cent (trailing zeros such as 1.500 are fine).
    """
    cents = _cents(amount)
    if cents == 0:
        return "零元整"
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    parts: list[str] = []
    if yuan:
        parts.append(_integer(yuan) + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    if not jiao and not fen:
        parts.append("整")
    return "".join(parts)


def format_yuan(amount: Decimal) -> str:
    """Format ``amount`` with thousands separators and 2 decimals (half-up): '1,200.00'."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount}")
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
