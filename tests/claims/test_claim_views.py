"""Claim pages as their users see them: finding the insured person, reporting (with the late
warning), the checklist and its uploads, the decision card with the cap, the refusal over the
cap, the register with days to settle and the service standard, its export, the queue order,
and the family's claim history on the household page."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from claims.models import Claim
from claims.services import claim_approve, claim_pay, claim_reject
from tests.claims.conftest import claim_with_insurer, person, report_claim

pytestmark = pytest.mark.django_db

Y = Decimal


def test_the_person_search_finds_insured_people_in_scope(world, issued, client_for):
    cadre = client_for(world.user("cadre_a1"))
    url = reverse("claims:person_search")
    response = cadre.get(url, {"q": "林小雨"})
    assert "林小雨（子女）" in response.text
    assert "保单号 INA2013100000001" in response.text
    # 新河村's child is not the 东兴村 cadre's to report.
    assert "没有找到“孙浩然”" in cadre.get(url, {"q": "孙浩然"}).text


def test_reporting_shows_the_case_number_and_the_late_warning(world, issued, client_for):
    cadre = client_for(world.user("cadre_a1"))
    url = reverse("claims:claim_create", args=[person("林小雨").pk])
    form = cadre.get(url)
    assert "保险期间 2013-01-01 至 2013-12-31" in form.text
    response = cadre.post(
        url,
        {
            "benefit": "medical",
            "incident_date": "2013-05-04",
            "incident_place": "东兴村小学",
            "description": "体育课摔伤左腿。",
            "amount_claimed": "1,200.00",
            "expenses": "1200",
            "paid_elsewhere": "0",
        },
        follow=True,
    )
    claim = Claim.objects.get()
    assert f"已报案，案件号 {claim.number}。" in response.text
    assert "本次报案距出险已超过 48 小时，已受理" in response.text
    assert claim.amount_claimed == Y("1200.00") and claim.reported_by == world.user("cadre_a1")


def test_a_report_outside_the_cover_keeps_what_was_typed(world, issued, client_for):
    cadre = client_for(world.user("cadre_a1"))
    response = cadre.post(
        reverse("claims:claim_create", args=[person("林小雨").pk]),
        {
            "benefit": "medical",
            "incident_date": "2014-02-01",
            "incident_place": "东兴村小学",
            "description": "体育课摔伤左腿。",
            "amount_claimed": "300",
            "expenses": "300",
        },
    )
    assert "没有报案。" in response.text
    assert "出险日期 2014-02-01 不在保险期间内（2013-01-01 至 2013-12-31）。" in response.text
    assert "体育课摔伤左腿。" in response.text
    assert not Claim.objects.exists()


def test_the_checklist_takes_dates_and_checked_scans(world, issued, client_for):
    claim = report_claim("林小雨", actor=world.user("cadre_a1"))
    cadre = client_for(world.user("cadre_a1"))
    url = reverse("claims:document_tick", args=[claim.pk])
    fake = SimpleUploadedFile("发票.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = cadre.post(
        url, {"item": "invoices", "received_on": "2013-05-06", "file": fake}, follow=True
    )
    assert "文件内容与扩展名不符" in response.text
    assert not claim.documents.exists()
    scan = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    response = cadre.post(
        url, {"item": "invoices", "received_on": "2013-05-06", "file": scan}, follow=True
    )
    assert "已登记收到的材料。" in response.text
    assert "2013-05-06 收到" in response.text and "扫描件</a>" in response.text
    assert "材料：医疗费用发票" in response.text  # the timeline, in Chinese
    document = claim.documents.get()
    file = cadre.get(reverse("claims:document_file", args=[claim.pk, document.pk]))
    assert b"".join(file.streaming_content) == b"%PDF-1.4 invoice"
    response = cadre.post(reverse("claims:documents_complete", args=[claim.pk]), follow=True)
    assert "材料还不齐全，缺：病历、费用清单、被保险人（受益人）身份证及银行卡。" in response.text


def test_the_decision_card_shows_the_cap_and_refuses_an_amount_over_it(world, issued, client_for):
    first = claim_with_insurer("林小雨")
    claim_approve(actor=None, claim=first, amount=Y("1500.00"))
    claim = claim_with_insurer("林小雨", amount_claimed=Y("900.00"), expenses=Y("900.00"))
    insurer = client_for(world.user("insurer_a"))
    page = insurer.get(claim.get_absolute_url()).text
    assert '剩余 <span id="cap-remaining">500.00</span> 元' in page
    assert '建议赔付 <strong id="suggested">500.00</strong> 元' in page
    response = insurer.post(
        reverse("claims:claim_approve", args=[claim.pk]), {"amount": "600"}, follow=True
    )
    assert "核定金额 600.00 元超过意外医疗保额剩余额度 500.00 元" in response.text
    response = insurer.post(
        reverse("claims:claim_approve", args=[claim.pk]), {"amount": "500"}, follow=True
    )
    assert "已核定赔付 500.00 元。" in response.text


def test_the_register_shows_days_to_settle_and_the_standard(world, issued, client_for):
    paid = claim_with_insurer("林小雨", amount_claimed=Y("800.00"), expenses=Y("800.00"))
    claim_approve(actor=None, claim=paid, amount=Y("800.00"))
    claim_pay(
        actor=None, claim=paid, paid_on=timezone.localdate(), amount=Y("800.00"), account="6228"
    )
    late = claim_with_insurer("赵一鸣", amount_claimed=Y("900.00"), expenses=Y("900.00"))
    Claim.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    claim_reject(actor=None, claim=late, code="exclusion", text="酒后")
    open_claim = report_claim("孙浩然")
    township = client_for(world.user("township_a"))
    response = township.get(reverse("claims:claim_list"))
    table = response.text
    assert response.context["table"].paginator.count == 3
    assert "0 天" in table and '<span class="badge text-bg-success">达标</span>' in table
    assert '<span class="badge text-bg-warning">超时</span>' in table
    assert open_claim.number in table
    # The 东兴村 cadre sees only the village's two claims.
    cadre = client_for(world.user("cadre_a1"))
    assert cadre.get(reverse("claims:claim_list")).context["table"].paginator.count == 2


def test_the_register_export_has_a_row_per_claim_and_the_totals(world, issued, client_for):
    claim = claim_with_insurer("林小雨", amount_claimed=Y("800.00"), expenses=Y("800.00"))
    claim_approve(actor=None, claim=claim, amount=Y("800.00"))
    report_claim("赵一鸣", amount_claimed=Y("300.00"), expenses=Y("300.00"))
    response = client_for(world.user("city")).get(reverse("claims:claim_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *body, totals = rows
    assert header[0] == "案件号" and len(body) == 2
    column = {name: index for index, name in enumerate(header)}
    assert totals[0] == "合计"
    assert totals[column["申请金额（元）"]] == 1100 and totals[column["核定金额（元）"]] == 800
    row = next(row for row in body if row[column["被保险人"]] == "林小雨")
    assert "*" in row[column["身份证号"]]  # the city sees IDs masked


def test_a_large_register_export_is_a_job(world, issued, client_for, settings):
    from haimen_insurance.jobs.models import Job

    settings.JOBS_IMMEDIATE_ROWS = 1
    report_claim("林小雨")
    report_claim("赵一鸣")
    city = client_for(world.user("city"))
    page = city.get(reverse("claims:claim_export"), follow=True).text
    job = Job.objects.get()
    assert (job.kind, job.status, job.result_note) == ("claims_export", "done", "共 2 件。")
    assert "导出理赔登记" in page
    response = city.get(reverse("job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *body, totals = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(body) == 2 and totals[0] == "合计"
    assert all("*" in row[4] for row in body)  # the city sees IDs masked


def test_the_register_query_count_does_not_grow(
    world, issued, client_for, django_assert_num_queries
):
    for _ in range(2):
        report_claim("林小雨")
    client = client_for(world.user("township_a"))
    url = reverse("claims:claim_list")
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(5):
        report_claim("赵一鸣")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.context["table"].paginator.count == 7


def test_the_queue_puts_overdue_claims_first(world, issued, client_for):
    ordinary = claim_with_insurer("林小雨", amount_claimed=Y("1800.00"))
    overdue = claim_with_insurer("赵一鸣", amount_claimed=Y("1800.00"))
    Claim.objects.filter(pk=overdue.pk).update(due_date=date(2013, 3, 15))
    response = client_for(world.user("insurer_a")).get(reverse("claims:claim_queue"))
    numbers = [record.number for record in response.context["table"].data]
    assert numbers == [overdue.number, ordinary.number]
    assert "已超期" in response.text


def test_the_household_page_shows_the_familys_policies_and_claims(world, issued, client_for):
    claim = report_claim("林小雨")
    household = claim.policy.household
    page = client_for(world.user("cadre_a1")).get(household.get_absolute_url()).text
    assert "INA2013100000001" in page
    assert claim.number in page and "意外医疗" in page
