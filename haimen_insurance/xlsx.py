"""Spreadsheets the system writes: Chinese headers, one frozen header row, widths that fit,
IDs and numbers-as-text as text cells, a totals row where there are amounts. Write-only mode, so a
400,000-row list streams through a temporary file instead of living in memory.

Every workbook goes through ``XlsxWriter``, and every string it writes is a text cell: openpyxl
on its own turns a string that starts with ``=`` into a formula, so a certificate number
``=2+3`` or a reason ``=HYPERLINK(…)`` would compute or link when the sheet is opened. Here it
stays the literal text (``text_cell``)."""

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

TEXT, INTEGER, MONEY, DATE, PERCENT = "text", "integer", "money", "date", "percent"
_FORMATS = {TEXT: "@", INTEGER: "0", MONEY: "#,##0.00", DATE: "yyyy-mm-dd", PERCENT: "0.00%"}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_TOTAL_FONT = Font(bold=True)


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


def text_cell(sheet, value: str, **style) -> WriteOnlyCell:
    """A cell holding ``value`` as text, whatever it starts with (never a formula)."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _literal(sheet, value):
    """``value`` as append() takes it: a string that openpyxl would read as a formula becomes a
    text cell; everything else passes as it is (the fast path of long lists)."""
    if isinstance(value, str) and value.startswith("="):
        return text_cell(sheet, value)
    return value


class XlsxWriter:
    """A write-only workbook with one sheet per ``sheet()`` call."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)
        self._sheet = None
        self._columns: Sequence[Column] = ()
        self.rows_written = 0  # data rows, across sheets (headers and totals not counted)

    def sheet(self, title: str, columns: Sequence[Column], *, caption: str | None = None):
        sheet = self.workbook.create_sheet(title=title[:31])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.fitted_width()
        header_row = 1
        if caption:
            header_row = 2
        sheet.freeze_panes = f"A{header_row + 1}"
        if caption:
            sheet.append([text_cell(sheet, caption, font=Font(bold=True, size=13))])
        sheet.append(
            [
                text_cell(
                    sheet,
                    column.header,
                    font=_HEADER_FONT,
                    fill=_HEADER_FILL,
                    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
                )
                for column in columns
            ]
        )
        self._sheet, self._columns = sheet, columns
        return self

    def _cell(self, column: Column, value, *, font=None, kind=None):
        if kind is not None:
            column = Column(column.header, kind)
        if column.kind == TEXT and value is not None and not isinstance(value, str):
            value = str(value)
        if column.kind == MONEY and value is not None and not isinstance(value, Decimal):
            value = Decimal(value)
        cell = WriteOnlyCell(self._sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.number_format = _FORMATS[column.kind]
        if font is not None:
            cell.font = font
        return cell

    def row(self, values: Sequence, *, kinds: Sequence | None = None):
        """One row; ``kinds`` gives a cell its own kind (a sheet of label and value pairs whose
        values are counts, amounts and rates), None keeps the column's."""
        kinds = kinds or [None] * len(values)
        self._sheet.append(
            [
                self._cell(column, value, kind=kind)
                for column, value, kind in zip(self._columns, values, kinds, strict=True)
            ]
        )
        self.rows_written += 1

    def rows(self, rows: Iterable[Sequence]):
        for values in rows:
            self.row(values)

    def plain_rows(self, rows: Iterable[Sequence]):
        """Fast path for long lists: values appended as they are (strings stay text)."""
        sheet = self._sheet
        append = sheet.append
        for values in rows:
            append([_literal(sheet, value) for value in values])
            self.rows_written += 1

    def totals(self, values: Sequence):
        """A bold totals row; put 合计 in the first column and None where there is no total."""
        self._sheet.append(
            [
                self._cell(column, value, font=_TOTAL_FONT)
                for column, value in zip(self._columns, values, strict=True)
            ]
        )

    def save(self, target):
        self.workbook.save(target)

    def response(self, filename: str) -> FileResponse:
        """Save to a temporary file and stream it to the browser as an attachment."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        self.workbook.save(handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
