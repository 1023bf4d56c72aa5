from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haimen_insurance.money import format_yuan, to_capital_yuan

_DIGIT_VALUES = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_integer(text: str) -> int:
    """Read capital numerals back (below 10^12), to check round-trips."""
    total = section = number = 0
    for ch in text:
        if ch in _DIGIT_VALUES:
            number = _DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            section += number * _SMALL_UNITS[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10**4
            section = number = 0
        elif ch == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        else:
            raise AssertionError(f"unexpected character {ch!r} in {text!r}")
    return total + section + number


def _parse_capital(text: str) -> Decimal:
    yuan_text, _, rest = text.rpartition("元")
    yuan = _parse_integer(yuan_text) if yuan_text else 0
    jiao = fen = 0
    if rest != "整":
        rest = rest.removeprefix("零")
        if "角" in rest:
            jiao_text, _, rest = rest.partition("角")
            jiao = _DIGIT_VALUES[jiao_text]
        if rest:
            assert rest.endswith("分") and len(rest) == 2, text
            fen = _DIGIT_VALUES[rest[0]]
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("1.00", "壹元整"),
        ("10", "壹拾元整"),
        ("10.00", "壹拾元整"),
        ("15.00", "壹拾伍元整"),
        ("20.00", "贰拾元整"),
        ("40.00", "肆拾元整"),
        ("100.05", "壹佰元零伍分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("1005.00", "壹仟零伍元整"),
        ("1010.10", "壹仟零壹拾元壹角"),
        ("1200.00", "壹仟贰佰元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("10000.00", "壹万元整"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("105000.00", "壹拾万伍仟元整"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("100500.00", "壹拾万零伍佰元整"),
        ("1005000.00", "壹佰万伍仟元整"),
        ("1000500.00", "壹佰万零伍佰元整"),
        ("100000000.00", "壹亿元整"),
        ("100000001.00", "壹亿零壹元整"),
        ("100005000.00", "壹亿零伍仟元整"),
        ("110000000.00", "壹亿壹仟万元整"),
        ("101000000.00", "壹亿零壹佰万元整"),
        ("100000000.05", "壹亿元零伍分"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("1.500", "壹元伍角"),
    ],
)
def test_to_capital_yuan_examples(amount: str, expected: str) -> None:
    assert to_capital_yuan(Decimal(amount)) == expected


@pytest.mark.parametrize(
    "amount", ["-0.01", "-100", "1.005", "0.001", "1000000000000", "NaN", "Infinity"]
)
def test_to_capital_yuan_rejects(amount: str) -> None:
    with pytest.raises(ValueError):
        to_capital_yuan(Decimal(amount))


def test_to_capital_yuan_rejects_float() -> None:
    with pytest.raises(TypeError):
        to_capital_yuan(1.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_to_capital_yuan_properties(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    text = to_capital_yuan(amount)
    assert "零零" not in text
    assert text.endswith("整") == (cents % 100 == 0)
    assert not text.startswith("零") or text == "零元整"
    assert _parse_capital(text) == amount


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1200", "1,200.00"),
        ("1200.00", "1,200.00"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("999.995", "1,000.00"),
        ("1234567.891", "1,234,567.89"),
        ("-1200.5", "-1,200.50"),
    ],
)
def test_format_yuan(amount: str, expected: str) -> None:
    assert format_yuan(Decimal(amount)) == expected
