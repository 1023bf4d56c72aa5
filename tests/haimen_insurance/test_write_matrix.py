"""Every POST route × every role × inside / outside scope → the expected status, and not a row of
the database changed wherever the POST is refused.

``WRITES`` is made from the permission matrix's ``ROWS``: a POST is allowed to the row's roles
(``WRITE_ALLOWED`` where it is fewer) and answers the row's status (``WRITE_OK`` where a POST
answers otherwise than a GET). ``test_every_post_route_has_a_write_row`` finds in the URL conf
every view that takes a POST, so a new write cannot go untested.

The cases of one route and role:

- ``refused`` (a role not allowed): 403 inside its scope, outside it, and for a pk that does not
  exist.
- ``inside`` (an allowed role): the status of the route for an empty POST.
- ``valid`` (routes with ``WRITE_DATA``): an allowed role POSTs realistic data and the database
  does change. The refused and outside cases POST the same data, so that a missing check would
  really write something.
- ``outside`` (an allowed role): 404 for a target outside its scope and for a pk that does not
  exist alike, so the answer tells nothing about what exists elsewhere.

Wherever a POST is refused (403, 404), and wherever a form comes back with its errors (200), the
fingerprint of every table (the audit trail too) must be the same after the POST as before it.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from haimen_insurance.models import User
from haimen_insurance.roles import Role
from tests.enrollment.routes import a_township  # first: it loads the other route modules
from tests.enrollment.routes_rosters import a_roster
from tests.haimen_insurance.test_permission_matrix import PUBLIC, ROWS
from tests.permissions import (
    ACTORS,
    CITY_SCOPE,
    HAIMEN_ROLES,
    changed_tables,
    db_fingerprint,
    fingerprinted_tables,
)

pytestmark = pytest.mark.django_db

MISSING_PK = 999_999_999


# --- which views take a POST ---


def accepts_post(callback) -> bool:
    """Whether the view behind ``callback`` answers a POST other than with 405."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    # A function view takes every method unless ``require_http_methods`` (or require_GET,
    # require_POST, require_safe) wraps it; that wrapper keeps its list in its closure.
    view = callback
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            methods = view.__closure__[code.co_freevars.index("request_method_list")]
            return "POST" in methods.cell_contents
        view = getattr(view, "__wrapped__", None)
    return True


def post_routes(resolver=None, namespace=""):
    """Every named route whose view takes a POST, namespaced, leaving out Django's admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from post_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and accepts_post(entry.callback):
            yield f"{namespace}{entry.name}"


# --- targets in a state where the valid data really writes ---


def a_user_to_activate(world, role):
    """Two stopped accounts (neither acts in the matrix): cadre A2's, and cadre B1's outside."""
    User.objects.filter(username__in=["cadre_a2", "cadre_b1"]).update(is_active=False)
    inside = world.user("cadre_a2")
    outside = None if role in CITY_SCOPE else world.user("cadre_b1")
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


def a_submitted_roster(world, role):
    from enrollment.models import Roster
    from enrollment.services.rosters import roster_submit

    inside, outside = a_roster(world, role)
    for pk in {kwargs["pk"] for kwargs in (inside, outside) if kwargs}:
        roster_submit(actor=None, roster=Roster.objects.get(pk=pk))
    return inside, outside


def submitted_rosters_of_a_township(world, role):
    """Township A (B for the city) and township B, every village roster of each submitted."""
    from enrollment.models import Roster
    from enrollment.services.rosters import roster_enrol_all, roster_submit
    from tests.enrollment.conftest import build_campaign, build_household

    campaign = build_campaign()
    for village in (world.village_a1, world.village_a2, world.village_b1):
        build_household(village)
    for roster in Roster.objects.filter(campaign=campaign):
        roster_enrol_all(actor=None, roster=roster)
        roster_submit(actor=None, roster=roster)
    return a_township(world, role)


def _township_reports(world, role, *, funded, campaign=None):
    """A township report, reported (funded: its transfer recorded), of township A (B for the
    city) and one of township B, each for one enrolled family per township."""
    from enrollment.services.policies import transfer_record
    from haimen_insurance.models import Area
    from tests.enrollment.conftest import (
        build_campaign,
        build_household,
        build_reported_report,
        transfer_values,
    )

    campaign = campaign or build_campaign()
    build_household(world.village_a1)
    build_household(world.village_b1)
    inside, outside = a_township(world, role)

    def report(kwargs):
        made = build_reported_report(campaign, Area.objects.get(pk=kwargs["pk"]))
        if funded:
            transfer_record(actor=None, report=made, **transfer_values(made))
        return {"pk": made.pk}

    return report(inside), (outside and report(outside))


def a_reported_report(world, role):
    return _township_reports(world, role, funded=False)


def a_shared_reported_report(world, role):
    """As ``a_reported_report``, with the premium shared: the city 2 yuan a share, the county
    (where there are counties) 6, the township the rest, so that every finance office owes
    something and its valid transfer writes. The office that acts is noted on ``world`` for
    ``transfer_data``."""
    from enrollment.access import transfer_office
    from enrollment.models import PremiumShare
    from enrollment.services.campaigns import premium_shares_set
    from enrollment.services.shares import ShareInput
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign(opened=False)
    payer = PremiumShare.Payer
    for product in campaign.products.all():
        shares = [ShareInput(payer.CITY, Decimal("2.00"))]
        if world.county_a is not None:
            shares.append(ShareInput(payer.COUNTY, Decimal("6.00")))
        shares.append(ShareInput(payer.TOWNSHIP, takes_rest=True))
        premium_shares_set(actor=None, product=product, shares=shares)
    from enrollment.services.campaigns import campaign_open

    campaign_open(actor=None, campaign=campaign)
    world.transfer_office = transfer_office(world.user(ACTORS[role]))
    return _township_reports(world, role, funded=False, campaign=campaign)


def a_funded_report(world, role):
    return _township_reports(world, role, funded=True)


def a_county_whose_townships_reported(world, role):
    """County A (B for the city) and county B, the report of each one's township reported."""
    from tests.enrollment.conftest import build_campaign, build_household, build_reported_report
    from tests.permissions import a_county

    campaign = build_campaign()
    build_household(world.village_a1)
    build_household(world.village_b1)
    for township in (world.town_a, world.town_b):
        build_reported_report(campaign, township)
    return a_county(world, role)


def _claims_with_insurer(world, role, *, approved):
    """A claim with its insurer (approved: for 1,000 yuan) of 东兴村 in township A (南星村 for
    the city roles) and one of 南星村 in township B."""
    from claims.services import claim_approve
    from tests.claims.conftest import claim_with_insurer
    from tests.claims.routes import _inside_outside, _issued

    _issued(world)
    claims = [claim_with_insurer("甲村孩子"), claim_with_insurer("乙村孩子")]
    if approved:
        claims = [claim_approve(actor=None, claim=c, amount=Decimal("1000.00")) for c in claims]
    inside, outside = claims
    return _inside_outside(role, {"pk": inside.pk}, {"pk": outside.pk})


def a_claim_with_insurer(world, role):
    return _claims_with_insurer(world, role, approved=False)


def an_approved_claim(world, role):
    return _claims_with_insurer(world, role, approved=True)


# --- realistic data: what the form of each dangerous write sends ---


def nothing(world, kwargs):
    return {}


def review_note_data(world, kwargs):
    return {"achievements": "按期完成登记造册", "shortcomings": "", "measures": "提前核查"}


def user_data(world, kwargs):
    person = User.objects.get(pk=kwargs["pk"])
    return {
        "full_name": f"{person.full_name}（改）",
        "phone": "13812345678",
        "role": person.role,
        "area": person.area_id or "",
        "insurer": person.insurer_id or "",
    }


def entry_data(world, kwargs):
    from enrollment.models import Roster

    products = Roster.objects.get(pk=kwargs["pk"]).campaign.products.all()
    return {"decision": "enrolled", "reason": ""} | {f"shares_{p.code}": 1 for p in products}


def bulk_approve_data(world, kwargs):
    """Every submitted roster of the township, confirmed."""
    from enrollment.models import Roster

    rosters = Roster.objects.filter(village__parent=kwargs["pk"], status="submitted")
    return {"roster": list(rosters.values_list("pk", flat=True)), "confirm": "1"}


def return_data(world, kwargs):
    return {"reason": "第 3 户子女身份证号与户口簿不符，请核对后重新提交。"}


def transfer_data(world, kwargs):
    """The acting finance office's transfer of exactly what it owes."""
    from enrollment.models import TownshipReport
    from enrollment.selectors.shares import report_shares
    from tests.enrollment.conftest import transfer_values

    report = TownshipReport.objects.get(pk=kwargs["pk"])
    office = getattr(world, "transfer_office", None) or "township"
    values = transfer_values(report, amount=report_shares(report).office_due(office))
    return {field: str(value) for field, value in values.items()}


def confirm_data(world, kwargs):
    return {"confirm": "1"}


def approve_data(world, kwargs):
    return {"amount": "1000.00"}


def reject_data(world, kwargs):
    return {"code": "not_covered", "text": "出险原因不在保险责任范围内。"}


def pay_data(world, kwargs):
    return {
        "paid_on": timezone.localdate().isoformat(),
        "amount": "1000.00",
        "account": "林建华 江苏海门农村商业银行 6228480000000000",
    }


# --- the table ---


@dataclass(frozen=True)
class Write:
    """How one POST route answers: ``allowed`` roles get ``ok`` for an empty POST inside scope,
    ``data_ok`` for ``data`` (which must write), 404 outside; every other role gets 403."""

    allowed: frozenset
    ok: object
    target: object = None
    data: object = None
    data_ok: object = 302


# Every route of the URL conf whose view takes a POST (``login`` is public: not in the matrix).
POST_ROUTES = (
    "home",
    "logout",
    "password_change",
    "user_create",
    "user_update",
    "user_deactivate",
    "user_activate",
    "user_reset_password",
    "assessment",
    "review_xlsx_job",
    "review_pdf_job",
    "township_review",
    "enrollment:household_create",
    "enrollment:household_update",
    "enrollment:household_revoke",
    "enrollment:household_restore",
    "enrollment:register_import",
    "enrollment:register_import_confirm",
    "enrollment:campaign_create",
    "enrollment:campaign_update",
    "enrollment:campaign_insurers",
    "enrollment:product_update",
    "enrollment:product_shares",
    "enrollment:campaign_roll_over",
    "enrollment:campaign_policy_list",
    "enrollment:campaign_open",
    "enrollment:campaign_delete",
    "enrollment:entry_decide",
    "enrollment:roster_enrol_all",
    "enrollment:roster_submit",
    "enrollment:roster_approve",
    "enrollment:roster_return",
    "enrollment:township_rosters_approve",
    "enrollment:township_report_draft",
    "enrollment:township_report_submit",
    "enrollment:county_report_draft",
    "enrollment:county_report_submit",
    "enrollment:transfer_record",
    "enrollment:policy_issue",
    "enrollment:policy_numbers_upload",
    "claims:claim_create",
    "claims:document_tick",
    "claims:document_remove",
    "claims:documents_complete",
    "claims:claim_submit",
    "claims:claim_escalate",
    "claims:claim_approve",
    "claims:claim_reject",
    "claims:claim_pay",
    "claims:claim_close",
)

# Fewer roles may POST than may GET: the leader reads the assessment, only the city officer
# sets its rules.
WRITE_ALLOWED = {"assessment": frozenset({Role.CITY_OFFICER})}

# The status of an empty POST by an allowed role inside scope, where it is not the GET's.
WRITE_OK = {
    "enrollment:policy_issue": 302,  # issues (system numbers) and goes back to the report
    "enrollment:township_rosters_approve": 302,  # nothing chosen: back to the rosters page
    "enrollment:county_report_submit": 302,  # not confirmed: back to the confirmation page
}

# Targets in the state in which ``WRITE_DATA`` writes (else the row's own target).
WRITE_TARGETS = {
    "user_activate": a_user_to_activate,
    "enrollment:roster_approve": a_submitted_roster,
    "enrollment:roster_return": a_submitted_roster,
    "enrollment:township_rosters_approve": submitted_rosters_of_a_township,
    "enrollment:transfer_record": a_shared_reported_report,
    "enrollment:policy_issue": a_funded_report,
    "enrollment:county_report_draft": a_county_whose_townships_reported,
    "claims:claim_approve": a_claim_with_insurer,
    "claims:claim_reject": a_claim_with_insurer,
    "claims:claim_pay": an_approved_claim,
}

# What the form sends, for the most dangerous writes: ``data(world, kwargs)``.
WRITE_DATA = {
    "user_update": user_data,
    "user_deactivate": nothing,
    "user_activate": nothing,
    "user_reset_password": nothing,
    "enrollment:entry_decide": entry_data,
    "enrollment:roster_approve": nothing,
    "enrollment:roster_return": return_data,
    "enrollment:township_rosters_approve": bulk_approve_data,
    "enrollment:transfer_record": transfer_data,
    "enrollment:policy_issue": nothing,
    "enrollment:county_report_draft": nothing,
    "enrollment:county_report_submit": confirm_data,
    "claims:claim_approve": approve_data,
    "claims:claim_reject": reject_data,
    "claims:claim_pay": pay_data,
    "township_review": review_note_data,
}

WRITES = {
    name: Write(
        allowed=WRITE_ALLOWED.get(name, ROWS[name].allowed),
        ok=WRITE_OK.get(name, ROWS[name].ok),
        target=WRITE_TARGETS.get(name, ROWS[name].target),
        data=WRITE_DATA.get(name),
    )
    for name in POST_ROUTES
}

# Holes found by this matrix and not fixed yet: {(route, role, case): what happens}.
HOLES = {}


def test_every_post_route_has_a_write_row():
    assert set(post_routes()) - PUBLIC == set(WRITES)


def test_accepts_post_reads_class_and_function_views():
    from django.contrib.auth.views import LogoutView
    from django.views.decorators.http import require_GET, require_POST, require_safe
    from django.views.generic import TemplateView

    def view(request):
        return None

    assert accepts_post(view)
    assert accepts_post(require_POST(view))
    assert not accepts_post(require_GET(view))
    assert not accepts_post(require_safe(view))
    assert accepts_post(LogoutView.as_view())
    assert not accepts_post(TemplateView.as_view())


def test_write_tables_name_only_post_routes():
    for table in (WRITE_ALLOWED, WRITE_OK, WRITE_TARGETS, WRITE_DATA):
        assert set(table) <= set(WRITES)
    assert {key[0] for key in HOLES} <= set(WRITES)


def test_the_fingerprint_covers_the_audit_trail_and_sees_a_write(world):
    from haimen_insurance.audit import audit_record

    assert "haimen_insurance_auditevent" in fingerprinted_tables()
    before = db_fingerprint()
    audit_record(actor=None, action="user.update", obj=world.user("cadre_a1"))
    assert changed_tables(before, db_fingerprint()) == ["haimen_insurance_auditevent"]


# Haimen's shape with its roles; Ji'an's with the county roles (the others' writes do not depend
# on the depth of the tree: the permission matrix reads every page in both shapes).
WRITE_SHAPES = [("haimen", HAIMEN_ROLES), ("jian", [Role.COUNTY_OFFICER, Role.COUNTY_FINANCE])]


def cases():
    for shape, roles in WRITE_SHAPES:
        prefix = "" if shape == "haimen" else f"{shape}-"
        for name, write in WRITES.items():
            if shape == "haimen" and ROWS[name].counties:
                continue  # a write about a county: only where there are counties
            for role in roles:
                if role not in write.allowed:
                    kinds = ["refused"]
                else:
                    kinds = ["inside"]
                    if write.data is not None:
                        kinds.append("valid")
                    if write.target is not None:
                        kinds.append("outside")
                for kind in kinds:
                    reason = HOLES.get((name, role, kind))
                    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                    yield pytest.param(
                        shape,
                        name,
                        role,
                        kind,
                        id=f"{prefix}{name}-{role.value}-{kind}",
                        marks=marks,
                    )


def _missing(kwargs):
    """The URL kwargs with each pk in turn replaced by one that does not exist."""
    for key, value in kwargs.items():
        if isinstance(value, int):
            yield {**kwargs, key: MISSING_PK}


@pytest.mark.parametrize(("world", "name", "role", "kind"), list(cases()), indirect=["world"])
def test_post(world, client, name, role, kind):
    write = WRITES[name]
    inside, outside = write.target(world, role) if write.target else ({}, None)
    data = write.data or (lambda world, kwargs: {})
    client.force_login(world.user(ACTORS[role]))

    def post(kwargs, values):
        before = db_fingerprint()
        response = client.post(reverse(name, kwargs=kwargs), values)
        return response.status_code, changed_tables(before, db_fingerprint())

    if kind in ("refused", "outside"):
        # Refused: 403 inside, outside and for a pk that does not exist. Allowed: 404 outside
        # and for a missing pk. Either way with the data that would write, and nothing written.
        status = 403 if kind == "refused" else 404
        targets = [(inside, inside)] if kind == "refused" else []
        targets += [(outside, outside)] if outside else []
        targets += [(missing, inside) for missing in _missing(inside)]
        for kwargs, data_for in targets:
            assert post(kwargs, data(world, data_for)) == (status, []), kwargs
    elif kind == "valid":
        status, changed = post(inside, data(world, inside))
        assert status == write.data_ok
        assert changed, "the valid data wrote nothing: the refusals of this route prove little"
    else:
        status, changed = post(inside, {})
        assert status == write.ok
        if status == 200:  # the form again, with its errors
            assert changed == []
        if name == "logout":
            assert "_auth_user_id" not in client.session
