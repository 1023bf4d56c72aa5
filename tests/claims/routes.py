"""Rows of the permission matrix for the claims routes (see tests/permissions.py).

Everyone who works with families sees the claims of their area (the insurer: of its policies);
the village cadre and the township officer report and gather documents; the insurer decides and
pays. Refusals by state come back as messages on a redirect, so the write routes answer 302.
"""

from haimen_insurance.roles import CITY_ROLES, Role
from tests.permissions import ALL_ROLES, Row

VIEWERS = frozenset(ALL_ROLES - {Role.TOWNSHIP_FINANCE, Role.COUNTY_FINANCE, Role.CITY_FINANCE})
REPORTERS = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER})
DECIDERS = frozenset({Role.INSURER_STAFF})


def _issued(world):
    from tests.claims.conftest import issue_township
    from tests.enrollment.conftest import build_campaign, build_household

    campaign = build_campaign()
    build_household(world.village_a1, child_name="甲村孩子")
    build_household(world.village_b1, child_name="乙村孩子")
    issue_township(campaign, world.town_a)
    issue_township(campaign, world.town_b)


def _inside_outside(role, inside, outside):
    return (outside, None) if role in CITY_ROLES else (inside, outside)


def a_person(world, role):
    from tests.claims.conftest import person

    _issued(world)
    inside, outside = person("甲村孩子"), person("乙村孩子")
    inside, outside = _inside_outside(role, {"person": inside.pk}, {"person": outside.pk})
    return inside, outside


def _claims(world):
    from django.core.files.base import ContentFile

    from claims.models import ClaimDocument
    from tests.claims.conftest import report_claim

    _issued(world)
    claims = [report_claim("甲村孩子"), report_claim("乙村孩子")]
    documents = [
        ClaimDocument.objects.create(
            claim=claim,
            item="invoices",
            received_on=claim.incident_date,
            file=ContentFile(b"%PDF-1.4 test", name="invoice.pdf"),
        )
        for claim in claims
    ]
    return claims, documents


def a_claim(world, role):
    (inside, outside), _ = _claims(world)
    return _inside_outside(role, {"pk": inside.pk}, {"pk": outside.pk})


def a_document(world, role):
    (inside, outside), (doc_in, doc_out) = _claims(world)
    return _inside_outside(
        role,
        {"pk": inside.pk, "document": doc_in.pk},
        {"pk": outside.pk, "document": doc_out.pk},
    )


def a_ticked_item(world, role):
    (inside, outside), _ = _claims(world)
    return _inside_outside(
        role, {"pk": inside.pk, "item": "invoices"}, {"pk": outside.pk, "item": "invoices"}
    )


def _post(allowed, target=a_claim):
    return Row(allowed, ok=302, method="post", target=target)


ROWS = {
    "claims:claim_list": Row(VIEWERS),
    "claims:claim_export": Row(VIEWERS),
    "claims:claim_queue": Row(DECIDERS),
    "claims:person_search": Row(REPORTERS),
    "claims:claim_create": Row(REPORTERS, target=a_person),
    "claims:claim_detail": Row(VIEWERS, target=a_claim),
    "claims:document_tick": _post(REPORTERS),
    "claims:document_remove": _post(REPORTERS, a_ticked_item),
    "claims:document_file": Row(VIEWERS, target=a_document),
    "claims:documents_complete": _post(REPORTERS),
    "claims:claim_submit": _post(REPORTERS),
    "claims:claim_escalate": _post(DECIDERS),
    "claims:claim_approve": _post(DECIDERS),
    "claims:claim_reject": _post(DECIDERS),
    "claims:claim_pay": _post(DECIDERS),
    "claims:claim_close": _post(DECIDERS),
}
