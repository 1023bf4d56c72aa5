"""The county roles' bar and every app's "who may" answers for them (Ji'an's shape): the county
officer reads and oversees its county, manages its users, and acts on no roster, report,
transfer, policy or claim; county finance reads its townships' reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import access as claims_access
from enrollment import access as enrollment_access
from haimen_insurance import access
from haimen_insurance.models import User
from haimen_insurance.navigation import NAV_ITEMS, items_for
from haimen_insurance.roles import role_permissions
from oversight import access as oversight_access
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("world", ["jian"], indirect=True)]

BARS = {
    "county_a": [
        "工作台",
        "仪表板",
        "考核",  # its county's (the city's sends it there)
        "参保年度",
        "参保名册",
        "独生子女证登记",
        "核查",
        "保单查询",
        "理赔",
        "区划",
        "用户",
    ],
    "county_finance_a": ["工作台", "参保年度", "区划"],
}


@pytest.mark.parametrize("key", list(BARS))
def test_each_county_role_sees_its_items(world, key):
    user = User.objects.get(pk=world.user(key).pk)
    assert [item.label for item in items_for(user)] == BARS[key]
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in user.groups.get().permissions.select_related("content_type")
    }
    assert held == role_permissions(user.role)
    for item in NAV_ITEMS:
        by_perm = (
            user.has_perms(item.perms) or bool(item.or_perms) and user.has_perms(item.or_perms)
        )
        assert (item in items_for(user)) == by_perm, (key, item.label)


def test_the_county_officer_oversees_and_acts_on_nothing(world):
    officer = world.user("county_a")
    campaign = build_campaign()
    roster = campaign.rosters.get(village=world.village_a1)
    town_a, town_b = world.town_a.pk, world.town_b.pk
    # Reads: the pages over its townships and each township's rosters page.
    assert enrollment_access.may_see_city_overview(officer)
    assert enrollment_access.may_see_township_rosters(officer)
    assert not enrollment_access.sees_one_township(officer)
    assert not enrollment_access.sees_one_village(officer)
    # Acts on nothing of the townships' own work.
    assert not enrollment_access.may_fill_roster(officer, roster)
    assert not enrollment_access.fills_on_behalf(officer, roster)
    assert not enrollment_access.may_review_rosters(officer, town_a)
    assert not enrollment_access.may_make_township_report(officer, town_a)
    assert not enrollment_access.may_record_transfers(officer, town_a)
    assert not enrollment_access.may_import_register(officer)
    assert not enrollment_access.may_set_up_campaigns(officer)
    assert not enrollment_access.may_see_campaigns_being_prepared(officer)
    assert not enrollment_access.may_export_year_policy_list(officer)
    assert not enrollment_access.may_write_household(officer, world.village_a1.pk)
    assert not claims_access.may_report_claims(officer)
    assert claims_access.may_view_claims(officer)
    # The roof: its county's dashboard and townships', not the city's nor another county's.
    assert oversight_access.own_dashboard_county(officer) == world.county_a.pk
    assert oversight_access.may_view_county_dashboard(officer, world.county_a)
    assert not oversight_access.may_view_county_dashboard(officer, world.county_b)
    assert oversight_access.may_view_township_dashboard(officer, world.town_a)
    assert not oversight_access.may_view_township_dashboard(officer, world.town_b)
    assert not oversight_access.may_view_city_dashboard(officer)
    assert not oversight_access.may_manage_assessment_rules(officer)
    assert oversight_access.may_view_county_assessment(officer, world.county_a)
    assert not oversight_access.may_view_county_assessment(officer, world.county_b)
    assert oversight_access.own_assessment_county(officer) == world.county_a.pk
    assert not oversight_access.may_write_review_note(officer, world.town_a)
    assert not oversight_access.may_write_review_note(officer, world.county_a)
    assert oversight_access.may_oversee_county(officer)
    assert not oversight_access.may_process_reports(officer)
    # The floor: its county's users.
    assert access.may_view_users(officer) and access.may_manage_users(officer)
    assert not access.may_assign_insurer(officer, world.town_a)
    assert not access.may_view_audit(officer)
    assert town_b  # township B is the other county's (the scoping door: 404, matrix)


def test_county_finance_reads_and_records_only_the_county_share(world):
    finance = world.user("county_finance_a")
    assert not enrollment_access.may_record_transfers(finance, world.town_a.pk)
    assert enrollment_access.transfer_office(finance) == "county"
    assert enrollment_access.may_record_office_transfers(finance, world.town_a, "county")
    assert not enrollment_access.may_record_office_transfers(finance, world.town_b, "county")
    assert not enrollment_access.may_record_office_transfers(finance, world.town_a, "city")
    assert not enrollment_access.may_record_office_transfers(finance, world.town_a, "township")
    assert not enrollment_access.may_see_township_rosters(finance)
    assert not enrollment_access.may_see_city_overview(finance)
    assert not claims_access.may_view_claims(finance)
    assert oversight_access.may_process_reports(finance)  # its workbench lists the reports
    assert not oversight_access.may_oversee_county(finance)
    assert oversight_access.own_dashboard_county(finance) is None
    assert not oversight_access.may_view_county_assessments(finance)
    assert not oversight_access.may_view_county_assessment(finance, world.county_a)
    assert not access.may_view_users(finance) and not access.may_manage_users(finance)
    assert access.roles_given_by(finance) == []


def queries(client, url) -> int:
    client.get(url)  # the first request warms what is read once per process
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_county_officer_reads_a_township_for_what_its_officer_pays(world, client):
    """The township's pages cost the county officer the township officer's query count (its
    scope is one join, as the township's): the rosters page, the register, the dashboard."""
    for village in (world.village_a1, world.village_a2):
        for _ in range(3):
            build_household(village)
    build_campaign()
    for url in (
        reverse("enrollment:township_rosters", args=[world.town_a.pk]),
        reverse("enrollment:household_list"),
        reverse("dashboard_township", args=[world.town_a.pk]),
    ):
        client.force_login(world.user("township_a"))
        township = queries(client, url)
        client.force_login(world.user("county_a"))
        assert queries(client, url) == township, url
