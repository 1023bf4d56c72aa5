"""The navigation bar: which pages each role reaches from the header.

Each item names the permissions (``app_label.codename``) its holder needs, all of them, and is
shown to the roles whose group holds them (``roles.role_permissions``: the permissions
``sync_role_groups`` gives the group, so the same answer as ``user.has_perm``, without the query
that loads a user's permissions on a page that checks none, such as the password change).

An item needs more than its page's own permission where the page is not a daily tool of every
role that may open it: ``enrollment.view_townshipreport`` marks the roles that work above one
village (the cadre's own roster is its 参保名册), and the user list is in the bar of the user
managers and of the township officer, who looks after its villages' cadres (it reviews their
rosters), not of the leader.
"""

from dataclasses import dataclass

from .roles import role_permissions

TOWNSHIP_AND_ABOVE = "enrollment.view_townshipreport"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perms: tuple[str, ...] = ()  # every one needed; none: every person with a role
    section: str = ""  # a url-name prefix whose pages belong to this item, e.g. "claims:"
    or_perms: tuple[str, ...] = ()  # or else every one of these

    def shown_to(self, held: frozenset[str]) -> bool:
        """Whether a holder of the permissions ``held`` sees the item."""
        if held.issuperset(self.perms):
            return True
        return bool(self.or_perms) and held.issuperset(self.or_perms)


NAV_ITEMS = [
    NavItem("工作台", "workbench"),
    NavItem("仪表板", "dashboard", ("oversight.view_dashboard",), "dashboard"),
    NavItem(
        "考核",
        "assessment",
        ("oversight.view_dashboard", "oversight.view_assessmentrule"),
        "review",
    ),
    NavItem(
        "参保年度", "enrollment:campaign_list", ("enrollment.view_campaign", TOWNSHIP_AND_ABOVE)
    ),
    NavItem("参保名册", "enrollment:roster_mine", ("enrollment.submit_roster",)),
    NavItem(
        "参保名册", "enrollment:rosters_overview", ("enrollment.view_roster", TOWNSHIP_AND_ABOVE)
    ),
    NavItem("独生子女证登记", "enrollment:household_list", ("enrollment.view_household",)),
    NavItem("核查", "enrollment:verification", ("enrollment.view_verification",)),
    NavItem("保单查询", "enrollment:policy_list", ("enrollment.view_policy",)),
    NavItem("理赔", "claims:claim_list", ("claims.view_claim",), "claims:"),
    NavItem("区划", "area_list", ("haimen_insurance.view_area", TOWNSHIP_AND_ABOVE)),
    NavItem(
        "用户",
        "user_list",
        ("haimen_insurance.manage_users",),
        or_perms=("haimen_insurance.view_user", "enrollment.review_roster"),
    ),
    NavItem("审计日志", "audit_list", ("haimen_insurance.view_auditevent",)),
]


def items_for(user) -> list[NavItem]:
    """The items of ``user``'s bar; none for an account without a role (a break-glass account
    works in the admin, whose every permission would otherwise show everything)."""
    if not user.role:
        return []
    held = role_permissions(user.role)
    return [item for item in NAV_ITEMS if item.shown_to(held)]


def current_item(items: list[NavItem], view_name: str | None) -> str | None:
    """The url name of the item to highlight: the page itself, or the item of its section."""
    if view_name is None:
        return None
    for item in items:
        if item.url_name == view_name:
            return item.url_name
    for item in items:
        if item.section and view_name.startswith(item.section):
            return item.url_name
    return None
