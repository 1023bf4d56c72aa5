"""The dashboards with known numbers: every figure of the city and township pages is checked
against a campaign built through the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.services import claim_approve, claim_pay, claim_reject
from enrollment.models import Roster
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.rosters import (
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from haimen_insurance.models import Area
from oversight.dashboard import dashboard
from tests.claims.conftest import claim_with_insurer
from tests.conftest import build_area
from tests.enrollment.conftest import build_campaign, build_household, transfer_values
from tests.enrollment.test_verification import Tables

pytestmark = pytest.mark.django_db

Y = Decimal
OVER_AGE = {"child_birth_date": date(1999, 1, 1)}  # 14 on the 2013 age date


@pytest.fixture
def year(world):
    """海门镇 issued: 东兴村 3 eligible (all enrolled) + 1 over age, 新河村 2 eligible (one
    enrolled, one declined); claims: a medical claim paid 500.00 and one rejected.
    三星镇: 南星村 one eligible family, nothing done."""
    campaign = build_campaign()
    for name in ("林小雨", "赵一鸣", "钱多多"):
        build_household(world.village_a1, child_name=name)
    build_household(world.village_a1, **OVER_AGE)
    first = build_household(world.village_a2, child_name="孙浩然")
    second = build_household(world.village_a2)
    build_household(world.village_b1)
    a2 = Roster.objects.get(campaign=campaign, village=world.village_a2)
    entry_decide(actor=None, roster=a2, household=first, decision="enrolled")
    entry_decide(actor=None, roster=a2, household=second, decision="declined", reason="外出")
    for village in (world.village_a1, world.village_a2):
        roster = Roster.objects.get(campaign=campaign, village=village)
        if village == world.village_a1:
            roster_enrol_all(actor=None, roster=roster)
        roster_submit(actor=None, roster=roster)
        roster_approve(actor=None, roster=roster)
    report = township_report_draft(actor=None, campaign=campaign, township=world.town_a)
    report = township_report_submit(actor=None, report=report)
    transfer_record(actor=None, report=report, **transfer_values(report))
    policies_issue(actor=None, report=report)
    paid = claim_with_insurer("林小雨", amount_claimed=Y("500.00"), expenses=Y("500.00"))
    claim_approve(actor=None, claim=paid, amount=Y("500.00"))
    claim_pay(actor=None, claim=paid, paid_on=timezone.localdate(), amount=Y("500"), account="1")
    rejected = claim_with_insurer("孙浩然", amount_claimed=Y("300.00"), expenses=Y("300.00"))
    claim_reject(actor=None, claim=rejected, code="exclusion", text="责任免除")
    return campaign


def test_the_city_figures(world, year):
    board = dashboard(campaign=year, user=world.user("city"))
    a, b = board.rows
    assert (a.area, b.area) == (world.town_a, world.town_b)
    assert (a.eligible, a.enrolled, a.coverage_rate) == (5, 4, Y("80.00"))
    assert (a.policies, a.premium) == (8, Y("160.00"))
    assert (a.rosters_approved, a.rosters, a.stage) == (2, 2, "保单已出具")
    assert (a.claims, a.claims_paid, a.paid, a.payout_ratio) == (2, 1, Y("500.00"), Y("312.50"))
    assert (a.within_standard, a.settled) == (2, 2)
    assert (b.eligible, b.enrolled, b.coverage_rate, b.stage) == (1, 0, Y("0.00"), "未开始")
    total = board.total
    assert (total.eligible, total.enrolled, total.coverage_rate) == (6, 4, Y("66.67"))
    assert (total.reported, total.funded, total.issued) == (1, 1, 1)
    assert total.payout_ratio == Y("312.50")


def test_the_city_page_shows_the_figures(world, year, client_for):
    page = client_for(world.user("leader")).get(reverse("dashboard"))
    table = Tables(page.text).tables["dashboard-table"]
    rows = {row[0]: row for row in table["body"]}
    assert rows["海门镇"][1:5] == ["5", "4", "80.00%", "2/2"]
    assert rows["海门镇"][5].startswith("保单已出具")
    assert rows["海门镇"][6:] == ["160.00", "2", "1", "500.00", "312.50%", "2/2"]
    assert rows["三星镇"][1:6] == ["1", "0", "0.00%", "0/1", "未开始"]
    assert table["foot"][0][:4] == ["合计", "6", "4", "66.67%"]
    assert "投保率 66.67%" in page.text and "赔付率 312.50%" in page.text
    assert 'id="dashboard-data"' in page.text and "echarts.min.js" in page.text


def test_the_township_page_shows_its_villages(world, year, client_for):
    client = client_for(world.user("township_a"))
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard_township", args=[world.town_a.pk])
    rows = {row[0]: row for row in Tables(response.text).tables["dashboard-table"]["body"]}
    assert rows["东兴村"][1:4] == ["3", "3", "100.00%"]
    assert rows["新河村"][1:4] == ["2", "1", "50.00%"]
    assert "海门镇汇总表：保单已出具" in response.text
    roster = Roster.objects.get(campaign=year, village=world.village_a1)
    assert f'<a href="{roster.get_absolute_url()}">东兴村</a>' in response.text  # drill down
    other = reverse("dashboard_township", args=[world.town_b.pk])
    assert client.get(other).status_code == 404


def test_the_dashboard_query_count_does_not_grow_with_townships(
    world, year, client_for, django_assert_num_queries
):
    client = client_for(world.user("city"))
    url = reverse("dashboard")
    # 12, and two for the reported premium by payer: the shares, the reports' lines (each
    # office's transfer is read with the reports).
    with django_assert_num_queries(14):
        client.get(url)
    for index in range(3):
        town = build_area(f"3206842{index:02d}000", f"新镇{index}", Area.Kind.TOWN, world.city)
        village = build_area(f"3206842{index:02d}201", f"新村{index}", Area.Kind.VILLAGE, town)
        build_household(village)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert len(Tables(response.text).tables["dashboard-table"]["body"]) == 5


@pytest.fixture
def rules(year):
    from oversight.services import assessment_rules_default

    assessment_rules_default(actor=None, campaign=year)
    return year


def test_assessment_scores_and_ranks_the_townships(world, rules):
    from oversight.assessment import assessment

    result = assessment(campaign=rules, user=world.user("city"))
    assert [rule.metric for rule in result.rules] == [
        "claims_within_standard",
        "coverage_rate",
        "reported_on_time",
    ]
    first, second = result.rows
    assert first.figures.area == world.town_a and first.rank == 1
    # both claims settled in time → 5; 80 % coverage of a 90 % line → 10 × 80 / 90 = 8.89;
    # reported after the 2012-12-31 deadline → 0.
    assert first.values == [Y("100.00"), Y("80.00"), Y("0.00")]
    assert first.scores == [Y("5.00"), Y("8.89"), Y("0.00")] and first.total == Y("13.89")
    # 三星镇 enrolled nobody: nothing on any rule (it once earned the service standard's 5).
    assert second.scores == [Y("0.00"), Y("0.00"), Y("0.00")] and second.rank == 2
    assert result.full_marks == Y("20.00")


def test_reporting_by_the_deadline_earns_its_points(world, rules):
    from datetime import datetime

    from enrollment.models import TownshipReport
    from oversight.assessment import assessment

    on_time = timezone.make_aware(datetime(2012, 12, 30, 16))
    TownshipReport.objects.filter(township=world.town_a).update(reported_at=on_time)
    first = assessment(campaign=rules, user=world.user("city")).rows[0]
    assert first.scores[2] == Y("5.00") and first.total == Y("18.89")


def test_the_city_officer_sets_rules_on_the_page(world, year, client_for):
    client = client_for(world.user("city"))
    url = reverse("assessment")
    assert "本年度尚未设置评分规则" in client.get(url).text
    response = client.post(url, {"defaults": "1"}, follow=True)
    assert "已采用默认评分规则。" in response.text
    response = client.post(
        url,
        {"metric": "coverage_rate", "threshold": "80", "points": "12", "pro_rata": "on"},
        follow=True,
    )
    assert "已保存评分项目：投保率。" in response.text
    table = Tables(response.text).tables["assessment-table"]
    assert table["body"][0][:2] == ["1", "海门镇"]
    assert table["body"][0][-1] == "17.00"  # 5 + 12 + 0
    leader = client_for(world.user("leader"))
    assert leader.post(url, {"defaults": "1"}).status_code == 403


def test_the_review_workbook_has_the_same_numbers(world, rules, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(world.user("leader")).get(reverse("review_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = {row[0]: row[1] for row in book["全市汇总"].iter_rows(min_row=3, values_only=True)}
    # Numbers stored as numbers (a sheet can add them up), percentages as fractions.
    assert summary["符合条件户数"] == 6 and summary["参保户数"] == 4
    assert summary["投保率"] == pytest.approx(0.6667) and summary["保费合计（元）"] == 160
    assert summary["赔付金额（元）"] == 500 and summary["赔付率"] == pytest.approx(3.125)
    assert summary["理赔件数"] == 2 and summary["服务标准达标件数"] == 2
    rows = [list(row) for row in book["各乡镇与考核"].iter_rows(min_row=3, values_only=True)]
    header = [cell.value for cell in book["各乡镇与考核"][2]]
    first = dict(zip(header, rows[0], strict=True))
    assert first["名次"] == 1 and first["乡镇（园区）"] == "海门镇"
    assert first["投保率"] == pytest.approx(0.8) and first["保费（元）"] == 160
    assert first["总分"] == pytest.approx(13.89)
    assert rows[-1][1] == "全市" and rows[-1][2] == 6
    claims = {row[0]: row for row in book["理赔汇总"].iter_rows(min_row=3, values_only=True)}
    assert claims["意外医疗"][1:] == (2, 800, 500, 500, 2, 2)
    assert claims["合计"][1] == 2


def test_the_review_pdf_reads_the_totals(world, rules, client_for):
    import subprocess

    response = client_for(world.user("city")).get(reverse("review_pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "海门市2013年度独生子女保险点评总结" in text
    assert "投保率 66.67%" in "".join(text.split("\n"))
    assert "海门镇" in text and "13.89" in text
    assert "壹佰陆拾元整" in text


# Doing nothing earns nothing. A township that enrolled nobody scores 0 on every rule; one that
# enrolled families and had no claim to serve (none settled, none overdue) meets the service
# standard; a claim left open past its due date counts as missed.


def test_a_township_that_enrolled_nobody_scores_nothing(world, rules, client_for):
    from oversight.assessment import assessment

    first, second = assessment(campaign=rules, user=world.user("city")).rows
    assert second.figures.area == world.town_b and second.figures.enrolled == 0
    assert second.scores == [Y("0.00"), Y("0.00"), Y("0.00")] and second.total == Y("0.00")
    assert second.rank == 2
    response = client_for(world.user("leader")).get(reverse("assessment"))
    rows = {row[1]: row for row in Tables(response.text).tables["assessment-table"]["body"]}
    assert rows["三星镇"][2:] == ["—", "0.00", "0.00%", "0.00", "0.00%", "0.00", "0.00"]
    assert "未登记参保户的乡镇（园区）各项均不得分" in response.text


def test_enrolled_without_a_claim_to_serve_meets_the_service_standard(world, rules, client_for):
    from enrollment.models import Household

    roster = Roster.objects.get(campaign=rules, village=world.village_b1)
    household = Household.objects.get(village=world.village_b1)
    entry_decide(actor=None, roster=roster, household=household, decision="enrolled")
    response = client_for(world.user("leader")).get(reverse("assessment"))
    rows = {row[1]: row for row in Tables(response.text).tables["assessment-table"]["body"]}
    # 1 of 1 eligible enrolled: coverage 10 points; no claim: the service standard's 5 points.
    assert rows["三星镇"][2:] == [
        "无应办结理赔",
        "5.00",
        "100.00%",
        "10.00",
        "0.00%",
        "0.00",
        "15.00",
    ]
    assert rows["三星镇"][0] == "1"
    assert "有参保户、本年度没有应办结的理赔的，视为达标" in response.text


def test_a_claim_left_open_past_its_due_date_counts_as_missed(world, rules, client_for):
    from claims.models import Claim

    late = claim_with_insurer("赵一鸣", amount_claimed=Y("200.00"), expenses=Y("200.00"))
    Claim.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timezone.timedelta(1))
    response = client_for(world.user("leader")).get(reverse("assessment"))
    rows = {row[1]: row for row in Tables(response.text).tables["assessment-table"]["body"]}
    # 2 settled in time of 3 due → 66.67 %, 5 × 66.67 / 100 = 3.33
    assert rows["海门镇"][2:4] == ["66.67%", "3.33"]


def test_the_review_states_how_the_service_standard_is_scored(world, rules, client_for):
    import io
    import subprocess

    from openpyxl import load_workbook

    client = client_for(world.user("city"))
    pdf = client.get(reverse("review_pdf")).content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    assert "未登记参保户的乡镇（园区）各项均不得分" in flat
    assert "有参保户、本年度没有应办结的理赔的，视为达标" in flat
    response = client.get(reverse("review_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    notes = " ".join(
        str(cell) for row in book["评分说明"].iter_rows(values_only=True) for cell in row
    )
    assert "未登记参保户的乡镇（园区）各项均不得分" in notes
    assert "有参保户、本年度没有应办结的理赔的，视为达标" in notes
