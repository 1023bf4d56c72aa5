"""Approving several village rosters at once from the township's rosters page: one confirmation
page listing the chosen rosters, all or nothing in one transaction, one audit event per roster."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.urls import reverse

from enrollment.models import Roster
from enrollment.services.rosters import roster_enrol_all, roster_submit, rosters_approve
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.django_db


def submitted(campaign, *villages) -> list[Roster]:
    rosters = []
    for village in villages:
        build_household(village)
        roster = Roster.objects.get(campaign=campaign, village=village)
        roster_enrol_all(actor=None, roster=roster)
        rosters.append(roster_submit(actor=None, roster=roster))
    return rosters


def approve_url(world):
    return reverse("enrollment:township_rosters_approve", args=[world.town_a.pk])


def test_approves_every_chosen_roster_with_one_event_each(world, campaign):
    rosters = submitted(campaign, world.village_a1, world.village_a2)
    officer = world.user("township_a")
    approved = rosters_approve(actor=officer, rosters=rosters)
    assert [roster.village.name for roster in approved] == ["东兴村", "新河村"]
    assert set(
        Roster.objects.values_list("status", flat=True).filter(pk__in=[r.pk for r in rosters])
    ) == {"approved"}
    events = AuditEvent.objects.filter(action="roster.approve")
    assert sorted(int(event.object_id) for event in events) == sorted(r.pk for r in rosters)
    assert {event.actor_id for event in events} == {officer.pk}


def test_refuses_all_and_names_the_rosters_not_submitted(world, campaign):
    (first,) = submitted(campaign, world.village_a1)
    draft = Roster.objects.get(campaign=campaign, village=world.village_a2)
    with pytest.raises(ValidationError) as refusal:
        rosters_approve(actor=world.user("township_a"), rosters=[first, draft])
    assert "新河村（填报中）" in refusal.value.messages[0]
    assert "东兴村" not in refusal.value.messages[0]
    first.refresh_from_db()
    assert first.status == Roster.Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="roster.approve").exists()


def test_refuses_a_roster_of_another_township_and_nothing_is_approved(world, campaign):
    ours, theirs = submitted(campaign, world.village_a1, world.village_b1)
    with pytest.raises(PermissionDenied):
        rosters_approve(actor=world.user("township_a"), rosters=[ours, theirs])
    ours.refresh_from_db()
    assert ours.status == Roster.Status.SUBMITTED


def test_refuses_an_empty_choice(world, campaign):
    with pytest.raises(ValidationError):
        rosters_approve(actor=world.user("township_a"), rosters=[])


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_approve_each_roster_once(world):
    campaign = build_campaign()
    rosters = submitted(campaign, world.village_a1, world.village_a2)
    officer = world.user("township_a")
    outcomes = []
    barrier = threading.Barrier(2)

    def act():
        barrier.wait()
        try:
            rosters_approve(actor=officer, rosters=rosters)
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(f"refused: {error.messages[0]}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "approved"
    assert outcomes.count("approved") == 1, outcomes
    assert AuditEvent.objects.filter(action="roster.approve").count() == 2


# --- the pages ---


def test_township_page_offers_a_checkbox_per_submitted_roster(world, campaign, client):
    first, second = submitted(campaign, world.village_a1, world.village_a2)
    client.force_login(world.user("township_a"))
    page = client.get(reverse("enrollment:township_rosters", args=[world.town_a.pk])).text
    assert f'name="roster" value="{first.pk}"' in page
    assert f'name="roster" value="{second.pk}"' in page
    assert approve_url(world) in page
    client.force_login(world.user("city"))  # the city reads the page but does not approve
    page = client.get(reverse("enrollment:township_rosters", args=[world.town_a.pk])).text
    assert 'name="roster"' not in page


def test_confirmation_page_lists_the_chosen_and_names_the_refused(world, campaign, client):
    (first,) = submitted(campaign, world.village_a1)
    draft = Roster.objects.get(campaign=campaign, village=world.village_a2)
    client.force_login(world.user("township_a"))
    response = client.get(approve_url(world), {"roster": [first.pk, draft.pk]})
    assert response.status_code == 200
    page = response.text
    assert "东兴村" in page and "新河村" in page
    assert "全部通过或全部不通过" in page
    assert "不能审核通过：新河村（填报中）" in page
    assert "确认审核通过" not in page  # nothing to confirm while one is refused
    response = client.get(approve_url(world), {"roster": [first.pk]})
    assert "确认审核通过 1 本名册" in response.text
    assert f'name="roster" value="{first.pk}"' in response.text
    first.refresh_from_db()
    assert first.status == Roster.Status.SUBMITTED  # the GET changes nothing


def test_confirming_approves_each_and_goes_back_to_the_township(world, campaign, client):
    rosters = submitted(campaign, world.village_a1, world.village_a2)
    client.force_login(world.user("township_a"))
    response = client.post(
        approve_url(world), {"roster": [r.pk for r in rosters], "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(
        reverse("enrollment:township_rosters", args=[world.town_a.pk])
    )
    assert "已审核通过 2 本名册：东兴村、新河村" in response.text
    assert AuditEvent.objects.filter(action="roster.approve").count() == 2


def test_a_refused_confirmation_changes_nothing_and_says_why(world, campaign, client):
    (first,) = submitted(campaign, world.village_a1)
    draft = Roster.objects.get(campaign=campaign, village=world.village_a2)
    client.force_login(world.user("township_a"))
    response = client.post(
        approve_url(world), {"roster": [first.pk, draft.pk], "confirm": "1"}, follow=True
    )
    assert "新河村（填报中）" in response.text
    first.refresh_from_db()
    assert first.status == Roster.Status.SUBMITTED


def test_a_roster_outside_the_township_answers_404(world, campaign, client):
    (theirs,) = submitted(campaign, world.village_b1)
    client.force_login(world.user("township_a"))
    assert client.get(approve_url(world), {"roster": [theirs.pk]}).status_code == 404
    response = client.post(approve_url(world), {"roster": [theirs.pk], "confirm": "1"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Roster.Status.SUBMITTED
