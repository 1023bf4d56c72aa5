"""The permission matrix's vocabulary: the acting user per role, the row type, and targets.

Each app lists its routes in ``tests/<app>/routes.py`` as ``ROWS``; the matrix in
``tests/haimen_insurance/test_permission_matrix.py`` joins them and checks that every route of the
URL conf has exactly one row. ``tests/haimen_insurance/test_write_matrix.py`` POSTs to the write
routes and compares ``db_fingerprint()`` before and after.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from haimen_insurance.roles import COUNTY_ROLES, Role

# The user who acts for each role in the matrix; all of them work on township A's side (the
# county roles, in Ji'an's shape, for county A, township A's county).
ACTORS = {
    Role.CITY_OFFICER: "city",
    Role.CITY_FINANCE: "city_finance",
    Role.LEADER: "leader",
    Role.TOWNSHIP_OFFICER: "township_a",
    Role.TOWNSHIP_FINANCE: "finance_a",
    Role.COUNTY_OFFICER: "county_a",
    Role.COUNTY_FINANCE: "county_finance_a",
    Role.VILLAGE_CADRE: "cadre_a1",
    Role.INSURER_STAFF: "insurer_a",
}
ALL_ROLES = frozenset(Role)
CITY_WIDE = frozenset({Role.CITY_OFFICER, Role.LEADER})
# The roles whose scope is the whole city: nothing is outside it.
CITY_SCOPE = frozenset({*CITY_WIDE, Role.CITY_FINANCE})
COUNTY_OFFICER = frozenset({Role.COUNTY_OFFICER})
# The roles of a programme without counties (Haimen's shape): every role but the county ones.
HAIMEN_ROLES = [role for role in Role if role not in COUNTY_ROLES]
# The matrix runs in both shapes of tests/conftest.py: (shape, the roles that act in it).
SHAPES = [("haimen", HAIMEN_ROLES), ("jian", list(Role))]


@dataclass(frozen=True)
class Row:
    """How one route answers: ``allowed`` roles get ``ok`` inside scope and 404 outside it;
    every other role gets 403. ``target`` gives the URL kwargs inside and outside a role's
    scope (outside is None where the role sees everything)."""

    allowed: frozenset
    ok: int = 200
    method: str = "get"
    target: Callable | None = None
    counties: bool = False  # a page about a county: only where there are counties (Ji'an)
    # Allowed roles the page sends (302) to their own page (whose row checks its scope): no
    # outside case for them.
    redirected: frozenset = frozenset()


def own_area(world, role):
    inside = {
        Role.CITY_OFFICER: world.town_b,
        Role.CITY_FINANCE: world.town_b,
        Role.LEADER: world.town_b,
        Role.TOWNSHIP_OFFICER: world.village_a2,
        Role.TOWNSHIP_FINANCE: world.town_a,
        Role.COUNTY_OFFICER: world.village_a2,
        Role.COUNTY_FINANCE: world.town_a,
        Role.VILLAGE_CADRE: world.village_a1,
        Role.INSURER_STAFF: world.village_a1,
    }[role]
    outside = None if role in CITY_SCOPE else world.village_b1
    if role == Role.VILLAGE_CADRE:
        outside = world.village_a2  # the neighbouring village of the same township
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


def a_county(world, role):
    """County A for its own roles, county B for the city; B is outside county A's scope."""
    inside = world.county_b if role in CITY_SCOPE else world.county_a
    outside = None if role in CITY_SCOPE else world.county_b
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


def a_user(world, role):
    inside = world.user("cadre_a1")
    outside = None if role in CITY_SCOPE else world.user("cadre_b1")
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


# Tables that change without anything being written on the user's behalf: the session (login,
# logout, messages) and django-axes' log of logins and attempts.
UNFINGERPRINTED = frozenset({"django_session"})
UNFINGERPRINTED_PREFIXES = ("axes_",)


def fingerprinted_tables() -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names()
        if name not in UNFINGERPRINTED and not name.startswith(UNFINGERPRINTED_PREFIXES)
    )


def db_fingerprint() -> dict[str, str]:
    """{table: md5 of all its rows} for every table but the ones above, in one query: two equal
    fingerprints mean that not a row was added, changed or deleted in between. Take it after
    ``force_login``, which sets the user's ``last_login``."""
    tables = fingerprinted_tables()
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    )
