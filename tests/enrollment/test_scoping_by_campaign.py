"""An insurer's scope in a campaign is the townships it covers *in that campaign*
(``TownshipInsurer``), not the ones it covers today (``Area.insurer``).

海门镇 was 甲's in 2013 and is 乙's from 2014: on 2013's pages 甲 still sees 海门镇's report,
rosters, entries and policies and 乙 does not; on 2014's pages it is the other way round."""

import pytest
from django.urls import reverse

from enrollment.models import (
    Policy,
    Roster,
    RosterEntry,
    TownshipInsurer,
    TownshipReport,
)
from enrollment.models.campaigns import campaign_areas
from enrollment.services.policies import policies_issue, transfer_record
from haimen_insurance import services
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)
from tests.enrollment.test_verification import Tables

pytestmark = pytest.mark.django_db


def issued_year(world, year: int) -> TownshipReport:
    """海门镇's year: reported, funded and issued by the insurer the campaign names for it."""
    campaign = build_campaign(year)
    report = build_reported_report(campaign, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    policies_issue(actor=None, report=report)
    return TownshipReport.objects.get(pk=report.pk)


@pytest.fixture
def years(world):
    """(2013's report, 2014's report) of 海门镇: 甲 covered it in 2013, 乙 covers it now."""
    build_household(world.village_a1)
    build_household(world.village_a2)
    last = issued_year(world, 2013)
    services.insurer_assign_townships(actor=None, insurer=world.insurer_b, townships=[world.town_a])
    this = issued_year(world, 2014)
    return last, this


def years_of(queryset, year_path: str) -> set[int]:
    return set(queryset.values_list(year_path, flat=True))


def test_the_campaign_names_the_insurer_of_each_year(world, years):
    last, this = years
    insurer_of = dict(
        TownshipInsurer.objects.filter(township=world.town_a).values_list(
            "campaign__year", "insurer"
        )
    )
    assert insurer_of == {2013: world.insurer_a.pk, 2014: world.insurer_b.pk}
    assert set(Policy.objects.filter(report=last).values_list("insurer", flat=True)) == {
        world.insurer_a.pk
    }


@pytest.mark.parametrize(("key", "year"), [("insurer_a", 2013), ("insurer_b", 2014)])
def test_an_insurer_sees_the_township_in_the_years_it_covered_it(world, years, key, year):
    user = world.user(key)
    town = world.town_a
    assert years_of(TownshipReport.objects.for_user(user), "campaign__year") == {year}
    rosters = Roster.objects.for_user(user).filter(village__parent=town)
    assert years_of(rosters, "campaign__year") == {year}
    entries = RosterEntry.objects.for_user(user).filter(roster__village__parent=town)
    assert years_of(entries, "roster__campaign__year") == {year}
    assert years_of(Policy.objects.for_user(user), "campaign__year") == {year}
    covered = TownshipInsurer.objects.for_user(user).filter(township=town)
    assert years_of(covered, "campaign__year") == {year}
    for report in years:
        townships = campaign_areas(user, report.campaign).townships()
        villages = campaign_areas(user, report.campaign).villages().filter(parent=town)
        if report.campaign.year == year:
            assert town in townships and villages.count() == 2
        else:
            assert town not in townships and not villages.exists()


def test_the_other_township_stays_with_its_insurer_in_both_years(world, years):
    rosters = Roster.objects.for_user(world.user("insurer_b")).filter(village=world.village_b1)
    assert years_of(rosters, "campaign__year") == {2013, 2014}
    assert not Roster.objects.for_user(world.user("insurer_a")).filter(village=world.village_b1)


@pytest.mark.parametrize(("key", "year"), [("insurer_a", 2013), ("insurer_b", 2014)])
def test_the_report_page_of_the_year_shows_every_village_to_its_insurer(
    world, years, client_for, key, year
):
    client = client_for(world.user(key))
    for report in years:
        response = client.get(report.get_absolute_url())
        if report.campaign.year != year:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        villages = Tables(response.text).tables["report-villages"]
        assert [row[:2] for row in villages["body"]] == [["东兴村", "1"], ["新河村", "1"]]
        assert villages["foot"][0][:2] == ["合计", "2"]


@pytest.mark.parametrize(("key", "year"), [("insurer_a", 2013), ("insurer_b", 2014)])
def test_the_campaign_page_lists_the_townships_the_insurer_covered_that_year(
    world, years, client_for, key, year
):
    client = client_for(world.user(key))
    for report in years:
        page = client.get(reverse("enrollment:campaign_detail", args=[report.campaign_id])).text
        assert (report.get_absolute_url() in page) == (report.campaign.year == year)
        assert ("<td>海门镇</td>" in page) == (report.campaign.year == year)


@pytest.mark.parametrize(("key", "year"), [("insurer_a", 2013), ("insurer_b", 2014)])
def test_the_policy_list_shows_the_policies_of_the_years_covered(
    world, years, client_for, key, year
):
    page = client_for(world.user(key)).get(reverse("enrollment:policy_list")).text
    for report in years:
        numbers = Policy.objects.filter(report=report).values_list("number", flat=True)
        assert numbers
        for number in numbers:
            assert (number in page) == (report.campaign.year == year)
