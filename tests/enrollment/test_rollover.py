"""Roll-over: next year's campaign proposes last year's enrolled families, marks the child who
turns 14 on the new age date as not eligible (age), and leaves new certificates undecided."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrollment.models import Campaign, Product, Roster, RosterEntry, TownshipInsurer
from enrollment.selectors.rosters import roster_figures
from enrollment.services.campaigns import product_update
from enrollment.services.rollover import campaign_roll_over, next_year
from enrollment.services.rosters import entry_decide, roster_enrol_all
from haimen_insurance.models import Area, AuditEvent
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.django_db

TURNS_14_IN_2014 = date(2000, 1, 1)  # 13 on 2013-01-01, 14 on 2014-01-01


@pytest.fixture
def last_year(world):
    campaign = build_campaign()
    product_update(
        actor=None,
        product=campaign.products.get(code="child_safety"),
        premium=Decimal("25.00"),
    )
    families = {
        "continuing": build_household(world.village_a1, child_name="续保"),
        "aged": build_household(
            world.village_a1, child_name="满龄", child_birth_date=TURNS_14_IN_2014
        ),
        "declined": build_household(world.village_a1, child_name="放弃"),
    }
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    entry_decide(
        actor=None,
        roster=roster,
        household=families["declined"],
        decision="declined",
        reason="外出",
    )
    product = {product.code: product for product in campaign.products.all()}
    entry_decide(
        actor=None,
        roster=roster,
        household=families["continuing"],
        decision="enrolled",
        shares={product["child_safety"]: 2, product["parent_health"]: 1},
    )
    roster_enrol_all(actor=None, roster=roster)
    return campaign, families


def test_next_year_moves_dates_and_copies_products(world, last_year):
    campaign, _ = last_year
    rolled = campaign_roll_over(actor=world.user("city"), campaign=campaign)
    new = rolled.campaign
    assert new.year == 2014
    assert (new.coverage_start, new.coverage_end) == (date(2014, 1, 1), date(2014, 12, 31))
    assert new.age_date == date(2014, 1, 1) and new.implementation_deadline == date(2013, 12, 31)
    assert new.products.get(code="child_safety").premium == Decimal("25.00")
    assert TownshipInsurer.objects.filter(campaign=new).count() == 2
    assert Roster.objects.filter(campaign=new).count() == Area.objects.villages().count()
    event = AuditEvent.objects.get(action="campaign.roll_over")
    assert event.changes["续保户数"] == 1 and event.changes["子女满龄"] == 1


def test_the_child_who_turns_14_is_not_eligible_and_the_others_are_kept(world, last_year):
    campaign, families = last_year
    newcomer = build_household(world.village_a1, child_name="新领证")
    rolled = campaign_roll_over(actor=world.user("city"), campaign=campaign)
    assert (rolled.continuing, rolled.aged_out, rolled.no_longer_eligible) == (1, 1, 0)
    roster = Roster.objects.get(campaign=rolled.campaign, village=world.village_a1)
    entries = {entry.household_id: entry for entry in roster.entries.all()}
    kept = entries[families["continuing"].pk]
    assert kept.decision == RosterEntry.Decision.ENROLLED
    assert {p.product.code: p.shares for p in kept.products.select_related("product")} == {
        "child_safety": 2,
        "parent_health": 1,
    }
    aged = entries[families["aged"].pk]
    assert aged.decision == RosterEntry.Decision.NOT_ELIGIBLE
    assert aged.reason == "续保核对：子女已满 14 周岁"
    # Last year's decline and the new certificate wait for the cadre.
    assert families["declined"].pk not in entries and newcomer.pk not in entries
    figures = roster_figures(rolled.campaign, Area.objects.filter(pk=world.village_a1.pk))
    assert figures[world.village_a1.pk].undecided == 2
    assert roster.status == Roster.Status.DRAFT


def test_roll_over_once_and_only_by_the_city(world, last_year):
    campaign, _ = last_year
    with pytest.raises(PermissionDenied):
        campaign_roll_over(actor=world.user("township_a"), campaign=campaign)
    campaign_roll_over(actor=world.user("city"), campaign=campaign)
    with pytest.raises(ValidationError, match="2014年度已经建立"):
        campaign_roll_over(actor=world.user("city"), campaign=campaign)
    assert Campaign.objects.count() == 2


def test_29_february_moves_to_28_february():
    assert next_year(date(2012, 2, 29)) == date(2013, 2, 28)
    assert next_year(date(2012, 12, 31)) == date(2013, 12, 31)


def test_products_stay_editable_in_the_new_year(world, last_year):
    campaign, _ = last_year
    new = campaign_roll_over(actor=world.user("city"), campaign=campaign).campaign
    product = Product.objects.get(campaign=new, code="parent_health")
    product_update(actor=world.user("city"), product=product, premium=Decimal("30.00"))
    product.refresh_from_db()
    assert product.premium == Decimal("30.00")


def test_each_proposal_is_audited_as_a_decision(world, last_year):
    campaign, families = last_year
    new = campaign_roll_over(actor=world.user("city"), campaign=campaign).campaign
    entry = RosterEntry.objects.get(roster__campaign=new, household=families["continuing"])
    event = AuditEvent.objects.get(action="roster.decide", object_id=str(entry.pk))
    assert event.area == world.village_a1
    assert event.changes == {
        "decision": ["", "enrolled"],
        "reason": "",
        "shares:child_safety": 2,
        "shares:parent_health": 1,
    }


def test_a_parent_now_on_two_continuing_certificates_leaves_the_second_to_the_cadre(
    world, last_year
):
    campaign, families = last_year
    # Since last year the register put the continuing family's father on a second certificate.
    other = build_household(world.village_a2, child_name="同父")
    entry_decide(
        actor=None,
        roster=Roster.objects.get(campaign=campaign, village=world.village_a2),
        household=other,
        decision="enrolled",
    )
    other.father_id_number = families["continuing"].father_id_number
    other.save()

    rolled = campaign_roll_over(actor=world.user("city"), campaign=campaign)

    assert (rolled.continuing, rolled.aged_out, rolled.left_undecided) == (1, 1, 1)
    new_entries = RosterEntry.objects.filter(roster__campaign=rolled.campaign)
    assert set(new_entries.values_list("household", flat=True)) == {
        families["continuing"].pk,
        families["aged"].pk,
    }
    event = AuditEvent.objects.get(action="campaign.roll_over")
    assert event.changes["留待村里登记"] == 1
