"""The workbook writer (``haimen_insurance.xlsx``) on its own: text stays text on every path
(row, plain_rows, totals), formats by column kind, the frozen header, the caption, totals in
bold, and save() failing with the OSError a caller expects."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from haimen_insurance import xlsx
from haimen_insurance.xlsx import DATE, INTEGER, MONEY, PERCENT, TEXT, Column, XlsxWriter

TEXTS = ["=2+3", "+1", "-1+2", "@SUM(A1)", "\t=1+1", "http://example.org", "00123", "1e5"]
COLUMNS = [
    Column("证号", TEXT, width=16),
    Column("份数", INTEGER),
    Column("保费（元）", MONEY),
    Column("出险日期", DATE),
    Column("赔付率", PERCENT),
]


def written(writer: XlsxWriter):
    buffer = io.BytesIO()
    writer.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]


def test_strings_stay_text_and_numbers_get_their_column_format():
    writer = XlsxWriter().sheet("测试", COLUMNS, caption="标题")
    for text in TEXTS:
        writer.row([text, 2, Decimal("12.34"), date(2013, 3, 5), 0.25])
    writer.plain_rows([(text, 1, Decimal("20.00"), None, None) for text in TEXTS])
    writer.totals(["合计", None, Decimal("99.99"), None, None])
    sheet = written(writer)
    assert writer.rows_written == 2 * len(TEXTS)
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].value == "标题" and sheet["A1"].font.b
    assert [cell.value for cell in sheet[2]] == [column.header for column in COLUMNS]
    assert all(cell.font.b and cell.data_type == "s" for cell in sheet[2])
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    texts = [row[0] for row in sheet.iter_rows(min_row=3, max_row=2 + 2 * len(TEXTS))]
    assert [cell.value for cell in texts] == TEXTS * 2
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in texts)
    assert not sheet["A3"].hyperlink and not sheet[f"A{3 + TEXTS.index('1e5')}"].hyperlink
    first = sheet[3]
    assert [cell.number_format for cell in first] == ["@", "0", "#,##0.00", "yyyy-mm-dd", "0.00%"]
    assert first[1].value == 2 and first[2].value == pytest.approx(12.34)
    assert first[3].value.date() == date(2013, 3, 5) and first[4].value == 0.25
    totals = sheet[sheet.max_row]
    assert totals[0].value == "合计" and totals[2].value == pytest.approx(99.99)
    assert all(cell.font.b for cell in totals)
    # Each column keeps its kind below the rows written (what is typed in later).
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "#,##0.00"


def test_a_text_column_writes_other_values_as_text():
    writer = XlsxWriter().sheet("测试", COLUMNS)
    writer.row([320684, None, None, None, None])
    assert written(writer)["A2"].value == "320684"


def test_save_to_a_folder_that_does_not_exist_raises_oserror(tmp_path):
    writer = XlsxWriter().sheet("测试", COLUMNS)
    with pytest.raises(OSError):
        writer.save(str(tmp_path / "nowhere" / "x.xlsx"))


def _sheet_xml(writer: XlsxWriter) -> bytes:
    buffer = io.BytesIO()
    writer.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


# Rows of every kind plain_rows meets: plain ones (written by its own XML) and those that need
# XlsxWriter's care (escaping, control characters, spaces kept, an empty text, a long text).
PLAIN_ROWS = [
    ("海门镇", 1, Decimal("20.00"), None, 0.5),
    ("a & b", 2, Decimal("1.10"), None, None),
    ("<b>", 0, Decimal("0"), None, None),
    ("tab\there", 3, 7, None, None),
    ("line\nbreak", None, None, None, None),
    ("bell\x07", None, None, None, None),
    ("_x0041_", None, None, None, None),
    (" leading", None, None, None, None),
    ("trailing\u3000", None, None, None, None),
    ("", 1, None, None, None),
    ("长" * 20000, None, None, None, None),
    ("=SUM(A1:A2)", 12345678901234, Decimal("123456789.125"), None, 1e-7),
    (None, None, None, None, None),
    ("东兴村|五组", -4, Decimal("-3.5"), None, 2.0),
]


def test_the_quick_rows_are_the_xml_xlsxwriter_writes(monkeypatch):
    def workbook():
        writer = XlsxWriter().sheet("测试", COLUMNS, caption="标题")
        writer.plain_rows(PLAIN_ROWS * 3)
        writer.totals(["合计", None, Decimal("99.99"), None, None])
        return writer

    quick = _sheet_xml(workbook())
    monkeypatch.setattr(xlsx, "_plain_row_xml", lambda *args: None)  # every row by XlsxWriter

    assert quick == _sheet_xml(workbook())
    assert b"&amp;" in quick and b"_x0007_" in quick and b'xml:space="preserve"' in quick


def test_quick_rows_read_back_as_written():
    writer = XlsxWriter().sheet("测试", COLUMNS)
    writer.plain_rows(PLAIN_ROWS)
    sheet = written(writer)

    assert writer.rows_written == len(PLAIN_ROWS)
    assert sheet.max_row == len(PLAIN_ROWS) + 1
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == ["海门镇", 1, 20, None, 0.5]
    assert [row[0] for row in values[1:5]] == ["a & b", "<b>", "tab\there", "line\nbreak"]
    assert [row[0] for row in values[7:9]] == [" leading", "trailing\u3000"]
    assert values[-2] == [None] * 5  # the empty row
    assert values[-1] == ["东兴村|五组", -4, -3.5, None, 2]
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet["C2"].number_format == "#,##0.00"
