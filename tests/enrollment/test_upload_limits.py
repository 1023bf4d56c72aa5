"""Upload limits: a spreadsheet past the row or column limit, a zip bomb, or an archive that lies
about its size is refused before any spreadsheet library reads it, quickly and with a Chinese
message naming the limit; the register import, the policy-number import and the command alike.

The files are built small: the row limit is lowered for a test (the guard reads the module's
constants when it runs), and the zip bomb is a real one of a few MB deflated to a few KB."""

import io
import struct
import time
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

import enrollment.register_files
from enrollment.models import Household
from enrollment.policy_numbers import read_policy_numbers
from enrollment.register_files import HEADERS, read_register
from haimen_insurance import uploads
from tests.enrollment.test_register_files import TODAY, household_values, write_csv, write_xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture
def limit_50(monkeypatch):
    """The row limit lowered to 50 data rows, so a test file has a hundred rows, not 300,000."""
    monkeypatch.setattr(uploads, "MAX_DATA_ROWS", 50)


@pytest.fixture
def no_reader(monkeypatch):
    """The spreadsheet reader (calamine) must not be reached: the guard refuses the file first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the spreadsheet reader was called")

    monkeypatch.setattr(enrollment.register_files, "load_workbook", refuse)


def rows(count: int) -> list[dict]:
    return [household_values(f"HM{n:05d}") for n in range(count)]


def workbook(sheet_xml: str | bytes, shared_strings: str | bytes = f'<sst xmlns="{MAIN}"/>'):
    """An .xlsx of one sheet whose XML is given as it is (the way a hostile file would be)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="登记" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for index, text in enumerate(HEADERS)
    )
    return f'<row r="1">{cells}</row>'


def errors(content: bytes, name: str) -> list[str]:
    started = time.perf_counter()
    result = read_register(content, filename=name, today=TODAY)
    assert time.perf_counter() - started < 5
    return [str(error) for error in result.errors]


ROWS_50 = "文件：文件超过 50 行的上限，请按乡镇分开上传。"


# Rows --------------------------------------------------------------------------------------


def test_an_xlsx_past_the_row_limit_is_refused_before_it_is_read(tmp_path, limit_50, no_reader):
    content = write_xlsx(tmp_path / "登记.xlsx", rows(70)).read_bytes()

    assert errors(content, "登记.xlsx") == [ROWS_50]


def test_an_xlsx_within_the_row_limit_is_read(tmp_path, limit_50):
    content = write_xlsx(tmp_path / "登记.xlsx", rows(50)).read_bytes()

    result = read_register(content, filename="登记.xlsx", today=TODAY)

    assert result.errors == [] and len(result.rows) == 50


def test_the_default_limit_is_named_in_the_message(tmp_path, monkeypatch, no_reader):
    # 300,000 rows would take minutes to build; the message is the same one, with its number.
    monkeypatch.setattr(uploads, "max_rows", lambda: 3)
    content = write_xlsx(tmp_path / "登记.xlsx", rows(5)).read_bytes()

    assert errors(content, "登记.xlsx") == ["文件：文件超过 300,000 行的上限，请按乡镇分开上传。"]
    assert uploads.MAX_DATA_ROWS == 300_000


def test_a_row_numbered_past_the_limit_is_refused(no_reader):
    # Two rows, the second numbered 20,000,000: a reader would hand out every row in between.
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{header_row()}'
        '<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )

    assert errors(workbook(sheet), "登记.xlsx") == [
        "文件：文件超过 300,000 行的上限，请按乡镇分开上传。"
    ]


def test_rows_are_counted_in_any_spelling_xml_allows(limit_50, no_reader):
    # A namespace prefix, single quotes, spaces around "=", rows without a number.
    body = "".join(f"<x:row r = '{line}'><x:c/></x:row>" for line in range(2, 50))
    body += "<x:row/>" * 20
    sheet = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{body}</x:sheetData></x:worksheet>'

    assert errors(workbook(sheet), "登记.xlsx") == [ROWS_50]


def test_a_declared_dimension_past_the_limit_is_refused(no_reader):
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:P900000"/><sheetData>{header_row()}'
        "</sheetData></worksheet>"
    )

    assert errors(workbook(sheet), "登记.xlsx") == [
        "文件：文件超过 300,000 行的上限，请按乡镇分开上传。"
    ]


@pytest.mark.parametrize("address", ["东兴村8组", "东兴村,8组"], ids=["plain", "quoted"])
def test_a_csv_past_the_row_limit_is_refused(tmp_path, limit_50, address):
    values = [household_values(f"HM{n:05d}", 家庭住址=address) for n in range(70)]
    content = write_csv(tmp_path / "登记.csv", values).read_bytes()

    assert errors(content, "登记.csv") == [ROWS_50]


def test_a_csv_with_line_breaks_in_cells_is_counted_by_records(tmp_path, limit_50):
    # 50 households whose addresses span three lines each: 150 lines, 50 records.
    values = [household_values(f"HM{n:05d}", 家庭住址="东兴村\n8组\n3号") for n in range(50)]
    content = write_csv(tmp_path / "登记.csv", values).read_bytes()

    result = read_register(content, filename="登记.csv", today=TODAY)

    assert result.errors == [] and len(result.rows) == 50


# Columns -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="CW2" t="inlineStr"><is><t>x</t></is></c>',  # column 101
        '<c r="XFD2"/>',
        "<c s='1' r = 'xfd2'/>",
    ],
)
def test_a_cell_past_the_column_limit_is_refused(cell, no_reader):
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{header_row()}<row r="2">{cell}</row>'
        "</sheetData></worksheet>"
    )

    assert errors(workbook(sheet), "登记.xlsx") == [
        "文件：表格超过 100 列的上限，请删除多余的列后重新上传。"
    ]


def test_a_cell_in_the_last_allowed_column_is_read():
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:CV2"/><sheetData>{header_row()}'
        '<row r="2"><c r="CV2" t="inlineStr"><is><t>备注</t></is></c></row>'
        "</sheetData></worksheet>"
    )

    assert "列的上限" not in " ".join(errors(workbook(sheet), "登记.xlsx"))


# Zip containers ----------------------------------------------------------------------------


def bomb(megabytes: int = 8) -> bytes:
    """A real zip bomb, small: a shared-strings table of ``megabytes`` MB of one repeated text,
    which deflates about a thousand times."""
    strings = "<si><t>海门</t></si>" * (megabytes * 1024 * 1024 // 22)
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{header_row()}</sheetData></worksheet>'
    return workbook(sheet, f'<sst xmlns="{MAIN}">{strings}</sst>')


def test_a_zip_bomb_is_refused_by_its_ratio(no_reader):
    content = bomb()
    assert len(content) < 100 * 1024

    [message] = errors(content, "登记.xlsx")

    assert message.startswith("文件：文件解压后是压缩时的 ")
    assert "超过 100 倍的上限，不是正常的表格文件（可能是压缩炸弹），已拒绝读取。" in message


def test_an_archive_past_the_unpacked_size_is_refused(monkeypatch, no_reader):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)

    [message] = errors(bomb(), "登记.xlsx")

    assert message.startswith("文件：文件解压后有 8 MB，超过 4 MB 的上限")


def test_too_many_shared_strings_are_refused(monkeypatch, no_reader):
    monkeypatch.setattr(uploads, "MAX_SHARED_STRINGS", 1000)
    strings = "".join(f"<si><t>{n}</t></si>" for n in range(1001))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{header_row()}</sheetData></worksheet>'

    assert errors(workbook(sheet, f'<sst xmlns="{MAIN}">{strings}</sst>'), "登记.xlsx") == [
        "文件：文件中的文字超过 1,000 项的上限，请按乡镇分开上传。"
    ]


def _shrink_declared_size(content: bytes, name: str, size: int) -> bytes:
    """The archive with ``name``'s uncompressed size declared as ``size`` in both headers."""
    data = bytearray(content)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == encoded:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_member_that_lies_about_its_size_is_refused_as_damaged(tmp_path, no_reader):
    content = write_xlsx(tmp_path / "登记.xlsx", rows(3)).read_bytes()
    lying = _shrink_declared_size(content, "xl/worksheets/sheet1.xml", 100)

    assert errors(lying, "登记.xlsx") == [
        "文件：Excel 文件已损坏，无法读取，请在 Excel 中重新保存后上传。"
    ]


@pytest.mark.parametrize(
    "sheet",
    [
        f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode("utf-16"),
        f'<!DOCTYPE x [<!ENTITY r "<row/>">]><worksheet xmlns="{MAIN}"/>'.encode(),
    ],
    ids=["utf-16", "entities"],
)
def test_xml_a_byte_count_cannot_read_is_refused(sheet, no_reader):
    [message] = errors(workbook(sheet), "登记.xlsx")

    assert "重新保存后上传" in message


def test_a_file_that_is_not_a_zip_still_gets_the_readers_message():
    assert errors(b"PK\x03\x04 not really", "x.xlsx")[0].startswith("文件：无法打开这个 Excel 文件")


# Every way in --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_upload_page_shows_the_limit_and_writes_nothing(world, client_for, tmp_path, limit_50):
    client = client_for(world.user("city"))
    path = write_xlsx(tmp_path / "登记.xlsx", rows(70))

    with open(path, "rb") as handle:
        response = client.post(reverse("enrollment:register_import"), {"file": handle}, follow=True)

    assert response.status_code == 200
    assert "文件超过 50 行的上限，请按乡镇分开上传。" in response.text
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_file_past_the_limit(world, tmp_path, limit_50):
    path = write_xlsx(tmp_path / "登记.xlsx", rows(70))
    errors_out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_register", str(path), stdout=StringIO(), stderr=errors_out)

    assert "文件超过 50 行的上限，请按乡镇分开上传。" in errors_out.getvalue()
    assert not Household.objects.exists()


def test_the_policy_number_file_is_held_to_the_same_limits(limit_50, monkeypatch):
    workbook_ = Workbook()
    workbook_.active.append(["证号", "险种", "保单号"])
    for n in range(70):
        workbook_.active.append([f"HM{n:05d}", "平安险", f"P-{n}"])
    buffer = io.BytesIO()
    workbook_.save(buffer)

    result = read_policy_numbers(
        buffer.getvalue(), filename="保单号.xlsx", expected=set(), taken=set()
    )

    assert [str(error) for error in result.errors] == [ROWS_50]
    assert result.numbers == {}
    result = read_policy_numbers(bomb(), filename="保单号.xlsx", expected=set(), taken=set())
    assert "压缩炸弹" in str(result.errors[0])


# Cells: the used area's rows × columns -------------------------------------------------------

CELLS_DEFAULT = (
    "文件：表格的数据区域有 300,000 行 × 100 列，共 30,000,000 个单元格，超过 6,000,000 个"
    "单元格的上限。请删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）后重新保存，"
    "或按乡镇分开上传。"
)


@pytest.fixture
def cells_2000(monkeypatch):
    """The cells limit lowered to 2,000, so a test file needs a few dozen rows, not 70,000."""
    monkeypatch.setattr(uploads, "MAX_CELLS", 2000)


def xlsx_with_a_far_cell(rows: list[dict], far: str) -> bytes:
    """A register file written by openpyxl with one more cell, ``far`` (such as "CV30"), where
    someone typed a space long ago: the reader's rectangle reaches it."""
    workbook_ = Workbook()
    sheet = workbook_.active
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    sheet[far] = " "
    buffer = io.BytesIO()
    workbook_.save(buffer)
    return buffer.getvalue()


def test_two_cells_far_apart_are_refused_before_the_reader_holds_the_rectangle(no_reader):
    # 5 KB, within the row and the column limit, but 30 million cells for the reader.
    content = xlsx_with_a_far_cell(rows(2), "CV300000")

    assert len(content) < 10_000
    assert errors(content, "登记.xlsx") == [CELLS_DEFAULT]


def test_an_xlsx_past_the_cells_limit_is_refused(cells_2000, no_reader):
    content = xlsx_with_a_far_cell(rows(5), "CV21")  # 21 rows × 100 columns

    assert errors(content, "登记.xlsx") == [
        "文件：表格的数据区域有 21 行 × 100 列，共 2,100 个单元格，超过 2,000 个单元格的上限。"
        "请删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）后重新保存，"
        "或按乡镇分开上传。"
    ]


def test_an_xlsx_at_the_cells_limit_is_read(cells_2000):
    content = xlsx_with_a_far_cell(rows(5), "CV20")  # 20 rows × 100 columns

    result = read_register(content, filename="登记.xlsx", today=TODAY)

    assert result.errors == [] and len(result.rows) == 5


def test_a_cell_far_right_in_any_spelling_xml_allows_counts(cells_2000, no_reader):
    body = "".join(f"<x:row r='{line}'><x:c r='A{line}'/></x:row>" for line in range(2, 30))
    body += "<x:row r='30'><x:c s='1' r = '$bz30'/></x:row>"  # column 78: 30 × 78 = 2,340
    sheet = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{body}</x:sheetData></x:worksheet>'

    assert "共 2,340 个单元格" in errors(workbook(sheet), "登记.xlsx")[0]


def test_an_ods_past_the_cells_limit_is_refused(no_reader):
    from tests.enrollment.spreadsheets import ods_bytes, ods_cell

    # The header, 69,998 empty rows in one element, then a row with something in column 90.
    far = '<table:table-cell table:number-columns-repeated="89"/>' + ods_cell("备注")
    tail = (
        '<table:table-row table:number-rows-repeated="69998"><table:table-cell/>'
        f"</table:table-row><table:table-row>{far}</table:table-row>"
    )
    content = ods_bytes([list(HEADERS)], tail=tail)

    assert errors(content, "登记.ods") == [
        "文件：表格的数据区域有 70,000 行 × 90 列，共 6,300,000 个单元格，超过 6,000,000 个"
        "单元格的上限。请删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）后重新保存，"
        "或按乡镇分开上传。"
    ]


def xls_with_cells(*sheets: list[tuple[int, int, object]]) -> bytes:
    """An .xls written by xlwt, one sheet per list of (row, column, value)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for number, cells in enumerate(sheets):
        sheet = book.add_sheet(f"登记{number + 1}")
        for row, column, value in cells:
            sheet.write(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xls_past_the_cells_limit_is_refused_before_the_reader_opens_it(no_reader):
    # 6 KB: the reader would take half a gigabyte at opening, before any sheet is asked for.
    header = [(0, column, header) for column, header in enumerate(HEADERS)]
    content = xls_with_cells([*header, (65535, 95, "备注")])

    assert errors(content, "登记.xls") == [
        "文件：表格的数据区域有 65,536 行 × 96 列，共 6,291,456 个单元格，超过 6,000,000 个"
        "单元格的上限。请删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）后重新保存，"
        "或按乡镇分开上传。"
    ]


def test_the_sheets_of_an_xls_count_together(no_reader):
    # The reader of .xls reads every sheet when it opens the file, not only the first.
    header = [(0, column, header) for column, header in enumerate(HEADERS)]
    content = xls_with_cells([*header, (40000, 89, "x")], [(0, 0, "x"), (40000, 89, "x")])

    assert errors(content, "登记.xls") == [
        "文件：表格各工作表的数据区域共有 7,200,180 个单元格，超过 6,000,000 个单元格的上限。"
        "请删除多余的工作表，删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）"
        "后重新保存，或按乡镇分开上传。"
    ]


def test_an_xls_past_the_column_limit_is_refused_before_the_reader_opens_it(no_reader):
    content = xls_with_cells([(0, 0, "证号"), (3, 150, "x")])

    assert errors(content, "登记.xls") == [
        "文件：表格超过 100 列的上限，请删除多余的列后重新上传。"
    ]


def test_an_xls_within_the_limits_is_read(tmp_path):
    from tests.enrollment.spreadsheets import write_xls

    path = write_xls(tmp_path / "登记.xls", rows(3), HEADERS)

    result = read_register(path.read_bytes(), filename="登记.xls", today=TODAY)

    assert result.errors == [] and len(result.rows) == 3
