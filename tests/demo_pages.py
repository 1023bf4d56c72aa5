"""Every page of the demo as every role: GET each named route of the URL conf (the permission
matrix's rows and targets) against a database seeded by ``seed_demo``, and list every answer that
is not the one the matrix expects (a 500 above all).

The matrix's targets are written for the small world of ``tests/conftest.py``; ``demo_world``
gives them the demo's own areas and users in the same places (township A is 海门镇 with cadre1's
and cadre2's villages, township B is 三星镇 with cadre3's; in Ji'an's demo, 敦厚镇 of county A
吉安县 and 澄江镇 of county B 泰和县, with the counties' users). Targets that make a campaign get
campaigns of years the demo does not use, so they never collide with the demo's own; the roster
targets take the demo's current campaign as it is.

Run in-process by the PostgreSQL test, and as ``python -m tests.demo_pages`` on SQLite (the
demo's database) by ``tests/oversight/test_seed_demo.py``: that form migrates and seeds
the database ``DATABASE_URL`` names first, checks the demo's error pages and static files too
(``error_pages``) and a register import of new and changed households (``register_import_round``:
SQLite keeps the ORM path where PostgreSQL writes with COPY), and prints the failures as JSON.
"""

import json
import sys
from contextlib import contextmanager
from datetime import date, timedelta

READ = "get"
# The matrix's world → the demo's usernames.
DEMO_USERS = {
    "city": "city",
    "city_finance": "cityfin",
    "leader": "leader",
    "township_a": "township1",
    "township_b": "township2",
    "finance_a": "finance1",
    "finance_b": "finance2",
    "cadre_a1": "cadre1",
    "cadre_a2": "cadre2",
    "cadre_b1": "cadre3",
    "insurer_a": "insurer1",
    "insurer_b": "insurer2",
}
# Ji'an's demo (``seed_demo --programme jian``): the same names, and the two counties' roles
# (county A 吉安县 holds township A, county B 泰和县 township B).
JIAN_DEMO_USERS = {
    **DEMO_USERS,
    "county_a": "county1",
    "county_b": "county2",
    "county_finance_a": "countyfin1",
    "county_finance_b": "countyfin2",
}


def demo_world():
    from haimen_insurance.models import Area, User
    from tests.conftest import World

    counties = Area.objects.counties().exists()  # Ji'an's demo
    names = JIAN_DEMO_USERS if counties else DEMO_USERS
    users = {
        user.username: user
        for user in User.objects.filter(username__in=names.values()).select_related(
            "area__parent", "insurer"
        )
    }
    world_users = {key: users[name] for key, name in names.items()}
    world = World(
        city=Area.objects.get(kind=Area.Kind.CITY),
        town_a=world_users["township_a"].area,
        town_b=world_users["township_b"].area,
        village_a1=world_users["cadre_a1"].area,
        village_a2=world_users["cadre_a2"].area,
        village_b1=world_users["cadre_b1"].area,
        insurer_a=world_users["insurer_a"].insurer,
        insurer_b=world_users["insurer_b"].insurer,
        county_a=world_users["county_a"].area if counties else None,
        county_b=world_users["county_b"].area if counties else None,
    )
    world.users = world_users
    return world


def _free_years(count: int) -> list[int]:
    from enrollment.models import Campaign

    taken = set(Campaign.objects.values_list("year", flat=True))
    return [year for year in range(2012, 2030) if year not in taken][:count]


@contextmanager
def _matrix_builders(world):
    """Point the matrix's campaign builders at campaigns made once here, in years the demo does
    not use: one issued in townships A and B for the claim targets (their claims dated in its
    cover), one open for every other target, and a fresh one being prepared on each call."""
    from tests.claims import conftest as claim_builders
    from tests.claims import routes as claim_routes
    from tests.enrollment import conftest as builders

    claims_year, open_year, prepared_year = _free_years(3)
    original_campaign, original_claim = builders.build_campaign, claim_builders.report_claim
    claims_campaign = original_campaign(claims_year)
    # Born on a day of their own: these two stay, and the per-case targets' children are born
    # on 2005-06-01 with IDs from counters of their own.
    for village, name in ((world.village_a1, "甲村孩子"), (world.village_b1, "乙村孩子")):
        builders.build_household(village, child_name=name, child_birth_date=date(2006, 2, 3))
    claim_builders.issue_township(claims_campaign, world.town_a)
    claim_builders.issue_township(claims_campaign, world.town_b)
    opened_campaign = original_campaign(open_year)
    incident = claims_campaign.coverage_start + timedelta(days=63)

    def build_campaign(year=2013, *, opened=True, **overrides):
        if opened:
            return opened_campaign
        return original_campaign(prepared_year, opened=False, **overrides)

    def report_claim(who, **overrides):
        return original_claim(who, **{"incident_date": incident, **overrides})

    saved_issued = claim_routes._issued
    builders.build_campaign, claim_builders.report_claim = build_campaign, report_claim
    claim_routes._issued = lambda world: None
    try:
        yield
    finally:
        builders.build_campaign, claim_builders.report_claim = original_campaign, original_claim
        claim_routes._issued = saved_issued


def _cases(world):
    from tests.haimen_insurance.test_permission_matrix import ROWS

    for name, row in ROWS.items():
        if row.method != READ or (row.counties and world.county_a is None):
            continue
        for role in world.roles:
            yield name, row, role


def walk(client) -> list[str]:
    """GET every page as every role, inside and outside scope; each case's targets are rolled
    back after it. Returns one line per answer that differs from the matrix's."""
    from django.db import transaction
    from django.urls import reverse

    from tests.permissions import ACTORS, CITY_SCOPE

    world = demo_world()
    failures = []

    def check(url, expected, who):
        try:
            status = client.get(url).status_code
        except Exception as error:  # the test client re-raises what a 500 page hides
            failures.append(f"{who} GET {url}: 500 ({type(error).__name__}: {error})")
            return
        if status != expected:
            failures.append(f"{who} GET {url}: {status}, expected {expected!r}")

    check(reverse("login"), 200, "anonymous")
    with _matrix_builders(world):
        for name, row, role in _cases(world):
            with transaction.atomic():
                inside = outside = {}
                if row.target is not None:
                    inside, outside = row.target(world, role)
                client.force_login(world.user(ACTORS[role]))
                allowed = role in row.allowed
                redirected = role in row.redirected
                who = f"{role.value} ({ACTORS[role]})"
                expected = (302 if redirected else row.ok) if allowed else 403
                check(reverse(name, kwargs=inside), expected, who)
                if row.target is not None and allowed and role not in CITY_SCOPE and not redirected:
                    check(reverse(name, kwargs=outside), 404, f"{who}, outside")
                transaction.set_rollback(True)
    return failures


def error_pages(client) -> list[str]:
    """Under the demo settings (DEBUG off unless asked for): the Chinese error pages users see,
    and the static files WhiteNoise serves all the same."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from haimen_insurance.models import User

    failures = [] if not settings.DEBUG else ["DEBUG is on in the demo settings"]
    client.force_login(User.objects.get(username="cadre1"))
    for url, status, text in (
        ("/no-such-page/", 404, "找不到您要的页面"),
        (reverse("audit_list"), 403, "您没有权限进行此操作"),
    ):
        response = client.get(url)
        if response.status_code != status or text not in response.text:
            failures.append(f"GET {url}: {response.status_code}, not the Chinese {status} page")
    response = Client().get("/static/css/app.css")
    if response.status_code != 200:
        failures.append(f"GET /static/css/app.css: {response.status_code}")
    return failures


def register_import_round() -> list[str]:
    """A register file imported through the service on the demo's database (on SQLite, the ORM
    path the demo keeps instead of COPY): three new households, then the same file with one
    phone changed and one household moved village, counted and audited as on PostgreSQL.
    Rolled back afterwards."""
    import tempfile
    from pathlib import Path

    from django.db import transaction

    from enrollment.models import Household
    from enrollment.services.register_import import register_import_apply, register_import_check
    from haimen_insurance.models import Area, AuditEvent
    from tests.enrollment.test_register_files import household_values, write_xlsx

    first, second = Area.objects.villages().select_related("parent").order_by("code")[:2]
    rows = [
        household_values(f"SQLITE{number}", township=first.parent.name, village=first.name)
        for number in (1, 2, 3)
    ]
    failures = []
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():

        def imported(name, rows):
            plan = register_import_check(actor=None, file=write_xlsx(Path(folder, name), rows))
            if plan.errors:
                failures.append(f"import {name}: {[str(error) for error in plan.errors]}")
                return None
            return register_import_apply(actor=None, plan=plan)

        result = imported("new.xlsx", rows)
        if result is not None and (result.new, result.changed) != (3, 0):
            failures.append(f"import new.xlsx: {result.message}")
        rows[0]["联系电话"] = "13800000000"
        rows[1].update({"乡镇": second.parent.name, "村（社区）": second.name})
        result = imported("changed.xlsx", rows)
        if result is not None and (result.new, result.changed, result.unchanged) != (0, 2, 1):
            failures.append(f"import changed.xlsx: {result.message}")
        updates = {
            event.object_repr.split()[0]: event.changes
            for event in AuditEvent.objects.filter(action="household.import_update")
        }
        expected = {
            "SQLITE1": {"phone": ["13912345678", "13800000000"]},
            "SQLITE2": {
                "village": [
                    f"{first.parent.name}{first.name}",
                    f"{second.parent.name}{second.name}",
                ]
            },
        }
        if updates != expected:
            failures.append(f"import changed.xlsx audited {updates}, expected {expected}")
        moved = Household.objects.get(certificate_no="SQLITE2")
        if (moved.village_id, Household.objects.get(certificate_no="SQLITE1").phone) != (
            second.pk,
            "13800000000",
        ):
            failures.append("import changed.xlsx: the households were not updated")
        transaction.set_rollback(True)
    return failures


def main() -> int:
    """Migrate and seed the database of the environment's settings, then walk it."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0, stdout=sys.stderr)
    setup_test_environment()  # the test client's host, and its record of templates
    failures = walk(Client()) + error_pages(Client()) + register_import_round()
    print(json.dumps(failures, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
