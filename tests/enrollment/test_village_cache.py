"""Villages' figures kept between requests (``selectors.village_cache``) say what counting them
afresh says, after every kind of write, and never show a write before it commits.

These tests run outside a transaction (``transaction=True``), as a page does: only there are
kept figures used. Inside ``transaction.atomic()`` the same reads count directly, which is what
every other test sees; each check here compares the two.
"""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import FigureChange, FigureLog, Household, Roster, RosterEntry
from enrollment.selectors import village_cache
from enrollment.selectors.rosters import roster_figures, township_reconciliation
from enrollment.services.households import household_revoke
from enrollment.services.rosters import (
    entry_clear,
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_submit,
)
from haimen_insurance.models import Area
from oversight.dashboard import dashboard
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh():
    village_cache.forget()
    yield
    village_cache.forget()


def roster_of(campaign, village):
    return Roster.objects.select_related("campaign", "village").get(
        campaign=campaign, village=village
    )


def reads(world, campaign):
    """Every read that uses kept figures, as plain values to compare."""

    def reconciliation(township, user):
        found = township_reconciliation(campaign=campaign, township=township, user=user)
        return (
            [household.pk for household in found.undecided],
            [(person.pk, other.pk) for person, other in found.duplicates],
            [entry.pk for entry in found.ineligible_enrolled],
        )

    def board(user, township=None):
        result = dashboard(campaign=campaign, user=user, township=township)
        return [
            (row.area.pk, row.households, row.eligible, row.enrolled, row.policies, row.premium)
            for row in [*result.rows, result.total]
            if row.area is not None
        ] + [(result.total.households, result.total.eligible, result.total.enrolled)]

    return {
        "city figures": lambda: roster_figures(campaign, Area.objects.villages()),
        "town A figures": lambda: roster_figures(
            campaign, Area.objects.villages().filter(parent=world.town_a)
        ),
        "one village": lambda: roster_figures(
            campaign, Area.objects.filter(pk=world.village_a2.pk)
        ),
        "city dashboard": lambda: board(world.user("city")),
        "town A dashboard": lambda: board(world.user("township_a"), world.town_a),
        "town A reconciliation": lambda: reconciliation(world.town_a, world.user("township_a")),
        "city reconciliation": lambda: reconciliation(None, world.user("city")),
    }


def direct(read):
    with transaction.atomic():  # inside a transaction nothing kept is used
        return read()


def assert_kept_as_counted(world, campaign):
    for name, read in reads(world, campaign).items():
        kept = read()
        assert kept == direct(read), name
        assert read() == kept, name  # and again, from what was kept


def test_kept_figures_are_used_outside_a_transaction(world, campaign):
    villages = list(Area.objects.villages().values_list("pk", flat=True))
    assert village_cache.counts(campaign, villages) is not None
    with transaction.atomic():
        assert village_cache.counts(campaign, villages) is None


def test_kept_figures_follow_every_kind_of_write(world, campaign):
    a1 = [build_household(world.village_a1) for _ in range(3)]
    a2 = [build_household(world.village_a2) for _ in range(2)]
    build_household(world.village_b1)
    build_household(world.village_a1, child_birth_date=date(1999, 1, 1))  # turns 14
    assert_kept_as_counted(world, campaign)

    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster_of(campaign, world.village_a1))
    assert_kept_as_counted(world, campaign)

    entry_decide(
        actor=world.user("cadre_a2"),
        roster=roster_of(campaign, world.village_a2),
        household=a2[0],
        decision="declined",
        reason="家庭自愿放弃",
    )
    assert_kept_as_counted(world, campaign)

    household_revoke(actor=world.user("cadre_a1"), household=a1[0], reason="再生育，证件收回")
    assert_kept_as_counted(world, campaign)  # an enrolled household no longer eligible

    entry_clear(
        actor=world.user("cadre_a1"), roster=roster_of(campaign, world.village_a1), household=a1[1]
    )
    build_household(world.village_b1)
    assert_kept_as_counted(world, campaign)

    # The same ID as 东兴村's child and as 新河村's father: insured for two households.
    build_household(
        world.village_a2, father_name=a1[2].child_name, father_id_number=a1[2].child_id_number
    )
    roster_enrol_all(actor=world.user("cadre_a2"), roster=roster_of(campaign, world.village_a2))
    assert direct(reads(world, campaign)["town A reconciliation"])[1]
    assert_kept_as_counted(world, campaign)


def test_a_household_that_moves_after_its_roster_was_approved(world, campaign):
    """Its entry stays in the old village's approved roster: both villages are then counted
    directly, and the pages show what they showed before figures were kept."""
    a1 = [build_household(world.village_a1) for _ in range(3)]
    build_household(world.village_a2)
    build_household(world.village_b1)
    roster = roster_of(campaign, world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster)
    roster_submit(actor=world.user("cadre_a1"), roster=roster)
    roster_approve(actor=world.user("township_a"), roster=roster)
    assert_kept_as_counted(world, campaign)

    # As the register import writes a move: the household alone, to another township.
    Household.objects.filter(pk=a1[0].pk).update(village=world.village_b1)
    kept = village_cache.counts(campaign, [world.village_a1.pk, world.village_b1.pk])
    assert [village.irregular for village in kept.villages.values()] == [True, True]
    assert_kept_as_counted(world, campaign)
    roster_enrol_all(actor=world.user("cadre_b1"), roster=roster_of(campaign, world.village_b1))
    assert_kept_as_counted(world, campaign)  # now decided in both villages' rosters


def test_a_write_shows_once_committed_and_not_before(world, campaign):
    household = build_household(world.village_a1)
    roster = roster_of(campaign, world.village_a1)
    villages = [world.village_a1.pk]
    assert village_cache.counts(campaign, villages).villages[villages[0]].figures.enrolled == 0
    decided, go_on = threading.Event(), threading.Event()

    def cadre():
        try:
            with transaction.atomic():
                entry_decide(
                    actor=world.user("cadre_a1"),
                    roster=roster,
                    household=household,
                    decision="enrolled",
                )
                decided.set()
                go_on.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=cadre)
    worker.start()
    assert decided.wait(10)
    # Written, not committed: not counted, and nothing wrong is kept.
    assert village_cache.counts(campaign, villages).villages[villages[0]].figures.enrolled == 0
    go_on.set()
    worker.join(10)
    assert village_cache.counts(campaign, villages).villages[villages[0]].figures.enrolled == 1


def test_nothing_is_counted_again_while_nothing_changes(world, campaign):
    for village in (world.village_a1, world.village_a2, world.village_b1):
        build_household(village)
    villages = list(Area.objects.villages().values_list("pk", flat=True))
    village_cache.counts(campaign, villages)
    with CaptureQueriesContext(connection) as unchanged:
        village_cache.counts(campaign, villages)
    assert len(unchanged) == 1  # the check
    build_household(world.village_a1)
    with CaptureQueriesContext(connection) as changed:
        kept = village_cache.counts(campaign, villages)
    assert len(changed) == 1 + 5  # the check, and one village counted again
    assert kept.villages[world.village_a1.pk].figures.households == 2


def test_the_log_is_pruned_and_emptied_tables_start_afresh(world, campaign):
    build_household(world.village_a1)
    villages = [world.village_a1.pk]
    village_cache.counts(campaign, villages)
    build_household(world.village_a1)
    village_cache.counts(campaign, villages)
    assert FigureChange.objects.exists()
    # Ten minutes on, twice: the first pruning takes the next horizon, the second prunes.
    for _ in range(2):
        FigureLog.objects.update(
            candidate_at=FigureLog.objects.get().candidate_at.replace(year=2000)
        )
        village_cache.counts(campaign, villages)
    # (Not every row: the horizon is the oldest transaction then running on the server.)
    horizon = FigureLog.objects.get().horizon
    assert horizon > 0
    assert not FigureChange.objects.filter(txid__lt=horizon).exists()
    build_household(world.village_a1)
    assert village_cache.counts(campaign, villages).villages[villages[0]].figures.households == 3

    FigureLog.objects.all().delete()  # as a TRUNCATE of the tables does
    build_household(world.village_a1)
    assert village_cache.counts(campaign, villages).villages[villages[0]].figures.households == 4
    assert FigureLog.objects.count() == 1  # a new log


def test_the_township_rosters_page_queries_do_not_grow_with_villages(world, campaign, client):
    client.force_login(world.user("township_a"))
    url = reverse("enrollment:township_rosters", args=[world.town_a.pk])
    build_household(world.village_a1)  # undecided, as those of the villages added below
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for number in range(5):
        village = Area.objects.create(
            code=f"32068410030{number}",
            name=f"新村{number}",
            kind=Area.Kind.VILLAGE,
            parent=world.town_a,
        )
        build_household(village)
    client.get(url)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(url)
    assert Area.objects.filter(parent=world.town_a).aggregate(n=Count("pk"))["n"] == 7
    assert "新村4" in response.text
    assert len(seven) == len(two)


def test_without_the_triggers_nothing_is_kept(world, campaign):
    villages = [world.village_a1.pk]
    trigger = "enrollment_household {} TRIGGER enrollment_figures_household_insert"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {trigger.format('DISABLE')}")
    try:
        village_cache._kept.triggers = None  # looked up again, as a new process does
        assert village_cache.counts(campaign, villages) is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {trigger.format('ENABLE')}")
        village_cache._kept.triggers = None
    assert village_cache.counts(campaign, villages) is not None


def test_enrolling_in_one_village_keeps_the_other_villages_kept(world, campaign):
    """A household enrolled in 东兴村 (its entry, products and insured persons): 东兴村 is
    counted again, 新河村 and 南星村 are taken as kept, not counted."""
    households = {village: build_household(village) for village in world_villages(world)}
    villages = [village.pk for village in households]
    before = village_cache.counts(campaign, villages)
    a1, a2, b1 = world_villages(world)
    entry_decide(
        actor=world.user("cadre_a1"),
        roster=roster_of(campaign, a1),
        household=households[a1],
        decision="enrolled",
    )
    whole = FigureChange.objects.filter(village_id=None, id_number=None)
    assert not whole.exists()  # no campaign as a whole

    with CaptureQueriesContext(connection) as queries:
        after = village_cache.counts(campaign, villages)

    assert len(queries) == 1 + 5  # the check, and 东兴村 counted again
    assert after.villages[a1.pk].enrolled == 1 and after.villages[a1.pk].figures.persons == 3
    for village in (a2, b1):
        assert after.villages[village.pk] is before.villages[village.pk]
    assert_kept_as_counted(world, campaign)


def test_a_large_villages_enrol_all_keeps_the_other_villages_kept(world, campaign):
    """全部参保 of 350 households writes 1,050 insured persons in one statement: their villages
    are logged (not the campaign as a whole), their ID numbers as the campaign's, so the ID
    numbers insured twice are found again and the other villages stay kept."""
    for _ in range(350):
        build_household(world.village_a1)
    # A 东兴村 child's ID as 南星村's father: insured for two households once both are enrolled.
    child = Household.objects.filter(village=world.village_a1).first()
    build_household(
        world.village_b1, father_name=child.child_name, father_id_number=child.child_id_number
    )
    build_household(world.village_a2)
    villages = [village.pk for village in world_villages(world)]
    roster_enrol_all(actor=world.user("cadre_b1"), roster=roster_of(campaign, world.village_b1))
    before = village_cache.counts(campaign, villages, shared=True)
    assert before.shared == frozenset()

    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster_of(campaign, world.village_a1))
    assert FigureChange.objects.filter(id_number="").exists()  # every ID number, as one row
    assert not FigureChange.objects.filter(village_id=None, id_number=None).exists()
    after = village_cache.counts(campaign, villages, shared=True)

    assert after.villages[world.village_a1.pk].enrolled == 350
    for village in (world.village_a2, world.village_b1):
        assert after.villages[village.pk] is before.villages[village.pk]
    assert after.shared == {child.child_id_number}
    assert_kept_as_counted(world, campaign)


def test_persons_whose_line_was_deleted_first_log_their_campaign(world, campaign):
    """Deleted before its persons in one transaction (the foreign keys are checked at commit),
    a line leaves the persons' village unknown: every village of the campaign is counted
    again."""
    household = build_household(world.village_a1)
    build_household(world.village_b1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster_of(campaign, world.village_a1))
    villages = [village.pk for village in world_villages(world)]
    before = village_cache.counts(campaign, villages)
    entry = RosterEntry.objects.get(household=household)
    with transaction.atomic(), connection.cursor() as cursor:
        lines = list(entry.products.values_list("pk", flat=True))
        cursor.execute("DELETE FROM enrollment_entryproduct WHERE id = ANY(%s)", [lines])
        cursor.execute(
            "DELETE FROM enrollment_insuredperson WHERE entry_product_id = ANY(%s)", [lines]
        )
        cursor.execute(
            "UPDATE enrollment_rosterentry SET policies = 0, premium = 0 WHERE id = %s", [entry.pk]
        )
    assert FigureChange.objects.filter(
        village_id=None, campaign_id=campaign.pk, id_number=None
    ).exists()
    after = village_cache.counts(campaign, villages)
    assert after.villages[world.village_b1.pk] is not before.villages[world.village_b1.pk]
    assert after.villages[world.village_a1.pk].figures.persons == 0
    assert_kept_as_counted(world, campaign)


def world_villages(world):
    return [world.village_a1, world.village_a2, world.village_b1]
