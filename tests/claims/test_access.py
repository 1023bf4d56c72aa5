"""Who may do what with a claim (claims/access.py), per role and per state, and the services
agree: where an answer is no, the service refuses; where it is yes, the service lets the person
past its gate (a later rule, a missing document or an amount, may still stop them)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims import access, services
from claims.models import CLAIM_TRANSITIONS, Claim
from tests.claims.conftest import claim_with_insurer, report_claim

pytestmark = pytest.mark.django_db

S = Claim.Status
# The claims are 林小雨's: 东兴村 (village_a1) of 海门镇, insured by 甲 (insurer_a).
USERS = [
    "cadre_a1",
    "cadre_a2",
    "cadre_b1",
    "township_a",
    "township_b",
    "finance_a",
    "insurer_a",
    "insurer_b",
    "city",
    "leader",
]
REPORTERS = {"cadre_a1", "township_a"}
INSURER = {"insurer_a"}

# The steps of each state, and who takes them.
STEPS = {
    "tick": (access.may_tick_documents, REPORTERS),
    "remove": (access.may_remove_document, REPORTERS),
    "complete": (access.may_complete_documents, REPORTERS),
    "submit": (access.may_submit, REPORTERS),
    "escalate": (access.may_escalate, INSURER),
    "approve": (access.may_approve, INSURER),
    "reject": (access.may_reject, INSURER),
    "decide": (access.may_decide, INSURER),
    "pay": (access.may_pay, INSURER),
    "close": (access.may_close, INSURER),
}
BY_STATE = {
    S.REPORTED: {"tick", "remove", "complete"},
    S.DOCUMENTS_COMPLETE: {"submit"},
    S.WITH_INSURER: {"escalate", "approve", "reject", "decide"},
    S.ESCALATED: {"approve", "reject", "decide"},
    S.APPROVED: {"pay"},
    S.REJECTED: {"close"},
    S.PAID: {"close"},
    S.CLOSED: set(),
}


def claim_in(state) -> Claim:
    """A claim of 林小雨 carried by the system to ``state``."""
    if state == S.REPORTED:
        return report_claim("林小雨")
    if state == S.DOCUMENTS_COMPLETE:
        claim = report_claim("林小雨")
        for code in ("invoices", "medical_record", "expense_list", "id_bank_card"):
            services.claim_document_tick(
                actor=None, claim=claim, item=code, received_on=date(2013, 3, 8)
            )
        return services.claim_documents_complete(actor=None, claim=claim)
    claim = claim_with_insurer("林小雨", amount_claimed=Decimal("500.00"), expenses=Decimal("500"))
    if state == S.ESCALATED:
        return services.claim_escalate(actor=None, claim=claim, reason="需调查")
    if state == S.REJECTED:
        return services.claim_reject(actor=None, claim=claim, code="exclusion", text="责任免除")
    if state == S.CLOSED:
        claim = services.claim_reject(actor=None, claim=claim, code="exclusion", text="责任免除")
        return services.claim_close(actor=None, claim=claim)
    if state in (S.APPROVED, S.PAID):
        claim = services.claim_approve(actor=None, claim=claim, amount=Decimal("400.00"))
    if state == S.PAID:
        claim = services.claim_pay(
            actor=None,
            claim=claim,
            paid_on=timezone.localdate(),
            amount=Decimal("400.00"),
            account="6228480012345678",
        )
    return claim


@pytest.mark.parametrize("state", list(BY_STATE))
def test_each_step_is_for_its_people_in_its_states(world, issued, state):
    claim = Claim.objects.select_related("village").get(pk=claim_in(state).pk)
    assert claim.status == state
    for key in USERS:
        user = world.user(key)
        answered = {step for step, (may, _) in STEPS.items() if may(user, claim)}
        expected = {step for step in BY_STATE[state] if key in STEPS[step][1]}
        assert answered == expected, (state, key)
    # The system (the demo, the test builders) may take every step the state allows.
    assert {step for step, (may, _) in STEPS.items() if may(None, claim)} == BY_STATE[state]


def test_who_reports_for_a_village(world, issued):
    allowed = {key for key in USERS if access.may_report_for(world.user(key), world.village_a1)}
    assert allowed == REPORTERS
    assert {key for key in USERS if access.may_report_claims(world.user(key))} == {
        "cadre_a1",
        "cadre_a2",
        "cadre_b1",
        "township_a",
        "township_b",
    }
    assert access.may_report_for(None, world.village_a1)


def test_who_sees_claims_their_scans_and_the_queue(world, issued):
    claim = report_claim("林小雨")
    viewers = {key for key in USERS if access.may_view_claims(world.user(key))}
    assert viewers == set(USERS) - {"finance_a"}
    assert {key for key in USERS if access.may_view_scan(world.user(key), claim)} == viewers
    assert {key for key in USERS if access.may_see_queue(world.user(key))} == {
        "insurer_a",
        "insurer_b",
    }


def test_a_deactivated_person_may_do_nothing(world, issued):
    cadre = world.user("cadre_a1")
    claim = report_claim("林小雨")
    cadre.is_active = False
    assert not access.may_report_for(cadre, world.village_a1)
    assert not access.may_tick_documents(cadre, claim)
    assert not access.may_view_claims(cadre)


def _attempt(step: str, user, claim: Claim) -> str:
    """What the service answers ``user`` for ``step``: "refused" (not theirs, or not in this
    state), else "passed" (it got past the gate, whatever a later rule said); nothing stays
    written."""
    calls = {
        "tick": lambda: services.claim_document_tick(
            actor=user, claim=claim, item="invoices", received_on=date(2013, 3, 9)
        ),
        "remove": lambda: services.claim_document_remove(actor=user, claim=claim, item="invoices"),
        "complete": lambda: services.claim_documents_complete(actor=user, claim=claim),
        "submit": lambda: services.claim_submit(actor=user, claim=claim),
        "escalate": lambda: services.claim_escalate(actor=user, claim=claim, reason="需调查"),
        "approve": lambda: services.claim_approve(
            actor=user, claim=claim, amount=Decimal("100.00")
        ),
        "reject": lambda: services.claim_reject(
            actor=user, claim=claim, code="exclusion", text="责任免除"
        ),
        "pay": lambda: services.claim_pay(
            actor=user,
            claim=claim,
            paid_on=timezone.localdate(),
            amount=claim.approved_amount or Decimal("1.00"),
            account="6228480012345678",
        ),
        "close": lambda: services.claim_close(actor=user, claim=claim),
    }

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            calls[step]()
            raise Undo
    except Undo:
        return "passed"
    except PermissionDenied:
        return "refused"
    except ValidationError as error:
        return "refused" if any("不能进行这一步" in m for m in error.messages) else "passed"


@pytest.mark.parametrize("state", list(BY_STATE))
def test_the_services_answer_as_the_access_rules(world, issued, state):
    claim = claim_in(state)
    for key in ("cadre_a1", "cadre_a2", "township_a", "insurer_a", "insurer_b", "city"):
        user = world.user(key)
        for step, (may, _) in STEPS.items():
            if step == "decide":
                continue
            expected = "passed" if may(user, claim) else "refused"
            assert _attempt(step, user, claim) == expected, (state, key, step)
    assert Claim.objects.get(pk=claim.pk).status == state


def test_the_machine_names_the_states_each_step_starts_from():
    assert CLAIM_TRANSITIONS.actions_from(S.REPORTED) == [
        "document_tick",
        "document_remove",
        "documents_complete",
    ]
    assert CLAIM_TRANSITIONS.actions_from(S.WITH_INSURER) == ["escalate", "approve", "reject"]
    assert CLAIM_TRANSITIONS.actions_from(S.CLOSED) == []
    assert CLAIM_TRANSITIONS.target("report") == Claim._meta.get_field("status").default
