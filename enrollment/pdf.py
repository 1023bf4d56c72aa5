"""Printable forms: the village roster (名册) and the township summary (汇总表).

reportlab with the built-in CID font STSong-Light, so no font is downloaded; A4 landscape; each
page numbered 第 x 页 共 y 页; signature lines and a stamp box where the paper form has them.
"""

from io import BytesIO

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from haimen_insurance.money import format_yuan, to_capital_yuan

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
_TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9.5, leading=13)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)


ROWS_PER_TABLE = 20


def _wrapped(text: str, width: int):
    """A cell: the text as it is when short, a wrapping Paragraph when longer than ``width``."""
    return Paragraph(text, _CELL) if len(text) > width else text


class _NumberedCanvas(Canvas):
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


def _table(data, widths, *, header_rows=1, total_row=False):
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#DDE4EE")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
    table.setStyle(TableStyle(style))
    return table


def _signatures(*labels):
    """Signature lines and a stamp box, as on the paper form."""
    line = "：________________　　".join(labels) + "：________________"
    stamp = Table([[Paragraph("（盖章）", _TEXT)]], colWidths=[45 * mm], rowHeights=[30 * mm])
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
        Table([[Paragraph(line, _TEXT), stamp]], colWidths=[200 * mm, 55 * mm]),
    ]


def _build(story, title: str) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="海门市人口和计划生育委员会",
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def roster_pdf(roster, lines, figures) -> bytes:
    """The village roster: every household with its insured persons, products and premium."""
    campaign = roster.campaign
    village = roster.village
    title = f"海门市{campaign.year}年度独生子女家庭保险参保名册"
    draft = "　草稿（未提交）" if roster.submitted_at is None else ""
    story = [
        Paragraph(title, _TITLE),
        Spacer(1, 3 * mm),
        Paragraph(
            f"乡镇（园区）：{village.parent.name}　村（社区）：{village.name}　"
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}　"
            f"名册状态：{roster.get_status_display()}{draft}",
            _TEXT,
        ),
        Spacer(1, 3 * mm),
    ]
    header = ["序号", "证号", "子女姓名", "被保险人（身份证号）", "险种及份数", "保费（元）"]
    header += ["参保情况", "奖励金发放单位"]
    rows = []
    for number, line in enumerate(lines, start=1):
        decision = f"{line.decision}：{line.reason}" if line.reason else line.decision
        # Plain strings (one line per person) cost a tenth of a Paragraph; wrap only long text.
        rows.append(
            [
                str(number),
                line.certificate_no,
                line.child_name,
                "\n".join(line.persons) or "—",
                "\n".join(line.products) or "—",
                format_yuan(line.premium) if line.products else "—",
                _wrapped(decision, 16),
                _wrapped(line.payer, 14),
            ]
        )
    widths = [width * mm for width in (12, 30, 22, 78, 30, 22, 40, 35)]
    # Tables of about a page each: reportlab splits one long table at great cost.
    for first in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        story.append(_table([header, *rows[first : first + ROWS_PER_TABLE]], widths))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            f"合计：符合条件 {figures.eligible} 户，参保 {figures.enrolled} 户，"
            f"自愿放弃 {figures.declined} 户，不符合条件 {figures.not_eligible} 户，"
            f"未处理 {figures.undecided} 户；保单 {figures.policies} 份，"
            f"被保险人 {figures.persons} 人，保费合计 {format_yuan(figures.premium)} 元。",
            _TEXT,
        ),
        *_signatures("填报人", "审核人", "日期"),
        Paragraph(f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}", _CELL),
    ]
    return _build(story, title)


def township_report_pdf(report, breakdown) -> bytes:
    """The township summary: per village, households, policies, persons and premium by product
    and by funding source (``selectors.reports.report_breakdown``), with totals."""
    campaign = report.campaign
    title = f"海门市{campaign.year}年度独生子女家庭保险乡镇汇总表"
    header = ["村（社区）", "参保户数", "保单数", "被保险人数"]
    header += [f"{product.short_name}（元）" for product in breakdown.products]
    header += [f"{payer}（元）" for payer in breakdown.payers] + ["保费合计（元）"]

    def amounts(row):
        return [
            str(row.amounts.households),
            str(row.amounts.policies),
            str(row.amounts.persons),
            *(format_yuan(amount) for amount in row.product_premiums),
            *(format_yuan(amount) for amount in row.payer_premiums),
            format_yuan(row.amounts.premium),
        ]

    data = [header]
    data += [[Paragraph(row.village.name, _CELL), *amounts(row)] for row in breakdown.rows]
    data.append(["合计", *amounts(breakdown.total)])
    first = 38 * mm
    rest = (253 * mm - first) / (len(header) - 1)
    story = [
        Paragraph(title, _TITLE),
        Spacer(1, 3 * mm),
        Paragraph(
            f"乡镇（园区）：{report.township.name}　状态：{report.get_status_display()}　"
            f"保险期间：{campaign.coverage_start:%Y-%m-%d} 至 {campaign.coverage_end:%Y-%m-%d}",
            _TEXT,
        ),
        Spacer(1, 3 * mm),
        _table(data, [first] + [rest] * (len(header) - 1), total_row=True),
        Spacer(1, 4 * mm),
        Paragraph(
            f"合计：参保 {report.households} 户，保单 {report.policies} 份，被保险人 "
            f"{report.persons} 人，保费 {format_yuan(report.premium)} 元"
            f"（人民币大写：{to_capital_yuan(report.premium)}）。",
            _TEXT,
        ),
        *_signatures("填报人", "审核人", "乡镇（园区）计生办负责人", "日期"),
    ]
    return _build(story, title)
