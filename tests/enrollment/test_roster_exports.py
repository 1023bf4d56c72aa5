"""The printed roster and township summary: what pdftotext and openpyxl read in them."""

import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import Roster
from enrollment.services.rosters import (
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
)
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def url(name, pk):
    return reverse(f"enrollment:{name}", args=[pk])


@pytest.fixture
def submitted(world, campaign):
    """东兴村: three families enrolled (one paid by an employer), one declined, one over age."""
    cadre = world.user("cadre_a1")
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a1, child_name="王一鸣")
    build_household(world.village_a1, child_name="李佳怡", employer_name="海门纺织厂")
    declined = build_household(world.village_a1, child_name="赵明")
    build_household(world.village_a1, child_name="周大伟", child_birth_date=date(1999, 1, 1))
    entry_decide(
        actor=cadre, roster=roster, household=declined, decision="declined", reason="家庭自愿放弃"
    )
    roster_enrol_all(actor=cadre, roster=roster)
    roster_submit(actor=cadre, roster=roster)
    return roster


def test_roster_pdf_shows_the_names_and_the_totals_of_the_page(world, submitted, client_for):
    client = client_for(world.user("cadre_a1"))
    page = client.get(url("roster_detail", submitted.pk)).content.decode()
    assert '120.00</div><div class="small text-muted">保费（元）' in page
    response = client.get(url("roster_pdf", submitted.pk))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "海门市2013年度独生子女家庭保险参保名册" in text
    assert "东兴村" in text and "海门镇" in text
    for name in ("陈小雨", "王一鸣", "李佳怡", "赵明", "周大伟"):
        assert name in text
    assert "家庭自愿放弃" in text and "海门纺织厂" in text
    assert "参保 3 户" in text and "保单 6 份" in text and "保费合计 120.00 元" in text
    assert "填报人" in text and "审核人" in text and "盖章" in text
    assert "第1页共1页" in text.replace(" ", "")
    household = submitted.entries.get(child_name="陈小雨").household
    assert household.child_id_number in text  # the cadre sees IDs in full


def test_the_leader_gets_the_roster_with_ids_masked(world, submitted, client_for):
    household = submitted.entries.get(child_name="陈小雨").household
    text = pdf_text(client_for(world.user("leader")).get(url("roster_pdf", submitted.pk)).content)
    number = household.child_id_number
    assert f"{number[:6]}********{number[-4:]}" in text
    assert number not in text


def test_roster_xlsx_keeps_ids_as_text_and_totals(world, submitted, client_for):
    response = client_for(world.user("township_a")).get(url("roster_xlsx", submitted.pk))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:3] == ("序号", "证号", "子女姓名")
    assert len(rows) == 2 + 5 + 1  # caption, header, five families, totals
    column = {name: index for index, name in enumerate(header)}
    assert rows[-1][1] == "合计" and float(rows[-1][column["保费（元）"]]) == 120.0
    # One column per resident ID, each a text cell.
    household = submitted.entries.get(child_name="陈小雨").household
    line = next(row for row in rows[2:-1] if row[2] == "陈小雨")
    assert line[column["子女身份证号"]] == household.child_id_number
    assert line[column["父亲身份证号"]] == household.father_id_number
    assert line[column["母亲身份证号"]] == household.mother_id_number
    cells = {cell.column_letter: cell for cell in sheet[3 + rows[2:-1].index(line)]}
    for name in ("子女身份证号", "父亲身份证号", "母亲身份证号"):
        assert cells[chr(ord("A") + column[name])].data_type == "s"
    declined = next(row for row in rows[2:-1] if row[2] == "赵明")
    assert declined[column["子女身份证号"]] in (None, "")


def test_a_draft_roster_prints_marked_as_draft(world, campaign, client_for):
    roster = Roster.objects.get(campaign=campaign, village=world.village_a2)
    build_household(world.village_a2, child_name="孙悦")
    text = pdf_text(client_for(world.user("cadre_a2")).get(url("roster_pdf", roster.pk)).content)
    assert "草稿（未提交）" in text and "孙悦" in text and "未处理" in text


def test_township_summary_pdf_and_xlsx_match_the_report(world, campaign, submitted, client_for):
    officer = world.user("township_a")
    roster_approve(actor=officer, roster=submitted)
    other = Roster.objects.get(campaign=campaign, village=world.village_a2)
    roster_submit(actor=world.user("cadre_a2"), roster=other)
    roster_approve(actor=officer, roster=other)
    report = township_report_draft(actor=officer, campaign=campaign, township=world.town_a)
    client = client_for(officer)
    text = pdf_text(client.get(url("township_report_pdf", report.pk)).content)
    assert "海门市2013年度独生子女家庭保险乡镇汇总表" in text
    assert "东兴村" in text and "新河村" in text and "海门纺织厂" in text
    assert "保费 120.00 元（人民币大写：壹佰贰拾元整）" in text
    response = client.get(url("township_report_xlsx", report.pk))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    total = dict(zip(header, rows[-1], strict=True))
    assert total["村（社区）"] == "合计"
    assert total["参保户数"] == 3 and total["保单数"] == 6
    assert float(total["保费合计（元）"]) == 120.0
    assert float(total["村集体（元）"]) == 80.0 and float(total["海门纺织厂（元）"]) == 40.0


def test_roster_pdf_queries_do_not_grow_and_700_households_print_quickly(
    world, campaign, client_for
):
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    client = client_for(world.user("cadre_a1"))
    build_household(world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    with CaptureQueriesContext(connection) as few:
        client.get(url("roster_pdf", roster.pk))
    for _ in range(30):
        build_household(world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    with CaptureQueriesContext(connection) as many:
        client.get(url("roster_pdf", roster.pk))
    assert len(few) == len(many)
