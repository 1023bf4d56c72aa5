"""The four register formats: .xlsx, .xls (Excel 97–2003), .ods (LibreOffice, WPS) and .csv read
to the same rows with the same reasons per row; the .xls and .ods held to the upload limits; the
import, the command and the policy-number sheet taking them as well.

The .xls files are written by xlwt, the .ods files by hand (``tests/enrollment/spreadsheets``),
the .xlsx by openpyxl: real files of each format, read by the reader the app uses."""

import io
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

import enrollment.register_files
from enrollment.models import Household, Product, RegisterImport
from enrollment.policy_numbers import read_policy_numbers
from enrollment.register_files import (
    EXCEL_NUMBER_MESSAGE,
    HEADERS,
    UnreadableFile,
    file_kind,
    read_register,
    spreadsheet_rows,
)
from haimen_insurance import uploads
from tests.enrollment.spreadsheets import (
    ods_bytes,
    ods_cell,
    table,
    write_ods,
    write_xls,
    xls_bytes,
)
from tests.enrollment.test_register_files import (
    TODAY,
    household_values,
    shuffled_headers,
    write_csv,
    write_xlsx,
)
from tests.enrollment.test_register_import import good_rows

WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods, "csv": write_csv}
WORKBOOKS = ["xlsx", "xls", "ods"]


def workbook_bytes(kind, rows: list[list]) -> bytes:
    if kind == "xls":
        return xls_bytes(rows)
    if kind == "ods":
        return ods_bytes(rows)
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(kind, path, rows, headers=HEADERS):
    return WRITERS[kind](path.with_suffix(f".{kind}"), rows, headers=headers)


def read(path):
    return read_register(path.read_bytes(), filename=path.name, today=TODAY)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


@pytest.fixture
def limit_50(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DATA_ROWS", 50)


@pytest.fixture
def no_reader(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the spreadsheet reader was called")

    monkeypatch.setattr(enrollment.register_files, "load_workbook", refuse)


# The same rows and reasons in every format ---------------------------------------------------


@pytest.mark.parametrize("kind", [*WORKBOOKS, "csv"])
def test_every_format_reads_the_same_rows_with_the_header_in_any_order(tmp_path, kind):
    rows = [
        household_values("HM0001", 奖励金发放单位="海门港务有限公司"),
        household_values("HM0002", 奖励金发放单位="村集体", 联系电话="0513-82212345"),
    ]
    expected = read(write("xlsx", tmp_path / "原", rows)).rows

    result = read(write(kind, tmp_path / "登记", rows, headers=shuffled_headers()))

    assert result.errors == []
    assert result.rows == expected
    assert [row.line for row in result.rows] == [2, 3]
    assert result.rows[0].child_birth_date == date(2010, 5, 1)
    assert result.rows[0].employer_name == "海门港务有限公司"
    assert result.rows[1].phone == "0513-82212345"


def bad_rows() -> list[dict]:
    good = household_values("HM0001")
    return [
        good,
        household_values("HM0002", 子女性别="男孩", 户籍性质="城镇"),
        household_values("HM0003", 子女出生日期=date(2010, 5, 2)),
        household_values("", 子女姓名=""),
        household_values("HM0005", 父亲姓名="", 父亲身份证号="", 母亲姓名="", 母亲身份证号=""),
        household_values("HM0006", 母亲身份证号="32068419820902004"),
        household_values("HM0001"),
        household_values("HM0008", 子女身份证号=good["子女身份证号"]),
        household_values("HM0009", 领证日期="去年春天"),
        household_values("HM0010", 子女出生日期=date(2030, 1, 1)),
    ]


@pytest.mark.parametrize("kind", WORKBOOKS + ["csv"])
def test_every_format_gives_the_same_reason_for_each_bad_row(tmp_path, kind):
    expected = messages(read(write("xlsx", tmp_path / "原", bad_rows())))
    assert len(expected) == 11

    assert messages(read(write(kind, tmp_path / "登记", bad_rows()))) == expected


@pytest.mark.parametrize("kind", WORKBOOKS)
def test_an_id_stored_as_a_number_is_refused_with_the_excel_message(tmp_path, kind):
    child_id = household_values()["子女身份证号"]
    row = household_values(子女身份证号=int(child_id[:17] + "0"), 父亲身份证号=3.20684198003e17)

    assert messages(read(write(kind, tmp_path / "登记", [row]))) == [
        f"第2行 父亲身份证号：{EXCEL_NUMBER_MESSAGE}",
        f"第2行 子女身份证号：{EXCEL_NUMBER_MESSAGE}",
    ]


@pytest.mark.parametrize("kind", WORKBOOKS)
@pytest.mark.parametrize(
    "cell",
    [
        date(2010, 5, 1),
        datetime(2010, 5, 1, 8, 30),
        "2010-05-01",
        "2010/5/1",
        "2010年5月1日",
        "20100501",
        20100501,
        " 2010-5-1 ",
    ],
    ids=["date", "datetime", "iso", "slashes", "chinese", "digits", "digits-as-number", "spaces"],
)
def test_every_date_form_is_read_in_every_workbook(tmp_path, kind, cell):
    result = read(write(kind, tmp_path / "登记", [household_values(子女出生日期=cell)]))

    assert result.errors == []
    assert result.rows[0].child_birth_date == date(2010, 5, 1)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_title_row_and_an_empty_first_column_keep_excels_row_numbers(tmp_path, kind):
    values = household_values()
    rows = [
        [],
        [None, "海门镇独生子女证登记"],
        [None, *HEADERS],
        [None, *(values[header] for header in HEADERS)],
    ]
    content = xls_bytes(rows) if kind == "xls" else ods_bytes(rows)

    result = read_register(content, filename=f"登记.{kind}", today=TODAY)

    assert result.errors == []
    assert result.rows[0].line == 4
    assert result.rows[0].certificate_no == "HM0001"


def test_a_control_character_in_an_ods_header_names_its_excel_column():
    content = ods_bytes([[None, None, "证号", "备注\x07"], ["x"]])

    [error] = messages(read_register(content, filename="登记.ods", today=TODAY))

    assert error.startswith("文件：表头（第1行D列）")


def test_the_format_is_told_by_the_bytes_before_the_name(tmp_path):
    xls = xls_bytes(table(good_rows(), HEADERS))
    ods = ods_bytes(table(good_rows(), HEADERS))
    xlsx = write_xlsx(tmp_path / "登记.xlsx", good_rows()).read_bytes()

    assert file_kind(xls, "登记.xlsx") == "xls"  # saved as .xls, renamed
    assert file_kind(ods, "登记.xlsx") == "ods"
    assert file_kind(xlsx, "登记.ods") == "ods"  # a zip named .ods is read as one
    assert file_kind(xlsx, "") == "xlsx"
    assert file_kind(b"a,b\n", "登记.xls") == "xls"
    assert file_kind(xls, "登记.csv") == "csv"
    result = read_register(xls, filename="登记.xlsx", today=TODAY)
    assert result.errors == [] and len(result.rows) == 3


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a workbook", "x.xls", "文件：无法打开这个 Excel 文件，请确认它是 .xlsx、.xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xls", "文件：无法打开这个 Excel"),
        (b"PK\x03\x04 not really", "x.ods", "文件：无法打开这个 Excel 文件"),
        (ods_bytes([]), "x.ods", "文件：文件是空的，没有任何内容"),
        (xls_bytes([]), "x.xls", "文件：文件是空的，没有任何内容"),
    ],
    ids=["garbage", "empty-ole2", "broken-zip", "empty-ods", "empty-xls"],
)
def test_a_workbook_that_cannot_be_read_is_one_clear_error(content, name, message):
    result = read_register(content, filename=name, today=TODAY)

    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(message)


def test_a_truncated_xls_is_one_clear_error():
    content = xls_bytes(table([household_values(f"HM{n:04d}") for n in range(300)], HEADERS))

    for size in (len(content) // 2, 4096, 520):
        result = read_register(content[:size], filename="登记.xls", today=TODAY)
        assert [error.line for error in result.errors] == [None]


# Upload limits ---------------------------------------------------------------------------


def many(count: int) -> list[dict]:
    return [household_values(f"HM{n:05d}") for n in range(count)]


ROWS_50 = "文件：文件超过 50 行的上限，请按乡镇分开上传。"
COLUMNS = "文件：表格超过 100 列的上限，请删除多余的列后重新上传。"


def test_an_ods_past_the_row_limit_is_refused_before_it_is_read(tmp_path, limit_50, no_reader):
    assert messages(read(write("ods", tmp_path / "登记", many(70)))) == [ROWS_50]


def test_an_ods_within_the_row_limit_is_read(tmp_path, limit_50):
    result = read(write("ods", tmp_path / "登记", many(50)))

    assert result.errors == [] and len(result.rows) == 50


FILLED_ROW = (
    '<table:table-row table:number-rows-repeated="{count}">'
    '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    "</table:table-row>"
)
EMPTY_ROWS = (
    '<table:table-row table:number-rows-repeated="1048570">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def test_a_repeated_row_counts_as_many_rows(no_reader):
    content = ods_bytes(table([], HEADERS), tail=FILLED_ROW.format(count=400_000))

    assert messages(read_register(content, filename="登记.ods", today=TODAY)) == [
        "文件：文件超过 300,000 行的上限，请按乡镇分开上传。"
    ]


def test_empty_rows_before_a_filled_one_count_but_those_at_the_end_do_not(no_reader):
    content = ods_bytes(table([], HEADERS), tail=EMPTY_ROWS + FILLED_ROW.format(count=1))

    assert messages(read_register(content, filename="登记.ods", today=TODAY)) == [
        "文件：文件超过 300,000 行的上限，请按乡镇分开上传。"
    ]


def test_the_empty_rows_and_columns_libreoffice_writes_at_the_end_are_read(tmp_path):
    # LibreOffice ends a table with its empty rows and cells repeated to the sheet's edge.
    row = [household_values()[header] for header in HEADERS]
    filled = "".join(ods_cell(value) for value in row)
    empty_cells = '<table:table-cell table:number-columns-repeated="1008"/>'
    tail = f"<table:table-row>{filled}{empty_cells}</table:table-row>{EMPTY_ROWS}"
    content = ods_bytes([list(HEADERS)], tail=tail)

    result = read_register(content, filename="登记.ods", today=TODAY)

    assert result.errors == [] and len(result.rows) == 1


@pytest.mark.parametrize(
    "cells",
    [
        '<table:table-cell table:number-columns-repeated="100"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>',
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="101"/>',
        "<table:table-cell><text:p>x</text:p></table:table-cell>" * 101,
    ],
    ids=["after-empty-cells", "repeated-value", "plain"],
)
def test_an_ods_cell_past_the_column_limit_is_refused(no_reader, cells):
    content = ods_bytes(table([], HEADERS), tail=f"<table:table-row>{cells}</table:table-row>")

    assert messages(read_register(content, filename="登记.ods", today=TODAY)) == [COLUMNS]


def test_an_ods_zip_bomb_is_refused(no_reader):
    content = ods_bytes(table([], HEADERS), tail="<table:table-row/>" * 500_000)
    assert len(content) < 100 * 1024

    [message] = messages(read_register(content, filename="登记.ods", today=TODAY))

    assert "可能是压缩炸弹" in message


def test_an_xls_past_its_size_limit_is_refused_before_it_is_read(monkeypatch, no_reader):
    monkeypatch.setattr(uploads, "MAX_XLS_BYTES", 1024 * 1024)
    content = xls_bytes(table(many(1), HEADERS)) + b"\0" * (2 * 1024 * 1024)

    assert messages(read_register(content, filename="登记.xls", today=TODAY)) == [
        "文件：文件有 2 MB，超过 .xls 文件 1 MB 的上限，请在 Excel 中另存为 .xlsx 后上传。"
    ]


def test_an_xls_past_the_row_limit_is_refused_before_any_row_is_handed_out(tmp_path, limit_50):
    path = write("xls", tmp_path / "登记", many(70))
    rows = spreadsheet_rows(path.read_bytes(), path.name)

    with pytest.raises(UnreadableFile) as refused:
        next(rows)  # the header row would come first

    assert f"文件：{refused.value}" == ROWS_50


def test_an_xls_within_the_row_limit_is_read(tmp_path, limit_50):
    result = read(write("xls", tmp_path / "登记", many(50)))

    assert result.errors == [] and len(result.rows) == 50


def test_an_xls_past_the_column_limit_is_refused(tmp_path):
    rows = table([household_values()], HEADERS)
    rows[1] = [*rows[1], *([None] * 100), "备注"]

    assert messages(read_register(xls_bytes(rows), filename="登记.xls", today=TODAY)) == [COLUMNS]


# Every way in ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_upload_page_imports_xls_and_ods(world, client_for, tmp_path, kind):
    client = client_for(world.user("city"))
    path = write(kind, tmp_path / "登记", good_rows())

    with open(path, "rb") as handle:
        response = client.post(reverse("enrollment:register_import"), {"file": handle})
    upload = RegisterImport.objects.get()
    assert response.status_code == 302
    assert (upload.filename, upload.error_row_count) == (f"登记.{kind}", 0)
    response = client.post(
        reverse("enrollment:register_import_confirm", args=[upload.pk]), follow=True
    )

    assert response.status_code == 200
    assert Household.objects.count() == 3
    assert Household.objects.get(certificate_no="HM0002").employer_name == "海门港务有限公司"


@pytest.mark.django_db
def test_the_upload_form_names_the_formats(world, client_for):
    page = client_for(world.user("city")).get(reverse("enrollment:register_import")).text

    assert 'accept=".xlsx,.xls,.ods,.csv"' in page
    assert "Excel（.xlsx 或旧版 .xls）、WPS / LibreOffice（.ods）或 CSV 文件" in page


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_command_imports_xls_and_ods(world, tmp_path, kind):
    out = StringIO()

    call_command("import_register", str(write(kind, tmp_path / "登记", good_rows())), stdout=out)

    assert "导入完成：新增 3 户，更新 0 户，未变 0 户。" in out.getvalue()
    assert Household.objects.count() == 3


@pytest.mark.parametrize("kind", WORKBOOKS)
def test_the_policy_number_sheet_is_read_from_every_workbook(kind):
    rows = [
        ["证号", "险种", "保单号"],
        ["HM0001", "平安险", "PICC2013-0001"],
        ["HM0001", "安康险", 20130002],
        ["HM0002", "平安险", 320684201305010010],
    ]
    content = workbook_bytes(kind, rows)
    safety, health = Product.Code.CHILD_SAFETY, Product.Code.PARENT_HEALTH
    expected = {("HM0001", safety), ("HM0001", health), ("HM0002", safety)}

    result = read_policy_numbers(content, filename=f"保单号.{kind}", expected=expected, taken=set())

    assert [str(error) for error in result.errors] == [
        "第4行 保单号：保单号被Excel存成了数字，末几位已丢失，请设为文本格式后重新填写",
        "文件：证号 HM0002 的独生子女平安保险没有填写保单号",
    ]
    rows[3][2] = "P-3"
    content = workbook_bytes(kind, rows)
    result = read_policy_numbers(content, filename=f"保单号.{kind}", expected=expected, taken=set())
    assert result.errors == []
    assert result.numbers == {
        ("HM0001", safety): "PICC2013-0001",
        ("HM0001", health): "20130002",
        ("HM0002", safety): "P-3",
    }
