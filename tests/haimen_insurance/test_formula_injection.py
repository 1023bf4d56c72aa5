"""No workbook the system writes turns user text into a formula.

A certificate number ``=2+3``, a reason ``=HYPERLINK(…)`` or a name starting with ``+``, ``-``,
``@``, a tab or a carriage return must reach the spreadsheet as the literal text in a text cell.
Every export is downloaded here with such text in every field a user types, opened with
openpyxl, and searched: no cell anywhere is a formula, and each payload is a string cell
holding exactly what was typed.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from claims.models import Claim
from claims.services import claim_report
from enrollment.models import InsuredPerson
from tests.haimen_insurance.payloads import build_year

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "=2+3",
    '=HYPERLINK("http://example.org/x","点此")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def exports(world, year):
    """(who, url) of every workbook of the year."""
    report = year.report
    return [
        ("cadre_a1", reverse("enrollment:roster_xlsx", args=[year.roster.pk])),
        ("township_a", reverse("enrollment:township_report_xlsx", args=[report.pk])),
        ("finance_a", reverse("enrollment:employer_dues", args=[report.pk])),
        ("insurer_a", reverse("enrollment:policy_list_xlsx", args=[report.pk])),
        ("township_a", reverse("enrollment:verification_export")),
        ("township_a", reverse("enrollment:register_template")),
        ("insurer_a", reverse("claims:claim_export")),
        ("city", reverse("claims:claim_export")),
        ("city", reverse("audit_export")),
        ("city", reverse("review_xlsx")),
    ]


def cells(content: bytes):
    workbook = load_workbook(BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.fixture
def year(world, request):
    year = build_year(world, request.param, tagged=False)
    child = InsuredPerson.objects.filter(name=request.param).order_by("pk").first()
    claim_report(
        actor=None,
        person=child,
        benefit=Claim.Benefit.MEDICAL,
        incident_date=date(2013, 3, 5),
        incident_place=request.param,
        description=request.param,
        amount_claimed=Decimal("100.00"),
        expenses=Decimal("100.00"),
        paid_elsewhere=Decimal("0.00"),
    )
    return year


@pytest.mark.parametrize("year", PAYLOADS, indirect=True)
def test_every_workbook_keeps_user_text_as_text(world, client, year):
    payload = year.payload
    found = set()
    for who, url in exports(world, year):
        client.force_login(world.user(who))
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content)
        for cell in cells(content):
            assert cell.data_type != "f", (url, cell.coordinate, cell.value)
            if isinstance(cell.value, str) and payload.strip() in cell.value:
                assert cell.data_type == "s", (url, cell.coordinate)
                found.add(url)
                # The text as typed (XML keeps a carriage return as a line feed; the roster's
                # snapshot trims the employer's name).
                assert payload.replace("\r", "\n").strip() in cell.value, (url, cell.coordinate)
    # Every export that shows a field people type carries the payload, as text.
    assert found >= {
        reverse("enrollment:roster_xlsx", args=[year.roster.pk]),
        reverse("enrollment:township_report_xlsx", args=[year.report.pk]),
        reverse("enrollment:employer_dues", args=[year.report.pk]),
        reverse("enrollment:policy_list_xlsx", args=[year.report.pk]),
        reverse("enrollment:verification_export"),
        reverse("enrollment:register_template"),
        reverse("claims:claim_export"),
        reverse("audit_export"),
    }


def test_a_certificate_number_that_looks_like_a_formula_stays_the_number(world, client):
    year = build_year(world, "=2+3", tagged=False)
    client.force_login(world.user("cadre_a1"))
    response = client.get(reverse("enrollment:roster_xlsx", args=[year.roster.pk]))
    values = [cell for cell in cells(b"".join(response.streaming_content)) if cell.value]
    numbers = [cell for cell in values if cell.value == "=2+3"]
    assert numbers and all(cell.data_type == "s" for cell in numbers)
    assert not any(cell.value == 5 for cell in values)
