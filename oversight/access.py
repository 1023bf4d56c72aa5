"""Who may do what on the roof: the dashboards, the assessment (考核), the year's review
(点评总结) and what each workbench holds.

Each ``may_<verb>(user, obj)`` answers one question; the services refuse with
``haimen_insurance.access.deny_unless`` (a service's ``actor`` of ``None`` is the system itself,
which may), the views pass the answers to their templates as flags. The permission
``oversight.view_dashboard`` (city roles and township officers, ``haimen_insurance.roles``) stays
on the views in front of these answers.
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
    (a township's dashboard they reach from it)."""
    return active(user) and user.role in CITY_ROLES


def own_dashboard_township(user) -> int | None:
    """The township whose dashboard is this user's own (the township officer's), where the city
    dashboard sends them; None for everyone else."""
    if active(user) and user.role == Role.TOWNSHIP_OFFICER:
        return user.area_id
    return None


def may_view_township_dashboard(user, township: Area) -> bool:
    """A township's dashboard: the city roles, and that township's officer. (The page also
    finds the township through ``Area.objects.for_user``, so any other answers 404.)"""
    return may_view_city_dashboard(user) or own_dashboard_township(user) == township.pk


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


def may_process_reports(user) -> bool:
    """Township finance (records the transfer) and the insurer (issues the policies) act on
    the township reports that reached them: their workbench lists those of every open year."""
    return active(user) and user.role in (Role.TOWNSHIP_FINANCE, Role.INSURER_STAFF)


def may_issue_policies(user) -> bool:
    """Insurer staff issue the policies of the townships their insurer covers: their workbench
    lists those townships."""
    return active(user) and user.role == Role.INSURER_STAFF
