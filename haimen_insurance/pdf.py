"""The kit every printable form is built with: reportlab with the built-in CID font STSong-Light
(no font is downloaded), A4 pages numbered 第 x 页 共 y 页, tables that repeat their header,
signature lines and a stamp box.

Text reaches the page only through ``text()`` (a wrapping paragraph) or as a plain table cell,
and ``text()`` escapes it first: reportlab's ``Paragraph`` reads its string as markup
(``<img src=…>``, ``<font>``, ``&``), and names, reasons and employers are typed by users, so
no form may hand user text to ``Paragraph`` itself. A test reads the code and fails on any
other use of ``Paragraph``.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.http import HttpResponse
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9.5, leading=13)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
FORM = ParagraphStyle("form", fontName=FONT, fontSize=10, leading=14)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=11, leading=16, spaceBefore=4)
ITEM = ParagraphStyle("item", parent=FORM, leftIndent=12, firstLineIndent=-12)

PORTRAIT = A4
LANDSCAPE = landscape(A4)
LANDSCAPE_WIDTH = LANDSCAPE[0] - 24 * mm  # the page less build()'s margins
PORTRAIT_WIDTH = A4[0] - 24 * mm
HEADER_BACKGROUND = colors.HexColor("#DDE4EE")
TOTAL_BACKGROUND = colors.HexColor("#F2F2F2")


def text(value, style=TEXT) -> Paragraph:
    """A wrapping paragraph of ``value`` exactly as written: markup characters are escaped and
    each line of the text starts a new line."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), style)


def wrapped(value: str, width: int, style=CELL):
    """A table cell: the text as it is when short (a plain cell, never markup), a wrapping
    paragraph when longer than ``width`` characters."""
    return text(value, style) if len(value) > width else value


class NumberedCanvas(Canvas):
    """Writes 第 x 页 共 y 页 at the foot of every page once the page count is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.drawCentredString(self._pagesize[0] / 2, 8 * mm, f"第 {number} 页 共 {total} 页")
            super().showPage()
        super().save()


_PADDING = 12  # a table cell's left and right padding together, in points
_CELL_STYLES = {8: CELL}


def _cell_style(font_size) -> ParagraphStyle:
    if font_size not in _CELL_STYLES:
        _CELL_STYLES[font_size] = ParagraphStyle(
            f"cell{font_size}", parent=CELL, fontSize=font_size, leading=font_size * 1.25
        )
    return _CELL_STYLES[font_size]


def _fitted(value, width, style):
    """``value`` as it is when it fits ``width`` (a plain cell: cheap), else a paragraph that
    wraps inside its column instead of running into the next one."""
    if not isinstance(value, str) or width is None:
        return value
    room = width - _PADDING
    if any(pdfmetrics.stringWidth(line, FONT, style.fontSize) > room for line in value.split("\n")):
        return text(value, style)
    return value


def table(data, widths, *, header_rows=1, total_row=False, font_size=8):
    """A gridded table whose header rows repeat on every page. A string cell wider than its
    column wraps inside it (headers too)."""
    style = _cell_style(font_size)
    data = [
        [_fitted(value, width, style) for value, width in zip(row, widths, strict=True)]
        for row in data
    ]
    result = Table(data, colWidths=widths, repeatRows=header_rows)
    style_commands = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total_row:
        style_commands.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_BACKGROUND))
    result.setStyle(TableStyle(style_commands))
    return result


def headed(heading, *flowables, room=35 * mm):
    """A heading with what follows it (a table, paragraphs): all on one page when they fit on
    one, and never a heading alone at the foot of a page — with less than ``room`` left below
    it, the heading starts the next page."""
    return [CondPageBreak(room), KeepTogether([heading, *flowables])]


def signatures(*labels, width=LANDSCAPE_WIDTH, stamp_label="（盖章）"):
    """Signature lines and a stamp box, as on the paper form, across ``width``."""
    line = "：________________　　".join(labels) + "：________________"
    stamp = Table([[text(stamp_label)]], colWidths=[45 * mm], rowHeights=[30 * mm])
    stamp.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return [
        Spacer(1, 6 * mm),
        Table([[text(line), stamp]], colWidths=[width - 55 * mm, 55 * mm]),
    ]


def build(story, title: str, *, pagesize=LANDSCAPE, author: str = "") -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=author,
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """The PDF shown in the browser (to print), named ``filename`` (already URL-quoted)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response
