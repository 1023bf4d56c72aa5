"""Who may do what on the roof: the dashboards, the assessment (考核), the year's review
(点评总结) and what each workbench holds.

Each ``may_<verb>(user, obj)`` answers one question; the services refuse with
``haimen_insurance.access.deny_unless`` (a service's ``actor`` of ``None`` is the system itself,
which may), the views pass the answers to their templates as flags. The permission
``oversight.view_dashboard`` (city roles, county and township officers,
``haimen_insurance.roles``) stays on the views in front of these answers.
"""

from haimen_insurance.access import active
from haimen_insurance.models import Area
from haimen_insurance.roles import CITY_ROLES, Role

# Why a service refused: each message says who may.
CITY_REVIEW_WRITER = "只有市计生委可以填写全市的点评总结。"
TOWNSHIP_REVIEW_WRITER = "只有本乡镇（园区）计生办可以填写本乡镇的点评总结。"
RULE_SETTER = "只有市计生委可以设置考核评分规则。"


# --- dashboards, assessment, review ---


def may_view_city_dashboard(user) -> bool:
    """The city's dashboard, the assessment and the review's PDF and workbook: the city roles
    (a county's and a township's dashboard they reach from it)."""
    return active(user) and user.role in CITY_ROLES


def own_dashboard_township(user) -> int | None:
    """The township whose dashboard is this user's own (the township officer's), where the city
    dashboard sends them; None for everyone else."""
    if active(user) and user.role == Role.TOWNSHIP_OFFICER:
        return user.area_id
    return None


def own_dashboard_county(user) -> int | None:
    """The county whose dashboard is this user's own (the county officer's), where the city
    dashboard sends them; None for everyone else."""
    if active(user) and user.role == Role.COUNTY_OFFICER:
        return user.area_id
    return None


def _county_officer_over(user, area: Area) -> bool:
    """The officer of the county ``area`` is in (or is), by the area's code."""
    return own_dashboard_county(user) is not None and area.code.startswith(user.area.prefix)


def may_view_county_dashboards(user) -> bool:
    """Whether the user opens counties' dashboards at all: the city roles and county officers
    (a township officer works in one township: 403, as for the city's)."""
    return may_view_city_dashboard(user) or own_dashboard_county(user) is not None


def may_view_county_dashboard(user, county: Area) -> bool:
    """A county's dashboard (its townships): the city roles, and that county's officer. (The
    page finds the county through ``Area.objects.for_user``, so any other answers 404.)"""
    return may_view_city_dashboard(user) or own_dashboard_county(user) == county.pk


def may_view_township_dashboard(user, township: Area) -> bool:
    """A township's dashboard: the city roles, that township's officer and the officer of its
    county. (The page also finds the township through ``Area.objects.for_user``, so any other
    answers 404.)"""
    return (
        may_view_city_dashboard(user)
        or own_dashboard_township(user) == township.pk
        or _county_officer_over(user, township)
    )


def may_view_county_assessments(user) -> bool:
    """Whether the user opens counties' assessments (考核 of a county's townships) at all: the
    city roles and county officers, as for the counties' dashboards. County finance reads
    neither, as township finance reads neither the dashboards nor the city's assessment (403)."""
    return may_view_county_dashboards(user)


def may_view_county_assessment(user, county: Area) -> bool:
    """A county's assessment (its townships ranked among themselves, the county's own score):
    the city roles, and that county's officer. (The page finds the county through
    ``Area.objects.for_user``, so any other answers 404.)"""
    return may_view_city_dashboard(user) or own_dashboard_county(user) == county.pk


def own_assessment_county(user) -> int | None:
    """The county whose assessment is this user's own (the county officer's), where the
    city's assessment sends them; None for everyone else."""
    return own_dashboard_county(user)


def may_manage_assessment_rules(user) -> bool:
    """A campaign's scoring rules (set, delete, start from the defaults): the city officer."""
    return active(user) and user.role == Role.CITY_OFFICER


def may_write_city_review(user) -> bool:
    """The city's written review (on the assessment page): the city officer."""
    return active(user) and user.role == Role.CITY_OFFICER


def may_write_review_note(user, area: Area | None) -> bool:
    """The city's written review: the city officer; a township's: that township's officer.
    (``area`` None, or any other area: nobody.)"""
    if not active(user) or area is None:
        return False
    if area.is_city:
        return may_write_city_review(user)
    if area.is_township:
        return user.role == Role.TOWNSHIP_OFFICER and user.area_id == area.pk
    return False


def review_note_refusal(area: Area) -> str:
    """The message a refused review note gives: who may write ``area``'s."""
    return CITY_REVIEW_WRITER if area.is_city else TOWNSHIP_REVIEW_WRITER


# --- the workbench: what each role's page holds ---


def may_set_up_city(user) -> bool:
    """The city officer sets the city up (users, the insurers' townships, the years); their
    workbench counts the active users and lists the insurers."""
    return active(user) and user.role == Role.CITY_OFFICER


def may_open_campaign(user) -> bool:
    """A year being prepared is opened by the city officer: it is on their to-do list."""
    return active(user) and user.role == Role.CITY_OFFICER


def may_fill_own_roster(user) -> bool:
    """The village cadre fills in their village's roster: their workbench shows it, with its
    figures, instead of counts of rosters."""
    return active(user) and user.role == Role.VILLAGE_CADRE


def may_oversee_county(user) -> bool:
    """The county officer follows its county's townships: its workbench lists them with their
    figures and the townships not yet reported (read-only: the townships report themselves)."""
    return own_dashboard_county(user) is not None


def may_process_reports(user) -> bool:
    """The finance offices (each records its transfer: the township's, a county's, the
    city's) and the insurer (issues the policies) act on the township reports that reached
    them: their workbench lists those of every open year."""
    return active(user) and user.role in (
        Role.TOWNSHIP_FINANCE,
        Role.COUNTY_FINANCE,
        Role.CITY_FINANCE,
        Role.INSURER_STAFF,
    )


def may_issue_policies(user) -> bool:
    """Insurer staff issue the policies of the townships their insurer covers: their workbench
    lists those townships."""
    return active(user) and user.role == Role.INSURER_STAFF
