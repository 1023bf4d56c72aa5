"""Reading register files: both formats, every encoding, every date form, and every error."""

import csv
import io
import random
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from enrollment.register_files import (
    EXAMPLE_CERTIFICATE_NO,
    EXCEL_NUMBER_MESSAGE,
    HEADERS,
    REQUIRED_HEADERS,
    RowReader,
    read_register,
)
from enrollment.resident_ids import check_character
from tests.enrollment.conftest import make_id

TODAY = date(2024, 6, 1)


def household_values(
    certificate_no="HM0001", *, township="海门镇", village="东兴村", **overrides
) -> dict:
    """One valid row of a register file, header → cell value."""
    birth = overrides.pop("birth", date(2010, 5, 1))
    values = {
        "证号": certificate_no,
        "乡镇": township,
        "村（社区）": village,
        "父亲姓名": "张建华",
        "父亲身份证号": make_id(date(1980, 3, 15), male=True),
        "母亲姓名": "李美芳",
        "母亲身份证号": make_id(date(1982, 9, 2), male=False),
        "子女姓名": f"张小{certificate_no}",
        "子女身份证号": make_id(birth, male=True),
        "子女出生日期": birth,
        "子女性别": "男",
        "户籍性质": "农业",
        "领证日期": date(2011, 3, 1),
        "奖励金发放单位": "",
        "联系电话": "13912345678",
        "家庭住址": f"{village}8组",
    }
    values.update(overrides)
    return values


def write_xlsx(path, rows: list[dict], headers=HEADERS):
    """An .xlsx the way a township office would fill it: a header row, then one row each."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    workbook.save(path)
    return path


def write_csv(path, rows: list[dict], *, encoding="utf-8", headers=HEADERS, delimiter=","):
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter)
    out.writerow(headers)
    for row in rows:
        out.writerow(
            [
                value.isoformat() if isinstance(value, date) else ("" if value is None else value)
                for value in (row.get(header) for header in headers)
            ]
        )
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read(path, today=TODAY):
    return read_register(path.read_bytes(), filename=path.name, today=today)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def shuffled_headers(seed=7):
    headers = list(HEADERS)
    random.Random(seed).shuffle(headers)
    assert headers != list(HEADERS)
    return headers


def test_xlsx_with_shuffled_columns_reads_every_value(tmp_path):
    values = household_values("HM0001", 奖励金发放单位="海门港务有限公司")
    path = write_xlsx(tmp_path / "登记.xlsx", [values], headers=shuffled_headers())

    result = read(path)

    assert result.errors == []
    [row] = result.rows
    assert row.line == 2
    assert row.certificate_no == "HM0001"
    assert (row.township, row.village) == ("海门镇", "东兴村")
    assert row.child_id_number == values["子女身份证号"]
    assert row.child_birth_date == date(2010, 5, 1)
    assert (row.child_sex, row.hukou) == ("male", "rural")
    assert row.mother_id_number == values["母亲身份证号"]
    assert row.certificate_date == date(2011, 3, 1)
    assert row.employer_name == "海门港务有限公司"
    assert row.phone == "13912345678"
    assert set(result.fields) == {
        "village",
        "father_name",
        "father_id_number",
        "mother_name",
        "mother_id_number",
        "child_name",
        "child_id_number",
        "child_birth_date",
        "child_sex",
        "hukou",
        "certificate_date",
        "employer_name",
        "phone",
        "address",
    }


@pytest.mark.parametrize(
    "cell",
    [
        date(2010, 5, 1),
        datetime(2010, 5, 1, 0, 0),
        "2010-05-01",
        "2010/5/1",
        "2010年5月1日",
        "20100501",
        20100501,
        " 2010-5-1 ",
    ],
    ids=["date", "datetime", "iso", "slashes", "chinese", "digits", "digits-as-number", "spaces"],
)
def test_every_date_form_is_read(tmp_path, cell):
    path = write_xlsx(tmp_path / "日期.xlsx", [household_values(子女出生日期=cell)])

    result = read(path)

    assert result.errors == []
    assert result.rows[0].child_birth_date == date(2010, 5, 1)


def test_a_date_that_cannot_be_read_says_which_forms_work(tmp_path):
    path = write_xlsx(tmp_path / "日期.xlsx", [household_values(领证日期="去年春天")])

    assert messages(read(path)) == [
        "第2行 领证日期：日期“去年春天”无法识别，"
        "请写成 2012-05-01、2012/5/1、2012年5月1日 或 20120501"
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path, encoding):
    rows = [household_values("HM0001"), household_values("HM0002", 奖励金发放单位="村集体")]
    path = write_csv(tmp_path / "登记.csv", rows, encoding=encoding, headers=shuffled_headers())

    result = read(path)

    assert result.errors == []
    assert [row.certificate_no for row in result.rows] == ["HM0001", "HM0002"]
    assert [row.child_name for row in result.rows] == ["张小HM0001", "张小HM0002"]
    assert [row.employer_name for row in result.rows] == ["", ""]
    assert result.rows[1].child_birth_date == date(2010, 5, 1)


def test_tab_separated_csv_is_read(tmp_path):
    path = write_csv(tmp_path / "登记.csv", [household_values()], delimiter="\t")

    result = read(path)

    assert result.errors == []
    assert result.rows[0].address == "东兴村8组"


def test_headers_with_spaces_and_ascii_parentheses_are_the_same_columns(tmp_path):
    headers = [" 证号 ", "乡 镇", "村(社区)", *HEADERS[3:]]
    values = household_values()
    values.update({" 证号 ": "HM0001", "乡 镇": "海门镇", "村(社区)": "东兴村"})
    path = write_xlsx(tmp_path / "登记.xlsx", [values], headers=headers)

    result = read(path)

    assert result.errors == []
    assert result.rows[0].village == "东兴村"


def test_missing_required_columns_are_one_error(tmp_path):
    headers = [h for h in HEADERS if h not in ("子女身份证号", "户籍性质")]
    path = write_xlsx(tmp_path / "登记.xlsx", [household_values()], headers=headers)

    result = read(path)

    assert messages(result) == [
        "文件：缺少必需的列：子女身份证号、户籍性质。请使用系统提供的模板，列名见第一行。"
    ]
    assert result.rows == []


def test_optional_columns_may_be_left_out_and_are_not_set(tmp_path):
    headers = [h for h in HEADERS if h not in ("联系电话", "家庭住址", "母亲姓名", "母亲身份证号")]
    path = write_xlsx(tmp_path / "登记.xlsx", [household_values()], headers=headers)

    result = read(path)

    assert result.errors == []
    assert "phone" not in result.fields
    assert "mother_id_number" not in result.fields


def test_id_stored_as_a_number_is_refused_with_the_excel_message(tmp_path):
    child_id = household_values()["子女身份证号"]
    path = write_xlsx(
        tmp_path / "登记.xlsx",
        [household_values(子女身份证号=int(child_id[:17] + "0"), 父亲身份证号=3.20684198003e17)],
    )

    result = read(path)

    assert messages(result) == [
        f"第2行 父亲身份证号：{EXCEL_NUMBER_MESSAGE}",
        f"第2行 子女身份证号：{EXCEL_NUMBER_MESSAGE}",
    ]
    assert "Excel存成了数字" in EXCEL_NUMBER_MESSAGE


def test_id_text_in_scientific_notation_from_a_csv_is_refused_too(tmp_path):
    path = write_csv(tmp_path / "登记.csv", [household_values(子女身份证号="3.20684E+17")])

    assert messages(read(path)) == [f"第2行 子女身份证号：{EXCEL_NUMBER_MESSAGE}"]


def test_a_15_digit_id_is_upgraded_with_a_notice(tmp_path):
    path = write_xlsx(tmp_path / "登记.xlsx", [household_values(父亲身份证号="320684800315031")])

    result = read(path)

    upgraded = "32068419800315031" + check_character("32068419800315031")
    assert result.errors == []
    assert result.rows[0].father_id_number == upgraded
    [notice] = result.notices
    assert (notice.line, notice.column) == (2, "父亲身份证号")
    assert (notice.old, notice.new) == ("320684800315031", upgraded)


def test_every_bad_row_and_column_is_reported(tmp_path):
    good = household_values("HM0001")
    rows = [
        good,
        household_values("HM0002", 子女性别="男孩", 户籍性质="城镇"),
        household_values("HM0003", 子女出生日期=date(2010, 5, 2)),
        household_values("", 子女姓名=""),
        household_values("HM0005", 父亲姓名="", 父亲身份证号="", 母亲姓名="", 母亲身份证号=""),
        household_values("HM0006", 母亲身份证号="32068419820902004"),
        household_values("HM0001"),
        household_values("HM0008", 子女身份证号=good["子女身份证号"]),
    ]
    path = write_xlsx(tmp_path / "登记.xlsx", rows)

    result = read(path)

    assert messages(result) == [
        "第3行 子女性别：只能填“男”或“女”，不能是“男孩”",
        "第3行 户籍性质：只能填“农业”或“非农业”，不能是“城镇”",
        "第4行 子女身份证号：出生日期与身份证号不符（身份证号为2010-05-01）",
        "第5行 证号：必须填写",
        "第5行 子女姓名：必须填写",
        "第6行 父亲姓名：父亲和母亲至少填写一人（姓名和身份证号）",
        "第7行 母亲身份证号：身份证号应为18位（或15位旧号），实际为17位",
        "第8行 证号：证号与第2行重复",
        "第9行 子女身份证号：子女身份证号与第2行重复",
    ]
    assert [row.line for row in result.rows] == [2]


def test_a_parent_needs_both_name_and_id(tmp_path):
    path = write_xlsx(tmp_path / "登记.xlsx", [household_values(父亲身份证号="", 母亲姓名="")])

    assert messages(read(path)) == [
        "第2行 父亲身份证号：填写了姓名，也必须填写身份证号",
        "第2行 母亲姓名：填写了身份证号，也必须填写姓名",
    ]


def test_village_collective_or_empty_means_the_village_pays(tmp_path):
    rows = [
        household_values("HM0001", 奖励金发放单位="村集体"),
        household_values("HM0002", 奖励金发放单位=None),
        household_values("HM0003", 奖励金发放单位=" 海门市第一中学 "),
    ]
    path = write_xlsx(tmp_path / "登记.xlsx", rows)

    assert [row.employer_name for row in read(path).rows] == ["", "", "海门市第一中学"]


def test_the_templates_example_row_and_blank_rows_are_skipped(tmp_path):
    rows = [
        household_values(EXAMPLE_CERTIFICATE_NO),
        {},
        household_values("HM0002"),
    ]
    path = write_xlsx(tmp_path / "登记.xlsx", rows)

    result = read(path)

    assert result.errors == []
    assert [row.line for row in result.rows] == [4]
    assert result.row_count == 1
    assert [str(notice) for notice in result.notices] == ["第2行：这是模板中的示例行，已跳过"]


def test_a_title_row_above_the_header_is_allowed(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["海门镇独生子女证登记"])
    sheet.append(list(HEADERS))
    sheet.append([household_values().get(header) for header in HEADERS])
    workbook.save(tmp_path / "登记.xlsx")

    result = read(tmp_path / "登记.xlsx")

    assert result.errors == []
    assert result.rows[0].line == 3


def _zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "x.csv", "文件：文件是空的，没有任何内容"),
        (b"PK\x03\x04 not really", "x.xlsx", "文件：无法打开这个 Excel 文件"),
        (_zip_without_a_workbook(), "x.xlsx", "文件：无法打开这个 Excel 文件"),
        (b"\xef\xbb\xbf\xff\xfe\xfa", "x.csv", "文件：无法识别 CSV 文件的编码"),
        ("姓名,电话\n张三,1\n".encode(), "x.csv", "文件：找不到表头"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(content, name, message):
    result = read_register(content, filename=name, today=TODAY)

    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(message)


# The quick reading of the usual row -------------------------------------------------------

_CHILD_ID = make_id(date(2010, 5, 1), male=True)
_FATHER_ID = make_id(date(1980, 3, 15), male=True)
_OLD_ID = "320684800315123"  # 15 digits: upgraded, with a notice
# What a cell may hold, per column: the right value first, then every kind of trouble (types
# calamine hands out: str, int, float, bool, date, datetime).
_TROUBLE = [
    None,
    "",
    "  ",
    "\u200b",
    " \u200b张",
    "a\x00b",
    "a\tb",
    "a\nb",
    "x\x1f",
    "\u3000",
    "x" * 1001,
    7,
    2.5,
    12345678.0,
    True,
    date(2010, 5, 1),
    datetime(2010, 5, 1, 8, 30),
]
_CELLS = {
    "证号": ["HM0001", "HM 2", EXAMPLE_CERTIFICATE_NO, "x" * 41, 20240001.0],
    "乡镇": ["海门镇"],
    "村（社区）": ["东兴村"],
    "父亲姓名": ["张建华", "名" * 51],
    "父亲身份证号": [
        _FATHER_ID,
        _FATHER_ID.lower(),
        f" {_FATHER_ID} ",
        _OLD_ID,
        "３２０６８４",
        3.2e17,
    ],
    "母亲姓名": ["李美芳"],
    "母亲身份证号": [make_id(date(1982, 9, 2), male=False), _FATHER_ID[:17] + "0"],
    "子女姓名": ["张小明"],
    "子女身份证号": [
        _CHILD_ID,
        make_id(date(2010, 5, 2), male=True),
        make_id(date(2010, 5, 1), male=False),
        make_id(date(2030, 1, 1), male=True),
        _CHILD_ID[:-1] + "x",
    ],
    "子女出生日期": [
        date(2010, 5, 1),
        "2010-05-01",
        "2010年5月1日",
        20100501,
        20100501.0,
        datetime(2010, 5, 1),
        "2010-02-30",
        date(2030, 1, 1),
    ],
    "子女性别": ["男", "女", "M"],
    "户籍性质": ["农业", "非农业", " 农业 ", "城镇"],
    "领证日期": [date(2011, 3, 1), "2011/3/1", date(1970, 1, 1), date(2030, 1, 1)],
    "奖励金发放单位": ["", "村集体", "海门市第一中学", "单" * 101],
    "联系电话": ["13912345678", 13912345678.0, "1" * 41],
    "家庭住址": ["东兴村8组", "东兴村\n8组", "东兴村\r\n8组\t", "a\x0bb", "址" * 201],
}


@st.composite
def _register_rows(draw):
    """A header (any order, optional columns may be missing, extra columns), and one row."""
    headers = [
        header
        for header in HEADERS
        if header in REQUIRED_HEADERS or draw(st.integers(0, 5)) or header == "父亲身份证号"
    ]
    headers = draw(st.permutations(headers))
    row = {}
    for header in headers:
        options = _CELLS[header]
        if draw(st.integers(0, 15)):  # one cell in 16 is trouble of some kind
            row[header] = options[0]
        else:
            row[header] = draw(st.sampled_from(options + _TROUBLE))
    extra = draw(st.sampled_from([None, "备注", "\x00"]))
    return headers, row, extra


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_register_rows())
def test_the_quick_reading_gives_the_row_the_full_checks_give(case):
    headers, row, extra = case
    index = {header: position for position, header in enumerate(headers)}
    values = [row[header] for header in headers]
    if extra is not None:  # a column the file has but the register does not read
        values.append(extra)
    reader = RowReader(index, today=TODAY)

    quick = reader.plain(7, tuple(values))
    full, errors, notices = reader.read(7, tuple(values))

    if quick is not None:
        assert (full, errors, notices) == (quick, [], [])


def test_an_overlong_cell_of_a_column_without_its_own_limit_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "登记.xlsx", [household_values(township="镇" * 1001)])

    assert messages(read(path)) == ["第2行 乡镇：内容太长（最多1000个字）"]
