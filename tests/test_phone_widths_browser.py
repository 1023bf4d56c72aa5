"""Every page of the URL conf, as every role, on a 375 px phone: nothing scrolls sideways.

The routes, the roles allowed on each and most targets are the permission matrix's
(``tests/haimen_insurance/test_permission_matrix.py``). The matrix builds fresh data for every
case; here one year is built once and the targets that would build a campaign, a report, a
policy or a claim of their own point at that year's instead. Each GET route is first asked with
Django's test client as the role's actor: the ones that answer 200 with an HTML page are then
opened in one phone-sized Chromium context per role, and each must satisfy
``document.documentElement.scrollWidth <= window.innerWidth`` -- and, since a phone zooms out
of a page too wide for it (``innerWidth`` then grows with the page), ``<= clientWidth`` and
375 as well.
"""

import time

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimDocument
from enrollment.models import Campaign, InsuredPerson, Policy, Product, TownshipReport
from haimen_insurance.roles import CITY_ROLES, Role
from tests.browser import login, open_page, screenshot
from tests.claims import routes as claim_routes
from tests.claims.conftest import claim_with_insurer, issue_township, report_claim
from tests.enrollment import routes as enrollment_routes
from tests.enrollment import routes_campaigns, routes_policies, routes_reports
from tests.enrollment.conftest import build_campaign, build_household, build_reported_report
from tests.haimen_insurance.test_permission_matrix import (
    ROWS,
    a_township_with_campaign,
    with_campaign,
)
from tests.permissions import ACTORS

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}
# On a phone (is_mobile) Chromium zooms a page that is too wide out until it fits, so
# window.innerWidth grows with the page (377 for 2 px too many); the layout viewport,
# documentElement.clientWidth, stays the phone's 375.
WIDTHS = """[
    document.documentElement.scrollWidth,
    window.innerWidth,
    document.documentElement.clientWidth,
]"""


def build_year(world):
    """2013 issued in both townships, with a claim in each (one with the insurer, one being
    gathered, each with a scan); 2014 open, 海门镇 reported and waiting for its transfer."""
    issued = build_campaign()
    build_household(world.village_a1, child_name="甲村孩子", father_name="林建华")
    build_household(world.village_a1, child_name="赵一鸣", employer_name="海门市某某纺织有限公司")
    build_household(world.village_a2, child_name="孙浩然")
    build_household(world.village_b1, child_name="乙村孩子")
    issue_township(issued, world.town_a)
    issue_township(issued, world.town_b)
    claim_with_insurer("赵一鸣")
    for name in ("甲村孩子", "乙村孩子"):
        claim = report_claim(name)
        ClaimDocument.objects.create(
            claim=claim,
            item="invoices",
            received_on=claim.incident_date,
            file=ContentFile(b"%PDF-1.4 test", name="invoice.pdf"),
        )
    following = build_campaign(2014)
    build_reported_report(following, world.town_a)
    return issued


def _township(world, role):
    return routes_reports.a_township(world, role)[0]["pk"]


def _latest_report(world, role):
    """The township's newest report: 2014's reported one for 海门镇, 2013's for 三星镇."""
    report = (
        TownshipReport.objects.filter(township_id=_township(world, role))
        .order_by("-campaign__year")
        .first()
    )
    return {"pk": report.pk}, None


def _issued_report(world, role):
    report = TownshipReport.objects.get(campaign__year=2013, township_id=_township(world, role))
    return {"pk": report.pk}, None


def _a_household(world, role):
    """The matrix's households number their IDs as ``build_household`` does: one of its own."""
    village = {
        Role.TOWNSHIP_OFFICER: world.village_a2,
        Role.VILLAGE_CADRE: world.village_a1,
    }.get(role, world.village_b1)
    return {"pk": build_household(village).pk}, None


def _a_claim(world, role):
    claim = Claim.objects.get(person__name="乙村孩子" if role in CITY_ROLES else "甲村孩子")
    return claim


# The matrix's targets that build data of their own, and the year's object used instead.
INSTEAD = {
    enrollment_routes.a_household: _a_household,
    with_campaign: lambda world, role: ({}, None),
    a_township_with_campaign: enrollment_routes.a_township,
    routes_campaigns.a_campaign: lambda world, role: (
        {"pk": Campaign.objects.get(year=2013).pk},
        None,
    ),
    routes_campaigns.a_product: lambda world, role: (
        {"pk": Product.objects.get(campaign__year=2013, code=Product.Code.CHILD_SAFETY).pk},
        None,
    ),
    routes_reports.a_report: _issued_report,
    routes_policies.a_reported_report: _latest_report,
    routes_policies.a_funded_report: _issued_report,
    routes_policies.a_funded_report_voucher: lambda world, role: (
        {**_issued_report(world, role)[0], "payer": "township"},
        None,
    ),
    routes_policies.a_policy: lambda world, role: (
        {
            "pk": Policy.objects.filter(
                village=world.village_b1 if role in CITY_ROLES else world.village_a1
            )
            .first()
            .pk
        },
        None,
    ),
    claim_routes.a_person: lambda world, role: (
        {"person": InsuredPerson.objects.filter(name="甲村孩子").order_by("pk").first().pk},
        None,
    ),
    claim_routes.a_claim: lambda world, role: ({"pk": _a_claim(world, role).pk}, None),
    claim_routes.a_document: lambda world, role: (
        {"pk": _a_claim(world, role).pk, "document": _a_claim(world, role).documents.get().pk},
        None,
    ),
}


# Routes that answer with a piece of a page (swapped into it by htmx), not a page.
FRAGMENTS = {"job_progress"}


def pages_of(world, role) -> list[tuple[str, str]]:
    """(route name, URL) of every GET route the role may open that answers with an HTML page."""
    client = Client()
    client.force_login(world.user(ACTORS[role]))
    pages = []
    for name, row in ROWS.items():
        if row.method != "get" or role not in row.allowed or name in FRAGMENTS:
            continue
        if row.counties and world.county_a is None:
            continue  # a county's page: Haimen has no counties
        kwargs = {}
        if row.target is not None:
            kwargs = INSTEAD.get(row.target, row.target)(world, role)[0]
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((name, url))
        else:
            assert response.status_code in (200, 302), (name, role, response.status_code)
    return pages


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, world):
    build_year(world)
    started = time.monotonic()
    wide, seen, problems = [], 0, []
    for role in world.roles:
        pages = pages_of(world, role)
        context, page, page_problems = open_page(browser, live_server, [], **PHONE)
        try:
            login(page, live_server, world.user(ACTORS[role]))
            for name, url in pages:
                page.goto(f"{live_server.url}{url}")
                scroll_width, inner_width, client_width = page.evaluate(WIDTHS)
                seen += 1
                if scroll_width > min(inner_width, client_width, PHONE["viewport"]["width"]):
                    wide.append(f"{role.value} {name} {url}: {scroll_width} > {client_width}")
                    screenshot(page, f"wide_{role.value}_{name.replace(':', '_')}")
        finally:
            context.close()
        problems += [f"{role.value}: {problem}" for problem in page_problems.problems]
    print(f"{seen} pages in {time.monotonic() - started:.1f} s")
    assert seen > 100
    assert not problems, "\n".join(problems)
    assert not wide, "页面在 375 px 宽的手机上横向滚动：\n" + "\n".join(wide)
