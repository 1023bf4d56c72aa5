"""The dashboards and workbenches of a city with counties (Ji'an's shape): the city's townships
with the same figures as Haimen's, rolled up by county; a county's dashboard and its officer's
workbench with the county's townships; the city → county → township drill-down; query counts
that do not grow with the townships or counties."""

import pytest
from django.urls import reverse

from haimen_insurance.models import Area
from oversight.dashboard import dashboard
from tests.conftest import build_area
from tests.enrollment.conftest import build_household
from tests.enrollment.test_verification import Tables
from tests.oversight.test_dashboard import Y, year  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("world", ["jian"], indirect=True)]


def test_the_city_figures_are_haimens_at_depth_four(world, year):  # noqa: F811
    """The same campaign as tests/oversight/test_dashboard.py, one level deeper: same figures."""
    board = dashboard(campaign=year, user=world.user("city"))
    a, b = board.rows
    assert (a.area, b.area) == (world.town_a, world.town_b)
    assert (a.eligible, a.enrolled, a.coverage_rate) == (5, 4, Y("80.00"))
    assert (a.policies, a.premium, a.stage) == (8, Y("160.00"), "保单已出具")
    assert (b.eligible, b.enrolled, b.stage) == (1, 0, "未开始")
    first, second = board.county_rows
    assert (first.area, first.townships, first.eligible, first.enrolled) == (
        world.county_a,
        1,
        5,
        4,
    )
    assert (first.reported, first.funded, first.issued, first.premium) == (1, 1, 1, Y("160.00"))
    assert (second.area, second.eligible, second.reported) == (world.county_b, 1, 0)


def test_the_city_page_drills_down_to_counties(world, year, client_for):  # noqa: F811
    page = client_for(world.user("leader")).get(reverse("dashboard"))
    tables = Tables(page.text).tables
    counties = {row[0]: row for row in tables["dashboard-counties"]["body"]}
    assert counties["吉安县"][1:6] == ["1", "5", "4", "80.00%", "2/2"]
    assert counties["吉安县"][6].startswith("已上报 1/1")
    assert counties["吉水县"][1:5] == ["1", "1", "0", "0.00%"]
    county_url = reverse("dashboard_county", args=[world.county_a.pk])
    assert f'href="{county_url}?campaign={year.year}"' in page.text
    townships = {row[0]: row for row in tables["dashboard-table"]["body"]}
    assert townships["敦厚镇"][1:5] == ["5", "4", "80.00%", "2/2"]


def test_a_countys_dashboard_lists_its_townships(world, year, client_for):  # noqa: F811
    client = client_for(world.user("city"))
    page = client.get(reverse("dashboard_county", args=[world.county_a.pk]))
    assert page.status_code == 200
    assert "吉安县2013年度仪表板" in page.text.replace(" ", "")
    table = Tables(page.text).tables["dashboard-table"]
    assert [row[0] for row in table["body"]] == ["敦厚镇"]
    assert table["foot"][0][:4] == ["合计", "5", "4", "80.00%"]
    assert "dashboard-counties" not in page.text
    # The township's page: back to the city and to its county.
    township = client.get(reverse("dashboard_township", args=[world.town_a.pk]))
    assert reverse("dashboard") in township.text
    assert f"{reverse('dashboard_county', args=[world.county_a.pk])}?campaign=" in township.text


def test_the_county_officer_is_sent_to_its_countys_dashboard(world, year, client_for):  # noqa: F811
    client = client_for(world.user("county_b"))
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard_county", args=[world.county_b.pk])
    table = Tables(response.text).tables["dashboard-table"]
    assert [row[0] for row in table["body"]] == ["文峰镇"]
    assert client.get(reverse("dashboard_county", args=[world.county_a.pk])).status_code == 404
    assert client.get(reverse("dashboard_township", args=[world.town_a.pk])).status_code == 404
    township = client.get(reverse("dashboard_township", args=[world.town_b.pk]))
    assert township.status_code == 200
    assert "全市仪表板" not in township.text  # no city link for the county
    assert reverse("dashboard_county", args=[world.county_b.pk]) in township.text
    # Not the city's assessment nor its review: the county's own assessment.
    response = client.get(reverse("assessment"))
    assert response["Location"] == reverse("assessment_county", args=[world.county_b.pk])
    assert client.get(reverse("review_pdf")).status_code == 403


def test_the_county_officers_workbench_shows_its_townships(world, year, client_for):  # noqa: F811
    page = client_for(world.user("county_a")).get(reverse("workbench"))
    assert "吉安县计生委 工作台" in page.text
    rows = {row[0]: row for row in Tables(page.text).tables["county-townships"]["body"]}
    assert list(rows) == ["敦厚镇"]
    assert rows["敦厚镇"][1:5] == ["5", "4", "80.00%", "2/2"]
    other = client_for(world.user("county_b")).get(reverse("workbench"))
    # 文峰镇 has not reported: on the county officer's to-do list, as on the city's.
    assert "尚未上报的乡镇（园区） 1 个" in other.text and "文峰镇" in other.text


def test_the_county_finance_workbench_lists_its_townships_reports(world, year, client_for):  # noqa: F811
    page = client_for(world.user("county_finance_a")).get(reverse("workbench"))
    assert "吉安县财政局 工作台" in page.text
    # The year's campaign has no county share: nothing waits for the county's transfer.
    assert 'id="waiting-count">0<' in page.text
    rows = Tables(page.text).tables["workbench-reports"]["body"]
    assert [row[1] for row in rows] == ["敦厚镇"]
    nothing = client_for(world.user("county_finance_b")).get(reverse("workbench"))
    assert "本县（区）各乡镇尚未上报汇总表。" in nothing.text


def test_the_dashboards_query_counts_do_not_grow_with_counties_or_townships(
    world,
    year,  # noqa: F811
    client_for,
    django_assert_num_queries,
):
    """The city's dashboard costs in Ji'an's shape what it costs in Haimen's (14 queries, see
    tests/oversight/test_dashboard.py), however many counties and townships; a county's
    dashboard and its officer's as many."""
    city = client_for(world.user("city"))
    urls = [reverse("dashboard"), reverse("dashboard_county", args=[world.county_a.pk])]
    with django_assert_num_queries(14):
        city.get(urls[0])
    with django_assert_num_queries(15):  # the county, read through the user's scope
        city.get(urls[1])
    for index in range(3):
        county = build_area(f"36083{index}000000", f"新县{index}", Area.Kind.COUNTY, world.city)
        for town_index in range(2):
            town = build_area(
                f"36083{index}10{town_index}000", f"新镇{index}{town_index}", "镇", county
            )
            build_household(build_area(f"{town.code[:9]}201", "新村", "村", town))
        town = build_area(f"360821{index + 2:03d}000", f"加镇{index}", "镇", world.county_a)
        build_household(build_area(f"{town.code[:9]}201", "加村", "村", town))
    with django_assert_num_queries(14):
        page = city.get(urls[0])
    assert len(Tables(page.text).tables["dashboard-counties"]["body"]) == 5
    with django_assert_num_queries(15):
        page = city.get(urls[1])
    assert len(Tables(page.text).tables["dashboard-table"]["body"]) == 4
