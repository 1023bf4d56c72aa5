"""The assessment by level (Ji'an's shape): the city ranks its counties, each on its townships'
figures rolled up and scored by the county rules, then its townships; each county officer sees
its own county's townships ranked among themselves; the review's workbook and PDF gain the
counties' ranking. Haimen's shape has one level, as before (tests/oversight/test_dashboard.py).

The year is tests/oversight/test_dashboard.py's, one level deeper: 敦厚镇 (吉安县) 5 eligible, 4
enrolled (80 %), reported after the deadline, both claims settled in time; 文峰镇 (吉水县) one
eligible family, nothing done."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import Area, AuditEvent
from oversight.assessment import assessment, ranks, score
from oversight.models import AssessmentRule
from oversight.services import NO_COUNTIES, assessment_rule_set, assessment_rules_default
from tests.conftest import build_area
from tests.enrollment.conftest import build_household
from tests.enrollment.test_verification import Tables
from tests.oversight.test_dashboard import Y, year  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
JIAN = pytest.mark.parametrize("world", ["jian"], indirect=True)
Level = AssessmentRule.Level


@pytest.fixture
def rules(year):  # noqa: F811
    assessment_rules_default(actor=None, campaign=year)
    return year


def county_rule(campaign, metric, threshold, points, pro_rata=True):
    return assessment_rule_set(
        actor=None,
        campaign=campaign,
        level=Level.COUNTY,
        metric=metric,
        threshold=Y(threshold),
        points=Y(points),
        pro_rata=pro_rata,
    )


def add_idle_county(world, code="360823", name="峡江县"):
    """A county whose one township registered one family and did nothing else."""
    county = build_area(f"{code}000000", name, Area.Kind.COUNTY, world.city)
    town = build_area(f"{code}100000", f"{name[:2]}镇", Area.Kind.TOWN, county)
    build_household(build_area(f"{code}100201", "新村", Area.Kind.VILLAGE, town))
    return county


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


# --- scoring at the boundary, ranks with ties ---


def test_the_threshold_itself_earns_the_points_a_cent_below_does_not():
    strict = AssessmentRule(threshold=Y("90.00"), points=Y("10.00"), pro_rata=False)
    assert score(strict, Y("90.00")) == Y("10.00")
    assert score(strict, Y("89.99")) == Y("0.00")
    assert score(strict, Y("100.00")) == Y("10.00")
    share = AssessmentRule(threshold=Y("90.00"), points=Y("10.00"), pro_rata=True)
    assert score(share, Y("90.00")) == Y("10.00")
    assert score(share, Y("81.00")) == Y("9.00") and score(share, Y("45.00")) == Y("5.00")


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    class Row:
        def __init__(self, total):
            self.total = Decimal(total)

    assert ranks([Row(20), Row(15), Row(15), Row(10)]) == [1, 2, 2, 4]
    assert ranks([Row(0), Row(0)]) == [1, 1]
    assert ranks([]) == []


@JIAN
def test_a_countys_coverage_at_its_threshold_earns_the_points(world, year):  # noqa: F811
    """吉安县's coverage is 80.00 %: a line at 80.00 % gives the 10 points, one at 80.01 %
    (not in proportion) nothing."""
    county_rule(year, "coverage_rate", "80.00", "10.00", pro_rata=False)
    first = assessment(campaign=year, user=world.user("city")).county_rows[0]
    assert first.figures.area == world.county_a
    assert (first.values, first.scores, first.total) == ([Y("80.00")], [Y("10.00")], Y("10.00"))
    county_rule(year, "coverage_rate", "80.01", "10.00", pro_rata=False)
    first = assessment(campaign=year, user=world.user("city")).county_rows[0]
    assert (first.values, first.scores, first.total) == ([Y("80.00")], [Y("0.00")], Y("0.00"))


# --- the city ranks the counties, then the townships ---


@JIAN
def test_the_city_ranks_the_counties_on_their_townships_rolled_up(world, rules):
    result = assessment(campaign=rules, user=world.user("city"))
    assert result.has_counties
    assert [rule.metric for rule in result.county_rules] == [
        "claims_within_standard",
        "coverage_rate",
        "reported_on_time",
    ]
    assert [rule.metric for rule in result.rules] == [rule.metric for rule in result.county_rules]
    first, second = result.county_rows
    assert (first.figures.area, first.rank) == (world.county_a, 1)
    # both claims in time → 5; 80 % of a 90 % line → 8.89; 0 of 1 township on time → 0.
    assert first.values == [Y("100.00"), Y("80.00"), Y("0.00")]
    assert first.scores == [Y("5.00"), Y("8.89"), Y("0.00")] and first.total == Y("13.89")
    assert (second.figures.area, second.rank, second.total) == (world.county_b, 2, Y("0.00"))
    assert result.county_full_marks == Y("20.00")
    # The townships as before, city-wide, each with its rank in its county.
    a, b = result.rows
    assert (a.figures.area, a.rank, a.county_rank, a.total) == (world.town_a, 1, 1, Y("13.89"))
    assert (b.figures.area, b.rank, b.county_rank) == (world.town_b, 2, 1)


@JIAN
def test_a_county_whose_townships_reported_on_time_earns_that_share(world, rules):
    from datetime import datetime

    from django.utils import timezone

    from enrollment.models import TownshipReport

    on_time = timezone.make_aware(datetime(2012, 12, 30, 16))
    TownshipReport.objects.filter(township=world.town_a).update(reported_at=on_time)
    town = build_area("360821101000", "永阳镇", Area.Kind.TOWN, world.county_a)
    build_household(build_area("360821101201", "永阳村", Area.Kind.VILLAGE, town))
    first = assessment(campaign=rules, user=world.user("city")).county_rows[0]
    # 1 of its 2 townships on time: 50 % of the 100 % line, in proportion → 2.50.
    assert first.figures.townships == 2 and first.values[2] == Y("50.00")
    assert first.scores[2] == Y("2.50")


@JIAN
def test_counties_with_equal_totals_share_a_rank(world, rules):
    add_idle_county(world)
    town = build_area("360821101000", "永阳镇", Area.Kind.TOWN, world.county_a)
    build_household(build_area("360821101201", "永阳村", Area.Kind.VILLAGE, town))
    result = assessment(campaign=rules, user=world.user("city"))
    counties = [(row.figures.area.name, row.rank, row.total) for row in result.county_rows]
    # 吉安县 now 4 of 6 eligible enrolled: 66.67 % of the 90 % line → 7.41, + 5 for the claims.
    assert counties == [
        ("吉安县", 1, Y("12.41")),
        ("吉水县", 2, Y("0.00")),
        ("峡江县", 2, Y("0.00")),
    ]
    townships = [(row.figures.area.name, row.rank, row.county_rank) for row in result.rows]
    assert townships == [("敦厚镇", 1, 1), ("永阳镇", 2, 2), ("文峰镇", 2, 1), ("峡江镇", 2, 1)]


@JIAN
def test_the_city_page_shows_the_counties_first_then_the_townships(world, rules, client_for):
    page = client_for(world.user("leader")).get(reverse("assessment"))
    assert page.status_code == 200
    text = page.text
    assert text.index('id="assessment-counties"') < text.index('id="assessment-table"')
    counties = Tables(text).tables["assessment-counties"]["body"]
    # 名次, 县（区）, 乡镇数, then each rule's value and points (理赔, 投保率, 按期上报), 总分.
    assert counties[0] == [
        *("1", "吉安县", "1"),
        *("100.00%", "5.00", "80.00%", "8.89", "0.00%", "0.00"),
        "13.89",
    ]
    assert counties[1][:3] == ["2", "吉水县", "1"] and counties[1][-1] == "0.00"
    county_url = reverse("assessment_county", args=[world.county_a.pk])
    assert f'href="{county_url}?campaign={rules.year}"' in text
    townships = {row[1]: row for row in Tables(text).tables["assessment-table"]["body"]}
    assert townships["敦厚镇"][:4] == ["1", "敦厚镇", "吉安县", "1"]
    assert townships["敦厚镇"][-1] == "13.89"
    assert townships["文峰镇"][:4] == ["2", "文峰镇", "吉水县", "1"]
    assert "乡镇（园区）满分 20.00 分，县（区）满分 20.00 分" in text
    assert "按期汇总上报 = 按期上报的乡镇（园区）数 ÷ 乡镇（园区）数" in text


@JIAN
def test_the_city_officer_sets_a_county_rule_on_the_page(world, year, client_for):  # noqa: F811
    client = client_for(world.user("city"))
    url = reverse("assessment")
    page = client.get(url).text
    assert 'name="level"' in page and "<select" in page.split('name="level"')[0][-200:]
    response = client.post(url, {"defaults": "1"}, follow=True)
    assert "已采用默认评分规则。" in response.text
    assert year.assessment_rules.filter(level=Level.COUNTY).count() == 3
    response = client.post(
        url,
        {
            "level": "county",
            "metric": "coverage_rate",
            "threshold": "80",
            "points": "12",
            "pro_rata": "on",
        },
        follow=True,
    )
    assert "已保存县（区）评分项目：投保率。" in response.text
    counties = Tables(response.text).tables["assessment-counties"]["body"]
    assert counties[0][1] == "吉安县" and counties[0][-1] == "17.00"  # 5 + 12 + 0
    # The township rule of the same measure is untouched.
    townships = Tables(response.text).tables["assessment-table"]["body"]
    assert townships[0][-1] == "13.89"
    event = AuditEvent.objects.filter(action=AuditAction.ASSESSMENT_RULE).latest("pk")
    assert event.object_repr == f"{year} 县（区）投保率"
    rule = year.assessment_rules.get(level=Level.COUNTY, metric="coverage_rate")
    response = client.post(url, {"delete": rule.pk}, follow=True)
    assert "已删除县（区）评分项目：投保率。" in response.text


def test_haimen_refuses_a_county_rule(world, year, client_for):  # noqa: F811
    client = client_for(world.user("city"))
    url = reverse("assessment")
    page = client.get(url).text
    assert '<input type="hidden" name="level"' in page and "考核对象" not in page
    response = client.post(
        url,
        {"level": "county", "metric": "coverage_rate", "threshold": "90", "points": "10"},
        follow=True,
    )
    assert NO_COUNTIES in response.text
    assert not year.assessment_rules.exists()
    with pytest.raises(ValidationError, match="没有县（区）"):
        county_rule(year, "coverage_rate", "90", "10")
    # The defaults are the townships' three, as ever.
    assessment_rules_default(actor=None, campaign=year)
    assert set(year.assessment_rules.values_list("level", flat=True)) == {"township"}
    assert "assessment-counties" not in client.get(url).text


# --- each county its townships ---


@JIAN
def test_the_county_officer_sees_only_its_countys_assessment(world, rules, client_for):
    town = build_area("360821101000", "永阳镇", Area.Kind.TOWN, world.county_a)
    build_household(build_area("360821101201", "永阳村", Area.Kind.VILLAGE, town))
    client = client_for(world.user("county_a"))
    own = reverse("assessment_county", args=[world.county_a.pk])
    response = client.get(reverse("assessment") + f"?campaign={rules.year}")
    assert response.status_code == 302 and response["Location"] == f"{own}?campaign={rules.year}"
    page = client.get(own)
    assert page.status_code == 200 and "吉安县2013年度考核" in page.text.replace(" ", "")
    rows = Tables(page.text).tables["assessment-table"]["body"]
    assert [row[:2] for row in rows] == [["1", "敦厚镇"], ["2", "永阳镇"]]
    assert rows[0][-1] == "13.89" and rows[1][-1] == "0.00"
    assert "文峰镇" not in page.text
    # Its own score on the county rules: 4 of 6 eligible enrolled → 66.67 %, 7.41 + 5 + 0.
    score_rows = Tables(page.text).tables["county-score-table"]["body"]
    assert score_rows[1] == ["投保率", "90.00%", "10.00", "66.67%", "7.41"]
    assert Tables(page.text).tables["county-score-table"]["foot"][0][-1] == "12.41"
    # Read-only: no form, no city ranking, no review files.
    assert 'name="metric"' not in page.text and "assessment-counties" not in page.text
    other = reverse("assessment_county", args=[world.county_b.pk])
    assert client.get(other).status_code == 404
    assert client.post(reverse("assessment"), {"defaults": "1"}).status_code == 403
    assert client.get(reverse("review_xlsx")).status_code == 403


@JIAN
def test_county_finance_sees_no_assessment(world, rules, client_for):
    client = client_for(world.user("county_finance_a"))
    assert client.get(reverse("assessment")).status_code == 403
    own = reverse("assessment_county", args=[world.county_a.pk])
    assert client.get(own).status_code == 403


@JIAN
def test_the_city_opens_each_countys_assessment(world, rules, client_for):
    page = client_for(world.user("leader")).get(
        reverse("assessment_county", args=[world.county_b.pk])
    )
    rows = Tables(page.text).tables["assessment-table"]["body"]
    assert [row[:2] for row in rows] == [["1", "文峰镇"]]
    assert f'href="{reverse("assessment")}?campaign={rules.year}">全市考核' in page.text


def test_haimen_has_no_county_assessment(world, rules, client_for):
    client = client_for(world.user("city"))
    assert client.get(reverse("assessment_county", args=[world.town_a.pk])).status_code == 404
    assert "县内名次" not in client.get(reverse("assessment")).text


# --- query counts ---

# The city's page: the dashboard's 14 (tests/oversight/test_county_dashboard.py: the premium
# shares and the reports' lines among them), the rules, the written reviews, whether the review
# is a job, the review jobs; a county's: the county's dashboard's 15 and the rules.
QUERIES = {"city": 18, "county": 16}


@JIAN
def test_the_assessment_query_counts_do_not_grow_with_counties(
    world,
    rules,
    client_for,
    django_assert_num_queries,
):
    city = client_for(world.user("city"))
    urls = [reverse("assessment"), reverse("assessment_county", args=[world.county_a.pk])]
    with django_assert_num_queries(QUERIES["city"]):
        city.get(urls[0])
    with django_assert_num_queries(QUERIES["county"]):
        city.get(urls[1])
    for index in range(3):
        add_idle_county(world, code=f"36083{index}", name=f"新县{index}")
        town = build_area(f"360821{index + 2:03d}000", f"加镇{index}", "镇", world.county_a)
        build_household(build_area(f"{town.code[:9]}201", "加村", "村", town))
    with django_assert_num_queries(QUERIES["city"]):
        page = city.get(urls[0])
    assert len(Tables(page.text).tables["assessment-counties"]["body"]) == 5
    with django_assert_num_queries(QUERIES["county"]):
        page = city.get(urls[1])
    assert len(Tables(page.text).tables["assessment-table"]["body"]) == 4
    officer = client_for(world.user("county_a"))
    with django_assert_num_queries(QUERIES["county"]):
        officer.get(urls[1])


# --- the review's workbook and PDF ---


@JIAN
def test_the_review_workbook_has_the_counties_sheet(world, rules, client_for):
    response = client_for(world.user("leader")).get(reverse("review_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = book.sheetnames
    assert names.index("各县（区）与考核") == names.index("各乡镇与考核") - 1
    sheet = book["各县（区）与考核"]
    header = [cell.value for cell in sheet[2]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)
    ]
    first, second, total = rows
    assert (first["名次"], first["县（区）"], first["乡镇（园区）数"]) == (1, "吉安县", 1)
    assert first["投保率"] == pytest.approx(0.8) and first["投保率得分"] == pytest.approx(8.89)
    assert first["总分"] == pytest.approx(13.89)
    assert (second["名次"], second["县（区）"], second["总分"]) == (2, "吉水县", 0)
    assert (total["县（区）"], total["乡镇（园区）数"], total["符合条件户数"]) == ("全市", 2, 6)
    townships = book["各乡镇与考核"]
    header = [cell.value for cell in townships[2]]
    row = dict(zip(header, next(townships.iter_rows(min_row=3, values_only=True)), strict=True))
    assert (row["乡镇（园区）"], row["县（区）"], row["县内名次"]) == ("敦厚镇", "吉安县", 1)
    assert row["总分"] == pytest.approx(13.89)
    rules_sheet = list(book["评分说明"].iter_rows(min_row=3, values_only=True))
    assert ("县（区）投保率", "达到 90.00% 得 10.00 分，未达到按比例得分") in rules_sheet
    assert ("乡镇（园区）投保率", "达到 90.00% 得 10.00 分，未达到按比例得分") in rules_sheet


@JIAN
def test_the_review_pdf_has_the_counties_section(world, rules, client_for):
    text = pdf_text(client_for(world.user("city")).get(reverse("review_pdf")).content)
    flat = "".join(text.split())
    assert "各县（区）考核得分" in flat
    assert flat.index("各县（区）考核得分") < flat.index("各乡镇（园区）数据")
    line = next(line for line in text.splitlines() if "吉安县" in line and "13.89" in line)
    assert line.split()[:4] == ["1", "吉安县", "1", "80.00%"]
    assert "县（区）评分规则：理赔服务标准达标率达到100.00%得5.00分" in flat


def test_haimens_review_files_have_no_county_part(world, rules, client_for):
    client = client_for(world.user("city"))
    response = client.get(reverse("review_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["全市汇总", "各乡镇与考核", "评分说明", "理赔汇总", "点评总结"]
    header = [cell.value for cell in book["各乡镇与考核"][2]]
    assert header[:3] == ["名次", "乡镇（园区）", "符合条件户数"]
    rules_sheet = [row[0] for row in book["评分说明"].iter_rows(min_row=3, values_only=True)]
    assert rules_sheet[:3] == ["理赔服务标准达标率", "投保率", "按期汇总上报"]
    text = "".join(pdf_text(client.get(reverse("review_pdf")).content).split())
    assert "县（区）" not in text
