"""Printed forms at the sizes offices print them: no two pieces of text on top of each other, no
text running across a table's rule into the next column or off the page, and a heading on the
same page as the table it introduces.

The PDFs are read back with pdfplumber: the words it finds (in drawing order, so two strings
drawn over each other stay two words) and the vertical rules of the tables.
"""

import dataclasses
from io import BytesIO

import pdfplumber
import pytest

from enrollment.models import Policy
from enrollment.pdf import (
    household_certificate_pdf,
    roster_pdf,
    township_report_pdf,
    transfer_voucher_pdf,
)
from enrollment.selectors.policies import household_policies
from enrollment.selectors.reports import report_breakdown
from enrollment.selectors.roster_exports import roster_lines, roster_returns
from enrollment.selectors.rosters import village_figures
from oversight.pdf import year_review_pdf
from oversight.review import year_review
from tests.haimen_insurance.payloads import (
    DECLINE_REASON,
    EMPLOYERS,
    LONG_TOWNSHIPS,
    RETURN_REASON,
    build_busy_year,
)

pytestmark = pytest.mark.django_db

SLACK = 1.0  # points of overlap forgiven: glyph boxes of touching words meet


def pages(content: bytes) -> list[dict]:
    """Per page: its size, its words (x0, top, x1, bottom, text) and vertical rules."""
    result = []
    with pdfplumber.open(BytesIO(content)) as pdf:
        for page in pdf.pages:
            words = page.extract_words(use_text_flow=True, x_tolerance=1.5, y_tolerance=2)
            rules = [
                (edge["x0"], edge["top"], edge["bottom"])
                for edge in page.edges
                if edge["orientation"] == "v" and edge["bottom"] - edge["top"] > 4
            ]
            result.append(
                {
                    "width": page.width,
                    "height": page.height,
                    "words": [(w["x0"], w["top"], w["x1"], w["bottom"], w["text"]) for w in words],
                    "rules": rules,
                }
            )
    return result


def _meet(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > SLACK and min(a[3], b[3]) - max(a[1], b[1]) > SLACK


def layout_faults(content: bytes) -> list[str]:
    faults = []
    for number, page in enumerate(pages(content), start=1):
        words = sorted(page["words"], key=lambda word: word[1])
        for index, word in enumerate(words):
            if word[0] < -SLACK or word[2] > page["width"] + SLACK:
                faults.append(f"p{number} off the page: {word[4]}")
            for other in words[index + 1 :]:
                if other[1] >= word[3]:
                    break
                if _meet(word, other):
                    faults.append(f"p{number} overlap: {word[4]} / {other[4]}")
            for x, top, bottom in page["rules"]:
                crosses = word[0] < x - SLACK and word[2] > x + SLACK
                if crosses and min(bottom, word[3]) - max(top, word[1]) > SLACK:
                    faults.append(f"p{number} across a rule at x={x:.0f}: {word[4]}")
    return faults


def page_texts(content: bytes) -> list[str]:
    """Each page's text, spaces removed."""
    with pdfplumber.open(BytesIO(content)) as pdf:
        return ["".join((page.extract_text() or "").split()) for page in pdf.pages]


def page_of(content, value: str) -> int:
    """The first page (of a PDF, or of its ``page_texts``) whose text holds ``value``."""
    texts = page_texts(content) if isinstance(content, bytes) else content
    for number, page in enumerate(texts, start=1):
        if value in page:
            return number
    raise AssertionError(f"{value} not printed")


def flat(content: bytes) -> str:
    """The words in drawing order, so the lines of a wrapped cell follow each other."""
    with pdfplumber.open(BytesIO(content)) as pdf:
        return "".join(
            word["text"]
            for page in pdf.pages
            for word in page.extract_words(use_text_flow=True, x_tolerance=1.5)
        )


@pytest.fixture
def busy(world):
    return build_busy_year(world)


def the_pdfs(world, busy) -> dict[str, bytes]:
    city = world.user("city")
    roster, returned, report = busy.roster, busy.returned, busy.report
    breakdown = report_breakdown(report=report, user=city)
    policy = Policy.objects.filter(
        village=world.village_a1, entry_product__entry__payer=EMPLOYERS[0]
    ).first()
    policies = household_policies(policy, city)
    return {
        "roster": roster_pdf(
            roster,
            roster_lines(roster, full_ids=True),
            village_figures(roster),
            roster_returns(roster, full_ids=True),
        ),
        "returned roster": roster_pdf(
            returned,
            roster_lines(returned, full_ids=True),
            village_figures(returned),
            roster_returns(returned, full_ids=True),
        ),
        "township summary": township_report_pdf(report, breakdown),
        "transfer voucher": transfer_voucher_pdf(
            transfer=report.transfers.get(), breakdown=breakdown
        ),
        "certificate": household_certificate_pdf(policies=list(policies), full_ids=True),
        "review": year_review_pdf(year_review(campaign=busy.campaign, user=city)),
    }


def test_no_text_of_any_pdf_overprints_or_leaves_its_column(world, busy):
    faults = {name: layout_faults(content) for name, content in the_pdfs(world, busy).items()}
    assert {name: found for name, found in faults.items() if found} == {}


def test_long_text_is_printed_in_full(world, busy):
    printed = the_pdfs(world, busy)
    roster = flat(printed["roster"])
    for value in [*EMPLOYERS, DECLINE_REASON]:
        assert value in roster
    summary = flat(printed["township summary"])
    assert all(f"{employer}（元）" in summary for employer in EMPLOYERS)
    review = flat(printed["review"])
    assert all(name in review for name in LONG_TOWNSHIPS)
    assert "理赔服务标准达标率" in review and "名册审核通过率" in review


def test_headings_stay_with_their_tables(world, busy):
    printed = the_pdfs(world, busy)
    voucher = printed["transfer voucher"]
    assert page_of(voucher, "保费构成（按资金来源）") == page_of(voucher, "资金来源参保户数")
    assert page_of(voucher, "保费构成（按险种）") == page_of(voucher, "险种保费（元）")
    certificate = printed["certificate"]
    assert page_of(certificate, "出险后如何报案") == page_of(certificate, "1.出险后")


HEADINGS = [
    ("各乡镇（园区）数据", "名次乡镇（园区）符合条件"),
    ("各乡镇（园区）考核得分", "总分"),
    ("理赔汇总", "意外身故"),
]


def test_the_review_keeps_each_heading_with_its_table_however_many_townships(world, busy):
    """However long the township tables grow, no heading is left at the foot of a page: the
    township rows are repeated to make a city of 1 to 30 townships."""
    review = year_review(campaign=busy.campaign, user=world.user("city"))
    rows = review.assessment.rows
    apart = []
    for count in range(1, 31):
        sized = dataclasses.replace(
            review,
            assessment=dataclasses.replace(
                review.assessment, rows=[rows[i % len(rows)] for i in range(count)]
            ),
        )
        texts = page_texts(year_review_pdf(sized))
        apart += [
            (count, heading)
            for heading, first_row in HEADINGS
            if page_of(texts, heading) != page_of(texts, first_row)
        ]
    assert apart == []


def test_a_returned_roster_prints_its_reason_and_who_returned_it(world, busy):
    """新河村 was returned once and has been approved since: its roster still says why, by
    whom and when, for the village's file."""
    text = flat(printed := the_pdfs(world, busy)["returned roster"])
    assert "退回原因" in text
    assert "".join(RETURN_REASON.split()) in text
    assert world.user("township_a").full_name in text
    assert page_of(printed, "退回原因") == 1
    assert "退回原因" not in flat(the_pdfs(world, busy)["roster"])
