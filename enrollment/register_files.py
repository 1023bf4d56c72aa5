"""Register files (登记文件): read an .xlsx, .xls, .ods or .csv of one-child certificates, one
row at a time.

The file has one header row with the canonical columns (any order; ``村(社区)`` with ASCII
parentheses is the same column) and one household per row. Reading turns every cell into the
value the register stores and collects every problem as ``RowError(line, column, reason)`` with the
row number as Excel shows it, so a township officer can fix the whole file in one go. Checks that
need the database (the village exists and is in scope, the child is not on another certificate)
are the import service's (``enrollment.services.register_import``).

A workbook (.xlsx, .xls of Excel 97–2003, .ods of LibreOffice and WPS) is read with
python-calamine (Rust), which hands out typed values: text, numbers (float, or int from an
.xls), bool, dates and datetimes for date cells, times. The row checks take them as they are: a
number where an ID belongs is refused as Excel's damage, an integral number where a date belongs
is read as digits (20100501), a date cell is a date. Calamine holds the first sheet's cells in
memory (compactly, in Rust) and hands out one row of values at a time; cells before the first
one used are handed out as empty, so row numbers and column letters are Excel's. A .csv is
read with the standard library (UTF-8 with or without a BOM, else GB18030). Before any reading,
the file is held to the upload limits (``haimen_insurance.uploads``: rows, columns, unpacked
size), so a file past them is one clear error within seconds instead of minutes of work and
gigabytes of memory. A cell with
a control character (NUL and the like), or a name made only of invisible characters, is an error
of its row and column; the reason names the character and never shows it.

Most rows of a real file are right in every cell: ``RowReader.plain`` takes such a row with a few
C-speed checks per cell (100,000 rows in about a second), and hands any row it is not sure of to
``RowReader.read``, which checks every rule and alone gives the reasons.
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import heapq
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter

from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, PasswordError, load_workbook

from haimen_insurance import uploads
from haimen_insurance.text import (
    INVISIBLE_MESSAGE,
    control_message,
    has_control_characters,
    is_invisible,
)

from .models import Household
from .models.register import FIRST_CERTIFICATE_DATE
from .resident_ids import (
    ResidentIdError,
    check_against,
    parse_resident_id,
    plain_resident_id,
)

# The canonical header, in the order of the template.
CERTIFICATE_NO = "证号"
TOWNSHIP = "乡镇"
VILLAGE = "村（社区）"
FATHER_NAME = "父亲姓名"
FATHER_ID = "父亲身份证号"
MOTHER_NAME = "母亲姓名"
MOTHER_ID = "母亲身份证号"
CHILD_NAME = "子女姓名"
CHILD_ID = "子女身份证号"
CHILD_BIRTH_DATE = "子女出生日期"
CHILD_SEX = "子女性别"
HUKOU = "户籍性质"
CERTIFICATE_DATE = "领证日期"
EMPLOYER = "奖励金发放单位"
PHONE = "联系电话"
ADDRESS = "家庭住址"

HEADERS = (
    CERTIFICATE_NO,
    TOWNSHIP,
    VILLAGE,
    FATHER_NAME,
    FATHER_ID,
    MOTHER_NAME,
    MOTHER_ID,
    CHILD_NAME,
    CHILD_ID,
    CHILD_BIRTH_DATE,
    CHILD_SEX,
    HUKOU,
    CERTIFICATE_DATE,
    EMPLOYER,
    PHONE,
    ADDRESS,
)
REQUIRED_HEADERS = (
    CERTIFICATE_NO,
    TOWNSHIP,
    VILLAGE,
    CHILD_NAME,
    CHILD_ID,
    CHILD_BIRTH_DATE,
    CHILD_SEX,
    HUKOU,
)
PARENT_HEADERS = ((FATHER_NAME, FATHER_ID), (MOTHER_NAME, MOTHER_ID))
ID_HEADERS = (FATHER_ID, MOTHER_ID, CHILD_ID)

# The Household field each column fills (乡镇 and 村（社区） together name the village).
FIELD_OF_HEADER = {
    CERTIFICATE_NO: "certificate_no",
    VILLAGE: "village",
    FATHER_NAME: "father_name",
    FATHER_ID: "father_id_number",
    MOTHER_NAME: "mother_name",
    MOTHER_ID: "mother_id_number",
    CHILD_NAME: "child_name",
    CHILD_ID: "child_id_number",
    CHILD_BIRTH_DATE: "child_birth_date",
    CHILD_SEX: "child_sex",
    HUKOU: "hukou",
    CERTIFICATE_DATE: "certificate_date",
    EMPLOYER: "employer_name",
    PHONE: "phone",
    ADDRESS: "address",
}
HEADER_OF_FIELD = {name: header for header, name in FIELD_OF_HEADER.items()}

VILLAGE_PAYS = "村集体"
SEXES = {label: value for value, label in Household.Sex.choices}
HUKOUS = {label: value for value, label in Household.Hukou.choices}

# The template's example row carries this certificate number; reading skips it (with a notice),
# so an example left in the file is never imported as a household.
EXAMPLE_CERTIFICATE_NO = "示例（导入前请删除本行）"

EXCEL_NUMBER_MESSAGE = "身份证号被Excel存成了数字，末几位已丢失，请将该列设为文本格式后重新填写"
_HEADER_SEARCH_ROWS = 10
_PROGRESS_EVERY = 1000
_LONGEST = 1000  # a column without a limit of its own
_MAX_LENGTH = {
    CERTIFICATE_NO: 40,
    FATHER_NAME: 50,
    MOTHER_NAME: 50,
    CHILD_NAME: 50,
    EMPLOYER: 100,
    PHONE: 40,
    ADDRESS: 200,
}
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0?0:00(?::00)?)?"
)
_DATE_DIGITS = re.compile(r"\d{8}")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the row number as Excel shows it (None for the file as a whole), the
    column header ("" when it is not about one column) and the reason in Chinese."""

    line: int | None
    column: str
    reason: str

    def __str__(self):
        where = f"第{self.line}行" if self.line else "文件"
        return f"{where} {self.column}：{self.reason}" if self.column else f"{where}：{self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something accepted but worth telling: a 15-digit ID upgraded (``old`` → ``new``), the
    template's example row skipped, an unknown column ignored."""

    line: int | None
    column: str
    message: str
    old: str = ""
    new: str = ""

    def __str__(self):
        where = f"第{self.line}行" if self.line else "文件"
        return (
            f"{where} {self.column}：{self.message}" if self.column else f"{where}：{self.message}"
        )


@dataclass(slots=True)
class RegisterRow:
    """One household as the file gives it, every value already in the register's form."""

    line: int
    certificate_no: str = ""
    township: str = ""
    village: str = ""
    father_name: str = ""
    father_id_number: str = ""
    mother_name: str = ""
    mother_id_number: str = ""
    child_name: str = ""
    child_id_number: str = ""
    child_birth_date: date | None = None
    child_sex: str = ""
    hukou: str = ""
    certificate_date: date | None = None
    employer_name: str = ""
    phone: str = ""
    address: str = ""
    village_id: int | None = None  # set by the import service once it has found the village


@dataclass
class RegisterFile:
    """What reading found: the rows without errors, every error, and the notices."""

    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    headers: tuple[str, ...] = ()  # the canonical headers the file has
    row_count: int = 0  # data rows read (blank rows and the template's example row left out)

    @property
    def fields(self) -> tuple[str, ...]:
        """The Household fields this file sets (a column the file lacks leaves its field as is)."""
        return tuple(
            FIELD_OF_HEADER[header]
            for header in HEADERS
            if header in self.headers and header != CERTIFICATE_NO and header != TOWNSHIP
        )


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is shown as it is."""


def read_register(
    content: bytes,
    *,
    filename: str = "",
    today: date,
    progress: Callable[[int], object] | None = None,
) -> RegisterFile:
    """Read a register file (.xlsx, .xls, .ods or .csv, as bytes) into rows, errors and
    notices."""
    result = RegisterFile()
    try:
        _read_rows(spreadsheet_rows(content, filename), result, today=today, progress=progress)
    except UnreadableFile as error:
        result.errors.append(RowError(None, "", str(error)))
    sort_errors(result.errors)
    return result


def spreadsheet_rows(content: bytes, filename: str = "") -> Iterator[tuple[int, tuple]]:
    """(row number as Excel shows it, values) of an .xlsx, .xls, .ods or .csv file; raises
    ``UnreadableFile`` with a Chinese message when the file cannot be read or is past the upload
    limits (``haimen_insurance.uploads``), which are checked before any row is read."""
    kind = file_kind(content, filename)
    rows = _csv_rows(content) if kind == "csv" else _workbook_rows(content, kind)
    return _within_row_limit(rows)


def _within_row_limit(rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    """The rows, stopping with the row limit's message past it (the checks before reading count
    rows already; this holds whatever the reader yields)."""
    limit = uploads.max_rows()
    for line, values in rows:
        if line > limit:
            raise UnreadableFile(str(uploads.too_many_rows()))
        yield line, values


def normalise_header(value) -> str:
    """Header text compared without spaces and with either kind of parentheses."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


_CANONICAL = {normalise_header(header): header for header in HEADERS}


# Reading the formats -------------------------------------------------------------------------

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and an encrypted .xlsx)
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
# An encrypted .xlsx is an OLE2 file with this stream (its name in UTF-16).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

OPEN_MESSAGE = (
    "无法打开这个 Excel 文件，请确认它是 .xlsx、.xls 或 .ods 格式"
    "（用 Excel、WPS 或 LibreOffice 保存）"
)
PASSWORD_MESSAGE = "文件设置了密码，请在 Excel 中取消密码后重新保存上传。"


def file_kind(content: bytes, filename: str = "") -> str:
    """ "xlsx", "xls", "ods" or "csv": a file named .csv is CSV; otherwise what the bytes say
    (an .xls saved under the name .xlsx is still read), then the name; anything else is CSV."""
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if content.startswith(OLE2_SIGNATURE):
        return "xls"
    if content[:2] == b"PK":
        # An OpenDocument zip names its type in its first member, stored uncompressed.
        return "ods" if _ODS_MIMETYPE in content[30:120] or name.endswith(".ods") else "xlsx"
    for kind in ("xlsx", "xls", "ods"):
        if name.endswith(f".{kind}"):
            return kind
    return "csv"


def _is_panic(error: BaseException) -> bool:
    """A Rust panic inside the reader (pyo3's PanicException derives from BaseException)."""
    return type(error).__name__ == "PanicException"


def _open_sheet(content: bytes):
    """The first sheet of a workbook, read by calamine (which reads the whole sheet here)."""
    try:
        workbook = load_workbook(io.BytesIO(content))
    except PasswordError as error:
        raise UnreadableFile(PASSWORD_MESSAGE) from error
    except (CalamineError, ValueError, TypeError, OSError, IndexError) as error:
        raise UnreadableFile(OPEN_MESSAGE) from error
    except BaseException as error:
        if _is_panic(error):
            raise UnreadableFile(OPEN_MESSAGE) from None
        raise
    try:
        return workbook.get_sheet_by_index(0)
    except PasswordError as error:
        raise UnreadableFile(PASSWORD_MESSAGE) from error
    except (CalamineError, ValueError, TypeError, OSError, IndexError) as error:
        raise UnreadableFile(OPEN_MESSAGE) from error
    except BaseException as error:
        if _is_panic(error):
            raise UnreadableFile(OPEN_MESSAGE) from None
        raise
    finally:
        workbook.close()  # the sheet keeps its own cells


def _workbook_rows(content: bytes, kind: str) -> Iterator[tuple[int, tuple]]:
    try:
        if kind == "xls":
            uploads.check_xls(content)
        else:
            uploads.check_zip(content)
    except uploads.SpreadsheetRefused as error:
        raise UnreadableFile(str(error)) from error
    if kind == "xls" and _ENCRYPTED_PACKAGE in content:
        raise UnreadableFile(PASSWORD_MESSAGE)
    sheet = _open_sheet(content)
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return  # an empty sheet (calamine cannot iterate one)
    try:
        uploads.check_sheet(rows=end[0] + 1, columns=end[1] + 1)
    except uploads.SpreadsheetRefused as error:
        raise UnreadableFile(str(error)) from error
    # Calamine hands out the rows from the first (empty ones above the used area included) but
    # the columns from the first used one: pad them, so a value's index is its Excel column.
    padding = (None,) * start[1]
    try:
        if padding:
            for line, values in enumerate(sheet.iter_rows(), start=1):
                yield line, (*padding, *values)
        else:
            yield from enumerate(sheet.iter_rows(), start=1)
    except (CalamineError, ValueError, TypeError) as error:
        raise UnreadableFile("Excel 文件已损坏，读到一半无法继续，请重新保存后上传") from error
    del sheet
    release_freed_memory()


def release_freed_memory() -> None:
    """Hand the memory the reader has just freed back to the system (glibc keeps a freed heap
    for the process otherwise): the sheet's cells are a hundred MB for 100,000 rows, and the
    import's own objects, made after it, would come on top of that in the process's peak."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_malloc_trim = _find_malloc_trim()


def _decode(content: bytes) -> str:
    """UTF-8 with or without a BOM, else GB18030 (Excel on Chinese Windows)."""
    encodings = ("utf-8-sig",) if content.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        "无法识别 CSV 文件的编码，请用 Excel 另存为“CSV UTF-8（逗号分隔）”后重新上传"
    )


def _csv_rows(content: bytes) -> Iterator[tuple[int, tuple]]:
    try:
        count_records = uploads.check_csv(content)
        text = _decode(content)
        end = text.find("\n")
        first_line = text if end < 0 else text[:end]
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        if count_records:
            uploads.check_csv_records(text, delimiter=delimiter)
    except uploads.SpreadsheetRefused as error:
        raise UnreadableFile(str(error)) from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate((tuple(row) for row in reader), start=1)
    except csv.Error as error:
        raise UnreadableFile(f"CSV 文件格式有误（第{reader.line_num}行）：{error}") from error


# Header and rows -----------------------------------------------------------------------------


def _is_blank(values: tuple) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _find_header(rows: Iterator[tuple[int, tuple]]) -> tuple[int, tuple]:
    line = 0
    for line, values in rows:
        if CERTIFICATE_NO in {normalise_header(value) for value in values}:
            return line, values
        if line >= _HEADER_SEARCH_ROWS:
            break
    if line == 0:
        raise UnreadableFile("文件是空的，没有任何内容")
    raise UnreadableFile(
        "找不到表头：文件前几行中没有“证号”等列名。请使用系统提供的模板，第一行为列名。"
    )


def _column_index(header_values: tuple, line: int, result: RegisterFile) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, value in enumerate(header_values):
        key = normalise_header(value)
        if not key:
            continue
        if isinstance(value, str) and has_control_characters(value.strip()):
            raise UnreadableFile(
                f"表头（第{line}行{get_column_letter(position + 1)}列）"
                + control_message(value.strip())
            )
        header = _CANONICAL.get(key)
        if header is None:
            result.notices.append(Notice(line, str(value).strip(), "未识别的列，已忽略"))
        elif header in index:
            raise UnreadableFile(f"表头中“{header}”列出现了两次，请删除多余的一列")
        else:
            index[header] = position
    missing = [header for header in REQUIRED_HEADERS if header not in index]
    pairs_present = [pair for pair in PARENT_HEADERS if any(header in index for header in pair)]
    for pair in pairs_present:
        missing.extend(header for header in pair if header not in index)
    if not pairs_present:
        missing.append("父亲姓名和父亲身份证号（或母亲姓名和母亲身份证号）")
    if missing:
        raise UnreadableFile(
            f"缺少必需的列：{'、'.join(missing)}。请使用系统提供的模板，列名见第一行。"
        )
    return index


def _read_rows(rows, result: RegisterFile, *, today: date, progress) -> None:
    rows = iter(rows)
    header_line, header_values = _find_header(rows)
    index = _column_index(header_values, header_line, result)
    result.headers = tuple(header for header in HEADERS if header in index)
    width = max(index.values()) + 1
    reader = RowReader(index, today=today)
    # (line, certificate no., child ID) of the rows with errors, for the duplicates
    refused: list[tuple[int, str, str]] = []
    count = 0
    for line, values in rows:
        count += 1
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(_PROGRESS_EVERY)
        if len(values) < width:
            values = (*values, *([None] * (width - len(values))))
        row = reader.plain(line, values)
        if row is not None:
            result.rows.append(row)
            continue
        if _is_blank(values):
            continue
        row, errors, notices = reader.read(line, values)
        if notices:
            result.notices.extend(notices)
        if row is None:
            continue
        if errors:
            refused.append((line, row.certificate_no, row.child_id_number))
            result.errors.extend(errors)
        else:
            result.rows.append(row)
    if progress is not None and count % _PROGRESS_EVERY:
        progress(count % _PROGRESS_EVERY)
    result.row_count = len(result.rows) + len(refused)
    kept = ((row.line, row.certificate_no, row.child_id_number) for row in result.rows)
    _check_duplicates(heapq.merge(kept, refused), result)


def _check_duplicates(keys: Iterable[tuple[int, str, str]], result: RegisterFile) -> None:
    """The same certificate number, or the same child, twice in the file is an error on every
    later row (whether or not the earlier row has errors of its own); ``keys`` are (line,
    certificate number, child ID) of every row, in the file's order."""
    first_certificate: dict[str, int] = {}
    first_child: dict[str, int] = {}
    duplicated = set()
    for line, certificate_no, child_id in keys:
        if certificate_no:
            earlier = first_certificate.setdefault(certificate_no, line)
            if earlier != line:
                result.errors.append(RowError(line, CERTIFICATE_NO, f"证号与第{earlier}行重复"))
                duplicated.add(line)
        if child_id:
            earlier = first_child.setdefault(child_id, line)
            if earlier != line:
                result.errors.append(RowError(line, CHILD_ID, f"子女身份证号与第{earlier}行重复"))
                duplicated.add(line)
    if duplicated:
        result.rows = [row for row in result.rows if row.line not in duplicated]


def sort_errors(errors: list[RowError]) -> None:
    """By row, then by column in the template's order."""
    order = {header: position for position, header in enumerate(HEADERS)}
    errors.sort(key=lambda error: (error.line or 0, order.get(error.column, -1)))


# Cells ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _plain_text(value, limit: int) -> str | None:
    """A cell's text when it is plainly right (it shows, and within ``limit`` characters; ""
    when empty), else None."""
    text = value.strip() if value.__class__ is str else _text(value)
    if len(text) > limit or is_invisible(text):
        return None
    return text


@lru_cache(maxsize=8192)
def _date_from_text(text: str) -> date:
    """'2012-05-01', '2012/5/1', '2012年5月1日', '20120501' → date; ValueError otherwise."""
    if match := _DATE_TEXT.fullmatch(text):
        return date(int(match[1]), int(match[2]), int(match[3]))
    if _DATE_DIGITS.fullmatch(text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    raise ValueError(text)


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _date_from_text(str(value))
    if isinstance(value, float) and value.is_integer():  # 20100501 typed as a number
        return _date_from_text(str(int(value)))
    if isinstance(value, str):
        return _date_from_text(value.strip())
    raise ValueError(value)


class RowReader:
    """Turns one row of cell values into a ``RegisterRow`` plus its errors and notices.

    ``plain`` reads the usual row, every cell of which is plainly right, with a few C-speed
    checks per cell; anything it is not sure of (an empty or overlong cell, a control
    character, a number where an ID belongs, an ID not already in its stored form, a date out of
    range, ...) sends the row to ``read``, which checks every rule and gives the reasons. So a
    row ``plain`` takes is the one ``read`` would give without an error or a notice, and
    ``read`` alone decides every refusal."""

    def __init__(self, index: dict[str, int], *, today: date):
        self.index = index
        self.today = today
        # Each canonical column's position, or -1 (an empty cell appended to the row) when
        # the file lacks the column.
        self._cells = itemgetter(*(index.get(header, -1) for header in HEADERS))
        # One object for the names and dates many rows repeat (a file holds each once).
        self._same: dict = {}

    def plain(self, line: int, values) -> RegisterRow | None:
        """The row when every cell is plainly right, else None (``read`` then looks closer)."""
        cells = self._cells((*values, None))
        (
            certificate_no,
            township,
            village,
            father_name,
            father_id,
            mother_name,
            mother_id,
            child_name,
            child_id,
            birth_date,
            sex,
            hukou,
            certificate_date,
            employer,
            phone,
            address,
        ) = cells
        # No control character anywhere (line breaks allowed in the address only).
        if has_control_characters(" ".join([v for v in cells[:-1] if v.__class__ is str])) or (
            address.__class__ is str and has_control_characters(address, multiline=True)
        ):
            return None
        certificate_no = _plain_text(certificate_no, _MAX_LENGTH[CERTIFICATE_NO])
        township = _plain_text(township, _LONGEST)
        village = _plain_text(village, _LONGEST)
        child_name = _plain_text(child_name, _MAX_LENGTH[CHILD_NAME])
        if not (certificate_no and township and village and child_name):
            return None
        if certificate_no == EXAMPLE_CERTIFICATE_NO:
            return None
        try:
            birth_date = _date(birth_date)
            if certificate_date is None or (
                certificate_date.__class__ is str and not certificate_date.strip()
            ):
                certificate_date = None
            else:
                certificate_date = _date(certificate_date)
                if not FIRST_CERTIFICATE_DATE <= certificate_date <= self.today:
                    return None
        except ValueError:
            return None
        if birth_date > self.today:
            return None
        same = self._same
        child_sex = SEXES.get(_plain_text(sex, _LONGEST))
        hukou = HUKOUS.get(_plain_text(hukou, _LONGEST))
        if child_sex is None or hukou is None or child_id.__class__ is not str:
            return None
        child_id = child_id.strip()
        if plain_resident_id(child_id, today=self.today) != (birth_date, child_sex):
            return None
        father_name, father_id = self._plain_parent(father_name, father_id)
        mother_name, mother_id = self._plain_parent(mother_name, mother_id)
        if father_name is None or mother_name is None or not (father_id or mother_id):
            return None
        employer = _plain_text(employer, _MAX_LENGTH[EMPLOYER])
        phone = _plain_text(phone, _MAX_LENGTH[PHONE])
        address = _plain_text(address, _MAX_LENGTH[ADDRESS])
        if employer is None or phone is None or address is None:
            return None
        return RegisterRow(
            line,
            certificate_no,
            same.setdefault(township, township),
            same.setdefault(village, village),
            father_name,
            father_id,
            mother_name,
            mother_id,
            child_name,
            child_id,
            same.setdefault(birth_date, birth_date),
            child_sex,
            hukou,
            certificate_date
            if certificate_date is None
            else same.setdefault(certificate_date, certificate_date),
            "" if employer == VILLAGE_PAYS else same.setdefault(employer, employer),
            phone,
            address,
        )

    def _plain_parent(self, name, number) -> tuple[str | None, str]:
        """(name, ID) of a parent whose name and ID are plainly right, ("", "") for a parent
        left out, (None, "") when ``read`` must look closer."""
        name = _plain_text(name, _MAX_LENGTH[FATHER_NAME])
        if name is None:
            return None, ""
        if not name:
            if number is None or (number.__class__ is str and not number.strip()):
                return "", ""
            return None, ""
        if number.__class__ is not str:
            return None, ""
        number = number.strip()
        if plain_resident_id(number, today=self.today) is None:
            return None, ""
        return name, number

    def read(self, line: int, values: tuple):
        errors: list[RowError] = []
        notices: list[Notice] = []
        index = self.index
        if errors := self._control_characters(line, values):
            return RegisterRow(line), errors, notices

        def cell(header):
            position = index.get(header)
            return None if position is None else values[position]

        def text(header, *, required=False):
            value = _text(cell(header))
            if not value and required:
                errors.append(RowError(line, header, "必须填写"))
            elif is_invisible(value):
                errors.append(RowError(line, header, INVISIBLE_MESSAGE.rstrip("。")))
            elif len(value) > (limit := _MAX_LENGTH.get(header, _LONGEST)):
                errors.append(RowError(line, header, f"内容太长（最多{limit}个字）"))
            return value

        row = RegisterRow(line)
        row.certificate_no = text(CERTIFICATE_NO, required=True)
        if row.certificate_no == EXAMPLE_CERTIFICATE_NO:
            return None, [], [Notice(line, "", "这是模板中的示例行，已跳过")]
        row.township = text(TOWNSHIP, required=True)
        row.village = text(VILLAGE, required=True)
        row.child_name = text(CHILD_NAME, required=True)

        row.child_birth_date = self._date(cell(CHILD_BIRTH_DATE), line, CHILD_BIRTH_DATE, errors)
        if CERTIFICATE_DATE in index:
            row.certificate_date = self._date(
                cell(CERTIFICATE_DATE), line, CERTIFICATE_DATE, errors, required=False
            )

        sex = text(CHILD_SEX, required=True)
        if sex:
            row.child_sex = SEXES.get(sex, "")
            if not row.child_sex:
                errors.append(RowError(line, CHILD_SEX, f"只能填“男”或“女”，不能是“{sex}”"))
        hukou = text(HUKOU, required=True)
        if hukou:
            row.hukou = HUKOUS.get(hukou, "")
            if not row.hukou:
                errors.append(RowError(line, HUKOU, f"只能填“农业”或“非农业”，不能是“{hukou}”"))

        child = self._resident_id(cell(CHILD_ID), line, CHILD_ID, errors, notices)
        if child is not None:
            row.child_id_number = child.number
            for problem in check_against(
                child, birth_date=row.child_birth_date, sex=row.child_sex or None
            ):
                errors.append(RowError(line, CHILD_ID, problem))

        parents = 0
        for name_header, id_header, name_attr, id_attr in (
            (FATHER_NAME, FATHER_ID, "father_name", "father_id_number"),
            (MOTHER_NAME, MOTHER_ID, "mother_name", "mother_id_number"),
        ):
            name = text(name_header)
            raw = cell(id_header)
            if not name and _text(raw) == "":
                continue
            parents += 1
            setattr(row, name_attr, name)
            if not name:
                errors.append(RowError(line, name_header, "填写了身份证号，也必须填写姓名"))
            if _text(raw) == "":
                errors.append(RowError(line, id_header, "填写了姓名，也必须填写身份证号"))
                continue
            parent = self._resident_id(raw, line, id_header, errors, notices)
            if parent is not None:
                setattr(row, id_attr, parent.number)
        if not parents:
            errors.append(RowError(line, FATHER_NAME, "父亲和母亲至少填写一人（姓名和身份证号）"))

        employer = text(EMPLOYER)
        row.employer_name = "" if employer == VILLAGE_PAYS else employer
        row.phone = text(PHONE)
        row.address = text(ADDRESS)
        return row, errors, notices

    def _control_characters(self, line: int, values: tuple) -> list[RowError]:
        """An error for each cell with a control character (an address may have line breaks);
        the row's other checks are left out, as they would show the cell's text."""
        return [
            RowError(line, header, control_message(text, multiline=header == ADDRESS).rstrip("。"))
            for header, position in self.index.items()
            if isinstance(text := values[position], str)
            and has_control_characters(text.strip(), multiline=header == ADDRESS)
        ]

    def _date(self, value, line, header, errors, *, required=True):
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors.append(RowError(line, header, "必须填写"))
            return None
        try:
            parsed = _date(value)
        except ValueError:
            errors.append(
                RowError(
                    line,
                    header,
                    f"日期“{_text(value)}”无法识别，请写成 2012-05-01、2012/5/1、"
                    "2012年5月1日 或 20120501",
                )
            )
            return None
        if parsed > self.today:
            errors.append(RowError(line, header, f"日期（{parsed.isoformat()}）晚于今天"))
            return None
        if header == CERTIFICATE_DATE and parsed < FIRST_CERTIFICATE_DATE:
            errors.append(
                RowError(
                    line,
                    header,
                    f"日期（{parsed.isoformat()}）早于 {FIRST_CERTIFICATE_DATE:%Y-%m-%d}，"
                    f"独生子女证自 {FIRST_CERTIFICATE_DATE.year} 年起发放",
                )
            )
            return None
        return parsed

    def _resident_id(self, value, line, header, errors, notices):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            errors.append(RowError(line, header, EXCEL_NUMBER_MESSAGE))
            return None
        raw = _text(value)
        if not raw:
            errors.append(RowError(line, header, "必须填写"))
            return None
        try:
            parsed = parse_resident_id(raw, today=self.today)
        except ResidentIdError as error:
            errors.append(RowError(line, header, str(error)))
            return None
        if parsed.upgraded_from:
            notices.append(
                Notice(
                    line,
                    header,
                    "15位旧身份证号已升级为18位",
                    old=parsed.upgraded_from,
                    new=parsed.number,
                )
            )
        return parsed
