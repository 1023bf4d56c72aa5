"""Writing the workbook formats a township office uploads besides .xlsx, for the tests.

- ``.xls`` (Excel 97–2003) with xlwt (a test dependency): text as text cells, numbers as numbers,
  dates as date cells (a number with a date format, as Excel stores them);
- ``.ods`` (OpenDocument, LibreOffice and WPS) written by hand with zipfile, the way LibreOffice
  lays one out: the ``mimetype`` member first and stored, then content.xml with one
  ``table:table-row`` per row, each cell typed (``office:value-type`` string, float, date or
  boolean), and the manifest. ``tail`` is appended to the table as it is (repeated rows, the
  way a hostile or a LibreOffice file ends).
"""

import io
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{flag.upper()}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime | date):
        shown = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{shown}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell office:value-type="string">{lines}</table:table-cell>'


def ods_bytes(rows, *, tail: str = "", sheet: str = "登记") -> bytes:
    body = "".join(
        "<table:table-row>" + "".join(ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_NAMESPACES} office:version="1.2"><office:body>'
        f"<office:spreadsheet><table:table table:name={quoteattr(sheet)}>"
        f"{body}{tail}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def xls_bytes(rows, *, sheet: str = "登记") -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(sheet)
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for line, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime | date):
                worksheet.write(line, column, value, dates)
            else:
                worksheet.write(line, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(rows: list[dict], headers) -> list[list]:
    """The header row, then each row's values in the headers' order."""
    return [list(headers), *([row.get(header) for header in headers] for row in rows)]


def write_ods(path, rows: list[dict], headers):
    path.write_bytes(ods_bytes(table(rows, headers)))
    return path


def write_xls(path, rows: list[dict], headers):
    path.write_bytes(xls_bytes(table(rows, headers)))
    return path
