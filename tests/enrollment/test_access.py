"""Every "who may" question of enrollment (``enrollment.access``) asked of every role of the small
world, and of the system (``None``): who may, and, for the questions about now, in which states
of the roster or township report. The services refuse exactly the people the module refuses."""

import re
from functools import partial
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from enrollment import access
from enrollment.models import RegisterImport, Roster, TownshipReport
from enrollment.services.households import household_create
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.register_import import register_import_check
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_return,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from tests.enrollment.conftest import build_household, build_reported_report, transfer_values

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent

USERS = (
    "city",
    "leader",
    "township_a",
    "township_b",
    "finance_a",
    "finance_b",
    "cadre_a1",
    "cadre_a2",
    "cadre_b1",
    "insurer_a",
    "insurer_b",
)
SYSTEM = "system"
CITY = {"city", "leader"}


def people(world):
    """The world's users by key, and the system."""
    return {**{key: world.user(key) for key in USERS}, SYSTEM: None}


def allowed(world, question) -> set[str]:
    """The keys (users, and "system") ``question(user)`` says yes to."""
    return {key for key, user in people(world).items() if question(user)}


def of_people(world, question) -> set[str]:
    """As ``allowed``, asked of people only (the question has no answer for the system)."""
    return {key for key in USERS if question(world.user(key))}


@pytest.fixture
def roster(world, campaign):
    """海门镇东兴村's roster, being filled in."""
    return Roster.objects.select_related("village").get(campaign=campaign, village=world.village_a1)


def _reload(roster):
    return Roster.objects.select_related("village").get(pk=roster.pk)


# --- how pages are shaped by scope ---


def test_scope_shaped_pages(world):
    assert of_people(world, access.sees_one_village) == {"cadre_a1", "cadre_a2", "cadre_b1"}
    assert of_people(world, access.sees_one_township) == {
        "township_a",
        "township_b",
        "finance_a",
        "finance_b",
    }
    assert allowed(world, access.may_see_city_overview) == CITY


# --- the register ---


def test_only_the_village_s_own_cadre_writes_its_households(world):
    def question(user):
        return access.may_write_household(user, world.village_a1.pk)

    assert allowed(world, question) == {"cadre_a1"}
    cadre = world.user("cadre_a1")
    cadre.is_active = False
    assert not access.may_write_household(cadre, world.village_a1.pk)


def test_the_register_is_imported_by_the_township_officers_the_city_officer_and_the_system(world):
    assert allowed(world, access.may_import_register) == {
        "township_a",
        "township_b",
        "city",
        SYSTEM,
    }
    assert allowed(world, access.may_see_every_register_import) == {"city"}


def test_register_imports_are_seen_by_their_uploader_and_the_city_officer(world):
    upload = RegisterImport.objects.create(
        uploaded_by=world.user("township_a"), filename="登记.xlsx", content=b""
    )
    seeing = {
        key
        for key in USERS
        if RegisterImport.objects.for_user(world.user(key)).filter(pk=upload.pk).exists()
    }
    assert seeing == {"township_a", "city"}


# --- campaigns ---


def test_the_city_officer_and_the_system_set_up_campaigns(world):
    assert allowed(world, access.may_set_up_campaigns) == {"city", SYSTEM}


def test_only_the_city_sees_campaigns_being_prepared(world):
    assert allowed(world, access.may_see_campaigns_being_prepared) == CITY


# --- rosters ---


def test_the_cadre_and_the_township_officer_fill_in_the_village_s_roster(world, roster):
    assert allowed(world, lambda user: access.may_fill_roster(user, roster)) == {
        "cadre_a1",
        "township_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.fills_on_behalf(user, roster)) == {"township_a"}
    assert allowed(world, lambda user: access.may_fill_in_for_villages(user, world.town_a.pk)) == {
        "township_a"
    }


def test_filling_in_and_submitting_follow_the_roster_s_state(world, roster):
    fillers = {"cadre_a1", "township_a", SYSTEM}

    def editing(current):
        return allowed(world, lambda user: access.may_edit_roster(user, current))

    def submitting(current):
        return allowed(world, lambda user: access.may_submit_roster(user, current))

    assert editing(roster) == submitting(roster) == fillers
    roster_submit(actor=None, roster=roster)
    roster = _reload(roster)
    assert editing(roster) == submitting(roster) == set()
    roster_return(actor=None, roster=roster, reason="请核对")
    roster = _reload(roster)
    assert editing(roster) == submitting(roster) == fillers
    roster_submit(actor=None, roster=roster)
    roster_approve(actor=None, roster=roster)
    roster = _reload(roster)
    assert editing(roster) == submitting(roster) == set()


def test_the_township_officer_reviews_a_submitted_roster(world, roster):
    def reviewing(current):
        approving = allowed(world, lambda user: access.may_approve_roster(user, current))
        returning = allowed(world, lambda user: access.may_return_roster(user, current))
        assert approving == returning
        return approving

    assert allowed(world, lambda user: access.may_review_rosters(user, world.town_a.pk)) == {
        "township_a",
        SYSTEM,
    }
    assert reviewing(roster) == set()
    roster_submit(actor=None, roster=roster)
    assert reviewing(_reload(roster)) == {"township_a", SYSTEM}
    roster_approve(actor=None, roster=roster)
    assert reviewing(_reload(roster)) == set()


def test_the_township_s_rosters_pages_are_the_officer_s_and_the_city_s(world):
    assert allowed(world, access.may_see_township_rosters) == {"township_a", "township_b", *CITY}


def test_a_locked_roster_allows_nothing(world, campaign):
    report = build_reported_report(campaign, world.town_a)
    roster = Roster.objects.select_related("village").get(
        campaign=campaign, village=world.village_a1
    )
    assert roster.locked_at is not None and roster.status == Roster.Status.APPROVED
    assert not any(roster.allows(action) for action in ("edit", "submit", "approve", "lock"))
    assert allowed(world, lambda user: access.may_edit_roster(user, roster)) == set()
    assert report.status == TownshipReport.Status.REPORTED


# --- the township report, the transfer, the policies ---


@pytest.fixture
def drafted(world, campaign):
    """海门镇's report, drafted: one family enrolled in 东兴村."""
    build_household(world.village_a1)
    for roster in Roster.objects.filter(campaign=campaign, village__parent=world.town_a):
        roster_enrol_all(actor=None, roster=roster)
        roster_submit(actor=None, roster=roster)
        roster_approve(actor=None, roster=roster)
    return township_report_draft(actor=None, campaign=campaign, township=world.town_a)


def _advance(report, to: str) -> TownshipReport:
    """The drafted ``report`` moved on by the system to ``to``."""
    if to in ("reported", "funded", "issued"):
        report = township_report_submit(actor=None, report=report)
    if to in ("funded", "issued"):
        transfer_record(actor=None, report=report, **transfer_values(report))
    if to == "issued":
        policies_issue(actor=None, report=report)
    return TownshipReport.objects.get(pk=report.pk)


def test_the_township_officer_makes_and_reports_the_township_report(world, drafted):
    town = world.town_a.pk
    assert allowed(world, lambda user: access.may_make_township_report(user, town)) == {
        "township_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.may_draft_report(user, town, None)) == {
        "township_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.may_draft_report(user, town, drafted)) == {
        "township_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.may_submit_report(user, drafted)) == {
        "township_a",
        SYSTEM,
    }
    reported = _advance(drafted, "reported")
    assert allowed(world, lambda user: access.may_draft_report(user, town, reported)) == set()
    assert allowed(world, lambda user: access.may_submit_report(user, reported)) == set()


def test_a_drafted_report_is_listed_for_the_township_side_only(world, drafted):
    assert allowed(world, lambda user: access.may_list_report(user, drafted)) == {
        "township_a",
        "township_b",
        *CITY,
    }
    reported = _advance(drafted, "reported")
    assert allowed(world, lambda user: access.may_list_report(user, reported)) == {
        *USERS,
        SYSTEM,
    }


@pytest.mark.parametrize(
    ("state", "recorders"),
    [("drafted", set()), ("reported", {"finance_a", SYSTEM}), ("funded", set())],
)
def test_the_township_s_finance_office_records_the_transfer_of_a_reported_report(
    world, drafted, state, recorders
):
    report = _advance(drafted, state)
    assert allowed(world, lambda user: access.may_record_transfers(user, world.town_a.pk)) == {
        "finance_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.may_record_transfer(user, report)) == recorders


@pytest.mark.parametrize(
    ("state", "listers"),
    [("reported", set()), ("funded", {"insurer_a", SYSTEM}), ("issued", {"insurer_a", SYSTEM})],
)
def test_the_insurer_the_campaign_names_issues_the_policies(world, drafted, state, listers):
    report = _advance(drafted, state)
    insurer = world.insurer_a.pk
    assert allowed(world, lambda user: access.may_issue_policies(user, insurer)) == {
        "insurer_a",
        SYSTEM,
    }
    assert allowed(world, lambda user: access.may_issue_policies(user, None)) == {SYSTEM}
    assert allowed(world, lambda user: access.may_see_policy_list(user, report, insurer)) == (
        listers
    )
    assert report.issuable == (state == "funded")


# --- the services refuse exactly whom the module refuses ---


def _refused(write) -> bool:
    """Whether ``write()`` is refused as not allowed; whatever it writes is rolled back."""
    try:
        with transaction.atomic():
            write()
            transaction.set_rollback(True)
    except PermissionDenied:
        return True
    except ValidationError:
        pass
    return False


def test_the_services_ask_the_access_rules(world, drafted):
    campaign, town_a = drafted.campaign, world.town_a
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    reported = _advance(drafted, "reported")
    build_household(world.village_b1)
    funded_b = build_reported_report(campaign, world.town_b)
    transfer_record(actor=None, report=funded_b, **transfer_values(funded_b))
    cases = {
        "household_create": (
            lambda user: household_create(actor=user, village=world.village_a1),
            lambda user: access.may_write_household(user, world.village_a1.pk),
        ),
        "register_import_check": (
            lambda user: register_import_check(actor=user, file=b"", filename="x.csv"),
            access.may_import_register,
        ),
        "roster_submit": (
            lambda user: roster_submit(actor=user, roster=roster),
            lambda user: access.may_fill_roster(user, roster),
        ),
        "roster_approve": (
            lambda user: roster_approve(actor=user, roster=roster),
            lambda user: access.may_review_rosters(user, town_a.pk),
        ),
        "township_report_draft": (
            lambda user: township_report_draft(actor=user, campaign=campaign, township=town_a),
            lambda user: access.may_make_township_report(user, town_a.pk),
        ),
        "transfer_record": (
            lambda user: transfer_record(actor=user, report=reported, **transfer_values(reported)),
            lambda user: access.may_record_transfers(user, town_a.pk),
        ),
        "policies_issue": (
            lambda user: policies_issue(actor=user, report=funded_b),
            lambda user: access.may_issue_policies(user, world.insurer_b.pk),
        ),
    }
    for key, user in people(world).items():
        for name, (write, may) in cases.items():
            assert _refused(partial(write, user)) == (not may(user)), (key, name)


def test_no_page_of_enrollment_reads_the_role_itself():
    """Views, filters and templates ask ``enrollment.access``; none compares ``user.role``."""
    paths = [
        *sorted((ROOT / "templates" / "enrollment").glob("*.html")),
        *sorted((ROOT / "enrollment" / "views").glob("*.py")),
        ROOT / "enrollment" / "filters.py",
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.role\b|_ROLES\b", line)
    ]
    assert offenders == []
