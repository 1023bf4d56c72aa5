"""Entry on a village's behalf: the township officer fills in and submits the roster of a village
whose cadre has no account or no computer; every such decision is marked as made for the village
(the entry, the audit event, the roster page and its PDF and workbook)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import Roster, RosterEntry
from enrollment.services.rosters import (
    entry_clear,
    entry_decide,
    roster_enrol_all,
    roster_submit,
)
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import build_household
from tests.enrollment.test_roster_exports import pdf_text

pytestmark = pytest.mark.django_db

ON_BEHALF = {"代填": "乡镇代村填报"}


@pytest.fixture
def roster(world, campaign):
    return Roster.objects.get(campaign=campaign, village=world.village_a2)


def test_the_township_officer_decides_enrols_and_submits_for_the_village(world, roster):
    officer = world.user("township_a")
    declined, *others = [build_household(world.village_a2) for _ in range(3)]
    entry = entry_decide(
        actor=officer, roster=roster, household=declined, decision="declined", reason="外出务工"
    )
    assert entry.on_behalf and entry.decided_by == officer
    assert roster_enrol_all(actor=officer, roster=roster).enrolled == 2
    roster_submit(actor=officer, roster=roster)
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SUBMITTED
    assert roster.submitted_by == officer and roster.submitted_on_behalf
    assert set(RosterEntry.objects.filter(roster=roster).values_list("on_behalf", flat=True)) == {
        True
    }
    for action in ("roster.decide", "roster.enrol_all", "roster.submit"):
        event = AuditEvent.objects.get(action=action)
        assert event.changes.items() >= ON_BEHALF.items(), action


def test_the_cadre_s_own_decisions_are_not_marked(world, campaign):
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    cadre = world.user("cadre_a1")
    entry = entry_decide(
        actor=cadre, roster=roster, household=build_household(world.village_a1), decision="enrolled"
    )
    assert not entry.on_behalf
    assert "代填" not in AuditEvent.objects.get(action="roster.decide").changes
    roster_submit(actor=cadre, roster=roster)
    roster.refresh_from_db()
    assert not roster.submitted_on_behalf


def test_a_cadre_s_decision_taken_over_by_the_township_becomes_on_behalf(world, roster):
    household = build_household(world.village_a2)
    entry_decide(
        actor=world.user("cadre_a2"), roster=roster, household=household, decision="enrolled"
    )
    entry = entry_decide(
        actor=world.user("township_a"),
        roster=roster,
        household=household,
        decision="declined",
        reason="家庭自愿放弃",
    )
    assert entry.on_behalf
    entry_clear(actor=world.user("township_a"), roster=roster, household=household)
    event = AuditEvent.objects.get(action="roster.clear")
    assert event.changes.items() >= ON_BEHALF.items()


def test_another_township_and_the_city_may_not_fill_in(world, roster):
    household = build_household(world.village_a2)
    for key in ("township_b", "city", "finance_a", "cadre_a1"):
        with pytest.raises(PermissionDenied):
            entry_decide(
                actor=world.user(key), roster=roster, household=household, decision="enrolled"
            )
        with pytest.raises(PermissionDenied):
            roster_enrol_all(actor=world.user(key), roster=roster)
        with pytest.raises(PermissionDenied):
            roster_submit(actor=world.user(key), roster=roster)


# --- the pages and files ---


def test_the_township_officer_fills_in_through_the_pages(world, roster, client):
    household = build_household(world.village_a2)
    client.force_login(world.user("township_a"))
    overview = client.get(reverse("enrollment:township_rosters", args=[world.town_a.pk])).text
    assert "代填" in overview
    page = client.get(roster.get_absolute_url()).text
    assert reverse("enrollment:roster_submit", args=[roster.pk]) in page
    assert "代新河村填报" in page
    entry_url = reverse("enrollment:entry_decide", args=[roster.pk, household.pk])
    assert client.get(entry_url).status_code == 200
    products = roster.campaign.products.all()
    response = client.post(
        entry_url,
        {"decision": "enrolled", "reason": ""} | {f"shares_{p.code}": 1 for p in products},
    )
    assert response.status_code == 302
    assert RosterEntry.objects.get(roster=roster).on_behalf
    response = client.post(reverse("enrollment:roster_submit", args=[roster.pk]), follow=True)
    assert "名册已代新河村提交" in response.text
    page = client.get(roster.get_absolute_url()).text
    assert "由海门镇计生办代填" in page


def test_the_roster_files_say_who_filled_it_in(world, roster, client):
    household = build_household(world.village_a2)
    entry_decide(
        actor=world.user("township_a"), roster=roster, household=household, decision="enrolled"
    )
    client.force_login(world.user("township_a"))
    response = client.get(reverse("enrollment:roster_xlsx", args=[roster.pk]))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert any("由海门镇计生办代填" in str(text) for text in texts)
    pdf = client.get(reverse("enrollment:roster_pdf", args=[roster.pk])).getvalue()
    assert "由海门镇计生办代填" in pdf_text(pdf).replace(" ", "")


def test_a_cadre_filled_roster_says_nothing_of_it(world, campaign, client):
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    cadre = world.user("cadre_a1")
    entry_decide(
        actor=cadre, roster=roster, household=build_household(world.village_a1), decision="enrolled"
    )
    client.force_login(cadre)
    assert "代填" not in client.get(roster.get_absolute_url()).text
