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


REGISTER_VIEWERS = frozenset(
    {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER, Role.LEADER}
)
VERIFIERS = frozenset({Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER, Role.LEADER})
IMPORTERS = frozenset({Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER})

NAV_ITEMS = [
    NavItem("工作台", "workbench", ALL),
    NavItem("独生子女证登记", "enrollment:household_list", REGISTER_VIEWERS),
    NavItem("重复核对", "enrollment:duplicates", REGISTER_VIEWERS),
    NavItem("导入登记", "enrollment:register_import", IMPORTERS),
    NavItem("核查", "enrollment:verification", VERIFIERS),
    NavItem("区划", "area_list", frozenset(ALL - {Role.VILLAGE_CADRE})),
    NavItem("用户", "user_list", frozenset({Role.CITY_OFFICER, Role.TOWNSHIP_OFFICER})),
    NavItem("审计日志", "audit_list", CITY),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if user.role in item.roles]
