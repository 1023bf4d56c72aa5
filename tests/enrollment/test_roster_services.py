"""Roster services: decisions, bulk enrolment, submit / approve / return, the township report."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from enrollment.models import InsuredPerson, Roster, TownshipReport
from enrollment.selectors.rosters import roster_figures, roster_problems, township_reconciliation
from enrollment.services.campaigns import product_update
from enrollment.services.households import household_update
from enrollment.services.rosters import (
    RosterProblems,
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_return,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from haimen_insurance.models import Area, AuditEvent
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db

OVER_AGE = date(1999, 1, 1)  # turns 14 on the age date 2013-01-01
JUST_UNDER = date(1999, 1, 2)


def roster_of(campaign, village) -> Roster:
    return Roster.objects.get(campaign=campaign, village=village)


@pytest.fixture
def village(world, campaign):
    """Village A1 with three eligible families (one single-parent), one over age, one urban."""
    build_household(world.village_a1, child_birth_date=JUST_UNDER)
    build_household(world.village_a1)
    build_household(world.village_a1, father_name="", father_id_number="")
    build_household(world.village_a1, child_birth_date=OVER_AGE)
    build_household(world.village_a1, hukou="urban")
    return roster_of(campaign, world.village_a1)


def figures_of(roster):
    return roster_figures(roster.campaign, Area.objects.filter(pk=roster.village_id))[
        roster.village_id
    ]


def test_campaign_builds_a_draft_roster_per_village(world, campaign):
    assert Roster.objects.filter(campaign=campaign).count() == 3
    assert set(campaign.products.values_list("code", "premium")) == {
        ("child_safety", Decimal("20.00")),
        ("parent_health", Decimal("20.00")),
    }


def test_enrol_all_counts_policies_persons_and_premium(world, village):
    cadre = world.user("cadre_a1")
    result = roster_enrol_all(actor=cadre, roster=village)
    assert result.enrolled == 3
    figures = figures_of(village)
    assert (figures.eligible, figures.enrolled, figures.not_eligible, figures.undecided) == (
        3,
        3,
        2,
        0,
    )
    assert figures.policies == 6
    assert figures.persons == 3 + 2 + 2 + 1  # children, two couples, one single parent
    assert figures.premium == Decimal("120.00")


def test_submit_refused_with_every_undecided_household(world, village):
    cadre = world.user("cadre_a1")
    with pytest.raises(RosterProblems) as refusal:
        roster_submit(actor=cadre, roster=village)
    assert len(refusal.value.problems) == 3
    assert all("尚未登记" in problem.message for problem in refusal.value.problems)
    village.refresh_from_db()
    assert village.status == Roster.Status.DRAFT


def test_enrolling_an_ineligible_household_is_refused(world, village):
    household = village.village.households.get(child_birth_date=OVER_AGE)
    with pytest.raises(ValidationError, match="子女已满年龄界限"):
        entry_decide(
            actor=world.user("cadre_a1"), roster=village, household=household, decision="enrolled"
        )


def test_decline_needs_a_reason(world, village):
    household = village.village.households.first()
    with pytest.raises(ValidationError, match="原因"):
        entry_decide(
            actor=world.user("cadre_a1"), roster=village, household=household, decision="declined"
        )


def test_the_same_child_cannot_be_enrolled_in_two_villages(world, campaign, village):
    household = village.village.households.get(child_birth_date=JUST_UNDER)
    entry_decide(
        actor=world.user("cadre_a1"), roster=village, household=household, decision="enrolled"
    )
    # The same father registered on a certificate in the neighbouring village.
    other = build_household(
        world.village_a2, father_name="同一人", father_id_number=household.father_id_number
    )
    with pytest.raises(ValidationError, match="东兴村"):
        entry_decide(
            actor=world.user("cadre_a2"),
            roster=roster_of(campaign, world.village_a2),
            household=other,
            decision="enrolled",
        )


def test_the_whole_flow_submit_return_resubmit_approve_report(world, campaign, village):
    cadre, officer = world.user("cadre_a1"), world.user("township_a")
    roster_enrol_all(actor=cadre, roster=village)
    roster_submit(actor=cadre, roster=village)
    with pytest.raises(ValidationError, match="不能再修改"):
        roster_enrol_all(actor=cadre, roster=village)
    # Not-eligible households got entries with the register's reason.
    reasons = set(village.entries.filter(decision="not_eligible").values_list("reason", flat=True))
    assert reasons == {"子女已满年龄界限", "非农业户口"}
    roster_return(actor=officer, roster=village, reason="请核对第二户的联系电话")
    village.refresh_from_db()
    assert village.status == Roster.Status.RETURNED and "联系电话" in village.return_reason
    roster_submit(actor=cadre, roster=village)
    roster_approve(actor=officer, roster=village)
    with pytest.raises(ValidationError, match="审核通过后"):
        township_report_draft(actor=officer, campaign=campaign, township=world.town_a)
    for other in Roster.objects.filter(campaign=campaign, village=world.village_a2):
        roster_submit(actor=world.user("cadre_a2"), roster=other)
        roster_approve(actor=officer, roster=other)
    report = township_report_draft(actor=officer, campaign=campaign, township=world.town_a)
    assert (report.households, report.policies, report.persons, report.premium) == (
        3,
        6,
        8,
        Decimal("120.00"),
    )
    assert sum(line.premium for line in report.lines.all()) == Decimal("120.00")
    township_report_submit(actor=officer, report=report)
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    assert not Roster.objects.filter(
        campaign=campaign, village__parent=world.town_a, locked_at=None
    ).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"roster.submit", "roster.return", "roster.approve", "township_report.report"} <= actions


def test_a_register_edit_never_rewrites_a_submitted_roster(world, village):
    cadre = world.user("cadre_a1")
    roster_enrol_all(actor=cadre, roster=village)
    roster_submit(actor=cadre, roster=village)
    household = village.village.households.get(child_birth_date=JUST_UNDER)
    name = household.child_name
    household_update(actor=cadre, household=household, child_name="改名后")
    assert InsuredPerson.objects.filter(name=name).exists()
    assert not InsuredPerson.objects.filter(name="改名后").exists()


def test_products_fixed_once_a_roster_is_submitted(world, campaign, village):
    product = campaign.products.get(code="child_safety")
    product_update(actor=world.user("city"), product=product, premium=Decimal("25.00"))
    roster_enrol_all(actor=world.user("cadre_a1"), roster=village)
    roster_submit(actor=world.user("cadre_a1"), roster=village)
    with pytest.raises(ValidationError, match="不能再修改"):
        product_update(actor=world.user("city"), product=product, premium=Decimal("30.00"))


def test_only_the_villages_cadre_decides(world, campaign, village):
    with pytest.raises(PermissionDenied):
        roster_enrol_all(actor=world.user("cadre_a2"), roster=village)


def test_reconciliation_lists_undecided_and_ineligible_enrolled(world, campaign, village):
    cadre = world.user("cadre_a1")
    reconciliation = township_reconciliation(
        campaign=campaign, township=world.town_a, user=world.user("township_a")
    )
    assert len(reconciliation.undecided) == 3
    roster_enrol_all(actor=cadre, roster=village)
    household = village.village.households.get(child_birth_date=JUST_UNDER)
    household_update(actor=cadre, household=household, hukou="urban")
    reconciliation = township_reconciliation(
        campaign=campaign, township=world.town_a, user=world.user("township_a")
    )
    assert reconciliation.undecided == []
    assert [entry.household_id for entry in reconciliation.ineligible_enrolled] == [household.pk]
    assert any("不符合条件" in problem.message for problem in roster_problems(village))


@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_once_end_in_one_state(world):
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    build_household(world.village_a1)
    roster = roster_of(campaign, world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)
    second = world.user("township_a")
    outcomes = []
    barrier = threading.Barrier(2)

    def act(service, **kwargs):
        barrier.wait()
        try:
            service(actor=second, roster=roster, **kwargs)
            outcomes.append(service.__name__)
        except ValidationError as error:
            outcomes.append(f"refused: {error.messages[0]}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(roster_approve,)),
        threading.Thread(target=act, args=(roster_return,), kwargs={"reason": "重新核对"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    roster.refresh_from_db()
    won = [outcome for outcome in outcomes if not outcome.startswith("refused")]
    assert len(won) == 1, outcomes
    assert roster.status == {"roster_approve": "approved", "roster_return": "returned"}[won[0]]
    refused = [outcome for outcome in outcomes if outcome.startswith("refused")]
    assert "只有已提交待审核的名册可以审核" in refused[0]
    assert AuditEvent.objects.filter(action__in=["roster.approve", "roster.return"]).count() == 1


def test_entries_carry_the_totals_of_their_products(world):
    """policies and premium on each entry equal its products, whichever way it was decided."""
    from django.db.models import Count, Sum

    from enrollment.models import EntryProduct, RosterEntry
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    single = build_household(world.village_a1, father_name="", father_id_number="")
    chosen = build_household(world.village_a1)
    later = build_household(world.village_a1)
    build_household(world.village_a1)
    roster = roster_of(campaign, world.village_a1)
    child = campaign.products.get(code="child_safety")
    entry_decide(
        actor=None, roster=roster, household=chosen, decision="enrolled", shares={child: 3}
    )
    roster_enrol_all(actor=None, roster=roster)
    entry_decide(actor=None, roster=roster, household=later, decision="declined", reason="外出")
    for entry in RosterEntry.objects.filter(roster=roster):
        products = EntryProduct.objects.filter(entry=entry).aggregate(
            n=Count("pk"), total=Sum("premium")
        )
        assert (entry.policies, entry.premium) == (products["n"], products["total"] or 0)
    totals = {e.household_id: (e.policies, e.premium) for e in roster.entries.all()}
    assert totals[chosen.pk] == (1, Decimal("60.00"))
    assert totals[single.pk] == (2, Decimal("40.00"))
    assert totals[later.pk] == (0, Decimal("0.00"))
