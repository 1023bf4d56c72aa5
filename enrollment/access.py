"""Who may do what in enrollment: every "who may" question of the register, campaigns, rosters,
township reports, county reports, transfers and policies, answered here and nowhere else.

``user`` None is the system itself (the demo seed, a roll-over, the command line): each function
says whether it may. The questions come in two kinds:

- **who**, whatever the state (``may_fill_roster``, ``may_review_rosters``,
  ``may_record_transfers``, …): the services refuse with ``deny_unless`` before they lock the row
  and check its state, so that a person who may never do it is told who may;
- **now**, who *and* the object's state (``may_submit_roster``, ``may_approve_roster``,
  ``may_record_transfer``, …): the state is read from the state machines beside the models
  (``ROSTER_TRANSITIONS``, ``REPORT_TRANSITIONS``, ``COUNTY_REPORT_TRANSITIONS``) through the
  models' ``allows``; the views pass these answers to the templates as the flags that show a
  button.

The pages' own gates are the roles' permissions (``permission_required``), and what a user sees
is scoped by ``for_user``. This module imports nothing of enrollment, so that the models'
querysets can ask it too.
"""

from haimen_insurance.access import active
from haimen_insurance.roles import CITY_ROLES, COUNTY_ROLES, TOWNSHIP_ROLES, VILLAGE_ROLES, Role

# Who works with the rosters of a whole township: its officer, the officer of its county (to
# read them), and the city.
_TOWNSHIP_ROSTER_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER, *CITY_ROLES})
# Who sees the pages over several townships: the city's, and a county officer its county's.
_OVERVIEW_ROLES = frozenset({Role.COUNTY_OFFICER, *CITY_ROLES})
# Who reads the county reports: the county's officer and finance office, and the city (the
# roles holding ``enrollment.view_countyreport``).
_COUNTY_REPORT_READERS = frozenset({*COUNTY_ROLES, *CITY_ROLES})


def _officer_of(user, township_id: int) -> bool:
    return (
        active(user)
        and user.role == Role.TOWNSHIP_OFFICER
        and user.area_id is not None
        and user.area_id == township_id
    )


def _township_of(roster) -> int:
    """The township of the roster's village (the village is read if it is not loaded yet)."""
    return roster.village.parent_id


# --- how pages are shaped by the user's scope ---


def sees_one_village(user) -> bool:
    """A village cadre's register and policies are one village's: lists leave out the township
    and village columns and filters."""
    return user.role in VILLAGE_ROLES


def sees_one_township(user) -> bool:
    """The township officer and finance office work in one township: the register leaves out the
    township column, and the city's overview pages (rosters, verification, reconciliation) send
    them to their own township's page."""
    return user.role in TOWNSHIP_ROLES


def may_see_city_overview(user) -> bool:
    """The city's pages over every township (the rosters overview, the city's verification and
    reconciliation, the townships whose year is unfinished) and the links back to them: the city
    officer and the leaders, and a county officer, to whom they show its county's townships
    (the rows are scoped by ``for_user``)."""
    return active(user) and user.role in _OVERVIEW_ROLES


# --- the register ---


def may_write_household(user, village_id: int) -> bool:
    """Add, edit, revoke, move away or restore a household of the village ``village_id``: the
    cadre of that very village, nobody else (not the system: imports have their own rule)."""
    return active(user) and user.role in VILLAGE_ROLES and user.area_id == village_id


def may_import_register(user) -> bool:
    """Import a register file: the roles holding ``enrollment.import_register`` (the township
    officer, for its township's villages; the city officer), and the command line."""
    return user is None or (active(user) and user.has_perm("enrollment.import_register"))


def may_see_every_register_import(user) -> bool:
    """The city officer sees every register import; anybody else only their own uploads."""
    return active(user) and user.role == Role.CITY_OFFICER


# --- campaigns ---


def may_see_campaigns_being_prepared(user) -> bool:
    """Only the city sees a campaign (and its rosters and products) before it is opened."""
    return active(user) and user.role in CITY_ROLES


def may_set_up_campaigns(user) -> bool:
    """Create, change, open, delete and roll over campaigns, with their products, township
    insurers and assessment rules: the city officer, and the system."""
    return user is None or (active(user) and user.role == Role.CITY_OFFICER)


# --- rosters ---


def may_fill_in_for_villages(user, township_id: int) -> bool:
    """The officer of township ``township_id`` may fill in and submit its villages' rosters on
    their behalf (乡镇代村填报), for a village without a cadre account or computer."""
    return _officer_of(user, township_id)


def may_fill_roster(user, roster) -> bool:
    """Decide households, enrol every undecided one and submit, whatever the roster's state: the
    village's cadre, the officer of its township on the village's behalf, and the system."""
    if user is None:
        return True
    if not active(user):
        return False
    if user.role == Role.VILLAGE_CADRE:
        return user.area_id == roster.village_id
    return user.role == Role.TOWNSHIP_OFFICER and may_fill_in_for_villages(
        user, _township_of(roster)
    )


def fills_on_behalf(user, roster) -> bool:
    """Whether ``user`` fills in the roster on the village's behalf (the township's officer):
    such decisions and submits are marked so. The cadre and the system fill in as themselves."""
    return (
        user is not None
        and user.role == Role.TOWNSHIP_OFFICER
        and may_fill_in_for_villages(user, _township_of(roster))
    )


def may_edit_roster(user, roster) -> bool:
    """Change the roster's decisions now: ``may_fill_roster``, while the roster is being filled
    in or was returned, and is not locked."""
    return roster.allows("edit") and may_fill_roster(user, roster)


def may_submit_roster(user, roster) -> bool:
    """Submit the roster to the township now: ``may_fill_roster``, while the roster may be
    submitted (being filled in or returned, not locked)."""
    return roster.allows("submit") and may_fill_roster(user, roster)


def may_review_rosters(user, township_id: int) -> bool:
    """Approve and return the village rosters of township ``township_id``, whatever their state:
    its officer, and the system."""
    return user is None or _officer_of(user, township_id)


def may_approve_roster(user, roster) -> bool:
    """Approve the roster now: ``may_review_rosters`` of its township, while it is submitted."""
    return roster.allows("approve") and may_review_rosters(user, _township_of(roster))


def may_return_roster(user, roster) -> bool:
    """Return the roster to its village now: ``may_review_rosters``, while it is submitted."""
    return roster.allows("return") and may_review_rosters(user, _township_of(roster))


def may_see_township_rosters(user) -> bool:
    """A township's rosters page, its reconciliation, and the links to them from a roster and a
    township report: the township officer (its own township, by scope), the county officer (its
    county's townships, read-only) and the city."""
    return active(user) and user.role in _TOWNSHIP_ROSTER_ROLES


# --- the township report ---


def may_make_township_report(user, township_id: int) -> bool:
    """Draft and report the township report of ``township_id``, whatever its state: the
    township's officer, and the system."""
    return user is None or _officer_of(user, township_id)


def may_draft_report(user, township_id: int, report) -> bool:
    """Roll the township's rosters up now: ``may_make_township_report``, while there is no
    report yet (``report`` None) or it may be drafted again (not reported)."""
    return (report is None or report.allows("draft")) and may_make_township_report(
        user, township_id
    )


def may_submit_report(user, report) -> bool:
    """Report it to the finance office and the insurer now: ``may_make_township_report``, while
    it is drafted."""
    return report.allows("report") and may_make_township_report(user, report.township_id)


def may_list_report(user, report) -> bool:
    """Whether the campaign page lists ``report`` (one the user sees): a report that may still be
    drafted again is the township's own business, listed for the township's officer and the city
    only; once reported, for everybody who sees it."""
    return not report.allows("draft") or may_see_township_rosters(user)


# --- the county report (where the townships belong to counties) ---


def may_see_county_reports(user) -> bool:
    """The county reports (县级汇总上报), their files, and the links to them from the campaign
    page, the dashboards and the workbenches: a county's officer and finance office (their own
    county's, by scope) and the city roles. A township's people, the villages and the insurers
    work below the county: none of them."""
    return active(user) and user.role in _COUNTY_REPORT_READERS


def may_make_county_report(user, county_id: int) -> bool:
    """Draft and report the county report of ``county_id``, whatever its state: the county's
    officer, and the system."""
    return user is None or (
        active(user)
        and user.role == Role.COUNTY_OFFICER
        and user.area_id is not None
        and user.area_id == county_id
    )


def may_draft_county_report(user, county_id: int, report) -> bool:
    """Roll the county's township reports up now: ``may_make_county_report``, while there is
    no county report yet (``report`` None) or it may be drafted again (not reported). Whether
    every township has reported is the service's to check, naming those that have not."""
    return (report is None or report.allows("draft")) and may_make_county_report(user, county_id)


def may_submit_county_report(user, report) -> bool:
    """Report the county report to the city now: ``may_make_county_report``, while it is
    drafted (once reported it is fixed)."""
    return report.allows("report") and may_make_county_report(user, report.county_id)


# --- the transfer and the policies ---


def may_record_transfers(user, township_id: int) -> bool:
    """Record the township finance office's transfer (the township's, the village
    collectives' and the households' shares) of township ``township_id``'s reports, whatever
    their state: its finance office, and the system."""
    return user is None or (
        active(user) and user.role == Role.TOWNSHIP_FINANCE and user.area_id == township_id
    )


# The finance office (``enrollment.models.PayerOffice``) each finance role records transfers
# for: the township's, a county's, the city's.
_OFFICE_OF_ROLE = {
    Role.TOWNSHIP_FINANCE: "township",
    Role.COUNTY_FINANCE: "county",
    Role.CITY_FINANCE: "city",
}


def transfer_office(user) -> str | None:
    """The finance office whose transfers ``user`` records ("township", "county" or "city");
    the system records the township's; None for everyone else."""
    if user is None:
        return "township"
    return _OFFICE_OF_ROLE.get(user.role) if active(user) else None


def may_record_office_transfers(user, township, office: str) -> bool:
    """Record ``office``'s transfer of a report of ``township`` (an Area), whatever its state:
    the township's finance office for its township, a county's finance office for the townships
    of its county, the city's finance office for every township; and the system."""
    if office == "township":
        return may_record_transfers(user, township.pk)
    if user is None:
        return True
    if not active(user) or transfer_office(user) != office:
        return False
    if office == "county":
        return user.area_id is not None and township.code.startswith(user.area.prefix)
    return office == "city"


def may_record_transfer(user, report) -> bool:
    """Record the user's office's transfer of the report now: ``may_record_office_transfers``,
    while it is reported (its page says whether that office owes anything)."""
    office = transfer_office(user)
    if office is None or not report.allows("fund"):
        return False
    if office == "township":
        return may_record_transfers(user, report.township_id)
    return may_record_office_transfers(user, report.township, office)


def may_issue_policies(user, insurer_id: int | None) -> bool:
    """Issue a township report's policies, whatever its state: the staff of ``insurer_id``, the
    insurer the campaign names for the township (its ``TownshipInsurer``; None where none is
    named: nobody), and the system."""
    return user is None or (
        active(user)
        and user.role == Role.INSURER_STAFF
        and insurer_id is not None
        and user.insurer_id == insurer_id
    )


def may_see_policy_list(user, report, insurer_id: int | None) -> bool:
    """The report's policy list and its issue page: ``may_issue_policies``, once the report is
    funded (and after the policies are issued)."""
    return report.policy_list_ready and may_issue_policies(user, insurer_id)


def may_export_year_policy_list(user) -> bool:
    """The policy list of a whole year, as a background job: the city's for the city officer and
    the leaders, their own company's for insurer staff."""
    return active(user) and (
        user.role in CITY_ROLES or (user.role == Role.INSURER_STAFF and user.insurer_id is not None)
    )
