"""Spreadsheets the system writes: Chinese headers, one frozen header row, widths that fit,
IDs and numbers-as-text as text cells, a totals row where there are amounts.

Every workbook goes through ``XlsxWriter``, written with the XlsxWriter package in
constant-memory mode: each row goes to a temporary file as soon as the next one starts, so a
400,000-row list never lives in memory (rows are written in order, one sheet after the other;
strings are stored inline, not in a shared table). openpyxl stays for reading uploads.

Every string is a text cell: the workbook is opened with ``strings_to_formulas``,
``strings_to_numbers`` and ``strings_to_urls`` off, and every ``str`` goes through
``write_string`` explicitly, so a certificate number ``=2+3`` or a reason ``=HYPERLINK(…)``
stays the literal text and never computes or links when the sheet is opened (``text_cell``)."""

import datetime
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_col_to_name

TEXT, INTEGER, MONEY, DATE, PERCENT = "text", "integer", "money", "date", "percent"
_FORMATS = {TEXT: "@", INTEGER: "0", MONEY: "#,##0.00", DATE: "yyyy-mm-dd", PERCENT: "0.00%"}
_HEADER = {
    "bold": True,
    "bg_color": "#DDE4EE",
    "pattern": 1,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
    "num_format": "@",
}
_CAPTION = {"bold": True, "font_size": 13, "num_format": "@"}
_OPTIONS = {
    "constant_memory": True,
    # No string is ever read as a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float | None = None

    def fitted_width(self) -> float:
        if self.width:
            return self.width
        # A CJK character is about two Latin ones wide.
        header = sum(2 if ord(ch) > 0x2E80 else 1 for ch in self.header)
        typical = {TEXT: 12, INTEGER: 8, MONEY: 12, DATE: 11, PERCENT: 9}[self.kind]
        return max(header, typical) + 2


def text_cell(sheet, row: int, column: int, value: str, cell_format=None) -> None:
    """Write ``value`` at (row, column) of an XlsxWriter worksheet as text, whatever it starts
    with (never a formula, a number or a link)."""
    sheet.write_string(row, column, str(value), cell_format)


# What XlsxWriter escapes or marks in a text: XML's specials, control characters, the _xHHHH_
# that stands for one, and a space at either end (checked on a row's texts joined by "|").
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|(?:^|\|)\s|\s(?:\||$)")


# How a value of these exact classes is written by the quick path: as text, or as a number.
_KINDS = {str: "text", int: "number", float: "number", Decimal: "number", type(None): None}


def _row_template(kinds: tuple, letters, styles) -> str:
    """The XML of a row whose cells are of ``kinds`` (None: no cell), as XlsxWriter writes it,
    with ``{0}`` for the row's number and ``{1}``, ``{2}``, ... for its values in turn."""
    cells, value = [], 0
    for index, kind in enumerate(kinds):
        if kind is None:
            continue
        value += 1
        where = f'<c r="{letters[index]}{{0}}"{styles[index]}'
        if kind == "text":
            cells.append(f'{where} t="inlineStr"><is><t>{{{value}}}</t></is></c>')
        else:
            cells.append(f"{where}><v>{{{value}:.16G}}</v></c>")
    return f'<row r="{{0}}">{"".join(cells)}</row>' if cells else ""


def _plain_row_xml(values, number: int, letters, styles, templates: dict) -> str | None:
    """The <row> of a row of texts, None and finite numbers, as XlsxWriter writes it in
    constant-memory mode (inline strings); None when a value needs XlsxWriter's own care. The
    row's XML is made from a template per arrangement of its cells (``templates`` keeps them):
    one ``str.format`` per row."""
    texts = [value for value in values if value.__class__ is str]
    joined = "|".join(texts)
    if "" in texts or len(joined) > 16383 or _NEEDS_CARE.search(joined):
        return None
    kinds = tuple([_KINDS.get(value.__class__, False) for value in values])
    template = templates.get(kinds)
    if template is None:
        if False in kinds:  # a value of another kind
            return None
        template = templates[kinds] = _row_template(kinds, letters, styles)
    xml = template.format(
        number,
        *[
            value if value.__class__ is str else float(value)
            for value in values
            if value is not None
        ],
    )
    # A number that is not finite reads INF or NAN (a text here never has a "<").
    if "INF</v>" in xml or "NAN</v>" in xml:
        return None
    return xml


class XlsxWriter:
    """A constant-memory workbook with one sheet per ``sheet()`` call, written in row order."""

    def __init__(self):
        # The target is named at save(); until then the sheets' rows wait in temporary files.
        self.workbook = xlsxwriter.Workbook(None, _OPTIONS)
        self._sheet = None
        self._columns: Sequence[Column] = ()
        self._plain: list = []  # per column: the cell format of the column's kind
        self._bold: list = []
        self._row = 0  # the next row of the current sheet (zero-based)
        self._format_cache: dict = {}
        self.rows_written = 0  # data rows, across sheets (headers and totals not counted)

    def _format(self, kind: str | None, *, bold: bool = False, **extra):
        key = (kind, bold, tuple(sorted(extra.items())))
        found = self._format_cache.get(key)
        if found is None:
            properties = dict(extra)
            if kind is not None:
                properties["num_format"] = _FORMATS[kind]
            if bold:
                properties["bold"] = True
            found = self._format_cache[key] = self.workbook.add_format(properties)
        return found

    def sheet(self, title: str, columns: Sequence[Column], *, caption: str | None = None):
        sheet = self.workbook.add_worksheet(title[:31])
        self._plain = [self._format(column.kind) for column in columns]
        self._bold = [self._format(column.kind, bold=True) for column in columns]
        # The column's format reaches every row, so what is typed in later keeps the kind
        # (an ID typed into a text column stays text).
        for index, (column, cell_format) in enumerate(zip(columns, self._plain, strict=True)):
            sheet.set_column(index, index, column.fitted_width(), cell_format)
        row = 0
        if caption:
            text_cell(sheet, 0, 0, caption, self._format(None, **_CAPTION))
            row = 1
        header = self._format(None, **_HEADER)
        for index, column in enumerate(columns):
            text_cell(sheet, row, index, column.header, header)
        sheet.freeze_panes(row + 1, 0)
        self._sheet, self._columns, self._row = sheet, columns, row + 1
        return self

    def _write(self, column_index: int, column: Column, value, cell_format, kind=None) -> None:
        sheet, row = self._sheet, self._row
        kind = kind or column.kind
        if value is None:
            sheet.write_blank(row, column_index, None, cell_format)
        elif isinstance(value, str):
            sheet.write_string(row, column_index, value, cell_format)
        elif kind == TEXT:
            sheet.write_string(row, column_index, str(value), cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column_index, value, cell_format)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column_index, value, cell_format)
        else:
            sheet.write_number(row, column_index, float(Decimal(value)), cell_format)

    def row(self, values: Sequence, *, kinds: Sequence | None = None):
        """One row; ``kinds`` gives a cell its own kind (a sheet of label and value pairs whose
        values are counts, amounts and rates), None keeps the column's."""
        kinds = kinds or [None] * len(values)
        for index, (column, value, kind) in enumerate(
            zip(self._columns, values, kinds, strict=True)
        ):
            cell_format = self._format(kind) if kind is not None else self._plain[index]
            self._write(index, column, value, cell_format, kind)
        self._row += 1
        self.rows_written += 1

    def rows(self, rows: Iterable[Sequence]):
        for values in rows:
            self.row(values)

    def plain_rows(self, rows: Iterable[Sequence]):
        """Fast path for long lists: each value as it is, in its column's format; a string is
        always a text cell, None an empty cell, a number a number.

        XlsxWriter spends a dozen calls on each cell (400,000 rows of 15 cells: most of a
        policy list's time); the usual row, whose texts need no escaping (no ``&``, ``<``,
        ``>``, control character, ``_xHHHH_`` or space at either end, nothing empty or over
        16,383 characters) and whose numbers are finite, is written here as the XML XlsxWriter
        would write for it, straight into the sheet's row file, a few thousand rows at a time.
        Any other row goes through XlsxWriter itself, so each special case stays its own."""
        sheet, formats = self._sheet, self._plain
        styles = [f' s="{cell_format._get_xf_index()}"' for cell_format in formats]
        letters = [xl_col_to_name(index) for index in range(len(formats))]
        plain, templates = _plain_row_xml, {}
        row = self._row
        sheet._write_single_row(row)  # the header, held by XlsxWriter until the next row comes
        pending, first = False, row  # a row XlsxWriter holds; the first row written here
        xml: list[str] = []
        for values in rows:
            if row >= sheet.xls_rowmax:
                raise ValueError(f"more than {sheet.xls_rowmax:,} rows do not fit in a sheet")
            cells = plain(values, row + 1, letters, styles, templates)
            if cells is not None:
                if pending:
                    sheet._write_single_row(row)
                    pending = False
                xml.append(cells)
                if len(xml) >= 2000:
                    sheet.fh.write("".join(xml))
                    xml.clear()
            else:
                sheet.fh.write("".join(xml))
                xml.clear()
                self._row = row
                self._plain_row(values)
                pending = True
            row += 1
            self.rows_written += 1
        sheet.fh.write("".join(xml))
        if row > first:
            sheet._check_dimensions(row - 1, len(formats) - 1)
        self._row = row

    def _plain_row(self, values: Sequence) -> None:
        """One row of ``plain_rows`` through XlsxWriter."""
        sheet, formats, row = self._sheet, self._plain, self._row
        for index, value in enumerate(values):
            if value is None:
                continue
            if value.__class__ is str:
                sheet.write_string(row, index, value, formats[index])
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(row, index, float(value), formats[index])
            else:
                self._write(index, self._columns[index], value, formats[index])

    def totals(self, values: Sequence):
        """A bold totals row; put 合计 in the first column and None where there is no total."""
        for index, (column, value) in enumerate(zip(self._columns, values, strict=True)):
            self._write(index, column, value, self._bold[index])
        self._row += 1

    def save(self, target):
        """Write the workbook to ``target``, a path or a binary file; once only."""
        self.workbook.filename = target
        try:
            self.workbook.close()
        except FileCreateError as error:
            # The OSError behind it, as a caller of save() expects.
            raise error.args[0] from None

    def response(self, filename: str) -> FileResponse:
        """Save to a temporary file and stream it to the browser as an attachment."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        self.save(handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
