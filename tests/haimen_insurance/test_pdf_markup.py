"""No PDF reads user text as markup.

reportlab's ``Paragraph`` understands tags: an ``<img src=…>`` typed as a decline reason once
put a file of the server into a roster PDF, and a name with ``a<b`` made every PDF of its
village fail. Every PDF is made here with such text in every field a user types — names,
certificate numbers, reasons, employers, village names, the transfer's accounts, the insurer —
and must answer 200, show the literal text (pdftotext), and embed no image.
"""

import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from enrollment.models import Policy, Roster
from enrollment.services.rosters import (
    roster_enrol_all,
)
from tests.enrollment.conftest import build_campaign, build_household
from tests.haimen_insurance.payloads import build_year

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<img src="/etc/hostname"/>',
    "a<b",
    "<font size=40>大</font>",
    "A&B",
    '<img src="s.png" width="9" height="9"/>',
]


def raw_text(content: bytes) -> str:
    """The PDF's text in drawing order, whitespace removed (a wrapped cell stays in one piece)."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True
    )
    return "".join(done.stdout.decode().split())


def images(content: bytes) -> list[str]:
    """The images the PDF embeds, as ``pdfimages -list`` lists them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        done = subprocess.run(["pdfimages", "-list", handle.name], capture_output=True, check=True)
    return done.stdout.decode().splitlines()[2:]


def literal(value: str) -> str:
    return "".join(value.split())


@pytest.fixture
def year(world, request):
    return build_year(world, request.param)


def pdfs(world, year):
    """(who, url) of every PDF of the year."""
    roster, report = year.roster, year.report
    policy = Policy.objects.filter(entry_product__entry__household=year.household).first()
    return [
        ("cadre_a1", reverse("enrollment:roster_pdf", args=[roster.pk])),
        ("township_a", reverse("enrollment:township_report_pdf", args=[report.pk])),
        ("finance_a", reverse("enrollment:transfer_voucher", args=[report.pk])),
        ("cadre_a1", reverse("enrollment:policy_certificate", args=[policy.pk])),
        ("city", reverse("review_pdf")),
    ]


@pytest.mark.parametrize("year", PAYLOADS, indirect=True)
def test_every_pdf_prints_user_text_as_written(world, client, year):
    payload = year.payload
    expected = {
        "enrollment:roster_pdf": [f"子{payload}", f"证{payload}", f"原因{payload}", f"村{payload}"],
        "enrollment:township_report_pdf": [f"村{payload}"],
        "enrollment:transfer_voucher": [f"付{payload}", f"收{payload}", f"行{payload}"],
        "enrollment:policy_certificate": [f"子{payload}", f"父{payload}", f"保{payload}"],
        "review_pdf": [],
    }
    for who, url in pdfs(world, year):
        client.force_login(world.user(who))
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = raw_text(content)
        name = next(key for key in expected if reverse_name(url) == key)
        for value in expected[name]:
            assert literal(value) in text, (url, value)
        assert images(content) == [], url
        assert b"/Subtype /Image" not in content and b"/Subtype/Image" not in content


def reverse_name(url: str) -> str:
    from django.urls import resolve

    return resolve(url).view_name


def test_the_employer_name_is_printed_as_written_in_the_roster(world, client):
    """The employer column of the roster: an employer named with ``a<b`` prints as written."""
    campaign = build_campaign()
    name = "海门市某某纺织有限公司 a<b"
    build_household(world.village_a1, employer_name=name)
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    roster_enrol_all(actor=None, roster=roster)
    client.force_login(world.user("cadre_a1"))
    response = client.get(reverse("enrollment:roster_pdf", args=[roster.pk]))
    assert response.status_code == 200
    assert literal(name) in raw_text(response.content)


def test_only_the_kit_makes_paragraphs():
    """Every PDF puts text on the page through ``haimen_insurance.pdf.text`` (which escapes)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if (
            parts[0] in {".venv", "tests", "scripts"}
            or path.name == "pdf.py"
            and parts[0] == ("haimen_insurance")
        ):
            continue
        source = path.read_text(encoding="utf-8")
        if "Paragraph(" in source or "import Paragraph" in source or "Paragraph," in source:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_amounts_and_dates_are_unaffected(world, client):
    """A plain year still prints its figures (the escaping changes no ordinary text)."""
    from tests.enrollment.conftest import build_reported_report

    campaign = build_campaign()
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    client.force_login(world.user("township_a"))
    response = client.get(reverse("enrollment:township_report_pdf", args=[report.pk]))
    text = raw_text(response.content)
    assert "保费40.00元" in text
    assert Decimal(report.premium) == Decimal("40.00")
    assert date.today().year > 2000
