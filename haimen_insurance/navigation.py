"""The navigation bar: which pages each role reaches from the header."""

from dataclasses import dataclass

from .roles import Role

ALL = frozenset(Role)
CITY = frozenset({Role.CITY_OFFICER, Role.LEADER})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    section: str = ""  # a url-name prefix whose pages belong to this item, e.g. "claims:"


REGISTER_VIEWERS = frozenset(
    {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER, Role.LEADER}
)
VERIFIERS = frozenset({Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER, Role.LEADER})

NAV_ITEMS = [
    NavItem("工作台", "workbench", ALL),
    NavItem("仪表板", "dashboard", frozenset({*CITY, Role.TOWNSHIP_OFFICER}), "dashboard"),
    NavItem("考核", "assessment", CITY, "review"),
    NavItem("参保年度", "enrollment:campaign_list", frozenset(ALL - {Role.VILLAGE_CADRE})),
    NavItem("参保名册", "enrollment:roster_mine", frozenset({Role.VILLAGE_CADRE})),
    NavItem("参保名册", "enrollment:rosters_overview", VERIFIERS),
    NavItem("独生子女证登记", "enrollment:household_list", REGISTER_VIEWERS),
    NavItem("核查", "enrollment:verification", VERIFIERS),
    NavItem("保单查询", "enrollment:policy_list", frozenset(ALL - {Role.TOWNSHIP_FINANCE})),
    NavItem("理赔", "claims:claim_list", frozenset(ALL - {Role.TOWNSHIP_FINANCE}), "claims:"),
    NavItem("区划", "area_list", frozenset(ALL - {Role.VILLAGE_CADRE})),
    NavItem("用户", "user_list", frozenset({Role.CITY_OFFICER, Role.TOWNSHIP_OFFICER})),
    NavItem("审计日志", "audit_list", CITY),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if user.role in item.roles]


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
