"""Limits on uploaded spreadsheets, checked before any spreadsheet library reads the file.

A spreadsheet reader's time and memory grow with what the file unpacks to, not with its size on
disk: a 10 MB .xlsx can hold two million rows, a few hundred KB can inflate to gigabytes of shared
strings, and a sheet of a few bytes can claim row numbers in the millions (the reader then hands
out every empty row in between). So before the file is parsed, this module looks at it with the
standard library only, whatever reader comes after:

- a zip container (.xlsx; .ods is a zip as well) is opened with ``zipfile``; the members' declared
  sizes must stay under ``MAX_UNPACKED_BYTES`` in total and under ``MAX_RATIO`` times their
  compressed size. ``zipfile`` never hands out more than a member's declared size and checks its
  CRC at the end, and every member is streamed once here, so a member that lies about its size
  is refused as damaged instead of reaching the reader;
- each worksheet's XML is streamed in chunks and its rows counted with C-speed byte searches
  (memory stays at a few chunks): more than ``MAX_DATA_ROWS`` rows (plus ``HEADER_ROWS`` for a
  title and the header), a row numbered past that, a cell past column ``MAX_COLUMNS``, or a
  declared dimension beyond either, is refused; so is a shared-strings table of more than
  ``MAX_SHARED_STRINGS`` texts, a document type declaration (entity expansion) and XML that is
  not UTF-8;
- a CSV file's lines are counted on its bytes (its records exactly, with the csv module, when
  the lines alone exceed the limit and a quoted cell may span lines).

- an .ods keeps its rows in content.xml as ``table:table-row`` elements with a repeat count
  (``table:number-rows-repeated``) and its cells with one (``table:number-columns-repeated``):
  each table's rows are added up with their repeats, as the reader will hand them out (empty
  rows at the end of a table, which LibreOffice writes a million at a time, are not rows the
  reader keeps), and the last cell with something in it must be within ``MAX_COLUMNS``;
- an .xls (Excel 97–2003) is not a zip but an OLE2 compound file, which the standard library
  cannot open: it is held to ``MAX_XLS_BYTES`` before reading (the format itself stops at
  65,536 rows and 256 columns), and its sheet's dimensions, once the reader has opened it and
  before any row is handed out, to the row and column limits (``check_sheet``), as are those
  of every format the reader opens.

Every refusal is ``SpreadsheetRefused`` with a Chinese message that names the limit.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

MAX_DATA_ROWS = 300_000  # a prefecture of 200,000 households fits in one file
HEADER_ROWS = 10  # rows allowed above the data: a title and the header
MAX_COLUMNS = 100  # column CV; the register has 16 columns
# Rows × columns of a sheet's used area, the rectangle from its first cell to its last: the reader
# holds every cell of it (about 32 bytes each, empty or not, before any text), so two cells far
# apart are as heavy as a full sheet. 300,000 rows of 20 columns; a full register is 16 wide.
MAX_CELLS = 6_000_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # a 300,000-row register unpacks to about 200 MB
MAX_RATIO = 100  # unpacked / packed; spreadsheets compress 5 to 20 times, zip bombs 1,000 times
RATIO_FLOOR = 1024 * 1024  # members smaller than this are not held to the ratio
MAX_SHARED_STRINGS = 5_000_000  # distinct texts of a workbook; 16 per row at most in a register
MAX_MEMBERS = 1000
MAX_XLS_BYTES = 40 * 1024 * 1024  # an .xls of 65,536 register rows is about 15 MB

CHUNK = 1024 * 1024
_MAX_TAG = 4 * CHUNK  # no tag or text of a real spreadsheet comes near this

COLUMNS_MESSAGE = f"表格超过 {MAX_COLUMNS} 列的上限，请删除多余的列后重新上传。"
DAMAGED_MESSAGE = "Excel 文件已损坏，无法读取，请在 Excel 中重新保存后上传。"


class SpreadsheetRefused(Exception):
    """The file is refused before it is read; the message (Chinese) is shown as it is."""


def max_rows() -> int:
    """Rows a sheet may have: the data rows and the rows above them."""
    return MAX_DATA_ROWS + HEADER_ROWS


def too_many_rows() -> SpreadsheetRefused:
    return SpreadsheetRefused(f"文件超过 {MAX_DATA_ROWS:,} 行的上限，请按乡镇分开上传。")


def too_many_cells(rows: int, columns: int, *, before: int = 0) -> SpreadsheetRefused:
    """The refusal of a used area of ``rows`` × ``columns`` (after ``before`` cells of the
    workbook's other sheets, which an .xls reader reads all at once)."""
    advice = (
        "请删除远处多余的行、列和单元格（包括只设了格式或空格的单元格）后重新保存，"
        "或按乡镇分开上传。"
    )
    if before:
        return SpreadsheetRefused(
            f"表格各工作表的数据区域共有 {before + rows * columns:,} 个单元格，"
            f"超过 {MAX_CELLS:,} 个单元格的上限。请删除多余的工作表，" + advice[1:]
        )
    return SpreadsheetRefused(
        f"表格的数据区域有 {rows:,} 行 × {columns:,} 列，共 {rows * columns:,} 个单元格，"
        f"超过 {MAX_CELLS:,} 个单元格的上限。" + advice
    )


def _check_cells(rows: int, columns: int) -> None:
    if rows * columns > MAX_CELLS:
        raise too_many_cells(rows, columns)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


# Zip containers ----------------------------------------------------------------------------


def check_zip(content: bytes) -> None:
    """Refuse a zip container (an .xlsx or .ods) that unpacks out of proportion or holds too
    many rows.

    A file that is not a zip at all passes: the reader then says it cannot open it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    with archive:
        members = archive.infolist()
        _check_sizes(members, len(content))
        counts = _Counts()
        for member in members:
            if member.is_dir():
                continue
            try:
                _scan(archive, member, counts)
            except SpreadsheetRefused:
                raise
            except (
                zipfile.BadZipFile,
                zlib.error,
                NotImplementedError,
                RuntimeError,
                OSError,
                EOFError,
                ValueError,
            ) as error:
                raise SpreadsheetRefused(DAMAGED_MESSAGE) from error


def _check_sizes(members: list[zipfile.ZipInfo], packed: int) -> None:
    if len(members) > MAX_MEMBERS:
        raise SpreadsheetRefused(
            f"文件中有 {len(members):,} 个部件，超过 {MAX_MEMBERS:,} 个的上限，不是正常的表格文件。"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetRefused(
            f"文件解压后有 {_megabytes(unpacked)}，超过 {_megabytes(MAX_UNPACKED_BYTES)} 的上限，"
            "请按乡镇分开上传。"
        )
    ratios = [(unpacked, packed)] + [(member.file_size, member.compress_size) for member in members]
    for size, compressed in ratios:
        if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
            raise SpreadsheetRefused(
                f"文件解压后是压缩时的 {size / max(compressed, 1):,.0f} 倍，超过 {MAX_RATIO} 倍"
                "的上限，不是正常的表格文件（可能是压缩炸弹），已拒绝读取。"
            )
    for member in members:
        if member.flag_bits & 0x1:
            raise SpreadsheetRefused("文件设置了密码，请在 Excel 中取消密码后重新保存上传。")


@dataclass
class _Counts:
    shared_strings: int = 0


# The first element of an XML part.
_ROOT = re.compile(rb"<(?![?!])[A-Za-z_]")
# How XML in UTF-16 or UTF-32 begins (with a byte-order mark, or with "<" and NUL bytes): the
# byte searches below would not see its tags, and no spreadsheet program writes it.
_WIDE_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<")


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, counts: _Counts) -> None:
    """Stream one member through (which checks its CRC) and, if it is XML, count its rows,
    cells and shared strings as it goes. Every XML part is counted, whatever its name or root
    element: a reader finds rows by their tag wherever they are."""
    with archive.open(member) as stream:
        head = stream.read(CHUNK)
        if not _is_xml(head):
            while stream.read(CHUNK):
                pass
            return
        scanner = _Scanner(counts)
        tables = _OdsScanner()
        tail = head
        while chunk := stream.read(CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            if cut <= 0:  # no tag starts after the first byte: keep reading, up to a point
                if len(buffer) > _MAX_TAG:
                    raise SpreadsheetRefused(DAMAGED_MESSAGE)
                tail = buffer
                continue
            scanner(buffer[:cut])  # every tag in it is whole, up to the end of its attributes
            tables(buffer[:cut])
            tail = buffer[cut:]
        scanner(tail)
        tables(tail)
        tables.finish()


def _is_xml(head: bytes) -> bool:
    """Whether a member is XML, from its first bytes; refuses XML a byte search cannot read
    (UTF-16 or UTF-32) and XML with a document type declaration (entity expansion)."""
    if head.startswith(_WIDE_ENCODINGS):
        raise SpreadsheetRefused("Excel 文件中的内容不是 UTF-8 编码，请在 Excel 中重新保存后上传。")
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return False
    root = _ROOT.search(text)
    if root is None or b"<!DOCTYPE" in text[: root.start()] or b"<!ENTITY" in text:
        raise SpreadsheetRefused(DAMAGED_MESSAGE)
    return True


# A row's start tag and its number (r="12", in any spelling XML allows); the same with a
# namespace prefix, used only for a chunk that has one (it is slower).
_ROW = re.compile(rb"<row(?=[\s/>])(?:[^<>]*?\sr\s*=\s*[\"']\s*(\d{1,12}))?")
_ROW_PREFIXED = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])(?:[^<>]*?\sr\s*=\s*[\"']\s*(\d{1,12}))?"
)
# Where a cell's reference starts: as Excel, WPS and openpyxl write it, and in any spelling XML
# allows (a namespace prefix, other attributes first, single quotes, spaces, a $).
_CELL = rb'<c r="'
_CELL_ANY = rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])[^<>]*?\sr\s*=\s*[\"']\s*\$?"


def _letters(first: int, last: int = 26) -> bytes:
    """A character class of the letters from the ``first``-th to the ``last``-th, either case."""
    upper, lower = (bytes([ord(case) + first - 1, ord(case) + last - 1]) for case in "Aa")
    return b"[" + upper[:1] + b"-" + upper[1:] + lower[:1] + b"-" + lower[1:] + b"]"


@lru_cache(maxsize=2 * (MAX_COLUMNS + 1))
def _wider_than(column: int, *, canonical: bool) -> re.Pattern:
    """A cell whose column is past ``column`` (counted from 1; 0 for any cell), with its column
    letters as group 1: three letters, or two past ``column``'s, or one."""
    letter = _letters(1)
    wider = [letter + b"{3,}"]
    if column < 26:
        wider += [letter + b"{2}", _letters(column + 1)]
    elif column == 26:
        wider += [letter + b"{2}"]
    else:
        first, second = divmod(column - 1, 26)  # column AB: first 1 (A), second 1 (B - 1)
        if first < 26:
            wider.append(_letters(first + 1) + letter)
        if second < 25:
            wider.append(_letters(first, first) + _letters(second + 2))
    start = _CELL if canonical else _CELL_ANY
    return re.compile(start + b"(" + b"|".join(wider) + rb")(?=\$?\d)")


_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension(?=[\s/>])[^<>]*?\sref\s*=\s*[\"']\s*"
    rb"\$?([A-Za-z]{0,4})\$?(\d{0,12})(?::\$?([A-Za-z]{0,4})\$?(\d{0,12}))?"
)
_SHARED_STRING = re.compile(rb"<si(?=[\s/>])")
_SHARED_STRING_PREFIXED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


class _Scanner:
    """Counts one XML part, a chunk at a time; raises as soon as a limit is passed."""

    def __init__(self, counts: _Counts):
        self.counts = counts
        self.rows = 0
        self.last_row = 0  # the highest row number seen
        self.widest = 0  # the last column any cell is in, counted from 1
        self.limit = max_rows()

    def __call__(self, chunk: bytes) -> None:
        self._rows(chunk)
        self._columns(chunk)
        pattern = _SHARED_STRING_PREFIXED if b":si" in chunk else _SHARED_STRING
        self.counts.shared_strings += len(pattern.findall(chunk))
        if self.counts.shared_strings > MAX_SHARED_STRINGS:
            raise SpreadsheetRefused(
                f"文件中的文字超过 {MAX_SHARED_STRINGS:,} 项的上限，请按乡镇分开上传。"
            )

    def _rows(self, chunk: bytes) -> None:
        numbers = (_ROW_PREFIXED if b":row" in chunk else _ROW).findall(chunk)
        self.rows += len(numbers)
        self.last_row = max(self.last_row, max(map(int, filter(None, numbers)), default=0))
        if self.rows > self.limit or self.last_row > self.limit:
            raise too_many_rows()

    def _columns(self, chunk: bytes) -> None:
        # Where every tag that starts with "<c" is a cell written the usual way (a chunk with
        # <cols>, <cfRule>, or a namespace prefix, takes the slower pattern).
        canonical = chunk.count(b"<c") == chunk.count(b'<c r="') and b":c" not in chunk
        # The widest column so far: one search per chunk finds no cell past it, as a rule.
        found = _wider_than(self.widest, canonical=canonical).search(chunk)
        while found is not None:
            self.widest = _column_number(found[1])
            if self.widest > MAX_COLUMNS:
                raise SpreadsheetRefused(COLUMNS_MESSAGE)
            found = _wider_than(self.widest, canonical=canonical).search(chunk, found.end())
        # The reader's rectangle reaches from row 1 (at most) to the last row, and so wide.
        _check_cells(max(self.rows, self.last_row), self.widest)
        if b"dimension" not in chunk:
            return
        for match in _DIMENSION.finditer(chunk):
            first_column, first_row, last_column, last_row = match.groups()
            if max(_column_number(first_column), _column_number(last_column or b"")) > MAX_COLUMNS:
                raise SpreadsheetRefused(COLUMNS_MESSAGE)
            if max(int(first_row or 0), int(last_row or 0)) > self.limit:
                raise too_many_rows()


# OpenDocument tables (.ods) ---------------------------------------------------------------

# Where a table or a row starts: the pieces between them are whole rows.
_ODS_MARK = re.compile(rb"<table:table(?:-row)?(?=[\s/>])")
_ODS_ROW_END = b"</table:table-row>"
_ODS_ROWS_REPEATED = re.compile(rb"table:number-rows-repeated\s*=\s*[\"']\s*(\d{1,12})")
_ODS_COLUMNS_REPEATED = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']\s*(\d{1,12})")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s/>])([^<>]*?)(/?)>")


def _ods_filled(part: bytes) -> bool:
    """Whether a row or cell has something in it: a typed value, or text."""
    return b"office:value-type" in part or b"<text:" in part


class _OdsScanner:
    """Counts the rows of each table of an OpenDocument part, with their repeats, a chunk at
    a time; raises as soon as a limit is passed. Parts without tables pass through untouched.

    Empty rows are held back until a row with something in it follows them, because the reader
    drops the empty rows at the end of a table and keeps those in between."""

    def __init__(self):
        self.limit = max_rows()
        self.rows = 0  # rows up to the last one with something in it, in the current table
        self.empty = 0  # empty rows after that
        self.widest = 0  # the last column with something in it, in the current table
        self.tail = b""

    def __call__(self, chunk: bytes) -> None:
        buffer = self.tail + chunk
        if b"<table:table" not in buffer:
            self.tail = b""
            return
        marks = [match.start() for match in _ODS_MARK.finditer(buffer)]
        if not marks:  # a mark may be cut at the end of the chunk
            self.tail = buffer[-len(b"<table:table-row ") :]
            return
        for start, end in zip(marks, marks[1:], strict=False):
            self._piece(buffer[start:end])
        self.tail = buffer[marks[-1] :]  # the last piece may go on in the next chunk
        if len(self.tail) > _MAX_TAG:
            raise SpreadsheetRefused(DAMAGED_MESSAGE)

    def finish(self) -> None:
        if self.tail.startswith(b"<table:table"):
            self._piece(self.tail)
        self.tail = b""

    def _piece(self, piece: bytes) -> None:
        if not piece.startswith(b"<table:table-row"):  # a new table
            self.rows = self.empty = self.widest = 0
            return
        tag_end = piece.find(b">")
        tag = piece[: tag_end + 1]
        repeated = _ODS_ROWS_REPEATED.search(tag)
        count = int(repeated[1]) if repeated else 1
        if tag.endswith(b"/>"):
            self.empty += count
            return
        end = piece.find(_ODS_ROW_END)
        row = piece[tag_end + 1 : end if end >= 0 else len(piece)]
        if not _ods_filled(row):
            self.empty += count
            return
        self.rows += self.empty + count
        self.empty = 0
        if self.rows > self.limit:
            raise too_many_rows()
        self._columns(row)
        _check_cells(self.rows, self.widest)

    def _columns(self, row: bytes) -> None:
        cells = row.count(b"<table:table-cell") + row.count(b"<table:covered-table-cell")
        repeats = [int(number) for number in _ODS_COLUMNS_REPEATED.findall(row)]
        if cells - len(repeats) + sum(repeats) <= self.widest:
            return  # not past the widest row, even if every cell were filled
        # Count exactly: where the last cell with something in it ends.
        matches = list(_ODS_CELL.finditer(row))
        column = 0
        for position, match in enumerate(matches):
            repeated = _ODS_COLUMNS_REPEATED.search(match[1])
            column += int(repeated[1]) if repeated else 1
            if column <= self.widest:
                continue  # (this cell, or the last of its repeats, is not past the widest)
            if match[2]:  # <table:table-cell .../>: only its attributes can hold a value
                filled = b"office:value-type" in match[1]
            else:
                following = matches[position + 1].start() if position + 1 < len(matches) else None
                filled = _ods_filled(row[match.start() : following])
            if filled:
                self.widest = max(self.widest, column)
                if self.widest > MAX_COLUMNS:
                    raise SpreadsheetRefused(COLUMNS_MESSAGE)


# Any format, once the reader has opened it ------------------------------------------------


def check_xls(content: bytes) -> None:
    """Refuse an .xls past ``MAX_XLS_BYTES``, or one with a sheet past the row or column limit,
    or whose sheets' used areas add up to more than ``MAX_CELLS`` (the reader reads every sheet
    as it opens the file: a few KB with two cells far apart would take half a gigabyte).

    The cells are found with the standard library: the compound file's ``Workbook`` stream
    (``Book`` in Excel 95), then every cell record of every sheet in it. A file whose structure
    cannot be followed passes: the reader then says it cannot open it."""
    if len(content) > MAX_XLS_BYTES:
        raise SpreadsheetRefused(
            f"文件有 {_megabytes(len(content))}，"
            f"超过 .xls 文件 {_megabytes(MAX_XLS_BYTES)} 的上限，"
            "请在 Excel 中另存为 .xlsx 后上传。"
        )
    try:
        stream = _compound_stream(content, ("Workbook", "Book"))
    except (struct.error, IndexError, ValueError):
        return
    if stream is not None:
        _check_biff(stream)


_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


def _compound_stream(content: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first stream named one of ``names`` in an OLE2 compound file (the container of .xls),
    or None; raises ValueError (or struct.error, IndexError) where the file breaks its format."""
    if not content.startswith(_OLE2_SIGNATURE) or len(content) < 512:
        return None
    shift, mini_shift = struct.unpack_from("<HH", content, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        return None
    size = 1 << shift
    (fat_sectors, directory, _, mini_cutoff, mini_fat, _, difat, difat_sectors) = (
        struct.unpack_from("<8I", content, 0x2C)
    )
    sectors = (len(content) - 512) // size + 1

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise ValueError("sector past the end of the file")
        start = (number + 1) * size
        return content[start : start + size]

    # The sector allocation table: its sectors are listed in the header, then in a chain.
    listed = list(struct.unpack_from("<109I", content, 0x4C))
    for _ in range(min(difat_sectors, sectors)):
        if difat >= _END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(difat))
        listed += entries[:-1]
        difat = entries[-1]
    table = []
    for number in listed[:fat_sectors]:
        table += struct.unpack(f"<{size // 4}I", sector(number))

    def chain(start: int, links) -> list[int]:
        found = []
        while start < _END_OF_CHAIN:
            if len(found) >= len(links):
                raise ValueError("a chain of sectors that loops")
            found.append(start)
            start = links[start]
        return found

    entries = b"".join(sector(number) for number in chain(directory, table))
    root_start = struct.unpack_from("<I", entries, 116)[0]
    for offset in range(0, len(entries) - 127, 128):
        length, kind = struct.unpack_from("<HB", entries, offset + 64)
        name = entries[offset : offset + max(length - 2, 0)].decode("utf-16-le", "replace")
        if kind != 2 or name not in names:
            continue
        start, stream_size = struct.unpack_from("<II", entries, offset + 116)
        if stream_size >= mini_cutoff:
            data = b"".join(sector(number) for number in chain(start, table))
            return data[:stream_size]
        # A small stream lives in the mini stream, in 64-byte pieces with a table of their own.
        mini = b"".join(sector(number) for number in chain(root_start, table))
        mini_table = []
        for number in chain(mini_fat, table):
            mini_table += struct.unpack(f"<{size // 4}I", sector(number))
        pieces = chain(start, mini_table)
        return b"".join(mini[number * 64 : number * 64 + 64] for number in pieces)[:stream_size]
    return None


# BIFF records that hold one cell (row and column first), and MULRK, which holds a row's run of
# numbers (its last column at its end). Blank cells (BLANK, MULBLANK) only carry a format: the
# reader keeps no cell for them.
_CELL_RECORDS = frozenset({0x0006, 0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205})
_MULRK, _BOF, _EOF, _FILEPASS = 0x00BD, 0x0809, 0x000A, 0x002F


def _check_biff(stream: bytes) -> None:
    """Every sheet's used area, from the cell records of the workbook stream: each within the
    row and column limits, and their cells together within ``MAX_CELLS``."""
    total = depth = 0
    empty = (1 << 16, -1, 1 << 16, -1)
    first_row, last_row, first_column, last_column = empty
    position, end = 0, len(stream) - 4
    unpack = struct.unpack_from
    while position <= end:
        kind, length = unpack("<HH", stream, position)
        data = position + 4
        position = data + length
        if kind in _CELL_RECORDS or kind == _MULRK:
            if length < 4 or position > len(stream):
                continue
            row, column = unpack("<HH", stream, data)
            last = unpack("<H", stream, position - 2)[0] if kind == _MULRK else column
            first_row, last_row = min(first_row, row), max(last_row, row)
            first_column, last_column = min(first_column, column), max(last_column, last)
        elif kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0 and last_row >= 0:
                total += _biff_area(first_row, last_row, first_column, last_column, total)
                first_row, last_row, first_column, last_column = empty
        elif kind == _FILEPASS:
            return  # encrypted: the cells cannot be read; the reader asks for the password
    if last_row >= 0:
        _biff_area(first_row, last_row, first_column, last_column, total)


def _biff_area(first_row: int, last_row: int, first_column: int, last_column: int, before: int):
    """The cells of one sheet's used area (rows and columns counted from 0), refused past a
    limit (with the cells of the sheets ``before`` it)."""
    if last_row + 1 > max_rows():
        raise too_many_rows()
    if last_column + 1 > MAX_COLUMNS:
        raise SpreadsheetRefused(COLUMNS_MESSAGE)
    rows, columns = last_row - first_row + 1, last_column - first_column + 1
    if before + rows * columns > MAX_CELLS:
        raise too_many_cells(rows, columns, before=before)
    return rows * columns


def check_sheet(*, rows: int, columns: int) -> None:
    """Refuse a sheet the reader has opened whose extent (the last row and column with
    something in them) is past the row or column limit, before any row is handed out."""
    if rows > max_rows():
        raise too_many_rows()
    if columns > MAX_COLUMNS:
        raise SpreadsheetRefused(COLUMNS_MESSAGE)


# CSV ---------------------------------------------------------------------------------------


def check_csv(content: bytes) -> bool:
    """Refuse CSV bytes of more lines than rows allowed, unless quoted cells may join lines into
    fewer records: then True, and ``check_csv_records`` counts the records of the decoded text.

    Records end at \n, \r\n or a lone \r, so there are at most as many as line ends plus one;
    the count runs on the bytes (UTF-8 and GB18030 never use these bytes inside a character)."""
    lines = content.count(b"\n") + content.count(b"\r") - content.count(b"\r\n") + 1
    if lines <= max_rows():
        return False
    if b'"' not in content:
        raise too_many_rows()
    return True


def check_csv_records(text: str, *, delimiter: str = ",") -> None:
    """Refuse a CSV text of more records than rows allowed (counted with the csv module, as the
    reader will read them, stopping one past the limit)."""
    limit = max_rows()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = sum(1 for _ in islice(reader, limit + 1))
    except csv.Error:
        return  # the reader reports the broken line itself
    if records > limit:
        raise too_many_rows()
