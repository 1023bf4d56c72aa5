"""Reading the insurer's policy-number file: 证号 + 险种 → its own 保单号.

The policy list the insurer downloads has these three columns, so the insurer can fill in 保单号
and upload the same file. Like the register import, every bad row is listed and nothing is
issued until the file is clean; the file is held to the same upload limits, and a cell with a
control character is an error of its row and column.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from haimen_insurance.text import control_message, has_control_characters

from .models import Product
from .register_files import RowError, UnreadableFile, normalise_header, spreadsheet_rows
from .selectors.policies import PolicyKey

CERTIFICATE_NO, PRODUCT, NUMBER = "证号", "险种", "保单号"
_HEADERS = (CERTIFICATE_NO, PRODUCT, NUMBER)
_HEADER_SEARCH_ROWS = 10
_NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z\-/]{1,40}$")
# Excel keeps 15 significant digits: a longer number typed as a number has lost digits.
_EXCEL_DIGITS = 15


@cache
def _product_names() -> dict[str, str]:
    names = {}
    for code, label in Product.Code.choices:
        product = Product(code=code)
        for name in (code, label, product.short_name):
            names[normalise_header(name)] = code
    return names


@dataclass
class PolicyNumbers:
    numbers: dict[PolicyKey, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # policy number → row it came from


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_policy_numbers(
    content: bytes, *, filename: str, expected: set[PolicyKey], taken: set[str]
) -> PolicyNumbers:
    """Read the file against the report's policies (``expected``) and the numbers already in
    use (``taken``). The result holds numbers only when there is no error."""
    result = PolicyNumbers()
    errors = result.errors
    try:
        rows = spreadsheet_rows(content, filename)
        columns = None
        for line, values in rows:
            if columns is None:
                found = {normalise_header(value): index for index, value in enumerate(values)}
                if all(header in found for header in _HEADERS):
                    columns = [found[header] for header in _HEADERS]
                elif line >= _HEADER_SEARCH_ROWS:
                    break
                continue
            _read_row(line, values, columns, expected, taken, result)
    except UnreadableFile as error:
        errors.append(RowError(None, "", str(error)))
        return result
    if columns is None:
        errors.append(RowError(None, "", f"没有找到表头：文件须有「{'」「'.join(_HEADERS)}」三列"))
        return result
    labels = dict(Product.Code.choices)
    for certificate_no, code in sorted(expected - result.numbers.keys()):
        errors.append(RowError(None, "", f"证号 {certificate_no} 的{labels[code]}没有填写保单号"))
    if errors:
        result.numbers = {}
    return result


def _read_row(line, values, columns, expected, taken, result) -> None:
    cells = [values[index] if index < len(values) else None for index in columns]
    if all(_text(cell) == "" for cell in cells):
        return
    errors = result.errors
    texts = [_text(cell) for cell in cells]
    controls = [
        RowError(line, header, control_message(text).rstrip("。"))
        for header, text in zip(_HEADERS, texts, strict=True)
        if has_control_characters(text)
    ]
    if controls:  # the other checks would show the text
        errors.extend(controls)
        return
    certificate_no, product_name = texts[0], texts[1]
    raw_number, number = cells[2], texts[2]
    bad = len(errors)
    code = _product_names().get(normalise_header(product_name))
    if not certificate_no:
        errors.append(RowError(line, CERTIFICATE_NO, "证号为空"))
    if code is None:
        errors.append(
            RowError(
                line,
                PRODUCT,
                f"险种「{product_name}」无法识别，应为独生子女平安保险或独生子女父母安康保险",
            )
        )
    if isinstance(raw_number, int | float) and len(number) > _EXCEL_DIGITS:
        errors.append(
            RowError(
                line, NUMBER, "保单号被Excel存成了数字，末几位已丢失，请设为文本格式后重新填写"
            )
        )
    elif not number:
        errors.append(RowError(line, NUMBER, "保单号为空"))
    elif not _NUMBER_PATTERN.match(number):
        errors.append(RowError(line, NUMBER, "保单号只能由字母、数字和 - / 组成，最长 40 位"))
    elif number in taken:
        errors.append(RowError(line, NUMBER, f"保单号 {number} 已被其他保单使用"))
    if len(errors) > bad:
        return
    key = (certificate_no, code)
    if key not in expected:
        errors.append(
            RowError(
                line, CERTIFICATE_NO, f"本乡镇汇总中没有证号 {certificate_no} 的{product_name}"
            )
        )
    elif key in result.numbers:
        errors.append(
            RowError(line, CERTIFICATE_NO, f"证号 {certificate_no} 的{product_name}重复出现")
        )
    elif number in result.lines:
        errors.append(RowError(line, NUMBER, f"保单号 {number} 与第{result.lines[number]}行重复"))
    else:
        result.numbers[key] = number
        result.lines[number] = line
