from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment.resident_ids import (
    ResidentId,
    ResidentIdError,
    check_against,
    check_character,
    looks_like_excel_number,
    mask,
    parse_resident_id,
)

TODAY = date(2024, 6, 1)
EXCEL_MESSAGE = "身份证号被Excel存成了数字，末几位已丢失，请将该列设为文本格式后重新填写"


def make_id(region: str = "320684", birth: str = "19990102", seq: str = "123") -> str:
    body = region + birth + seq
    return body + check_character(body)


def parse(raw: str) -> ResidentId:
    return parse_resident_id(raw, today=TODAY)


def error_of(raw: str) -> str:
    with pytest.raises(ResidentIdError) as excinfo:
        parse(raw)
    return str(excinfo.value)


# --- check_character -------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # the example in GB 11643-1999
        ("44052418800101001", "4"),  # the other example in GB 11643-1999
    ],
)
def test_check_character_standard_examples(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


# The weights of GB 11643-1999: 2 ** (17 - i) modulo 11 for the i-th digit.
STANDARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_is_the_standard_weighted_sum(first17: str) -> None:
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, STANDARD_WEIGHTS, strict=True)
    )
    assert check_character(first17) == "10X98765432"[total % 11]


@pytest.mark.parametrize(
    "bad", ["1234567890123_456", " 1234567890123456", "１２３４５６７８９０１２３４５６７"]
)
def test_check_character_refuses_what_int_would_take(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_character_needs_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


# --- parsing valid numbers --------------------------------------------------


def test_parse_known_valid_id() -> None:
    assert parse("11010519491231002X") == ResidentId(
        number="11010519491231002X", birth_date=date(1949, 12, 31), sex="female"
    )


def test_parse_generated_male_id() -> None:
    number = make_id(seq="123")
    rid = parse(number)
    assert rid.number == number
    assert rid.birth_date == date(1999, 1, 2)
    assert rid.sex == "male"
    assert rid.upgraded_from is None


def test_parse_born_before_1900() -> None:
    assert parse("440524188001010014").birth_date == date(1880, 1, 1)


def test_parse_strips_whitespace_and_uppercases_x() -> None:
    assert parse("  11010519491231002x\t").number == "11010519491231002X"
    assert parse("\u300011010519491231002X\u3000").number == "11010519491231002X"


def test_parse_accepts_full_width_characters() -> None:
    assert parse("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"


def test_upgrade_15_digit_id() -> None:
    rid = parse("320684990102123")
    assert rid.number == make_id(birth="19990102", seq="123")
    assert len(rid.number) == 18
    assert rid.birth_date == date(1999, 1, 2)
    assert rid.sex == "male"
    assert rid.upgraded_from == "320684990102123"


def test_upgrade_15_digit_female_with_whitespace() -> None:
    rid = parse(" 320684800229124 ")
    assert rid.birth_date == date(1980, 2, 29)
    assert rid.sex == "female"
    assert rid.upgraded_from == "320684800229124"


@pytest.mark.parametrize("birth", ["20000229", "20240229", "19960229"])
def test_feb_29_in_leap_years(birth: str) -> None:
    assert parse(make_id(birth=birth)).birth_date.day == 29


@pytest.mark.parametrize("birth", ["19000229", "19990229", "21000229"])
def test_feb_29_in_non_leap_years(birth: str) -> None:
    assert error_of(make_id(birth=birth)) == f"身份证号中的出生日期无效：{birth}"


def test_born_today_is_accepted() -> None:
    assert parse(make_id(birth="20240601")).birth_date == TODAY


# --- error messages -----------------------------------------------------------


def test_empty() -> None:
    assert error_of("") == "请填写身份证号"
    assert error_of("   ") == "请填写身份证号"


@pytest.mark.parametrize(
    ("raw", "length"),
    [("1", 1), ("3206841999010212", 16), ("32068419990102123", 17), ("3206841999010212345", 19)],
)
def test_wrong_length(raw: str, length: int) -> None:
    assert error_of(raw) == f"身份证号应为18位（或15位旧号），实际为{length}位"


def test_wrong_length_message_example() -> None:
    assert error_of("32068419990102123") == "身份证号应为18位（或15位旧号），实际为17位"


def test_non_digit_in_body() -> None:
    assert error_of("3206841999O102123X") == "身份证号只能包含数字（最后一位可以是X），发现了“O”"
    assert error_of("X20684199901021234") == "身份证号只能包含数字（最后一位可以是X），发现了“X”"
    assert error_of("320684-19990102123") == "身份证号只能包含数字（最后一位可以是X），发现了“-”"


def test_non_digit_check_character() -> None:
    assert error_of("32068419990102123Y") == "身份证号最后一位只能是数字或X，发现了“Y”"


def test_non_digit_in_15_digit_id() -> None:
    assert error_of("32068499010212X") == "15位旧身份证号只能包含数字，发现了“X”"


def test_non_ascii_digits_are_rejected() -> None:
    # Arabic-Indic digit: str.isdigit() is True, but it is not a valid ID character.
    assert "发现了“٣”" in error_of("٣20684199901021234")


@pytest.mark.parametrize("birth", ["19991302", "19990100", "19990132", "00000000", "17991231"])
def test_invalid_birth_date(birth: str) -> None:
    assert error_of(make_id(birth=birth)) == f"身份证号中的出生日期无效：{birth}"


def test_invalid_birth_date_in_15_digit_id() -> None:
    assert error_of("320684991302123") == "身份证号中的出生日期无效：19991302"


def test_future_birth_date() -> None:
    assert error_of(make_id(birth="20240602")) == (
        "身份证号中的出生日期（2024-06-02）晚于今天，请核对"
    )


def test_wrong_check_character() -> None:
    assert error_of("110105194912310021") == "校验码错误：末位应为X，请核对身份证号是否输错"
    number = make_id()
    wrong = "0" if number[-1] != "0" else "1"
    assert error_of(number[:-1] + wrong).startswith(f"校验码错误：末位应为{number[-1]}")


@pytest.mark.parametrize(
    "raw",
    [
        "3.20684199901011E+17",
        "3.20684199901011e+17",
        "3.20684E+17",
        "3.20684199901011E17",
        "320684199901011000.0",
        "320684199901011000.",
        " 320684199901011000.00 ",
    ],
)
def test_excel_number(raw: str) -> None:
    assert looks_like_excel_number(raw)
    assert error_of(raw) == EXCEL_MESSAGE


@pytest.mark.parametrize(
    "raw", ["11010519491231002X", "320684990102123", "", "1.5", "3.2E+5", "abc", "12.34.56"]
)
def test_not_excel_number(raw: str) -> None:
    assert not looks_like_excel_number(raw)


def test_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse("123")


# --- check_against ----------------------------------------------------------------


def test_check_against_matching_values() -> None:
    rid = parse(make_id(birth="19990102", seq="123"))
    assert check_against(rid, birth_date=date(1999, 1, 2), sex="male") == []
    assert check_against(rid, birth_date=None, sex=None) == []
    assert check_against(rid, birth_date=None, sex="") == []
    assert check_against(rid, birth_date=None, sex="男") == []
    assert check_against(rid, birth_date=None, sex="M") == []


def test_check_against_wrong_birth_date() -> None:
    rid = parse(make_id(birth="19990102"))
    assert check_against(rid, birth_date=date(1999, 2, 1), sex=None) == [
        "出生日期与身份证号不符（身份证号为1999-01-02）"
    ]


def test_check_against_wrong_sex() -> None:
    male = parse(make_id(seq="123"))
    female = parse(make_id(seq="124"))
    assert check_against(male, birth_date=None, sex="female") == [
        "性别与身份证号不符（身份证号为男）"
    ]
    assert check_against(female, birth_date=None, sex="男") == [
        "性别与身份证号不符（身份证号为女）"
    ]


def test_check_against_both_wrong() -> None:
    rid = parse(make_id(birth="19990102", seq="124"))
    assert check_against(rid, birth_date=date(2000, 1, 2), sex="male") == [
        "出生日期与身份证号不符（身份证号为1999-01-02）",
        "性别与身份证号不符（身份证号为女）",
    ]


def test_check_against_unknown_sex_value() -> None:
    with pytest.raises(ValueError):
        check_against(parse(make_id()), birth_date=None, sex="unknown")


# --- mask -------------------------------------------------------------------------


def test_mask() -> None:
    assert mask("320684199901021234") == "320684********1234"
    assert mask("11010519491231002X") == "110105********002X"
    assert mask("320684990102123") == "320684********2123"


@pytest.mark.parametrize("short", ["", "1", "123456789"])
def test_mask_short_input_unchanged(short: str) -> None:
    assert mask(short) == short


# --- properties ---------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")
birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=TODAY)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    body = draw(regions) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences)
    return body + check_character(body)


@given(regions, birth_dates, sequences)
def test_any_valid_body_with_check_character_parses(region: str, birth: date, seq: str) -> None:
    body = region + birth.strftime("%Y%m%d") + seq
    rid = parse(body + check_character(body))
    assert rid.number == body + check_character(body)
    assert rid.birth_date == birth
    assert rid.sex == ("male" if int(seq) % 2 else "female")
    assert rid.upgraded_from is None
    assert parse(rid.number.lower()) == rid


@given(valid_ids(), st.integers(min_value=0, max_value=16), digits)
def test_changing_one_digit_invalidates(number: str, position: int, digit: str) -> None:
    original = number[position]
    if digit == original:
        digit = str((int(original) + 1) % 10)
    body = number[:position] + digit + number[position + 1 : 17]
    assert check_character(body) != number[17]
    with pytest.raises(ResidentIdError):
        parse(body + number[17])


@given(valid_ids(), st.sampled_from("0123456789X"))
def test_changing_check_character_invalidates(number: str, check: str) -> None:
    if check != number[17]:
        assert "校验码错误" in error_of(number[:17] + check)


@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_upgrade_gives_valid_18_digit_id(region: str, birth: date, seq: str) -> None:
    old = region + birth.strftime("%y%m%d") + seq
    rid = parse(old)
    assert len(rid.number) == 18
    assert rid.number == region + "19" + birth.strftime("%y%m%d") + seq + rid.number[17]
    assert rid.number[17] == check_character(rid.number[:17])
    assert rid.birth_date == birth
    assert rid.upgraded_from == old
    assert parse(rid.number) == ResidentId(rid.number, birth, rid.sex)


@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=date(9999, 12, 31)))
def test_future_birth_dates_are_rejected(birth: date) -> None:
    assert "晚于今天" in error_of(make_id(birth=birth.strftime("%Y%m%d")))
