"""Who may do what with claims: every "who may" question of the claims app, answered once.

The services refuse with ``deny_unless(may_x(actor, claim), MESSAGE)``, the views pass the answers
to the templates as flags, and a step's state comes from ``CLAIM_TRANSITIONS`` (claims/models.py),
so a button shows exactly when its service would accept it. ``None`` as the user is the system
itself (the demo seed, the test builders): it may take every step the claim's state allows.

Which claims a person sees at all is the scoping door's (``Claim.objects.for_user``); the claim
passed in here was read through it.
"""

from haimen_insurance.access import active

from .models import CLAIM_TRANSITIONS, Claim

VIEW = "claims.view_claim"
REPORT = "claims.report_claim"
DECIDE = "claims.decide_claim"

REPORTERS_ONLY = "只有本村（社区）计生专干或本乡镇计生办可以办理报案和理赔材料。"
INSURER_ONLY = "只有承保的保险公司可以核定和赔付。"
SCAN_VIEWERS_ONLY = "只有能查看本案的用户可以查看理赔材料的扫描件。"


def _allowed(action: str, claim: Claim) -> bool:
    return CLAIM_TRANSITIONS.allows(action, claim.status)


# --- seeing ---


def may_view_claims(user) -> bool:
    """The claims register, a claim's page and its export: every role but township finance."""
    return active(user) and user.has_perm(VIEW)


def may_view_scan(user, claim: Claim) -> bool:
    """A claim's scans are shown to whoever sees the claim (there is no other URL for them)."""
    return may_view_claims(user)


def may_see_queue(user) -> bool:
    """The insurer's queue of claims waiting for it."""
    return active(user) and user.has_perm(DECIDE)


# --- reporting and the documents: the village's cadre or its township's officer ---


def may_report_claims(user) -> bool:
    """Whether the user reports claims at all (the 报案 button, the search for the insured)."""
    return user is None or (active(user) and user.has_perm(REPORT))


def may_report_for(user, village) -> bool:
    """Report a claim of an insured person of ``village``, and keep its documents: the
    village's own cadre (whose area is the village) or its township's officer (whose area is the
    village's township)."""
    if user is None:
        return True
    return may_report_claims(user) and user.area_id in (village.pk, village.parent_id)


def may_tick_documents(user, claim: Claim) -> bool:
    """Tick (or replace the scan of) a checklist item: while the claim is reported."""
    return _allowed("document_tick", claim) and may_report_for(user, claim.village)


def may_remove_document(user, claim: Claim) -> bool:
    return _allowed("document_remove", claim) and may_report_for(user, claim.village)


def may_complete_documents(user, claim: Claim) -> bool:
    """Declare the documents complete (the service then checks every required item)."""
    return _allowed("documents_complete", claim) and may_report_for(user, claim.village)


def may_submit(user, claim: Claim) -> bool:
    """Hand the complete file to the insurer."""
    return _allowed("submit", claim) and may_report_for(user, claim.village)


# --- deciding and paying: the claim's own insurer ---


def is_claims_insurer(user, claim: Claim) -> bool:
    """Staff of the insurer that issued the claim's policy (the one definition of "the insurer
    of the claim")."""
    if user is None:
        return True
    return active(user) and user.has_perm(DECIDE) and user.insurer_id == claim.insurer_id


def may_escalate(user, claim: Claim) -> bool:
    return _allowed("escalate", claim) and is_claims_insurer(user, claim)


def may_approve(user, claim: Claim) -> bool:
    return _allowed("approve", claim) and is_claims_insurer(user, claim)


def may_reject(user, claim: Claim) -> bool:
    return _allowed("reject", claim) and is_claims_insurer(user, claim)


def may_decide(user, claim: Claim) -> bool:
    """Approve or reject: the claim's insurer, while the claim waits for its decision."""
    return may_approve(user, claim) or may_reject(user, claim)


def may_pay(user, claim: Claim) -> bool:
    return _allowed("pay", claim) and is_claims_insurer(user, claim)


def may_close(user, claim: Claim) -> bool:
    return _allowed("close", claim) and is_claims_insurer(user, claim)
